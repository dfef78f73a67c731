"""
Checkpoints: a trained model saved as JSON (never pickle: a JSON file cannot run code
when loaded, and a person can read it). It holds the config, the vocabulary, every
weight (Python writes floats so that they read back bit for bit) and the step reached.
"""

import json
import math

from .config import Config
from .data import Tokenizer
from .errors import CheckpointError, ConfigError
from .model import GPT, param_shapes

FORMAT = 'microgpt-checkpoint'
VERSION = 1


def save_checkpoint(path, model, tokenizer, step, losses=None, extra=None):
    """Write model (either engine), its tokenizer and the training step reached to path."""
    ckpt = {'format': FORMAT, 'version': VERSION, 'config': model.config.to_dict(),
            'uchars': ''.join(tokenizer.uchars), 'step': step,
            'weights': model.weights(), 'losses': list(losses) if losses is not None else None,
            'extra': extra or {}}
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(ckpt, f)


def load_checkpoint(path, config=None):
    """Read a checkpoint. Returns (model, tokenizer, ckpt) where model is a scalar GPT and
    ckpt is the whole dict (step, losses, extra, ...). If config is given, the checkpoint
    must have been made with the same model shape."""
    try:
        with open(path, encoding='utf-8') as f:
            ckpt = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path!r}.") from None
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
        step = ckpt['step']
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
    expected = param_shapes(config, vocab_size)
    if not isinstance(weights, dict) or set(weights) != set(expected):
        got = sorted(weights) if isinstance(weights, dict) else type(weights).__name__
        raise CheckpointError(f"checkpoint {path!r} is corrupt: weight matrices {got} "
                              f"do not match the model's {sorted(expected)}.")
    for name, (rows, cols) in expected.items():
        w = weights[name]
        if (not isinstance(w, list) or len(w) != rows
                or any(not isinstance(r, list) or len(r) != cols for r in w)):
            raise CheckpointError(f"checkpoint {path!r} is corrupt: {name} should be {rows} x {cols}.")
        if not all(isinstance(x, (int, float)) and math.isfinite(x) for r in w for x in r):
            raise CheckpointError(f"checkpoint {path!r} is corrupt: {name} holds a value "
                                  "that is not a finite number.")
