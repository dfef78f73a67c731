#!/usr/bin/env bash
# Refresh the JavaScript that the HTML book serves itself, so that built pages
# load no script, style or font from a CDN (the book must work offline).
#
# Source: the npm registry (`npm pack`), exact versions pinned below, each
# tarball checked against its pinned sha512 integrity (the value `npm view
# PKG@VERSION dist.integrity` prints) before anything is unpacked. Output:
# book/_extra/vendor/, which _config.yml publishes at <html root>/vendor/ via
# Sphinx's html_extra_path (NOT _static/: Jupyter Book v1 would add every .js
# found under _static/ to every page). The output is committed, with a
# SHA256SUMS file per package (tests/pyodide/ checks Pyodide's); run this only
# to change a version, then `make book` and review the diff.
#
#   mathjax@3          MathJax's components, loaded one by one (0.8 MB): startup.js
#                      (-> mathjax_path) loads core, TeX input (with autoload of
#                      the other TeX extensions, vendored too), HTML-CSS output
#                      (+ the woff-v2 fonts of the glyphs a page uses) and the
#                      hidden MathML for screen readers, as listed in
#                      _config.yml's mathjax3_config. Not tex-chtml.js (1.2 MB:
#                      the same plus a 0.4 MB context menu) nor tex-svg-full.js
#                      (2.3 MB). Sphinx adds it to pages with math only.
#   pyodide            the CPython-in-WebAssembly runtime the live widgets run
#                      the microgpt package in: core runtime + standard library
#                      only (no wheels: microgpt's core is stdlib-only). 13 MB,
#                      fetched by book/_extra/live/worker.js the first time a
#                      reader asks for a live result, never on page load.
#   codemirror         the code editor of the runnable cells (CodeMirror 6: view, state,
#                      commands, language, lang-python): the exact versions in
#                      scripts/codemirror/package.json, every tarball's sha512 pinned by
#                      its package-lock.json (npm ci checks them, and runs no install
#                      script), bundled by esbuild (pinned there too) into ONE minified ES
#                      module, codemirror.mjs (about 380 kB, 125 kB gzipped), with the
#                      licences of what went into it. book/_extra/live/editor.mjs imports
#                      it the first time a reader clicks Edit, never on page load.
# Needs node and npm (a maintainer's tool only: `make book` uses the committed output).
set -euo pipefail

MATHJAX_VERSION=3.2.2
MATHJAX_INTEGRITY=sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
PYODIDE_VERSION=314.0.7
PYODIDE_INTEGRITY=sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A==

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/book/_extra/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <npm spec> <sha512 integrity> <dir>: check and unpack one npm tarball into $work/<dir>
  local tgz got
  tgz="$(cd "$work" && npm pack --silent "$1" 2>/dev/null | tail -n1)"
  got="sha512-$(openssl dgst -sha512 -binary "$work/$tgz" | base64 -w0)"
  if [ "$got" != "$2" ]; then
    echo "error: $1: tarball integrity $got, expected $2" >&2
    exit 1
  fi
  mkdir -p "$work/$3"
  tar xzf "$work/$tgz" -C "$work/$3" --strip-components=1
  rm -f "$work/$tgz"
}

fetch "mathjax@$MATHJAX_VERSION" "$MATHJAX_INTEGRITY" mathjax
fetch "pyodide@$PYODIDE_VERSION" "$PYODIDE_INTEGRITY" pyodide

cm="$work/codemirror"
mkdir -p "$cm" "$work/codemirror-out"
cp "$root/scripts/codemirror/"{package.json,package-lock.json,entry.mjs,build.mjs} "$cm/"
(cd "$cm" && npm ci --ignore-scripts --no-audit --no-fund --silent)
node "$cm/build.mjs" "$work/codemirror-out"

rm -rf "$dest"
mkdir -p "$dest/mathjax/output/chtml/fonts" "$dest/mathjax/input/tex" "$dest/pyodide" "$dest/codemirror"
cp "$work/codemirror-out/codemirror.mjs" "$work/codemirror-out/LICENSE.txt" "$dest/codemirror/"

mj="$work/mathjax/es5"
mkdir -p "$dest/mathjax/a11y"
cp "$mj/startup.js" "$mj/core.js" "$dest/mathjax/"
cp "$mj/input/tex.js" "$dest/mathjax/input/"
cp "$mj/output/chtml.js" "$dest/mathjax/output/"
cp "$mj/output/chtml/fonts/tex.js" "$dest/mathjax/output/chtml/fonts/"
cp "$mj/a11y/assistive-mml.js" "$dest/mathjax/a11y/"
cp -r "$mj/output/chtml/fonts/woff-v2" "$dest/mathjax/output/chtml/fonts/"
cp -r "$mj/input/tex/extensions" "$dest/mathjax/input/tex/"
cp "$work/mathjax/LICENSE" "$dest/mathjax/LICENSE.txt"

# What loadPyodide() fetches: the loader module, the Emscripten module and its
# wasm, the standard library, and the lock file (read at start-up; none of the
# packages it lists is vendored or ever loaded).
for f in pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip pyodide-lock.json package.json; do
  cp "$work/pyodide/$f" "$dest/pyodide/"
done

for d in mathjax pyodide codemirror; do
  (cd "$dest/$d" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
done

cat > "$dest/LICENSES.txt" <<TXT
Third-party software served by the HTML book (published at <html root>/vendor/).
Generated by scripts/vendor_js.sh from the npm registry; do not edit by hand.
Each folder has a SHA256SUMS file of what was vendored.

mathjax/                        mathjax@$MATHJAX_VERSION ($MATHJAX_INTEGRITY)
                                startup, core, TeX input + extensions, HTML-CSS
                                output + woff-v2 fonts, assistive MathML.
                                Apache License 2.0, see mathjax/LICENSE.txt
pyodide/                        pyodide@$PYODIDE_VERSION ($PYODIDE_INTEGRITY)
                                pyodide.mjs, pyodide.asm.mjs/.wasm, pyodide-lock.json:
                                Mozilla Public License 2.0 (the package's "license"
                                field; the npm package ships no licence file; full
                                text: https://www.mozilla.org/en-US/MPL/2.0/).
                                The WebAssembly build of CPython and
                                python_stdlib.zip (CPython's standard library):
                                Python Software Foundation License Version 2
                                (https://docs.python.org/3/license.html).
codemirror/                     CodeMirror 6 (@codemirror/view, state, commands,
                                language, lang-python, autocomplete; @lezer/common,
                                lr, highlight, python; style-mod, w3c-keyname,
                                @marijn/find-cluster-break): the versions and sha512
                                integrities in scripts/codemirror/package-lock.json,
                                bundled by esbuild into codemirror.mjs.
                                MIT License, see codemirror/LICENSE.txt
TXT

(cd "$dest" && du -sb mathjax pyodide codemirror && ls -l pyodide codemirror)
