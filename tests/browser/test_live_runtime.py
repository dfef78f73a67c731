"""The live book: the package's own Python running in the reader's browser (Pyodide).

Serves the built book (_build/html) from 127.0.0.1 with every other request aborted,
and checks, in headless Chromium:

* page weight: every chapter page's first visit (the page and every script, style,
  font and image it loads, all images forced to load) is at most 3 MB, and nothing
  of Pyodide or the package is fetched before the reader asks for a live result;
* going live: the first call starts the Web Worker, which loads the vendored
  Pyodide and the package files; the bytes after going live and the time from the
  first interaction to the first live result are reported;
* chapter 3: the softmax slider (operated by keyboard) shows exactly the
  probabilities that microgpt.explore.softmax_state computes in CPython;
* chapter 5: live training in the page prints the golden file's first 20 loss lines,
  the page stays responsive while it trains, and Stop stops it;
* no console errors, no failed or external requests.
Screenshots (desktop, 390 px phone, dark mode) go to _build/screenshots/live-*.png.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from browser_support import REPO, element_screenshot, note

sys.path.insert(0, str(REPO / "tests" / "pyodide"))
from test_pyodide_golden import cpython_ms_per_step

BUDGET = 3_000_000  # bytes, uncompressed, before going live
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SOFTMAX_T = "() => document.querySelector('.mg-live[data-widget=softmax]').dataset.temperature === '{}'"
GOLDEN = REPO / "microgpt" / "golden_book_ssa2017.txt"
LIVE_URL_PARTS = ("/vendor/pyodide/", "/live/microgpt/", "/live/worker.js", "/live/boot.mjs")
CHAPTERS = sorted(p.name for p in (REPO / "book").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["book/intro.html"] + [f"book/{Path(c).stem}.html" for c in CHAPTERS]


def visit(open_page, path, viewport=DESKTOP, dark=False):
    """path opened in its own context (the shared harness: open_page), images loaded and
    the network quiet."""
    v = open_page(width=viewport["width"], mode="dark" if dark else "light", height=viewport["height"], path=path)
    v.settle()
    return v


def live_requests(v) -> list[str]:
    return [u for u, _ in v.sizes if any(p in u for p in LIVE_URL_PARTS)]


def mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def first_result_ms(page) -> float:
    """From the first interaction (the widget test stores it) to the first live result."""
    return page.evaluate("() => MicrogptLive.timings.firstResult - window.__mgFirstInteraction")


def mark_interaction(page):
    page.evaluate("() => { window.__mgFirstInteraction = performance.now(); }")


def screenshot(page, locator, shots: Path, name: str):
    element_screenshot(page, locator, shots / f"live-{name}.png")


def phone_screenshot(page, locator, shots: Path, name: str):
    """At 390 px the widget fits the screen (redrawn for its width)."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)  # ResizeObserver -> redraw
    screenshot(page, locator, shots, name)
    box = locator.bounding_box()
    assert box["width"] <= PHONE["width"], f"widget is {box['width']} px wide at 390 px"


# ------------------------------------------------------------------ page weight
@pytest.mark.parametrize("path", PAGES)
def test_first_visit_fits_the_budget_and_loads_no_python(open_page, html_root, path):
    if not (html_root / path).is_file():
        pytest.fail(f"{path} was not built")
    v = visit(open_page, path)
    try:
        total = v.bytes()
        biggest = sorted(v.sizes, key=lambda s: -s[1])[:5]
        note(f"weight {path}: {mb(total)} before going live ({len(v.sizes)} requests; largest: "
             + ", ".join(f"{u.rsplit('/', 1)[-1].split('?')[0][:28]} {mb(n)}" for u, n in biggest) + ")")
        assert not live_requests(v), f"{path} fetched live assets on page load: {live_requests(v)}"
        assert total <= BUDGET, f"{path}: {mb(total)} on first visit, budget {mb(BUDGET)}"
        v.check_clean()
    finally:
        v.close()


@pytest.mark.parametrize("path", PAGES)
def test_going_live(open_page, html_root, path):
    """Pages without a live widget load none of the runtime; on the others the first
    call starts Python: the bytes after going live and the time it takes."""
    v = visit(open_page, path)
    try:
        widgets = v.page.locator("div.mg-live").count()
        before = v.bytes()
        if widgets == 0:
            # runnable cells or the landing page's progress list need cells.js (and runtime.js,
            # which it builds on), never a widget's script or Python
            cells = v.page.locator("div.mg-run, .mg-progress-list").count()
            allowed = {"runtime.js", "cells.js", "cells.css", "live.css"} if cells else set()
            loaded = [u for u, _ in v.sizes if "/live/" in u and u.rsplit("/", 1)[-1].split("?")[0] not in allowed]
            assert not loaded, f"{path} loads the live runtime without a widget: {loaded}"
            note(f"live {path}: no live widget, no widget runtime ({mb(before)})")
            return
        mark_interaction(v.page)
        v.page.evaluate("() => MicrogptLive.call('explore.softmax_state', {logits: [1, 0], temperature: 1})")
        startup = first_result_ms(v.page)
        v.settle()
        after = v.bytes()
        assert after - before > 10_000_000, "going live did not load Pyodide"
        info = v.page.evaluate("() => MicrogptLive.info")
        note(f"live {path}: {widgets} widget(s); {mb(before)} before, {mb(after)} after going live; "
             f"first call {startup / 1000:.1f} s (Pyodide {info['pyodide']}, Python {info['python']})")
        v.check_clean()
    finally:
        v.close()


# -------------------------------------------------------------------- chapter 3
def cpython_softmax(state_args, temperature):
    from microgpt.explore import softmax_state
    return softmax_state(**{**state_args, "temperature": temperature})


def test_ch3_softmax_slider_matches_cpython(open_page, screenshot_dir):
    v = visit(open_page, "book/03_architecture.html")
    try:
        page = v.page
        root = page.locator('div.mg-live[data-widget="softmax"]')
        assert root.count() == 1
        args = json.loads(root.get_attribute("data-args"))
        before = v.bytes()
        # The default state, embedded at build time, is drawn without Python.
        expected = cpython_softmax(args, 1.0)
        assert json.loads(root.get_attribute("data-probs")) == expected["probs"]
        cells = root.locator("table.mg-live-data td").all_inner_texts()
        assert cells == [f"{p:.3f}" for p in expected["probs"]]
        assert not live_requests(v)
        screenshot(page, root, screenshot_dir, "ch3-softmax-default")

        slider = root.locator("input[type=range]")
        slider.focus()
        mark_interaction(page)
        page.keyboard.press("End")  # keyboard: the hottest temperature, 10**0.7
        page.wait_for_function(SOFTMAX_T.format('5.01'),
                               timeout=120_000)
        startup = first_result_ms(page)
        for key, temperature in (("End", 5.01), ("Home", 0.05)):
            if key == "Home":
                page.keyboard.press("Home")
                page.wait_for_function(SOFTMAX_T.format('0.05'))
            probs = json.loads(root.get_attribute("data-probs"))
            assert probs == cpython_softmax(args, temperature)["probs"], f"T={temperature}"
            assert root.locator("table.mg-live-data td").all_inner_texts() == [f"{p:.3f}" for p in probs]
            assert root.locator("output").inner_text() == f"T = {temperature:.2f}"
        # A pointer drag is an input event at some value: T = 10**-0.3 = 0.50.
        slider.evaluate("(s) => { s.value = '-0.3'; s.dispatchEvent(new Event('input', {bubbles: true})); }")
        page.wait_for_function(SOFTMAX_T.format('0.5'))
        assert json.loads(root.get_attribute("data-probs")) == cpython_softmax(args, 0.5)["probs"]
        assert "in your browser" in root.inner_text()
        v.settle()
        after = v.bytes()
        note(f"live ch3 softmax: {mb(before)} before, {mb(after)} after going live; "
             f"first interaction -> first live result {startup / 1000:.1f} s (Pyodide start + package load)")
        screenshot(page, root, screenshot_dir, "ch3-softmax-live")
        phone_screenshot(page, root, screenshot_dir, "ch3-softmax-390px")
        v.check_clean()
    finally:
        v.close()


def test_ch3_dark_mode(open_page, screenshot_dir):
    v = visit(open_page, "book/03_architecture.html", dark=True)
    try:
        assert v.page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        root = v.page.locator('div.mg-live[data-widget="softmax"]')
        screenshot(v.page, root, screenshot_dir, "ch3-softmax-dark")
        colour = root.locator("svg text").first.evaluate("(t) => getComputedStyle(t).fill")
        assert colour != "rgb(0, 0, 0)", "bar labels are black on the dark page"
        v.check_clean()
    finally:
        v.close()


# -------------------------------------------------------------------- chapter 5
TRAINING = ".mg-live[data-widget=training]"


def wait_for_steps(page, n, timeout):
    page.wait_for_function(f"() => +document.querySelector('{TRAINING}').dataset.steps >= {n}", timeout=timeout)


def stop_training(root, page):
    root.locator("button.mg-stop").click()
    page.wait_for_function(f"() => document.querySelector('{TRAINING}').dataset.state === 'stopped'",
                           timeout=60_000)
    return int(root.get_attribute("data-steps"))


def test_ch5_live_training_matches_golden_and_stops(open_page, screenshot_dir):
    golden_steps = [ln for ln in GOLDEN.read_text(encoding="utf-8").splitlines() if ln.startswith("step ")]
    v = visit(open_page, "book/05_training.html")
    try:
        page = v.page
        root = page.locator('div.mg-live[data-widget="training"]')
        assert root.count() == 1
        before = v.bytes()
        assert not live_requests(v)
        mark_interaction(page)
        root.locator("button.mg-train").click()
        assert "Loading Python" in root.locator(".mg-live-status").inner_text()
        wait_for_steps(page, 1, timeout=120_000)
        startup = first_result_ms(page)
        # The page stays responsive while Python trains in the worker.
        lag = page.evaluate(
            "() => new Promise(r => { const t = performance.now(); setTimeout(() => r(performance.now() - t), 0); })")
        assert lag < 250, f"the page's event loop was blocked for {lag:.0f} ms during training"
        wait_for_steps(page, 25, timeout=300_000)
        stopped_at = stop_training(root, page)
        page.wait_for_timeout(1500)
        assert int(root.get_attribute("data-steps")) == stopped_at, "training went on after Stop"
        log = root.locator("pre.mg-log").inner_text().splitlines()
        assert len(log) == stopped_at
        assert log[:20] == golden_steps[:20]
        assert log == golden_steps[:stopped_at]
        assert root.locator("output.mg-step").text_content() == golden_steps[stopped_at - 1]  # the package's line
        browser_ms = float(root.get_attribute("data-ms-per-step"))
        cpython_ms = cpython_ms_per_step(20)
        v.settle()
        after = v.bytes()
        note(f"live ch5 training: {mb(before)} before, {mb(after)} after going live; first interaction -> "
             f"first step {startup / 1000:.1f} s; {browser_ms:.0f} ms per step in the browser vs "
             f"{cpython_ms:.0f} ms in CPython (x{browser_ms / cpython_ms:.2f}); stopped at step {stopped_at}")
        screenshot(page, root, screenshot_dir, "ch5-training-desktop")
        phone_screenshot(page, root, screenshot_dir, "ch5-training-390px")
        v.check_clean()
    finally:
        v.close()


def test_ch5_samples_every_100_steps_dark(open_page, screenshot_dir):
    """Names appear at step 100 (a separate random stream: losses unchanged), in dark mode."""
    v = visit(open_page, "book/05_training.html", dark=True)
    try:
        page = v.page
        root = page.locator('div.mg-live[data-widget="training"]')
        root.locator("button.mg-train").click()
        wait_for_steps(page, 100, timeout=600_000)
        text = root.locator(".mg-samples").inner_text()
        assert text.startswith("after step 100: ") and len(text.split(": ", 1)[1].split(", ")) == 5
        from microgpt.explore import training_progress
        expected = next(it for it in training_progress(num_steps=1000) if it["step"] == 100)["samples"]
        assert text == "after step 100: " + ", ".join(expected)
        stop_training(root, page)
        screenshot(page, root, screenshot_dir, "ch5-training-dark")
        v.check_clean()
    finally:
        v.close()
