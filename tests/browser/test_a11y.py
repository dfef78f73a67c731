"""Every reader: axe-core finds no WCAG 2.0/2.1 A or AA violation on any page of the built
book, and every live control works from the keyboard alone.

For every page of the built site (a11y_support.book_pages: a page added later is checked
too), axe-core (pinned from npm in tools/a11y, `make a11y-tools`) runs
  * in the default state, in each view (1280 px light, 1280 px dark, 390 px light), each a
    fresh page opened in that mode;
  * and, on a page with live controls, after every one of them has been operated with the
    keyboard alone and has computed a live result: the page then switches to dark mode with
    the theme's own button, then to a 390 px viewport (the widgets redraw), axe after each.
The keyboard part (a11y_support.operate_by_keyboard), for every live widget of the page and
its first runnable code cell: Tab from the element before it reaches its first control; each
control, in Tab order, shows a visible focus ring (an outline of at least 2 px) in light
mode and again in dark mode, is used with keys only (typing, arrow keys, Enter, Space) and
what the widget shows changes; no control drops the focus when it is used (a button that
disables itself hands the focus on); a widget has computed at least one result in Python.

Zero violations is the bar; the end of the run prints violations per page and view (default
state and live state) and what each control did.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from a11y_support import (
    AXE_JS,
    VIEWS,
    announcements,
    book_pages,
    count,
    describe,
    install_hint,
    live_groups,
    live_results,
    operate_by_keyboard,
    run_axe,
    set_view,
    tab_into,
    wait_settled,
    watch_announcements,
)
from browser_support import NOTES, REPO, unavailable

ROOT = Path(os.environ.get("BOOK_HTML") or REPO / "_build" / "html").resolve()
PAGES = book_pages(ROOT) if ROOT.is_dir() else ["(no built book)"]

# (page, state, view) -> number of violating elements; page -> keyboard rows; page -> seconds
AXE: dict[tuple[str, str, str], int] = {}
KEYS: dict[str, list[str]] = {}
SECONDS: dict[str, float] = {}
CELLS_CHECKED: list[str] = []  # the page whose code cell was operated


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if not AXE:
        return
    width = max(len(p) for p, _, _ in AXE)
    views = [v for v, _, _ in VIEWS]
    NOTES.append("axe-core violations (elements) per page and view: default state | after every live control computed")
    NOTES.append(f"  {'page':<{width}}  " + "  ".join(f"{v:>10}" for v in views) + "  |  "
                 + "  ".join(f"{v:>10}" for v in views) + "  seconds")
    for page in sorted({p for p, _, _ in AXE}):
        default = "  ".join(f"{AXE.get((page, 'default', v), '-'):>10}" for v in views)
        live = "  ".join(f"{AXE.get((page, 'live', v), '-'):>10}" for v in views)
        NOTES.append(f"  {page:<{width}}  {default}  |  {live}  {SECONDS.get(page, 0):7.1f}")
    NOTES.append(f"  total: {sum(AXE.values())} violating elements in {len(AXE)} page views")
    for page, rows in KEYS.items():
        NOTES.append(f"keyboard, {page}:")
        NOTES.extend("  " + r for r in rows)


def not_operated(control: str) -> str | None:
    """Edit loads live/editor.mjs (the code cells' editor): not operated in a build without it."""
    if control.startswith("button|Edit") and not (ROOT / "live" / "editor.mjs").is_file():
        return "no live/editor.mjs in this build"
    return None


@pytest.fixture(scope="module")
def axe_ready():
    if not AXE_JS.is_file():
        unavailable(install_hint())


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations_and_works_by_keyboard(axe_ready, open_page, path):
    start = time.perf_counter()
    failures = []

    def axe(p, state, label, scope=None):
        found = run_axe(p.page, scope)
        AXE[(path, state, label)] = count(found)
        if found:
            what = "default state" if state == "default" else "after the live controls computed"
            failures.append(f"{path}, {label}, {what}:\n{describe(found)}")

    # The default state, in each view: the page as it loads, switched to dark mode with the
    # theme's own button, then to a phone's width.
    p = open_page(width=1280, mode="light", path=path)
    p.settle()
    for label, width, mode in VIEWS:
        set_view(p.page, width, mode)
        axe(p, "default", label)
    set_view(p.page, *VIEWS[0][1:])
    # Every widget of every page; the code cells' controls (the same markup on every page,
    # each start a Python of their own) on the first page that has a runnable cell.
    groups = [g for g in live_groups(p.page) if g["kind"] != "cell" or not CELLS_CHECKED]
    if any(g["kind"] == "cell" for g in groups):
        CELLS_CHECKED.append(path)
    if groups:
        watch_announcements(p.page)
        rows = KEYS.setdefault(path, [])
        for g in groups:
            for r in operate_by_keyboard(p.page, g, skip=not_operated):
                ring = r["ring"]
                rows.append(f"{g['label']:<20} {r['control'][:44]:<44} {r['action']:<22} "
                            f"ring {'yes' if ring['visible'] else 'NO '} ({ring['outline']})  "
                            f"{'result changed' if r['changed'] else 'NOTHING CHANGED'}"
                            + ("  FOCUS LOST" if r.get("focus_lost") else ""))
                if not ring["visible"]:
                    failures.append(f"{path}: {g['label']}: {r['control']} has no visible focus ring ({ring})")
                if not r["changed"]:
                    failures.append(f"{path}: {g['label']}: {r['action']} on {r['control']} changed nothing")
                if r.get("focus_lost"):
                    failures.append(f"{path}: {g['label']}: {r['action']} on {r['control']} lost the keyboard focus")
            wait_settled(p.page, g)
            results = live_results(p.page, g)
            if results < 1:
                failures.append(f"{path}: {g['label']} computed no live result when operated by keyboard")
            # Announced, not flooded: at most one announcement per key pressed, one per ten
            # results (a training run's milestones, not its steps), and three more (loading,
            # done, an error).
            said, allowed = announcements(p.page, g), g["keys"] + results // 10 + 3
            rows.append(f"{g['label']:<20} {g['keys']} keys, {results} live results, {said} announcements"
                        f" (at most {allowed})")
            if said > allowed:
                failures.append(f"{path}: {g['label']}: {said} screen-reader announcements for {g['keys']} keys "
                                f"and {results} results (at most {allowed}): "
                                + "; ".join(a["text"] for a in p.page.evaluate("() => window.__announced")[:12]))
        # The live state: what changed is the live groups (and their outputs): axe checks them
        # in each view (the rest of the page is the default state's, checked above).
        scope = [g["scope"] for g in groups]
        for label, width, mode in VIEWS:
            set_view(p.page, width, mode)
            axe(p, "live", label, scope)
            if mode == "dark":  # the focus ring in dark mode: Tab into each group again
                for g in groups:
                    ring = tab_into(p.page, g["selector"])
                    if not ring["visible"]:
                        failures.append(f"{path}: {g['label']}: no visible focus ring in dark mode ({ring})")
    p.check_clean()
    SECONDS[path] = time.perf_counter() - start
    assert not failures, "\n".join(failures)
