// Run Python code in the book's vendored Pyodide under Node, with the microgpt
// package files that the HTML book serves to its Web Worker.
//
//   node run_in_pyodide.mjs PYODIDE_DIR PACKAGE_DIR CODE FILE...
//
// The FILEs (paths relative to PACKAGE_DIR, e.g. "model.py", "names.txt") are
// written into Pyodide's in-memory file system as the package `microgpt`, just
// as book/_extra/live/worker.js does in the browser; CODE then runs with that
// package importable. The program's stdout is passed through byte for byte;
// timings go to stderr as "pyodide-timing: {...json...}".
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, packageDir, code, ...files] = process.argv.slice(2);
if (!pyodideDir || !packageDir || code === undefined || files.length === 0) {
  console.error("usage: node run_in_pyodide.mjs PYODIDE_DIR PACKAGE_DIR CODE FILE...");
  process.exit(2);
}

const t0 = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + path.sep });
const tLoaded = performance.now();

const home = "/home/pyodide/site";
pyodide.FS.mkdirTree(home + "/microgpt");
for (const name of files) {
  pyodide.FS.writeFile(`${home}/microgpt/${name}`, readFileSync(path.join(packageDir, name)));
}
pyodide.setStdout({ write: (buf) => { process.stdout.write(buf); return buf.length; } });
pyodide.setStderr({ write: (buf) => { process.stderr.write(buf); return buf.length; } });
pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(home)})`);

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
