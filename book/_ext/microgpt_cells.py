"""Runnable code cells in the HTML book: the chapter's own code, edited and run in the page.

Loaded from _config.yml (sphinx: local_extensions: microgpt_cells: book/_ext).

For every chapter notebook, microgpt.cells.plan() reads the code cells (the notebook file
itself, so the plan sees every cell in order) and decides which can run in the browser's
Pyodide (standard library and the package's pure-Python modules only) and which earlier
cells each one needs first. This extension then
  1. marks each rendered code cell: class mg-run (runnable: book/_extra/live/cells.js gives
     it Edit, Run and Reset) or, for a cell that needs NumPy, matplotlib, ipywidgets or the
     figures, a one-line pointer, in the static HTML, to where it runs (JupyterLab, Binder,
     Colab) and why; such a cell gets no control at all;
  2. embeds the page's plan as HTML-safe JSON (script#mg-cells): each runnable cell's
     source (exactly the notebook's), the cells it needs first, whether it is a hidden
     solution, and for an exercise (tag "exercise") the id its check('ID') names (an
     unknown id fails the build), and the chapter's name, which keys the reader's saved
     edits and the worker's namespace;
  3. puts the chapter's progress line (hidden until cells.js fills it in) before its first
     exercise cell, and the list of every exercise in the landing page's
     <div class="mg-progress-list"></div>;
  4. flags the doctree (mg_cells), so that microgpt_live adds the live assets (live.css,
     cells.css, runtime.js, cells.js) to those pages only;
  5. makes every chapter page depend on microgpt/cells.py, microgpt/exercises.py and this
     file, so that an incremental `make book` renders it again when they change.
"""

from __future__ import annotations

import json
from pathlib import Path

from microgpt_live import json_for_html

WHERE = "Run it in JupyterLab, Binder or Colab (launch buttons at the top): {reason}."


def notebook_plan(path: Path) -> dict:
    """{cell index: plan entry (+ source, hidden, exercise)} for a notebook's code cells."""
    from microgpt import cells
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = []
    for index, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or "remove-cell" in tags:
            continue  # removed cells are not in the page (the Colab install cell)
        source = "".join(cell["source"])
        if "remove-input" in tags:  # nothing to edit (the ipywidgets cells): never runnable
            source = "import ipywidgets\n" + source
        code.append({"index": index, "source": source, "hidden": "hide-cell" in tags,
                     "exercise": exercise_id(source) if "exercise" in tags else None})
    entries = {c["index"]: dict(c) for c in code}
    for p in cells.plan(code):
        entries[p["index"]].update(p)
    return entries


def exercise_id(source: str) -> str:
    """The id of the exercise a cell checks: its last check('ID') call (the contract: an
    exercise cell is the exercise's starter code ending with check('ID'))."""
    import re
    from microgpt import exercises
    found = re.findall(r"""\bcheck\(\s*['"]([\w-]+)['"]""", source)
    if not found:
        raise ValueError("a cell tagged 'exercise' must end with check('<exercise id>')")
    known = {e["id"] for e in exercises.exercises()}
    if found[-1] not in known:
        raise ValueError(f"a cell tagged 'exercise' checks {found[-1]!r}, which microgpt.exercises does not know")
    return found[-1]


def progress_summary(ids: list) -> str:
    """The line before a chapter's first exercise cell: how many of its exercises the reader
    has passed (filled in by cells.js from the browser's storage; hidden until then, so the
    static page shows nothing that does nothing)."""
    return f'<p class="mg-progress-summary" data-exercises="{" ".join(ids)}" role="status" hidden></p>'


def progress_list(chapter_pages: dict) -> str:
    """The landing page's list of every exercise, by chapter, each linking to its chapter; the
    marks (passed on which day, or not yet) are the reader's and filled in by cells.js."""
    from microgpt import exercises
    parts = ['<div class="mg-progress-list">']
    by_chapter = {}
    for e in exercises.exercises():
        by_chapter.setdefault(e["chapter"], []).append(e)
    for chapter, items in sorted(by_chapter.items()):
        page, title = chapter_pages[chapter]
        parts.append(f'<p class="mg-progress-chapter"><a href="{page}">{_escape(title)}</a></p><ul>')
        for e in items:
            parts.append(f'<li data-exercise="{e["id"]}"><a href="{page}">{_escape(e["title"])}</a> '
                         f'<span class="mg-progress-mark"></span></li>')
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def chapter_pages(app, docname) -> dict:
    """{chapter number: (relative URL of its page, its title)} from the chapter notebooks."""
    pages = {}
    for doc in sorted(app.env.found_docs):
        name = doc.split("/")[-1]
        if name[:2].isdigit() and Path(app.env.doc2path(doc)).suffix == ".ipynb":
            title = app.env.titles[doc].astext() if doc in app.env.titles else name
            pages[int(name[:2])] = (app.builder.get_relative_uri(docname, doc), title)
    return pages


def on_doctree_resolved(app, doctree, docname):
    from docutils import nodes
    path = Path(app.env.doc2path(docname))
    for node in list(doctree.findall(nodes.raw)):
        if 'class="mg-progress-list"' in node.astext():
            node.replace(node.children[0], nodes.Text(progress_list(chapter_pages(app, docname))))
            doctree["mg_cells"] = True
    if path.suffix != ".ipynb":
        return
    try:
        plan = notebook_plan(path)
    except ValueError as exc:
        from sphinx.errors import ExtensionError
        raise ExtensionError(f"{docname}: runnable cells: {exc}") from exc
    runnable = {}
    first_exercise = None
    for node in list(doctree.findall(nodes.container)):
        if node.get("nb_element") != "cell_code" or node.get("cell_index") not in plan:
            continue
        entry = plan[node["cell_index"]]
        node["classes"] += ["mg-cell", f"mg-cell-{entry['index']}"]
        if entry["runnable"]:
            node["classes"].append("mg-run")
            runnable[entry["index"]] = {k: entry[k] for k in ("source", "needs", "hidden", "exercise")}
            if entry["exercise"] and first_exercise is None:
                first_exercise = node
        else:  # under its listing (inside the toggle, for a hidden one)
            source = next((c for c in node.findall(nodes.container) if c.get("nb_element") == "cell_code_source"),
                          None)
            if source is not None:
                text = WHERE.format(reason=entry["reason"])
                where = nodes.raw("", f'<p class="mg-cell-where">{_escape(text)}</p>', format="html")
                source.parent.insert(source.parent.index(source) + 1, where)
    ids = [c["exercise"] for c in runnable.values() if c["exercise"]]
    if first_exercise is not None:
        summary = nodes.raw("", progress_summary(list(dict.fromkeys(ids))), format="html")
        first_exercise.parent.insert(first_exercise.parent.index(first_exercise), summary)
    if runnable:
        data = {"chapter": docname.split("/")[-1], "cells": runnable}
        doctree.append(nodes.raw("", f'<script type="application/json" id="mg-cells">{json_for_html(data)}</script>',
                                 format="html"))
        doctree["mg_cells"] = True


def _escape(text: str) -> str:
    import html
    return html.escape(text, quote=False)


def note_dependencies(app, doctree):
    """A chapter page depends on what decides its cells: `make book` (an incremental build)
    renders it again when the plan, the exercises or this extension change."""
    if Path(app.env.doc2path(app.env.docname)).suffix == ".ipynb" or app.env.docname.endswith("intro"):
        here = Path(__file__).resolve()
        for path in (here, here.parents[2] / "microgpt" / "cells.py", here.parents[2] / "microgpt" / "exercises.py"):
            app.env.note_dependency(str(path))


def setup(app):
    app.connect("doctree-read", note_dependencies)
    app.connect("doctree-resolved", on_doctree_resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
