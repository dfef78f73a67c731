"""Figures and widgets for chapter 1 (Data): the names dataset, the character tokenizer
and the bigram statistics the model has to learn.

Every function takes plain package objects (a list of documents, a `microgpt.Tokenizer`)
and returns a matplotlib Figure (or a widget), so a chapter cell stays one line long.
"""

import math
from collections import Counter

import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm, to_rgb
from matplotlib.patches import FancyBboxPatch

from ..data import Tokenizer
from ..explore import framed_tokens
from .common import SLATE, ma_label, smoothed, token_label

# ----------------------------------------------------------------------------- token colors

BOS_TEXT = 'white'


def token_color(tokenizer, token_id):
    """One color per token id, shared by every figure and widget of the chapter:
    a light tint that walks around the color wheel as the id goes from 'a' to 'z'
    (black text stays readable on all of them); BOS is dark slate."""
    if token_id == tokenizer.BOS:
        return SLATE
    hue = token_id / max(1, len(tokenizer.uchars))
    r, g, b = plt.get_cmap('hsv')(hue)[:3]
    mix = 0.55  # blend with white: a pastel tint
    return (r * (1 - mix) + mix, g * (1 - mix) + mix, b * (1 - mix) + mix)


def _text_color(tokenizer, token_id):
    return BOS_TEXT if token_id == tokenizer.BOS else 'black'


def _hex(color):
    r, g, b = to_rgb(color)
    return f'#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}'


# ----------------------------------------------------------------------------- the dataset

def length_histogram(docs, block_size, ax=None):
    """How long the names are, in letters, colored by how much of each name fits in a
    context of block_size positions once it is framed as [BOS] + letters + [BOS]."""
    lengths = Counter(len(d) for d in docs)
    n = len(docs)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.2))
    groups = [  # (test on the length, color, legend text)
        (lambda L: L <= block_size - 1, '#16a34a', f'fits whole, end included (<= {block_size - 1} letters)'),
        (lambda L: L == block_size, '#f59e0b', f'every letter, but not the end ({block_size} letters)'),
        (lambda L: L > block_size, '#dc2626', f'cut off: letters after the {block_size}th never predicted'),
    ]
    for test, color, text in groups:
        xs = sorted(L for L in lengths if test(L))
        share = sum(lengths[L] for L in xs) / n
        ax.bar(xs, [lengths[L] for L in xs], color=color, width=0.8,
               label=f'{text}: {100 * share:.1f}%')
    ax.axvline(block_size - 0.5, color='black', linestyle='--', linewidth=1.2)
    ax.text(block_size - 0.5, ax.get_ylim()[1] * 0.97,
            f' block_size = {block_size} positions\n = BOS + {block_size - 1} letters',
            va='top', ha='left', fontsize=10)
    ax.set_xticks(range(min(lengths), max(lengths) + 1))
    ax.set_xlabel('name length (letters)')
    ax.set_ylabel('number of names')
    ax.set_title(f'Length of the {n:,} names')
    ax.legend(loc='upper right', frameon=False, fontsize=9.5, bbox_to_anchor=(1.0, 0.8))
    ax.figure.tight_layout()
    return ax.figure


def letter_frequencies(docs, tokenizer=None, ax=None):
    """Bar chart: how often each character occurs in the whole dataset, in token-id order
    (the ids of tokenizer, by default the tokenizer of docs)."""
    tokenizer = Tokenizer(docs) if tokenizer is None else tokenizer
    counts = Counter(''.join(docs))
    total = sum(counts.values())
    if ax is None:
        fig, ax = plt.subplots(figsize=(9.5, 4))
    ids = range(len(tokenizer.uchars))
    shares = [100 * counts[tokenizer.uchars[i]] / total for i in ids]
    ax.bar(ids, shares, color=[token_color(tokenizer, i) for i in ids], edgecolor='#475569', linewidth=0.6)
    ax.set_xticks(list(ids), [f'{tokenizer.uchars[i]}\n{i}' for i in ids], fontsize=9.5)
    ax.set_xlabel('character (and its token id)')
    ax.set_ylabel('share of all letters (%)')
    ax.set_title(f'Letter frequencies over all {total:,} letters')
    for i, s in zip(ids, shares):
        ax.text(i, s + 0.15, f'{s:.1f}', ha='center', va='bottom', fontsize=8.5, color='#334155')
    ax.set_xlim(-0.7, len(shares) - 0.3)
    ax.figure.tight_layout()
    return ax.figure


# ----------------------------------------------------------------------------- token strips

def _draw_strip(ax, tokenizer, tokens, y, box=0.9, fontsize=13):
    """One row of colored boxes: the character on top, its id underneath."""
    for x, t in enumerate(tokens):
        ax.add_patch(FancyBboxPatch((x + (1 - box) / 2, y - box / 2), box, box,
                                    boxstyle='round,pad=0,rounding_size=0.12',
                                    facecolor=token_color(tokenizer, t), edgecolor='#475569', linewidth=0.8))
        label = token_label(tokenizer, t)
        ax.text(x + 0.5, y + 0.1, label, ha='center', va='center', color=_text_color(tokenizer, t),
                fontsize=fontsize * (0.62 if t == tokenizer.BOS else 1), fontweight='bold', family='monospace')
        ax.text(x + 0.5, y - 0.27, str(t), ha='center', va='center', color=_text_color(tokenizer, t),
                fontsize=fontsize * 0.6)


def token_strips(tokenizer, names, title='Names as the model reads them: [BOS] + characters + [BOS]'):
    """Small multiples (the static twin of the token widget): each name as its strip of
    colored tokens, character on top and token id underneath."""
    framed = [tokenizer.frame(n) for n in names]
    width = max(len(f) for f in framed)
    fig, ax = plt.subplots(figsize=(1.6 + 0.62 * width, 0.2 + 0.66 * len(names)))
    for row, (name, tokens) in enumerate(zip(names, framed)):
        y = len(names) - 1 - row
        ax.text(-0.25, y, name, ha='right', va='center', fontsize=12, family='monospace')
        _draw_strip(ax, tokenizer, tokens, y)
    ax.set_xlim(-1.9 - 0.13 * max(len(n) for n in names), width + 0.1)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title(title, fontsize=12)
    fig.tight_layout()
    return fig


def token_strip_html(tokenizer, text):
    """The token strip of one name as HTML (fast enough to redraw on every keystroke), drawn
    from microgpt.explore.framed_tokens, as the browser widget is. A character outside the
    vocabulary shows the tokenizer's own error message."""
    state = framed_tokens(tokenizer, text)
    if state['error']:
        return f'<div style="color:#b91c1c;font-family:monospace">{_escape(state["error"])}</div>'
    cells = []
    for token in state['tokens']:
        t, label = token['id'], _escape(token['text'])
        cells.append(
            f'<span style="display:inline-block;min-width:2.2em;margin:2px;padding:3px 4px;'
            f'border:1px solid #475569;border-radius:6px;text-align:center;'
            f'background:{_hex(token_color(tokenizer, t))};color:{_text_color(tokenizer, t)};'
            f'font-family:monospace">'
            f'<b style="font-size:1.25em">{label}</b><br><span style="font-size:0.8em">{t}</span></span>')
    summary = (f'<div style="font-family:monospace;margin-top:4px">{len(state["ids"])} tokens: {state["ids"]}'
               f'<br>decode(tokens) = {_escape(repr(state["decoded"]))}</div>')
    return '<div>' + ''.join(cells) + '</div>' + summary


def _escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def token_widget(tokenizer, value='microgpt'):
    """Type a name, see its tokens: an ipywidgets Text box above the live token strip."""
    import ipywidgets as widgets
    box = widgets.Text(value=value, description='name:', continuous_update=True,
                       layout=widgets.Layout(width='22em'))
    strip = widgets.HTML(token_strip_html(tokenizer, value))

    def update(change):
        strip.value = token_strip_html(tokenizer, change['new'])

    box.observe(update, names='value')
    return widgets.VBox([box, strip])


# ----------------------------------------------------------------------------- bigrams

def bigram_heatmap(counts, tokenizer, annotate=True):
    """The 27 x 27 bigram counts: row = current token, column = next token, color on a
    log scale (counts span four orders of magnitude); pairs never seen are left white."""
    import numpy as np
    m = np.array(counts, dtype=float)
    labels = [token_label(tokenizer, i) for i in range(tokenizer.vocab_size)]
    fig, ax = plt.subplots(figsize=(11.5, 10.5))
    shown = np.where(m > 0, m, np.nan)  # zero counts stay white (log of 0 is undefined)
    im = ax.imshow(shown, cmap='Blues', norm=LogNorm(vmin=1, vmax=m.max()), interpolation='nearest')
    ax.set_xticks(range(len(labels)), labels, fontsize=12)
    ax.set_yticks(range(len(labels)), labels, fontsize=12)
    ax.tick_params(top=True, labeltop=True, bottom=True, labelbottom=True, length=0)
    ax.set_xlabel('next token (the target)', fontsize=13)
    ax.set_ylabel('current token (the input)', fontsize=13)
    ax.set_title('Bigram counts: how often the token of the row is followed by the token of the column',
                 pad=30, fontsize=13.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate:
        dark_from = math.exp(0.6 * math.log(m.max()))  # white text on the darkest cells
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                if m[i, j] > 0:
                    c = int(m[i, j])
                    text = f'{c / 1000:.1f}k' if c >= 1000 else str(c)
                    ax.text(j, i, text, ha='center', va='center', fontsize=7.5,
                            color='white' if m[i, j] >= dark_from else '#1e293b')
    cbar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label('count (log scale)')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- what a loss means

def loss_yardsticks(losses, vocab_size, bigram, window=50):
    """A training run's per-step loss (dots) and its moving average (line), against two
    yardsticks: the uniform guess over vocab_size tokens and the bigram model's loss."""
    import numpy as np
    uniform = math.log(vocab_size)
    losses = np.asarray(losses, dtype=float)
    steps = np.arange(1, len(losses) + 1)
    fig, ax = plt.subplots(figsize=(9, 4.4))
    ax.plot(steps, losses, '.', color='#94a3b8', markersize=3, label='loss of each step (one name)')
    if len(losses) >= window:
        ax.plot(*smoothed(losses, window), color='#4f46e5', linewidth=2.2,
                label=ma_label(window))
    ax.axhline(uniform, color='#dc2626', linestyle='--', linewidth=1.5)
    ax.axhline(bigram, color='#16a34a', linestyle='--', linewidth=1.5)
    if len(losses) >= window:  # the fall the moving average cannot show: it starts at step `window`
        first = float(np.mean(losses[:window]))
        ax.plot([1, window], [first, first], color='#f59e0b', linewidth=3, solid_capstyle='butt',
                label=f'mean of steps 1 to {window}: {first:.2f}')
    label_box = dict(facecolor='white', edgecolor='none', alpha=0.85, pad=1.5)
    ax.text(len(losses) * 0.015, uniform + 0.04, f'uniform guess: ln {vocab_size} = {uniform:.4f}',
            ha='left', va='bottom', color='#dc2626', fontsize=10, bbox=label_box)
    ax.text(len(losses) * 0.015, bigram - 0.04, f'bigram model: {bigram:.4f}',
            ha='left', va='top', color='#16a34a', fontsize=10, bbox=label_box)
    ax.set_xlabel('training step')
    ax.set_ylabel('loss (mean -log p of the right token)')
    ax.set_title('Where the loss starts and where it can get to')
    ax.set_ylim(max(0, np.percentile(losses, 0.5) - 0.2), max(losses.max(), uniform) + 0.15)
    ax.legend(loc='upper right', fontsize=9.5, framealpha=0.9)
    fig.tight_layout()
    return fig
