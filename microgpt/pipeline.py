"""
A whole run in one object: the random stream, the shuffled documents, the tokenizer,
the model (on either engine), and what training reported. The CLI and the chapters
use it so that every one of them consumes the random stream in the reference order:
shuffle the documents, draw the initial weights, then sample.

The scalar engine is three modules, microgpt.model (GPT), microgpt.train
(training_steps) and microgpt.sample (sample); microgpt.numpy_engine provides the same
three names on arrays, and microgpt.list_engine on plain lists of floats.
"""

import os
import random
import unicodedata
import warnings

from . import list_engine, model, sample, train
from .config import PRESETS, Config, get_config, num_params
from .data import NAMES_PATH, Tokenizer, load_docs, shuffled
from .errors import CheckpointError, ConfigError, DataError, DataWarning

# What a run may need for one training step before prepare() refuses it (API users may
# raise it: microgpt.pipeline.MAX_STEP_MEMORY = 16 * 2**30).
MAX_STEP_MEMORY = 4 * 2**30
# Bytes per parameter, measured (tracemalloc, one step of 1-2 layers, n_embd 16-64): the
# scalar engine builds about 450-480 bytes of graph per parameter per position, and keeps
# a Value, a gradient and Adam's two moments for each; NumPy keeps a few float64 arrays.
SCALAR_BYTES_PER_PARAM_POSITION = 500
SCALAR_BYTES_PER_PARAM = 200
NUMPY_BYTES_PER_PARAM = 100


def step_memory(config, vocab_size, engine):
    """An estimate of the memory (bytes) one training step of this model needs."""
    n = num_params(config, vocab_size)
    if engine in ('numpy', 'list'):  # plain arrays or lists of floats, no graph
        return n * NUMPY_BYTES_PER_PARAM
    return n * (SCALAR_BYTES_PER_PARAM_POSITION * config.block_size + SCALAR_BYTES_PER_PARAM)


def check_model_size(config, vocab_size, engine):
    """Refuse, before a single weight is drawn, a model too big to train here."""
    need = step_memory(config, vocab_size, engine)
    if need <= MAX_STEP_MEMORY:
        return
    hint = "use a smaller n_embd, n_layer or block_size"
    if engine == 'scalar' and step_memory(config, vocab_size, 'numpy') <= MAX_STEP_MEMORY:
        hint += f", or the numpy engine (about {gigabytes(step_memory(config, vocab_size, 'numpy'))})"
    raise ConfigError(f"this model has {num_params(config, vocab_size):,} parameters, about {gigabytes(need)} "
                      f"for one training step with the {engine} engine; the limit is {gigabytes(MAX_STEP_MEMORY)} "
                      f"(microgpt.pipeline.MAX_STEP_MEMORY): {hint}.")


def gigabytes(n):
    gb = n / 2**30
    return f"{gb:,.0f} GB" if gb >= 10 else f"{gb:.2g} GB"


def check_data_path(path):
    """A file name, nothing else: open(0) would read standard input."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"data_path must be a str or os.PathLike (the name of a text file), "
                        f"got {path!r} ({type(path).__name__}); pass e.g. 'names.txt', or omit it "
                        "to use the built-in names.")


CONTROL_NAMES = {'\0': 'NULL', '\a': 'BELL', '\b': 'BACKSPACE', '\t': 'CHARACTER TABULATION',
                 '\v': 'LINE TABULATION', '\f': 'FORM FEED', '\x1b': 'ESCAPE', '\x7f': 'DELETE'}


def is_invisible(ch):
    """Control, format, unassigned and private characters (Unicode category C*) and the
    line and paragraph separators: inside a name they are almost always an accident."""
    category = unicodedata.category(ch)
    return category[0] == 'C' or category in ('Zl', 'Zp')


def char_name(ch):
    """'U+0000 (NULL)': a character named so that a person can find it."""
    name = unicodedata.name(ch, '') or CONTROL_NAMES.get(ch, 'a control character')
    return f"U+{ord(ch):04X} ({name})"


def printable(text):
    """text with every non-printable character escaped as Python writes it ('\\x00',
    '\\u2028'); printable text comes back unchanged. For display only."""
    return ''.join(ch if ch.isprintable() else ch.encode('unicode_escape').decode('ascii') for ch in text)


def warn_invisible_characters(path, docs):
    """Warn (DataWarning) about invisible characters inside the documents, naming each and
    the first line of the file it is on. They stay in the data: the tokens are what the file says."""
    if all(doc.isprintable() for doc in docs):  # fast (in C), and true of almost every file
        return
    found = sorted(ch for ch in set().union(*docs) if is_invisible(ch))
    if not found:
        return
    first_line = {}
    with open(path, encoding='utf-8-sig') as f:  # as load_docs reads it
        for number, line in enumerate(f, 1):
            for ch in found:
                if ch in line:
                    first_line.setdefault(ch, number)
            if len(first_line) == len(found):
                break
    where = ', '.join(f"{char_name(ch)} on line {first_line[ch]}" for ch in found)
    warnings.warn(f"data file {path!r} contains invisible characters: {where}. Each becomes a token "
                  "like any other (samples show it escaped, e.g. \\x00); remove them from the file "
                  "if they are not meant to be part of the documents.", DataWarning, stacklevel=4)


class Run:
    """prepare() makes one; train() and sample() continue it."""

    def __init__(self, config=None, data_path=NAMES_PATH, engine='scalar'):
        if config is not None and not isinstance(config, Config):
            raise ConfigError(f"config must be a Config or a preset name ({' or '.join(map(repr, sorted(PRESETS)))}), "
                              f"got {config!r} ({type(config).__name__}); for a dict of fields use "
                              "microgpt.Config.from_dict(d).")
        self.config = config if config is not None else Config()
        self.engine = engine
        if engine == 'scalar':
            self._GPT, self._training_steps, self._sample = model.GPT, train.training_steps, sample.sample
        elif engine == 'list':  # standard library only, like the scalar engine
            self._GPT, self._training_steps, self._sample = (list_engine.GPT, list_engine.training_steps,
                                                             list_engine.sample)
        elif engine == 'numpy':
            from . import numpy_engine  # needs NumPy: imported only when asked for
            self._GPT, self._training_steps, self._sample = (numpy_engine.GPT, numpy_engine.training_steps,
                                                             numpy_engine.sample)
        else:
            raise ConfigError(f"unknown engine {engine!r}; choose 'scalar', 'list' or 'numpy'.")
        check_data_path(data_path)
        docs = load_docs(data_path)
        warn_invisible_characters(data_path, docs)
        self.rng = random.Random(self.config.seed)                # one stream drives everything:
        self.docs = shuffled(docs, self.rng)                      # 1. shuffle the documents
        self.tokenizer = Tokenizer(self.docs)
        check_model_size(self.config, self.tokenizer.vocab_size, engine)
        self.model = self._GPT(self.config, self.tokenizer.vocab_size, self.rng)  # 2. initial weights
        self.losses = []                                           # one per training step taken

    def use_weights(self, model, tokenizer, source='the checkpoint'):
        """Continue with a trained model's weights (e.g. from load_checkpoint) instead of the
        initial ones. The random stream is where the initial weights left it, so sampling
        now draws what the run that trained model drew after training."""
        if tokenizer.uchars != self.tokenizer.uchars:
            raise CheckpointError(f"{source} was trained on the characters {''.join(tokenizer.uchars)!r}, "
                                  f"but this data has {''.join(self.tokenizer.uchars)!r}; use the data it was "
                                  "trained on.")
        self.model = self._GPT.from_weights(self.config, model.weights())

    def training_steps(self, num_steps=None):
        """Train, yielding a StepInfo per step (see microgpt.train.training_steps)."""
        for info in self._training_steps(self.model, self.tokenizer, self.docs, num_steps):
            self.losses.append(info.loss)
            yield info

    def train(self, num_steps=None, callback=None):
        """Train for num_steps (default: the config's); callback(info) after each step."""
        for info in self.training_steps(num_steps):
            if callback is not None:
                callback(info)
        return self.losses

    def sample(self, num_samples=None, temperature=None):
        """3. Sample names from the same random stream."""
        n = self.config.num_samples if num_samples is None else num_samples
        t = self.config.temperature if temperature is None else temperature
        return [self._sample(self.model, self.tokenizer, self.rng, t) for _ in range(n)]

    def __repr__(self):
        return (f"Run(engine={self.engine!r}, docs={len(self.docs)}, steps_trained={len(self.losses)}, "
                f"model={self.model!r})")


def prepare(config=None, data_path=NAMES_PATH, engine='scalar'):
    """Start a run exactly as the reference program does. config: a Config or a preset name."""
    if isinstance(config, str):
        config = get_config(config)
    return Run(config, data_path, engine)
