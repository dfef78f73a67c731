"""book/your_data.md: microgpt trained on the reader's own list in the page (issue 18), in
headless Chromium with every request outside 127.0.0.1 blocked.

* Greek names, saved the awkward way (byte-order mark, \\r\\n, blank lines, spaces, names
  longer than the block size), opened from disk and trained in the page: every line of the
  page's log is what the command line the page shows prints (run here, in CPython); the page
  never blocks its main thread for 250 ms; milestones are announced in the live region.
* The model: downloaded from the page, it loads with microgpt.load_checkpoint and `--load
  M --steps 0` prints the page's names; a checkpoint saved by the CLI opens in the page and
  prints what `--load` prints; one for another vocabulary is refused and nothing changes.
* Bad data (empty, one line, not UTF-8, too large): a message naming the file and the limit,
  and the data in use stays.
* Share: the page's link decodes in CPython (zlib's raw deflate: the browser's
  CompressionStream('deflate-raw')) to the run file; a link made in CPython opens the page
  with that run, which then trains to the same lines; a damaged link is a message; a run
  file too big for a link is offered as a file and opens from disk.
* Speed: 1000 steps of the book preset in the page (390 px, dark mode): the golden file line
  for line, and the page's ms per step (reported against the 10 s budget, not enforced).
* The chapters' widgets keep their state in the address (chapter 4's attention, chapter 6's
  temperature and name), and chapter 6 offers the reader's model.
Screenshots: your-data-*.png (1280 px light and 390 px dark, before and after training).
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
import zlib
from pathlib import Path

from browser_support import REPO, MainThreadTrace, element_screenshot, note

from microgpt import explore, load_checkpoint, playground

GREEK = REPO / "tests" / "data" / "greek_names.txt"
GOLDEN = REPO / "microgpt" / "golden_book_ssa2017.txt"
PAGE = "book/your_data.html"
LONG_TASK_MS = 250
DONE = "r => ['done', 'error', 'stopped'].includes(r.dataset.state)"


def cli(args: list[str], files: dict[str, str]) -> list[str]:
    """`python -m microgpt ARGS` in CPython, each file name replaced by its path: stdout's lines."""
    argv = [files.get(a, a) for a in args]
    done = subprocess.run([sys.executable, "-m", "microgpt", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def command_of(root, which="train") -> list[str]:
    text = root.locator(f".mg-{which}-command").get_attribute("data-command")
    words = shlex.split(text)
    assert words[:3] == ["python", "-m", "microgpt"]
    return words[3:]


def log_lines(root) -> list[str]:
    return root.locator("pre.mg-log").evaluate("e => e.textContent").split("\n")


def status(root) -> str:
    return root.locator(":scope > .mg-live-status").inner_text()


def shot(page, root, shots: Path, name: str):
    element_screenshot(page, root, shots / f"your-data-{name}.png")


def awkward_file(folder: Path) -> Path:
    names = GREEK.read_text(encoding="utf-8").split()
    text = "\ufeff" + "\r\n".join(names[:70]) + "\r\n\r\n   " + "\r\n".join(names[70:]) + "  \r\n\r\n"
    path = folder / "ελληνικά ονόματα.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


def open_trainer(open_page, width=1280, mode="light", fragment=""):
    p = open_page(width=width, mode=mode, height=900, path=PAGE + fragment)
    return p, p.widget("trainer")


def every_control_is_labelled(root):
    unlabelled = root.evaluate("""r => Array.from(r.querySelectorAll('input, textarea, select, button'))
        .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim())
        .map(c => c.outerHTML.slice(0, 80))""")
    assert not unlabelled, unlabelled


# ----------------------------------------------------------------------------- your data, the CLI's lines

def test_greek_names_train_in_the_page_to_the_command_lines_lines(open_page, browser, tmp_path, screenshot_dir):
    data = awkward_file(tmp_path)
    p, root = open_trainer(open_page)
    every_control_is_labelled(root)
    assert root.get_attribute("data-docs") == "29910"  # the build's state, before any Python runs
    assert command_of(root) == ["--engine", "list"]
    shot(p.page, root, screenshot_dir, "1280-before")

    root.locator(".mg-trainer-data input[type=file]").set_input_files(str(data))
    started = p.wait_live(root, "r => r.dataset.docs === '148'")
    note(f"your data: Pyodide start + the Greek file read in {started:.1f} s")
    settings = {"num_steps": "200", "seed": "7", "learning_rate": "0.02", "block_size": "6",
                "temperature": "0.8", "num_samples": "12"}
    for name, value in settings.items():
        root.locator(f"input[name={name}]").fill(value)
    expected = playground.trainer_state(
        {"name": data.name, "base64": base64.b64encode(data.read_bytes()).decode()}, settings)
    p.wait_live(root, "(r, c) => r.querySelector('.mg-train-command').dataset.command === c", expected["command"])
    assert root.get_attribute("data-params") == str(expected["num_params"])
    assert root.locator(".mg-vocab .mg-chip").count() == expected["data"]["vocab_size"]

    trace = MainThreadTrace(browser)
    trace.start(p.page)
    root.locator("button.mg-train").click()
    p.wait_live(root, DONE, timeout=300_000)
    trace.stop()
    assert root.get_attribute("data-state") == "done", status(root)
    wall, cpu = trace.worst()
    assert cpu < LONG_TASK_MS, f"the main thread worked for {cpu:.0f} ms in one task while training"
    lines = log_lines(root)
    assert command_of(root, "log") == command_of(root) == shlex.split(expected["command"])[3:]
    assert lines == cli(command_of(root, "log"), {data.name: str(data)})  # every line, identical
    assert lines[:3] == ["num docs: 148", "vocab size: 32", "num params: 4192"] and len(lines) == 3 + 200 + 2 + 12
    assert status(root).startswith("Done: 200 steps in ")
    note(f"your data: 200 Greek steps in the page, {root.get_attribute('data-ms-per-step')} ms per step; "
         f"main thread's longest task {wall:.0f} ms wall, {cpu:.0f} ms CPU")
    shot(p.page, root, screenshot_dir, "1280-after")

    # The model, downloaded: microgpt.load_checkpoint reads it, --load prints the page's names.
    with p.page.expect_download() as download:
        root.locator("button.mg-download-model").click()
    model = tmp_path / download.value.suggested_filename
    download.value.save_as(model)
    assert model.name == "microgpt-ελληνικά ονόματα.json"
    said = root.locator(".mg-share-note").inner_text()  # a download leaves no other trace: it is said
    assert said.startswith(f"Downloaded {model.name} ({model.stat().st_size:,} bytes)"), said
    gpt, tokenizer, ckpt = load_checkpoint(str(model))
    assert ckpt["step"] == 200 and ckpt["config"]["block_size"] == 6 and tokenizer.vocab_size == 32
    loaded = cli(["--engine", "list", "--data", str(data), "--load", str(model), "--steps", "0"], {})
    assert [ln for ln in loaded if ln.startswith("sample")] == [ln for ln in lines if ln.startswith("sample")]

    # The page's link: its fragment is the run file, compressed (raw deflate), base64url.
    root.locator("button.mg-share").click()
    p.wait_live(root, "r => r.dataset.link !== undefined")
    link = root.get_attribute("data-link")
    packed = link.split("#trainer=run:", 1)[1]
    text = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)), -15).decode("utf-8")
    run = playground.open_run(text)
    assert run["data"]["text"].encode("utf-8") == data.read_bytes() and run["settings"]["num_steps"] == 200
    note(f"your data: the share link of 148 Greek names (2.3 kB) is {len(link):,} characters "
         f"(limit {playground.MAX_LINK_CHARS:,})")

    # A checkpoint saved by the CLI opens in the page: what --load prints.
    saved = tmp_path / "cli-model.json"
    cli(["--engine", "list", "--data", str(data), "--steps", "40", "--n-layer", "2", "--save", str(saved)], {})
    root.locator(".mg-open-model input").set_input_files(str(saved))
    p.wait_live(root, "r => r.dataset.model === 'cli-model.json'")
    assert root.locator("input[name=n_layer]").input_value() == "2"  # the model's own settings, in the boxes
    assert root.locator("input[name=seed]").input_value() == "42"
    assert command_of(root, "log") == ["--engine", "list", "--data", data.name, "--load", "cli-model.json",
                                       "--steps", "0"]
    files = {data.name: str(data), "cli-model.json": str(saved)}
    assert log_lines(root) == cli(command_of(root, "log"), files)
    root.locator("input[name=temperature]").fill("1.1")  # then: sample again, hotter
    root.locator("button.mg-sample-again").click()
    p.wait_live(root, "r => r.querySelector('.mg-log-command').dataset.command.includes('--temperature 1.1')")
    assert command_of(root, "log")[-4:] == ["--temperature", "1.1", "--steps", "0"]
    assert log_lines(root) == cli(command_of(root, "log"), files)

    # Bad inputs: a clear message each, and nothing changes (the data, the model).
    book_model = REPO / "microgpt" / "trained_book.json"
    root.locator(".mg-open-model input").set_input_files(str(book_model))
    p.wait_live(root, "r => r.dataset.modelError !== undefined")
    assert status(root).startswith("trained_book.json was trained on the characters 'abcdefghijklmnopqrstuvwxyz', "
                                   "but this data has 'άέήίαβγδ")
    assert root.get_attribute("data-model") == "cli-model.json"
    bad = {"empty.txt": b"", "one line.txt": "μόνο ένα όνομα\n".encode(),
           "latin1.txt": "zoë\nbjörn\n".encode("latin-1"), "huge.txt": b"ab\n" * (playground.MAX_DATA_BYTES // 3 + 1)}
    for name, raw in bad.items():
        (tmp_path / name).write_bytes(raw)
        root.locator(".mg-trainer-data input[type=file]").set_input_files(str(tmp_path / name))
        p.wait_live(root, "(r, n) => (r.dataset.dataError || '').includes(n)", name)
        message = root.locator(".mg-data-error").inner_text()
        assert message == playground.trainer_state(
            {"name": name, "size": len(raw)} if name == "huge.txt" else
            {"name": name, "base64": base64.b64encode(raw).decode()})["error"], name
        assert root.get_attribute("data-docs") == "148", f"{name} replaced the data in use"
    assert "2.0 MB (2,000,000 bytes)" in message  # the limit, named
    words = command_of(root)
    assert words[words.index("--data") + 1] == data.name  # the Greek names still in use
    p.check_clean()


# ----------------------------------------------------------------------------- links and run files

def link_fragment(run_text: str) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(run_text.encode("utf-8")) + packer.flush()
    return "#trainer=run:" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def test_a_link_restores_the_run_and_trains_to_the_same_lines(open_page, tmp_path):
    data = {"name": "greek_names.txt", "text": GREEK.read_text(encoding="utf-8")}
    settings = {"num_steps": 60, "seed": 3, "n_layer": 2, "num_samples": 6}
    fragment = link_fragment(playground.run_file(data, settings)["text"])
    p, root = open_trainer(open_page, fragment=fragment)
    p.path = PAGE + " (a link)"  # the label of this page load in the summary
    p.wait_live(root, "r => r.dataset.restored === 'the link'")
    assert root.get_attribute("data-docs") == "148"
    assert root.locator("input[name=n_layer]").input_value() == "2"
    expected = list(playground.training_run(data, settings))
    root.locator("button.mg-train").click()
    p.wait_live(root, DONE, timeout=300_000)
    assert log_lines(root) == [line for item in expected for line in item["lines"]]

    # A run too big for a link: the page says so and offers the run file, which opens from disk.
    big = {"name": "many.txt", "text": "".join(f"{i:05d}{chr(0x3b1 + i % 24)}\n" for i in range(3000))}
    root.locator(".mg-trainer-data textarea").fill(big["text"])
    root.locator("button.mg-use-paste").click()
    p.wait_live(root, "r => r.dataset.docs === '3000'")
    root.locator("button.mg-share").click()
    p.wait_live(root, "r => r.dataset.link === ''")
    assert "more than the 8,000 a link carries comfortably" in root.locator(".mg-share-note").inner_text()
    with p.page.expect_download() as download:
        root.locator("button.mg-save-run").click()
    run_file = tmp_path / download.value.suggested_filename
    download.value.save_as(run_file)
    assert run_file.name == "microgpt-run-pasted.json"
    said = root.locator(".mg-share-note").inner_text()
    assert said.startswith(f"Downloaded {run_file.name} ({run_file.stat().st_size:,} bytes)"), said
    assert playground.open_run(run_file.read_text(encoding="utf-8"))["data"]["text"] == big["text"]
    root.locator("button.mg-use-book").click()
    p.wait_live(root, "r => r.dataset.docs === '29910'")
    root.locator(".mg-open-run input").set_input_files(str(run_file))
    p.wait_live(root, "r => r.dataset.docs === '3000' && r.dataset.restored === 'microgpt-run-pasted.json'")
    p.check_clean()


def test_a_damaged_link_is_a_message_and_the_books_names_stay(open_page):
    run = playground.run_file(None, {"seed": 5})["text"]
    fragment = link_fragment(run)[:-12]  # cut short, as a chat program might
    p, root = open_trainer(open_page, fragment=fragment)
    p.path = PAGE + " (a damaged link)"
    p.wait_live(root, "r => r.dataset.linkError !== undefined")
    assert status(root).startswith("This link's run could not be decoded: it was probably cut short")
    assert root.get_attribute("data-docs") == "29910"
    assert root.locator("input[name=seed]").input_value() == "42"
    p.check_clean()


# ----------------------------------------------------------------------------- speed

def test_the_book_preset_trains_1000_steps_in_the_page_to_the_golden_file(open_page, browser, screenshot_dir):
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    p, root = open_trainer(open_page, width=390, mode="dark")
    box = root.bounding_box()
    assert box["width"] <= 390, f"the trainer is {box['width']} px wide at 390 px"
    shot(p.page, root, screenshot_dir, "390-dark-before")
    trace = MainThreadTrace(browser)
    root.locator("button.mg-train").click()
    p.wait_live(root, "r => +r.dataset.steps >= 1")  # Python has started; from here the run is timed
    trace.start(p.page)
    first = int(root.get_attribute("data-steps"))
    p.wait_live(root, DONE, timeout=600_000)
    trace.stop()
    assert root.get_attribute("data-state") == "done", status(root)
    assert log_lines(root) == golden  # all 1000 losses and the 20 names, line for line
    ms = float(root.get_attribute("data-ms-per-step"))
    worker_ms = trace.cpu_ms("DedicatedWorker thread") / (1000 - first)  # the worker's CPU, the names sampled too
    wall, cpu = trace.worst()
    load = os.getloadavg()[0]
    verdict = "within" if ms <= 10 else "OVER"
    note(f"your data: the book preset, 1000 steps in the page: {root.get_attribute('data-seconds')} s, "
         f"{ms:.1f} ms per step ({verdict} the 10 s budget; load average {load:.1f} on {os.cpu_count()} CPUs); "
         f"the worker's CPU {worker_ms:.1f} ms per step; main thread's longest task {wall:.0f} ms wall, "
         f"{cpu:.0f} ms CPU")
    assert cpu < LONG_TASK_MS, f"the main thread worked for {cpu:.0f} ms in one task while training"
    # The budget, on the measure that a busy CI machine does not inflate: the CPU time the
    # worker spent per step must fit 1000 steps in 10 s (wall time is reported above).
    assert 0 < worker_ms <= 10, f"the worker used {worker_ms:.1f} ms of CPU per step: 1000 steps need over 10 s"
    shot(p.page, root, screenshot_dir, "390-dark-after")
    assert root.bounding_box()["width"] <= 390
    # Stop: training ends between two batches, the log is the steps taken.
    root.locator("button.mg-train").click()
    p.wait_live(root, "r => r.dataset.state === 'running' && +r.dataset.steps >= 20")
    root.locator("button.mg-stop").click()
    p.wait_live(root, "r => r.dataset.state === 'stopped'")
    steps = int(root.get_attribute("data-steps"))
    p.page.wait_for_timeout(500)
    assert int(root.get_attribute("data-steps")) == steps
    assert log_lines(root) == golden[:3 + steps]
    assert status(root).startswith(f"Stopped after {steps} steps")
    p.check_clean()


# ----------------------------------------------------------------------------- the chapters' state in the address

def test_chapter_4_opens_the_attention_pattern_the_address_names(open_page):
    p = open_page(path="book/04_gpt.html#attention=name:emma,model:untrained,pos:2")
    root = p.widget("attention")
    p.wait_live(root, "r => r.querySelector('.mg-summary').textContent.startsWith('\\u201cemma\\u201d, untrained')")
    assert root.get_attribute("data-position") == "2"
    expected = explore.attention_state("emma", "untrained")["steps"][2]
    shown = [float(c.get_attribute("data-value")) for c in root.locator(".mg-cell").all()]
    assert shown == [float(f"{a:.2f}") for head in expected["attn"] for a in head]
    slider = root.locator("input[type=range]")
    slider.focus()
    p.page.keyboard.press("ArrowRight")
    p.wait_live(root, "r => r.dataset.position === '3'")
    assert p.page.evaluate("location.hash") == "#attention=name:emma,model:untrained,pos:3"
    p.check_clean()


def test_chapter_6_keeps_its_state_in_the_address_and_offers_your_model(open_page):
    data = {"name": "greek_names.txt", "text": GREEK.read_text(encoding="utf-8")}
    model = list(playground.training_run(data, {"num_steps": 30}))[-1]["model"]
    store = ("localStorage.setItem('microgpt-your-model', " +
             json.dumps(json.dumps({"text": model["text"], "label": model["label"]})) + ")")
    p = open_page(path="book/06_inference.html#temperature=temperature:0.8&score=name:%CE%BC%CE%B1%CF%81%CE%AF%CE%B1",
                  init_scripts=[store])
    temperature, score = p.widget("temperature"), p.widget("score")
    p.wait_live(temperature, "r => r.dataset.temperature === '0.8'")
    assert temperature.locator("input[type=range]").input_value() == "0.8"
    assert score.locator("input[type=text]").input_value() == "μαρία"
    assert json.loads(temperature.locator(".mg-names").get_attribute("data-names")) == \
        explore.temperature_state(0.8, 8)["names"]
    choice = temperature.locator("select")
    assert choice.locator("option").all_inner_texts() == ["the book's model", f"your model ({model['label']})"]
    choice.select_option(index=1)
    mine = explore.temperature_state(0.8, 8, model["text"])
    p.wait_live(temperature, "(r, n) => r.querySelector('.mg-names').dataset.names === JSON.stringify(n)",
                mine["names"])
    # The summary may still show an earlier result: wait for the new model's mean
    # (exactly the number CPython computes), not merely for a mean.
    want = explore.score_state("μαρία", model["text"])["mean"]
    score.locator("select").select_option(index=1)
    p.wait_live(score, "(r, m) => Number(r.querySelector('.mg-summary').dataset.mean) === m", want)
    assert float(score.locator(".mg-summary").get_attribute("data-mean")) == want
    p.check_clean()
