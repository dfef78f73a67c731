"""Pieces every chapter uses: show the package's own source, one figure style and
palette, token labels, heatmaps, the attention maps of a name, and the one drawing kit
of the diagrams (box, arrow). Text tables live in microgpt.tables (no matplotlib needed)."""


import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..contract import run_sequence
from ..explore import moving_average_label, token_label, trailing_means

# The palette: the book's accent colours (custom.css) and the few every figure shares.
INDIGO = '#4f46e5'  # the main series: probabilities, bars
PINK = '#db2777'    # what is highlighted: the chosen or true token
GREY = '#9ca3af'    # what is in the background
MUTED = '#6b7280'   # raw values before a step (logits, pre-activations)
SLATE = '#334155'   # the BOS token, the same in every figure
RED = '#d62728'     # the baseline: the uniform guess, ln(vocab_size)
TEAL = '#1de9b6'    # the seed diagram's input/output colour




# ----------------------------------------------------------------------------- the drawing kit

def box(ax, xy, w, h, facecolor='white', edgecolor='black', lw=1.4, ls='-', rounding=0.12, pad=0.02,
        zorder=2):
    """A rounded box of w x h data units centred on xy (the diagrams' one box shape)."""
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f'round,pad={pad},rounding_size={rounding}',
                                facecolor=facecolor, edgecolor=edgecolor, linewidth=lw, linestyle=ls,
                                zorder=zorder))


def arrow(ax, start, end, color='#4b5563', lw=1.8, ls='-', rad=0.0, head=16, shrink=2.0, zorder=1):
    """An arrow from start to end in data coordinates (the diagrams' one arrow): rad bends it
    (0: straight), head is the size of its tip, shrink the points left free at both ends."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle='-|>', mutation_scale=head, color=color, lw=lw,
                                 linestyle=ls, connectionstyle=f'arc3,rad={rad}', shrinkA=shrink,
                                 shrinkB=shrink, zorder=zorder))


# One style for every figure: white background (readable in light and dark mode alike),
# large enough text for a phone, no chart junk.
STYLE = {
    'figure.facecolor': 'white', 'axes.facecolor': 'white', 'savefig.facecolor': 'white',
    'figure.dpi': 100, 'font.size': 11, 'axes.titlesize': 12, 'axes.labelsize': 11,
    'axes.spines.top': False, 'axes.spines.right': False, 'axes.grid': False,
    'image.cmap': 'viridis',
}


# The book's text column is 688 CSS pixels wide (sphinx-book-theme on a desktop).
# Figures are saved at twice their displayed width (sharp on high-density screens)
# and no more: a 10-inch figure saved "retina" at 2 x 100 dpi would be 2000 px wide,
# about 3x what the column shows, and twice the bytes.
COLUMN_PX = 688


def _png_size(data):
    """(width, height) of a PNG, from its IHDR chunk."""
    return int.from_bytes(data[16:20], 'big'), int.from_bytes(data[20:24], 'big')


def png_2x(fig):
    """A figure as PNG bytes at 2x its display width (at most the column), with the display
    size as metadata, as the 'retina' format does but capped at 2 x COLUMN_PX pixels.
    Rendered twice: 'tight' cropping changes the width, and the crop is measured in inches."""
    from io import BytesIO

    def render(dpi):
        buf = BytesIO()
        fig.canvas.print_figure(buf, format='png', dpi=dpi, bbox_inches='tight',
                                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
        return buf.getvalue()

    data = render(fig.dpi)
    width_in = _png_size(data)[0] / fig.dpi                   # the cropped figure's width
    display_px = min(width_in * fig.dpi, COLUMN_PX)
    data = smaller_png(render(2 * display_px / width_in))
    w, h = _png_size(data)
    return data, {'width': w // 2, 'height': h // 2}


def smaller_png(data):
    """The same picture with a 256-colour palette (no dithering) when that is smaller:
    charts and heatmaps use few colours, so it looks the same at about a third of the
    bytes, and every chapter page stays light (the HTML book's 3 MB budget)."""
    from io import BytesIO

    from PIL import Image
    img = Image.open(BytesIO(data)).convert('RGB')
    buf = BytesIO()
    img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, format='PNG',
                                                                                     optimize=True)
    return buf.getvalue() if buf.tell() < len(data) else data


def style():
    """Apply the book's figure style (call once at the top of a chapter): sharp PNG figures
    (2x their displayed width, see png_2x) on a white background."""
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in IPython: nothing to configure
        return
    set_matplotlib_formats('png')
    ip = get_ipython()
    if ip is not None:
        ip.display_formatter.formatters['image/png'].for_type(Figure, png_2x)


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
    """The book's one convention for loss curves (explore.trailing_means, which the training
    widget streams too): (steps, averages), the trailing mean of the last `window` steps,
    drawn only from step `window` on, where the window is full."""
    import numpy as np
    return np.arange(window, len(losses) + 1), np.array(trailing_means([float(x) for x in losses], window))


ma_label = moving_average_label  # the legend text that goes with smoothed()


def np_softmax(logits, temperature=1.0):
    """Probabilities from plain-float logits divided by the temperature (for reading
    traces and drawing; the model's own softmax works on Values)."""
    import numpy as np
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def _smaller_frame(match):
    """One frame of a to_jshtml player, re-encoded like the figures (smaller_png)."""
    import base64
    import re
    raw = base64.b64decode(re.sub(r'[\\\n]', '', match.group(1)))  # JS line continuations
    return 'data:image/png;base64,' + base64.b64encode(smaller_png(raw)).decode()


def animation_html(anim, alt='An animation: step through its frames with the slider or the buttons.',
                   **kwargs):
    """A matplotlib animation as a scrubbable JavaScript player (HTML), the static twin
    of a slider. matplotlib's player links Font Awesome from a CDN for its button icons;
    that link is dropped so the page works offline (the book's theme and JupyterLab
    bring their own Font Awesome). alt: the frame's alt text, a sentence for screen readers;
    the frame slider, which matplotlib leaves without a label, is labelled "animation frame"."""
    import html as html_lib
    import re

    from IPython.display import HTML
    html = anim.to_jshtml(**kwargs)
    html = re.sub(r'<link[^>]*font-awesome[^>]*>', '', html)
    html = re.sub(r'data:image/png;base64,([A-Za-z0-9+/=\\\n]+)', _smaller_frame, html)  # frames, as figures
    html = re.sub(r'<img id="(_anim_img\w+)"', lambda m: f'<img id="{m.group(1)}" alt="{html_lib.escape(alt)}"',
                  html)
    html = re.sub(r'(<input id="_anim_slider\w+" type="range" class="anim-slider")',
                  r'\1 aria-label="animation frame"', html)
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
    maps = {(li, h): [[float('nan')] * T for _ in range(T)]
            for li in range(model.config.n_layer) for h in range(model.config.n_head)}
    for pos, trace in enumerate(run_sequence(model, tokens)):
        for (li, h), m in maps.items():
            m[pos][:pos + 1] = trace['attn_weights', li, h]
    labels = [token_label(tokenizer, t) for t in tokens]
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
