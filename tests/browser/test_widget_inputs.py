"""What a reader can throw at the live widgets, in the built HTML book (headless Chromium,
requests outside 127.0.0.1 blocked):

* chapter 1: 100,000 characters in the tokens box never block the page's main thread for
  250 ms or more (no long task), and the summary and the error message stay short;
* chapter 6: a held arrow key on the temperature slider (30 key presses in a row) ends,
  within seconds, with the readout and the figure at the same temperature, answered by
  far fewer than 30 calls to Python (the runtime keeps only the newest request);
* chapter 2: every number box of the backward stepper that the package cannot use
  (abc, nan, empty, a = b = 1e200) gets the package's own message, naming the box.
"""

from __future__ import annotations

import pytest
from browser_support import RequestRecorder, StaticServer, bullet, note
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from microgpt import explore
from microgpt.errors import InputError

PYODIDE_TIMEOUT = 180_000  # ms: the first live result starts Pyodide (2 shared CPUs in CI)
LONG_TASK_MS = 250

# Before any page script: record the main thread's long tasks, and count the calls the
# page sends to the Python worker.
PROBES = """
window.__mgLongTasks = [];
new PerformanceObserver(list => list.getEntries().forEach(e => window.__mgLongTasks.push(e.duration)))
  .observe({type: 'longtask', buffered: true});
window.__mgCalls = 0;
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (msg, ...rest) {
  if (msg && msg.type === 'call') window.__mgCalls++;
  return post.call(this, msg, ...rest);
};
"""


@pytest.fixture(scope="module")
def server(html_root):
    with StaticServer(html_root) as srv:
        yield srv


@pytest.fixture
def open_chapter(browser, server):
    contexts = []

    def open_(rel):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        context.set_default_timeout(30_000)
        context.add_init_script(PROBES)
        rec = RequestRecorder(port=server.port)
        rec.attach(context)
        page = context.new_page()
        rec.watch(page)
        contexts.append((context, rec, rel))
        page.goto(f"{server.url}/book/{rel}", wait_until="load")
        return page

    yield open_
    for context, rec, rel in contexts:
        problems = (bullet("console errors", rec.console_errors) + bullet("page errors", rec.page_errors)
                    + bullet("blocked requests (outside 127.0.0.1)", rec.blocked)
                    + bullet("failed requests", rec.failed))
        context.close()
        assert not problems, f"{rel}:\n{problems}"


def widget(page, kind):
    root = page.locator(f'.mg-live[data-widget="{kind}"]')
    root.locator("input").first.wait_for()
    root.scroll_into_view_if_needed()
    return root


def wait_for(page, root, condition, arg=None, timeout=PYODIDE_TIMEOUT):
    try:
        page.wait_for_function(f"([root, arg]) => ({condition})(root, arg)", arg=[root.element_handle(), arg],
                               timeout=timeout)
    except PlaywrightTimeout:  # say what the reader saw instead (a runtime failure shows in the status line)
        raise AssertionError(f"waited {timeout / 1000:.0f} s for {condition}; the widget shows:\n"
                             f"{root.inner_text()[:2000]}") from None


def long_tasks(page, since=0):
    return page.evaluate("(i) => window.__mgLongTasks.slice(i)", since)


# ----------------------------------------------------------------------------- ch. 1: tokens

def test_100000_characters_in_the_tokens_box(open_chapter):
    page = open_chapter("01_data.html")
    root = widget(page, "tokens")
    box = root.locator("input")
    box.fill("emma")  # go live first: Pyodide's start is not what this test measures
    wait_for(page, root, "r => r.dataset.ids === '26,4,12,12,0,26'")

    for text in ("ab" * 5_000, "ab" * 50_000):
        start = len(long_tasks(page))
        box.fill(text)
        expected = explore.tokens_state(text)
        wait_for(page, root, "(r, n) => r.dataset.count === n", str(expected["count"]), timeout=60_000)
        page.wait_for_timeout(500)  # let the page finish drawing
        tasks = long_tasks(page, start)
        note(f"ch. 1 tokens, {len(text):,} characters: longest main-thread task "
             f"{max(tasks, default=0):.0f} ms ({len(tasks)} long tasks)")
        assert max(tasks, default=0) < LONG_TASK_MS, f"{len(text):,} characters: long tasks {tasks} ms"
        assert root.locator(".mg-chip").count() == explore.SHOWN_TOKENS
        assert root.locator(".mg-chip-more").inner_text() == expected["more"]
        summary = root.locator(".mg-summary").inner_text()
        assert summary == expected["summary"] and len(summary) < 500
        assert summary.startswith(f"{len(text) + 2:,} tokens: [26, 0, 1, 0, 1")

    # an unknown character at the end of a long text: the message quotes 40 characters of it
    text = "a" * 99_999 + "Z"
    start = len(long_tasks(page))
    box.fill(text)
    wait_for(page, root, "r => r.querySelector('.mg-error').textContent !== ''", timeout=60_000)
    message = root.locator(".mg-error").inner_text()
    assert message == explore.tokens_state(text)["error"] and len(message) < 250
    assert f"position 99999 of '{'a' * 40}…'" in message
    assert root.locator(".mg-chip").count() == 0
    assert max(long_tasks(page, start), default=0) < LONG_TASK_MS


# ----------------------------------------------------------------------------- ch. 6: temperature

def test_a_held_arrow_key_on_the_temperature_slider(open_chapter):
    page = open_chapter("06_inference.html")
    root = widget(page, "temperature")
    slider = root.locator("input[type=range]")
    slider.focus()
    page.keyboard.press("ArrowLeft")  # go live first (0.45): Pyodide's start is not what this test measures
    wait_for(page, root, "r => r.dataset.temperature === '0.45'")
    calls_before = page.evaluate("() => window.__mgCalls")

    for _ in range(30):  # as a held key repeats: 0.45 -> 1.95 in steps of 0.05
        page.keyboard.press("ArrowRight")
    assert root.locator("output").inner_text() == "1.95"
    wait_for(page, root, "r => r.dataset.temperature === '1.95'", timeout=10_000)
    calls = page.evaluate("() => window.__mgCalls") - calls_before
    page.wait_for_timeout(1500)  # nothing older arrives afterwards
    note(f"ch. 6 temperature: 30 key presses answered by {calls} calls to Python")
    assert calls <= 10, f"30 key presses made {calls} calls to Python"
    assert root.get_attribute("data-temperature") == "1.95"
    assert root.locator("output").inner_text() == "1.95"
    expected = explore.temperature_state(1.95)
    assert "T = 1.95: next token after BOS" in root.locator("figcaption").inner_text()
    assert root.locator(".mg-names").inner_text() == "8 names at T = 1.95: " + " ".join(
        n or "(empty)" for n in expected["names"])


# ----------------------------------------------------------------------------- ch. 2: backward

def message_for(**typed):
    with pytest.raises(InputError) as caught:
        explore.backward_state(**{"a": "2", "b": "-3", "c": "10", **typed})
    return str(caught.value)


@pytest.mark.parametrize("typed", [{"b": "abc"}, {"b": "nan"}, {"b": ""}, {"a": "1e200", "b": "1e200"}],
                         ids=["abc", "nan", "empty", "1e200"])
def test_unusable_numbers_in_the_backward_stepper(open_chapter, typed):
    page = open_chapter("02_autograd.html")
    root = widget(page, "backward")
    for box, value in typed.items():
        root.get_by_label(box, exact=True).fill(value)
        root.get_by_label(box, exact=True).press("Enter")
    expected = message_for(**typed)
    wait_for(page, root, "(r, m) => r.querySelector('.mg-error').textContent === m", expected)
    assert root.locator(".mg-error").get_attribute("role") == "alert"
    assert root.get_attribute("data-error") == "1"
    assert expected.startswith(tuple(typed))  # the message names the box
    # a usable number again: the message goes, the graph is computed for it
    for box in typed:
        root.get_by_label(box, exact=True).fill("2")
        root.get_by_label(box, exact=True).press("Enter")
    wait_for(page, root, "r => r.querySelector('.mg-error').textContent === ''", timeout=30_000)
    assert root.get_attribute("data-error") == ""
    new = explore.backward_state(**{k: 2.0 for k in typed})
    shown = root.locator(".mg-numbers td[data-value]").evaluate_all("tds => tds.map(td => Number(td.dataset.value))")
    assert shown[0::2] == [n["data"] for n in new["nodes"]]
