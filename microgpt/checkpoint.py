"""
Checkpoints: a trained model saved as JSON (never pickle: a JSON file cannot run code
when loaded, and a person can read it). It holds the config, the vocabulary, every
weight (Python writes floats so that they read back bit for bit) and the step reached.

Saving never destroys the previous file: the checkpoint is checked and serialized first,
written to a temporary file in the same folder, flushed to disk, and only then renamed
over the old one (a rename within one folder is atomic).
"""

import json
import math
import os
import tempfile

from .config import Config
from .contract import check_weights
from .data import Tokenizer
from .errors import CheckpointError, ConfigError
from .model import GPT

FORMAT = 'microgpt-checkpoint'
VERSION = 1


def check_save_path(path):
    """Fail now, not after training, if path cannot be written: a folder, or in a folder
    that does not exist or is not writable."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: it is a folder. "
                              "Give a file name, e.g. model.json.")
    if not os.path.isdir(folder):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: the folder {folder!r} does not exist. "
                              "Create it first, or choose another path.")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: no permission to write there. "
                              "Choose a path in a folder you can write to.")
    return path


def _file_mode(path):
    """The permissions of the file being replaced, or those a new file would get."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_checkpoint(path, model, tokenizer, step, losses=None, extra=None):
    """Write model (either engine), its tokenizer and the training step reached to path,
    atomically: if anything fails, a file already at path is left exactly as it was."""
    path = check_save_path(path)
    weights = model.weights()
    for name, rows in weights.items():
        if not all(math.isfinite(x) for row in rows for x in row):
            raise CheckpointError(f"refusing to save to {path!r}: weight matrix {name} holds NaN or infinite "
                                  "values (training diverged); lower the learning rate and train again.")
    ckpt = {'format': FORMAT, 'version': VERSION, 'config': model.config.to_dict(),
            'uchars': ''.join(tokenizer.uchars), 'step': step,
            'weights': weights, 'losses': list(losses) if losses is not None else None,
            'extra': extra or {}}
    try:
        text = json.dumps(ckpt, allow_nan=False)  # everything is checked before the file is touched
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"cannot save to {path!r}: the checkpoint holds a value JSON cannot store ({e}); "
                              "pass only numbers, strings, lists and dicts in extra and losses.") from None
    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{name}.', suffix='.tmp')
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; keep the usual permissions
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())  # on disk before it replaces the old file
        os.replace(tmp, path)
    except BaseException as e:  # also Ctrl-C: never leave the temporary file behind
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise CheckpointError(f"cannot save the checkpoint to {path!r}: {e.strerror}.") from None
        raise


def load_checkpoint(path, config=None):
    """Read a checkpoint. Returns (model, tokenizer, ckpt) where model is a scalar GPT and
    ckpt is the whole dict (step, losses, extra, ...). If config is given, the checkpoint
    must have been made with the same model shape."""
    try:
        with open(path, encoding='utf-8') as f:
            ckpt = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path!r}. Check the path, "
                              "or save one first with save_checkpoint() or --save.") from None
    except IsADirectoryError:
        raise CheckpointError(f"cannot load the checkpoint {path!r}: it is a folder. "
                              "Give the path of the .json file inside it.") from None
    except OSError as e:  # e.g. PermissionError
        raise CheckpointError(f"cannot read the checkpoint {path!r}: {e.strerror}. "
                              "Check the file's permissions.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"checkpoint {path!r} is corrupt (not valid JSON: {e}); "
                              "it may be truncated. Save it again.") from None
    if not isinstance(ckpt, dict) or ckpt.get('format') != FORMAT:
        raise CheckpointError(f"{path!r} is not a microgpt checkpoint (no 'format': '{FORMAT}').")
    if ckpt.get('version') != VERSION:
        raise CheckpointError(f"checkpoint {path!r} has version {ckpt.get('version')!r}; "
                              f"this microgpt reads version {VERSION}.")
    try:
        saved = Config.from_dict(ckpt['config'])
        tokenizer = Tokenizer([ckpt['uchars']])
        weights = ckpt['weights']
        if not isinstance(ckpt['step'], int):
            raise TypeError(f"step is {ckpt['step']!r}, not an integer")
    except (KeyError, TypeError, ConfigError) as e:
        raise CheckpointError(f"checkpoint {path!r} is corrupt: bad or missing field ({e}).") from None
    if config is not None:
        shape = ('n_embd', 'n_head', 'n_layer', 'block_size', 'activation')
        diff = {k: (getattr(saved, k), getattr(config, k)) for k in shape if getattr(saved, k) != getattr(config, k)}
        if diff:
            raise CheckpointError(f"checkpoint {path!r} does not match the config: "
                                  + ', '.join(f"{k} is {a} in the checkpoint but {b} in the config"
                                              for k, (a, b) in diff.items())
                                  + ". Load it without a config, or use the config it was saved with.")
    _check_weights(path, weights, saved, tokenizer.vocab_size)
    return GPT.from_weights(saved, weights), tokenizer, ckpt


def _check_weights(path, weights, config, vocab_size):
    """Every matrix present, with the right shape, holding finite numbers."""
    if not isinstance(weights, dict):
        raise CheckpointError(f"checkpoint {path!r} is corrupt: 'weights' is a {type(weights).__name__}, "
                              "not a dict of matrices.")
    try:
        check_weights(config, vocab_size, weights)
    except ConfigError as e:
        raise CheckpointError(f"checkpoint {path!r} is corrupt: {e}") from None
    for name, w in weights.items():
        if not all(isinstance(x, (int, float)) and math.isfinite(x) for r in w for x in r):
            raise CheckpointError(f"checkpoint {path!r} is corrupt: {name} holds a value "
                                  "that is not a finite number.")
