"""Figures and helpers for chapter 5 (Training): tables, the learning-rate schedule,
a loss plot that redraws while the model trains, the final loss figure, and
measurements of where a training step spends its time."""

import math
import time
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np

from ..autograd import graph_building
from ..model import GPT
from ..train import Adam, doc_loss
from .common import RED, ma_label, smoothed

RAW = '#9ecae1'       # light blue: the loss of each step
AVERAGE = '#08519c'   # dark blue: its moving average


# ----------------------------------------------------------------------------- tables

def print_error(e, width=78, replace=None):
    """Print an exception as 'ErrorName: message', wrapped to width characters.
    replace: {old: new} substitutions (e.g. a temporary path) applied to the message."""
    import textwrap
    msg = str(e)
    for old, new in (replace or {}).items():
        msg = msg.replace(old, new)
    print(textwrap.fill(f'{type(e).__name__}: {msg}', width, break_long_words=False,
                        break_on_hyphens=False, subsequent_indent='    '))


GOLDEN_BOOK = 'golden_book_ssa2017.txt'  # package data: the reference program's output on names.txt


def golden(path=None):
    """The loss lines ('step ...') and the sample names of a reference output file; by default
    the reference output for the book preset that ships inside the package (so a chapter finds
    it wherever the package is installed, e.g. on Colab)."""
    if path is None:
        text = resources.files('microgpt').joinpath(GOLDEN_BOOK).read_text(encoding='utf-8')
    else:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    lines = text.splitlines()
    steps = [line for line in lines if line.startswith('step ')]
    samples = [line.split(': ', 1)[1] for line in lines if line.startswith('sample ')]
    return steps, samples


# ----------------------------------------------------------------------------- figures

def plot_position_losses(rows, vocab_size):
    """Bars: -log p(target) at each position of one document, with the uniform guess."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    labels = [f"{inp} \u2192 {tgt}" for _, inp, tgt, _, _ in rows]
    nll = [r[-1] for r in rows]
    ax.bar(range(len(rows)), nll, color=RAW, edgecolor=AVERAGE)
    ax.axhline(sum(nll) / len(nll), color=AVERAGE, lw=4, alpha=0.45,
               label=f'mean = the loss = {sum(nll) / len(nll):.3f}')
    ax.axhline(math.log(vocab_size), color=RED, ls='--', lw=1.5, zorder=3,
               label=f'uniform guess: ln {vocab_size} = {math.log(vocab_size):.3f}')
    ax.set_xticks(range(len(rows)), labels)
    ax.set_xlabel('position: input token \u2192 target token')
    ax.set_ylabel('\u2212log p(target)')
    ax.set_ylim(0, max(nll) * 1.35)
    ax.set_title('The loss of one name, position by position (untrained model)')
    ax.legend(loc='upper right', frameon=False, fontsize=9, ncols=2)
    fig.tight_layout()
    return fig


def plot_lr_schedule(config, zoom=300):
    """Left: the linearly decaying learning rate. Right: Adam's bias-correction factors
    1 / (1 - beta^t), which undo the zero start of m and v during the first steps."""
    t = np.arange(1, config.num_steps + 1)          # 1-based step, as Adam uses it
    lr = config.learning_rate * (1 - (t - 1) / config.num_steps)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    a1.plot(t, lr, color=AVERAGE, lw=2)
    a1.set_xlabel('training step')
    a1.set_ylabel('learning rate $\\mathrm{lr}_t$')
    a1.set_title(f'Linear decay: {config.learning_rate:g} at step 1 \u2192 {lr[-1]:.0e} at step {config.num_steps}')
    a1.set_ylim(0, config.learning_rate * 1.08)
    tz = t[:zoom]
    for beta, name, color in ((config.beta1, 'm', '#ff7f0e'), (config.beta2, 'v', '#2ca02c')):
        a2.plot(tz, 1 / (1 - beta ** tz), color=color, lw=2,
                label=f'$1/(1-\\beta^t)$ for {name}, $\\beta$ = {beta:g}')
    a2.set_yscale('log')
    a2.axhline(1, color='gray', lw=0.8, ls=':')
    a2.set_xlabel('training step $t$')
    a2.set_ylabel('correction factor (log scale)')
    a2.set_title(f'Bias correction (first {zoom} steps)')
    a2.legend(frameon=False)
    fig.tight_layout()
    return fig


class LiveLossPlot:
    """A loss plot that redraws itself while training runs: call update(info) after
    every step; it redraws only every `every` steps (drawing costs ~0.1 s)."""

    def __init__(self, num_steps, every=25, window=50, vocab_size=27):
        from IPython.display import display
        self.every, self.window, self.losses = every, window, []
        self.fig, self.ax = plt.subplots(figsize=(8, 3.4))
        ax = self.ax
        (self.raw,) = ax.plot([], [], color=RAW, lw=0.8, label='loss of each step')
        (self.avg,) = ax.plot([], [], color=AVERAGE, lw=2, label=ma_label(window))
        ax.axhline(math.log(vocab_size), color=RED, ls='--', lw=1, label=f'ln {vocab_size}')
        ax.set_xlim(0, num_steps)
        ax.set_ylim(1.0, 4.5)
        ax.set_xlabel('training step')
        ax.set_ylabel('loss')
        ax.legend(loc='lower left', frameon=False, fontsize=9, ncols=3)
        self.title = ax.set_title('Training live: step 0')
        self.fig.tight_layout()
        self.handle = display(self.fig, display_id=True)
        plt.close(self.fig)  # shown through the handle only, not again at the end of the cell

    def update(self, info):
        self.losses.append(info.loss)
        if info.step % self.every == 0 or info.step == info.num_steps:
            steps = np.arange(1, len(self.losses) + 1)
            self.raw.set_data(steps, self.losses)
            if len(self.losses) >= self.window:
                self.avg.set_data(*smoothed(self.losses, self.window))
            self.title.set_text(f'Training live: step {info.step} / {info.num_steps}, '
                                f'loss {info.loss:.4f}')
            self.handle.update(self.fig)


def plot_losses(losses, window=50, vocab_size=27, compare=100):
    """The finished run. Left: every step's loss, its moving average and the uniform
    guess. Right: the losses of the first and of the last `compare` steps as histograms."""
    losses = np.asarray(losses, dtype=float)
    steps = np.arange(1, len(losses) + 1)
    avg_steps, avg = smoothed(losses, window)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={'width_ratios': [1.9, 1]})
    a1.plot(steps, losses, color=RAW, lw=0.8, label='loss of each step (one name)')
    a1.plot(avg_steps, avg, color=AVERAGE, lw=2.2, label=ma_label(window))
    base = math.log(vocab_size)
    a1.axhline(base, color=RED, ls='--', lw=1.2, label=f'uniform guess: ln {vocab_size} = {base:.3f}')
    a1.annotate(f'{avg[-1]:.3f}', (avg_steps[-1], avg[-1]), xytext=(8, 0), textcoords='offset points',
                va='center', color=AVERAGE, fontweight='bold')
    a1.set_xlim(0, len(losses) * 1.06)
    a1.set_xlabel('training step')
    a1.set_ylabel('loss (mean \u2212log p per prediction)')
    a1.set_title(f'{len(losses)} steps of training, one name per step')
    a1.legend(loc='upper right', frameon=False, fontsize=9)
    bins = np.linspace(min(losses.min(), 1.0), max(losses.max(), 4.5), 36)
    first, last = losses[:compare], losses[-compare:]
    a2.hist(first, bins=bins, color='#fdae6b', alpha=0.85, label=f'steps 1\u2013{compare}: mean {first.mean():.3f}')
    a2.hist(last, bins=bins, color=AVERAGE, alpha=0.65,
            label=f'steps {len(losses) - compare + 1}\u2013{len(losses)}: mean {last.mean():.3f}')
    a2.axvline(base, color=RED, ls='--', lw=1.2)
    a2.set_xlabel('loss of one step')
    a2.set_ylabel('number of steps')
    a2.set_title('Before and after: the spread of losses')
    a2.legend(frameon=False, fontsize=9, loc='upper left')
    a2.set_ylim(0, a2.get_ylim()[1] * 1.3)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- where the time goes

def time_step_parts(model, tokenizer, docs, num_steps=5):
    """Seconds per step spent in the forward pass (building the graph), the backward pass
    and the Adam update, averaged over num_steps training steps, timed the way
    training_steps runs them (cycle collector paused while the graph lives), on a copy of
    model (the model itself is left as it is)."""
    c = model.config
    model = GPT.from_weights(c, model.weights())  # a copy, to train
    adam = Adam(model.params, c.learning_rate, c.beta1, c.beta2, c.eps)
    parts = {'forward': 0.0, 'backward': 0.0, 'freeing the graph': 0.0, 'Adam update': 0.0}
    for step in range(num_steps):
        tokens = tokenizer.frame(docs[step % len(docs)])
        with graph_building():
            t0 = time.perf_counter()
            loss = doc_loss(model, tokens)      # builds the graph
            t1 = time.perf_counter()
            loss.backward()                     # walks it backwards
            t2 = time.perf_counter()
            del loss                            # the last reference: every node is freed
            t3 = time.perf_counter()
        adam.step(step, c.num_steps)
        t4 = time.perf_counter()
        for name, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            parts[name] += dt
    return {k: v / num_steps for k, v in parts.items()}


def plot_time_parts(parts):
    """A horizontal bar per part of a training step, in milliseconds."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    names = list(parts)[::-1]
    ms = [1000 * parts[k] for k in names]
    total = sum(ms)
    ax.barh(names, ms, color=['#74c476', '#bdbdbd', AVERAGE, RAW][-len(names):])
    for i, v in enumerate(ms):
        ax.text(v, i, f'  {v:.0f} ms ({100 * v / total:.0f}%)', va='center', fontsize=10)
    ax.set_xlim(0, max(ms) * 1.45)
    ax.set_xlabel('milliseconds per training step')
    ax.set_title(f'One scalar training step: {total:.0f} ms')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- SGD against Adam

def train_sgd(learning_rate, num_steps=1000, preset='book'):
    """Train microgpt with plain gradient descent, p -= lr_t * g, on the NumPy
    engine: the same names, initial weights and learning-rate decay as the Adam
    run. Returns the loss of every step (fewer, if the loss blew up)."""
    from ..pipeline import prepare
    r = prepare(preset, engine='numpy')               # same shuffle, same weights
    B = r.config.block_size
    losses = []
    for step in range(num_steps):
        tokens = r.tokenizer.frame(r.docs[step][:B])  # as training_steps does
        with np.errstate(all='ignore'):               # overflow: checked below
            loss, grads = r.model.loss_and_grads(tokens)  # forward + backward
        if not math.isfinite(loss):                   # the loss blew up: diverged
            break
        lr_t = learning_rate * (1 - step / num_steps)  # the same linear decay
        for name, w in r.model.state_dict.items():
            w -= lr_t * grads[name]                   # the whole update rule
        losses.append(loss)
    return losses


OPTIMIZER_COLORS = ('#08519c', '#fd8d3c', '#d94801', '#7f2704')  # Adam, then SGD runs


def plot_optimizers(curves, window=50, vocab_size=27):
    """Several training runs on the same names (curves: {label: losses}; the first, the
    reference, drawn thick). Top: each run's moving-average loss; a run that stopped early
    (it diverged) is marked with a cross at its last step. Bottom: each complete run minus
    the first, so that what they share (the same names, in the same order) cancels out."""
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5.8), sharex=True, gridspec_kw={'height_ratios': [1.6, 1]})
    longest = max(len(losses) for losses in curves.values())
    (ref_label, ref), = list(curves.items())[:1]
    ref_steps, ref_avg = smoothed(ref, window)
    for i, (label, losses) in enumerate(curves.items()):
        color = OPTIMIZER_COLORS[i % len(OPTIMIZER_COLORS)]
        if len(losses) >= window:
            steps, avg = smoothed(losses, window)
            a1.plot(steps, avg, color=color, lw=2.6 if i == 0 else 1.8, label=f'{label}: ends at {avg[-1]:.3f}')
            if i > 0 and len(losses) == len(ref):
                a2.plot(steps, avg - ref_avg, color=color, lw=1.8, label=f'{label} minus {ref_label}')
        if len(losses) < longest:  # it stopped: where, and at what loss
            shown = min(float(losses[-1]), 4.4)
            a1.plot([len(losses)], [shown], 'x', color=color, ms=10, mew=2.5,
                    label=f'{label}: diverged at step {len(losses) + 1}')
    base = math.log(vocab_size)
    a1.axhline(base, color=RED, ls='--', lw=1.2, label=f'uniform guess: ln {vocab_size}')
    a1.set_xlim(0, longest)
    a1.set_ylim(2.2, 4.5)
    a1.set_ylabel(f'loss, {ma_label(window)}')
    a1.set_title(f'Plain gradient descent against Adam: the same {longest} names, the same start')
    a1.legend(frameon=False, fontsize=9, loc='upper right')
    a2.axhline(0, color=OPTIMIZER_COLORS[0], lw=2.6)
    a2.set_xlabel('training step')
    a2.set_ylabel('difference')
    a2.set_title(f'Above the line: behind {ref_label}', fontsize=11)
    a2.legend(frameon=False, fontsize=9, loc='upper right')
    fig.tight_layout()
    return fig
