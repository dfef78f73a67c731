"""microgpt.viz.common.animation_html: matplotlib's to_jshtml player made fit for the book:
no Font Awesome link to a CDN, the frame's alt text, and a label on the frame slider, which
matplotlib leaves without one (axe-core: "Form elements must have labels")."""

import re

import pytest

pytest.importorskip("matplotlib")


def test_player_is_labelled_and_offline():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    from microgpt.viz.common import animation_html

    fig, ax = plt.subplots(figsize=(1, 1))
    line, = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]) or (line,), frames=2)
    html = animation_html(anim, alt="Two frames of a line.").data
    slider = re.search(r'<input id="_anim_slider\w+"[^>]*>', html).group(0)
    assert 'aria-label="animation frame"' in slider
    assert re.search(r'<img id="_anim_img\w+" alt="Two frames of a line."', html)
    assert "font-awesome" not in html
