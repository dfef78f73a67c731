/* microgpt live: the one Pyodide start-up, shared by the page's Web Worker
 * (book/_extra/live/worker.js, files fetched over HTTP) and the Node runner of the
 * tests (tests/pyodide/run_in_pyodide.mjs, files read from disk).
 *
 *   const { pyodide, bridge } = await startMicrogpt({
 *     loadPyodide,            // from the vendored pyodide.mjs
 *     indexURL,               // where pyodide.asm.wasm and python_stdlib.zip are
 *     manifest,               // {files: {"model.py": {...}, ...}}: live/microgpt/manifest.json
 *     files: async (name, meta) => Uint8Array,   // the bytes of one package file
 *     phase: (what) => {},    // optional: told "python", "package", "import" as start-up goes on
 *   });
 *
 * It starts Pyodide, writes the package's files into Pyodide's file system as the
 * package `microgpt` under SITE, puts SITE first on sys.path and imports
 * microgpt.bridge (the page's only way into the package): a package that does not
 * import fails the start, not the reader's first call.
 */
export const SITE = "/home/pyodide/site";

export async function startMicrogpt({ loadPyodide, indexURL, manifest, files, phase = () => {} }) {
  phase("python");
  const pyodide = await loadPyodide({ indexURL });
  phase("package");
  pyodide.FS.mkdirTree(`${SITE}/microgpt`);
  await Promise.all(Object.entries(manifest.files).map(async ([name, meta]) => {
    pyodide.FS.writeFile(`${SITE}/microgpt/${name}`, await files(name, meta));
  }));
  phase("import");
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(SITE)})`);
  const bridge = pyodide.pyimport("microgpt.bridge");
  return { pyodide, bridge };
}
