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
import os
import socket
import threading
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

# One line per page load, printed at the end of the run by conftest.py's
# pytest_terminal_summary: (test label, served from 127.0.0.1, blocked, failed).
REQUEST_LOG: list[tuple[str, int, int, int]] = []
# Free-form lines printed in the same summary (slider results, link crawl, ...).
NOTES: list[str] = []


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


class StaticServer:
    """Serve one directory on 127.0.0.1:<free port> from a daemon thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
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
