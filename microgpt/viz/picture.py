"""Chapter 7 (The complete picture): the data-flow diagram, the table of what the package
includes and the chart of its line counts (both read from the package's own source by
microgpt.lines), small illustrations of what microgpt omits (biases, byte-pair encoding),
and the measurements of the efficiency boundary (the scalar, list and NumPy engines; 1 vs
2 vs 4 layers).

Every number about the model comes from the package itself (its engines, its source read
with inspect and ast); the few functions here that stand for things microgpt does *not*
have (the byte-pair merge loop; GeLU lives in viz/architecture.py) are marked as
illustrations.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np

from ..autograd import Value
from ..config import get_config
from ..data import Tokenizer
from ..lines import locate
from ..model import GPT, rmsnorm
from ..sample import sample as sample_name
from ..train import Adam, doc_loss
from .common import arrow, box, ma_label, smoothed

# ----------------------------------------------------------------------------- 7.1 the data flow

# The three lanes of the diagram and their colours (fill, edge).
LANES = {'model': ('#dbeafe', '#1d4ed8'), 'train': ('#ffedd5', '#c2410c'),
         'generate': ('#dcfce7', '#15803d'), 'data': ('#f3f4f6', '#374151')}

# Every stage: (key, title, detail, chapter, lane, x, y). Coordinates are in a 12 x 10 box.
STAGES = [
    ('text', 'text', 'names.txt, one per line', 1, 'data', 6.0, 9.3),
    ('tokens', 'tokens', "'emma' -> BOS e m m a BOS", 1, 'data', 6.0, 8.1),
    ('embeddings', 'embeddings', 'wte + wpe: what + where', 3, 'model', 6.0, 6.75),
    ('attention', 'attention', '4 heads, KV cache', 3, 'model', 6.0, 5.6),
    ('mlp', 'MLP', '16 -> 64 -> 16, ReLU²', 3, 'model', 6.0, 4.45),
    ('logits', 'logits', 'lm_head: 27 scores', 4, 'model', 6.0, 3.3),
    ('probs', 'probabilities', 'softmax: sum to 1', 4, 'data', 6.0, 1.95),
    ('loss', 'loss', '-log p(true next token)', 5, 'train', 1.6, 1.95),
    ('grads', 'gradients', 'backward(): chain rule', 2, 'train', 1.6, 4.45),
    ('update', 'updates', 'Adam, every parameter', 5, 'train', 1.6, 6.75),
    ('sample', 'sample', 'temperature 0.5', 6, 'generate', 10.4, 1.95),
    ('generate', 'generate', 'until BOS, or 8 letters', 6, 'generate', 10.4, 5.6),
]

# Which chapter (notebook) explains each stage: the chapter's list links to these.
CHAPTER_FILES = {1: '01_data.ipynb', 2: '02_autograd.ipynb', 3: '03_architecture.ipynb',
                 4: '04_gpt.ipynb', 5: '05_training.ipynb', 6: '06_inference.ipynb'}

BOX_W, BOX_H = 3.2, 0.95  # box size in data units


def _stage(ax, x, y, title, detail, chapter, lane, w=BOX_W, h=BOX_H):
    """One stage of the diagram: a box in its lane's colours, its title, detail and chapter."""
    fill, edge = LANES[lane]
    box(ax, (x, y), w, h, fill, edge, lw=1.6)
    ax.text(x - w / 2 + 0.13, y + 0.17, title, ha='left', va='center', fontsize=14, fontweight='bold',
            color='#111827', zorder=3)
    ax.text(x - w / 2 + 0.13, y - 0.21, detail, ha='left', va='center', fontsize=11.5, color='#1f2937', zorder=3)
    ax.text(x + w / 2 - 0.1, y + 0.17, f'Ch. {chapter}', ha='right', va='center', fontsize=12,
            fontweight='bold', color=edge, zorder=3)


def _note(ax, xy, text, color, ha='center'):
    """An italic label beside an arrow, in the arrow's colour."""
    ax.text(*xy, text, ha=ha, va='center', fontsize=12, color=color, style='italic')


def plot_data_flow():
    """The whole system on one page: the forward pass down the middle (shared by training and
    generation), the training loop on the left, generation on the right; each stage carries
    the number of the chapter that explained it."""
    fig, ax = plt.subplots(figsize=(10, 9.6))
    ax.set_xlim(-0.05, 12.05)
    ax.set_ylim(1.1, 9.85)
    ax.axis('off')
    pos = {key: (x, y) for key, _, _, _, _, x, y in STAGES}
    h, w = BOX_H / 2, BOX_W / 2
    xl, xc, xr = pos['loss'][0], pos['probs'][0], pos['sample'][0]
    # the model, gpt(): one shaded frame around the stages it computes, titled along its left edge
    box(ax, (xc - w - 0.45 + (BOX_W + 0.7) / 2, 2.7 + 4.6 / 2), BOX_W + 0.7, 4.6, '#eff6ff', '#93c5fd', lw=1.2,
        ls='--', rounding=0.2, zorder=0)
    ax.text(xc - w - 0.22, 5.0, 'gpt(token, pos): Ch. 4', ha='center', va='center', fontsize=12,
            color='#1d4ed8', fontweight='bold', rotation=90)
    for _key, title, detail, chapter, lane, x, y in STAGES:
        _stage(ax, x, y, title, detail, chapter, lane)
    # forward pass, straight down the middle
    order = ['text', 'tokens', 'embeddings', 'attention', 'mlp', 'logits', 'probs']
    for a, b in zip(order, order[1:]):
        arrow(ax, (xc, pos[a][1] - h), (xc, pos[b][1] + h))
    # training: probabilities -> loss -> gradients -> updates -> back into the model
    c_train = LANES['train'][1]
    y = pos['probs'][1]
    arrow(ax, (xc - w, y), (xl + w, y), color=c_train)
    _note(ax, ((xc - w + xl + w) / 2, y + 0.3), 'train', c_train)
    arrow(ax, (xl, pos['loss'][1] + h), (xl, pos['grads'][1] - h), color=c_train)
    arrow(ax, (xl, pos['grads'][1] + h), (xl, pos['update'][1] - h), color=c_train)
    arrow(ax, (xl + w, pos['update'][1]), (xc - w - 0.45, pos['update'][1] - 0.9), color=c_train, rad=-0.3)
    # the loop closes where the updated weights go back into the model for the next name
    _note(ax, (xl + 0.5, pos['update'][1] + h + 0.5), 'updated weights in:\nrepeat with the next name,\n1000 steps',
          c_train)
    # generation: probabilities -> sample -> generate -> the new token goes back in
    c_gen = LANES['generate'][1]
    arrow(ax, (xc + w, y), (xr - w, y), color=c_gen)
    _note(ax, ((xc + w + xr - w) / 2, y + 0.45), 'after\ntraining', c_gen)
    arrow(ax, (xr, pos['sample'][1] + h), (xr, pos['generate'][1] - h), color=c_gen)
    _note(ax, (xr + 0.15, 3.78), 'not BOS:\nnext position', c_gen, ha='left')
    arrow(ax, (xr, pos['generate'][1] + h), (xc + w, pos['tokens'][1]), color=c_gen, rad=0.3)
    _note(ax, (10.6, 7.75), 'feed the new\ntoken back in', c_gen)
    ax.set_title('The complete picture: from text to generated names', fontsize=16, pad=4)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=LANES[k][0], edgecolor=LANES[k][1]) for k in
               ('data', 'model', 'train', 'generate')]
    ax.legend(handles, ['data in and out', 'the model (forward pass)', 'training (loss, backward, Adam)',
                        'generation (sampling)'], loc='upper center', ncol=2, frameon=False, fontsize=12,
              bbox_to_anchor=(0.5, 0.035))
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- 7.2 what the code includes

# (component, the object it lives in, which of its lines, chapter that explains it). Which lines:
# None for the whole object, or an anchor, a comment in the object's source (microgpt.lines):
# ('section', title) from the comment line '# title' to the end of its paragraph;
# ('tag', tag) every line whose trailing comment is '# tag'.
COMPONENTS = [
    ('scalar autograd', Value, None, 2),
    ('character-level tokenization', Tokenizer, None, 1),
    ('token and position embeddings', GPT.gpt, ('section', 'Step 1: Embed'), 3),
    ('multi-head self-attention with KV cache', GPT.gpt, ('section', '1) Multi-head attention block'), 3),
    ('RMSNorm', rmsnorm, None, 3),
    ('feed-forward MLP with squared ReLU', GPT.gpt, ('section', '2) MLP block'), 3),
    ('residual connections', GPT.gpt, ('tag', 'residual'), 3),
    ('cross-entropy loss', doc_loss, None, 5),
    ('Adam with linear LR decay', Adam, None, 5),
    ('temperature-controlled autoregressive sampling', sample_name, None, 6),
]


def _ranges(numbers):
    """[3, 4, 5, 9] -> '3-5, 9'."""
    out, start = [], numbers[0]
    for a, b in zip(numbers, numbers[1:] + [None]):
        if b != a + 1:
            out.append(f'{start}' if start == a else f'{start}-{a}')
            start = b
    return ', '.join(out)


def includes_table():
    """Rows of the 'what the code includes' table: component, where it lives, lines, chapter."""
    rows = []
    for component, obj, anchor, chapter in COMPONENTS:
        name, qualname, numbers = locate(obj, anchor)
        rows.append(dict(component=component, module=name, object=qualname, where=_ranges(numbers),
                         lines=len(numbers), chapter=chapter, whole=anchor is None))
    return rows


def includes_markdown(rows):
    """The table as Markdown, with links to the chapters."""
    out = ['| component | where it lives | lines | chapter |', '|---|---|---:|---|']
    for r in rows:
        where = f"`{r['object']}`" + ('' if r['whole'] else ' (part)')
        out.append(f"| {r['component']} | {where} in `{r['module']}`, lines {r['where']} "
                   f"| {r['lines']} | [Chapter {r['chapter']}]({CHAPTER_FILES[r['chapter']]}) |")
    return '\n'.join(out)


def plot_line_counts(counts, title='Where the lines of code go'):
    """A stacked horizontal bar per file (counts: {file: microgpt.lines.count_lines()}):
    algorithm, input checks, trace hooks, docstrings, comments, blank lines."""
    parts = [('algorithm', 'algorithm code', '#1d4ed8'), ('checks', 'input checks', '#f59e0b'),
             ('trace', 'trace hooks', '#10b981'), ('docstring', 'docstrings', '#a5b4fc'),
             ('comment', 'comment lines', '#d1d5db'), ('blank', 'blank lines', '#f3f4f6')]
    names = list(counts)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(names) + 1.4))
    left = np.zeros(len(names))
    for key, label, color in parts:
        vals = np.array([counts[n][key] for n in names], dtype=float)
        ax.barh(range(len(names)), vals, left=left, color=color, edgecolor='white', label=label)
        left += vals
    for i, n in enumerate(names):
        ax.text(left[i] + 3, i, f"{counts[n]['total']}", va='center', fontsize=10)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel('lines of source')
    ax.set_xlim(0, left.max() * 1.5)
    ax.set_title(title)
    ax.legend(loc='upper right', frameon=False, fontsize=9.5)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- 7.3 what the code omits
# Illustrations only: none of these is part of microgpt.

def extra_gpt2_params(config, vocab_size):
    """What GPT-2's extras would add to a microgpt config: a bias on every linear layer inside
    the blocks (q, k, v, o, fc1, fc2; GPT-2's output layer has none), and the learned gain and
    bias of each LayerNorm (two per block plus a final one), which microgpt's RMSNorm lacks."""
    e, L = config.n_embd, config.n_layer
    biases = L * (3 * e + e + 4 * e + e)
    norms = (2 * L + 1) * 2 * e
    return dict(biases=biases, norm_params=norms)


def bpe_merges(words, num_merges):
    """Byte-pair encoding in miniature (an illustration, not part of microgpt):
    start from characters, then repeatedly merge the most frequent adjacent pair
    of symbols into one new symbol. Ties go to the pair that sorts first, so the
    result does not depend on dict order. Returns the merges in order, each
    {'pair', 'count', 'vocab_size', 'tokens'} (tokens: how many symbols all the
    words take after this merge), and the words as lists of symbols."""
    seqs = [list(w) for w in words]
    vocab = sorted(set(''.join(words)))
    merges = []
    for _ in range(num_merges):
        pairs = {}
        for s in seqs:
            for a, b in zip(s, s[1:]):
                pairs[a, b] = pairs.get((a, b), 0) + 1
        if not pairs:
            break
        # the most frequent pair; of equals, the first in alphabetical order
        best = min(pairs, key=lambda p: (-pairs[p], p))
        new = best[0] + best[1]
        vocab.append(new)
        for s in seqs:  # replace every occurrence of the pair, left to right
            i = 0
            while i < len(s) - 1:
                if (s[i], s[i + 1]) == best:
                    s[i:i + 2] = [new]
                i += 1
        merges.append(dict(pair=best, count=pairs[best], vocab_size=len(vocab),
                           tokens=sum(len(s) for s in seqs)))
    return merges, seqs


def plot_bpe_growth(words, merges, marks=(0, 12, 50, 100, 300)):
    """The trade-off byte-pair encoding makes: after each merge (bpe_merges(words, ...)) the
    vocabulary has one more symbol and the words take fewer tokens."""
    vocab = np.array([len(set(''.join(words)))] + [m['vocab_size'] for m in merges])
    per_word = np.array([sum(len(w) for w in words)] + [m['tokens'] for m in merges]) / len(words)
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    ax.plot(vocab, per_word, color='#c2410c', lw=2)
    for k in marks:
        if k < len(vocab):
            ax.plot(vocab[k], per_word[k], 'o', color='#c2410c')
            label = 'characters only' if k == 0 else f'{k} merges'
            ax.annotate(f'{label}\n{vocab[k]} symbols, {per_word[k]:.2f} tokens', (vocab[k], per_word[k]),
                        xytext=(8, 6), textcoords='offset points', fontsize=9)
    ax.set_xlabel('symbols in the vocabulary (26 letters + one per merge)')
    ax.set_ylabel('tokens per name (mean)')
    ax.set_title(f'Byte-pair encoding on {len(words)} names: a bigger vocabulary, shorter sequences')
    ax.set_xlim(0, vocab.max() * 1.2)
    ax.set_ylim(per_word.min() - 0.3, per_word.max() + 0.7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def mean_loss(np_model, tokenizer, docs):
    """Evaluation: the mean per-document loss of a NumPy-engine model on docs."""
    losses = [np_model.forward(tokenizer.frame(d))[0] for d in docs]  # [0]: loss
    return float(np.mean(losses))


# ----------------------------------------------------------------------------- 7.4 the efficiency boundary

def scalar_reference(path, num_steps=1000):
    """The scalar engine trained num_steps on the book preset. If chapter 5 left a checkpoint at
    path (same config, num_steps steps, with its losses and its training time), use it;
    otherwise train here, with a progress bar. Returns (run, seconds, source): run is a scalar
    Run whose random stream is where sampling starts, with the trained model and its losses."""
    from ..checkpoint import load_checkpoint
    from ..errors import CheckpointError
    from ..pipeline import prepare
    config = get_config('book', num_steps=num_steps)
    run = prepare(config)  # shuffle + initial weights: the random stream is now where sampling starts
    reason = f'no checkpoint at {path}'
    if os.path.exists(path):
        try:
            trained, tokenizer, ckpt = load_checkpoint(path, config)
            ok = (ckpt['config'] == config.to_dict() and ckpt['step'] == num_steps
                  and len(ckpt.get('losses') or []) == num_steps and 'seconds' in ckpt.get('extra', {})
                  and tokenizer.uchars == run.tokenizer.uchars)
        except (CheckpointError, KeyError, TypeError):
            ok = False
        if ok:
            run.model, run.losses = trained, list(ckpt['losses'])
            return run, float(ckpt['extra']['seconds']), f'loaded from {path} (trained in chapter 5)'
        reason = f'the checkpoint at {path} is not a {num_steps}-step book-preset run'
    from tqdm import tqdm
    t0 = time.perf_counter()
    for _ in tqdm(run.training_steps(num_steps), total=num_steps, desc='scalar engine', mininterval=2):
        pass
    return run, time.perf_counter() - t0, f'{reason}: trained here, just now'


def log_lines(losses):
    """The lines the reference program prints while training, one per step
    ('step    1 / 1000 | loss 3.2980'), made by the package's own StepInfo."""
    from ..train import StepInfo
    return [str(StepInfo(i + 1, len(losses), loss, 0.0)) for i, loss in enumerate(losses)]


def plot_engines(scalar_losses, numpy_losses, window=50):
    """Both engines' 1000 training losses on one axis, and their difference below."""
    s, n = np.asarray(scalar_losses), np.asarray(numpy_losses)
    steps = np.arange(1, len(s) + 1)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 5.6), sharex=True, height_ratios=[3, 1.3])
    ax.plot(steps, s, color='#fdba74', lw=0.8, label='scalar engine, each step')
    ax.plot(*smoothed(s, window), color='#c2410c', lw=4, alpha=0.55,
            label=f'scalar engine, {ma_label(window)}')
    ax.plot(*smoothed(n, window), color='#1d4ed8', lw=1.4, ls='--',
            label=f'NumPy engine, {ma_label(window)}')
    ax.set_ylabel('loss')
    ax.set_title('Same 1000 steps, two engines: one curve')
    ax.legend(frameon=False, fontsize=11)
    ax2.plot(steps, s - n, color='#374151', lw=1)
    ax2.set_ylabel('scalar - NumPy')
    ax2.set_xlabel('training step')
    ax2.ticklabel_format(axis='y', style='sci', scilimits=(0, 0))
    fig.tight_layout()
    return fig


def plot_timing(seconds, title='Time for the same 1000 training steps'):
    """One bar per engine, seconds on a log scale (the NumPy bar would vanish on a linear one)."""
    names = list(seconds)
    vals = [seconds[k] for k in names]
    fig, ax = plt.subplots(figsize=(8, 2.4))
    colors = {'scalar': '#c2410c', 'list': '#15803d', 'numpy': '#1d4ed8'}  # by engine
    ax.barh(range(len(names)), vals,
            color=[next((c for k, c in colors.items() if k in n.lower()), '#6b7280') for n in names])
    for i, v in enumerate(vals):
        ax.text(v * 1.15, i, f'{v:.1f} s', va='center')
    ax.set_xscale('log')
    ax.set_xlim(min(vals) / 3, max(vals) * 6)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel('seconds (log scale)')
    ax.set_title(title)
    fig.tight_layout()
    return fig


def depth_runs(layers=(1, 2, 4), num_steps=2000):
    """The NumPy engine trained with each number of layers, all else equal: same names in the
    same order, same steps, same learning-rate schedule. Returns {n_layer: Run}."""
    from ..pipeline import prepare
    runs = {}
    for n_layer in layers:
        run = prepare(get_config('book', n_layer=n_layer, num_steps=num_steps), engine='numpy')
        run.train()
        runs[n_layer] = run
    return runs


def plot_depth(runs, window=200, heldout=None):
    """Moving average of the training loss for each depth (top), and each depth's difference
    from the first one (bottom: the names in each window are the same for every run, so the
    difference removes their shared ups and downs). heldout: {n_layer: loss on unseen names}."""
    colors = ['#9ca3af', '#1d4ed8', '#c2410c', '#15803d']
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True, height_ratios=[3, 2])
    base_layers = next(iter(runs))
    _, base = smoothed(runs[base_layers].losses, window)
    for (n_layer, run), color in zip(runs.items(), colors):
        steps, ma = smoothed(run.losses, window)
        label = f'{n_layer} layer{"s" if n_layer > 1 else ""}, {run.model.num_params():,} params'
        if heldout is not None:
            label += f' (unseen names: {heldout[n_layer]:.4f})'
        ax.plot(steps, ma, color=color, lw=2, label=label)
        ax2.plot(steps, ma - base, color=color, lw=2)
    ax.set_ylabel(f'loss, {ma_label(window)}')
    ax.set_title('Depth is capacity: same data, same steps, same algorithm')
    ax.legend(frameon=False)
    ax2.axhline(0, color='#6b7280', lw=0.8)
    ax2.set_ylabel(f'difference from\n{base_layers} layer')
    ax2.set_xlabel('training step')
    ax2.text(0.01, 0.04, 'below 0: lower loss than 1 layer', transform=ax2.transAxes, fontsize=9,
             color='#374151')
    fig.tight_layout()
    return fig
