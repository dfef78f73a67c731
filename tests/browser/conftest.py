"""Fixtures for the browser tests: headless Debian Chromium driven by Playwright.

Without /usr/bin/chromium (or the playwright package) every browser test is
SKIPPED with the reason shown in pytest's summary (`make test-browser` runs
pytest with -ra); with CI=true in the environment (CI sets it) the same
situation is a FAILURE, so CI can never go green without having run them.

The harness every browser test uses:
  server        one static server of the built book for the whole session (browser_support.StaticServer)
  open_page     open_page(width=1280, mode="light", path=None) -> browser_support.BookPage:
                a fresh context in that viewport width and colour mode, requests outside
                127.0.0.1 aborted and recorded, closed after the test; failures of the
                server can be simulated per page (BookPage.sabotage)

Environment:
  CHROMIUM      browser binary (default /usr/bin/chromium; apt: chromium chromium-driver)
  BOOK_HTML     built book to test (default <repo>/_build/html)
  BOOK_SCREENSHOTS  where screenshots go (default: screenshots/ next to BOOK_HTML)
  CI            "true" turns skips for a missing browser/book into failures
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTES,
    REPO,
    REQUEST_LOG,
    SKIP_REASONS,
    BookPage,
    StaticServer,
    unavailable,
)


@pytest.fixture(scope="session")
def sync_playwright_api():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(
            f"Chromium not found at {CHROMIUM} "
            "(install it: apt-get install -y chromium chromium-driver)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the venv
        unavailable(f"the playwright package is not installed ({exc}); run `make .venv`")
    return sync_playwright


@pytest.fixture(scope="session")
def browser(sync_playwright_api):
    """One headless Chromium for the whole session (each test opens its own context)."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright_api() as pw:
        try:
            b = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
            )
        except Exception as exc:
            pytest.fail(f"could not launch {CHROMIUM} with Playwright: {exc}", pytrace=False)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def html_root() -> Path:
    root = Path(os.environ.get("BOOK_HTML") or REPO / "_build" / "html").resolve()
    if not (root / "index.html").is_file():
        unavailable(f"no built book at {root} (build it first: make book)")
    return root


@pytest.fixture(scope="session")
def server(html_root):
    """The built book on 127.0.0.1, one server for the whole session."""
    with StaticServer(html_root) as srv:
        yield srv


@pytest.fixture
def open_page(browser, server):
    """open_page(width=1280, mode="light", path=None, **kw) -> BookPage (at path if given)."""
    pages = []

    def open_(width=1280, mode="light", path=None, **kw):
        p = BookPage(browser, server, width=width, mode=mode, **kw)
        pages.append(p)
        if path is not None:
            p.goto(path)
        return p

    yield open_
    for p in pages:
        p.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    html = Path(os.environ.get("BOOK_HTML") or REPO / "_build" / "html")
    d = Path(os.environ.get("BOOK_SCREENSHOTS") or html.parent / "screenshots").resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    for reason in sorted(SKIP_REASONS):
        tr.section("BROWSER TESTS SKIPPED", sep="!", yellow=True, bold=True)
        tr.write_line(f"{reason}  (with CI=true this is a failure)", yellow=True, bold=True)
    if NOTES:
        tr.section("browser test notes")
        for line in NOTES:
            tr.write_line(line)
    if not REQUEST_LOG:
        return
    tr.section("browser requests per page load")
    width = max(len(label) for label, *_ in REQUEST_LOG)
    tr.write_line(f"{'page load':<{width}}  served(127.0.0.1)  blocked(external)  failed")
    for label, served, blocked, failed in REQUEST_LOG:
        tr.write_line(f"{label:<{width}}  {served:>17}  {blocked:>17}  {failed:>6}")
