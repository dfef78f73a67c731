/* microgpt live: the chapter's code cells, edited and run in the page.
 *
 * The build (book/_ext/microgpt_cells.py, with microgpt.cells.plan) marks every code cell that
 * runs in the browser (div.cell.mg-run) and embeds the page's plan (script#mg-cells): each
 * such cell's source, exactly the notebook's, the earlier cells it needs, and, for an
 * exercise, its id. Here each of those cells gets:
 *   Run     (Check, for an exercise) runs the cell's code in the code worker (runtime.js's
 *           MicrogptLive.run: Python in a worker of its own, one namespace per chapter), first
 *           running, once, the earlier cells it needs, as "run all above" would, and shows what
 *           Jupyter would: printed text, the last expression's value, or a short traceback;
 *   Edit    the listing becomes an editor (CodeMirror, live/editor.mjs: loaded on the first
 *           Edit, never before); Shift+Enter or Ctrl+Enter in it runs the cell;
 *   Reset   (once edited) asks, then brings back the book's code and output;
 *   Stop    (after STOP_AFTER_MS of running) ends the code worker; so does TIME_LIMIT_MS. The
 *           next run starts a fresh one and says so. The widgets' worker is another: it goes on.
 * A reader's edits are kept in the browser (localStorage) until Reset; a reload restores them;
 * storage that is full or disabled is said, not ignored. Exercises passed (microgpt.exercises
 * .check, reported by the run) are remembered too (MicrogptLive.progress): a badge on the
 * exercise, a line before the chapter's first exercise, and the landing page's list, which
 * has "Clear my progress".
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;
  if (!live) return;  // runtime.js did not load: the static page stays as it is
  var here = document.currentScript && document.currentScript.src;
  var BASE = new URL(".", here || document.baseURI);  // .../live/
  var STOP_AFTER_MS = 2000;     // a run this long shows Stop
  var SHOWN_LIMIT = 20000;      // characters shown per output block (microgpt.cells caps what it sends)
  var EDIT_KEY = "microgpt-book:edit:";
  var PASSED_KEY = "microgpt-book:passed";
  var RESTARTED = "Python was stopped: the variables of this chapter's cells are gone. The next Run " +
                  "starts Python afresh and first runs again the cells above that a cell needs.";  // = runtime.js

  var plan = null;              // {chapter, cells: {index: {source, needs, hidden, exercise}}}
  var byIndex = {};             // index -> the cell's controller
  var ran = new Set();          // cells run in the current code worker
  var ranGeneration = 0;        // that worker's generation (runtime.js counts code workers)
  var running = null;           // the controller whose run is under way (one at a time)
  var opts = { timeLimitMs: 60000 };  // tests may shorten it (MicrogptLive.cells.options)

  /* ------------------------------------------------------------ storage */
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /* Save value under key (null removes it); a message if the browser would not keep it. */
  function save(key, value, what) {
    var s = storage();
    if (!s) return "This browser does not let the page keep " + what + " (its storage is disabled): " +
                   "it stays until you leave or reload the page.";
    try {
      if (value === null) s.removeItem(key); else s.setItem(key, value);
      return null;
    } catch (e) {
      return "Could not save " + what + ": this browser's storage for the book is full (" +
             ((e && e.name) || e) + "). It stays until you leave or reload the page; resetting cells " +
             "you no longer need frees space.";
    }
  }

  function load(key) {
    var s = storage();
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }

  /* A short fingerprint of a cell's code (FNV-1a): an edit is kept for the cell as the book
     had it, so that a new edition of the book never puts it on another cell. */
  function fingerprint(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h.toString(16);
  }

  var progress = {
    passed: function () {
      try { return JSON.parse(load(PASSED_KEY) || "{}") || {}; } catch (e) { return {}; }
    },
    record: function (id) {
      var p = progress.passed();
      if (p[id]) return null;
      p[id] = new Date().toISOString().slice(0, 10);
      return save(PASSED_KEY, JSON.stringify(p), "your progress");
    },
    clear: function () { return save(PASSED_KEY, null, "your progress"); }
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
    this.key = EDIT_KEY + plan.chapter + ":" + index + ":" + fingerprint(spec.source);
    this.editor = null;
    this.pre = listing(el);
    this.committed = el.querySelector(":scope > .cell_output, :scope > details > .cell_output");
    var saved = load(this.key);
    this.text = saved !== null ? saved : spec.source;
    this.build();
    if (this.text !== spec.source) this.showEdited();
  }

  Cell.prototype.edited = function () { return this.source() !== this.spec.source; };

  Cell.prototype.source = function () {
    return this.editor ? this.editor.getValue() : this.text;
  };

  Cell.prototype.build = function () {
    var self = this;
    var bar = this.bar = live.el("div", "mg-cell-bar");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", this.spec.exercise ? "Exercise " + this.spec.exercise : "Code cell");
    var label = this.spec.exercise ? "Check" : "Run";
    this.runButton = live.button(label, "mg-cell-run");
    this.runButton.title = (this.spec.exercise ? "Run your code and the exercise's tests" : "Run this code") +
                           " in your browser (Shift+Enter in the editor)";
    this.editButton = live.button("Edit", "mg-secondary mg-cell-edit");
    this.editButton.title = "Edit this code (your edit is kept in this browser)";
    this.resetButton = live.button("Reset", "mg-secondary mg-cell-reset");
    this.resetButton.title = "Go back to the book's code";
    this.resetButton.hidden = true;
    this.stopButton = live.button("Stop", "mg-cell-stop");
    this.stopButton.title = "Stop this code (Python restarts on the next Run)";
    this.stopButton.hidden = true;
    this.status = live.el("div", "mg-cell-live");  // runtime.js's loading line and failures
    this.note = live.el("span", "mg-cell-note");
    this.note.setAttribute("role", "status");
    this.badge = live.el("span", "mg-cell-badge");
    this.badge.hidden = true;
    bar.append(this.runButton, this.editButton, this.resetButton, this.stopButton, this.badge, this.note,
               this.status);
    this.out = live.el("div", "mg-cell-out");
    this.out.hidden = true;
    var input = this.el.querySelector(".cell_input");
    input.after(bar);
    bar.after(this.out);
    this.runButton.addEventListener("click", function () { self.run(); });
    this.editButton.addEventListener("click", function () { self.edit(); });
    this.resetButton.addEventListener("click", function () { self.askReset(); });
    this.stopButton.addEventListener("click", function () {
      live.stopCode("Stopped by you. " + RESTARTED);
      self.runButton.focus();
    });
    this.showPassed();
  };

  Cell.prototype.say = function (text, kind) {
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
    if (this.loading) return this.loading;
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus to the page
    // before the editor takes it (this.loading already refuses a second press)
    this.editButton.setAttribute("aria-disabled", "true");
    this.say("Loading the editor\u2026", "loading");
    this.loading = import(new URL("editor.mjs", BASE).href).then(function (mod) {
      var holder = live.el("div", "mg-cell-editor");
      var shown = self.pre.closest(".highlight") || self.pre;
      shown.after(holder);
      shown.hidden = true;
      self.editor = mod.createEditor(holder, {
        doc: self.text,
        label: "Code of this cell. Shift+Enter runs it; Escape, then Tab, leaves the editor.",
        onRun: function () { self.run(); },
        onChange: function (text) { self.changed(text); }
      });
      self.editButton.hidden = true;
      self.say("");
      self.editor.focus();
    }, function (err) {
      self.loading = null;
      self.editButton.removeAttribute("aria-disabled");
      self.say("The editor could not load (live/editor.mjs: " + ((err && err.message) || err) +
               "): check your connection and click Edit again.", "error");
    });
    return this.loading;
  };

  /* The reader's text changed (the editor, or a test): keep it, saved after a pause. */
  Cell.prototype.changed = function (text) {
    var self = this;
    this.text = text;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(function () { self.flush(); }, 300);
    if (text !== this.spec.source) this.showEdited();
  };

  Cell.prototype.flush = function () {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    var problem = save(this.key, this.text === this.spec.source ? null : this.text, "your edit");
    if (problem) this.say(problem, "error");
    else if (this.note.dataset.kind === "error" && /save|keep/.test(this.note.textContent)) this.say("");
  };

  Cell.prototype.askReset = function () {
    var self = this;
    if (this.confirming) { this.confirming.querySelector("button").focus(); return; }
    var box = this.confirming = live.el("span", "mg-cell-confirm");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Confirm reset");
    var q = live.el("span", null, "Discard your edit and bring back the book's code?");
    var no = live.button("Keep my edit", "mg-secondary mg-cell-keep");
    var yes = live.button("Discard my edit", "mg-cell-discard");
    box.append(q, no, yes);
    this.resetButton.after(box);
    no.focus();
    function close() { box.remove(); self.confirming = null; }
    no.addEventListener("click", function () { close(); self.resetButton.focus(); });
    yes.addEventListener("click", function () { close(); self.reset(); self.runButton.focus(); });
  };

  Cell.prototype.reset = function () {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    var problem = save(this.key, null, "your reset");
    this.text = this.spec.source;
    if (this.editor) this.editor.setValue(this.spec.source);
    else if (this.pre) this.pre.textContent = this.spec.source;
    clearTimeout(this.saveTimer);  // setValue reported the change: nothing left to save
    this.saveTimer = null;
    this.resetButton.hidden = true;
    this.el.classList.remove("mg-edited");
    this.out.hidden = true;
    if (this.committed) this.committed.hidden = false;
    this.say(problem || "Back to the book's code.", problem ? "error" : "");
  };

  Cell.prototype.showPassed = function () {
    var when = this.spec.exercise && progress.passed()[this.spec.exercise];
    this.badge.hidden = !when;
    this.badge.textContent = when ? "\u2713 passed (" + when + ")" : "";
  };

  function block(cls, text) {
    var pre = live.el("pre", cls);
    pre.textContent = text.length > SHOWN_LIMIT ? text.slice(0, SHOWN_LIMIT) : text;
    return pre;
  }

  /* What Jupyter would show for one run: printed text, the value, or the traceback; then the
     exercise verdicts, which count as progress unless they come from the book's own solution. */
  Cell.prototype.show = function (r, label) {
    var self = this;
    this.out.replaceChildren(live.el("p", "mg-cell-out-label", label || "Output, computed in your browser:"));
    if (r.stdout) this.out.appendChild(block("mg-cell-stdout", r.stdout));
    if (r.cut) this.out.appendChild(live.el("p", "mg-cell-cut", "\u2026 output cut here: " +
      r.cut.toLocaleString("en-US") + " more characters were printed than a cell shows."));
    if (r.value !== null && r.value !== undefined) this.out.appendChild(block("mg-cell-value", r.value));
    if (r.error) this.out.appendChild(block("mg-cell-error", r.error.traceback));
    if (!r.stdout && !r.cut && r.value == null && !r.error) {
      this.out.appendChild(live.el("p", "mg-cell-none", "(no output: the cell ran and printed nothing)"));
    }
    var theBooks = this.spec.hidden && !this.edited();
    (r.verdicts || []).forEach(function (v) {
      var text = v.passed ? "\u2713 Passed: " + v.title + "." : "\u2717 Not yet: " + v.title +
                 " (case " + (v.failed ? v.failed.case : "?") + " of " + v.cases + "; see above).";
      if (v.passed && theBooks) text += " (This is the book's solution: your own code in the exercise counts.)";
      self.out.appendChild(live.el("p", "mg-verdict " + (v.passed ? "mg-pass" : "mg-fail"), text));
      if (v.passed && !theBooks) {
        var problem = progress.record(v.id);
        if (problem) self.say(problem, "error");
        updateProgress();
      }
    });
    this.out.hidden = false;
    if (this.committed) this.committed.hidden = true;
  };

  Cell.prototype.showFailure = function (message) {
    this.out.replaceChildren(live.el("p", "mg-cell-out-label", "The cell did not finish:"));
    var p = live.el("p", "mg-error", message);
    p.setAttribute("role", "alert");
    this.out.appendChild(p);
    this.out.hidden = false;
    if (this.committed) this.committed.hidden = true;
  };

  /* One run at a time: the Run buttons say they are unavailable (aria-disabled, not disabled:
     the button the reader just pressed keeps the keyboard focus), and run() refuses. */
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
    if (running) {
      if (running !== this) this.say("Another cell is running: wait for it, or stop it.", "");
      return Promise.resolve(null);
    }
    this.flush();
    setRunning(this);
    var started = null;  // when Python (started) began on this run: loading does not count
    var ticker = setInterval(function () {
      var ms = started === null ? 0 : performance.now() - started;
      if (ms < STOP_AFTER_MS) return;
      self.stopButton.hidden = false;
      self.say("Still running (" + Math.floor(ms / 1000) + " s)\u2026 Stop ends it.", "loading");
    }, 250);
    function runOne(cell, label) {
      return live.run(plan.chapter, cell.source(), "cell " + cell.index,
                      { el: self.status, timeLimit: opts.timeLimitMs }).then(function (r) {
        ran.add(cell.index);
        cell.show(r, label);
        return r;
      });
    }
    this.say("Running\u2026", "loading");
    var restarted = false;
    var done = live.readyCode(this.status).then(function (generation) {
      started = performance.now();
      if (generation !== ranGeneration) {
        restarted = ranGeneration > 0;
        ran = new Set();
        ranGeneration = generation;
      }
      var todo = self.spec.needs.filter(function (i) { return !ran.has(i) && byIndex[i]; });
      var chain = Promise.resolve(null);
      todo.forEach(function (i, n) {
        chain = chain.then(function (failed) {
          if (failed) return failed;
          self.say("Running first the cells above it needs (" + (n + 1) + " of " + todo.length + ")\u2026",
                   "loading");
          return runOne(byIndex[i], "Output, computed in your browser (run first, for a cell below):")
            .then(function (r) { return r.error ? byIndex[i] : null; });
        });
      });
      return chain.then(function (failed) {
        if (failed) {
          self.showFailure("Cell " + failed.index + " above, which this one needs, raised an error (see its " +
                           "output): fix or reset it, then run this cell again.");
          failed.el.scrollIntoView({ block: "nearest" });
          return null;
        }
        if (todo.length) self.say("Running\u2026", "loading");  // else it still says so: announced once
        var t0 = performance.now();
        return runOne(self).then(function (r) { r.ms = performance.now() - t0; r.needed = todo.length; return r; });
      });
    });
    return done.then(function (r) {
      var text = "";
      if (r) {
        text = "Ran in " + Math.round(r.ms) + " ms" +
               (r.needed ? ", after " + r.needed + " cell" + (r.needed > 1 ? "s" : "") + " above it needs" : "") + ".";
        if (restarted) text = "Python started afresh. " + text;
      }
      self.say(text);
      return r;
    }, function (err) {
      self.say(err.runtime ? "Stopped." : "");
      self.showFailure(err.message);
      return null;
    }).then(function (r) {
      clearInterval(ticker);
      self.stopButton.hidden = true;
      setRunning(null);
      return r;
    });
  };

  /* ------------------------------------------------------------ progress */
  /* The marks of passed exercises: each chapter's line, and the landing page's list. */
  function updateProgress() {
    var passed = progress.passed();
    Object.keys(byIndex).forEach(function (i) { byIndex[i].showPassed(); });
    document.querySelectorAll(".mg-progress-summary[data-exercises]").forEach(function (p) {
      var ids = p.dataset.exercises.split(" ").filter(Boolean);
      var n = ids.filter(function (id) { return passed[id]; }).length;
      p.textContent = "Your progress in this browser: " + n + " of " + ids.length + " exercises of this " +
                      "chapter passed" + (n === ids.length ? ". All done!" : ".") +
                      " (Write the code in each exercise cell, then Check.)";
      p.classList.toggle("mg-done", n === ids.length);
      p.hidden = false;
    });
    document.querySelectorAll(".mg-progress-list li[data-exercise]").forEach(function (li) {
      var when = passed[li.dataset.exercise];
      li.classList.toggle("mg-done", !!when);
      var mark = li.querySelector(".mg-progress-mark");
      if (mark) mark.textContent = when ? "\u2713 passed " + when : "not yet";
    });
  }
  live.updateProgress = updateProgress;

  /* The landing page's list: a Clear button (made here: without this script there is no
     progress to clear), which asks first. */
  function initProgressList() {
    document.querySelectorAll(".mg-progress-list").forEach(function (list) {
      if (list.querySelector(".mg-progress-clear")) return;
      var status = live.el("p", "mg-progress-status");
      status.setAttribute("role", "status");
      var clear = live.button("Clear my progress", "mg-secondary mg-progress-clear");
      var bar = live.el("div", "mg-cell-bar");
      clear.addEventListener("click", function () {
        if (bar.querySelector(".mg-cell-confirm")) return;
        var box = live.el("span", "mg-cell-confirm");
        var no = live.button("Keep it", "mg-secondary mg-cell-keep");
        var yes = live.button("Clear it", "mg-cell-discard");
        box.append(live.el("span", null, "Forget every exercise you passed, in this browser?"), no, yes);
        clear.after(box);
        no.focus();
        no.addEventListener("click", function () { box.remove(); clear.focus(); });
        yes.addEventListener("click", function () {
          box.remove();
          var problem = progress.clear();
          updateProgress();
          status.textContent = problem || "Cleared: no exercise is marked as passed in this browser.";
          clear.focus();
        });
      });
      bar.append(clear, status);
      list.appendChild(bar);
    });
  }

  function init() {
    initProgressList();
    var data = document.getElementById("mg-cells");
    if (data) {
      plan = JSON.parse(data.textContent);
      Object.keys(plan.cells).forEach(function (i) {
        var el = document.querySelector("div.cell.mg-run.mg-cell-" + i);
        if (el && listing(el)) byIndex[i] = new Cell(el, Number(i), plan.cells[i]);
      });
      // an edit typed just before leaving is saved now, not lost with its timer
      window.addEventListener("pagehide", function () {
        Object.keys(byIndex).forEach(function (i) { byIndex[i].flush(); });
      });
    }
    updateProgress();
  }

  // For tests and the console: run cell i (as edited, if it is) and resolve to its result.
  live.cells = {
    run: function (i) { return byIndex[i].run(); },
    indices: function () { return Object.keys(byIndex).map(Number); },
    get: function (i) { return byIndex[i]; },
    options: opts
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
