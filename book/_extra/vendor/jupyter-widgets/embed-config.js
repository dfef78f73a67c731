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
