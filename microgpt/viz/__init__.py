"""
Figures and widgets for the book (needs matplotlib, ipywidgets, numpy). Nothing here is
needed to train or run the model: the core package stays standard-library only.

Where each chapter's figures live:

    common        every chapter: the figure style, the palette, token labels,
                  heatmaps, attention maps, trained_run, the diagrams' box and arrow
                  (text tables: microgpt.tables, re-exported here as print_table; listings:
                  microgpt.source.show_source, re-exported as show_source)
    data          chapter 1, Data and tokenizer
    autograd      chapter 2, Autograd
    architecture  chapter 3, Architecture (and the diagrams and tables of chapter 4)
    attention     chapter 4, The GPT: the KV cache step by step, attention heatmaps
    training      chapter 5, Training
    inference     chapter 6, Inference
    picture       chapter 7, The complete picture
"""

from ..source import show_source
from ..tables import print_table
from .common import (
                     animation_html,
                     attention_maps,
                     heatmap,
                     moving_average,
                     np_softmax,
                     plot_attention,
                     style,
                     token_label,
                     trained_run,
)

__all__ = ['animation_html', 'attention_maps', 'heatmap', 'moving_average', 'np_softmax', 'plot_attention',
           'print_table', 'show_source', 'style', 'token_label', 'trained_run']
