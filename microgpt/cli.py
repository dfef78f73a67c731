"""
`python -m microgpt`: train on a dataset, then sample from the model, printing exactly
what the reference microgpt prints. Flags override the preset.
"""

import argparse
import contextlib
import signal
import sys
import threading

from .checkpoint import check_save_path, save_checkpoint
from .config import PRESETS, get_config, num_params
from .data import NAMES_PATH
from .errors import MicroGPTError
from .pipeline import prepare


@contextlib.contextmanager
def ctrl_c_finishes_step(enabled):
    """While training with --save, Ctrl-C does not stop a step half way (Adam half
    applied): it is noted in the yielded list, and the loop stops after the step."""
    interrupted = []
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def run(config, data_path=NAMES_PATH, engine='scalar', out=print, save=None):
    """The whole program: data, tokenizer, model, training, sampling. Returns the Run."""
    if save:
        check_save_path(save)  # now, not after the whole training run
    run = prepare(config, data_path, engine)
    out(f"num docs: {len(run.docs)}")
    out(f"vocab size: {run.tokenizer.vocab_size}")
    out(f"num params: {num_params(config, run.tokenizer.vocab_size)}")
    with ctrl_c_finishes_step(enabled=bool(save)) as interrupted:
        for info in run.training_steps(config.num_steps):
            out(str(info))
            if interrupted:
                break
    if save:
        save_checkpoint(save, run.model, run.tokenizer, step=len(run.losses), losses=run.losses)
    if interrupted:  # keep what was learned: the weights after the last completed step
        raise KeyboardInterrupt(f"saved step {len(run.losses)} to {save}")
    out("\n--- inference (new, hallucinated names) ---")
    for i, name in enumerate(run.sample()):
        out(f"sample {i+1:2d}: {name}")
    return run


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog='python -m microgpt', description=__doc__.strip().split('\n')[0])
    p.add_argument('--preset', choices=sorted(PRESETS), default='book', help="model preset (default: book)")
    p.add_argument('--data', default=NAMES_PATH, help="text file, one document per line (default: built-in names)")
    p.add_argument('--steps', type=int, dest='num_steps', help="training steps (default 1000)")
    p.add_argument('--seed', type=int, help="random seed (default 42)")
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
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        overrides = {k: v for k, v in vars(args).items() if k not in ('preset', 'data', 'engine', 'save')}
        config = get_config(args.preset, **overrides)
        run(config, args.data, args.engine, save=args.save)
    except MicroGPTError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print(f"interrupted: {e}" if str(e) else "interrupted", file=sys.stderr)
        return 130
    return 0
