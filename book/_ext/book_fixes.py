"""Local Sphinx fixes for the microgpt book (Jupyter Book v1, Sphinx 7.4).

Loaded from _config.yml (sphinx: local_extensions: book_fixes: book/_ext).

Duplicate inline scripts: sphinx-thebe (and sphinx-togglebutton) call
app.add_js_file(None, body=...) while the build runs. Sphinx 7.4 adds such a
file to the builder as filename None and then, in prepare_writing, re-adds it
from the registry as filename "" -- two "different" assets with the same body.
Every page then carries two `<script>const THEBE_JS_URL = ...</script>` and the
browser throws "Identifier 'THEBE_JS_URL' has already been declared". This
removes exact duplicates from each page's script list before rendering.
"""

from __future__ import annotations

from typing import Any


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


def setup(app):
    app.connect("html-page-context", dedupe_script_files, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
