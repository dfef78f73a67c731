"""
Source: the package's own code, shown in a chapter. The code the reader sees is the code
that runs, never a copy.

    from microgpt.source import show_source
    show_source(microgpt.softmax)        # a function or class, as it is in the package
    show_source(edition.chapter(3))      # or any text of code, e.g. a chapter's block of
                                         # the single-file edition (microgpt.edition)

Standard library only, so that a chapter's listing cells run in the HTML page's Python
(Pyodide) as well: there a listing is its plain text. In Jupyter it is highlighted, as
IPython's Code display highlights it.
"""

import inspect


class Source:
    """Python source text that displays as highlighted code in Jupyter and as itself elsewhere."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def _code(self):
        from IPython.display import Code  # Jupyter only: the page's Python shows __repr__
        return Code(self.text, language='python')

    def _repr_html_(self):
        return self._code()._repr_html_()

    def _repr_latex_(self):
        return self._code()._repr_latex_()


def show_source(obj):
    """The source of a function, class or module of the package (or a str of code), to show."""
    return Source(obj if isinstance(obj, str) else inspect.getsource(obj))
