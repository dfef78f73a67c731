/* microgpt live: the page side of the live widgets (see book/_ext/microgpt_live.py).
 *
 *   MicrogptLive.register(KIND, init)   init(rootEl, w) once per <div class="mg-live" data-widget="KIND">;
 *                                       w is the widget's side of the contract declared in
 *                                       microgpt/widgets.py, resolved by the build and embedded in
 *                                       the div (script.mg-live-spec):
 *     w.state                           the build's first state (the "state" call's result), or null
 *     w.args(name)                      a copy of call NAME's arguments (declared defaults + data-args)
 *     w.ask(name, overrides, show, fail)  call NAME: latest-only and coalescing (one request in
 *                                       flight, at most one waiting; show() gets only the newest answer)
 *     w.call(name, overrides)           -> Promise of the value
 *     w.stream(name, overrides, onItem) -> {stop(), done}: iterate a streaming call
 *     w.status(text, kind)              the widget's status line
 *   Widgets name their calls ("state", "train"), never a Python function: the declaration
 *   does, and the worker's bridge (microgpt.bridge) calls nothing it does not declare.
 *
 * Python (Pyodide + the package's own .py files) runs in a Web Worker (worker.js),
 * started on the first call or stream, never on page load: until the reader asks
 * for a live result the page has loaded none of it. While it starts, the widget shows
 * a loading note (aria-busy). A Python exception rejects with Error(str(exception)),
 * err.pyType its class name.
 *
 * The runtime fails loudly and recovers. A start that fails (a file missing or served
 * with the wrong type, the worker script not loading: reported by the worker or the
 * browser at once) or stalls (nothing arrives for WATCHDOG_MS; the worker says "beat" while it
 * computes with every file downloaded, so a slow machine is not taken for a stall), and a worker that dies
 * or stops answering once started (terminated, crashed, out of memory: it answers no
 * ping for WATCHDOG_MS), end the same way: the worker is terminated, every pending
 * call and stream rejects with an Error whose message names what failed and what to
 * do (err.runtime = true), each widget concerned shows that message in its status line
 * with a Retry button, and the next use (or Retry) starts a fresh worker. A w.ask
 * that the runtime could not answer is kept and asked again once Python is back.
 *
 * The chapters' runnable code cells (cells.js) use a second worker, role "code", started on
 * their first Run: MicrogptLive.run(key, source, name, {el, timeLimit}) runs a cell there
 * (microgpt.cells.run), readyCode(el) starts it, stopCode(message) ends it. A reader's code
 * never runs in the widgets' worker, so it can neither stop nor change what they compute. A
 * code worker ended on purpose (Stop, the cell's time limit) or crashed by a cell rejects the
 * run with a message and offers no Retry: the next Run starts a fresh worker.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var BASE = new URL(".", here || document.baseURI);  // .../live/
  var PYODIDE_MB = 13.5;  // what the first start downloads (vendor/pyodide), shown to the reader
  var WATCHDOG_MS = 15000;  // silence that ends a start (no byte arrives) or a worker (no pong)
  var START_LIMIT_MS = 60000;  // downloads done, still computing after this (even if alive): failed
  var RETRY = "check your connection and retry";
  var DEAD = "Python stopped: the worker running it ended or stopped answering " +
             "(it may have run out of memory). Retry starts it again.";

  var CODE_GONE = "The variables of this chapter's cells are gone. The next Run starts Python afresh " +
                  "and first runs again the cells above that a cell needs.";

  var registry = {};
  // The current workers, by role, and their state (startRuntime); null: start one on next use.
  // "widgets" answers the live widgets' declared calls; "code" runs the reader's code cells
  // (cells.js): a worker of its own, so that nothing a reader runs (a loop that never ends,
  // a changed package function) can stop or change what the widgets compute.
  var runtimes = { widgets: null, code: null };
  var nextId = 1;
  var generation = 0;    // how many code workers have started (each has fresh namespaces)
  var resumers = [];     // widgets' callbacks run each time Python has started

  var live = window.MicrogptLive || {};
  live.timings = { workerStart: null, ready: null, firstResult: null };

  function status(el, text, kind) {
    if (!el) return null;
    var s = el.querySelector(":scope > .mg-live-status");
    if (!s) {
      s = document.createElement("p");
      s.className = "mg-live-status";
      s.setAttribute("role", "status");
      s.setAttribute("aria-live", "polite");
      el.appendChild(s);
    }
    // A screen reader hears each new note once: the loading note's progress (its MB count,
    // many times a second) is shown but not announced again (aria-live off while it repeats).
    var again = kind === "loading" && s.dataset.kind === "loading" && !s.hidden;
    s.setAttribute("aria-live", again ? "off" : "polite");
    s.textContent = text || "";
    s.hidden = !text;
    s.dataset.kind = kind || "";
    return s;
  }

  /* Two counters on the element a request is for (a widget; a code cell's bar), for the
     accessibility checks (tests/browser/a11y_support.py), which operate every control with the
     keyboard and must know when what it asked for has arrived: data-live-pending, the requests
     under way, and data-live-results, the results (and stream items) Python computed for it. */
  function count(el, name, by) {
    if (el) el.dataset[name] = String(Number(el.dataset[name] || 0) + by);
  }

  function runtimeError(message) {
    var err = new Error(message);
    err.runtime = true;
    return err;
  }

  function loadingText(r) {
    var mb = r.loaded ? (r.loaded / 1e6).toFixed(1) + " of " + PYODIDE_MB : String(PYODIDE_MB);
    return "Loading Python in your browser (" + mb + " MB, once per visit)\u2026";
  }

  /* A runtime's failure in a widget: the message, a Retry button, not busy any more. */
  function showFailure(el, err, role) {
    var s = status(el, err.message, "error");
    el.removeAttribute("aria-busy");
    var b = el.querySelector(":scope > .mg-live-retry");
    if (!b) {
      b = live.el("button", "mg-live-retry", "Retry");
      b.type = "button";
      b.addEventListener("click", function () {
        b.remove();
        status(el, "");
        ensureReady(el, role).catch(function () { /* shown by showFailure */ });
      });
    }
    b.dataset.role = role;
    s.after(b);
  }

  /* The end of a worker (a failed or stalled start, a dead or hung worker): see the header.
     quiet: a code worker stopped on purpose (the reader's Stop, a cell's time limit): its
     pending run rejects with the message, which cells.js shows; no Retry is offered (the
     next Run starts a fresh worker). */
  function end(r, message, quiet) {
    if (r.over) return;
    r.over = true;
    clearInterval(r.timer);
    try { r.worker && r.worker.terminate(); } catch (e) { /* already gone */ }
    if (runtimes[r.role] === r) runtimes[r.role] = null;
    var err = runtimeError(message);
    live.lastFailure = { message: message, at: performance.now() };
    r.reject(err);
    var els = new Set(r.els);
    Object.keys(r.pending).forEach(function (id) {
      var p = r.pending[id];
      delete r.pending[id];
      count(p.el, "livePending", -1);
      if (p.el) els.add(p.el);
      p.reject(err);
    });
    err.stopped = !!quiet;
    if (!quiet) els.forEach(function (el) { showFailure(el, err, r.role); });
  }

  function onMessage(r, msg) {
    r.heard = performance.now();
    if (msg.type === "beat" && !r.beating) r.beating = r.heard;
    if (msg.type === "pong" || msg.type === "beat") return;
    if (msg.type === "progress") {
      r.loaded = msg.loaded;
      r.waitingFor = msg.waiting || [];
      if (r.waitingFor.length) r.beating = 0;
      r.els.forEach(function (el) { status(el, loadingText(r), "loading"); });
      return;
    }
    if (msg.type === "failed") { end(r, msg.message); return; }
    if (msg.type === "started") {
      r.started = true;
      live.timings.ready = performance.now();
      live.info = msg.info;
      r.els.forEach(function (el) { status(el, ""); el.removeAttribute("aria-busy"); });
      r.els = [];
      document.querySelectorAll('.mg-live-retry[data-role="' + r.role + '"]').forEach(function (b) {
        var el = b.parentNode;
        b.remove();
        var s = el.querySelector(":scope > .mg-live-status");
        if (s && s.dataset.kind === "error") status(el, "");
      });
      r.resolve(msg.info);
      if (r.role === "widgets") resumers.forEach(function (resume) { resume(); });
      return;
    }
    var p = r.pending[msg.id];
    if (!p) return;
    if (msg.type === "item" || msg.type === "result") count(p.el, "liveResults", 1);
    if (msg.type === "item") {
      if (live.timings.firstResult === null) live.timings.firstResult = performance.now();
      p.onItem(msg.value);
      return;
    }
    delete r.pending[msg.id];
    count(p.el, "livePending", -1);
    if (msg.type === "result" || msg.type === "done") {
      if (msg.type === "result" && live.timings.firstResult === null) live.timings.firstResult = performance.now();
      p.resolve(msg.type === "done" ? { stopped: !!msg.stopped } : msg.value);
    } else if (msg.type === "error") {
      if (msg.fatal) {
        r.pending[msg.id] = p;
        count(p.el, "livePending", 1);  // end() counts it down again
        // A code worker that a reader's cell crashed (its stack or memory exhausted) is
        // stopped like one that ran too long: cells.js says so; the next Run starts afresh.
        if (r.role === "code") end(r, msg.message + ". " + CODE_GONE, true); else end(r, msg.message);
        return;
      }
      var err = new Error(msg.message);
      err.pyType = msg.pyType || null;
      p.reject(err);
    }
  }

  /* Once a second: ping a started worker that has work; end a silent one. A code worker
     running a cell cannot answer pings (Python holds its thread): it is ended only by its
     cell's time limit (or the reader's Stop, live.stopCode). */
  function watch(r) {
    var now = performance.now();
    if (r.started && Object.keys(r.pending).length === 0) { r.heard = now; return; }  // idle
    if (r.started && r.role === "code") {
      Object.keys(r.pending).forEach(function (id) {
        var p = r.pending[id];
        if (p.deadline && now > p.deadline) end(r, p.timeUp, true);
      });
      return;
    }
    if (r.started) r.worker.postMessage({ type: "ping" });
    if (!r.started && r.beating && now - r.beating > START_LIMIT_MS) {  // alive (it beats) but never done
      end(r, "Python could not start within " + Math.round(START_LIMIT_MS / 1000) + " s (this device may " +
             "be busy, or a part of Python did not load): close other tabs, then retry.");
      return;
    }
    if (now - r.heard <= WATCHDOG_MS) return;
    var secs = Math.round(WATCHDOG_MS / 1000);
    if (r.started) { end(r, DEAD); return; }
    var what = r.waitingFor.length ? " (waiting for " + r.waitingFor.join(", ") + ")" : "";
    end(r, "Python could not start: nothing arrived for " + secs + " s" + what + ": " + RETRY);
  }

  function startRuntime(role) {
    var r = { role: role, worker: null, started: false, over: false, heard: performance.now(), loaded: 0,
              beating: 0,  // since when the worker beats: every file downloaded, still computing
              waitingFor: [], els: [], pending: {} };
    r.ready = new Promise(function (resolve, reject) { r.resolve = resolve; r.reject = reject; });
    r.ready.catch(function () { /* every waiting caller gets the rejection */ });
    live.timings.workerStart = performance.now();
    if (role === "code") generation += 1;  // a fresh namespace: cells.js runs what a cell needs again
    r.timer = setInterval(function () { watch(r); }, 1000);
    try {
      r.worker = new Worker(new URL("worker.js", BASE), { type: "module" });
    } catch (e) {
      setTimeout(function () { end(r, "Python could not start: this browser cannot run live/worker.js (" + e.message + ")"); }, 0);
      return r;
    }
    r.worker.onmessage = function (event) { onMessage(r, event.data); };
    r.worker.onmessageerror = function () { end(r, DEAD); };
    // The browser reports a worker script that does not load (or an uncaught error in it).
    r.worker.onerror = function (event) {
      if (event.preventDefault) event.preventDefault();
      end(r, r.started ? DEAD : "Python could not start: could not load the live runtime (live/worker.js" +
                                (event.message ? ": " + event.message : "") + "): " + RETRY);
    };
    return r;
  }

  /* The role's worker (started on first use), once Python and the package are loaded. */
  function ensureReady(el, role) {
    role = role || "widgets";
    if (!runtimes[role]) runtimes[role] = startRuntime(role);
    var r = runtimes[role];
    if (el && !r.started && r.els.indexOf(el) < 0) {
      r.els.push(el);
      status(el, loadingText(r), "loading");
      el.setAttribute("aria-busy", "true");
    }
    return r.ready.then(function () { return r; });
  }

  function post(r, msg, handlers) {
    msg.id = nextId++;
    if (r.over) { handlers.reject(runtimeError(DEAD)); return msg.id; }
    r.pending[msg.id] = handlers;
    count(handlers.el, "livePending", 1);
    r.worker.postMessage(msg);
    return msg.id;
  }

  // By declared function name ("explore.tokens_state"); widgets use w.call / w.stream.
  function callFn(fn, kwargs, opts) {
    var el = opts && opts.el;
    return ensureReady(el).then(function (r) {
      return new Promise(function (resolve, reject) {
        post(r, { type: "call", fn: fn, kwargs: kwargs || {} }, { resolve: resolve, reject: reject, el: el });
      });
    });
  }

  function streamFn(fn, kwargs, onItem, opts) {
    var el = opts && opts.el;
    var id = null, worker = null;
    var stopRequested = false;
    var done = ensureReady(el).then(function (r) {
      return new Promise(function (resolve, reject) {
        if (stopRequested) { resolve({ stopped: true }); return; }
        worker = r.worker;
        id = post(r, { type: "stream", fn: fn, kwargs: kwargs || {} },
                  { resolve: resolve, reject: reject, onItem: onItem, el: el });
      });
    });
    return {
      done: done,
      stop: function () {
        stopRequested = true;
        if (id !== null) worker.postMessage({ type: "stop", id: id });
      }
    };
  }

  /* Call fn() again when el's width changes (figures are drawn for the width they
     have: a phone rotated, a sidebar closed). */
  live.onResize = function (el, fn) {
    if (!window.ResizeObserver) return;
    var width = el.clientWidth, timer = null;
    new ResizeObserver(function () {
      if (el.clientWidth === width) return;
      width = el.clientWidth;
      clearTimeout(timer);
      timer = setTimeout(fn, 100);
    }).observe(el);
  };

  /* A box that scrolls sideways when its drawing is wider than the column (a phone): while
     it does, a keyboard must be able to reach and scroll it, so it is then a named Tab stop
     (as the theme does for wide code); when the drawing fits, it is no Tab stop at all. */
  live.scrollable = function (el, label) {
    function update() {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", label + " (scrolls sideways)");
      } else if (el.hasAttribute("tabindex")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
      }
    }
    if (window.ResizeObserver) new ResizeObserver(update).observe(el);
    update();
    return update;
  };

  /* Run a code cell's source in the code worker (microgpt.cells.run), in namespace key:
     -> Promise of {stdout, cut, value, error, verdicts}. opts: el (whose status line shows
     loading and failures), timeLimit (ms: then the worker is ended, with that message). */
  function runCode(key, source, name, opts) {
    opts = opts || {};
    return ensureReady(opts.el, "code").then(function (r) {
      return new Promise(function (resolve, reject) {
        var limit = opts.timeLimit || 60000;
        post(r, { type: "run", key: key, source: source, name: name || "cell" },
             { resolve: resolve, reject: reject, el: opts.el, deadline: performance.now() + limit,
               timeUp: "Stopped: the code ran for more than " + Math.round(limit / 1000) + " s (a loop " +
                       "that never ends?), so Python was stopped. " + CODE_GONE });
      });
    });
  }

  // For tests and the console: call a declared function by name ("explore.tokens_state").
  live.call = callFn;
  live.stream = streamFn;
  live.run = runCode;
  /* The code worker, started if need be (el shows the loading note): -> Promise of its
     generation, which changes each time a fresh worker (with fresh namespaces) starts. */
  live.readyCode = function (el) {
    return ensureReady(el, "code").then(function () { return generation; });
  };
  /* End the code worker now (the reader's Stop): its pending run rejects with message. */
  live.stopCode = function (message) {
    if (runtimes.code) end(runtimes.code, message, true);
  };
  live.status = status;
  live.isReady = function (role) { var r = runtimes[role || "widgets"]; return !!(r && r.started); };
  // For tests only (tests/browser/test_live_failures.py): a role's current Web Worker, or null,
  // so that a test can terminate it the way a crash would, without the runtime knowing.
  live._worker = function (role) { var r = runtimes[role || "widgets"]; return r && r.worker; };

  /* ------------------------------------------------------------ widgets */
  function readPayload(el) {
    var s = el.querySelector(":scope > script.mg-live-spec");
    if (!s) throw new Error("the page has no declaration for this widget (rebuild the book)");
    return JSON.parse(s.textContent);
  }

  function merged(base, overrides) {
    var out = {}, k;
    for (k in base) out[k] = base[k];
    for (k in overrides || {}) {
      if (!(k in base)) throw new Error("no argument " + JSON.stringify(k) + " in this widget's declaration");
      out[k] = overrides[k];
    }
    return out;
  }

  /* The widget's side of its declaration (see the header). */
  function widgetApi(el, payload) {
    var spec = payload.spec;
    function decl(name) {
      var c = spec.calls[name];
      if (!c) throw new Error("widget " + spec.kind + " declares no call " + JSON.stringify(name));
      return c;
    }
    var queues = {};  // call name -> {busy, waiting}
    var w = {
      kind: spec.kind,
      state: payload.state,
      args: function (name) { return merged(decl(name).args, {}); },
      call: function (name, overrides) {
        var c = decl(name);
        return callFn(c.fn, merged(c.args, overrides), { el: el });
      },
      stream: function (name, overrides, onItem) {
        var c = decl(name);
        return streamFn(c.fn, merged(c.args, overrides), onItem, { el: el });
      },
      ask: function (name, overrides, show, fail) {
        var q = queues[name] || (queues[name] = { busy: false, waiting: null, latest: 0 });
        q.waiting = { overrides: overrides, show: show, fail: fail, n: ++q.latest };
        pump(name, q);
      },
      status: function (text, kind) { return status(el, text, kind); }
    };
    // One request in flight per call; the newest waiting one goes next, older ones are dropped.
    function pump(name, q) {
      if (q.busy || !q.waiting) return;
      var r = q.waiting;
      q.waiting = null;
      q.busy = true;
      var answer;
      try {
        answer = w.call(name, r.overrides);
      } catch (err) {
        answer = Promise.reject(err);
      }
      answer.then(function (v) {
        if (r.n === q.latest) r.show(v);
        return true;
      }, function (err) {
        // The runtime failed (its status line says so, with Retry): keep the request for
        // when Python is back, unless a newer one is waiting.
        if (err.runtime) { if (!q.waiting) q.waiting = r; return false; }
        if (r.n === q.latest) r.fail(err);
        return true;
      }).then(function (goOn) {
        q.busy = false;
        if (goOn) pump(name, q);
      });
    }
    resumers.push(function () { Object.keys(queues).forEach(function (name) { pump(name, queues[name]); }); });
    return w;
  }

  function initWidgets() {
    var els = document.querySelectorAll("div.mg-live[data-widget]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var init = registry[el.dataset.widget];
      if (!init || el.dataset.mgLiveInit) continue;
      el.dataset.mgLiveInit = "1";
      try {
        init(el, widgetApi(el, readPayload(el)));
      } catch (err) {
        status(el, "This widget could not start: " + err.message, "error");
        if (window.console) console.error(err);
      }
    }
  }

  live.register = function (kind, init) {
    registry[kind] = init;
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", initWidgets);
    } else {
      initWidgets();
    }
  };

  // The widgets' one DOM helper: an element with an optional class and text.
  live.el = function (tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // The widgets' controls, built one way everywhere: a labelled range slider with its
  // readout, a labelled text box, the line that shows an error message, a button and a
  // drop-down list.
  live.slider = function (text, opts) {
    const label = live.el('label', 'mg-control', text + ' ');
    const input = live.el('input');
    input.type = 'range';
    input.min = String(opts.min);
    if (opts.max !== undefined) input.max = String(opts.max);
    input.step = String(opts.step);
    input.value = String(opts.value);
    input.setAttribute('aria-label', opts.aria || text);
    const readout = live.el('output', 'mg-readout', opts.readout !== undefined ? opts.readout : String(opts.value));
    label.append(input, readout);
    return { label: label, input: input, readout: readout };
  };

  live.textInput = function (text, value, aria) {
    const label = live.el('label', 'mg-control', text + ' ');
    const input = live.el('input');
    input.type = 'text';
    input.value = value;
    input.spellcheck = false;
    input.setAttribute('aria-label', aria);
    label.appendChild(input);
    return { label: label, input: input };
  };

  live.errorLine = function () {
    const p = live.el('p', 'mg-error');  // its colour: live.css
    p.setAttribute('role', 'alert');
    return p;
  };

  // A button (type "button": never submits anything), with its classes.
  live.button = function (text, cls) {
    const b = live.el('button', cls, text);
    b.type = 'button';
    return b;
  };

  // A labelled drop-down list of options (strings), one of them selected.
  live.select = function (text, options, value, aria) {
    const label = live.el('label', 'mg-control', text + ' ');
    const select = live.el('select');
    select.setAttribute('aria-label', aria || text);
    options.forEach(function (o) {
      const opt = live.el('option', null, o);
      opt.value = o;
      select.appendChild(opt);
    });
    select.value = value;
    label.appendChild(select);
    return { label: label, select: select };
  };

  /* ------------------------------------------------------------ state in the address
   * A widget may keep its state in the fragment of the page's address, so that a link opens
   * the page with the widget just so (a teacher sends one attention pattern to a class):
   *   04_gpt.html#attention=name:olivia,model:trained,pos:3
   *   06_inference.html#temperature=temperature:0.8&score=name:emma
   * live.fragment.get(kind)       -> {key: "text", ...}, or null when the address has no state for kind
   * live.fragment.set(kind, obj)  writes kind's part ({key: value}; null removes it), keeping the other
   *                               widgets' parts; history.replaceState: no scroll, no new history entry
   * live.fragment.watch(kind, fn) fn(state) when the reader changes the address's state for kind
   * Keys and values are URI-encoded (a value may hold any character). A fragment that is no widget
   * state (a section's anchor, "#1-the-data") is left alone until a widget writes its own. */
  var PART = /^([a-z][a-z0-9_]*)=(.*)$/;

  function fragmentParts() {
    var parts = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var m = PART.exec(part);
      if (!m) return;
      var obj = {};
      m[2].split(",").forEach(function (pair) {
        var i = pair.indexOf(":");
        if (i <= 0) return;
        try {
          obj[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1));
        } catch (e) { /* a malformed %-escape: that pair is ignored */ }
      });
      parts[m[1]] = obj;
    });
    return parts;
  }

  live.fragment = {
    get: function (kind) {
      var obj = fragmentParts()[kind];
      return obj && Object.keys(obj).length ? obj : null;
    },
    set: function (kind, obj) {
      var parts = fragmentParts();
      if (obj) parts[kind] = obj; else delete parts[kind];
      var text = Object.keys(parts).map(function (k) {
        return k + "=" + Object.keys(parts[k]).map(function (key) {
          return encodeURIComponent(key) + ":" + encodeURIComponent(String(parts[k][key]));
        }).join(",");
      }).join("&");
      var url = location.pathname + location.search + (text ? "#" + text : "");
      try { history.replaceState(history.state, "", url); } catch (e) { /* sandboxed page: no address */ }
    },
    watch: function (kind, fn) {
      window.addEventListener("hashchange", function () {
        var obj = live.fragment.get(kind);
        if (obj) fn(obj);
      });
    }
  };

  /* The reader's own model (trained, or opened, on the "your data" page), kept in this browser
     (localStorage, nothing is sent anywhere) for chapter 6's widgets, which offer it beside the
     book's: live.yourModel.get() -> {text: the checkpoint's JSON, label} or null;
     live.yourModel.set(model) -> true, or false when the browser will not keep it (storage
     full or switched off: the page says so; the model can still be downloaded). */
  var YOUR_MODEL = "microgpt-your-model";
  live.yourModel = {
    get: function () {
      try {
        var m = JSON.parse(localStorage.getItem(YOUR_MODEL) || "null");
        return m && typeof m.text === "string" ? m : null;
      } catch (e) { return null; }
    },
    set: function (model) {
      try {
        localStorage.setItem(YOUR_MODEL, JSON.stringify({ text: model.text, label: model.label }));
        return true;
      } catch (e) { return false; }
    }
  };

  /* Chapter 6's choice between the book's model and the reader's own (live.yourModel): a
     labelled drop-down, added to controls only when this browser keeps a model of the reader's.
     -> {checkpoint(): null (the book's model) or the reader's checkpoint text, onChange(fn)} */
  live.modelChoice = function (controls) {
    var mine = live.yourModel.get();
    var choice = { checkpoint: function () { return null; }, onChange: function () {} };
    if (!mine) return choice;
    var BOOK = "the book's model", YOURS = "your model (" + mine.label + ")";
    var s = live.select("model", [BOOK, YOURS], BOOK, "which model");
    s.label.classList.add("mg-model-choice");
    controls.appendChild(s.label);
    choice.checkpoint = function () { return s.select.value === YOURS ? mine.text : null; };
    choice.onChange = function (fn) { s.select.addEventListener("change", fn); };
    return choice;
  };

  window.MicrogptLive = live;
})();
