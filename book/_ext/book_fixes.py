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
    app.connect("html-page-context", dedupe_script_files, priority=900)
    app.connect("html-page-context", drop_thebe_assets, priority=901)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("build-finished", drop_icon_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
