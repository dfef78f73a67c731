"""The book offline after one visit (book/_extra/sw.js, book/_ext/microgpt_offline.py).

On a copy of the built site served on its own port (so that it can be "rebuilt" here, and
its origin's caches are its own), in a browser context that allows service workers:

* first visit, online: a chapter page; its widget goes live (Pyodide starts from the
  network); a second page is opened; the service worker keeps what they loaded;
* then the network is off (Playwright's offline mode AND the site's server stopped): both
  pages read (text, every image, math), the live widget computes again (Pyodide from the
  service worker's cache), a page never opened says it was not saved;
* a rebuild (a page changed, the version written again as the build does) replaces the
  cache: the new service worker deletes the old build's cache and the page shows the
  new text; nothing of the old build is served after that.
The first-visit and second-visit times to the first live result are printed at the end.
Where service workers are blocked (every other browser test: BookPage blocks them) the book
works as before; test_blocked checks that explicitly.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from browser_support import PYODIDE_TIMEOUT, REPO, StaticServer, is_local, note

sys.path.insert(0, str(REPO / "book" / "_ext"))
import microgpt_offline  # noqa: E402  (book/_ext is not a package)

FIRST, SECOND, NEVER = "book/01_data.html", "book/03_architecture.html", "book/07_complete_picture.html"


@pytest.fixture
def site(html_root, tmp_path):
    """A copy of the built site on a server of its own: (folder, server)."""
    root = tmp_path / "html"
    shutil.copytree(html_root, root)
    server = StaticServer(root).__enter__()
    try:
        yield root, server
    finally:
        server.__exit__()


def sw_version(root: Path) -> str:
    return re.search(r'const VERSION = "(\w+)"', (root / "sw.js").read_text()).group(1)


def first_live_result(page, text: str) -> float:
    """Type text into chapter 1's widget once the page has settled; seconds from the start
    of Python (the keystroke) to the first result computed in the page (runtime.js's timings)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    box = page.locator('.mg-live[data-widget="tokens"] input')
    box.fill(text)
    page.wait_for_function("(ids) => document.querySelector('.mg-live[data-widget=\"tokens\"]').dataset.ids "
                           "&& MicrogptLive.timings.firstResult !== null", arg=None, timeout=PYODIDE_TIMEOUT)
    t = page.evaluate("() => MicrogptLive.timings")
    return (t["firstResult"] - t["workerStart"]) / 1000


def assert_reads(page, path: str) -> None:
    """The page is the book's page: its title, every image loaded, math typeset, widgets drawn."""
    assert page.locator("article h1").first.is_visible(), f"{path}: no title"
    broken = page.evaluate("""async () => {
      const imgs = Array.from(document.images);
      imgs.forEach(i => { i.loading = 'eager'; });
      await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })));
      return imgs.filter(i => !i.naturalWidth).map(i => i.src.slice(0, 80)); }""")
    assert not broken, f"{path}: images not shown offline: {broken}"
    if page.locator(".math").count():
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
    for root in page.locator("div.mg-live").all():
        assert root.locator("svg, .mg-chip").count() > 0, f"{path}: a widget is not drawn offline"


def test_offline_after_one_visit(browser, site):
    root, server = site
    version = sw_version(root)
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    context.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
    page = context.new_page()
    try:
        # first visit, online
        page.goto(f"{server.url}/{FIRST}")
        kept = page.evaluate("() => MicrogptLive.offline")
        assert kept and kept["version"] == version, f"the service worker did not keep the page: {kept}"
        first = first_live_result(page, "emma")
        page.goto(f"{server.url}/{SECOND}")
        page.wait_for_load_state("networkidle")
        names = page.evaluate("async (v) => (await caches.open('microgpt-book:' + v)).keys()"
                              ".then(ks => ks.map(k => k.url))", version)
        kept_files = {u.split(server.url + "/", 1)[1] for u in names}
        assert {FIRST, SECOND, "vendor/pyodide/pyodide.asm.wasm", "live/worker.js"} <= kept_files, \
            sorted(kept_files)[:40]

        # the network is off: the server is stopped and the browser is offline
        server.__exit__()
        context.set_offline(True)
        page.goto(f"{server.url}/{FIRST}")
        assert_reads(page, FIRST)
        second = first_live_result(page, "olivia")
        ids = page.locator('.mg-live[data-widget="tokens"]').get_attribute("data-ids")
        from microgpt import explore
        assert ids == ",".join(map(str, explore.tokens_state("olivia")["ids"]))
        page.goto(f"{server.url}/{SECOND}")
        assert_reads(page, SECOND)
        response = page.goto(f"{server.url}/{NEVER}")
        assert response.status == 503 and "You are offline" in page.locator("h1").inner_text()
        note(f"offline: first visit {first:.1f} s to the first live result (Pyodide from the network), "
             f"second visit offline {second:.1f} s (Pyodide from the service worker's cache); "
             f"{len(kept_files)} files kept, version {version}")
        assert not outside, f"requests outside 127.0.0.1: {outside[:5]}"
    finally:
        context.close()


def test_a_rebuild_replaces_the_cache(browser, site):
    root, server = site
    old = sw_version(root)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    page = context.new_page()
    try:
        page.goto(f"{server.url}/{FIRST}")
        assert page.evaluate("() => MicrogptLive.offline")["version"] == old
        page.reload()  # now served by the service worker, from its cache
        assert "A NEW SENTENCE" not in page.content()

        # a rebuild: one page changes, the build writes the version again
        path = root / FIRST
        path.write_text(path.read_text(encoding="utf-8").replace("<h1>", "<h1>A NEW SENTENCE. ", 1),
                        encoding="utf-8")
        new = microgpt_offline.write_version(root)
        assert new != old

        page.goto(f"{server.url}/{FIRST}")  # the browser fetches sw.js again: the new one installs
        deadline = time.monotonic() + 30
        while f"microgpt-book:{old}" in page.evaluate("() => caches.keys()"):  # the new worker deletes it
            assert time.monotonic() < deadline, f"the old cache stays: {page.evaluate('() => caches.keys()')}"
            page.wait_for_timeout(200)
        page.reload()
        assert "<h1>A NEW SENTENCE. " in page.content()
        assert page.evaluate("() => caches.keys()") == [f"microgpt-book:{new}"]
        assert page.evaluate("() => MicrogptLive.offline")["version"] == new
    finally:
        context.close()


def test_blocked(open_page):
    """Service workers blocked (as in every BookPage): no controller, no error, the page as before."""
    p = open_page(path=FIRST)
    p.settle()
    kept = p.page.evaluate("() => Promise.race([MicrogptLive.offline, new Promise(r => setTimeout(r, 2000, 'none'))])")
    assert kept in (None, "none"), kept
    assert p.page.evaluate("() => !navigator.serviceWorker || !navigator.serviceWorker.controller")
    p.check_clean()  # (every other browser test, live widgets included, runs with workers blocked)


def test_version_is_the_build(html_root, tmp_path):
    """sw.js carries the hash of the built files: the same build, the same version; any file
    changed, another."""
    assert sw_version(html_root) == microgpt_offline.build_version(html_root)
    assert "__BUILD_VERSION__" not in (html_root / "sw.js").read_text()
    small = tmp_path / "site"
    (small / "book").mkdir(parents=True)
    (small / "book" / "a.html").write_text("one")
    v1 = microgpt_offline.build_version(small)
    assert microgpt_offline.build_version(small) == v1
    (small / "sw.js").write_text("not part of the version")
    assert microgpt_offline.build_version(small) == v1
    (small / "book" / "a.html").write_text("two")
    assert microgpt_offline.build_version(small) != v1
