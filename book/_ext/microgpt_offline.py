"""The book offline after one visit: the service worker, versioned by the build.

Loaded from _config.yml (sphinx: local_extensions: microgpt_offline: book/_ext).

  1. Every page loads _static/reader.js (book/_static/reader.js: not under live/, which
     holds the live runtime, loaded only by pages with a widget), which registers the
     service worker sw.js (book/_extra/sw.js, at the site's root: its scope is the book).
  2. At the end of every build, after the other extensions have written their files,
     write_version() computes the build's version, a hash of every file of the output
     (sw.js aside), and writes it into the output's sw.js. The service worker keeps one
     cache per version: a rebuild that changes any file gives a new version, the browser
     installs the new sw.js on the next visit and it deletes the old caches, so a reader
     never gets a mix of two builds; a rebuild that changes nothing keeps the version and
     the reader's cache.
`python book/_ext/microgpt_offline.py _build/html` writes the version again after a step
that adds files to a built site (make pdf does, for the PDF it offers for download).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PLACEHOLDER = "__BUILD_VERSION__"
SOURCE = Path(__file__).resolve().parents[1] / "_extra" / "sw.js"


def build_version(outdir: Path) -> str:
    """A hash of every file of the built site but sw.js (path and bytes), 16 hex digits."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(outdir).rglob("*") if p.is_file()):
        rel = path.relative_to(outdir).as_posix()
        if rel == "sw.js" or rel.startswith(".") or "/." in rel:
            continue  # Sphinx's .buildinfo, the doctrees: not served
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def write_version(outdir: Path) -> str:
    """Write outdir/sw.js from book/_extra/sw.js with the build's version in it; the version."""
    text = SOURCE.read_text(encoding="utf-8")
    if PLACEHOLDER not in text:
        raise ValueError(f"{SOURCE} has no {PLACEHOLDER} to replace with the build's version")
    version = build_version(outdir)
    (Path(outdir) / "sw.js").write_text(text.replace(PLACEHOLDER, version), encoding="utf-8")
    return version


def copy_static(app) -> list[str]:
    """Copy html_static_path (book/_static) into <out>/_static again: like book/_extra (see
    microgpt_live.copy_extra), Sphinx copies it only when some page was rebuilt, so an edit
    of custom.css alone would otherwise not reach the built site (nor the version)."""
    changed = []
    out = Path(app.outdir) / "_static"
    for entry in app.config.html_static_path:
        src = Path(app.confdir) / entry
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            target = out / path.relative_to(src)
            data = path.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                changed.append(target.relative_to(out.parent).as_posix())
    return changed


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    copy_static(app)
    write_version(Path(app.outdir))


def setup(app):
    # book/_static/reader.js, on every page.
    app.add_js_file("reader.js", loading_method="defer")
    # After microgpt_live (copies book/_extra and the package) and book_fixes (drops a script).
    app.connect("build-finished", on_build_finished, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(f"sw.js version {write_version(Path(sys.argv[1]))}")
