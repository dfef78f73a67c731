"""The chapters as a reader sees them (issue 12): every figure has a sentence of alt text,
solution toggles say so, code fits the column, a phone-width page does not scroll sideways,
and figures keep their white background in dark mode.

Runs on the built book (make test-book, or make book) like test_html_book.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

CHAPTERS = ["01_data", "02_autograd", "03_architecture", "04_gpt", "05_training",
            "06_inference", "07_complete_picture"]


class _Page(HTMLParser):
    """The alt texts of the images inside notebook outputs, and the toggle labels."""

    def __init__(self):
        super().__init__()
        self.depth_output = 0
        self.stack = []
        self.alts, self.toggles = [], []
        self._summary = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        self.stack.append("cell_output" in classes)
        if "cell_output" in classes:
            self.depth_output += 1
        if tag == "img" and self.depth_output:
            self.alts.append(a.get("alt") or "")
        if tag == "summary":
            self._summary = ""

    def handle_endtag(self, tag):
        if tag == "summary" and self._summary is not None:
            self.toggles.append(" ".join(self._summary.split()))
            self._summary = None
        if self.stack and self.stack.pop():
            self.depth_output -= 1

    def handle_data(self, data):
        if self._summary is not None:
            self._summary += data


def _parse(html_root, chapter):
    path = html_root / "book" / f"{chapter}.html"
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the book first")
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_has_a_sentence_of_alt_text(html_root, chapter):
    page = _parse(html_root, chapter)
    assert page.alts, f"{chapter}: no figures found in the outputs"
    bad = [alt for alt in page.alts
           if len(alt.split()) < 6 or re.search(r"\.(png|jpe?g|svg)\b", alt) or not alt.endswith(".")]
    assert not bad, f"{chapter}: figures without a sentence of alt text: {bad}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_toggles_are_labelled_as_solutions(html_root, chapter):
    page = _parse(html_root, chapter)
    generic = [t for t in page.toggles if "code cell" in t]
    assert not generic, f"{chapter}: toggles still say {generic[0]!r}"
    assert any("solution" in t.lower() for t in page.toggles), f"{chapter}: no solution toggle"


JS_OVERFLOW = """() => {
  const pre = Array.from(document.querySelectorAll('div.cell_input pre'));
  const wide = pre.filter(p => p.scrollWidth > p.clientWidth + 1)
                  .map(p => p.textContent.split('\\n').reduce((a, b) => a.length > b.length ? a : b));
  return {page: document.documentElement.scrollWidth, view: window.innerWidth, wide};
}"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_fits_the_column(open_page, chapter):
    """No code cell scrolls sideways in the desktop layout."""
    result = open_page(1280, path=f"book/{chapter}.html").page.evaluate(JS_OVERFLOW)
    assert not result["wide"], f"{chapter}: code cells wider than the column: {result['wide']}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_phone_width_page_does_not_scroll_sideways(open_page, chapter):
    """At 390 px (a phone) the page itself is no wider than the screen: animations scale
    down, their buttons wrap (code blocks may still scroll inside their own box)."""
    page = open_page(390, path=f"book/{chapter}.html").page
    result = page.evaluate(JS_OVERFLOW)
    buttons = page.evaluate("""() => Array.from(document.querySelectorAll('.anim-buttons button'))
        .map(b => b.getBoundingClientRect()).filter(r => r.right > window.innerWidth + 1).length""")
    assert result["page"] <= result["view"] + 1, f"{chapter}: page is {result['page']} px wide at 390 px"
    assert buttons == 0, f"{chapter}: {buttons} animation button(s) clipped at the right edge"


def test_figures_stay_on_white_in_dark_mode(open_page):
    page = open_page(1280, "dark", path="book/01_data.html").page
    styles = page.evaluate("""() => Array.from(document.querySelectorAll('div.cell_output img'))
        .map(i => [getComputedStyle(i).filter, getComputedStyle(i).backgroundColor])""")
    assert styles
    assert all(f == "none" and bg == "rgb(255, 255, 255)" for f, bg in styles), styles
