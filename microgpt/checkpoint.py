"""
Checkpoints: a trained model saved as JSON (never pickle: a JSON file cannot run code
when loaded, and a person can read it). It holds the config, the vocabulary, every
weight (Python writes floats so that they read back bit for bit) and the step reached.

Saving never destroys the previous file: the checkpoint is checked and serialized first,
written to a temporary file in the same folder, flushed to disk, and only then renamed
over the old one (a rename within one folder is atomic). A temporary file is named
.NAME.microgpt-PID-XXXXXXXX.tmp, so that one left by a killed process can be recognised
and removed by the next save. If the disk is full, the weights go to the system's
temporary folder instead, and the error says where.
"""

import contextlib
import json
import math
import os
import re
import stat
import tempfile

from .config import Config
from .contract import check_weights
from .data import Tokenizer
from .errors import CheckpointError, ConfigError
from .model import GPT

FORMAT = 'microgpt-checkpoint'
VERSION = 1


def check_save_path(path):
    """Fail now, not after training, if path cannot be written: a folder, in a folder that
    does not exist or is not writable, something other than a regular file (a symlink, a
    device, a FIFO: saving would replace it), or a folder where no file can be created."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    kind = _special_kind(path)
    if kind:
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: it is {kind}, not a regular file, and "
                              "saving would replace it. Give the path of a regular file or of a new one.")
    if os.path.isdir(path):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: it is a folder. "
                              "Give a file name, e.g. model.json.")
    if not os.path.isdir(folder):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: the folder {folder!r} does not exist. "
                              "Create it first, or choose another path.")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: no permission to write there. "
                              "Choose a path in a folder you can write to.")
    try:  # the proof: make (and remove) the temporary file a save will make
        fd, tmp = _temporary_file(path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise CheckpointError(f"cannot save the checkpoint to {path!r}: no file can be created in {folder!r} "
                              f"({e.strerror}). Choose a path on another disk or folder.") from None
    return path


def _special_kind(path):
    """'a symbolic link', 'a FIFO', ... if path exists and is not a regular file or folder."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there yet
        return None
    kinds = [(stat.S_ISLNK, 'a symbolic link'), (stat.S_ISCHR, 'a character device'),
             (stat.S_ISBLK, 'a block device'), (stat.S_ISFIFO, 'a FIFO (named pipe)'), (stat.S_ISSOCK, 'a socket')]
    return next((kind for is_kind, kind in kinds if is_kind(mode)), None)


def _temporary_file(path):
    """(fd, name) of a new private file beside path, named after this process."""
    folder, name = os.path.split(os.path.abspath(path))
    return tempfile.mkstemp(dir=folder, prefix=f'.{name}.microgpt-{os.getpid()}-', suffix='.tmp')


def _pid_alive(pid):
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except (ProcessLookupError, OverflowError):  # gone, or not a pid at all
        return False
    except PermissionError:  # someone else's process: alive
        pass
    return True


def remove_stale_temporary_files(path):
    """Delete the temporary files of saves to path whose process no longer exists (killed
    half way through a save). Those of running processes are left alone."""
    if os.name != 'posix':  # os.kill(pid, 0) would end the process on Windows
        return []
    folder, name = os.path.split(os.path.abspath(path))
    pattern = re.compile(rf'\.{re.escape(name)}\.microgpt-(\d+)-\w+\.tmp')
    removed = []
    for entry in os.listdir(folder):
        match = pattern.fullmatch(entry)
        if match and not _pid_alive(int(match.group(1))):
            with contextlib.suppress(OSError):  # another save may have removed it first
                os.unlink(os.path.join(folder, entry))
                removed.append(entry)
    return removed


def _file_mode(path):
    """The permissions of the file being replaced, or those a new file would get."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def checkpoint_text(model, tokenizer, step, losses=None, extra=None, where='the checkpoint'):
    """The checkpoint of model (either engine), its tokenizer and the training step reached,
    as the JSON text save_checkpoint writes (the HTML book's page offers the same text for
    download). where names the destination in an error message."""
    weights = model.weights()
    for name, rows in weights.items():
        if not all(math.isfinite(x) for row in rows for x in row):
            raise CheckpointError(f"refusing to save {where}: weight matrix {name} holds NaN or infinite "
                                  "values (training diverged); lower the learning rate and train again.")
    ckpt = {'format': FORMAT, 'version': VERSION, 'config': model.config.to_dict(),
            'uchars': ''.join(tokenizer.uchars), 'step': step,
            'weights': weights, 'losses': list(losses) if losses is not None else None,
            'extra': extra or {}}
    try:
        return json.dumps(ckpt, allow_nan=False)  # everything is checked before a file is touched
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"cannot save {where}: the checkpoint holds a value JSON cannot store ({e}); "
                              "pass only numbers, strings, lists and dicts in extra and losses.") from None


def save_checkpoint(path, model, tokenizer, step, losses=None, extra=None):
    """Write model (either engine), its tokenizer and the training step reached to path,
    atomically: if anything fails, a file already at path is left exactly as it was."""
    path = check_save_path(path)
    text = checkpoint_text(model, tokenizer, step, losses, extra, where=f"to {path!r}")
    try:
        _write_atomically(path, text)
    except OSError as e:
        rescued = _rescue(path, text)
        where = (f"the weights were saved to {rescued!r} instead: move that file where you want it"
                 if rescued else "the weights could not be saved anywhere: free some space, then save again")
        raise CheckpointError(f"cannot save the checkpoint to {path!r} ({e.strerror}); a file already there is "
                              f"unchanged, and {where}.") from None
    remove_stale_temporary_files(path)


def _write_atomically(path, text):
    """Write text to a temporary file beside path, flush it to disk, rename it over path."""
    fd, tmp = _temporary_file(path)
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; keep the usual permissions
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())  # on disk before it replaces the old file
        os.replace(tmp, path)
    except BaseException:  # also Ctrl-C: never leave the temporary file behind
        os.unlink(tmp)
        raise


def _rescue(path, text):
    """After a failed save: the same checkpoint in the system's temporary folder (often
    another disk). Returns its path, or None if that fails too."""
    rescue = os.path.join(tempfile.gettempdir(), f'microgpt-rescued-{os.getpid()}-{os.path.basename(path)}')
    if os.path.abspath(rescue) == os.path.abspath(path) or _special_kind(rescue):
        return None
    try:
        _write_atomically(rescue, text)
    except OSError:
        return None
    return rescue


def load_checkpoint(path, config=None):
    """Read a checkpoint. Returns (model, tokenizer, ckpt) where model is a scalar GPT and
    ckpt is the whole dict (step, losses, extra, ...). If config is given, the checkpoint
    must have been made with the same model shape."""
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path!r}. Check the path, "
                              "or save one first with save_checkpoint() or --save.") from None
    except IsADirectoryError:
        raise CheckpointError(f"cannot load the checkpoint {path!r}: it is a folder. "
                              "Give the path of the .json file inside it.") from None
    except OSError as e:  # e.g. PermissionError
        raise CheckpointError(f"cannot read the checkpoint {path!r}: {e.strerror}. "
                              "Check the file's permissions.") from None
    except UnicodeDecodeError as e:
        raise CheckpointError(f"checkpoint {path!r} is corrupt (not valid JSON: {e}); "
                              "it may be truncated. Save it again.") from None
    return read_checkpoint(text, path, config)


def read_checkpoint(text, path='the checkpoint', config=None):
    """load_checkpoint() of a checkpoint's JSON text (path: its name, for the messages)."""
    try:
        ckpt = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"checkpoint {path!r} is corrupt (not valid JSON: {e}); "
                              "it may be truncated. Save it again.") from None
    except (ValueError, RecursionError) as e:  # an integer of over 4,300 digits; lists nested too deep
        what = 'nested too deeply' if isinstance(e, RecursionError) else f'a number too long to read ({e})'
        raise CheckpointError(f"checkpoint {path!r} is corrupt: {what}. "
                              "A checkpoint saved by microgpt has neither; save it again.") from None
    if not isinstance(ckpt, dict) or ckpt.get('format') != FORMAT:
        raise CheckpointError(f"{path!r} is not a microgpt checkpoint (no 'format': '{FORMAT}').")
    if ckpt.get('version') != VERSION:
        raise CheckpointError(f"checkpoint {path!r} has version {ckpt.get('version')!r}; "
                              f"this microgpt reads version {VERSION}.")
    try:
        _check_fields(ckpt)
        saved = Config.from_dict(ckpt['config'])
        tokenizer = Tokenizer([ckpt['uchars']])
        weights = ckpt['weights']
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
        if not all(is_finite_number(x) for r in w for x in r):
            raise CheckpointError(f"checkpoint {path!r} is corrupt: {name} holds a value "
                                  "that is not a finite number.")


def is_finite_number(x):
    """An int or float (not a bool: JSON's true is no weight) that a float can hold."""
    if type(x) not in (int, float):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an integer beyond any float, e.g. 10**400
        return False


def _check_fields(ckpt):
    """The fields besides the config and the weights, strictly: bool is not a number here."""
    for key in ('config', 'uchars', 'step', 'weights'):
        if key not in ckpt:
            raise KeyError(key)
    if not isinstance(ckpt['config'], dict):
        raise TypeError(f"config is {type(ckpt['config']).__name__}, not a dict of fields")
    if not isinstance(ckpt['uchars'], str):
        raise TypeError(f"uchars is {ckpt['uchars']!r}, not a string of characters")
    step = ckpt['step']
    if type(step) is not int or step < 0:
        raise TypeError(f"step is {step!r}, not an integer >= 0")
    losses = ckpt.get('losses')
    if losses is not None and not (isinstance(losses, list) and all(is_finite_number(x) for x in losses)):
        raise TypeError(f"losses is {losses!r:.60}, not a list of finite numbers or null")
    if not isinstance(ckpt.get('extra', {}), dict):
        raise TypeError(f"extra is {ckpt['extra']!r:.60}, not a dict")
