"""Lighthouse on the built book: accessibility 1.0, best practices and SEO at least 0.95 on
the landing page and every chapter page (every page under book/ of the built site).

Lighthouse 12 (npm, pinned in tools/a11y/package.json, `make a11y-tools`) runs under Node
in one process (tools/a11y/lighthouse.mjs) against Debian's Chromium ($CHROMIUM, with the
flags the other browser tests use), desktop preset, one run per page, on the session's
server of the built book. The performance category is left out: it measures the machine.
The end of the run prints the scores per page, the audits that lost points, and the seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest
from a11y_support import TOOLS, book_pages
from browser_support import CHROMIUM, CHROMIUM_ARGS, NOTES, unavailable

LIGHTHOUSE = TOOLS / "node_modules" / "lighthouse" / "package.json"
MINIMUM = {"accessibility": 1.0, "best-practices": 0.95, "seo": 0.95}


@pytest.fixture(scope="module")
def scores(server, html_root, tmp_path_factory):
    node = shutil.which("node")
    if not node:
        unavailable("node is not installed (apt-get install nodejs): Lighthouse runs under Node")
    if not LIGHTHOUSE.is_file():
        unavailable(f"Lighthouse is not installed in {TOOLS}/node_modules (run: make a11y-tools)")
    pages = [p for p in book_pages(html_root) if p.startswith("book/")]
    out = tmp_path_factory.mktemp("lighthouse") / "scores.json"
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "CHROME_FLAGS": " ".join(CHROMIUM_ARGS)}
    start = time.perf_counter()
    run = subprocess.run([node, str(TOOLS / "lighthouse.mjs"), "--base", server.url + "/", "--out", str(out),
                          *pages], env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    assert run.returncode == 0, f"lighthouse.mjs failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    results = json.loads(out.read_text())
    width = max(len(p) for p in results)
    NOTES.append(f"Lighthouse {json.loads(LIGHTHOUSE.read_text())['version']} (desktop), "
                 f"{len(results)} pages in {seconds:.0f} s (one node process)")
    NOTES.append(f"  {'page':<{width}}  accessibility  best-practices   seo   seconds")
    for page, r in results.items():
        s = r["scores"]
        NOTES.append(f"  {page:<{width}}  {s['accessibility']:>13.2f}  {s['best-practices']:>14.2f}  "
                     f"{s['seo']:>4.2f}  {r['seconds']:>7.1f}")
        for f in r["failed"]:
            NOTES.append(f"      {f['category']}: {f['id']} ({f['score']}): {f['title']}")
    return results


def test_lighthouse_scores(scores):
    assert scores, "Lighthouse scored no page"
    low = []
    for page, r in scores.items():
        for category, minimum in MINIMUM.items():
            if r["scores"][category] is None or r["scores"][category] < minimum:
                lost = [f"{f['id']}: {f['title']} {f['items'][:2]}" for f in r["failed"] if f["category"] == category]
                low.append(f"{page}: {category} {r['scores'][category]} < {minimum}: " + "; ".join(lost))
    assert not low, "\n".join(low)


def test_every_page_has_its_own_description(html_root):
    """Each chapter's meta description is its own (book_fixes.describe_page), not a shared one."""
    import re

    found = {}
    for page in book_pages(html_root):
        if not page.startswith("book/"):
            continue
        m = re.search(r'<meta name="description" content="([^"]+)"', (html_root / page).read_text(encoding="utf-8"))
        assert m, f"{page} has no meta description"
        assert 50 <= len(m.group(1)) <= 170, f"{page}: a description of {len(m.group(1))} characters: {m.group(1)!r}"
        found[page] = m.group(1)
    assert len(set(found.values())) == len(found), f"two pages share a description: {found}"
