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
    """Apply the book's figure style (call once at the top of a chapter): sharp (2x)
    PNG figures on a white background."""
    plt.rcParams.update(STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats('retina')
    except ImportError:  # not in IPython: nothing to configure
        pass


def show_source(obj):
    """The package's own source of a function or class, highlighted: the code the reader
    sees is the code that runs, never a copy."""
    from IPython.display import Code
    return Code(inspect.getsource(obj), language='python')


def moving_average(xs, window):
    """Trailing mean: element i is the mean of xs[max(0, i - window + 1) : i + 1], so the
    result is as long as xs (its first window - 1 values average fewer steps)."""
    import numpy as np
    xs = np.asarray(xs, dtype=float)
    c = np.concatenate([[0.0], np.cumsum(xs)])
    i = np.arange(1, len(xs) + 1)
    lo = np.maximum(0, i - window)
    return (c[i] - c[lo]) / (i - lo)


def smoothed(losses, window):
    """The book's one convention for loss curves: (steps, averages), the trailing mean of the
    last `window` steps, drawn only from step `window` on, where the window is full."""
    import numpy as np
    avg = moving_average(losses, window)[window - 1:]
    return np.arange(window, len(losses) + 1), avg


def ma_label(window):
    """The legend text that goes with smoothed()."""
    return f'moving average (last {window} steps)'


def np_softmax(logits, temperature=1.0):
    """Probabilities from plain-float logits divided by the temperature (for reading
    traces and drawing; the model's own softmax works on Values)."""
    import numpy as np
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def animation_html(anim, alt='An animation: step through its frames with the slider or the buttons.',
                   **kwargs):
    """A matplotlib animation as a scrubbable JavaScript player (HTML), the static twin
    of a slider. matplotlib's player links Font Awesome from a CDN for its button icons;
    that link is dropped so the page works offline (the book's theme and JupyterLab
    bring their own Font Awesome). alt: the frame's alt text, a sentence for screen readers."""
    import html as html_lib
    import re
    from IPython.display import HTML
    html = anim.to_jshtml(**kwargs)
    html = re.sub(r'<link[^>]*font-awesome[^>]*>', '', html)
    html = re.sub(r'<img id="(_anim_img\w+)"', lambda m: f'<img id="{m.group(1)}" alt="{html_lib.escape(alt)}"',
                  html)
    plt.close(anim._fig)
    return HTML(html)


def annotate_image(ax, fmt='{:.2f}', fontsize=8):
    """Write each cell's value on the heatmap drawn on ax, in black on light cells and in
    white on dark ones (judged from the colour actually drawn, so it works for any
    colormap). Empty (NaN) cells stay blank."""
    import numpy as np
    im = ax.images[-1]
    m = np.ma.filled(np.ma.asarray(im.get_array(), dtype=float), np.nan)  # masked or NaN: blank
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            v = m[i, j]
            if np.isnan(v):
                continue
            r, g, b, _ = im.cmap(im.norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.55
            text = fmt.format(v)
            if text.startswith('-') and float(text) == 0:  # no "-0.00"
                text = fmt.format(0.0)
            ax.text(j, i, text, ha='center', va='center', fontsize=fontsize,
                    color='white' if dark else 'black')


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
        annotate_image(ax, fmt)
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
