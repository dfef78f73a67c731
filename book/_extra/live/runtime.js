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
 * for a live result the page has loaded none of it. While it starts, `el` shows
 * a loading note. A Python exception rejects with Error(str(exception)).
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var BASE = new URL(".", here || document.baseURI);  // .../live/
  var PYODIDE_MB = 13.5;  // what the first start downloads (vendor/pyodide), shown to the reader

  var registry = {};
  var worker = null;
  var readyPromise = null;
  var nextId = 1;
  var pending = {};  // id -> {resolve, reject, onItem}

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
    s.textContent = text || "";
    s.hidden = !text;
    s.dataset.kind = kind || "";
    return s;
  }

  function onMessage(event) {
    var msg = event.data;
    var p = pending[msg.id];
    if (!p) return;
    if (msg.type === "item") {
      if (live.timings.firstResult === null) live.timings.firstResult = performance.now();
      p.onItem(msg.value);
      return;
    }
    delete pending[msg.id];
    if (msg.type === "result" || msg.type === "ready" || msg.type === "done") {
      if (msg.type === "result" && live.timings.firstResult === null) live.timings.firstResult = performance.now();
      p.resolve(msg.type === "done" ? { stopped: !!msg.stopped } : msg.value);
    } else if (msg.type === "error") {
      var err = new Error(msg.message);
      err.pyType = msg.pyType || null;
      err.fatal = !!msg.fatal;
      p.reject(err);
    }
  }

  function post(msg, handlers) {
    msg.id = nextId++;
    pending[msg.id] = handlers;
    worker.postMessage(msg);
    return msg.id;
  }

  /* Start the worker (once) and resolve when Python and the package are loaded. */
  function ensureReady(el) {
    if (!readyPromise) {
      live.timings.workerStart = performance.now();
      worker = new Worker(new URL("worker.js", BASE), { type: "module" });
      worker.onmessage = onMessage;
      readyPromise = new Promise(function (resolve, reject) {
        worker.onerror = function (e) {
          reject(new Error("Python could not start: " + (e.message || "worker error")));
        };
        post({ type: "hello" }, { resolve: resolve, reject: reject });
      }).then(function (info) {
        live.timings.ready = performance.now();
        live.info = info;
        return info;
      });
    }
    if (el && live.timings.ready === null) {
      status(el, "Loading Python in your browser (" + PYODIDE_MB + " MB, once per visit)\u2026", "loading");
      el.setAttribute("aria-busy", "true");
      readyPromise.then(function () {
        status(el, "");
        el.removeAttribute("aria-busy");
      }, function (err) {
        status(el, err.message, "error");
        el.removeAttribute("aria-busy");
      });
    }
    return readyPromise;
  }

  // By declared function name ("explore.tokens_state"); widgets use w.call / w.stream.
  function callFn(fn, kwargs, opts) {
    var el = opts && opts.el;
    return ensureReady(el).then(function () {
      return new Promise(function (resolve, reject) {
        post({ type: "call", fn: fn, kwargs: kwargs || {} }, { resolve: resolve, reject: reject });
      });
    });
  }

  function streamFn(fn, kwargs, onItem, opts) {
    var el = opts && opts.el;
    var id = null;
    var stopRequested = false;
    var done = ensureReady(el).then(function () {
      return new Promise(function (resolve, reject) {
        if (stopRequested) { resolve({ stopped: true }); return; }
        id = post({ type: "stream", fn: fn, kwargs: kwargs || {} },
                  { resolve: resolve, reject: reject, onItem: onItem });
      });
    });
    return {
      done: done,
      stop: function () {
        stopRequested = true;
        if (id !== null && worker) worker.postMessage({ type: "stop", id: id });
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

  // For tests and the console: call a declared function by name ("explore.tokens_state").
  live.call = callFn;
  live.stream = streamFn;
  live.status = status;
  live.isReady = function () { return live.timings.ready !== null; };

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
      }, function (err) {
        if (r.n === q.latest) r.fail(err);
      }).then(function () {
        q.busy = false;
        pump(name, q);
      });
    }
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

  window.MicrogptLive = live;
})();
