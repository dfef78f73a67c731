/* Chapter 3: softmax with a temperature, live.
 *
 * The build draws the "state" call of microgpt/widgets.py (the div's logits and labels at
 * its temperature); moving the slider makes the same call in the browser (Pyodide) at the
 * new temperature, only the newest one while the slider moves (w.ask).
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;
  var el = live.el;

  // Temperatures shown and computed with two decimals, so "T = 0.50" is exactly 0.5;
  // the slider moves log10(T) from -1.3 to 0.7 (T from 0.05 to 5).
  function tempOf(x) { return Number(Math.pow(10, +x).toFixed(2)); }
  function shownT(T) { return "T = " + T.toFixed(2); }

  live.register("softmax", function (root, w) {
    var T0 = w.args("state").temperature;
    root.replaceChildren();
    var t = live.slider("temperature T", { min: -1.3, max: 0.7, step: 0.02, value: Math.log10(T0).toFixed(2),
                                           readout: shownT(T0), aria: "temperature T, from 0.05 to 5 (logarithmic)" });
    t.readout.setAttribute("aria-live", "polite");
    var controls = el("div", "mg-live-controls");
    controls.appendChild(t.label);
    var chart = el("div", "mg-chart"), source = el("p", "mg-live-note mg-source");
    root.append(el("p", "mg-live-head", "Live: softmax(logits / T)"), controls, chart, source);

    var shown = w.state;
    function draw(s, computedHere) {
      var best = s.probs.indexOf(Math.max.apply(null, s.probs));
      live.render.bars(chart, {
        labels: s.labels, values: s.probs, format: ".3f", highlight: best, max: 1,
        title: "P(next letter) at " + shownT(s.temperature)
      });
      shown = s;
      root.dataset.live = computedHere ? "1" : "";
      root.dataset.temperature = String(s.temperature);
      root.dataset.probs = JSON.stringify(s.probs);
      source.textContent = computedHere
        ? "Computed just now in your browser by the package's own Python."
        : "Computed by the package when the book was built. Move the slider to run the same Python in your browser (it loads Python once per visit).";
    }
    live.onResize(root, function () { draw(shown, root.dataset.live === "1"); });

    t.input.addEventListener("input", function () {
      var T = tempOf(t.input.value);
      t.readout.textContent = shownT(T);
      w.ask("state", { temperature: T }, function (s) { draw(s, true); },
            function (err) { w.status(err.message, "error"); });
    });
    draw(w.state, false);
  });
})();
