"""The printable edition in the built site: the PDF of `make pdf`, offered for download.

Loaded from _config.yml (sphinx: local_extensions: microgpt_print: book/_ext).

`make pdf` (scripts/make_pdf.py) writes _build/microgpt-book.pdf from the built HTML, then
builds the book again. When that file exists, this extension copies it into the site
(<html>/microgpt-book.pdf) and fills the landing page's <div class="mg-pdf-download"></div>
with a link to it (pages and size); without it, the div stays empty: `make book` never needs
a browser, and the site never links to a file it does not have. A page with that div is
written again whenever the PDF appears, changes or goes away.
"""

from __future__ import annotations

import shutil
from pathlib import Path

NAME = "microgpt-book.pdf"
PLACEHOLDER = 'class="mg-pdf-download"'


def pdf_path(app) -> Path:
    return Path(app.outdir).parent / NAME  # _build/microgpt-book.pdf next to _build/html


def pdf_stamp(app) -> str:
    p = pdf_path(app)
    return f"{p.stat().st_size}:{p.stat().st_mtime_ns}" if p.is_file() else ""


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # the runtime environment of the book has no pypdf: no page count
        return None
    return len(PdfReader(str(path)).pages)


def on_outdated(app, env, added, changed, removed):
    """The pages with the placeholder, when the PDF appeared, changed or went away."""
    stamp = pdf_stamp(app)
    if getattr(env, "mg_pdf_stamp", None) == stamp:
        return []
    env.mg_pdf_stamp = stamp
    return [doc for doc in env.found_docs
            if doc not in changed and PLACEHOLDER in Path(env.doc2path(doc)).read_text(encoding="utf-8",
                                                                                       errors="replace")]


def on_doctree_resolved(app, doctree, docname):
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if PLACEHOLDER not in node.astext():
            continue
        path = pdf_path(app)
        html = '<div class="mg-pdf-download"></div>'
        if path.is_file():
            pages = pdf_pages(path)
            from sphinx.util.osutil import relative_uri
            href = relative_uri(app.builder.get_target_uri(docname), NAME)
            what = f"{pages} pages, " if pages else ""
            html = (f'<div class="mg-pdf-download"><p><a href="{href}" download>Download the book as one PDF</a> '
                    f"({what}{path.stat().st_size / 1e6:.1f} MB).</p></div>")
        node.replace(node.children[0], nodes.Text(html))


def on_build_finished(app, exception):
    """Copy the PDF into the site (before microgpt_offline writes the version: priority 800)."""
    if exception is not None or app.builder.format != "html":
        return
    src, dest = pdf_path(app), Path(app.outdir) / NAME
    if src.is_file():
        if not dest.is_file() or dest.stat().st_size != src.stat().st_size or dest.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dest)
    elif dest.is_file():
        dest.unlink()


def setup(app):
    app.connect("env-get-outdated", on_outdated)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("build-finished", on_build_finished, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
