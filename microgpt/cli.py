"""
`python -m microgpt`: train on a dataset, then sample from the model, printing exactly
what the reference microgpt prints. Flags override the preset.
"""

import argparse
import contextlib
import signal
import sys
import threading
import warnings

from .checkpoint import check_save_path, load_checkpoint, save_checkpoint
from .config import PRESETS, get_config, num_params
from .data import NAMES_PATH
from .errors import ConfigError, MicroGPTError
from .pipeline import prepare, printable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and what kill and service managers send


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; signum says which (the exit code is 128 + signum)."""

    def __init__(self, signum, message=''):
        super().__init__(message)
        self.signum = signum


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()  # only it can set signal handlers


@contextlib.contextmanager
def ctrl_c_finishes_step(enabled):
    """While training with --save, Ctrl-C or SIGTERM does not stop a step half way (Adam
    half applied): the signal is noted in the yielded list, and the loop stops after the step."""
    interrupted = []
    if not enabled or not _in_main_thread():
        yield interrupted
        return
    previous = {s: signal.signal(s, lambda signum, frame: interrupted.append(signum)) for s in STOP_SIGNALS}
    try:
        yield interrupted
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def sigterm_stops_like_ctrl_c():
    """SIGTERM raises Stopped, as Ctrl-C raises KeyboardInterrupt: the run ends with one line, not silently."""
    if not _in_main_thread():
        yield
        return

    def stop(signum, frame):
        raise Stopped(signum)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


INFERENCE = "\n--- inference (new, hallucinated names) ---"  # printed after training: two lines


def header_lines(run):
    """The three lines printed before training: the data, the vocabulary, the model's size."""
    return [f"num docs: {len(run.docs)}",
            f"vocab size: {run.tokenizer.vocab_size}",
            f"num params: {num_params(run.config, run.tokenizer.vocab_size)}"]


def sample_lines(names):
    """The lines that show sampled names; a control character shows as \\x00, not raw."""
    return [f"sample {i+1:2d}: {printable(name)}" for i, name in enumerate(names)]


def run(config, data_path=NAMES_PATH, engine='scalar', out=print, save=None, load=None, num_steps=None):
    """The whole program: data, tokenizer, model, training, sampling. Returns the Run.
    load: a checkpoint whose weights replace the initial ones (then train num_steps more,
    default none, and sample)."""
    if save:
        check_save_path(save)  # now, not after the whole training run
    run = prepare(config, data_path, engine)
    if load:
        run.use_weights(*load_checkpoint(load, config)[:2], source=load)
        num_steps = 0 if num_steps is None else num_steps
    num_steps = config.num_steps if num_steps is None else num_steps
    for line in header_lines(run):
        out(line)
    with ctrl_c_finishes_step(enabled=bool(save)) as interrupted:
        for info in run.training_steps(num_steps):
            out(str(info))
            if interrupted:
                break
    if save:
        save_checkpoint(save, run.model, run.tokenizer, step=len(run.losses), losses=run.losses)
    if interrupted:  # keep what was learned: the weights after the last completed step
        raise Stopped(interrupted[0], f"saved step {len(run.losses)} to {save}")
    out(INFERENCE)
    for line in sample_lines(run.sample()):
        out(line)
    return run


SHAPE_FLAGS = {'n_embd': '--n-embd', 'n_head': '--n-head', 'n_layer': '--n-layer',
               'block_size': '--block-size', 'activation': '--activation'}


def config_of_checkpoint(path, preset, overrides):
    """With --load, the checkpoint's configuration wins: flags may change how it trains
    and samples (steps, seed, lr, temperature, samples), not the model's shape."""
    saved = load_checkpoint(path)[0].config
    given = {**(PRESETS[preset].to_dict() if preset else {}), **{k: v for k, v in overrides.items() if v is not None}}
    clashes = [f"{flag} {given[k]} (it has {getattr(saved, k)})" for k, flag in SHAPE_FLAGS.items()
               if k in given and given[k] != getattr(saved, k)]
    if clashes:
        raise ConfigError(f"--load {path}: the checkpoint's model differs from "
                          f"{'--preset ' + preset + ' and ' if preset else ''}the flags: {', '.join(clashes)}; "
                          "the checkpoint's configuration wins, so drop those flags.")
    return saved.replace(**{k: v for k, v in overrides.items() if v is not None and k != 'num_steps'})


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog='python -m microgpt', description=__doc__.strip().split('\n')[0])
    p.add_argument('--preset', choices=sorted(PRESETS), help="model preset (default: book)")
    p.add_argument('--data', default=NAMES_PATH, help="text file, one document per line (default: built-in names)")
    p.add_argument('--steps', type=int, dest='num_steps', help="training steps (default 1000)")
    p.add_argument('--seed', type=int, help="random seed, an integer >= 0 (default 42)")
    p.add_argument('--temperature', type=float, help="sampling temperature > 0 (default 0.5)")
    p.add_argument('--samples', type=int, dest='num_samples', help="names to sample (default 20)")
    p.add_argument('--n-layer', type=int, help="transformer layers")
    p.add_argument('--n-embd', type=int, help="embedding width")
    p.add_argument('--n-head', type=int, help="attention heads (must divide n-embd)")
    p.add_argument('--block-size', type=int, help="context length")
    p.add_argument('--activation', choices=['relu', 'relu2'], help="MLP activation")
    p.add_argument('--lr', type=float, dest='learning_rate', help="Adam learning rate (default 0.01)")
    p.add_argument('--engine', choices=['scalar', 'list', 'numpy'], default='scalar',
                   help="scalar: the Value autograd; list: the same math on lists of floats, standard "
                        "library only, much faster; numpy: the same math on arrays (needs numpy)")
    p.add_argument('--save', metavar='PATH', help="write a JSON checkpoint after training")
    p.add_argument('--load', metavar='PATH', help="start from a checkpoint's weights and configuration; "
                   "trains only if --steps is given, then samples")
    return p.parse_args(argv)


# The flag of every Config field a command line can set (the others keep the preset's value).
FLAGS = {'num_steps': '--steps', 'seed': '--seed', 'learning_rate': '--lr', 'n_layer': '--n-layer',
         'n_embd': '--n-embd', 'n_head': '--n-head', 'block_size': '--block-size', 'activation': '--activation',
         'temperature': '--temperature', 'num_samples': '--samples'}


def command_args(config, data=None, engine='list', load=None, base=None):
    """The arguments of `python -m microgpt` that run config: a flag for every field that
    differs from base (default: the book preset; with load, the checkpoint's configuration,
    which --load starts from), in FLAGS's order. data: the data file's name (None: the
    built-in names). A field no flag can set must equal base's."""
    base = base if base is not None else PRESETS['book']
    args = ['--engine', engine] if engine != 'scalar' else []
    if data is not None:
        args += ['--data', data]
    if load is not None:
        args += ['--load', load]
    fixed = [k for k, v in config.to_dict().items() if k not in FLAGS and v != getattr(base, k)]
    if fixed:
        raise ConfigError(f"no command-line flag sets {', '.join(fixed)}; only {', '.join(sorted(FLAGS))} can differ "
                          "from the preset.")
    for field, flag in FLAGS.items():
        value = getattr(config, field)
        if value != getattr(base, field):
            args += [flag, repr(value) if isinstance(value, float) else str(value)]
    return args


def print_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr)  # one line, without Python's source excerpt


def main(argv=None):
    args = parse_args(argv)
    try:
        with warnings.catch_warnings(), sigterm_stops_like_ctrl_c():
            warnings.showwarning = print_warning
            overrides = {k: v for k, v in vars(args).items() if k not in ('preset', 'data', 'engine', 'save', 'load')}
            if args.load:
                config = config_of_checkpoint(args.load, args.preset, overrides)
            else:
                config = get_config(args.preset or 'book', **overrides)
            run(config, args.data, args.engine, save=args.save, load=args.load, num_steps=args.num_steps)
    except MicroGPTError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (Stopped)
        signum = getattr(e, 'signum', signal.SIGINT)
        word = 'terminated' if signum == signal.SIGTERM else 'interrupted'
        print(f"{word}: {e}" if str(e) else word, file=sys.stderr)
        return 128 + signum
    return 0
