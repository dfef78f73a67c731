/* microgpt live: the Web Worker that runs the microgpt package in Pyodide.
 *
 * Started by runtime.js the first time a reader asks for a live result (never on
 * page load). It starts the book's own copy of Pyodide (../vendor/pyodide/, vendored
 * from npm by scripts/vendor_js.sh) with the package's files listed in
 * microgpt/manifest.json (copied there by book/_ext/microgpt_live.py), by the
 * start-up the Node tests use too (boot.mjs), and then answers messages from the page:
 *
 *   {type: "call",   id, fn, kwargs}  -> {type: "result", id, value}
 *   {type: "stream", id, fn, kwargs}  -> {type: "item", id, value}... {type: "done", id}
 *   {type: "stop",   id}                       ends a stream between two items
 *   {type: "run",    id, key, source, name} -> {type: "result", id, value}: a reader's code cell,
 *                                     run by microgpt.cells.run in namespace key (cells.js;
 *                                     the page sends these to a worker of their own)
 *   {type: "ping"}                    -> {type: "pong"} once started (runtime.js's watchdog)
 *   any failure                                -> {type: "error", id, message, pyType}
 * and, while it starts:
 *   {type: "progress", loaded, waiting}        bytes received so far, files still awaited
 *   {type: "beat"}                             once a second while nothing is being downloaded
 *                                              but the start is still computing (compiling the
 *                                              wasm, importing the package): alive, not stalled
 *   {type: "started", info}  or  {type: "failed", message}   exactly one of them
 *
 * fn is a function the widget declaration names ("explore.tokens_state"; see
 * microgpt/widgets.py); the package's own bridge module (microgpt/bridge.py) makes the
 * call and refuses anything else.
 *
 * Every start-up failure is reported at once and names the file: a download that
 * fails (HTTP error or network), pyodide.asm.wasm served with another type than
 * application/wasm (WebAssembly.instantiateStreaming then fails, and Pyodide waits
 * forever), a module that does not load. Nothing here is imported statically, so
 * that even a missing boot.mjs or pyodide.mjs is a message, not a dead worker.
 *
 * Python runs here, off the page's main thread, so a 1000-step training run never
 * freezes the page. Values cross as JSON made by Python's json module, so floats
 * arrive exactly as CPython computed them.
 */
const SITE_ROOT = new URL("../", import.meta.url).href;         // the book's top
const PYODIDE_URL = new URL("../vendor/pyodide/", import.meta.url).href;
const PACKAGE_URL = new URL("microgpt/", import.meta.url).href;

let bridge = null;
let cells = null;   // microgpt.cells, imported on the first code cell
let pyodide = null;
let failed = false;
const stopped = new Set();

// "vendor/pyodide/pyodide.asm.wasm": a file as the reader's site serves it.
const fileName = (url) => (String(url).startsWith(SITE_ROOT) ? String(url).slice(SITE_ROOT.length) : String(url))
  .split("?")[0];
const RETRY = "check your connection and retry";

function fail(message) {
  if (failed || bridge) return;
  failed = true;
  postMessage({ type: "failed", message: "Python could not start: " + message });
}

/* Every download of the start-up goes through here: it counts the bytes (the page's
   watchdog sees progress), and fails the start at once on an HTTP error, a network
   error, or WebAssembly served with the wrong type. */
const waiting = new Set();
let loaded = 0;
let lastProgress = 0;
function progress(force) {
  const now = performance.now();
  if (!force && now - lastProgress < 200) return;
  lastProgress = now;
  postMessage({ type: "progress", loaded, waiting: [...waiting] });
}

const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async function (input, init) {
  const url = typeof input === "string" ? input : input.url || String(input);
  const name = fileName(url);
  waiting.add(name);
  progress(true);
  let res;
  try {
    res = await realFetch(input, init);
  } catch (err) {
    waiting.delete(name);
    fail(`could not download ${name} (${(err && err.message) || "network error"}): ${RETRY}`);
    throw err;
  }
  if (!res.ok) {
    waiting.delete(name);
    fail(`could not download ${name} (HTTP ${res.status}): ${RETRY}`);
    return res;
  }
  const type = (res.headers.get("content-type") || "").split(";")[0].trim();
  if (name.endsWith(".wasm") && type !== "application/wasm") {
    waiting.delete(name);
    fail(`the site serves ${name} as "${type || "no type"}": WebAssembly must be served as application/wasm ` +
         "(a setting of the web server; tell the site's maintainer)");
    return res;
  }
  // Count the bytes on a copy, so the original (streamed into WebAssembly) is untouched.
  const counter = res.clone().body;
  if (counter) {
    (async () => {
      const reader = counter.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          loaded += value.byteLength;
          progress(false);
        }
      } catch (err) { /* the original response reports its own failure */ }
      waiting.delete(name);
      progress(true);
    })();
  } else {
    waiting.delete(name);
  }
  return res;
};

// A promise Pyodide drops while it starts (e.g. its own "Failed to load ...: request
// failed." for a missing file) fails the start, with its message, instead of going
// unnoticed while the start waits forever.
addEventListener("unhandledrejection", (event) => {
  if (bridge) return;
  event.preventDefault();
  fail((event.reason && event.reason.message) || String(event.reason));
});

async function importModule(url) {
  try {
    return await import(url);
  } catch (err) {
    throw new Error(`could not load ${fileName(url)} (${(err && err.message) || err}): ${RETRY}`);
  }
}

async function start() {
  const t0 = performance.now();
  const { startMicrogpt } = await importModule(new URL("boot.mjs", import.meta.url).href);
  const { loadPyodide } = await importModule(PYODIDE_URL + "pyodide.mjs");
  // The manifest is revalidated on every start; each file is fetched by its hash,
  // so a reader's cache never mixes the package files of two builds.
  const manifest = await (await fetch(PACKAGE_URL + "manifest.json", { cache: "no-cache" })).json();
  const started = await startMicrogpt({
    loadPyodide,
    indexURL: PYODIDE_URL,
    manifest,
    files: async (name, meta) => {
      const res = await fetch(PACKAGE_URL + name + "?v=" + meta.sha256.slice(0, 16));
      if (!res.ok) throw new Error(`could not download live/microgpt/${name} (HTTP ${res.status}): ${RETRY}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    phase: (what) => postMessage({ type: "progress", loaded, waiting: [...waiting], phase: what }),
  });
  bridge = started.bridge;
  pyodide = started.pyodide;
  return { ms: Math.round(performance.now() - t0), python: pyodide.runPython("import sys; sys.version.split()[0]"),
           pyodide: pyodide.version };
}

// On a slow or busy machine compiling Pyodide and importing the package can take longer
// than the runtime's silence watchdog, with every byte already downloaded: say "alive"
// meanwhile. A download that stalls still goes silent (no beat while a file is awaited).
const beat = setInterval(() => { if (waiting.size === 0 && !failed) postMessage({ type: "beat" }); }, 1000);
start().then(
  (info) => { clearInterval(beat); if (!failed) postMessage({ type: "started", info }); },
  (err) => { clearInterval(beat); fail((err && err.message) || String(err)); },
);

function reply(id, answer) {
  const r = JSON.parse(answer);
  if ("error" in r) postMessage({ type: "error", id, message: r.error, pyType: r.type });
  return r;
}

// Let messages (a stop, a ping) in between two items of a stream.
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function runStream(msg) {
  const { id } = msg;
  if (!("error" in reply(id, bridge.start(id, msg.fn, JSON.stringify(msg.kwargs || {}))))) {
    for (;;) {
      await tick();
      if (stopped.has(id)) { bridge.stop(id); stopped.delete(id); postMessage({ type: "done", id, stopped: true }); return; }
      const r = reply(id, bridge.step(id));
      if ("error" in r) return;
      if (r.done) { postMessage({ type: "done", id }); return; }
      postMessage({ type: "item", id, value: r.value });
    }
  }
}

onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "ping") { if (bridge) postMessage({ type: "pong" }); return; }
  if (msg.type === "stop") { stopped.add(msg.id); return; }
  if (!bridge) {  // runtime.js sends calls only after "started"
    postMessage({ type: "error", id: msg.id, message: "Python has not started", fatal: true });
    return;
  }
  try {
    if (msg.type === "call") {
      const r = reply(msg.id, bridge.call(msg.fn, JSON.stringify(msg.kwargs || {})));
      if (!("error" in r)) postMessage({ type: "result", id: msg.id, value: r.value });
    } else if (msg.type === "stream") {
      await runStream(msg);
    } else if (msg.type === "run") {
      if (!cells) cells = pyodide.pyimport("microgpt.cells");
      postMessage({ type: "result", id: msg.id, value: JSON.parse(cells.run(msg.key, msg.source, msg.name || "cell")) });
    }
  } catch (err) {
    // The bridge answers every Python exception itself: this is Pyodide failing (out of
    // memory, a fatal error). This worker is no use any more; the page starts another.
    const why = (err && err.message) || String(err);
    // A reader's cell (type "run") can crash Python where CPython would not: say why.
    const hint = msg.type !== "run" ? "" : /call stack/i.test(why)
      ? " (the browser's stack is much smaller than CPython's: something nested thousands of levels deep, " +
        "such as a very long chain of Values, can exhaust it)"
      : /memory/i.test(why) ? " (the browser gives Python far less memory than a computer has)" : "";
    postMessage({ type: "error", id: msg.id, message: "Python stopped: " + why + hint, fatal: true });
  }
};
