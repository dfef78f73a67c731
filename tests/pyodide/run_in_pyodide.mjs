// Run Python code in the book's vendored Pyodide under Node, with the microgpt
// package files that the HTML book serves to its Web Worker.
//
//   node run_in_pyodide.mjs PYODIDE_DIR PACKAGE_DIR CODE FILE...
//
// The FILEs (paths relative to PACKAGE_DIR, e.g. "model.py", "names.txt") are
// loaded by the book's own start-up (book/_extra/live/boot.mjs, which the browser's
// worker.js uses too): written into Pyodide's file system as the package `microgpt`,
// with microgpt.bridge imported. CODE then runs with that package importable. The
// program's stdout is passed through byte for byte; timings go to stderr as
// "pyodide-timing: {...json...}".
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startMicrogpt } from "../../book/_extra/live/boot.mjs";

const [pyodideDir, packageDir, code, ...names] = process.argv.slice(2);
if (!pyodideDir || !packageDir || code === undefined || names.length === 0) {
  console.error("usage: node run_in_pyodide.mjs PYODIDE_DIR PACKAGE_DIR CODE FILE...");
  process.exit(2);
}

const t0 = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const { pyodide } = await startMicrogpt({
  loadPyodide,
  indexURL: path.resolve(pyodideDir) + path.sep,
  manifest: { files: Object.fromEntries(names.map((name) => [name, {}])) },
  files: async (name) => readFileSync(path.join(packageDir, name)),
});
const tLoaded = performance.now();

pyodide.setStdout({ write: (buf) => { process.stdout.write(buf); return buf.length; } });
pyodide.setStderr({ write: (buf) => { process.stderr.write(buf); return buf.length; } });

let status = 0;
try {
  pyodide.runPython(code);
} catch (err) {
  console.error(String(err));
  status = 1;
}
const tDone = performance.now();
console.error("pyodide-timing: " + JSON.stringify({
  version: pyodide.version,
  load_ms: Math.round(tLoaded - t0),
  run_ms: Math.round(tDone - tLoaded),
}));
process.exit(status);
