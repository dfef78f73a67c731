"""
Figures and widgets for the book (needs matplotlib, ipywidgets, numpy). Nothing here is
needed to train or run the model: the core package stays standard-library only.

    common     show_source, the figure style, heatmaps, attention maps
    (one module per chapter adds that chapter's figures and widgets)
"""

from .common import (animation_html, attention_maps, heatmap, plot_attention, show_source, style, trained_run)  # noqa: F401
