"""The built HTML book (_build/html) in a real browser, as a reader sees it.

Serves _build/html from 127.0.0.1 (stdlib http.server thread), opens every page in
headless Debian Chromium (Playwright, executable_path=/usr/bin/chromium) in light
and dark mode, with every request to anything but that server aborted and
recorded, and checks per page:

* no console errors, no uncaught JS errors, no failed (>= 400 / network) requests,
  no attempted external request (listed in the failure message);
* every <img> loaded (naturalWidth > 0);
* saved ipywidgets state renders: every widget view is replaced by a rendered
  .jupyter-widgets element with content;
* every matplotlib to_jshtml animation has its image, slider and buttons (with
  visible icons) and steps to the next frame when "Next frame" is clicked;
* math is typeset by MathJax (every .math element holds an mjx-container, no
  mjx-merror) and no raw TeX ($$, \\(, \\[, \\begin{...}, $\\cmd$) is visible;
* the colour mode requested (localStorage "mode"/"theme", pydata-sphinx-theme)
  is applied: <html data-theme> and a light/dark page background.

A full-page screenshot of each page in each mode goes to _build/screenshots/.
Without a browser at all, test_internal_links_resolve still checks every internal
link, resource and #fragment of the site from the HTML files.

Run: make test-browser   (or .venv/bin/pytest tests/browser/test_html_book.py -ra)
"""

from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser_support import REPO, bullet, note

VIEWPORT = {"width": 1280, "height": 900}
MODES = ("light", "dark")
# Directories of the build that hold assets, not pages.
NON_PAGE_DIRS = {"_static", "_sources", "_images", "vendor", "_sphinx_design_static"}


def _html_root_guess() -> Path:
    return Path(os.environ.get("BOOK_HTML") or REPO / "_build" / "html").resolve()


def discover_pages(root: Path) -> list[str]:
    """Every HTML page of the build (relative POSIX paths), assets excluded."""
    if not root.is_dir():
        return []
    pages = []
    for path in root.rglob("*.html"):
        rel = path.relative_to(root)
        if rel.parts[0] in NON_PAGE_DIRS or rel.parts[0].startswith("."):
            continue
        pages.append(rel.as_posix())
    return sorted(pages)


PAGES = discover_pages(_html_root_guess()) or ["(no built book)"]


def toc_files() -> list[str]:
    """Every `file:` (and the root) of _toc.yml, e.g. book/intro (scripts/make_pdf.py reads it)."""
    sys.path.insert(0, str(REPO / "scripts"))
    import make_pdf

    return make_pdf.toc_files()


# ----------------------------------------------------------------- page scripts
JS_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  const done = Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
      i.addEventListener('load', r); i.addEventListener('error', r); })));
  await Promise.race([done, new Promise(r => setTimeout(r, 15000))]);
  return imgs.map(i => ({src: i.currentSrc || i.getAttribute('src') || '', id: i.id,
                         complete: i.complete, w: i.naturalWidth, h: i.naturalHeight}));
}"""

JS_WIDGETS = """() => {
  const state = document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]').length;
  const views = Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]'));
  return {state, views: views.map(v => {
    let model = '';
    try { model = JSON.parse(v.textContent).model_id; } catch (e) { model = '(bad JSON)'; }
    const sub = v.previousElementSibling;
    const area = sub && sub.classList.contains('widget-subarea') ? sub : null;
    const w = area ? area.querySelector('.jupyter-widgets') : null;
    const classes = area ? Array.from(new Set(Array.from(area.querySelectorAll('*'))
        .flatMap(e => Array.from(e.classList).filter(c => c.startsWith('widget-'))))) : [];
    return {model, area: !!area, widget: !!w, classes: classes.slice(0, 12),
            text: area ? area.innerText.trim().slice(0, 120) : '',
            media: area ? area.querySelectorAll('img,svg,canvas,input,.noUi-handle').length : 0};
  })};
}"""

JS_ANIMATIONS = """() => Array.from(document.querySelectorAll('div.animation')).map((a, k) => {
  const img = a.querySelector('img');
  const slider = a.querySelector('input[type=range]');
  const buttons = Array.from(a.querySelectorAll('button'));
  const iconOK = b => {
    const icon = b.querySelector('svg, i');
    if (!icon) return false;
    const r = icon.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  return {k, img: !!img, imgId: img ? img.id : '', imgW: img ? img.naturalWidth : 0,
          slider: !!slider, frames: slider ? (+slider.max + 1) : 0,
          buttons: buttons.length, titles: buttons.map(b => b.title),
          blank: buttons.filter(b => !iconOK(b)).map(b => b.title || b.outerHTML.slice(0, 60)),
          radios: a.querySelectorAll('input[type=radio]').length};
})"""

JS_MATH = """async () => {
  const mathEls = Array.from(document.querySelectorAll('.math'));
  const mj = window.MathJax;
  let waited = 'no MathJax';
  if (mj && mj.startup && mj.startup.promise) {
    waited = await Promise.race([mj.startup.promise.then(() => 'ok', e => 'error: ' + e),
                                 new Promise(r => setTimeout(() => r('timeout'), 30000))]);
  }
  return {n: mathEls.length, mathjax: !!(mj && mj.version), waited,
          containers: document.querySelectorAll('mjx-container').length,
          untypeset: mathEls.filter(e => !e.querySelector('mjx-container'))
                            .map(e => e.textContent.trim().slice(0, 80)).slice(0, 5),
          errors: Array.from(document.querySelectorAll('mjx-merror'))
                       .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120))
                       .slice(0, 5)};
}"""

JS_RAW_TEX = r"""() => {
  const skip = 'script,style,noscript,pre,code,textarea,kbd,samp,mjx-container,' +
               '.highlight,.cell_input,.jp-InputArea,[hidden]';
  const raw = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$/;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    if (raw.test(n.textContent)) out.push(n.textContent.trim().slice(0, 120));
  }
  return out.slice(0, 10);
}"""

JS_THEME = """() => {
  const h = document.documentElement;
  return {theme: h.dataset.theme || '', mode: h.dataset.mode || '',
          bg: getComputedStyle(document.body).backgroundColor,
          fg: getComputedStyle(document.body).color};
}"""


# Known causes of failures seen in this book, appended to the failure message.
HINTS = {
    "THEBE_JS_URL": "sphinx-thebe 0.3.1 registers its inline config script twice, so "
                    "every page throws on the second `const THEBE_JS_URL`; drop the "
                    "duplicate from the page context (a small html-page-context handler "
                    "in a local Sphinx extension that de-duplicates context['script_files']).",
    "font-awesome": "matplotlib's Animation.to_jshtml() puts a <link> to Font Awesome 4.4 "
                    "on maxcdn.bootstrapcdn.com into its HTML; strip that <link> before "
                    "display (the theme's own Font Awesome already draws the fa-* button "
                    "icons, and JupyterLab ships Font Awesome too).",
}


def _hints(text: str) -> str:
    found = [hint for key, hint in HINTS.items() if key in text]
    return "".join(f"  hint: {h}\n" for h in found)


def _luminance(css_color: str) -> float:
    nums = [float(x) for x in re.findall(r"[\d.]+", css_color)[:3]]
    if len(nums) < 3:
        return -1.0
    r, g, b = (v / 255 for v in nums)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _screenshot_name(rel: str, mode: str) -> str:
    stem = rel[:-5] if rel.endswith(".html") else rel
    return stem.replace("/", "__") + f"-{mode}.png"


# ------------------------------------------------------------------------ tests
def test_toc_pages_are_built(html_root):
    """Every page listed in _toc.yml has been built."""
    missing = [f for f in toc_files() if not (html_root / f"{f}.html").is_file()]
    assert not missing, f"pages in _toc.yml missing from {html_root}: {missing}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rel", PAGES)
def test_page(open_page, server, html_root, screenshot_dir, rel, mode):
    if not (html_root / rel).is_file():
        pytest.fail(f"{rel} vanished from {html_root} (rebuilt while testing?)")
    bp = open_page(mode=mode)
    page, rec = bp.page, bp.rec
    problems: list[str] = []
    try:
        response = page.goto(f"{server.url}/{rel}", wait_until="load", timeout=60_000)
        if response is None or response.status >= 400:
            problems.append(f"page itself: HTTP {response.status if response else '?'}")
        if rel == "index.html":  # meta-refresh redirect to the root page
            page.wait_for_url(re.compile(r".*/book/.*\.html"), timeout=15_000)
            page.wait_for_load_state("load")
        try:
            page.wait_for_load_state("networkidle", timeout=20_000)
        except Exception:
            problems.append("network did not go idle within 20 s")

        # Widgets: saved state -> every view rendered, with content.
        widgets = page.evaluate(JS_WIDGETS)
        views = widgets["views"]
        if views and widgets["state"]:
            try:
                page.wait_for_function(
                    "n => document.querySelectorAll('.widget-subarea .jupyter-widgets').length >= n",
                    arg=len(views),
                    timeout=20_000,
                )
            except Exception:
                pass  # reported in detail below
            widgets = page.evaluate(JS_WIDGETS)
            for v in widgets["views"]:
                if not (v["area"] and v["widget"]):
                    problems.append(f"widget view {v['model']} not rendered (model missing from the saved state?)")
                elif not (v["text"] or v["media"]):
                    problems.append(f"widget view {v['model']} rendered empty: {v['classes']}")
        elif views and not widgets["state"]:
            problems.append(
                f"{len(views)} widget view(s) but no saved widget state on the page: "
                "they cannot render (execute/save the notebook with widget state)"
            )

        # Math: typeset by MathJax, no TeX errors, no raw TeX visible.
        math = page.evaluate(JS_MATH)
        if math["n"]:
            if not math["mathjax"]:
                problems.append(f"{math['n']} math element(s) but MathJax did not load")
            elif math["waited"] != "ok":
                problems.append(f"MathJax startup: {math['waited']}")
            if math["untypeset"]:
                problems.append(f"math not typeset by MathJax: {math['untypeset']}")
            if math["errors"]:
                problems.append(f"MathJax errors: {math['errors']}")
        raw = page.evaluate(JS_RAW_TEX)
        if raw:
            problems.append(f"raw TeX visible on the page: {raw}")

        # Images.
        images = page.evaluate(JS_IMAGES)
        broken = [i["src"] or f"<img id={i['id']!r} without src>" for i in images if i["w"] == 0]
        if broken:
            problems.append(bullet("images not loaded (naturalWidth 0)", broken).rstrip())

        # Animations (matplotlib to_jshtml).
        animations = page.evaluate(JS_ANIMATIONS)
        for a in animations:
            label = f"animation #{a['k'] + 1} ({a['imgId']})"
            if not (a["img"] and a["imgW"] > 0):
                problems.append(f"{label}: frame image missing or not loaded")
            if not a["slider"]:
                problems.append(f"{label}: frame slider missing")
            if a["buttons"] < 4:
                problems.append(f"{label}: only {a['buttons']} control buttons")
            if a["blank"]:
                problems.append(f"{label}: buttons without a visible icon: {a['blank']}")

        # Colour mode.
        theme = page.evaluate(JS_THEME)
        lum = _luminance(theme["bg"])
        if theme["theme"] != mode:
            problems.append(f"<html data-theme={theme['theme']!r}>, expected {mode!r}")
        if (mode == "light" and lum < 0.6) or (mode == "dark" and lum > 0.4):
            problems.append(f"{mode} mode but body background is {theme['bg']} (luminance {lum:.2f})")

        page.screenshot(
            path=str(screenshot_dir / _screenshot_name(rel, mode)),
            full_page=True,
            animations="disabled",
            timeout=60_000,
        )

        # Animations work: "Next frame" shows another frame.
        for a in animations:
            if a["frames"] < 2 or "Next frame" not in a["titles"] or not a["imgId"]:
                continue
            img = page.locator(f"#{a['imgId']}")
            before = img.get_attribute("src")
            page.locator("div.animation").nth(a["k"]).locator('button[title="Next frame"]').click()
            try:
                page.wait_for_function(
                    "([id, src]) => document.getElementById(id).getAttribute('src') !== src",
                    arg=[a["imgId"], before],
                    timeout=5_000,
                )
            except Exception:
                problems.append(f"animation #{a['k'] + 1}: 'Next frame' did not change the frame")

        page.wait_for_timeout(100)  # let late console messages arrive
    finally:
        bp.path = rel
        bp.close()

    label = f"{rel} [{mode}]"
    print(f"{label}: {len(rec.served)} requests served from 127.0.0.1, "
          f"{len(rec.blocked)} blocked (external), {len(rec.failed)} failed")

    report = "".join(
        [
            bullet("attempted external requests (blocked)", rec.blocked),
            bullet("external websockets", rec.external_websockets()),
            bullet("failed requests", rec.failed),
            bullet("console errors", rec.console_errors),
            bullet("uncaught page errors", rec.page_errors),
            bullet("other problems", problems),
        ]
    )
    assert not report, f"{label} has problems:\n{report}{_hints(report)}"


def test_theme_switch_button(open_page, server, html_root):
    """The navbar's colour-mode button switches light -> dark on the root page."""
    rel = next((p for p in PAGES if p.startswith("book/")), PAGES[0])
    bp = open_page(mode="light")
    page, rec = bp.page, bp.rec
    try:
        page.goto(f"{server.url}/{rel}", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        # pydata-sphinx-theme cycles the mode (light/dark/auto, order depends on the
        # system preference): at most three clicks reach dark, each changes data-mode.
        button = page.locator("button.theme-switch-button").first
        for _ in range(3):
            mode = page.evaluate("document.documentElement.dataset.mode")
            button.click()
            page.wait_for_function(
                "m => document.documentElement.dataset.mode !== m", arg=mode, timeout=5_000
            )
            if page.evaluate("document.documentElement.dataset.theme") == "dark":
                break
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert _luminance(bg) < 0.4, f"dark mode selected but background is {bg}"
    finally:
        bp.close()
    report = bullet("console errors", rec.console_errors) + bullet("uncaught page errors", rec.page_errors)
    assert not report, f"{rel} while switching the colour mode:\n{report}{_hints(report)}"


# ---------------------------------------------------------------- link crawling
class _Links(HTMLParser):
    TAGS = {"a", "link", "script", "img", "iframe", "source", "area", "video", "audio"}
    # <link rel=...> values that make the browser fetch the URL.
    LOADED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "prefetch", "manifest"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag in self.TAGS:
            rel = set((a.get("rel") or "").lower().split())
            resource = tag != "a" and (tag != "link" or bool(rel & self.LOADED_RELS))
            for attr in ("href", "src"):
                if a.get(attr):
                    self.refs.append((tag, a[attr], resource))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            m = re.search(r"url=(.+)", a.get("content") or "", re.I)
            if m:
                self.refs.append(("meta", m.group(1).strip().strip("'\""), True))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def test_internal_links_resolve(html_root):
    """Every internal href/src of every built HTML file exists, and every #fragment
    names an id in its target page. No page loads a script, stylesheet, image or
    frame from another host (the book must work offline); external <a> links are
    only counted (no network)."""
    base = "http://book.invalid/"
    parsed: dict[Path, _Links] = {}
    broken: list[str] = []
    external_resources: list[str] = []
    external_links: dict[str, int] = {}
    html_files = sorted(p for p in html_root.rglob("*.html")
                        if p.relative_to(html_root).parts[0] not in {"_static", "vendor"})
    checked = 0
    for path in html_files:
        rel = path.relative_to(html_root).as_posix()
        links = parsed.setdefault(path, _parse(path))
        for tag, ref, resource in links.refs:
            if ref.startswith(("mailto:", "javascript:", "data:", "tel:", "blob:")) or ref == "#":
                continue
            url = urlsplit(urljoin(base + rel, ref))
            if f"{url.scheme}://{url.netloc}/" != base:
                if resource:
                    external_resources.append(f"{rel}: <{tag}> {ref}")
                else:
                    external_links[url.netloc] = external_links.get(url.netloc, 0) + 1
                continue
            checked += 1
            target = html_root / unquote(url.path.lstrip("/"))
            if url.path.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{rel}: <{tag}> {ref} -> missing file {target.relative_to(html_root)}")
                continue
            if url.fragment and target.suffix == ".html":
                ids = parsed.setdefault(target, _parse(target)).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{rel}: <{tag}> {ref} -> no id '{url.fragment}' in "
                                  f"{target.relative_to(html_root)}")
    note(f"link crawl: {len(html_files)} HTML files, {checked} internal links/resources checked; "
          f"external links (not fetched) per host: {dict(sorted(external_links.items()))}")
    problems = broken + [f"loads a resource from another host: {r}" for r in external_resources]
    text = "\n".join(problems[:100])
    assert not problems, f"broken internal links / external resources:\n{text}\n{_hints(text)}"
