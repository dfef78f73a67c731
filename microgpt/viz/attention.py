"""Chapter 4's attention figures: a name fed through gpt() one token at a time, with what
the KV cache holds, each head's attention row and the next-token distribution at every
position. One drawing function, draw_step(), serves the static twin (an animation or a
grid) and the live widget, so both show exactly the same picture."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ..explore import kv_steps
from .architecture import HEAD_COLOURS
from .common import GREY, INDIGO, PINK, animation_html, annotate_image, heatmap, plot_attention, token_label


def draw_step(fig, steps, i, tokenizer, block_size=8, title=None):
    """Draw position i of kv_steps() on fig (cleared first): the KV cache, every head's
    attention row, and the next-token distribution with the true next token in pink."""
    fig.clf()
    s = steps[i]
    n_head = len(s['attn'])
    gs = fig.add_gridspec(3, 1, height_ratios=[1.0, 0.28 * n_head + 0.5, 2.1], hspace=0.75,
                          left=0.09, right=0.97, top=0.88, bottom=0.08)
    ax_cache, ax_attn, ax_prob = (fig.add_subplot(gs[k]) for k in range(3))
    tok, nxt = token_label(tokenizer, s['token']), token_label(tokenizer, s['next'])
    fig.suptitle(title or '', fontsize=13, y=0.985)
    fig.text(0.5, 0.935, f"position {s['pos']}: input '{tok}'  →  predict the next token (truth: '{nxt}')",
             ha='center', fontsize=12, color='black')

    # 1. what the KV cache holds after this step
    for slot in range(block_size):
        filled, current = slot <= s['pos'], slot == s['pos']
        face = '#fce7f3' if current else ('#e0e7ff' if filled else 'white')
        edge = PINK if current else (INDIGO if filled else GREY)
        ax_cache.add_patch(FancyBboxPatch((slot + 0.06, 0.06), 0.88, 0.88, boxstyle='round,pad=0,rounding_size=0.1',
                                          facecolor=face, edgecolor=edge, lw=2.2 if current else 1.3,
                                          linestyle='-' if filled else '--'))
        if filled:
            ax_cache.text(slot + 0.5, 0.6, token_label(tokenizer, s['cache'][slot]), ha='center', va='center',
                          fontsize=13, fontweight='bold')
            ax_cache.text(slot + 0.5, 0.24, 'k, v  (new)' if current else 'k, v', ha='center', va='center',
                          fontsize=8.5, color=PINK if current else '#4b5563')
        else:
            ax_cache.text(slot + 0.5, 0.5, 'empty', ha='center', va='center', fontsize=8.5, color=GREY)
    ax_cache.set_xlim(0, block_size)
    ax_cache.set_ylim(0, 1)
    ax_cache.set_xticks([k + 0.5 for k in range(block_size)], [str(k) for k in range(block_size)])
    ax_cache.set_yticks([])
    for side in ('left', 'bottom'):
        ax_cache.spines[side].set_visible(False)
    ax_cache.tick_params(length=0)
    ax_cache.set_title(f"KV cache: the keys and values of {s['keys_stored']} of {block_size} positions",
                       loc='left', fontsize=11)

    # 2. each head's attention row: weights over the cached positions (nothing beyond them)
    rows = [list(a) + [float('nan')] * (block_size - len(a)) for a in s['attn']]
    col_labels = [token_label(tokenizer, t) for t in s['cache']] + [''] * (block_size - len(s['cache']))
    heatmap(ax_attn, rows, [f'head {h}' for h in range(n_head)], col_labels, cmap='Blues', vmin=0, vmax=1,
            colorbar=False)
    annotate_image(ax_attn, '{:.2f}', fontsize=9)
    ax_attn.set_xlim(-0.5, block_size - 0.5)
    for h, lab in enumerate(ax_attn.get_yticklabels()):
        lab.set_color(HEAD_COLOURS[h % len(HEAD_COLOURS)])
    ax_attn.set_facecolor('#f3f4f6')
    ax_attn.set_title(f"attention of position {s['pos']} ('{tok}') over the cache, per head (each row sums to 1)",
                      loc='left', fontsize=11)

    # 3. the next-token distribution
    probs = s['probs']
    labels = [token_label(tokenizer, k) for k in range(len(probs))]
    colours = [PINK if k == s['next'] else INDIGO for k in range(len(probs))]
    ax_prob.bar(range(len(probs)), probs, color=colours)
    ax_prob.set_xticks(range(len(probs)), labels, fontsize=9)
    ax_prob.get_xticklabels()[s['next']].set_color(PINK)
    ax_prob.get_xticklabels()[s['next']].set_fontweight('bold')
    ax_prob.set_ylim(0, max(0.3, max(probs) * 1.15))
    ax_prob.set_ylabel('probability')
    top = max(range(len(probs)), key=probs.__getitem__)
    ax_prob.set_title(f"next-token distribution: p('{nxt}') = {probs[s['next']]:.3f}   "
                      f"(top guess '{labels[top]}', {probs[top]:.3f})", loc='left', fontsize=11)
    return fig


STEP_FIGSIZE = (9, 7.0)


def step_figure(steps, i, tokenizer, block_size=8, title=None):
    """A new figure showing position i (see draw_step)."""
    fig = plt.figure(figsize=STEP_FIGSIZE)
    return draw_step(fig, steps, i, tokenizer, block_size, title)


def step_animation(steps, tokenizer, block_size=8, title=None, interval=1600):
    """The static twin of step_widget(): every position as one frame of a scrubbable
    JavaScript animation (works in the HTML book, no kernel needed)."""
    from matplotlib.animation import FuncAnimation
    fig = plt.figure(figsize=STEP_FIGSIZE, dpi=80)
    anim = FuncAnimation(fig, lambda i: draw_step(fig, steps, i, tokenizer, block_size, title),
                         frames=len(steps), interval=interval)
    alt = ('An animation with one frame per position of the name: the KV cache, each '
           "head's attention over it and the next-token distribution at that position.")
    return animation_html(anim, alt=alt, default_mode='once')


def step_widget(models, tokenizer, text, block_size=8):
    """Live version: choose a model (a dict name -> model), type a name, drag the position
    slider. Each (model, name) is fed through gpt() once; the slider only redraws.
    Returns the widget (display it, or make it the last expression of a cell)."""
    import ipywidgets as widgets

    cache = {}
    name_box = widgets.Text(value=text, description='name', continuous_update=False)
    model_box = widgets.Dropdown(options=list(models), value=list(models)[-1], description='model')
    slider = widgets.IntSlider(value=0, min=0, max=block_size - 1, description='position', continuous_update=True)
    out = widgets.Output()

    def steps_for(model_name, name):
        if (model_name, name) not in cache:
            cache[model_name, name] = kv_steps(models[model_name], tokenizer, name)
        return cache[model_name, name]

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            try:
                steps = steps_for(model_box.value, name_box.value.strip().lower())
            except Exception as e:  # e.g. a character outside the vocabulary
                print(f"{type(e).__name__}: {e}")
                return
            slider.max = len(steps) - 1
            step_figure(steps, min(slider.value, len(steps) - 1), tokenizer, block_size,
                              title=f"'{name_box.value.strip().lower()}', {model_box.value} model")
            plt.show()

    for w in (name_box, model_box, slider):
        w.observe(redraw, names='value')
    redraw()
    return widgets.VBox([widgets.HBox([name_box, model_box]), slider, out])


def head_roles(model, tokenizer, docs):
    """Per head, the average attention weight that a query at position t >= 2 puts on
    BOS (position 0), on the previous position (t - 1), on itself (t) and on everything
    else, over the given documents; and the same four numbers for uniform attention
    (1 / (t + 1) on each cached position), the baseline of a head that learned nothing."""
    n_head = model.config.n_head
    sums = [[0.0] * 4 for _ in range(n_head)]
    base, count = [0.0] * 4, 0
    for doc in docs:
        for s in kv_steps(model, tokenizer, doc):
            t = s['pos']
            if t < 2:
                continue
            count += 1
            for h, w in enumerate(s['attn']):
                parts = [w[0], w[t - 1], w[t]]
                for k, v in enumerate(parts + [1.0 - sum(parts)]):
                    sums[h][k] += v
            for k, v in enumerate([1 / (t + 1)] * 3 + [(t - 2) / (t + 1)]):
                base[k] += v
    return [[v / count for v in row] for row in sums], [v / count for v in base], count


def plot_attention_maps(maps, labels, title):
    """common.plot_attention (one heatmap per head), with every weight written in a colour
    that stays readable on light and dark cells."""
    n_head = len({h for (_, h) in maps})
    cols = 2 if n_head > 2 else n_head
    rows = -(-n_head // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 4.0 * rows), squeeze=False)
    axes = axes.ravel()
    plot_attention(maps, labels, title=title, axes=axes, annotate=False)
    for k, ax in enumerate(axes):
        annotate_image(ax, '{:.2f}', fontsize=9 if len(labels) <= 6 else 8)
        if k % cols == 0:
            ax.set_ylabel('query position')
        if k < n_head - cols:
            ax.set_xlabel('')
    return fig


def plot_head_roles(roles, baseline, title):
    """Grouped bars: per head, average weight on BOS / previous / self / the rest."""
    parts = ['BOS (pos 0)', 'previous (t-1)', 'itself (t)', 'the rest']
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
    width = 0.8 / (len(roles) + 1)
    for h, row in enumerate(roles):
        ax.bar([k + h * width for k in range(4)], row, width, color=HEAD_COLOURS[h], label=f'head {h}')
    ax.bar([k + len(roles) * width for k in range(4)], baseline, width, color='white', edgecolor='black',
           hatch='//', label='uniform')
    ax.set_xticks([k + 0.4 - width / 2 for k in range(4)], parts)
    ax.set_ylabel('average attention weight')
    ax.set_title(title)
    ax.legend(frameon=False, ncol=len(roles) + 1, loc='upper left', fontsize=9)
    ax.set_ylim(0, max(max(r) for r in roles + [baseline]) * 1.3)
    fig.tight_layout()
    return fig
