"""Figures, helpers and widgets for chapter 6 (Inference): a sampled name position by
position, the KV cache growing, temperature (small multiples and a slider), greedy
decoding, attention during generation, and scoring a name.

Every function takes any engine's model: a scalar `microgpt.GPT`, a
`microgpt.list_engine.GPT` or a `microgpt.numpy_engine.GPT` (the same numbers; the list and
NumPy ones sample about twenty times faster, which keeps the widgets responsive)."""

import math

import matplotlib.pyplot as plt
import numpy as np

from .. import explore, list_engine, numpy_engine
from .. import sample as scalar
from ..errors import MicroGPTError
from ..explore import entropy, floats, next_token_probs, score, token_labels
from .common import INDIGO, PINK, RED, np_softmax, token_label

# ----------------------------------------------------------------------------- basics

def _sample(model):
    """The sampler of this model's engine: numpy_engine.sample, list_engine.sample or the
    scalar sample.sample."""
    if isinstance(model, numpy_engine.GPT):
        return numpy_engine.sample
    return list_engine.sample if isinstance(model, list_engine.GPT) else scalar.sample


def sample_names(model, tokenizer, temperature, n=8, seed=None):
    """n names at one temperature, from a stream seeded by the temperature itself (so the
    same temperature always gives the same names); see microgpt.explore.sample_names."""
    return explore.sample_names(model, tokenizer, temperature, n, seed, draw=_sample(model))


# ----------------------------------------------------------------------------- one name, step by step

def plot_kv_cache(trace, tokenizer, layer=0, ncols=4):
    """Small multiples: the KV cache of one layer after each generated position. Each
    panel shows the cached keys (left block) and values (right block), one row per
    position; the row added at that step is outlined, rows not yet filled are empty."""
    T = len(trace)
    k_rows = [trace[t]['gpt']['k', layer] for t in range(T)]
    v_rows = [trace[t]['gpt']['v', layer] for t in range(T)]
    e = len(k_rows[0])
    block = max(T, 1)
    vmax = max(abs(x) for r in k_rows + v_rows for x in r)
    cmap = plt.get_cmap('RdBu_r').copy()
    cmap.set_bad('#f3f3f3')
    nrows = math.ceil(T / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.5 * ncols, 0.36 * block * nrows + 1.2 * nrows),
                             squeeze=False)
    labels = [token_label(tokenizer, trace[t]['token']) for t in range(T)]  # 'BOS', 'a', ...
    for t, ax in enumerate(axes.flat):
        if t >= T:
            ax.axis('off')
            continue
        m = np.full((block, 2 * e + 1), np.nan)
        for s in range(t + 1):
            m[s, :e], m[s, e + 1:] = k_rows[s], v_rows[s]
        im = ax.imshow(m, cmap=cmap, vmin=-vmax, vmax=vmax, aspect='auto')
        ax.axvline(e, color='white', lw=4)                      # gap between keys and values
        ax.add_patch(plt.Rectangle((-0.5, t - 0.5), 2 * e + 1, 1, fill=False, ec='black', lw=1.5))
        ax.set_yticks(range(block), [labels[s] if s <= t else '' for s in range(block)], fontsize=10)
        ax.set_xticks([(e - 1) / 2, e + 1 + (e - 1) / 2], ['keys', 'values'], fontsize=10)
        ax.tick_params(length=0)
        ax.set_title(f"position {t}, input '{labels[t]}'\n{2 * (t + 1) * e} numbers cached", fontsize=10)
        for s in ax.spines.values():
            s.set_visible(False)
    fig.subplots_adjust(left=0.06, right=0.88, top=1 - 1.05 / fig.get_figheight(), wspace=0.3, hspace=0.45)
    fig.suptitle(f'The KV cache grows by one key and one value ({e} numbers each) per position')
    cax = fig.add_axes([0.91, 0.2, 0.015, 0.6])
    fig.colorbar(im, cax=cax, label='value of the entry')
    return fig


def max_difference(maps_a, maps_b):
    """The largest absolute difference between two sets of attention maps (NaNs skipped)."""
    return max(abs(a - b) for key in maps_a for ra, rb in zip(maps_a[key], maps_b[key])
               for a, b in zip(ra, rb) if not (math.isnan(a) or math.isnan(b)))


def attention_from_trace(trace, tokenizer, layer=0):
    """Attention maps of a generated name, from its sample trace: per (layer, head), a square
    matrix, row = the generating position (query), column = the cached position it looked at
    (NaN above the diagonal: the future). Same format as viz.attention_maps."""
    T = len(trace)
    heads = sorted(h for key in trace[0]['gpt'] if isinstance(key, tuple) and len(key) == 3
                   for (_, li, h) in [key] if li == layer)
    maps = {(layer, h): [[float('nan')] * T for _ in range(T)] for h in heads}
    for t, step in enumerate(trace):
        for h in heads:
            maps[layer, h][t][:t + 1] = step['gpt']['attn_weights', layer, h]
    labels = [token_label(tokenizer, step['token']) for step in trace]
    return maps, labels


def plot_generation_attention(maps, labels, title=None, layer=0, ncols=2):
    """One heatmap per head, in a grid: row = the position choosing the next token (its
    input token as label), column = the cached position attended to; weights annotated."""
    heads = sorted(h for (li, h) in maps if li == layer)
    nrows = math.ceil(len(heads) / ncols)
    T = len(labels)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 0.4 * T * nrows + 1.6), squeeze=False)
    cmap = plt.get_cmap('Blues').copy()
    cmap.set_bad('white')
    for ax, h in zip(axes.flat, heads):
        m = np.asarray(maps[layer, h], dtype=float)
        im = ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect='auto')
        for i in range(T):
            for j in range(i + 1):
                ax.text(j, i, '1' if m[i, j] >= 0.995 else f'{m[i, j]:.2f}'[1:], ha='center', va='center',
                        fontsize=8, color='white' if m[i, j] > 0.55 else 'black')
        ax.set_xticks(range(T), labels, fontsize=10)
        ax.set_yticks(range(T), [f'{lab} ({i})' for i, lab in enumerate(labels)])
        ax.set_title(f'head {h}')
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel('input token (position)')
    for ax in axes[-1]:
        ax.set_xlabel('cached position attended to')
    for ax in list(axes.flat)[len(heads):]:
        ax.axis('off')
    h = fig.get_figheight()
    fig.subplots_adjust(left=0.14, right=0.86, top=1 - 0.75 / h, bottom=0.6 / h, wspace=0.3, hspace=0.35)
    cax = fig.add_axes([0.89, 0.25, 0.02, 0.5])
    fig.colorbar(im, cax=cax, label='attention weight')
    if title:
        fig.suptitle(title)
    return fig


# ----------------------------------------------------------------------------- temperature

def _temperature_row(ax_bars, ax_names, model, tokenizer, temperature, n_names):
    probs = next_token_probs(model, tokenizer, temperature)
    H = entropy(probs)
    colors = [PINK if i == int(np.argmax(probs)) else INDIGO for i in range(len(probs))]
    ax_bars.bar(range(len(probs)), probs, color=colors)
    ax_bars.set_xticks(range(len(probs)), token_labels(tokenizer), fontsize=8)
    ax_bars.set_xlim(-0.7, len(probs) - 0.3)
    ax_bars.set_ylim(0, 1.0)
    ax_bars.set_ylabel('probability')
    ax_bars.set_title(f'T = {temperature:g}: entropy {H:.2f} nats, '
                      f'like {math.exp(H):.1f} equally likely letters', fontsize=11, loc='left')
    names = sample_names(model, tokenizer, temperature, n_names)
    ax_names.axis('off')
    ax_names.set_title(f'{n_names} names at T = {temperature:g}', fontsize=11, loc='left')
    half = (n_names + 1) // 2
    for j, name in enumerate(names):
        ax_names.text(0.0 if j < half else 0.5, 1 - (j % half + 0.6) / half, name or '(empty)',
                      family='monospace', fontsize=11, transform=ax_names.transAxes, va='center')
    return probs, names


def plot_temperatures(model, tokenizer, temperatures=(0.1, 0.5, 1.0, 2.0), n_names=8):
    """Small multiples, one row per temperature: the next-token distribution after BOS
    (the first letter) and n_names sampled names. Returns the figure and {T: names}."""
    fig, axes = plt.subplots(len(temperatures), 2, figsize=(10, 2.4 * len(temperatures)),
                             gridspec_kw={'width_ratios': [3, 1]}, squeeze=False)
    samples = {}
    for (ax_b, ax_n), T in zip(axes, temperatures):
        samples[T] = _temperature_row(ax_b, ax_n, model, tokenizer, T, n_names)[1]
    axes[-1][0].set_xlabel('next token after BOS (the most likely one in pink)')
    fig.tight_layout()
    return fig, samples


def temperature_widget(model, tokenizer, n_names=8, value=0.5):
    """A slider for the temperature; redraws the distribution and samples new names."""
    import ipywidgets as widgets

    def show(temperature):
        fig, (ax_b, ax_n) = plt.subplots(1, 2, figsize=(10, 2.8), gridspec_kw={'width_ratios': [3, 1]})
        _temperature_row(ax_b, ax_n, model, tokenizer, temperature, n_names)
        ax_b.set_xlabel('next token after BOS (the most likely one in pink)')
        fig.tight_layout()
        plt.show()

    slider = widgets.FloatSlider(value=value, min=0.05, max=3.0, step=0.05, description='temperature',
                                 continuous_update=False, readout_format='.2f',
                                 style={'description_width': 'initial'}, layout={'width': '60%'})
    return widgets.interact(show, temperature=slider)


def greedy(model, tokenizer):
    """Greedy decoding: always take the most likely next token (the T -> 0 limit of
    sampling). Returns the name and the probability of each chosen token."""
    keys, values = model.empty_cache()
    token, out, chosen = tokenizer.BOS, [], []
    for pos in range(model.config.block_size):
        probs = np_softmax(floats(model.gpt(token, pos, keys, values)))  # plain floats, NumPy
        token = int(np.argmax(probs))
        chosen.append(float(probs[token]))
        if token == tokenizer.BOS:
            break
        out.append(tokenizer.uchars[token])
    return ''.join(out), chosen


# ----------------------------------------------------------------------------- scoring a name

def plot_scores(model, tokenizer, names, kinds=None):
    """Left: each name's mean -log p, with the uniform guess ln(vocab_size). Right: -log p
    of every prediction along each name."""
    scores = [score(model, tokenizer, nm) for nm in names]
    kinds = kinds or [''] * len(names)
    base = math.log(tokenizer.vocab_size)
    colors = plt.get_cmap('tab10').colors
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={'width_ratios': [1, 1.3]})
    means = [s for s, _ in scores]
    a1.bar(range(len(names)), means, color=[colors[i % 10] for i in range(len(names))])
    for i, m in enumerate(means):
        a1.text(i, m, f'{m:.2f}', ha='center', va='bottom', fontsize=10)
    a1.axhline(base, color=RED, ls='--', lw=1.2, label=f'uniform guess: ln {tokenizer.vocab_size} = {base:.2f}')
    a1.set_xticks(range(len(names)), [f'{nm}\n{k}' if k else nm for nm, k in zip(names, kinds)], fontsize=9)
    a1.set_ylabel('mean \u2212log p per prediction')
    a1.set_ylim(0, max(max(means), base) * 1.3)
    a1.set_title('How surprised is the model by each name?')
    a1.legend(frameon=False, fontsize=9, loc='upper left')
    for i, (nm, (_, rows)) in enumerate(zip(names, scores)):
        a2.plot([r[0] for r in rows], [r[-1] for r in rows], 'o-', color=colors[i % 10], label=nm, lw=1.5, ms=4)
    a2.axhline(base, color=RED, ls='--', lw=1.2)
    a2.set_xlabel('position (prediction of the next token)')
    a2.set_ylabel('\u2212log p(next token)')
    a2.set_title('Surprise along the name')
    a2.legend(frameon=False, fontsize=9, ncols=2)
    fig.tight_layout()
    return fig


def score_widget(model, tokenizer, names, kinds=None, value='andrej'):
    """A text box: type a name, see its score next to the given names (or the error)."""
    import ipywidgets as widgets
    from IPython.display import display
    box = widgets.Text(value=value, description='your name:', continuous_update=False,
                       style={'description_width': 'initial'})
    out = widgets.Output()

    def show(change=None):
        with out:
            out.clear_output(wait=True)
            name = box.value.strip()
            try:
                mean, _ = score(model, tokenizer, name)
            except MicroGPTError as e:
                print(f'{type(e).__name__}: {e}')
                return
            print(f'{name!r}: mean -log p = {mean:.4f} per prediction '
                  f'(uniform guess: {math.log(tokenizer.vocab_size):.4f})')
            plot_scores(model, tokenizer, list(names) + [name], list(kinds or [''] * len(names)) + ['yours'])
            plt.show()

    box.observe(show, names='value')
    show()
    display(widgets.VBox([box, out]))
