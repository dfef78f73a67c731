"""
microgpt: the most atomic way to train and run a GPT, in pure, dependency-free Python,
split into one small module per idea:

    data          documents and the character tokenizer
    autograd      Value, a scalar that knows how to backpropagate
    config        the presets ('book', 'karpathy') and their checks
    contract      what every engine shares: weight shapes, input and loss checks, Trace, StepInfo
    model         the scalar engine's model: linear / softmax / rmsnorm, GPT and its gpt()
    train         the scalar engine's training: the loss, Adam, the training loop
    sample        the scalar engine's temperature sampling
    list_engine   the same GPT, training_steps and sample on plain lists of floats, standard
                  library only (runs in the browser), bit for bit the scalar engine's numbers
    numpy_engine  the same GPT, training_steps and sample on NumPy arrays (needs numpy)
    checkpoint    JSON save / load
    pipeline      prepare(): a whole run in the reference order (used by the CLI and chapters)
    cli           `python -m microgpt`
    tables        aligned plain-text tables (the book's and the benchmark's; no matplotlib)
    lines         the package's own source line by line: algorithm, checks, trace; chapter 7's anchors
    edition       writes book/microgpt_single.py, the algorithm lines as one runnable file
    viz           plots and widgets for the book (needs matplotlib, ipywidgets)

The names below are shortcuts; none of them hides a submodule (microgpt.train and
microgpt.sample are the modules, with train.train and sample.sample inside).
"""

from .autograd import Value
from .checkpoint import load_checkpoint, save_checkpoint
from .config import PRESETS, Config, get_config, num_params
from .contract import StepInfo, Trace, param_shapes, run_sequence
from .data import NAMES_PATH, Tokenizer, load_docs, shuffled
from .errors import CheckpointError, ConfigError, ContextError, DataError, MicroGPTError, TokenizerError, TrainingError
from .model import GPT, linear, rmsnorm, softmax
from .pipeline import Run, prepare
from .sample import sample_many
from .train import Adam, doc_loss, training_steps

__all__ = ['Value', 'load_checkpoint', 'save_checkpoint', 'PRESETS', 'Config', 'get_config', 'num_params',
           'StepInfo', 'Trace', 'param_shapes', 'run_sequence', 'NAMES_PATH', 'Tokenizer', 'load_docs',
           'shuffled', 'CheckpointError', 'ConfigError', 'ContextError', 'DataError', 'MicroGPTError',
           'TokenizerError', 'TrainingError', 'GPT', 'linear', 'rmsnorm', 'softmax', 'Run', 'prepare',
           'sample_many', 'Adam', 'doc_loss', 'training_steps']
