"""Shared helpers for the browser tests (tests/browser/).

Kept out of conftest.py so the test modules can import it by name; named
browser_support (not helpers) so it never shadows tests/helpers.py.

Everything runs on this machine only: the built book is served from 127.0.0.1 by
a stdlib http.server thread, JupyterLab listens on 127.0.0.1, and every browser
request to any other host is aborted and recorded (see RequestRecorder).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]

# Debian's Chromium (apt: chromium chromium-driver); never `playwright install`.
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# CI sets CI=true: there a missing browser or book is a failure, not a skip.
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}

PYODIDE_TIMEOUT = 180_000  # ms: the first live result starts Pyodide (2 shared CPUs in CI)

# One line per page load, printed at the end of the run by conftest.py's
# pytest_terminal_summary: (test label, served from 127.0.0.1, blocked, failed).
REQUEST_LOG: list[tuple[str, int, int, int]] = []
# Free-form lines printed in the same summary (slider results, link crawl, ...).
NOTES: list[str] = []


# Why browser tests were skipped (printed by conftest.py's pytest_terminal_summary).
SKIP_REASONS: set[str] = set()


def unavailable(reason: str):
    """Skip locally; fail in CI (CI=true)."""
    import pytest

    if IN_CI:
        pytest.fail(
            f"{reason}\nCI=true: in CI a missing prerequisite of the browser tests is a "
            "failure, not a skip (.ci/run installs chromium/chromium-driver with apt, "
            "`make a11y-tools` the npm tools).",
            pytrace=False,
        )
    SKIP_REASONS.add(reason)
    pytest.skip(f"browser tests skipped: {reason}")


def note(line: str) -> None:
    """Print now (visible with -s) and again in the end-of-run summary."""
    print(line)
    NOTES.append(line)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # The book's notebooks are offered for download as .ipynb.
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".wasm": "application/wasm",  # Pyodide: WebAssembly.instantiateStreaming needs it
        ".zip": "application/zip",
    }

    def log_message(self, format, *args):  # (format: the stdlib signature)
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A page closed (or a worker terminated) while a file was still being sent.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StaticServer:
    """Serve one directory on 127.0.0.1:<free port> from a daemon thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="book-http", daemon=True
        )

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)


def is_local(url: str, port: int | None = None) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    if parts.hostname != "127.0.0.1":
        return False
    return port is None or parts.port == port


@dataclass
class RequestRecorder:
    """Routes a Playwright BrowserContext: 127.0.0.1:<port> passes, anything
    else is aborted and recorded. Also records console errors, uncaught page
    errors, HTTP errors and failed requests of the pages opened in it."""

    port: int
    served: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        """Route every request of the context (call watch() on each page)."""
        context.route("**/*", self._route)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("requestfinished", self._on_finished)
        page.on("requestfailed", self._on_failed)
        page.on("websocket", lambda ws: self.websockets.append(ws.url))

    def _route(self, route) -> None:
        url = route.request.url
        if is_local(url, self.port):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = loc.get("url", "")
            if loc.get("lineNumber") is not None:
                where += f":{loc['lineNumber']}"
            self.console_errors.append(f"{msg.text}  [{where}]")

    def _on_finished(self, request) -> None:
        if not is_local(request.url, self.port):
            return
        response = request.response()
        status = response.status if response is not None else 0
        if status >= 400:
            self.failed.append(f"HTTP {status} {request.url}")
        else:
            self.served.append(request.url)

    def _on_failed(self, request) -> None:
        if request.url in self.blocked:
            return  # aborted by us: reported as blocked
        self.failed.append(f"{request.failure} {request.url}")

    def external_websockets(self) -> list[str]:
        return [u for u in self.websockets if not is_local(u, self.port)]


def shorten(url: str, limit: int = 160) -> str:
    if url.startswith("data:"):
        return url[:40] + "..."
    return url if len(url) <= limit else url[: limit - 3] + "..."


def bullet(title: str, items) -> str:
    items = list(items)
    if not items:
        return ""
    lines = "\n".join(f"    - {shorten(str(i), 300)}" for i in items[:40])
    more = f"\n    ... and {len(items) - 40} more" if len(items) > 40 else ""
    return f"  {title} ({len(items)}):\n{lines}{more}\n"


# Before any page script: the colour mode the reader picked (pydata-sphinx-theme reads
# localStorage "mode" and "theme"); sandboxed pages may refuse localStorage.
MODE_SCRIPT = ("try {{ localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}'); }} "
               "catch (e) {{}}")
class BookPage:
    """One browser context and page on the book's server: a viewport width, a colour
    mode, every request outside 127.0.0.1 aborted and recorded (RequestRecorder), the
    bytes of each response counted (uncompressed: the test server does not compress).
    Made by the open_page fixture (conftest.py), which closes it after the test."""

    def __init__(self, browser, server: StaticServer, width: int = 1280, mode: str = "light",
                 height: int = 900, init_scripts=()):
        self.server = server
        self.width, self.mode = width, mode
        self.context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=mode,
                                           service_workers="block")
        self.context.set_default_timeout(30_000)
        self.context.add_init_script(MODE_SCRIPT.format(mode=mode))
        for script in init_scripts:
            self.context.add_init_script(script)
        self.rec = RequestRecorder(port=server.port)
        self.rec.attach(self.context)
        self.sizes: list[tuple[str, int]] = []
        self.context.on("requestfinished", self._count)
        self.page = self.context.new_page()
        self.rec.watch(self.page)
        self.path = ""
        self.closed = False
        self._sabotaged = None

    @property
    def label(self) -> str:
        return (self.path + (" (dark)" if self.mode == "dark" else "")
                + ("" if self.width == 1280 else f" ({self.width}px)"))

    def goto(self, path: str, timeout: float = 60_000):
        """Open path (relative to the book's root, e.g. "book/01_data.html"); the response."""
        self.path = path
        return self.page.goto(f"{self.server.url}/{path}", wait_until="load", timeout=timeout)

    def _count(self, request) -> None:
        response = request.response()
        if response is None or response.status >= 400:
            return
        length = response.header_value("content-length")
        self.sizes.append((request.url, int(length) if length else len(response.body())))

    def bytes(self) -> int:
        return sum(n for _, n in self.sizes)

    def settle(self) -> None:
        """Load every image (lazy ones too) and wait for the network to go quiet."""
        self.page.evaluate("""async () => {
          const imgs = Array.from(document.images);
          imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
          await Promise.race([
            Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; }))),
            new Promise(r => setTimeout(r, 15000))]);
          if (document.fonts) await document.fonts.ready;
        }""")
        self.page.wait_for_load_state("networkidle")

    def widget(self, kind: str, nth: int = 0):
        """The nth live widget of that kind, once its controls are drawn, scrolled into view."""
        root = self.page.locator(f'.mg-live[data-widget="{kind}"]').nth(nth)
        root.locator("input, select, button").first.wait_for()
        root.scroll_into_view_if_needed()
        return root

    def wait_live(self, root, js_condition: str, arg=None, timeout: float = PYODIDE_TIMEOUT) -> float:
        """Wait until js_condition(root, arg) holds (e.g. a live result from Pyodide has been
        drawn); the seconds it took."""
        t = time.perf_counter()
        self.page.wait_for_function(f"([root, arg]) => ({js_condition})(root, arg)",
                                    arg=[root.element_handle(), arg], timeout=timeout)
        return time.perf_counter() - t

    def sabotage(self, url, *, status: int | None = None, content_type: str | None = None,
                 abort: bool = False) -> None:
        """Make the server misbehave for requests matching url (a glob or a compiled regex),
        in this context only (the page and its Web Worker), until restore(): answer HTTP
        status, or serve the real file with another Content-Type, or fail the request as a
        network error would."""
        def handle(route):
            if abort:
                route.abort("failed")
            elif status is not None:
                route.fulfill(status=status, content_type="text/html", body=f"<h1>{status}</h1>")
            else:
                real = route.fetch()
                route.fulfill(response=real, headers={**real.headers, "content-type": content_type})
        self._sabotaged = (url, handle)
        self.context.route(url, handle)  # added last, so it comes before RequestRecorder's route

    def restore(self) -> None:
        """The server behaves again (undoes sabotage(), if any)."""
        if self._sabotaged:
            self.context.unroute(*self._sabotaged)
            self._sabotaged = None

    def problems(self) -> str:
        return (bullet("console errors", self.rec.console_errors) + bullet("page errors", self.rec.page_errors)
                + bullet("failed requests", self.rec.failed)
                + bullet("blocked requests (outside 127.0.0.1)", self.rec.blocked))

    def check_clean(self) -> None:
        problems = self.problems()
        assert not problems, f"{self.label}:\n{problems}"

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        REQUEST_LOG.append((self.label, len(self.rec.served), len(self.rec.blocked), len(self.rec.failed)))
        self.context.close()


class MainThreadTrace:
    """The page's main-thread tasks, from Chromium's trace (category "toplevel"): each
    task's wall time and its CPU time. The CPU time is what the page's own code makes the
    main thread do; the wall time also counts the moments the operating system ran
    something else (on a busy machine a 20 ms task can take 400 ms of wall time)."""

    def __init__(self, browser):
        self.browser = browser
        self.running = False
        self.tasks: list[tuple[float, float]] = []  # (wall ms, cpu ms)
        self.events: list[dict] = []

    def start(self, page) -> None:
        self.browser.start_tracing(page=page, categories=["toplevel"])
        self.running = True

    def stop(self) -> list[tuple[float, float]]:
        if not self.running:
            return self.tasks
        self.running = False
        trace = json.loads(self.browser.stop_tracing())
        events = self.events = trace["traceEvents"] if isinstance(trace, dict) else trace
        main = {(e["pid"], e["tid"]) for e in events
                if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
        self.tasks = [(e.get("dur", 0) / 1000, e.get("tdur", 0) / 1000) for e in events
                      if e.get("ph") == "X" and e.get("name") == "ThreadControllerImpl::RunTask"
                      and (e["pid"], e["tid"]) in main]
        return self.tasks

    def cpu_ms(self, thread_name: str) -> float:
        """The CPU time (ms) of every task of the threads named thread_name while tracing, e.g.
        "DedicatedWorker thread": the Web Worker running Python. Unlike wall time, it barely
        moves when other programs compete for the machine."""
        threads = {(e["pid"], e["tid"]) for e in self.events
                   if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == thread_name}
        return sum(e.get("tdur", 0) / 1000 for e in self.events
                   if e.get("ph") == "X" and e.get("name") == "ThreadControllerImpl::RunTask"
                   and (e["pid"], e["tid"]) in threads)

    def worst(self) -> tuple[float, float]:
        """The longest task's wall time and the largest CPU time of a task, in ms."""
        return (max((w for w, _ in self.tasks), default=0.0), max((c for _, c in self.tasks), default=0.0))


# The theme's sticky header and skip link are drawn where the viewport was, so in the
# screenshot of an element taller than the window they would cover its middle; a reader
# scrolling never sees them there.
STICKY_CHROME = ".bd-header, .bd-header-article, .skip-link { visibility: hidden !important; }"


def element_screenshot(page, locator, path) -> None:
    """A screenshot of one element, scrolled into view, without the page's sticky chrome."""
    locator.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    locator.screenshot(path=str(path), style=STICKY_CHROME)
