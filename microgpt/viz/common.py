"""Pieces every chapter uses: show the package's own source, one figure style, heatmaps,
and the attention maps of a name."""

import inspect

import matplotlib.pyplot as plt

from ..model import Trace

# One style for every figure: white background (readable in light and dark mode alike),
# large enough text for a phone, no chart junk.
STYLE = {
    'figure.facecolor': 'white', 'axes.facecolor': 'white', 'savefig.facecolor': 'white',
    'figure.dpi': 100, 'font.size': 11, 'axes.titlesize': 12, 'axes.labelsize': 11,
    'axes.spines.top': False, 'axes.spines.right': False, 'axes.grid': False,
    'image.cmap': 'viridis',
}


def style():
    """Apply the book's figure style (call once at the top of a chapter)."""
    plt.rcParams.update(STYLE)


def show_source(obj):
    """The package's own source of a function or class, highlighted: the code the reader
    sees is the code that runs, never a copy."""
    from IPython.display import Code
    return Code(inspect.getsource(obj), language='python')


def heatmap(ax, matrix, row_labels=None, col_labels=None, title=None, cmap='viridis',
            vmin=None, vmax=None, annotate=False, fmt='{:.2f}', colorbar=True):
    """Draw a matrix (list of rows, or array) on ax with labelled rows and columns."""
    import numpy as np
    m = np.asarray(matrix, dtype=float)
    im = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax, aspect='auto')
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), row_labels)
    if col_labels is not None:
        ax.set_xticks(range(len(col_labels)), col_labels)
    if title:
        ax.set_title(title)
    if annotate:
        lo, hi = np.nanmin(m), np.nanmax(m)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                if not np.isnan(m[i, j]):
                    dark = (m[i, j] - lo) < 0.5 * (hi - lo)  # light text on dark cells
                    ax.text(j, i, fmt.format(m[i, j]), ha='center', va='center', fontsize=8,
                            color='white' if dark else 'black')
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return im


def attention_maps(model, tokenizer, text):
    """Feed [BOS] + text through a scalar GPT one position at a time (with its KV cache)
    and collect, per (layer, head), the attention weights as a square matrix:
    row = query position, column = key position (NaN above the diagonal: the future)."""
    tokens = [tokenizer.BOS] + tokenizer.encode(text)
    tokens = tokens[:model.config.block_size]
    T = len(tokens)
    keys, values = model.empty_cache()
    maps = {(li, h): [[float('nan')] * T for _ in range(T)]
            for li in range(model.config.n_layer) for h in range(model.config.n_head)}
    for pos, token_id in enumerate(tokens):
        trace = Trace()
        model.gpt(token_id, pos, keys, values, trace=trace)
        for (li, h), m in maps.items():
            m[pos][:pos + 1] = trace['attn_weights', li, h]
    labels = [tokenizer.token_str(t) for t in tokens]
    return maps, labels


def plot_attention(maps, labels, title=None, layer=0, axes=None, annotate=True):
    """One heatmap per head of one layer: who attends to whom."""
    heads = sorted(h for (li, h) in maps if li == layer)
    if axes is None:
        fig, axes = plt.subplots(1, len(heads), figsize=(3.2 * len(heads), 3.4), squeeze=False)
        axes = axes[0]
    for ax, h in zip(axes, heads):
        heatmap(ax, maps[layer, h], labels, labels, title=f'head {h}', cmap='Blues', vmin=0, vmax=1,
                annotate=annotate and len(labels) <= 9, colorbar=False)
        ax.set_xlabel('key position (attended to)')
    axes[0].set_ylabel('query position')
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes[0].figure


def trained_run(preset='book', num_steps=None, **overrides):
    """A trained run in seconds: the NumPy engine (same numbers as the scalar engine, see
    chapter 7) trained on the book's names. Returns the Run; run.model.to_scalar() gives a
    scalar GPT with the trained weights for tracing."""
    from ..config import get_config
    from ..pipeline import prepare
    run = prepare(get_config(preset, **overrides), engine='numpy')
    run.train(num_steps)
    return run
