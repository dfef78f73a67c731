/* Chapter 5: train microgpt live in the page.
 *
 * <div class="mg-live" data-widget="training"
 *      data-args='{"num_steps": 1000, "sample_every": 100, "num_preview": 5}'></div>
 * "Train" streams microgpt.explore.training_progress(...) from the Web Worker:
 * the scalar engine, the book preset, the reference program's random stream, so
 * every loss is the one `python -m microgpt` prints. The page stays responsive
 * (Python runs in the worker); "Stop" ends training between two steps.
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;

  function pad(n, w) { var s = String(n); while (s.length < w) s = " " + s; return s; }
  // The reference program's line (microgpt.train.StepInfo.__str__).
  function logLine(it) { return "step " + pad(it.step, 4) + " / " + pad(it.num_steps, 4) + " | loss " + it.loss.toFixed(4); }

  live.register("training", function (root, w) {
    var args = w.args("train");
    var numSteps = args.num_steps;
    root.innerHTML =
      '<p class="mg-live-head">Live: train microgpt in this page</p>' +
      '<p class="mg-live-note">The scalar engine and the book preset, exactly as <code>python -m microgpt</code> runs them ' +
      "(same random numbers, same losses), in Python in your browser. Every " + args.sample_every +
      " steps the model, as it is at that moment, writes a few names.</p>" +
      '<div class="mg-live-controls">' +
      '  <button type="button" class="mg-train">Train ' + numSteps + " steps</button>" +
      '  <button type="button" class="mg-stop mg-secondary" disabled>Stop</button>' +
      '  <output class="mg-step mg-num" aria-live="off">step 0 / ' + numSteps + "</output>" +
      '  <output class="mg-speed mg-num"></output>' +
      "</div>" +
      '<div class="mg-chart"></div>' +
      '<p class="mg-samples" aria-live="polite"></p>' +
      '<pre class="mg-log" tabindex="0" aria-label="training log"></pre>';
    var train = root.querySelector(".mg-train"), stop = root.querySelector(".mg-stop");
    var stepOut = root.querySelector(".mg-step"), speed = root.querySelector(".mg-speed");
    var chart = root.querySelector(".mg-chart"), samples = root.querySelector(".mg-samples");
    var log = root.querySelector(".mg-log");
    var xs = [], ys = [], running = null;

    // The trailing mean over the last 50 steps, as in the chapter's figure: one
    // name's loss is noisy, the average shows the trend.
    function movingAverage(values, window) {
      var out = [], sum = 0;
      for (var i = 0; i < values.length; i++) {
        sum += values[i];
        if (i >= window) sum -= values[i - window];
        out.push(sum / Math.min(i + 1, window));
      }
      return out;
    }

    function drawCurve() {
      live.render.line(chart, {
        series: [{ name: "loss of each step", xs: xs, ys: ys },
                 { name: "moving average (50 steps)", xs: xs, ys: movingAverage(ys, 50) }], xlabel: "step", ylabel: "loss", format: ".4f",
        xmin: 0, xmax: numSteps, ymin: 1.5, ymax: Math.max(3.8, Math.max.apply(null, ys.concat([0]))),
        title: "training loss, one point per step"
      });
    }
    drawCurve();
    live.onResize(root, drawCurve);

    var tFirst = null;
    function onItem(it) {
      var now = performance.now();
      if (tFirst === null) tFirst = now;
      xs.push(it.step); ys.push(it.loss);
      stepOut.textContent = "step " + it.step + " / " + it.num_steps + ", loss " + it.loss.toFixed(4);
      if (xs.length > 1) {
        var ms = (now - tFirst) / (xs.length - 1);
        speed.textContent = ms.toFixed(0) + " ms per step";
        root.dataset.msPerStep = ms.toFixed(1);
      }
      log.textContent += (log.textContent ? "\n" : "") + logLine(it);
      log.scrollTop = log.scrollHeight;
      if (it.samples) {
        samples.textContent = "after step " + it.step + ": " + it.samples.join(", ");
      }
      root.dataset.steps = String(it.step);
      drawCurve();
    }

    function finish(text) {
      running = null;
      train.disabled = false;
      stop.disabled = true;
      train.textContent = "Train again from the start";
      if (text) live.status(root, text, "");
    }

    train.addEventListener("click", function () {
      if (running) return;
      xs = []; ys = []; log.textContent = ""; samples.textContent = ""; speed.textContent = "";
      tFirst = null;
      train.disabled = true;
      stop.disabled = false;
      root.dataset.state = "running";
      drawCurve();
      running = w.stream("train", {}, onItem);
      running.done.then(function (r) {
        root.dataset.state = r && r.stopped ? "stopped" : "done";
        finish(r && r.stopped ? "Stopped after " + xs.length + " steps." : "Done: " + xs.length + " steps.");
      }, function (err) {
        root.dataset.state = "error";
        finish();
        live.status(root, err.message, "error");
      });
    });
    stop.addEventListener("click", function () {
      if (running) { running.stop(); stop.disabled = true; }
    });
  });
})();
