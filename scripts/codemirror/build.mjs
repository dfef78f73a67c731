// Bundle entry.mjs into one minified ES module, and write the licence file of what went into
// it (run by scripts/vendor_js.sh in a scratch copy of this folder, after npm ci).
//   node build.mjs OUT_DIR  ->  OUT_DIR/codemirror.mjs, OUT_DIR/LICENSE.txt
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const [out] = process.argv.slice(2);
const result = await build({
  entryPoints: [here + "entry.mjs"],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",   // the licences are in LICENSE.txt, one per bundled package
  outfile: out + "/codemirror.mjs",
  metafile: true,
  logLevel: "warning",
});

// Every npm package with code in the bundle (not merely read by esbuild), its version and
// its licence text.
const packages = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && bytesInOutput > 0) packages.add(m[1]);
  }
}
const parts = [];
for (const name of [...packages].sort()) {
  const dir = here + "node_modules/" + name + "/";
  const meta = JSON.parse(readFileSync(dir + "package.json", "utf8"));
  let text;
  for (const f of ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"]) {
    try { text = readFileSync(dir + f, "utf8"); break; } catch { /* next name */ }
  }
  if (!text) throw new Error(`${name}: no licence file`);
  parts.push(`${"=".repeat(78)}\n${name}@${meta.version} (${meta.license})\n${"=".repeat(78)}\n\n${text.trim()}\n`);
}
writeFileSync(out + "/LICENSE.txt",
  "The npm packages bundled into codemirror.mjs (scripts/codemirror/, scripts/vendor_js.sh),\n" +
  "each with its licence.\n\n" + parts.join("\n"));
console.log([...packages].sort().join(" "));
