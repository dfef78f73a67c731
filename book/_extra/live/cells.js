/* microgpt live: the chapter's code cells, edited and run in the page.
 *
 * The build (book/_ext/microgpt_cells.py, with microgpt.cells.plan) marks every code cell that
 * runs in the browser (div.cell.mg-run) and embeds the page's plan (script#mg-cells): each
 * such cell's source, exactly the notebook's, and the earlier cells it needs. Here each of
 * those cells gets:
 *   Edit    the listing becomes an editor (CodeMirror, live/editor.mjs: loaded on the first
 *           Edit, never before); Shift+Enter or Ctrl+Enter in it runs the cell;
 *   Run     (Check, for an exercise) runs the cell's code in the code worker (runtime.js's
 *           MicrogptLive.run: Python in a worker of its own, one namespace per chapter), first
 *           running, once, the earlier cells it needs, as "run all above" would, and shows what
 *           Jupyter would: printed text, the last expression's value, or a short traceback;
 *   Reset   (once edited) asks, then brings back the book's code and output.
 * A reader's edits are kept in the browser (localStorage) until Reset; a reload restores them;
 * storage that is full or disabled is said, not ignored. A run that goes on for 2 s shows
 * Stop; Stop, or the time limit, ends the code worker and the next run starts a fresh one.
 * Exercises passed (microgpt.exercises.check, reported by the run) are remembered too: see
 * MicrogptLive.progress, which the landing page lists.
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;
  var here = document.currentScript && document.currentScript.src;
  var BASE = new URL(".", here || document.baseURI);  // .../live/
  var STOP_AFTER_MS = 2000;     // a run this long shows Stop
  var TIME_LIMIT_MS = 60000;    // a run this long is ended
  var SHOWN_LIMIT = 20000;      // characters shown per output block (microgpt.cells caps what it sends)
  var EDIT_KEY = "microgpt-book:edit:";
  var PASSED_KEY = "microgpt-book:passed";

  var plan = null;              // {chapter, cells: {index: {source, needs, hidden, exercise}}}
  var byIndex = {};             // index -> the cell's controller
  var ran = new Set();          // cells run in the current code worker
  var ranGeneration = -1;
  var running = null;           // the controller whose run is under way (one at a time)

  /* ------------------------------------------------------------ storage */
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /* Save value under key (null removes it); a message if the browser would not keep it. */
  function save(key, value) {
    var s = storage();
    if (!s) return "This browser does not let the page keep your edits (storage is disabled): " +
                   "they stay on this page until you reload it.";
    try {
      if (value === null) s.removeItem(key); else s.setItem(key, value);
      return null;
    } catch (e) {
      return "Your edit could not be saved: this browser's storage for the book is full (" +
             (e && e.name) + "). It stays on this page until you reload; free space by resetting " +
             "cells you no longer need.";
    }
  }

  function load(key) {
    var s = storage();
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }

  var progress = {
    passed: function () {
      try { return JSON.parse(load(PASSED_KEY) || "{}") || {}; } catch (e) { return {}; }
    },
    record: function (id) {
      var p = progress.passed();
      if (!p[id]) p[id] = new Date().toISOString().slice(0, 10);
      return save(PASSED_KEY, JSON.stringify(p));
    },
    clear: function () { return save(PASSED_KEY, null); }
  };
  live.progress = progress;

  /* ------------------------------------------------------------ one cell */
  function listing(cellEl) {
    return cellEl.querySelector(".cell_input pre");
  }

  function Cell(el, index, spec) {
    this.el = el;
    this.index = index;
    this.spec = spec;
    this.key = EDIT_KEY + plan.chapter + ":" + index;
    this.editor = null;
    this.pre = listing(el);
    this.committed = el.querySelector(":scope .cell_output");
    var saved = load(this.key);
    this.text = saved !== null && saved !== spec.source ? saved : spec.source;
    this.build();
    if (this.text !== spec.source) this.showEdited();
  }

  Cell.prototype.source = function () {
    return this.editor ? this.editor.getValue() : this.text;
  };

  Cell.prototype.build = function () {
    var self = this;
    var bar = this.bar = live.el("div", "mg-cell-bar");
    var label = this.spec.exercise ? "Check" : "Run";
    this.runButton = live.button(label, "mg-cell-run");
    this.runButton.setAttribute("aria-label", label + " this cell's code in your browser" +
                                (this.spec.exercise ? " (runs your code and the exercise's tests)" : ""));
    this.editButton = live.button("Edit", "mg-secondary mg-cell-edit");
    this.editButton.setAttribute("aria-label", "Edit this cell's code");
    this.resetButton = live.button("Reset", "mg-secondary mg-cell-reset");
    this.resetButton.setAttribute("aria-label", "Reset this cell to the book's code");
    this.resetButton.hidden = true;
    this.stopButton = live.button("Stop", "mg-cell-stop");
    this.stopButton.hidden = true;
    this.note = live.el("span", "mg-cell-note");
    this.badge = live.el("span", "mg-cell-badge");
    this.badge.hidden = true;
    bar.append(this.runButton, this.editButton, this.resetButton, this.stopButton, this.note, this.badge);
    this.out = live.el("div", "mg-cell-out");
    this.out.hidden = true;
    var input = this.el.querySelector(".cell_input");
    input.after(bar);
    bar.after(this.out);
    this.runButton.addEventListener("click", function () { self.run(); });
    this.editButton.addEventListener("click", function () { self.edit(); });
    this.resetButton.addEventListener("click", function () { self.askReset(); });
    this.stopButton.addEventListener("click", function () {
      live.stopCode("Stopped by you. Python was restarted: variables from earlier cells are gone; " +
                    "Run runs the cells a cell needs again.");
    });
    if (this.spec.exercise) this.showPassed();
  };

  Cell.prototype.status = function (text, kind) {
    this.note.textContent = text || "";
    this.note.dataset.kind = kind || "";
  };

  Cell.prototype.showEdited = function () {
    this.resetButton.hidden = false;
    if (!this.editor && this.pre) this.pre.textContent = this.text;
    this.el.classList.add("mg-edited");
  };

  Cell.prototype.edit = function () {
    var self = this;
    if (this.editor) { this.editor.focus(); return Promise.resolve(); }
    this.editButton.disabled = true;
    this.status("Loading the editor\u2026", "loading");
    return import(new URL("editor.mjs", BASE).href).then(function (mod) {
      var holder = live.el("div", "mg-cell-editor");
      var shown = self.pre.closest(".highlight") || self.pre;
      shown.after(holder);
      shown.hidden = true;
      self.editor = mod.createEditor(holder, {
        doc: self.text,
        label: "Code of this cell (Shift+Enter runs it; Escape, then Tab, leaves the editor)",
        onRun: function () { self.run(); },
        onChange: function (text) { self.changed(text); }
      });
      self.editButton.hidden = true;
      self.status("");
      self.editor.focus();
    }, function (err) {
      self.editButton.disabled = false;
      self.status("The editor could not load (live/editor.mjs: " + ((err && err.message) || err) +
                  "): check your connection and retry.", "error");
    });
  };

  Cell.prototype.changed = function (text) {
    var self = this;
    this.text = text;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(function () {
      var problem = save(self.key, text === self.spec.source ? null : text);
      if (problem) self.status(problem, "error");
    }, 300);
    if (text !== this.spec.source) this.showEdited();
  };

  Cell.prototype.askReset = function () {
    var self = this;
    if (this.confirming) return;
    var box = this.confirming = live.el("span", "mg-cell-confirm");
    box.setAttribute("role", "group");
    var q = live.el("span", null, "Discard your edit and bring back the book's code? ");
    var yes = live.button("Discard my edit", "mg-cell-discard");
    var no = live.button("Keep it", "mg-secondary");
    box.append(q, yes, no);
    this.bar.appendChild(box);
    no.focus();
    function close() { box.remove(); self.confirming = null; self.resetButton.focus(); }
    no.addEventListener("click", close);
    yes.addEventListener("click", function () { close(); self.reset(); });
  };

  Cell.prototype.reset = function () {
    clearTimeout(this.saveTimer);
    var problem = save(this.key, null);
    this.text = this.spec.source;
    if (this.editor) this.editor.setValue(this.spec.source);
    else if (this.pre) this.pre.textContent = this.spec.source;
    this.resetButton.hidden = true;
    this.el.classList.remove("mg-edited");
    this.out.hidden = true;
    if (this.committed) this.committed.hidden = false;
    this.status(problem || "Back to the book's code.", problem ? "error" : "");
  };

  Cell.prototype.showPassed = function () {
    var when = progress.passed()[this.spec.exerciseId || ""];
    this.badge.hidden = !when;
    if (when) this.badge.textContent = "\u2713 passed (" + when + ")";
  };

  function block(cls, text) {
    var pre = live.el("pre", cls);
    pre.textContent = text.length > SHOWN_LIMIT ? text.slice(0, SHOWN_LIMIT) : text;
    return pre;
  }

  /* What Jupyter would show for one run: printed text, the value, or the traceback. */
  Cell.prototype.show = function (r, note) {
    this.out.replaceChildren();
    this.out.appendChild(live.el("p", "mg-cell-out-label", note || "Output, computed in your browser:"));
    if (r.stdout) this.out.appendChild(block("mg-cell-stdout", r.stdout));
    if (r.cut) this.out.appendChild(live.el("p", "mg-cell-cut", "\u2026 output cut: " +
      r.cut.toLocaleString("en-US") + " more characters were printed than a cell shows."));
    if (r.value !== null && r.value !== undefined) this.out.appendChild(block("mg-cell-value", r.value));
    if (r.error) {
      var err = block("mg-cell-error", r.error.traceback);
      err.setAttribute("role", "alert");
      this.out.appendChild(err);
    }
    if (!r.stdout && !r.cut && r.value == null && !r.error) {
      this.out.appendChild(live.el("p", "mg-cell-none", "(no output: the cell ran and printed nothing)"));
    }
    var self = this;
    (r.verdicts || []).forEach(function (v) {
      var p = live.el("p", "mg-verdict " + (v.passed ? "mg-pass" : "mg-fail"),
                      v.passed ? "\u2713 Passed: " + v.title + "." : "\u2717 Not yet: see the message above.");
      p.setAttribute("role", "status");
      self.out.appendChild(p);
      if (v.passed) {
        var problem = progress.record(v.id);
        if (problem) self.status(problem, "error");
        self.spec.exerciseId = v.id;
        self.showPassed();
        updateSummaries();
      }
    });
    this.out.hidden = false;
    if (this.committed) this.committed.hidden = true;
  };

  Cell.prototype.showFailure = function (message) {
    this.out.replaceChildren(live.el("p", "mg-cell-out-label", "The cell did not run:"));
    var p = live.el("p", "mg-error", message);
    p.setAttribute("role", "alert");
    this.out.appendChild(p);
    this.out.hidden = false;
    // runtime.js offers Retry beside start-up failures; a stop needs none: Run starts Python again
    var retry = this.bar.querySelector(".mg-live-retry");
    if (retry && /^Stopped/.test(message)) retry.remove();
  };

  // While a cell runs, the Run buttons are marked unavailable (aria-disabled), not disabled:
  // disabling the button a keyboard reader just pressed would drop their focus to the top of
  // the page. run() ignores presses meanwhile.
  function setRunning(cell) {
    running = cell;
    Object.keys(byIndex).forEach(function (i) {
      if (cell) byIndex[i].runButton.setAttribute("aria-disabled", "true");
      else byIndex[i].runButton.removeAttribute("aria-disabled");
    });
  }

  /* Run this cell (after the cells it needs): resolves to its result, or null if it did not run. */
  Cell.prototype.run = function () {
    var self = this;
    if (running) return Promise.resolve(null);
    setRunning(this);
    var started = performance.now();
    var stopTimer = setInterval(function () {
      var s = (performance.now() - started) / 1000;
      if (s * 1000 >= STOP_AFTER_MS) {
        self.stopButton.hidden = false;
        self.status("Still running (" + Math.floor(s) + " s)\u2026", "loading");
      }
    }, 500);
    var runOne = function (cell, note) {
      var t0 = performance.now();
      return live.run(plan.chapter, cell.source(), "cell " + cell.index,
                      { el: self.bar, timeLimit: TIME_LIMIT_MS }).then(function (r) {
        r.ms = performance.now() - t0;  // from Run to the answer, this cell alone
        ran.add(cell.index);
        cell.show(r, note);
        return r;
      });
    };
    self.status("Running\u2026", "loading");
    var done = live.readyCode(this.bar).then(function (generation) {
      if (generation !== ranGeneration) { ran = new Set(); ranGeneration = generation; }
      var todo = self.spec.needs.filter(function (i) { return !ran.has(i) && byIndex[i]; });
      var chain = Promise.resolve(null);
      todo.forEach(function (i, n) {
        chain = chain.then(function (failed) {
          if (failed) return failed;
          self.status("Running the cells above it needs first (" + (n + 1) + " of " + todo.length + ")\u2026",
                      "loading");
          return runOne(byIndex[i], "Output, computed in your browser (run first, for a cell below):")
            .then(function (r) { return r.error ? byIndex[i] : null; });
        });
      });
      return chain.then(function (failed) {
        if (failed) {
          var r = { stdout: "", value: null, error: null, verdicts: [] };
          self.show(r);
          self.showFailure("A cell above that this one needs raised an error (see its output): " +
                           "fix or reset it, then run this cell again.");
          return null;
        }
        self.status("Running\u2026", "loading");
        return runOne(self);
      });
    });
    return done.then(function (r) {
      self.status(r ? "Ran in " + Math.round(performance.now() - started) + " ms." : "");
      return r;
    }, function (err) {
      self.status("");
      self.showFailure(err.message);
      return null;
    }).then(function (r) {
      clearInterval(stopTimer);
      self.stopButton.hidden = true;
      setRunning(null);
      return r;
    });
  };

  /* Each exercise section's line: how many of this chapter's exercises the reader has passed. */
  function updateSummaries() {
    var passed = progress.passed();
    document.querySelectorAll(".mg-progress-list li[data-exercise]").forEach(function (li) {
      var when = passed[li.dataset.exercise];
      li.classList.toggle("mg-done", !!when);
      var mark = li.querySelector(".mg-progress-mark");
      if (mark) mark.textContent = when ? "\u2713 passed " + when : "not yet";
    });
  }
  live.updateProgress = updateSummaries;

  /* The landing page's list: a Clear button (made here: without this script there is no
     progress to clear) and the marks. */
  function initProgressList() {
    document.querySelectorAll(".mg-progress-list").forEach(function (list) {
      if (list.querySelector(".mg-progress-clear")) return;
      var status = live.el("p", "mg-progress-status");
      status.setAttribute("role", "status");
      var clear = live.button("Clear my progress", "mg-secondary mg-progress-clear");
      clear.addEventListener("click", function () {
        var problem = progress.clear();
        updateSummaries();
        status.textContent = problem || "Cleared: no exercise is marked as passed in this browser.";
      });
      var bar = live.el("div", "mg-cell-bar");
      bar.append(clear, status);
      list.appendChild(bar);
    });
  }

  function init() {
    initProgressList();
    updateSummaries();
    var data = document.getElementById("mg-cells");
    if (!data || !live) return;
    plan = JSON.parse(data.textContent);
    Object.keys(plan.cells).forEach(function (i) {
      var el = document.querySelector("div.cell.mg-run.mg-cell-" + i);
      if (el && listing(el)) byIndex[i] = new Cell(el, Number(i), plan.cells[i]);
    });
    // Exercise ids: the check('ID') call the cell ends with (microgpt/exercises.py names them).
    Object.keys(byIndex).forEach(function (i) {
      var c = byIndex[i];
      var m = c.spec.exercise && /check\(\s*['"]([\w-]+)['"]/.exec(c.spec.source);
      if (m) { c.spec.exerciseId = m[1]; c.showPassed(); }
    });
    updateSummaries();
  }

  // For tests: run cell i (unedited unless edited) and resolve to its result.
  live.cells = {
    run: function (i) { return byIndex[i].run(); },
    indices: function () { return Object.keys(byIndex).map(Number); },
    get: function (i) { return byIndex[i]; }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
