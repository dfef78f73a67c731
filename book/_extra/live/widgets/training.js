/* Chapter 5: train microgpt live in the page.
 *
 * "Train" streams the "train" call of microgpt/widgets.py from the Web Worker: the
 * scalar engine, the book preset, the reference program's random stream, so every loss
 * is the one `python -m microgpt` prints. Each item brings its log line and, from the
 * window's last step on, the book's moving average (both computed by the package); the
 * widget draws what it gets. The page stays responsive (Python runs in the worker);
 * "Stop" ends training between two steps.
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;
  var el = live.el;

  live.register("training", function (root, w) {
    var args = w.args("train");
    var numSteps = args.num_steps;
    root.replaceChildren();
    var note = el("p", "mg-live-note");
    note.append("The scalar engine and the book preset, exactly as ", el("code", null, "python -m microgpt"),
                " runs them (same random numbers, same losses), in Python in your browser. Every " +
                args.sample_every + " steps the model, as it is at that moment, writes a few names.");
    var train = live.button("Train " + numSteps + " steps", "mg-train");
    var stop = live.button("Stop", "mg-stop mg-secondary");
    stop.disabled = true;
    var stepOut = el("output", "mg-step mg-num", "step 0 / " + numSteps);
    stepOut.setAttribute("aria-live", "off");
    var speed = el("output", "mg-speed mg-num");
    speed.setAttribute("aria-live", "off");  // an <output> is a live region: not every step
    var controls = el("div", "mg-live-controls");
    controls.append(train, stop, stepOut, speed);
    var chart = el("div", "mg-chart");
    var samples = el("p", "mg-samples");
    samples.setAttribute("aria-live", "polite");
    // The log of every step: a named log a keyboard can scroll (tabindex), never read aloud
    // as it grows (aria-live off: a line every step would drown a screen reader; the samples
    // line and the status line announce the milestones).
    var log = el("pre", "mg-log");
    log.tabIndex = 0;
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "off");
    log.setAttribute("aria-label", "training log");
    root.append(el("p", "mg-live-head", "Live: train microgpt in this page"), note, controls, chart, samples, log);

    var loss = { xs: [], ys: [] }, average = { xs: [], ys: [], name: "" }, running = null;

    function drawCurve() {
      var series = [{ name: "loss of each step", xs: loss.xs, ys: loss.ys }];
      if (average.xs.length) series.push({ name: average.name, xs: average.xs, ys: average.ys });
      live.render.line(chart, {
        series: series, xlabel: "step", ylabel: "loss", format: ".4f",
        xmin: 0, xmax: numSteps, ymin: 1.5, ymax: Math.max(3.8, Math.max.apply(null, loss.ys.concat([0]))),
        title: "training loss, one point per step"
      });
    }
    drawCurve();
    live.onResize(root, drawCurve);

    var tFirst = null;
    function onItem(it) {
      var now = performance.now();
      if (tFirst === null) tFirst = now;
      loss.xs.push(it.step); loss.ys.push(it.loss);
      if (it.average !== undefined) {
        average.xs.push(it.step); average.ys.push(it.average); average.name = it.average_label;
      }
      stepOut.textContent = it.line;
      if (loss.xs.length > 1) {
        var ms = (now - tFirst) / (loss.xs.length - 1);
        speed.textContent = ms.toFixed(0) + " ms per step";
        root.dataset.msPerStep = ms.toFixed(1);
      }
      log.textContent += (log.textContent ? "\n" : "") + it.line;
      log.scrollTop = log.scrollHeight;
      if (it.samples) samples.textContent = "after step " + it.step + ": " + it.samples.join(", ");
      root.dataset.steps = String(it.step);
      drawCurve();
    }

    // Train and Stop hand the keyboard focus to each other: a focused button that gets
    // disabled would drop the focus to the top of the page.
    function finish(text) {
      var focused = document.activeElement === stop;
      running = null;
      train.disabled = false;
      train.textContent = "Train again from the start";
      if (focused) train.focus();
      stop.disabled = true;
      stop.textContent = "Stop";
      stop.removeAttribute("aria-disabled");
      if (text) w.status(text, "");
    }

    train.addEventListener("click", function () {
      if (running) return;
      loss = { xs: [], ys: [] }; average = { xs: [], ys: [], name: "" };
      log.textContent = ""; samples.textContent = ""; speed.textContent = "";
      tFirst = null;
      var focused = document.activeElement === train;
      stop.disabled = false;
      if (focused) stop.focus();
      train.disabled = true;
      root.dataset.state = "running";
      drawCurve();
      running = w.stream("train", {}, onItem);
      running.done.then(function (r) {
        root.dataset.state = r && r.stopped ? "stopped" : "done";
        finish(r && r.stopped ? "Stopped after " + loss.xs.length + " steps." : "Done: " + loss.xs.length + " steps.");
      }, function (err) {
        root.dataset.state = "error";
        finish();
        w.status(err.message, "error");
      });
    });
    // Stop stays focusable until training has stopped (finish() then hands the focus to Train).
    stop.addEventListener("click", function () {
      if (!running || stop.getAttribute("aria-disabled")) return;
      running.stop();
      stop.setAttribute("aria-disabled", "true");
      stop.textContent = "Stopping\u2026";
    });
  });
})();
