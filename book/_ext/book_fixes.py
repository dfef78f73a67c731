"""Local Sphinx fixes for the microgpt book (Jupyter Book v1, Sphinx 7.4).

Loaded from _config.yml (sphinx: local_extensions: book_fixes: book/_ext).

Duplicate inline scripts: sphinx-thebe (and sphinx-togglebutton) call
app.add_js_file(None, body=...) while the build runs. Sphinx 7.4 adds such a
file to the builder as filename None and then, in prepare_writing, re-adds it
from the registry as filename "" -- two "different" assets with the same body.
Every page then carries two `<script>const THEBE_JS_URL = ...</script>` and the
browser throws "Identifier 'THEBE_JS_URL' has already been declared". This
removes exact duplicates from each page's script list before rendering.

Icon script: pydata-sphinx-theme's layout puts `<script defer
src="_static/scripts/fontawesome.js">` (1.5 MB: every Font Awesome icon as SVG
paths, for projects that add custom icons) on every page. The theme's own CSS
already draws the same icons from its Font Awesome web fonts
(_static/vendor/fontawesome/webfonts/*.woff2, fetched only for the glyphs a page
shows), so the script is dropped from every written page and from _static.

Accessibility (axe-core, WCAG 2.1 AA: tests/browser/test_a11y.py), fixed where the markup is made:
* myst-nb writes each hidden cell's toggle as <summary aria-label="Toggle hidden content">
  around the visible "Show the solution": the label hides the text that speech-input users
  say (label-content-name-mismatch). HideCodeCellNode is written here without it, so the
  summary's name is its visible prompt (the other prompt is display: none).
* myst-parser's task lists (the chapters' checklists) render a bare
  <input class="task-list-item-checkbox"> before the item's text: a checkbox without a label.
  Each item's paragraph becomes the checkbox's <label>.
* matplotlib's to_jshtml player (microgpt.viz.common.animation_html) has an unlabeled frame
  slider; animation_html labels it, and outputs committed before it did are labeled here.
* Every page gets a meta description (search engines, link previews; Lighthouse's SEO audit):
  the page's `description` metadata (front matter or notebook metadata) if it has one, else
  its first paragraph of prose.

Thebe: Jupyter Book v1 always loads sphinx-thebe, even with launch_buttons
thebe: false; it still puts `const THEBE_JS_URL = "<a CDN>"`, sphinx-thebe.js,
sphinx-thebe.css and a Binder config on every page. The book does not use Thebe
(no page may load anything from outside the book; its live widgets run in the
browser), so all of it is removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

FONTAWESOME_JS = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def _asset_key(js: Any) -> tuple:
    filename = getattr(js, "filename", js) or ""
    attributes = getattr(js, "attributes", None) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_script_files(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for js in scripts:
        key = _asset_key(js)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    # In place: Sphinx restores the shared list from its own backup after
    # each page, so this only affects the page being written.
    scripts[:] = unique


def _is_thebe(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str((getattr(asset, "attributes", None) or {}).get("body", ""))
    return "thebe" in filename.lower() or "THEBE_JS_URL" in body


def drop_thebe_assets(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets:
            assets[:] = [a for a in assets if not _is_thebe(a)]


def drop_thebe_config(app, doctree, docname) -> None:
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if "text/x-thebe-config" in text or text.startswith("<script>kernelName = "):
            node.parent.remove(node)


def visit_hidden_cell(self, node) -> None:
    """myst-nb's visit_HideCellInput, without the summary's aria-label (see the docstring)."""
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


ANIM_SLIDER = re.compile(r'(<input id="_anim_slider\w+" type="range" class="anim-slider")(?![^>]*aria-label)')
ANIM_SLIDER_LABEL = r'\1 aria-label="animation frame"'


def label_controls(app, doctree, docname) -> None:
    """Task-list checkboxes get their item's text as a <label>; matplotlib's animation slider
    gets an aria-label (see the docstring)."""
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if "anim-slider" in text:
            labeled = ANIM_SLIDER.sub(ANIM_SLIDER_LABEL, text)
            if labeled != text:
                node.replace(node.children[0], nodes.Text(labeled))
        elif text.startswith('<input class="task-list-item-checkbox"'):
            para = node.parent
            if not isinstance(para, nodes.paragraph) or para.index(node) != 0:
                continue
            node.replace(node.children[0], nodes.Text('<label class="task-list-item-label">' + text))
            para.append(nodes.raw("", "</label>", format="html"))


DESCRIPTION_CHARS = 160  # what search engines show of a description


def first_paragraph(doctree) -> str:
    """The page's first paragraph of prose (not a note, a table, a code cell's output or a
    list of learning goals), as plain text."""
    from docutils import nodes

    skip = (nodes.Admonition, nodes.table, nodes.list_item, nodes.topic, nodes.sidebar, nodes.field_list)
    for para in doctree.findall(nodes.paragraph):
        parent, inside = para.parent, False
        while parent is not None:
            if isinstance(parent, skip) or (isinstance(parent, nodes.container)
                                            and parent.get("nb_element", "").startswith("cell_code")):
                inside = True
                break
            parent = parent.parent
        text = " ".join(para.astext().split())
        if not inside and len(text) >= 40:
            return text
    return ""


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def describe_page(app, pagename, templatename, context, doctree) -> None:
    """<meta name="description">: the page's `description` metadata (front matter, or a
    notebook's metadata), else its first paragraph; pages without a document of their own
    (index, search) get the landing page's."""
    from html import escape

    if 'name="description"' in context.get("metatags", ""):
        return
    env = app.env
    text = (env.metadata.get(pagename, {}).get("description") or "").strip()
    if not text and doctree is not None:
        text = first_paragraph(doctree)
    if not text:
        root = app.config.root_doc
        text = (env.metadata.get(root, {}).get("description") or "").strip()
        if not text and root in env.all_docs:
            text = first_paragraph(env.get_doctree(root))
    if text:
        context["metatags"] = context.get("metatags", "") + \
            f'\n    <meta name="description" content="{escape(shorten(text))}" />'


def drop_icon_script(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    out = Path(app.outdir)
    missing = []
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new, n = FONTAWESOME_JS.subn("", text)
        if n:
            page.write_text(new, encoding="utf-8")
        elif "fontawesome" in text:
            missing.append(page.relative_to(out).as_posix())
    if missing:  # the theme changed how it loads the script: update FONTAWESOME_JS
        logging.getLogger(__name__).warning(
            "book_fixes: a fontawesome reference that FONTAWESOME_JS does not match in %s",
            ", ".join(missing[:5]))
    for f in (out / "_static" / "scripts").glob("fontawesome.js*"):
        f.unlink()


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    app.connect("doctree-resolved", label_controls, priority=900)
    app.connect("html-page-context", dedupe_script_files, priority=900)
    app.connect("html-page-context", describe_page)
    app.connect("html-page-context", drop_thebe_assets, priority=901)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("build-finished", drop_icon_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
