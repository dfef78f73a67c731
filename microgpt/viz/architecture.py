"""Figures for chapters 3 and 4 (the architecture and the full gpt()): the parameter
matrices to scale, embeddings, linear as W x, softmax with temperature, RMSNorm,
one attention head, multi-head concatenation, the residual stream, the MLP's
activation, and the architecture diagram of gpt()."""

import math

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ..explore import floats, probs, rms, show_vec  # noqa: F401 - show_vec, rms: for the chapters
from ..model import param_shapes
from ..tables import Table
from .common import GREY, INDIGO, MUTED, PINK, TEAL, annotate_image, arrow, box, heatmap, token_label

__all__ = ['Table']  # chapters 3 and 4 print their tables with arch.Table (from microgpt.tables)
GROUP_COLOURS = {'embeddings': '#60a5fa', 'attention': '#f59e0b', 'mlp': '#34d399', 'output': '#a78bfa'}
HEAD_COLOURS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#ca8a04', '#dc2626', '#4b5563']


# ----------------------------------------------------------------------------- small helpers

# show_vec and rms (printing a vector, its root mean square) are microgpt.explore's: standard library,
# so that chapter 3's cells run in the page too.


def _heat(ax, matrix, row_labels=None, col_labels=None, fmt=None, fontsize=8, **kw):
    """common.heatmap, with cell values written by annotate_image when fmt is given."""
    im = heatmap(ax, matrix, row_labels, col_labels, annotate=False, **kw)
    if fmt:
        annotate_image(ax, fmt, fontsize)
    return im


def _group(name):
    if name in ('wte', 'wpe'):
        return 'embeddings'
    if name == 'lm_head':
        return 'output'
    return 'attention' if '.attn_' in name else 'mlp'


def _bars(ax, values, labels=None, colour=INDIGO, highlight=None, ylabel=None, title=None):
    """A bar chart of one vector, with a zero line and optional highlighted bars."""
    xs = range(len(values))
    colours = [PINK if highlight is not None and i in highlight else colour for i in xs]
    ax.bar(xs, values, color=colours, width=0.8)
    ax.axhline(0, color='black', lw=0.8)
    if labels is not None:
        ax.set_xticks(list(xs), labels)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


# ----------------------------------------------------------------------------- parameters

def plot_param_shapes(config, vocab_size):
    """Every weight matrix drawn to scale (one square per number), left to right in the
    order they are created, coloured by the part of the model they belong to."""
    shapes = param_shapes(config, vocab_size)
    gap = 7
    width = sum(c for _, c in shapes.values()) + gap * (len(shapes) - 1)
    height = max(r for r, _ in shapes.values())
    fig, ax = plt.subplots(figsize=(10, 4.4))
    x = 0
    for i, (name, (rows, cols)) in enumerate(shapes.items()):
        colour = GROUP_COLOURS[_group(name)]
        ax.add_patch(Rectangle((x, 0), cols, rows, facecolor=colour, edgecolor='black', lw=0.8, alpha=0.85))
        short = name.replace('layer0.', '')
        label_y = rows + 2 + (11 if i % 2 and rows < 20 else 0)  # stagger the labels of the short ones
        ax.text(x + cols / 2, label_y, f"{short}\n{rows}x{cols}\n= {rows * cols:,}", ha='center', va='bottom',
                fontsize=10.5)
        x += cols + gap
    for g, colour in GROUP_COLOURS.items():
        ax.bar(0, 0, color=colour, label=g)  # legend entries only
    ax.legend(loc='upper right', ncol=4, frameon=False, fontsize=10)
    ax.set_xlim(-2, width + 2)
    ax.set_ylim(-2, height + 36)
    ax.set_aspect('equal')
    ax.axis('off')
    total = sum(r * c for r, c in shapes.values())
    ax.set_title(f"The {len(shapes)} weight matrices to scale (one unit square per parameter): "
                 f"{total:,} parameters in all")
    fig.tight_layout()
    return fig


def plot_matrix(matrix, row_labels, title, col_label='column (embedding dimension)'):
    """One weight matrix as a heatmap, rows labelled (e.g. by character), blue-white-red
    centred on zero."""
    m = [floats(row) for row in matrix]
    lim = max(abs(v) for row in m for v in row)
    fig, ax = plt.subplots(figsize=(7.5, 0.26 * len(m) + 1.4))
    heatmap(ax, m, row_labels, list(range(len(m[0]))), title=title, cmap='RdBu_r', vmin=-lim, vmax=lim)
    ax.set_xlabel(col_label)
    ax.set_ylabel('row (token)')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- embeddings, linear, rmsnorm

def plot_embedding_sum(tok_emb, pos_emb, summed, normed, token_label, pos):
    """wte[token] + wpe[pos] = x, then rmsnorm(x): four aligned bar charts of 16 numbers
    (the first three on one scale, the normalized vector on its own, larger scale)."""
    rows = [(tok_emb, f"wte['{token_label}']  (what)", INDIGO),
            (pos_emb, f"wpe[{pos}]  (where)", '#0891b2'),
            (summed, "sum: what + where", MUTED),
            (normed, "rmsnorm(sum): what the layer receives (note the larger scale)", PINK)]
    fig, axes = plt.subplots(len(rows), 1, figsize=(9, 7.4), sharex=True,
                             gridspec_kw={'height_ratios': [1, 1, 1, 1.5]})
    lim = max(abs(v) for vec, _, _ in rows[:3] for v in floats(vec)) * 1.15
    for k, (ax, (vec, title, colour)) in enumerate(zip(axes, rows)):
        _bars(ax, floats(vec), colour=colour)
        ax.set_title(title, loc='left', fontsize=11)
        if k < 3:
            ax.set_ylim(-lim, lim)
    axes[-1].set_xticks(range(len(floats(tok_emb))))
    axes[-1].set_xlabel('embedding dimension')
    fig.suptitle(f"Token '{token_label}' at position {pos}: 16 numbers each", y=0.995)
    fig.tight_layout()
    return fig


def plot_linear(w, x, y, highlight_row=0):
    """The picture of y = W x: the matrix, the input column, the output column, with one
    row of W and its output highlighted (that output is the dot product of the two)."""
    w, x, y = [floats(r) for r in w], floats(x), floats(y)
    nout, nin = len(w), len(x)
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 3.6), gridspec_kw={'width_ratios': [nin, 1, 1], 'wspace': 0.9})
    lim = max(abs(v) for v in [*sum(w, []), *x, *y])
    for ax, m, title in [(axes[0], w, f"W  ({nout} x {nin})"), (axes[1], [[v] for v in x], f"x  ({nin})"),
                         (axes[2], [[v] for v in y], f"y = W x  ({nout})")]:
        _heat(ax, m, title=title, cmap='RdBu_r', vmin=-lim * 1.6, vmax=lim * 1.6, fmt='{:g}', fontsize=12,
              colorbar=False)
        ax.set_aspect('equal')
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
    r = highlight_row
    axes[0].add_patch(Rectangle((-0.5, r - 0.5), nin, 1, fill=False, edgecolor=PINK, lw=3))
    axes[1].add_patch(Rectangle((-0.5, -0.5), 1, nin, fill=False, edgecolor=PINK, lw=3))
    axes[2].add_patch(Rectangle((-0.5, r - 0.5), 1, 1, fill=False, edgecolor=PINK, lw=3))
    fig.canvas.draw()  # place the operators midway between the (now final) axes
    b0, b1, b2 = (ax.get_position() for ax in axes)
    for (left, right), sign in [((b0.x1, b1.x0), '×'), ((b1.x1, b2.x0), '=')]:
        fig.text((left + right) / 2, (b1.y0 + b1.y1) / 2, sign, fontsize=24, ha='center', va='center')
    terms = ' + '.join(f"({a:g})({b:g})" for a, b in zip(w[r], x))
    fig.suptitle(f"y[{r}] = {terms} = {y[r]:g}", fontsize=11.5, color=PINK)
    return fig


def plot_rmsnorm(before, after):
    """The same 16 numbers before and after rmsnorm, with their RMS drawn as dashed lines."""
    before, after = floats(before), floats(after)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4), sharey=True)
    for ax, vec, title, colour in [(axes[0], before, 'before rmsnorm', MUTED),
                                   (axes[1], after, 'after rmsnorm', PINK)]:
        _bars(ax, vec, colour=colour)
        r = rms(vec)
        for s in (r, -r):
            ax.axhline(s, color='black', ls='--', lw=1)
        ax.set_title(f"{title}: RMS = {r:.3f}")
        ax.set_xlabel('embedding dimension')
        ax.set_xticks(range(0, len(vec), 3))
    axes[0].set_ylabel('value')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- softmax and temperature

def plot_softmax(ax, logits, labels, temperature):
    """Bars of softmax(logits / temperature) on ax."""
    p = probs(logits, temperature)
    top = max(range(len(p)), key=p.__getitem__)
    ax.bar(range(len(p)), p, color=[PINK if i == top else INDIGO for i in range(len(p))])
    ax.set_xticks(range(len(p)), labels)
    ax.set_ylim(0, 1.05)
    for i, v in enumerate(p):
        ax.text(i, v + 0.02, f"{v:.2f}", ha='center', fontsize=8)
    ax.set_title(f"T = {temperature:g}")


def plot_softmax_temperatures(logits, labels, temperatures=(0.25, 0.5, 1, 2)):
    """Small multiples: the raw logits (left), then their softmax at four temperatures."""
    fig = plt.figure(figsize=(9.5, 5.6))
    gs = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1], wspace=0.35, hspace=0.45)
    ax0 = fig.add_subplot(gs[:, 0])
    _bars(ax0, list(logits), labels, colour=MUTED, title='logits (raw scores)')
    for k, t in enumerate(temperatures[:4]):
        ax = fig.add_subplot(gs[k // 2, 1 + k % 2])
        plot_softmax(ax, logits, labels, t)
        if k % 2 == 0:
            ax.set_ylabel('probability')
    fig.suptitle('softmax(logits / T): a low temperature sharpens, a high one flattens')
    return fig


def softmax_widget(logits, labels):
    """A temperature slider over the same logits (needs a live kernel)."""
    import ipywidgets as widgets

    def draw(temperature=1.0):
        fig, ax = plt.subplots(figsize=(6, 3.2))
        plot_softmax(ax, logits, labels, temperature)
        ax.set_ylabel('probability')
        fig.tight_layout()
        plt.show()

    slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1.3, max=0.7, step=0.02, description='temperature',
                                    continuous_update=True, readout_format='.2f',
                                    style={'description_width': 'initial'})
    widgets.interact(draw, temperature=slider)


# ----------------------------------------------------------------------------- attention, by hand

def plot_scores_and_weights(scores, weights, labels, head=0):
    """One head's scaled scores (query x key, the future never computed) and the causal
    softmax weights made from them."""
    T = len(labels)
    sq = [[floats(row)[s] if s < len(row) else float('nan') for s in range(T)] for row in scores]
    wq = [[floats(row)[s] if s < len(row) else float('nan') for s in range(T)] for row in weights]
    lim = max(abs(v) for row in sq for v in row if v == v)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.0))
    _heat(axes[0], sq, labels, labels, title=f'head {head}: scores q·k / √4', cmap='RdBu_r',
          vmin=-lim, vmax=lim, fmt='{:+.2f}', fontsize=9)
    _heat(axes[1], wq, labels, labels, title=f'head {head}: weights = softmax of each row', cmap='Blues',
          vmin=0, vmax=1, fmt='{:.2f}', fontsize=9)
    for ax in axes:
        ax.set_xlabel('key position (attended to)')
        ax.set_ylabel('query position')
        ax.set_facecolor('#f3f4f6')  # the never-computed future shows as light grey
    fig.tight_layout()
    return fig


def plot_concat_heads(head_outs, projected, residual, after):
    """Multi-head output at one position: 4 heads x 4 numbers side by side (concatenated),
    then attn_wo mixes them, then the residual is added back."""
    head_dim = len(head_outs[0])
    concat = [v for h in head_outs for v in floats(h)]
    rows = [(concat, 'concatenated head outputs'), (floats(projected), 'linear(concat, attn_wo)'),
            (floats(residual), '+ x_residual'), (floats(after), '= after the attention block')]
    fig, axes = plt.subplots(len(rows), 1, figsize=(9, 4.6))
    lim = max(abs(v) for vec, _ in rows for v in vec)
    for ax, (vec, title) in zip(axes, rows):
        _heat(ax, [vec], cmap='RdBu_r', vmin=-lim, vmax=lim, fmt='{:+.2f}', colorbar=False)
        ax.set_yticks([0], [title])
        ax.set_xticks([])
    for h in range(len(head_outs)):  # bracket each head's slice on the first row
        axes[0].add_patch(Rectangle((h * head_dim - 0.5, -0.5), head_dim, 1, fill=False,
                                    edgecolor=HEAD_COLOURS[h], lw=3))
        axes[0].text(h * head_dim + head_dim / 2 - 0.5, -0.62, f'head {h}', ha='center', va='bottom',
                     color=HEAD_COLOURS[h], fontsize=10, fontweight='bold')
    axes[-1].set_xticks(range(len(concat)))
    axes[-1].set_xlabel('dimension of the residual stream')
    fig.tight_layout(h_pad=1.6)
    return fig


# ----------------------------------------------------------------------------- residual stream and MLP

def plot_residual_stream(trace, layer=0):
    """The 16 numbers of the residual stream after each step of one gpt() call (a Trace)."""
    rows = [('embedding', trace['embedding']), ('after attention', trace['after_attention', layer]),
            ('after MLP', trace['after_mlp', layer])]
    fig, ax = plt.subplots(figsize=(9.5, 2.6))
    m = [floats(v) for _, v in rows]
    lim = max(abs(v) for row in m for v in row)
    _heat(ax, m, [name for name, _ in rows], list(range(len(m[0]))), cmap='RdBu_r', vmin=-lim, vmax=lim,
          fmt='{:+.2f}')
    ax.set_xlabel('dimension of the residual stream')
    ax.set_title('The residual stream: each block adds its output to x')
    fig.tight_layout()
    return fig


def gelu(x):
    """GeLU, in the tanh approximation GPT-2 uses (illustration: microgpt does not use it)."""
    import numpy as np
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def plot_activations(with_gelu=False):
    """ReLU and squared ReLU (and GeLU, GPT-2's, if asked: chapter 7), with their slopes:
    the activation on the left, what backward() multiplies by on the right."""
    import numpy as np
    x = np.linspace(-3, 3, 601)
    curves = [('ReLU: relu(x)', np.maximum(x, 0), (x > 0).astype(float), MUTED, '--'),
              ('squared ReLU: relu(x)**2', np.maximum(x, 0) ** 2, 2 * np.maximum(x, 0), PINK, '-')]
    if with_gelu:
        curves.append(('GeLU (GPT-2)', gelu(x), np.gradient(gelu(x), x), '#c2410c', '-'))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for label, y, dy, color, ls in curves:
        axes[0].plot(x, y, color=color, ls=ls, lw=2, label=label)
        axes[1].plot(x, dy, color=color, ls=ls, lw=2, label=label)
    axes[0].set_ylim(-0.5, 3.0)
    axes[1].set_ylim(-0.3, 2.5)
    axes[0].set_title('activation f(x)')
    axes[1].set_title("its slope f'(x): what backward() multiplies by")
    for ax in axes:
        ax.axhline(0, color=GREY, lw=0.8)
        ax.axvline(0, color=GREY, lw=0.8)
        ax.set_xlabel('x (one hidden unit of the MLP)')
    axes[0].legend(loc='upper left', frameon=False, fontsize=9.5)
    fig.tight_layout()
    return fig


def plot_mlp_hidden(pre, post):
    """The 64 hidden numbers of the MLP before and after squared ReLU."""
    pre, post = floats(pre), floats(post)
    fig, axes = plt.subplots(2, 1, figsize=(9.5, 4.6), sharex=True, sharey=True)
    _bars(axes[0], pre, colour=MUTED, title='linear(x, mlp_fc1): 64 numbers', ylabel='value')
    _bars(axes[1], post, colour=PINK, title=f'after relu(x)**2: {sum(v == 0 for v in post)} of {len(post)} '
                                            'are exactly zero', ylabel='value')
    axes[1].set_xlabel('hidden unit')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- chapter 4

def plot_gpt_steps(trace, tokenizer, layer=0):
    """One gpt() call, step by step: the residual stream after steps 1-3 (16 numbers each)
    and the 27 logits of step 4."""
    steps = [('1. embedding', trace['embedding']), ('2. after attention', trace['after_attention', layer]),
             ('3. after MLP', trace['after_mlp', layer])]
    fig, axes = plt.subplots(2, 1, figsize=(9.5, 5.8), gridspec_kw={'height_ratios': [1.2, 1.5]})
    m = [floats(v) for _, v in steps]
    lim = max(abs(v) for row in m for v in row)
    _heat(axes[0], m, [name for name, _ in steps], list(range(len(m[0]))), cmap='RdBu_r', vmin=-lim,
          vmax=lim, fmt='{:+.2f}')
    axes[0].set_xlabel('dimension of the residual stream')
    axes[0].set_title('Steps 1-3: the 16 numbers of x')
    logits = floats(trace['logits'])
    labels = [token_label(tokenizer, i) for i in range(len(logits))]
    _bars(axes[1], logits, labels, ylabel='score')
    axes[1].set_title('Step 4: the 27 logits, linear(x, lm_head)')
    axes[1].tick_params(axis='x', labelsize=9)
    fig.tight_layout()
    return fig


def plot_logits_vs_probs(logits, tokenizer, highlight=None):
    """The raw logits next to softmax(logits): same order, different meaning."""
    logits = floats(logits)
    ps = probs(logits)
    labels = [token_label(tokenizer, i) for i in range(len(logits))]
    fig, axes = plt.subplots(2, 1, figsize=(9.5, 5.6))
    hl = None if highlight is None else {highlight}
    _bars(axes[0], logits, labels, highlight=hl, ylabel='score',
          title=f'logits: any real numbers (these sum to {sum(logits):+.2f})')
    _bars(axes[1], ps, labels, highlight=hl, ylabel='probability',
          title=f'softmax(logits): positive, and they sum to {sum(ps):.3f}')
    if highlight is not None:
        for ax in axes:
            ax.get_xticklabels()[highlight].set_color(PINK)
            ax.get_xticklabels()[highlight].set_fontweight('bold')
    fig.tight_layout(h_pad=1.5)
    return fig


def _node(ax, xy, text, colour='white', edge='black', w=3.0, h=0.62, text_colour='black', bold=False):
    box(ax, xy, w, h, colour, edge)
    x, y = xy
    ax.text(x, y, text, ha='center', va='center', fontsize=10.5, color=text_colour, zorder=3,
            fontweight='bold' if bold else 'normal')


def _plus(ax, xy, r=0.24):
    x, y = xy
    ax.add_patch(plt.Circle((x, y), r, facecolor='white', edgecolor='black', lw=1.4, zorder=2))
    ax.plot([x - r * 0.6, x + r * 0.6], [y, y], color='black', lw=1.6, zorder=3)
    ax.plot([x, x], [y - r * 0.6, y + r * 0.6], color='black', lw=1.6, zorder=3)


def _flow(ax, a, b, label=None, dashed=False, colour='black', label_side='right'):
    """One of the diagram's arrows (common.arrow, thin and black), with the size of the vector it
    carries written beside its middle."""
    arrow(ax, a, b, color=colour, lw=1.4, ls='--' if dashed else '-', head=14, shrink=0)
    if label:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx = 0.12 if label_side == 'right' else -0.12
        ax.text(mx + dx, my, label, fontsize=9, color='#4b5563', ha='left' if label_side == 'right' else 'right',
                va='center')


def draw_gpt_diagram(config=None, vocab_size=27):
    """The seed's architecture diagram of gpt(), drawn with matplotlib: embeddings, one
    layer (attention and MLP blocks with their residual skips), lm_head, logits."""
    from ..config import Config
    c = config if config is not None else Config()
    e, hidden = c.n_embd, 4 * c.n_embd
    fig, ax = plt.subplots(figsize=(6.6, 11))
    X = 0.0
    H = 0.62   # box height
    y = {'ids': 13.2, 'emb': 12.2, 'add': 11.25, 'norm0': 10.4, 'save1': 9.1, 'norm1': 8.2, 'attn': 7.2,
         'res1': 6.2, 'save2': 5.25, 'norm2': 4.35, 'mlp': 3.35, 'res2': 2.35, 'lm': 0.95, 'out': -0.25}
    teal_edge = '#0db99a'
    # inputs and embeddings
    _node(ax, (X - 1.7, y['ids']), 'token_id', TEAL, teal_edge, w=2.4, bold=True)
    _node(ax, (X + 1.7, y['ids']), 'pos_id', TEAL, teal_edge, w=2.4, bold=True)
    _node(ax, (X - 1.7, y['emb']), 'wte (embed)', '#dbeafe', w=2.4)
    _node(ax, (X + 1.7, y['emb']), 'wpe (embed)', '#dbeafe', w=2.4)
    _flow(ax, (X - 1.7, y['ids'] - H / 2), (X - 1.7, y['emb'] + H / 2))
    _flow(ax, (X + 1.7, y['ids'] - H / 2), (X + 1.7, y['emb'] + H / 2))
    _plus(ax, (X, y['add']))
    _flow(ax, (X - 1.7, y['emb'] - H / 2), (X - 0.2, y['add'] + 0.13), label=f'{e}', label_side='left')
    _flow(ax, (X + 1.7, y['emb'] - H / 2), (X + 0.2, y['add'] + 0.13), label=f'{e}')
    ax.text(X + 0.4, y['add'], 'what + where', fontsize=9, color='#4b5563', va='center')
    _node(ax, (X, y['norm0']), 'RMSNorm')
    _flow(ax, (X, y['add'] - 0.24), (X, y['norm0'] + H / 2))
    # layer 0
    frame_h = y['save1'] - y['res2'] + 1.1
    box(ax, (X, y['res2'] - 0.5 + frame_h / 2), 5.5, frame_h, 'none', '#0db99a', lw=2, rounding=0.25, zorder=0)
    ax.text(X - 2.6, y['save1'] + 0.42, 'Layer 0', fontsize=11, fontweight='bold', color='#0b8f77', va='center')
    blocks = [('save1', 'norm1', 'attn', 'res1', f'Multi-Head Attention\n({c.n_head} heads)', '#fef3c7'),
              ('save2', 'norm2', 'mlp', 'res2', f'MLP\n({e}→{hidden}→{e})', '#d1fae5')]
    prev = 'norm0'
    for save, norm, block, res, text, colour in blocks:
        _node(ax, (X, y[save]), 'save x_residual', '#f3f4f6')
        _flow(ax, (X, y[prev] - (H / 2 if prev.startswith('norm') else 0.24)), (X, y[save] + H / 2),
               label=f'{e}')
        _node(ax, (X, y[norm]), 'RMSNorm')
        _flow(ax, (X, y[save] - H / 2), (X, y[norm] + H / 2))
        _node(ax, (X, y[block]), text, colour, h=0.8)
        _flow(ax, (X, y[norm] - H / 2), (X, y[block] + 0.4))
        _plus(ax, (X, y[res]))
        _flow(ax, (X, y[block] - 0.4), (X, y[res] + 0.24), label=f'{e}')
        ax.text(X + 0.35, y[res], 'residual', fontsize=9, color='#4b5563', va='center')
        # the skip: from the saved x, around the block, into the sum
        ax.plot([X - 1.5, X - 2.25, X - 2.25], [y[save], y[save], y[res]], color=MUTED, lw=1.4, ls='--',
                zorder=1)
        _flow(ax, (X - 2.25, y[res]), (X - 0.24, y[res]), dashed=True, colour=MUTED)
        ax.text(X - 2.25, (y[save] + y[res]) / 2, 'skip', fontsize=9.5, color=MUTED, style='italic',
                va='center', ha='center', rotation=90, backgroundcolor='white', zorder=2)
        prev = res
    _node(ax, (X, y['lm']), f'lm_head\n({e} → {vocab_size})', '#ede9fe', h=0.8)
    _flow(ax, (X, y['res2'] - 0.24), (X, y['lm'] + 0.4), label=f'{e}')
    _node(ax, (X, y['out']), f'logits\n({vocab_size} scores)', TEAL, teal_edge, h=0.8, bold=True)
    _flow(ax, (X, y['lm'] - 0.4), (X, y['out'] + 0.4), label=f'{vocab_size}')
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-0.8, 13.8)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title('gpt(token_id, pos_id, keys, values)', fontsize=12, family='monospace')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- ch. 3: what training learned

VOWEL_COLOR, CONSONANT_COLOR, BOS_COLOR = '#db2777', '#4f46e5', '#334155'


def _letter_colors(labels, vowels):
    return [BOS_COLOR if s == 'BOS' else VOWEL_COLOR if s in vowels else CONSONANT_COLOR for s in labels]


def plot_embedding_similarity(before, after, labels, vowels='aeiouy'):
    """Two heatmaps of the cosine similarity between the rows of wte (one row and one column
    per token, in the order of labels: the vowels first), at initialization and after
    training, with lines between the vowels, the consonants and BOS."""
    import numpy as np
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 5.9))
    n_vowels = sum(s in vowels for s in labels)
    n_letters = sum(s != 'BOS' for s in labels)
    colors = _letter_colors(labels, vowels)
    for ax, sim, title in ((axes[0], before, 'at initialization'), (axes[1], after, 'after 1000 training steps')):
        im = ax.imshow(np.asarray(sim, dtype=float), cmap='RdBu_r', vmin=-1, vmax=1, interpolation='nearest')
        ax.set_xticks(range(len(labels)), labels, fontsize=8.5, family='monospace')
        ax.set_yticks(range(len(labels)), labels, fontsize=8.5, family='monospace')
        for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
            for tick, color in zip(ticks, colors):
                tick.set_color(color)
        for edge in (n_vowels - 0.5, n_letters - 0.5):
            ax.axhline(edge, color='black', linewidth=1.1)
            ax.axvline(edge, color='black', linewidth=1.1)
        ax.set_title(f'wte {title}')
        ax.tick_params(length=0)
    fig.colorbar(im, ax=axes, fraction=0.025, pad=0.02, label='cosine similarity of two rows')
    fig.suptitle('How alike are the token embeddings? Vowels first (pink), then consonants, then BOS',
                 fontsize=12)
    return fig


def plot_mlp_unit(unit, reads, writes, labels, vowels='aeiouy'):
    """One MLP hidden unit of the trained model: its mean activation for each current token
    (reads: one number per label) and what it adds, per unit of activation, to each next
    token's logit through mlp_fc2 and lm_head (writes: one number per label)."""
    colors = _letter_colors(labels, vowels)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9.5, 6.2))
    xs = range(len(labels))
    top.bar(xs, reads, color=colors)
    top.set_ylabel('mean activation')
    top.set_title(f'What unit {unit} reads: its mean activation when the current token is ...')
    bottom.bar(xs, writes, color=colors)
    bottom.axhline(0, color='black', linewidth=0.8)
    bottom.set_ylabel('logit change per unit')
    bottom.set_title(f'What unit {unit} writes: how it moves the logit of each next token')
    for ax in (top, bottom):
        ax.set_xticks(list(xs), labels, fontsize=9, family='monospace')
        for tick, color in zip(ax.get_xticklabels(), colors):
            tick.set_color(color)
        ax.set_xlim(-0.7, len(labels) - 0.3)
    fig.text(0.99, 0.005, 'pink: vowels    indigo: consonants    dark: BOS', ha='right', va='bottom',
             fontsize=9.5, color='#334155')
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig
