"""Figures and widgets for chapter 2 (Autograd): drawings of small computation graphs, the
backward pass step by step, the error of finite differences against their step size, the
size of a training step's graph, and gradient descent on the bigram toy. The chapter's
tables and checks (primitive_table, gradient_check, graph_stats, ...) are standard library
only and live in microgpt.gradcheck; they are imported here too.

Everything here reads the package's own `microgpt.Value` objects (their `data`, `grad`,
`children`, `local_grads` and `op`); nothing re-implements the engine. The step-by-step
backward pass (`backward_steps`) runs `Value.backward_steps` and records the gradients after
each step, and the chapter checks that it ends with exactly the gradients `backward()` computes.
"""

import matplotlib.pyplot as plt

from ..autograd import Value
from ..explore import backward_steps, graph_layout, op_name, step_title
from ..gradcheck import (  # noqa: F401 - the chapter's tables and checks, standard library only
    _g,
    analytic_grads,
    central_difference,
    depth,
    derived_table,
    forward_difference,
    gradient_check,
    graph_stats,
    primitive_table,
)
from .common import arrow, box


def step_size_plot(ops, x=1.5, hs=None):
    """Log-log: the error of the central difference (solid) against the step size h, for
    each operation (dict label -> function of one Value) at the point x, measured against
    the gradient backward() computes; the first operation also with the forward difference
    (dashed)."""
    import numpy as np
    hs = np.logspace(-15, -1, 85) if hs is None else hs
    fig, ax = plt.subplots(figsize=(9.5, 5.4))
    colors = ['#4f46e5', '#db2777', '#0891b2', '#ca8a04']
    def of_one(op):  # the operation as a function of a plain float, and its exact gradient at x
        return (lambda t: op(Value(t)).data), analytic_grads(lambda a, b: op(a), x, 0.0)[0]
    for (label, op), color in zip(ops.items(), colors):
        f, exact = of_one(op)
        err = [max(abs(central_difference(f, x, h) - exact), 1e-17) for h in hs]
        ax.loglog(hs, err, color=color, linewidth=1.6, label=f'{label}: central')
    label, op = next(iter(ops.items()))
    f, exact = of_one(op)
    err = [max(abs(forward_difference(f, x, h) - exact), 1e-17) for h in hs]
    ax.loglog(hs, err, color=colors[0], linewidth=1.4, linestyle='--', label=f'{label}: forward')
    eps = np.finfo(float).eps
    ax.loglog(hs, hs ** 2, color='black', linestyle=':', linewidth=1.2)
    ax.loglog(hs, eps / hs, color='black', linestyle=':', linewidth=1.2)
    ax.text(4e-3, 1.5e-7, 'truncation error\n' + r'$\propto h^2$ (central)', ha='left', fontsize=10)
    ax.text(1.5e-3, 1.5e-3, r'$\propto h$ (forward)', ha='right', fontsize=10, color=colors[0])
    ax.text(3e-13, 3e-1, 'round-off error ' + r'$\propto \epsilon / h$', ha='left', va='bottom', fontsize=10)
    ax.axvspan(1e-6, 1e-5, color='#16a34a', alpha=0.12)
    ax.text(3.2e-6, 2e-13, 'sweet spot', ha='center', va='bottom', color='#15803d', fontsize=10)
    ax.set_ylim(1e-13, 1e1)
    ax.set_xlabel('step size h')
    ax.set_ylabel('|numerical - backward()|')
    ax.set_title(f'Error of the finite-difference gradient at x = {x:g}, against the step size h')
    ax.legend(loc='lower left', fontsize=9, framealpha=0.95)
    fig.tight_layout()
    return fig


NODE_COLORS = {'input': '#dbeafe', 'const': '#f1f5f9', 'op': '#fef9c3', 'output': '#fce7f3'}


def draw_graph(root, names=None, ax=None, grads=None, current=None, title=None,
               show_local=True, fontsize=9.5):
    """Draw root's computation graph left (leaves) to right (root). Each node shows its
    name or operation, its data and its grad; each edge its local gradient.
    grads: {node: grad} to show instead of the .grad fields (for snapshots);
    current: the node being processed by backward (highlighted with its edges)."""
    names = names or {}
    pos = graph_layout(root)
    sx, sy = 2.5, 1.45  # spacing between layers and within a layer
    if ax is None:
        ncols = 1 + max(x for x, _ in pos.values())
        nrows = max(sum(1 for p in pos.values() if p[0] == c) for c in range(ncols))
        fig, ax = plt.subplots(figsize=(1.2 + 2.25 * ncols, 0.9 + 1.3 * nrows))
    w, h = 1.5, 1.0
    updated = set(current.children) if current is not None else set()
    # edges first (under the boxes)
    for v in pos:
        for c, lg in zip(v.children, v.local_grads):
            (x0, y0), (x1, y1) = pos[c], pos[v]
            hot = v is current
            arrow(ax, (x0 * sx + w / 2, y0 * sy), (x1 * sx - w / 2, y1 * sy), color='#ea580c' if hot else '#64748b',
                  lw=2.2 if hot else 1.0, head=12)
            if show_local:
                mx, my = (x0 * sx + x1 * sx) / 2, (y0 + y1) / 2 * sy
                ax.text(mx, my, f'{_g(lg)}', ha='center', va='center', fontsize=fontsize * 0.8,
                        color='#c2410c' if hot else '#475569', style='italic', zorder=2,
                        bbox=dict(facecolor='white', edgecolor='none', pad=0.5, alpha=0.9))
    for v, (x, y) in pos.items():
        name, op = names.get(v), op_name(v)
        kind = 'output' if v is root else 'op' if op else 'input' if name else 'const'
        head = f'{name} = {op}' if (name and op) else name or op or 'const'
        g = v.grad if grads is None else grads.get(v, 0)
        edge, lw = '#475569', 1.0
        if v is current:
            edge, lw = '#ea580c', 3.0
        elif v in updated:
            edge, lw = '#16a34a', 2.6
        box(ax, (x * sx, y * sy), w, h, NODE_COLORS[kind], edge, lw=lw, zorder=3)
        ax.text(x * sx, y * sy + 0.25, head, ha='center', va='center', fontsize=fontsize,
                fontweight='bold', zorder=4)
        ax.text(x * sx, y * sy - 0.02, f'data {_g(v.data)}', ha='center', va='center',
                fontsize=fontsize * 0.85, zorder=4)
        ax.text(x * sx, y * sy - 0.28, f'grad {_g(g)}', ha='center', va='center',
                fontsize=fontsize * 0.85, zorder=4, color='#b91c1c' if g else '#94a3b8',
                fontweight='bold' if g else 'normal')
    xs = [p[0] * sx for p in pos.values()]
    ys = [p[1] * sy for p in pos.values()]
    ax.set_xlim(min(xs) - w / 2 - 0.15, max(xs) + w / 2 + 0.15)
    ax.set_ylim(min(ys) - h / 2 - 0.15, max(ys) + h / 2 + 0.15)
    ax.set_aspect('equal')
    ax.axis('off')
    if title:
        ax.set_title(title, fontsize=fontsize * 1.15)
    return ax.figure


def graph_before_after(make):
    """Two drawings of the same expression: right after the forward pass (every grad 0)
    and after backward(). make() builds it from fresh Values and returns (root, names)."""
    fig, axes = plt.subplots(2, 1, figsize=(11.5, 7.2))
    root, names = make()
    draw_graph(root, names, ax=axes[0], fontsize=13, title='After the forward pass: every grad is 0')
    root.backward()
    draw_graph(root, names, ax=axes[1], fontsize=13,
               title='After backward(): every grad is d(L)/d(node)')
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- backward, step by step

def backward_small_multiples(root, names, skip_leaves=True):
    """The static twin of the backward slider: one drawing per step of backward(), the node
    being processed in orange, the children it just updated in green. Steps that visit a
    leaf change nothing and are left out unless skip_leaves=False."""
    frames = [(i, node, grads) for i, (node, grads) in enumerate(backward_steps(root))
              if not (skip_leaves and node is not None and not node.children)]
    fig, axes = plt.subplots(len(frames), 1, figsize=(11.5, 3.25 * len(frames) + 1.0))
    for ax, (i, node, grads) in zip(axes, frames):
        draw_graph(root, names, ax=ax, grads=grads, current=node, fontsize=12.5,
                   title=step_title(i, node, names))
    fig.suptitle('backward(), one node at a time, in reverse topological order', fontsize=15)
    fig.text(0.5, 0.005, 'orange: the node being processed    green: its children, whose grad just '
             'grew by local gradient x its grad\nedge labels: local gradients    red: grads filled '
             'in so far    gray: still 0' + ('    (steps that visit a leaf do nothing and are '
                                             'not shown)' if skip_leaves else ''),
             ha='center', va='bottom', fontsize=11.5, color='#334155')
    fig.tight_layout(rect=(0, 0.035, 1, 0.985))
    return fig


def backward_widget(root, names):
    """A slider through the steps of backward(): the same drawings as the small multiples,
    one at a time and larger."""
    import ipywidgets as widgets
    from IPython.display import display
    frames = backward_steps(root)
    slider = widgets.IntSlider(value=0, min=0, max=len(frames) - 1, description='step',
                               continuous_update=True)
    out = widgets.Output()

    def show(change=None):
        node, grads = frames[slider.value]
        with out:
            out.clear_output(wait=True)
            fig = draw_graph(root, names, grads=grads, current=node, fontsize=12,
                             title=step_title(slider.value, node, names))
            display(fig)
            plt.close(fig)

    slider.observe(show, names='value')
    show()
    return widgets.VBox([slider, out])


# ----------------------------------------------------------------------------- how big the graph is

def nodes_vs_length_plot(rows, block_size):
    """rows: (name length in letters, graph_stats dict) for one document of each length.
    Stacked bars: intermediates, constants and parameters in the graph of that document's loss."""
    import numpy as np
    lengths = [r[0] for r in rows]
    parts = [('parameters', '#4f46e5'), ('constants', '#94a3b8'), ('intermediates', '#f59e0b')]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = np.zeros(len(rows))
    for key, color in parts:
        vals = np.array([r[1][key] for r in rows], dtype=float) / 1000
        ax.bar(lengths, vals, bottom=bottom, color=color, label=key, width=0.75)
        bottom += vals
    for L, total in zip(lengths, bottom):
        ax.text(L, total + 0.8, f'{total:.1f}k', ha='center', va='bottom', fontsize=9)
    # a name of block_size - 1 letters already fills the context (its letters + the end)
    ax.axvline(block_size - 1.5, color='black', linestyle='--', linewidth=1.1)
    ax.text(block_size - 1.4, bottom.max() * 1.3, f'from {block_size - 1} letters on, all\n'
            f'block_size = {block_size} positions are in use', va='top', fontsize=9.5)
    ax.set_xticks(lengths)
    ax.set_xlabel('name length (letters)')
    ax.set_ylabel('Value nodes in the loss graph (thousands)')
    ax.set_title('Nodes one training step builds, by the length of its name')
    ax.set_ylim(0, bottom.max() * 1.33)
    ax.legend(loc='upper left', fontsize=9.5, frameon=False)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- gradient descent on a toy

def descent_plot(losses, counted, uniform, lr):
    """The loss of the bigram toy (27 x 27 logits fitted with plain gradient descent) at every
    step, against the two numbers it must move between: the uniform guess it starts from and
    the loss of the counted bigram table, the lowest this model can reach."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    steps = range(1, len(losses) + 1)
    ax.plot(steps, losses, color='#4f46e5', linewidth=2.2, label=f'gradient descent, lr = {lr:g}')
    ax.axhline(uniform, color='#dc2626', linestyle='--', linewidth=1.5)
    ax.axhline(counted, color='#16a34a', linestyle='--', linewidth=1.5)
    label_box = dict(facecolor='white', edgecolor='none', alpha=0.85, pad=1.5)
    ax.text(len(losses) * 0.98, uniform - 0.03, f'uniform guess: ln 27 = {uniform:.4f}', ha='right', va='top',
            color='#dc2626', fontsize=10, bbox=label_box)
    ax.text(len(losses) * 0.98, counted - 0.03, f'counted bigram table: {counted:.4f}', ha='right', va='top',
            color='#16a34a', fontsize=10, bbox=label_box)
    ax.annotate(f'step {len(losses)}: {losses[-1]:.4f}', (len(losses), losses[-1]), xytext=(-10, 28),
                textcoords='offset points', ha='right', fontsize=10, color='#4f46e5',
                arrowprops=dict(arrowstyle='->', color='#4f46e5'))
    ax.set_xlabel('gradient descent step')
    ax.set_ylabel('loss (mean -log p over all pairs)')
    ax.set_title('Learning the bigram table by gradient descent')
    ax.set_ylim(counted - 0.12, uniform + 0.08)
    ax.legend(loc='center right', fontsize=9.5, framealpha=0.9)
    fig.tight_layout()
    return fig

