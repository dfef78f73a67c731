"""The live widgets in JupyterLab, as a reader on Binder uses them.

Starts JupyterLab (this venv, 127.0.0.1, random port and token) on a temporary copy
of book/ (the committed notebooks are never touched), opens a chapter in headless
Chromium, runs all cells from the Run menu, waits for the kernel, finds the chapter's
slider whose output is an image, records that output, moves the slider with the
keyboard and asserts the output changed:

* 04_gpt.ipynb: the step-through (position) IntSlider of the attention widget;
* 06_inference.ipynb: the temperature FloatSlider.

The slider is found generically (the first IntSlider/FloatSlider whose widget group
has an Output with an image, preferring one whose label matches the chapter's
pattern), so the test follows the chapters as they change.

Bounded everywhere: JupyterLab start <= 120 s, Run All <= LAB_RUN_TIMEOUT (600 s),
each slider update <= 90 s, and a watchdog kills JupyterLab and its kernels after
LAB_SUITE_TIMEOUT (1200 s) so nothing can hang. Blocked external requests and
console errors inside JupyterLab are printed, not asserted (the HTML book test
asserts them for the static pages).

Environment: LAB_BOOK_DIR (default <repo>/book) is the folder copied and served.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import REPO, REQUEST_LOG, RequestRecorder, free_port, note

BOOK_DIR = Path(os.environ.get("LAB_BOOK_DIR") or REPO / "book").resolve()
JUPYTER = Path(sys.executable).with_name("jupyter")
START_TIMEOUT = 120
RUN_TIMEOUT = int(os.environ.get("LAB_RUN_TIMEOUT", "600"))
SLIDER_TIMEOUT = 90
SUITE_TIMEOUT = int(os.environ.get("LAB_SUITE_TIMEOUT", "1200"))

# (notebook, preferred slider label, preferred kind)
CHAPTERS = [
    ("04_gpt.ipynb", r"position|step|token|pos\b", "int"),
    ("06_inference.ipynb", r"temp", "float"),
]


# --------------------------------------------------------------------- JupyterLab
class Lab:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        # A mirror of the repository: book/ is a copy (never the committed
        # notebooks), the rest are symlinks, so relative paths that the notebooks
        # use (../tests/..., ../microgpt/...) resolve as in the repository and on Binder.
        self.repo = workdir / "repo"
        self.root = self.repo / BOOK_DIR.name
        self.runtime = workdir / "runtime"
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ)
        venv_bin = str(JUPYTER.parent)
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
        for key, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
            ("MPLCONFIGDIR", "mpl"),
        ]:
            env[key] = str(self.workdir / sub)
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        env.pop("JUPYTER_TOKEN", None)
        return env

    def write_config(self) -> None:
        # No update check, no news feed, no PyPI extension manager, app exposed as
        # window.jupyterapp (to read kernel and cell state), no toasts.
        (self.workdir / "config" / "jupyter_lab_config.json").write_text(json.dumps({
            "LabApp": {
                "news_url": None,
                "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
                "extension_manager": "readonly",
                "expose_app_in_browser": True,
            },
        }))
        notif = self.workdir / "settings" / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        (notif / "notification.jupyterlab-settings").write_text(json.dumps(
            {"checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True}))
        # Keep every cell in the DOM (no virtual scrolling of off-screen cells).
        nbext = self.workdir / "settings" / "@jupyterlab" / "notebook-extension"
        nbext.mkdir(parents=True, exist_ok=True)
        (nbext / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))

    def start(self) -> None:
        self.repo.mkdir(parents=True)
        for entry in BOOK_DIR.parent.iterdir():
            if entry.name not in {BOOK_DIR.name, ".git", ".venv", "venv", "_build", ".jupyter_cache"}:
                (self.repo / entry.name).symlink_to(entry)
        shutil.copytree(
            BOOK_DIR, self.root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_extra", "_static", "__pycache__"),
        )
        env = self.env()
        self.write_config()
        cmd = [
            str(JUPYTER), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--ServerApp.allow_root=True")  # CI and containers run as root
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=5)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"},
            data=b"" if method in ("POST",) else None,
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        try:
            for session in self.api("GET", "/api/sessions") or []:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)
        except Exception:
            pass

    def kernel_pids(self) -> list[int]:
        pids = []
        needle = str(self.runtime).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if needle in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
        return pids

    def kill(self) -> None:
        """Hard stop: JupyterLab's process group, then its kernels (by pid)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.kernel_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=15)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                    self.proc.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    pass
        self.kill()
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        self._log.close()

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """A running JupyterLab on a temporary copy of book/ (module scope)."""
    if not BOOK_DIR.is_dir():
        pytest.fail(f"no book folder at {BOOK_DIR}")
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    watchdog = threading.Timer(SUITE_TIMEOUT, server.kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        server.start()
        yield server
    finally:
        watchdog.cancel()
        server.stop()
        leftovers = server.kernel_pids()
        assert not leftovers, f"kernel processes left running: {leftovers}"


# --------------------------------------------------------------- page scripts
JS_NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext || !w.content.widgets) return {ready: false};
  const ctx = w.sessionContext;
  const kernel = ctx.session && ctx.session.kernel;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  let pending = 0, running = 0, unrun = 0;
  const errors = [];
  cells.forEach((c, i) => {
    const src = c.model.sharedModel.getSource();
    const prompt = c.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) running++;
    if (src.trim() && c.model.executionCount === null) unrun++;
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'error') errors.push(`code cell ${i + 1}: ${o.ename}: ${o.evalue}`);
    }
  });
  return {ready: ctx.isReady && !!kernel, status: kernel ? kernel.status : 'none',
          cells: cells.length, running, unrun, errors};
}"""

# Sliders (ipywidgets 8: .widget-slider) with the output of their widget group:
# the nearest ancestor (inside the cell) holding an Output widget, else the cell's
# output area. Each is tagged data-test-slider=<k> for the locator.
JS_SLIDERS = """() => {
  const hash = s => {
    let h = 5381;
    for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
    return h.toString(16) + ':' + s.length;
  };
  const all = Array.from(document.querySelectorAll('.jp-Notebook .widget-slider'))
                   .filter(s => !s.parentElement.closest('.widget-slider'));
  return all.map((s, k) => {
    s.setAttribute('data-test-slider', String(k));
    const cell = s.closest('.jp-Cell');
    let out = null, c = s.parentElement;
    while (c && c !== cell) {
      const o = c.querySelector('.widget-output');
      if (o) { out = o; break; }
      c = c.parentElement;
    }
    if (!out && cell) out = cell.querySelector('.jp-Cell-outputArea');
    const imgs = out ? Array.from(out.querySelectorAll('img')) : [];
    const text = out ? out.textContent : '';
    const handle = s.querySelector('.noUi-handle');
    const readout = s.querySelector('.widget-readout');
    const label = s.querySelector('.widget-label');
    const value = handle ? handle.getAttribute('aria-valuenow') : null;
    return {k, label: label ? label.textContent.trim() : '',
            readout: readout ? readout.textContent.trim() : '',
            value, max: handle ? handle.getAttribute('aria-valuemax') : null,
            min: handle ? handle.getAttribute('aria-valuemin') : null,
            images: imgs.length, sig: hash(imgs.map(i => i.src).join('|') + '#' + text),
            text: text.slice(0, 200)};
  });
}"""


def _wait_until(page, check, timeout: float, what: str, poll: float = 0.5):
    """Poll `check()` (returns (done, info)) until done or timeout; returns info."""
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        done, info = check()
        if done:
            return info
        page.wait_for_timeout(poll * 1000)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last state: {info}")


def _run_all(page) -> str:
    """Run → Run All Cells from the menu bar (fallback: the same command)."""
    try:
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).first.click(timeout=10_000)
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"], '
                     '.lm-Menu-item[data-command="notebook:run-all-cells"]').first.click(timeout=10_000)
        return "menu Run > Run All Cells"
    except Exception:
        page.keyboard.press("Escape")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        return "command notebook:run-all-cells"


def _pick_slider(sliders, label_re: str, kind: str):
    with_image = [s for s in sliders if s["images"] > 0]

    def is_float(s):
        return "." in (s["readout"] or s["value"] or "")

    def kind_ok(s):
        return is_float(s) == (kind == "float")

    for pool in (
        [s for s in with_image if re.search(label_re, s["label"], re.I) and kind_ok(s)],
        [s for s in with_image if re.search(label_re, s["label"], re.I)],
        [s for s in with_image if kind_ok(s)],
        with_image,
    ):
        if pool:
            return pool[0]
    return None


@pytest.mark.parametrize("notebook,label_re,kind", CHAPTERS, ids=[c[0] for c in CHAPTERS])
def test_slider_updates_output(browser, lab, screenshot_dir, notebook, label_re, kind):
    if not (lab.root / notebook).is_file():
        pytest.fail(f"{notebook} is missing from {BOOK_DIR}: the live-slider check needs it")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    rec = RequestRecorder(port=lab.port)
    rec.attach(context)
    page = context.new_page()
    rec.watch(page)
    t0 = time.monotonic()
    try:
        page.goto(f"{lab.url}/lab/tree/{notebook}?reset&token={lab.token}",
                  wait_until="domcontentloaded", timeout=90_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)

        def kernel_idle():
            # A dialog (e.g. "Select Kernel") would block: accept its default.
            accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
            if accept.count():
                accept.first.click()
            s = page.evaluate(JS_NOTEBOOK_STATE)
            return bool(s.get("ready")) and s["status"] == "idle", s

        _wait_until(page, kernel_idle, 120, "the kernel to start (idle)")
        t_open = time.monotonic() - t0

        # Clear the saved outputs first: then "every code cell has an execution
        # count again" means this run reached it (the saved counts are 1, 2, 3, ...
        # too), and no saved widget output can be mistaken for a live one.
        page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                     .filter(c => c.model.type === 'code')
                     .every(c => c.model.executionCount === null && c.model.outputs.length === 0)""",
            timeout=30_000,
        )
        how = _run_all(page)

        def finished():
            s = page.evaluate(JS_NOTEBOOK_STATE)
            if s.get("errors"):
                raise AssertionError(f"{notebook}: error while running all cells:\n"
                                     + "\n".join(s["errors"]))
            if s.get("status") in ("dead", "unknown"):
                raise AssertionError(f"{notebook}: kernel {s['status']}\n{lab.log_tail()}")
            done = (s.get("ready") and s["status"] == "idle" and s["running"] == 0
                    and s["unrun"] == 0)
            return done, s

        _wait_until(page, finished, RUN_TIMEOUT, f"{notebook} to finish Run All", poll=1.0)
        t_run = time.monotonic() - t0 - t_open

        page.wait_for_selector(".jp-Notebook .widget-slider", state="attached", timeout=30_000)
        sliders = page.evaluate(JS_SLIDERS)
        chosen = _pick_slider(sliders, label_re, kind)
        assert chosen is not None, (
            f"{notebook}: no slider whose output shows an image; sliders found: "
            + json.dumps([{k: s[k] for k in ("label", "readout", "images", "text")} for s in sliders])
        )
        k = chosen["k"]
        slider = page.locator(f'[data-test-slider="{k}"]')
        slider.scroll_into_view_if_needed()
        handle = slider.locator(".noUi-handle").first
        key = "ArrowRight"
        if chosen["value"] is not None and chosen["max"] is not None \
                and float(chosen["value"]) >= float(chosen["max"]):
            key = "ArrowLeft"
        handle.focus()
        handle.press(key)

        # Done when the readout moved, the output differs from before, it shows an
        # image, the kernel is idle and the output is the same on two polls in a row
        # (no redraw still in flight).
        last = {"sig": None}

        def changed():
            now = next((s for s in page.evaluate(JS_SLIDERS) if s["k"] == k), None)
            state = page.evaluate(JS_NOTEBOOK_STATE)
            stable = now is not None and now["sig"] == last["sig"]
            last["sig"] = now["sig"] if now else None
            ok = (now is not None and now["readout"] != chosen["readout"]
                  and now["sig"] != chosen["sig"] and now["images"] > 0
                  and state.get("status") == "idle" and stable)
            return ok, now

        after = _wait_until(page, changed, SLIDER_TIMEOUT,
                            f"the output of slider {chosen['label']!r} to change")
        t_slide = time.monotonic() - t0 - t_open - t_run
        note(f"JupyterLab {notebook}: slider {chosen['label']!r} {chosen['readout']} -> {after['readout']} "
              f"({key}): output image changed ({chosen['sig']} -> {after['sig']}); "
              f"open {t_open:.1f} s, run all ({how}) {t_run:.1f} s, update {t_slide:.1f} s")
        shots = screenshot_dir
        slider.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]").screenshot(
            path=str(shots / f"jupyterlab-{notebook.replace('.ipynb', '')}-slider.png"), timeout=30_000)
    finally:
        context.close()
        lab.shutdown_kernels()
        label = f"JupyterLab {notebook}"
        REQUEST_LOG.append((label, len(rec.served), len(rec.blocked), len(rec.failed)))
        print(f"{label}: {len(rec.served)} requests served from 127.0.0.1, {len(rec.blocked)} "
              f"blocked (external), {len(rec.failed)} failed, {len(rec.console_errors)} console errors")
        for url in sorted(set(rec.blocked)):
            note(f"  {label}: blocked external request {url}")
        for msg in rec.console_errors[:10]:
            print(f"  console error: {msg}")
