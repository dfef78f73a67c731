"""The printable edition: the whole built book as ONE PDF (`make pdf`).

    python scripts/make_pdf.py [--html _build/html] [--out _build/microgpt-book.pdf]

From the built HTML (make book), in the order of _toc.yml (the landing page, then the
chapters), this writes one print page, book/print-edition.html in the built site: a title
page, a table of contents linking to every chapter and section, then each page's article
(its ids prefixed with the page's name, its links between pages turned into links within
the print page, so the PDF's links work). Headless Chromium (Debian's, $CHROMIUM, driven
by Playwright as the browser tests do) opens it from a local server, waits for the math
and the live widgets' drawings (their default state), and prints it with the book's print
styles (book/_static/custom.css, @media print) to one tagged PDF with an outline. The print
page is removed afterwards. Prints the page count and the seconds it took.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PRINT_PAGE = "book/print-edition.html"
# Scripts the print page needs: MathJax (its configuration and loader) and the live widgets'
# drawing code; not the theme's, the code cells' editor and runner, or the service worker.
KEEP_SCRIPT = re.compile(r"mathjax|/live/(render|runtime|widgets/)", re.I)


def toc_pages() -> list[str]:
    """The built pages in reading order: _toc.yml's root, then every file, as book/x.html."""
    return [f + ".html" for f in toc_files()]


def toc_files() -> list[str]:
    """Every `file:` of _toc.yml after its root, in order (e.g. book/intro, book/01_data)."""
    import yaml

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def slug(page: str) -> str:
    return Path(page).stem


def combine(html_root: Path, pages: list[str], title: str) -> str:
    """The print page's HTML (see the module docstring)."""
    from bs4 import BeautifulSoup

    head_links, head_scripts, seen = [], [], set()
    chapters, toc_items = [], []
    targets = {urljoin("http://book/", p): slug(p) for p in pages}
    for page in pages:
        soup = BeautifulSoup((html_root / page).read_text(encoding="utf-8"), "html.parser")
        for tag in soup.head.find_all(["link", "script"]):
            key = str(tag)
            src = tag.get("href") or tag.get("src") or tag.string or ""
            if key in seen:
                continue
            if tag.name == "link" and "stylesheet" in (tag.get("rel") or []):
                head_links.append(key)
            elif tag.name == "script" and KEEP_SCRIPT.search(src):
                head_scripts.append(key)
            else:
                continue
            seen.add(key)
        article = soup.select_one("article.bd-article")
        name, base = slug(page), urljoin("http://book/", page)
        scripts = " ".join(s.string or "" for s in article.find_all("script")
                           if s.get("type") in (None, "", "text/javascript"))
        for el in article.find_all(id=True):
            if el["id"] not in scripts:  # an id a script looks up (an animation's) keeps its name
                el["id"] = f"{name}--{el['id']}"
        for a in article.find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(urljoin(base, href))
            page_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
            if parts.scheme in ("http", "https") and parts.netloc != "book":
                continue  # a link to another site stays as it is
            if page_url in targets:
                a["href"] = f"#{targets[page_url]}--{parts.fragment}" if parts.fragment else f"#{targets[page_url]}"
            else:  # a page of the site the PDF does not hold (the index, a download): text only
                del a["href"]
        h1 = article.find("h1")
        heading = h1.get_text(" ", strip=True).rstrip("#").strip() if h1 else name
        sections = [(s["id"], s.find(["h2"]).get_text(" ", strip=True).rstrip("#").strip())
                    for s in article.select("section > section[id]") if s.find("h2")]
        toc_items.append(f'<li><a href="#{name}">{heading}</a>'
                         + ("<ol>" + "".join(f'<li><a href="#{i}">{t}</a></li>' for i, t in sections) + "</ol>"
                            if sections else "") + "</li>")
        chapters.append(f'<section class="mg-print-chapter" id="{name}">{article.decode_contents()}</section>')
    return f"""<!DOCTYPE html>
<html lang="en" data-theme="light" data-mode="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{"".join(head_links)}
{"".join(head_scripts)}
</head>
<body class="mg-print-edition">
<main id="main-content" class="bd-main"><div class="bd-content"><div class="bd-article-container">
<article class="bd-article">
<section class="mg-print-title">
<p style="font-size: 2.2rem; font-weight: 700; margin-top: 30%">{title}</p>
<p>The printable edition of the interactive book: every chapter, its figures, and each live
widget as it opens. The online edition runs the widgets and the code in your browser; the
notebooks run everything in JupyterLab, Binder or Colab. The exercises' solutions are in
both, not here.</p>
</section>
<nav class="mg-print-toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(toc_items)}</ol></nav>
{"".join(chapters)}
</article></div></div></main>
</body>
</html>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript", ".svg": "image/svg+xml",
                      ".woff2": "font/woff2", ".wasm": "application/wasm"}

    def log_message(self, format, *args):
        pass


WAIT_JS = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  if (document.fonts) await document.fonts.ready;
  const undrawn = Array.from(document.querySelectorAll('div.mg-live'))
    .filter(w => !w.querySelector('svg, .mg-chip')).length;
  const broken = imgs.filter(i => !i.naturalWidth).map(i => (i.id || '') + ' ' + i.src.slice(0, 80));
  return {images: imgs.length, broken, undrawn, math: document.querySelectorAll('mjx-container').length};
}"""


def make_pdf(html_root: Path, out: Path, browser=None) -> dict:
    """Write the PDF; {pages, seconds, images, math}. browser: a Playwright Browser to use
    (the tests pass theirs), else Debian's Chromium is launched."""
    start = time.perf_counter()
    html_root, out = Path(html_root).resolve(), Path(out).resolve()
    title = "microgpt: a GPT in 200 lines, line by line"
    try:
        import yaml
        title = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8")).get("title", title)
    except Exception:  # pragma: no cover - the default title is fine
        pass
    (html_root / PRINT_PAGE).write_text(combine(html_root, toc_pages(), title), encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(html_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        if browser is None:
            from playwright.sync_api import sync_playwright
            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                                       args=CHROMIUM_ARGS)
                try:
                    info = _print(b, httpd.server_address[1], out)
                finally:
                    b.close()
        else:
            info = _print(browser, httpd.server_address[1], out)
    finally:
        httpd.shutdown()
        httpd.server_close()
        (html_root / PRINT_PAGE).unlink(missing_ok=True)
    from pypdf import PdfReader
    info["pages"] = len(PdfReader(str(out)).pages)
    info["seconds"] = time.perf_counter() - start
    return info


def _print(browser, port: int, out: Path) -> dict:
    context = browser.new_context(viewport={"width": 1000, "height": 1400}, color_scheme="light",
                                  service_workers="block")
    context.route(re.compile(rf"^(?!http://127\.0\.0\.1:{port}/)"), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/{PRINT_PAGE}", wait_until="load", timeout=120_000)
        info = page.evaluate(WAIT_JS)
        if info["broken"] or info["undrawn"]:
            raise RuntimeError(f"the print page is not complete: {info}")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), format="A4", print_background=True, outline=True, tagged=True,
                 display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="font-size: 8px; width: 100%; text-align: center; color: #555">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                 margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        return info
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", default=str(REPO / "_build" / "html"))
    parser.add_argument("--out", default=str(REPO / "_build" / "microgpt-book.pdf"))
    args = parser.parse_args(argv)
    if not (Path(args.html) / "book" / "intro.html").is_file():
        print(f"no built book in {args.html}: run make book first", file=sys.stderr)
        return 1
    info = make_pdf(Path(args.html), Path(args.out))
    print(f"{args.out}: {info['pages']} pages, {info['images']} images, {info['math']} equations, "
          f"in {info['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
