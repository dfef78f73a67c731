"""Live widgets in the HTML book: the package's own Python, run in the reader's browser.

Loaded from _config.yml (sphinx: local_extensions: microgpt_live: book/_ext).

A chapter marks a live widget with one line of HTML in a markdown cell, right where
its ipywidget is (in JupyterLab the empty div renders as nothing):

    <div class="mg-live" data-widget="KIND" data-args='{"k": "v"}'></div>

KIND is declared once, in microgpt/widgets.py: the package functions the widget calls,
their default arguments, and whether a call streams. At build time this extension
  1. resolves the declaration with the div's data-args (an undeclared widget or
     argument fails the build), calls the widget's "state" call (plain Python, standard
     library only) and embeds both, as HTML-safe JSON, inside the div: the widget opens
     instantly on its default state, with no Python in the browser yet, and in the page
     runtime.js hands the resolved calls to widgets/KIND.js;
  2. adds the live assets (../live/live.css, render.js, runtime.js, widgets/KIND.js, and
     widgets/KIND.css if the widget has one) to the pages that have such a div, and to no
     other page;
  3. copies the package's pure-Python files (package_files(): the core modules,
     explore, widgets, bridge and the list engine, not viz/ or the NumPy engine) and its data files into
     <html>/live/microgpt/, with a manifest.json that book/_extra/live/worker.js
     reads to load exactly those files into Pyodide;
  4. copies book/_extra (html_extra_path) again at the end of every build (copy_extra):
     Sphinx skips it when no page changed, which would serve stale JavaScript.
The JavaScript itself lives in book/_extra/live/ (published at <html>/live/ by
html_extra_path) and Pyodide in book/_extra/vendor/pyodide/ (scripts/vendor_js.sh).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "microgpt"

# Modules the browser never needs: the NumPy twin (no numpy in the vendored
# Pyodide) and the benchmark (it times the NumPy engine too). The list engine,
# standard library only, is the browser's fast engine: it is not excluded.
BROWSER_EXCLUDE = {"numpy_engine.py", "bench.py"}
DATA_SUFFIXES = {".txt", ".json"}

# <div ...> opening tags in raw HTML; quoted attribute values may contain ">".
DIV_TAG = re.compile(r"""<div\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
ATTR = re.compile(r"""\b(data-[a-z-]+|class)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.DOTALL)
ATTR_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
KIND = re.compile(r"^[a-z][a-z0-9_]*$")


def package_files(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The files of the microgpt package that the browser loads, relative to the package
    (top-level modules and data only; the subpackage viz/ needs matplotlib)."""
    names = []
    for p in sorted(package_dir.iterdir()):
        if not p.is_file():
            continue
        if (p.suffix == ".py" and p.name not in BROWSER_EXCLUDE) or p.suffix in DATA_SUFFIXES:
            names.append(p.name)
    return names


class LiveWidgetError(Exception):
    pass


def parse_div(tag: str) -> dict:
    attrs = {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
             for m in ATTR.finditer(tag)}
    kind = attrs.get("data-widget", "")
    if not KIND.match(kind):
        raise LiveWidgetError(f"{tag}: data-widget must name a widget declared in "
                              f"microgpt/widgets.py (got {kind!r})")
    if "data-state" in attrs:
        raise LiveWidgetError(f'{tag}: data-state is gone: the declaration in microgpt/widgets.py '
                              f'names the function a widget calls; keep only data-widget and data-args')
    return attrs


def json_for_html(obj) -> str:
    """JSON that is safe inside a <script> element: no "<", ">" or "&" appears raw, so no
    string in it can end the element or open a comment ("<!--<script>" would swallow
    the rest of the page)."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def widget_payload(attrs: dict) -> dict:
    """The declaration of the div's widget, resolved with its data-args, and its first state."""
    from microgpt import widgets
    try:
        overrides = json.loads(attrs.get("data-args") or "{}")
    except json.JSONDecodeError as exc:
        raise LiveWidgetError(f"data-args of widget {attrs['data-widget']!r} is not JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise LiveWidgetError(f"data-args of widget {attrs['data-widget']!r} must be a JSON object")
    try:
        spec = widgets.spec(attrs["data-widget"], overrides)
        state = widgets.first_state(attrs["data-widget"], overrides)
    except widgets.WidgetError as exc:
        raise LiveWidgetError(str(exc)) from exc
    return {"spec": spec, "state": state}


def embed_states(raw: str) -> tuple[str, list[str]]:
    """Insert each live div's resolved declaration and first state right after its opening tag."""
    kinds: list[str] = []

    def insert(match):
        classes = ATTR_CLASS.search(match.group(0))
        if not classes or "mg-live" not in classes.group(1).split():
            return match.group(0)
        attrs = parse_div(match.group(0))
        kinds.append(attrs["data-widget"])
        payload = json_for_html(widget_payload(attrs))
        return match.group(0) + '<script type="application/json" class="mg-live-spec">' + payload + "</script>"

    return DIV_TAG.sub(insert, raw), kinds


def on_doctree_resolved(app, doctree, docname):
    from docutils import nodes
    from sphinx.errors import ExtensionError

    kinds: list[str] = []
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split() or "mg-live" not in node.astext():
            continue
        try:
            text, found = embed_states(node.astext())
        except Exception as exc:
            raise ExtensionError(f"{docname}: live widget: {exc}") from exc
        node.replace(node.children[0], nodes.Text(text))
        kinds += found
    if kinds:
        doctree["mg_live_kinds"] = sorted(set(kinds))


def on_page_context(app, pagename, templatename, context, doctree):
    kinds = (doctree.get("mg_live_kinds") or []) if doctree is not None else []
    cells = doctree is not None and doctree.get("mg_cells")  # runnable code cells (microgpt_cells)
    if not kinds and not cells:
        return
    src = Path(app.srcdir) / "book" / "_extra" / "live"
    for kind in kinds:
        if not (src / "widgets" / f"{kind}.js").is_file():
            from sphinx.errors import ExtensionError
            raise ExtensionError(f"{pagename}: no book/_extra/live/widgets/{kind}.js for data-widget={kind!r}")
    # Sphinx resolves these against _static/ (hence "../"); added in this handler,
    # they go on this page only. defer keeps them in order after the page is parsed.
    app.add_css_file("../live/live.css")
    for kind in kinds:  # a widget's own styles, if it has any (widgets/KIND.css)
        if (src / "widgets" / f"{kind}.css").is_file():
            app.add_css_file(f"../live/widgets/{kind}.css")
    if cells:  # microgpt_cells: the cells' bar, output, editor and progress
        app.add_css_file("../live/cells.css")
    names = (["render.js"] if kinds else []) + ["runtime.js"] + [f"widgets/{k}.js" for k in kinds] \
        + (["cells.js"] if cells else [])
    for name in names:
        app.add_js_file(f"../live/{name}", loading_method="defer")


def copy_extra(app) -> list[str]:
    """Copy html_extra_path (book/_extra: live/ and vendor/) into the output again, at the
    end of every build. Sphinx copies it only when some page was rebuilt, so after an edit
    of book/_extra/live/*.js alone, `make book` would report success and serve the old
    JavaScript. Returns the files that changed."""
    changed = []
    out = Path(app.outdir)
    for entry in app.config.html_extra_path:
        src = Path(app.confdir) / entry
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            target = out / path.relative_to(src)
            data = path.read_bytes()
            if target.is_file() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changed.append(target.relative_to(out).as_posix())
    return changed


def copy_package(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    copy_extra(app)
    dest = Path(app.outdir) / "live" / "microgpt"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    files = {}
    for name in package_files():
        data = (PACKAGE_DIR / name).read_bytes()
        (dest / name).write_bytes(data)
        files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {"package": "microgpt", "files": files}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def setup(app):
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-page-context", on_page_context)
    app.connect("build-finished", copy_package)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
