"""Accessibility helpers for the browser tests (test_a11y.py, test_keyboard.py).

* axe-core (npm, pinned in tools/a11y/package.json, installed by `make a11y-tools` with
  `npm ci`): injected into the page from tools/a11y/node_modules, run with the WCAG 2.0 and
  2.1 rules of levels A and AA (TAGS);
* the book's pages, found in the built site (book_pages): every HTML page but assets and
  redirects, so a page another change adds is checked without touching these tests;
* the live controls of a page, found in the page (live_groups): every live widget
  (div.mg-live[data-widget]) and the first runnable code cell's bar (cells.js), operated with
  the keyboard alone (operate_by_keyboard): Tab into the group from the element before it,
  then each control in Tab order, the way its kind is used (type into a text box, arrow
  keys on a slider or a list, Enter or Space on a button or a summary), and the result
  drawn next to the controls must change.
"""

from __future__ import annotations

import time
from pathlib import Path

from browser_support import PYODIDE_TIMEOUT, REPO

TOOLS = REPO / "tools" / "a11y"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The views every page is checked in: (label, width, colour mode).
VIEWS = [("1280 light", 1280, "light"), ("1280 dark", 1280, "dark"), ("390 light", 390, "light")]
# Directories of the build that hold assets, not pages.
NON_PAGE_DIRS = {"_static", "_sources", "_images", "vendor", "live", "_sphinx_design_static"}


def install_hint() -> str:
    return f"axe-core is not installed in {TOOLS}/node_modules (run: make a11y-tools)"


def is_redirect(path: Path) -> bool:
    """Jupyter Book's index.html: only a <meta http-equiv="Refresh">, no content to check."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return "http-equiv=\"Refresh\"" in text and "<body" not in text.lower()


def book_pages(root: Path) -> list[str]:
    """Every page of the built book (relative POSIX paths), assets and redirects excluded."""
    pages = []
    for path in sorted(Path(root).rglob("*.html")):
        rel = path.relative_to(root)
        if rel.parts[0] in NON_PAGE_DIRS or rel.parts[0].startswith(".") or is_redirect(path):
            continue
        pages.append(rel.as_posix())
    return pages


def run_axe(page, scope: list[str] | None = None) -> list[dict]:
    """axe-core's violations of TAGS on the page as it is now (or in the elements the CSS
    selectors of scope match): [{id, impact, help, nodes: [{target, html, summary}]}]."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("""async ([tags, scope]) => {
      const context = scope ? {include: scope.map(s => [s])} : document;
      const r = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                  summary: (n.failureSummary || '').slice(0, 300)}))}));
    }""", [TAGS, scope])
    return result


def count(violations) -> int:
    """Violating elements (axe's nodes), all rules together."""
    return sum(len(v["nodes"]) for v in violations)


def describe(violations, limit: int = 6) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}")
        for n in v["nodes"][:limit]:
            lines.append(f"      {n['target']}  {n['html']}")
            if n["summary"]:
                lines.append("        " + n["summary"].replace("\n", " | "))
        if len(v["nodes"]) > limit:
            lines.append(f"      ... and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


# -------------------------------------------------------------------------- the views

def set_mode(page, mode: str) -> None:
    """Switch the colour mode the way a reader does: the theme's own button (it cycles
    light -> dark -> auto), until <html data-theme> is the mode asked for; then the pointer
    and the focus leave the button and its tooltip fades out (axe would measure the contrast
    of a tooltip half faded in)."""
    clicked = False
    for _ in range(3):
        if page.evaluate("() => document.documentElement.dataset.theme") == mode:
            break
        page.locator(".theme-switch-button").first.click()
        clicked = True
    assert page.evaluate("() => document.documentElement.dataset.theme") == mode
    if clicked:
        page.mouse.move(0, 0)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.wait_for_function("() => !document.querySelector('.tooltip')", timeout=5000)
        # the theme's colours change with CSS transitions: measured half way, a text and its
        # background are two mixes of light and dark
        page.wait_for_function("() => !document.getAnimations().some(a => a instanceof CSSTransition)",
                               timeout=5000)


def set_view(page, width: int, mode: str) -> None:
    if page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)  # widgets redraw (100 ms), the theme updates tab stops (300 ms)
    set_mode(page, mode)


# -------------------------------------------------------------------------- live groups

# Everything a reader can reach with Tab, in document order (no positive tabindex in the book).
# (A contenteditable element, such as the code editor's, is a Tab stop although its tabIndex
# reads -1.)
TABBABLE_JS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]:not([contenteditable="false"])'))
  .filter(e => !e.disabled && (e.tabIndex >= 0 || (e.isContentEditable && !e.hasAttribute('tabindex'))) &&
               !e.closest('[inert]') &&
               e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')"""

# The result a group shows, as text: everything it draws but the status line (loading notes
# change before any result arrives) and the controls' own values.
SNAPSHOT_JS = """(root) => {
  const c = root.cloneNode(true);
  c.querySelectorAll('.mg-live-status, script').forEach(e => e.remove());
  return c.innerHTML;
}"""


def live_groups(page) -> list[dict]:
    """The page's live controls, each a group to operate: every live widget, the first
    runnable code cell's bar (its output is part of its result), and any other bar of
    cells.js (the landing page's progress list). [{kind, selector, scope, label}]: Tab moves
    through selector's controls; scope is what axe checks in the live state."""
    return page.evaluate("""() => {
      const out = [];
      document.querySelectorAll('div.mg-live[data-widget]').forEach((el, i) => {
        el.dataset.a11yGroup = 'w' + i;
        const sel = '[data-a11y-group="w' + i + '"]';
        out.push({kind: 'widget', label: 'widget ' + el.dataset.widget, selector: sel, scope: sel});
      });
      const cell = document.querySelector('div.cell.mg-run');
      const bar = cell && cell.querySelector('.mg-cell-bar');
      if (bar) {
        bar.dataset.a11yGroup = 'cell';
        cell.dataset.a11yScope = 'cell';
        const n = (cell.className.match(/mg-cell-(\\d+)/) || [])[1];
        out.push({kind: 'cell', label: 'code cell ' + n, selector: '[data-a11y-group="cell"]',
                  scope: '[data-a11y-scope="cell"]'});
      }
      document.querySelectorAll('.mg-cell-bar').forEach((b, i) => {
        if (b.closest('div.cell')) return;
        b.dataset.a11yGroup = 'bar' + i;
        const sel = '[data-a11y-group="bar' + i + '"]';
        out.push({kind: 'bar', label: 'cells bar ' + i, selector: sel, scope: sel});
      });
      return out;
    }""")


def result_of(page, group: dict) -> str:
    """What the group shows: a widget, itself; a code cell, its bar and its output; a bar,
    itself. (Status lines excluded in a widget: a loading note is not a result.)"""
    if group["kind"] == "widget":
        return page.locator(group["selector"]).evaluate(SNAPSHOT_JS)
    if group["kind"] == "bar":
        return page.locator(group["selector"]).evaluate("b => b.innerText")
    return page.locator(group["scope"]).evaluate("""(el) => {
      const out = el.querySelector('.mg-cell-out');
      return (out && !out.hidden ? out.innerText : '') + '|' + el.querySelector('.mg-cell-bar').innerText;
    }""")


def focus_ring(page) -> dict:
    """The focused element and how its focus is drawn: outline (style, width, colour),
    box-shadow; visible when an opaque outline of at least 2 px or a box-shadow is drawn."""
    return page.evaluate("""() => {
      const e = document.activeElement, s = getComputedStyle(e);
      const width = parseFloat(s.outlineWidth) || 0;
      const clear = /rgba\\([^)]*, 0\\)|transparent/.test(s.outlineColor);
      const visible = (s.outlineStyle !== 'none' && width >= 2 && !clear) ||
                      (s.boxShadow && s.boxShadow !== 'none');
      return {tag: e.tagName.toLowerCase(), type: e.type || '',
              name: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40),
              outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, shadow: s.boxShadow,
              visible: !!visible, focusVisible: e.matches(':focus-visible')};
    }""")


def _in_group(page, selector: str) -> bool:
    return page.evaluate("""(sel) => { const g = document.querySelector(sel);
      return !!g && g.contains(document.activeElement) && document.activeElement !== g; }""", selector)


def _control_id(page) -> str:
    """A stable name for the focused control within its group: its number, given the first
    time it is seen (a button's text may change, two buttons may share a label)."""
    return page.evaluate(r"""() => { const e = document.activeElement;
      const g = e.closest('[data-a11y-group]');
      if (!e.dataset.a11yCtl) {
        g.dataset.a11yN = String(Number(g.dataset.a11yN || 0) + 1);
        e.dataset.a11yCtl = g.dataset.a11yN;
      }
      return e.dataset.a11yCtl + '|' + e.tagName.toLowerCase() + '|' +
             (e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].innerText :
              e.textContent)).trim().replace(/\s+/g, ' ').slice(0, 30); }""")


def tab_into(page, selector: str) -> dict:
    """Focus the last Tab stop before the group, press Tab: the group's first control must get
    the focus (a reader reaches it with Tab). The focus ring of that control."""
    ok = page.evaluate(f"""(sel) => {{
      const all = ({TABBABLE_JS})(), g = document.querySelector(sel);
      const i = all.findIndex(e => g.contains(e));
      if (i < 0) return 'no Tab stop in the group';
      if (i > 0) all[i - 1].focus(); else document.activeElement.blur();
      return i > 0 && all[i - 1].isContentEditable ? 'editor' : '';
    }}""", selector)
    assert ok in ("", "editor"), f"{selector}: {ok}"
    if ok == "editor":  # a code editor keeps Tab for indenting: Escape, then Tab, leaves it
        page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert _in_group(page, selector), f"Tab from the element before {selector} did not reach its first control"
    return focus_ring(page)


def new_text(value: str) -> str:
    """Another value to type into a text box, one a reader would try: a whole number one more,
    another number twice as large (so every setting stays valid and its change shows), else
    a name."""
    try:
        number = float(value)
    except ValueError:
        return "olivia" if value.strip().lower() == "emma" else "emma"
    if number.is_integer() and "." not in value and "e" not in value.lower():
        return str(int(number) + 1)
    return repr(number * 2 if number else 0.5)


# Uses that change nothing in the group by design: scrolling a log, opening the file dialog of
# a file box (the test cannot choose in it, but it checks that the keyboard opens it),
# selecting a read-only field's text to copy it.
OPENED_CHOOSER = "Space: the file dialog opened"
SELECTED = "selected all (read-only)"
NOTHING_TO_CHANGE = ("region", OPENED_CHOOSER, SELECTED)


def file_choosers(page) -> list:
    """The file dialogs the page has opened (intercepted: nothing is chosen). One listener per
    page, attached before any key is pressed and kept: Playwright subscribes to the event
    without waiting for the browser, so a listener attached right before a key press (as
    expect_file_chooser does) can miss the dialog that key opens."""
    choosers = getattr(page, "_mg_file_choosers", None)
    if choosers is None:
        choosers = page._mg_file_choosers = []
        page.on("filechooser", lambda chooser: choosers.append(chooser))
        page.evaluate("() => 0")  # one round trip: the subscription has reached the browser
    return choosers


def operate_focused(page, press_n: int) -> tuple[str, int]:
    """Use the focused control the way its kind is used, with keys only: (what was done, how
    many keys were pressed)."""
    kind = page.evaluate("""() => { const e = document.activeElement;
      if (e.isContentEditable) return 'editor';
      const t = e.tagName.toLowerCase();
      if ((t === 'input' || t === 'textarea') && e.readOnly) return 'readonly';
      if (t === 'input' && e.type === 'file') return 'file';
      if (t === 'input') return ['range', 'checkbox', 'radio'].includes(e.type) ? e.type : 'text';
      if (t === 'textarea') return 'text';
      if (t === 'select' || t === 'button' || t === 'summary' || t === 'a') return t;
      return 'region'; }""")
    kb = page.keyboard
    value = page.evaluate("() => document.activeElement.value")
    if kind == "text":
        typed = new_text(value)
        kb.press("ControlOrMeta+a")
        kb.type(typed)
        kb.press("Enter")
        return f"typed {typed!r} + Enter", len(typed) + 2
    if kind in ("range", "select"):
        forward, back = ("ArrowRight", "ArrowLeft") if kind == "range" else ("ArrowDown", "ArrowUp")
        kb.press(forward)
        if page.evaluate("() => document.activeElement.value") == value:
            kb.press(back)
            return back, 2
        return forward, 1
    if kind in ("checkbox", "radio"):
        kb.press("Space")
        return "Space", 1
    if kind in ("button", "summary"):
        key = "Enter" if press_n % 2 == 0 else "Space"
        kb.press(key)
        return key, 1
    if kind == "region":  # a scrollable region (a log): the arrow keys scroll it
        kb.press("ArrowDown")
        return "region", 1
    if kind == "file":  # Space opens the system's file dialog (intercepted here, nothing chosen)
        choosers = file_choosers(page)
        opened = len(choosers)
        kb.press("Space")
        deadline = time.monotonic() + 10
        while len(choosers) == opened and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(choosers) > opened, "Space on a file box opened no file dialog within 10 s"
        return OPENED_CHOOSER, 1
    if kind == "readonly":  # a field to copy from (a link): select it all, as a reader copying would
        kb.press("ControlOrMeta+a")
        return SELECTED, 1
    return "skipped (" + kind + ")", 0


# The group's element the runtime works for (a widget; a code cell's bar): is it busy
# (loading Python), how many requests are under way, how many results arrived.
RUNTIME_STATE_JS = """(g) => {
  const root = g.closest('.mg-live') || g;
  // runtime.js counts on the element a request is for: the widget, or inside a code cell's bar
  const sum = (r, key) => [r, ...r.querySelectorAll('[data-' + key.replace(/[A-Z]/g, c => '-' + c.toLowerCase()) + ']')]
    .reduce((n, e) => n + Number(e.dataset[key] || 0), 0);
  return {busy: root.getAttribute('aria-busy') === 'true' ||
                !!root.querySelector('.mg-live-status[data-kind="loading"]:not([hidden])'),
          pending: sum(root, 'livePending'), results: sum(root, 'liveResults')};
}"""


# What a screen reader would announce: every change of the text inside a live region (an
# element with aria-live polite/assertive, or role status/alert/log, or an <output>, and no
# nearer aria-live="off"), counted once per region per 50 ms (one update of a note may be
# several DOM mutations). window.__announced: [{region (its text), time}], per element.
ANNOUNCE_JS = """() => {
  if (window.__announced) return;
  window.__announced = [];
  const last = new WeakMap();
  function region(node) {
    for (let e = node.nodeType === 1 ? node : node.parentElement; e; e = e.parentElement) {
      const live = e.getAttribute('aria-live');
      if (live === 'off') return null;
      if (live === 'polite' || live === 'assertive') return e;
      const role = e.getAttribute('role');
      if (role === 'status' || role === 'alert' || role === 'log' || e.tagName === 'OUTPUT') return e;
    }
    return null;
  }
  new MutationObserver(records => {
    const now = performance.now();
    for (const r of records) {
      const e = region(r.target);
      if (!e || e.hidden || (now - (last.get(e) || -1e9)) < 50) continue;
      last.set(e, now);
      if (!e.dataset.a11yAnnounced) e.dataset.a11yAnnounced = '0';
      e.dataset.a11yAnnounced = String(Number(e.dataset.a11yAnnounced) + 1);
      window.__announced.push({text: e.textContent.slice(0, 80), time: now});
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def watch_announcements(page) -> None:
    page.evaluate(ANNOUNCE_JS)


def announcements(page, group: dict) -> int:
    """How many announcements (see ANNOUNCE_JS) came from live regions in the group's scope."""
    return page.locator(group["scope"]).evaluate(
        "g => [g, ...g.querySelectorAll('[data-a11y-announced]')]"
        ".reduce((n, e) => n + Number(e.dataset.a11yAnnounced || 0), 0)")


def runtime_state(page, group: dict) -> dict:
    return page.locator(group["selector"]).evaluate(RUNTIME_STATE_JS)


def wait_changed(page, group: dict, before: str, results: int, timeout: float) -> bool:
    """Until what the group shows differs from before and what the operation asked Python for
    has arrived: not loading, nothing under way (or, for a stream, a first item)."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        st = runtime_state(page, group)
        if (result_of(page, group) != before and not st["busy"]
                and (st["pending"] == 0 or st["results"] > results)):
            return True
        page.wait_for_timeout(100)
    return False


def wait_settled(page, group: dict, quiet_ms: int = 600, timeout: float = PYODIDE_TIMEOUT) -> None:
    """Until the group is not busy, has no request under way, and its result stopped
    changing for quiet_ms."""
    deadline = time.monotonic() + timeout / 1000
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        st = runtime_state(page, group)
        now = result_of(page, group)
        if st["busy"] or st["pending"] or now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_ms / 1000:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{group['label']} never settled within {timeout / 1000:.0f} s")


def operate_by_keyboard(page, group: dict, passes: int = 3, skip=None) -> list[dict]:
    """Tab into the group and operate each of its controls with the keyboard (see
    operate_focused); every control must show a visible focus ring and its use must change
    what the group shows. Controls disabled on one pass (a Back button at the first step)
    are operated on a later one. skip(control) -> a reason not to operate that control, or
    None. One row per control: {control, action, ring, changed}; group["keys"]: the keys
    pressed to operate the controls."""
    sel = group["selector"]
    done: dict[str, dict] = {}
    presses = 0
    file_choosers(page)  # listening before the first key (see there)
    for _ in range(passes):
        ring = tab_into(page, sel)
        while True:
            cid = _control_id(page)
            key = cid.split("|")[0] + "|"
            reason = skip and skip(cid.split("|", 1)[1])
            if key not in done and reason:
                done[key] = {"control": cid.split("|", 1)[1], "action": "not operated: " + reason,
                             "ring": ring, "changed": True}
            elif key not in done:
                before, results = result_of(page, group), runtime_state(page, group)["results"]
                action, keys = operate_focused(page, len(done))
                presses += keys
                changed = action in NOTHING_TO_CHANGE or wait_changed(page, group, before, results, PYODIDE_TIMEOUT)
                done[key] = {"control": cid.split("|", 1)[1], "action": action,
                             "ring": ring, "changed": changed}
                if page.evaluate("() => !document.activeElement || document.activeElement === document.body"):
                    done[key]["focus_lost"] = True
            page.keyboard.press("Tab")
            if not _in_group(page, sel):
                break
            ring = focus_ring(page)
        if control_ids(page, sel) <= set(done):
            break
    group["keys"] = presses
    return list(done.values())


def control_ids(page, selector: str) -> set[str]:
    """The ids (as _control_id makes them) of the group's Tab stops now (none for a control
    never focused yet: it has no number)."""
    return set(page.evaluate(f"""(sel) => {{ const g = document.querySelector(sel);
      return ({TABBABLE_JS})().filter(e => g.contains(e)).map(e => (e.dataset.a11yCtl || 'new') + '|' +
        ''); }}""", selector))


def live_results(page, group: dict) -> int:
    """How many results Python computed in the page for the group (runtime.js counts them on
    the widget, or on a code cell's bar: a Reset may hide the output a run showed)."""
    if group["kind"] == "bar":
        return 1  # the landing page's progress list: nothing to compute
    return runtime_state(page, group)["results"]
