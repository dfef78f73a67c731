/* microgpt live: the Web Worker that runs the microgpt package in Pyodide.
 *
 * Started by runtime.js the first time a reader asks for a live result (never on
 * page load). It loads the book's own copy of Pyodide (../vendor/pyodide/,
 * vendored from npm by scripts/vendor_js.sh), writes the package's files listed
 * in microgpt/manifest.json (copied there by book/_ext/microgpt_live.py) into
 * Pyodide's file system, and then answers messages from the page:
 *
 *   {type: "call",   id, fn, kwargs}  -> {type: "result", id, value}
 *   {type: "stream", id, fn, kwargs}  -> {type: "item", id, value}... {type: "done", id}
 *   {type: "stop",   id}                       ends a stream between two items
 *   any failure                                -> {type: "error", id, message, pyType}
 *
 * fn is a function the widget declaration names ("explore.tokens_state"; see
 * microgpt/widgets.py); the package's own bridge module (microgpt/bridge.py) makes the
 * call and refuses anything else.
 *
 * Python runs here, off the page's main thread, so a 1000-step training run never
 * freezes the page. Values cross as JSON made by Python's json module, so floats
 * arrive exactly as CPython computed them.
 */
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";

const PYODIDE_URL = new URL("../vendor/pyodide/", import.meta.url).href;
const PACKAGE_URL = new URL("microgpt/", import.meta.url).href;
const SITE = "/home/pyodide/site";

let bridge = null;
const stopped = new Set();

async function start() {
  const t0 = performance.now();
  const pyodide = await loadPyodide({ indexURL: PYODIDE_URL });
  // The manifest is revalidated on every start; each file is fetched by its hash,
  // so a reader's cache never mixes the package files of two builds.
  const manifest = await (await fetch(PACKAGE_URL + "manifest.json", { cache: "no-cache" })).json();
  pyodide.FS.mkdirTree(SITE + "/microgpt");
  await Promise.all(Object.entries(manifest.files).map(async ([name, meta]) => {
    const res = await fetch(PACKAGE_URL + name + "?v=" + meta.sha256.slice(0, 16));
    if (!res.ok) throw new Error(`could not fetch microgpt/${name} (HTTP ${res.status})`);
    pyodide.FS.writeFile(`${SITE}/microgpt/${name}`, new Uint8Array(await res.arrayBuffer()));
  }));
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(SITE)})`);
  // Import here, not in the first call, so that a broken package fails the start.
  bridge = pyodide.pyimport("microgpt.bridge");
  return { ms: Math.round(performance.now() - t0), python: pyodide.runPython("import sys; sys.version.split()[0]"), pyodide: pyodide.version };
}

const ready = start();

function reply(id, answer) {
  const r = JSON.parse(answer);
  if ("error" in r) postMessage({ type: "error", id, message: r.error, pyType: r.type });
  return r;
}

// Let messages (a stop) in between two items of a stream.
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
  if (msg.type === "stop") { stopped.add(msg.id); return; }
  let info;
  try {
    info = await ready;
  } catch (err) {
    postMessage({ type: "error", id: msg.id, message: "Python could not start: " + (err && err.message || err), fatal: true });
    return;
  }
  if (msg.type === "hello") {
    postMessage({ type: "ready", id: msg.id, value: info });
  } else if (msg.type === "call") {
    const r = reply(msg.id, bridge.call(msg.fn, JSON.stringify(msg.kwargs || {})));
    if (!("error" in r)) postMessage({ type: "result", id: msg.id, value: r.value });
  } else if (msg.type === "stream") {
    await runStream(msg);
  }
};
