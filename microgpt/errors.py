"""The errors microgpt raises for bad input. Each message says what was wrong and how to fix it."""


class MicroGPTError(Exception):
    """Base class: catch this to handle any microgpt input error."""


class DataError(MicroGPTError, ValueError):
    """The data file is missing, empty, or has no usable lines."""


class InputError(MicroGPTError, ValueError):
    """A value typed into a live widget (or passed to microgpt.explore) that it cannot use."""


class TokenizerError(MicroGPTError, KeyError):
    """A character that is not in the vocabulary."""

    def __str__(self):  # KeyError would print the message inside quotes
        return str(self.args[0])


class ConfigError(MicroGPTError, ValueError):
    """An impossible model or training configuration."""


class ContextError(MicroGPTError, IndexError):
    """A position past the model's context window (block_size)."""


class TrainingError(MicroGPTError, FloatingPointError):
    """The loss became NaN or infinite."""


class CheckpointError(MicroGPTError, ValueError):
    """A checkpoint file that is corrupt or does not fit the model."""


class DataWarning(UserWarning):
    """Data that loads but is probably not what was meant (e.g. invisible characters)."""


def shortened(text, limit=40):
    """text, or its first limit characters and '…': what a message or a widget's heading
    shows of a reader's input (never all of a 100,000-character paste)."""
    return text if len(text) <= limit else text[:limit] + '…'


def quoted(text, limit=40):
    """text quoted as repr() does, at most limit characters of it (see shortened)."""
    return repr(shortened(text, limit))
