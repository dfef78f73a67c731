"""
microgpt: the most atomic way to train and run a GPT, in pure, dependency-free Python,
split into one small module per idea:

    data        documents and the character tokenizer
    autograd    Value, a scalar that knows how to backpropagate
    config      the presets ('book', 'karpathy') and their checks
    model       parameters, linear / softmax / rmsnorm, gpt()
    train       the loss, Adam, the training loop
    sample      temperature sampling
    checkpoint  JSON save / load
    pipeline    prepare(): a whole run in the reference order (used by the CLI and chapters)
    numpy_engine  the same model on NumPy arrays (needs numpy)
    viz         plots and widgets for the book (needs matplotlib, ipywidgets)
"""

from .autograd import Value
from .checkpoint import load_checkpoint, save_checkpoint
from .config import PRESETS, Config, get_config, num_params
from .data import NAMES_PATH, Tokenizer, load_docs, shuffled
from .errors import (CheckpointError, ConfigError, ContextError, DataError, MicroGPTError,
                     TokenizerError, TrainingError)
from .model import GPT, Trace, linear, param_shapes, rmsnorm, softmax
from .pipeline import Run, engine_module, prepare
from .sample import sample, sample_many
from .train import Adam, StepInfo, doc_loss, train, training_steps

__all__ = ['Value', 'load_checkpoint', 'save_checkpoint', 'PRESETS', 'Config', 'get_config', 'num_params',
           'NAMES_PATH', 'Tokenizer', 'load_docs', 'shuffled', 'CheckpointError', 'ConfigError',
           'ContextError', 'DataError', 'MicroGPTError', 'TokenizerError', 'TrainingError', 'GPT', 'Trace',
           'linear', 'param_shapes', 'rmsnorm', 'softmax', 'sample', 'sample_many', 'Adam', 'StepInfo',
           'doc_loss', 'train', 'training_steps', 'Run', 'prepare', 'engine_module']
