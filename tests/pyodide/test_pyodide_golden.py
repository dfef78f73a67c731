"""The package, run in the book's own Pyodide under Node, prints the reference output.

The HTML book's live widgets run microgpt's .py files in Pyodide (CPython compiled to
WebAssembly) in the reader's browser. These tests run the same vendored Pyodide
(book/_extra/vendor/pyodide/) with the same package files (the list the book build
copies, book/_ext/microgpt_live.py:package_files) under Node, and check that

  * the vendored files are the ones scripts/vendor_js.sh recorded (SHA256SUMS);
  * `python -m microgpt` in Pyodide prints microgpt/golden_book_ssa2017.txt line for
    line: all 1000 loss lines and the 20 sampled names (about 4 minutes);
  * so does `python -m microgpt --engine list`, the browser's fast engine, whose time per
    step in Pyodide is printed against the budget of 1000 steps in 10 s (reported, not
    enforced: the test fails only on wrong numbers).

Needs node (any machine with npm has it); without it the tests are skipped locally
and fail in CI (CI=true). The per-step time in Pyodide against CPython is printed.
"""

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYODIDE = REPO / "book" / "_extra" / "vendor" / "pyodide"
RUNNER = HERE / "run_in_pyodide.mjs"
GOLDEN = REPO / "microgpt" / "golden_book_ssa2017.txt"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}

sys.path.insert(0, str(REPO / "book" / "_ext"))
microgpt_live = importlib.import_module("microgpt_live")  # the book's extension: what the site serves
PACKAGE_DIR, package_files = microgpt_live.PACKAGE_DIR, microgpt_live.package_files


def node():
    exe = shutil.which("node")
    if exe is None:
        if IN_CI:
            pytest.fail("node is not installed (CI needs it for the Pyodide tests: apt-get install nodejs)")
        pytest.skip("node is not installed")
    return exe


def run_in_pyodide(code, timeout=1800):
    """Run code in the vendored Pyodide with the browser's package files; return
    (stdout, timing dict)."""
    proc = subprocess.run([node(), str(RUNNER), str(PYODIDE), str(PACKAGE_DIR), code, *package_files()],
                          capture_output=True, text=True, timeout=timeout, check=False)
    timing = {}
    for line in proc.stderr.splitlines():
        if line.startswith("pyodide-timing: "):
            timing = json.loads(line.split(": ", 1)[1])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, timing


def test_vendored_pyodide_matches_its_checksums():
    sums = (PYODIDE / "SHA256SUMS").read_text().split("\n")
    entries = [line.split(None, 1) for line in sums if line.strip()]
    assert {name.removeprefix("./") for _, name in entries} >= {
        "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}
    for digest, name in entries:
        data = (PYODIDE / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} differs from SHA256SUMS"


def test_browser_files_are_the_core_package():
    files = package_files()
    assert "explore.py" in files and "names.txt" in files and "__init__.py" in files
    assert "list_engine.py" in files  # the fast engine, standard library only
    assert "numpy_engine.py" not in files  # no numpy in the browser


def test_errors_cross_with_their_message():
    out, _ = run_in_pyodide(
        "from microgpt import Tokenizer, TokenizerError\n"
        "try:\n    Tokenizer(['abc']).encode('abz')\n"
        "except TokenizerError as e:\n    print(type(e).__name__, str(e).split(chr(10))[0][:40])\n")
    assert out.startswith("TokenizerError ")


def cpython_ms_per_step(steps=50, engine="scalar"):
    import microgpt
    run = microgpt.prepare("book", engine=engine)
    t = time.perf_counter()
    for _ in run.training_steps(steps):
        pass
    return 1000 * (time.perf_counter() - t) / steps


def cli_in_pyodide(*args):
    """Run `python -m microgpt ARGS` in Pyodide; check it printed the golden file line for
    line. Returns (timing, wall seconds); timing['run_ms'] covers the 1000 steps and 20 samples."""
    code = (
        "import sys, time\n"
        "from microgpt.cli import main\n"
        "t = time.perf_counter()\n"
        f"status = main({list(args)!r})\n"
        "print(f'seconds {time.perf_counter() - t:.3f}', file=sys.stderr)\n"
        "assert status == 0\n"
    )
    t = time.perf_counter()
    out, timing = run_in_pyodide(code)
    wall = time.perf_counter() - t
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    lines = out.splitlines()
    assert len([ln for ln in lines if ln.startswith("step ")]) == 1000
    assert [ln for ln in lines if ln.startswith("sample ")] == [ln for ln in golden if ln.startswith("sample ")]
    assert lines == golden
    return timing, wall


def report(engine, timing, wall):
    pyodide_ms = timing["run_ms"] / 1000  # run_ms: 1000 steps (and 20 samples), in ms
    cpython_ms = cpython_ms_per_step(steps=50 if engine == "scalar" else 300, engine=engine)
    print(f"\n{engine} engine: Pyodide {timing['version']} under Node: start {timing['load_ms']} ms, "
          f"{pyodide_ms:.1f} ms per step; CPython {sys.version.split()[0]}: {cpython_ms:.1f} ms per step "
          f"(x{pyodide_ms / cpython_ms:.2f}); wall {wall:.0f} s")
    return pyodide_ms


def test_pyodide_reproduces_the_golden_file_line_for_line():
    report("scalar", *cli_in_pyodide())


def test_pyodide_list_engine_reproduces_the_golden_file_and_reports_its_speed():
    pyodide_ms = report("list", *cli_in_pyodide("--engine", "list"))
    budget = "within" if pyodide_ms <= 10 else "OVER"
    print(f"list engine in Pyodide: 1000 steps and 20 samples in {pyodide_ms:.1f} s, {budget} the 10 s budget")


def test_the_runner_starts_the_package_as_the_page_does():
    """run_in_pyodide.mjs uses the worker's own start-up (book/_extra/live/boot.mjs): the
    bridge is imported, from the one site directory that boot.mjs alone names."""
    out, _ = run_in_pyodide("import sys, microgpt.bridge as b; print('microgpt.bridge' in sys.modules, "
                            "b.__file__.rsplit('/microgpt/', 1)[0])")
    assert out.split() == ["True", "/home/pyodide/site"]
    live = REPO / "book" / "_extra" / "live"
    writers = [p.relative_to(REPO).as_posix() for p in [*live.rglob("*.js"), *live.rglob("*.mjs"), RUNNER]
               if "/home/pyodide/site" in p.read_text()]
    assert writers == ["book/_extra/live/boot.mjs"]
