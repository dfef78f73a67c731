/* Chapter 3: softmax with a temperature, live.
 *
 * <div class="mg-live" data-widget="softmax"
 *      data-args='{"logits": [...], "labels": [...], "temperature": 1.0}'></div>
 * The build embeds the "state" call (microgpt/widgets.py) at the declared temperature;
 * moving the slider makes the same call in the browser (Pyodide) at the new one.
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;

  live.register("softmax", function (root, w) {
    var state = w.state;
    var T0 = state.temperature;

    root.innerHTML =
      '<p class="mg-live-head">Live: softmax(logits / T)</p>' +
      '<div class="mg-live-controls">' +
      '  <label>temperature T <input type="range" min="-1.3" max="0.7" step="0.02" class="mg-t"></label>' +
      '  <output class="mg-t-out" aria-live="polite"></output>' +
      "</div>" +
      '<div class="mg-chart"></div>' +
      '<p class="mg-live-note mg-source"></p>';
    var slider = root.querySelector(".mg-t"), out = root.querySelector(".mg-t-out");
    var chart = root.querySelector(".mg-chart"), source = root.querySelector(".mg-source");
    slider.value = Math.log10(T0).toFixed(2);
    slider.setAttribute("aria-label", "temperature T, from 0.05 to 5 (logarithmic)");

    // Temperatures shown and computed with two decimals, so "T = 0.50" is exactly 0.5.
    function tempOf(x) { return Number(Math.pow(10, +x).toFixed(2)); }

    function draw(s, live_) {
      var best = s.probs.indexOf(Math.max.apply(null, s.probs));
      live.render.bars(chart, {
        labels: s.labels, values: s.probs, format: ".3f", highlight: best, max: 1,
        title: "P(next letter) at T = " + s.temperature.toFixed(2)
      });
      shown = s;
      root.dataset.live = live_ ? "1" : "";
      root.dataset.temperature = String(s.temperature);
      root.dataset.probs = JSON.stringify(s.probs);
      source.textContent = live_
        ? "Computed just now in your browser by the package's own Python."
        : "Computed by the package when the book was built. Move the slider to run the same Python in your browser (it loads Python once, about 13.5 MB).";
    }

    var shown = state;
    live.onResize(root, function () { if (shown) draw(shown, root.dataset.live === "1"); });

    function request(T) {
      w.ask("state", { temperature: T }, function (s) { draw(s, true); },
            function (err) { w.status(err.message, "error"); });
    }

    slider.addEventListener("input", function () {
      var T = tempOf(slider.value);
      out.textContent = "T = " + T.toFixed(2);
      request(T);
    });
    out.textContent = "T = " + T0.toFixed(2);
    draw(state, false);
  });
})();
