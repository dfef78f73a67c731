/* microgpt book: the small script every page loads (added by book/_ext/microgpt_offline.py).
 *
 * 1. Offline after one visit: registers the book's service worker (../sw.js, at the site's
 *    root so that it covers every page) and, for a page loaded before the worker controlled
 *    it (the first visit), sends it the page and everything the page loaded to keep. Where
 *    service workers are blocked or unavailable (file://, a browser setting, a private
 *    window) it does nothing and the book works as it does without them.
 * 2. Keyboard access to wide display math: an equation wider than the column scrolls
 *    sideways (the theme's CSS); such an equation becomes a Tab stop so a keyboard can
 *    scroll it (as the theme does for wide code blocks), and stops being one when it fits.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var live = window.MicrogptLive = window.MicrogptLive || {};

  /* ------------------------------------------------------------ 1. the service worker */
  function keepThisPage(worker) {
    var urls = [location.href.split("#")[0]];
    (performance.getEntriesByType("resource") || []).forEach(function (e) { urls.push(e.name); });
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage({ type: "keep", urls: urls }, [channel.port2]);
    });
  }

  /* -> Promise of {version, count} once this page is kept (or null: no service worker). */
  live.offline = (function () {
    if (!here || !/^https?:$/.test(location.protocol) || !("serviceWorker" in navigator)) {
      return Promise.resolve(null);
    }
    var sw = navigator.serviceWorker;
    // A new build's worker took over while this page was open: what the page loads from now
    // on (Python, when going live) would come from the new build; the reader is told to reload.
    if (sw.controller) sw.addEventListener("controllerchange", updated);
    var kept = sw.register(new URL("../sw.js", here).href).then(function () {
      return sw.ready;
    }).then(function (registration) {
      return keepThisPage(registration.active);
    }).catch(function () {
      return null;  // blocked or refused: the book works without it
    });
    // A registration that never settles (some ways of blocking workers) counts as none.
    return Promise.race([kept, new Promise(function (resolve) { setTimeout(resolve, 30000, null); })]);
  })();

  function updated() {
    if (document.querySelector(".mg-updated")) return;
    var note = document.createElement("div");
    note.className = "mg-updated";
    note.setAttribute("role", "status");
    note.textContent = "A new edition of this book was published while this page was open. ";
    var reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload the page";
    reload.addEventListener("click", function () { location.reload(); });
    note.appendChild(reload);
    document.body.prepend(note);
  }

  /* ------------------------------------------------------------ 2. wide display math */
  function mathTabStops() {
    document.querySelectorAll("div.math mjx-container").forEach(function (m) {
      if (m.scrollWidth > m.clientWidth + 1) {
        m.tabIndex = 0;
        if (!m.hasAttribute("aria-label")) m.setAttribute("aria-label", "equation (scrolls sideways)");
        m.setAttribute("role", "group");
      } else if (m.hasAttribute("tabindex")) {
        m.removeAttribute("tabindex");
        m.removeAttribute("role");
        m.removeAttribute("aria-label");
      }
    });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(mathTabStops, 300); }
  window.addEventListener("resize", later);
  window.addEventListener("load", function () {
    var typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (typeset || Promise.resolve()).then(mathTabStops);
  });
})();
