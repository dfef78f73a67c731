#!/usr/bin/env bash
# Refresh the JavaScript that the HTML book serves itself, so that built pages
# load no script, style or font from a CDN (the book must work offline).
#
# Source: the npm registry (`npm pack`), exact versions pinned below. Output:
# book/_extra/vendor/, which _config.yml publishes at <html root>/vendor/ via
# Sphinx's html_extra_path (NOT _static/: Jupyter Book v1 would add every .js
# found under _static/ to every page). The output is committed; run this only
# to change a version, then `make book` and review the diff.
#
#   mathjax@3          es5/tex-svg-full.js: one self-contained file (TeX input
#                      with all extensions preloaded + SVG output whose glyphs
#                      live inside the file, so no web fonts). -> mathjax_path
#   requirejs          require.js: the AMD loader embed-amd.js needs.
#   @jupyter-widgets/html-manager
#                      dist/embed-amd.js renders saved ipywidgets state in static
#                      pages (base/controls/output widgets are built in). 1.0.15
#                      is the release matching ipywidgets 8.1.9 (controls ^5.0.13,
#                      base ^6.0.12: the JS that jupyterlab_widgets 3.0.17 ships).
#                      Its Font Awesome woff2/woff fonts are copied next to it
#                      (webpack's public path is the script's own folder); the
#                      legacy eot/svg/ttf variants are never used by current
#                      browsers and are left out.       -> nb_ipywidgets_js
set -euo pipefail

MATHJAX_VERSION=3.2.2
REQUIREJS_VERSION=2.3.8
HTML_MANAGER_VERSION=1.0.15

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/book/_extra/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <npm spec> <dir>: unpack one npm tarball into $work/<dir>
  local tgz
  tgz="$(cd "$work" && npm pack --silent "$1" 2>/dev/null | tail -n1)"
  mkdir -p "$work/$2"
  tar xzf "$work/$tgz" -C "$work/$2" --strip-components=1
  rm -f "$work/$tgz"
}

fetch "mathjax@$MATHJAX_VERSION" mathjax
fetch "requirejs@$REQUIREJS_VERSION" requirejs
fetch "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" html-manager

rm -rf "$dest"
mkdir -p "$dest/mathjax" "$dest/requirejs" "$dest/jupyter-widgets"

cp "$work/mathjax/es5/tex-svg-full.js" "$dest/mathjax/"
cp "$work/mathjax/LICENSE" "$dest/mathjax/LICENSE.txt"

cp "$work/requirejs/require.js" "$dest/requirejs/"

cp "$work/html-manager/dist/embed-amd.js" "$dest/jupyter-widgets/"
cp "$work"/html-manager/dist/*.woff2 "$work"/html-manager/dist/*.woff "$dest/jupyter-widgets/"
cp "$work/html-manager/dist/embed.js.LICENSE.txt" "$dest/jupyter-widgets/THIRD-PARTY-LICENSES.txt"
# Shim loaded after require.js and before embed-amd.js (nb_ipywidgets_js in
# _config.yml), written here so that refreshing the vendored files keeps it:
#  1. embed-amd.js resolves its Font Awesome URLs against the RequireJS URL of
#     its AMD modules (@jupyter-widgets/...), by default relative to the *page*
#     (book/@jupyter-widgets/html-manager/dist/<hash>.woff2 -> 404). Map those
#     module ids onto this folder, whatever the depth of the page.
#  2. The widgets typeset LaTeX in labels with the MathJax 2 call
#     MathJax.Hub.Queue(["Typeset", MathJax.Hub, el]); the book loads MathJax 3,
#     which has no Hub (-> TypeError on every labelled widget). Provide a
#     non-enumerable Hub.Queue that forwards to MathJax 3's typesetPromise.
cat > "$dest/jupyter-widgets/embed-config.js" <<'JS'
/* Offline book glue for @jupyter-widgets/html-manager (see scripts/vendor_js.sh). */
(function () {
  "use strict";
  var s = document.currentScript;
  if (s && s.src) {
    var dir = s.src.replace(/\/[^\/]*$/, "");  /* drop "embed-config.js?v=..." */
    window.__jupyter_widgets_assets_path__ = dir + "/";
    if (window.require && window.require.config) {
      window.require.config({
        paths: {
          "@jupyter-widgets": dir,
          "@jupyter-widgets/html-manager/dist": dir
        }
      });
    }
  }

  /* MathJax 2 API (Hub.Queue) on top of MathJax 3. MathJax 3 replaces
     window.MathJax when it loads, so re-attach the shim on every assignment. */
  function typeset(el, triesLeft) {
    var mj = window.MathJax;
    if (mj && typeof mj.typesetPromise === "function") {
      var run = function () {
        return mj.typesetPromise(el ? [el] : undefined).catch(function () {});
      };
      if (mj.startup && mj.startup.promise) { mj.startup.promise.then(run); } else { run(); }
    } else if (triesLeft > 0) {
      setTimeout(function () { typeset(el, triesLeft - 1); }, 200);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (job && job[0] === "Typeset") { typeset(job[2], 150); }
      }
    }
  };
  function attach(mj) {
    if (mj && typeof mj === "object" && !mj.Hub) {
      try { Object.defineProperty(mj, "Hub", { value: hub, enumerable: false, configurable: true }); }
      catch (e) { /* frozen object: nothing to do */ }
    }
    return mj;
  }
  var current = attach(window.MathJax);
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      enumerable: true,
      get: function () { return current; },
      set: function (v) { current = attach(v); }
    });
  } catch (e) { /* MathJax global not configurable: leave it alone */ }
})();
JS

cat > "$dest/LICENSES.txt" <<TXT
Third-party JavaScript served by the HTML book (published at <html root>/vendor/).
Generated by scripts/vendor_js.sh from the npm registry; do not edit by hand.

mathjax/tex-svg-full.js         mathjax@$MATHJAX_VERSION
                                Apache License 2.0, see mathjax/LICENSE.txt
requirejs/require.js            requirejs@$REQUIREJS_VERSION
                                MIT license (jQuery Foundation and other
                                contributors), see the header of the file
jupyter-widgets/embed-amd.js    @jupyter-widgets/html-manager@$HTML_MANAGER_VERSION
                                BSD 3-Clause license (Project Jupyter
                                Contributors); bundled third-party notices in
                                jupyter-widgets/THIRD-PARTY-LICENSES.txt
jupyter-widgets/*.woff2, *.woff Font Awesome 5 Free fonts bundled by
                                html-manager: SIL Open Font License 1.1
TXT

(cd "$dest" && du -ab . | sort -k2)
