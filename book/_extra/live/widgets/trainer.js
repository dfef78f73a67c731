/* "Your own words" (book/your_data.md): train microgpt on any list, in the page.
 *
 * Everything it shows is computed by the package (microgpt/playground.py, declared in
 * microgpt/widgets.py as the calls "state", "train", "checkpoint", "share", "restore"):
 * the data's documents and vocabulary, the settings' checks and messages, the number of
 * parameters, the command line that makes the same run, every line of the log (exactly
 * what that command prints), the trained model (a checkpoint in the package's format) and
 * the run file a link carries. This file draws, reads files the reader opens, compresses
 * a run into a link with the browser's own CompressionStream ("deflate-raw", then
 * base64url; nothing is sent anywhere) and offers files for download.
 *
 * A failed load (data, link, run file, model) says why in the status line and changes
 * nothing: the data and model in use stay. While training, the data and settings are
 * locked (the log is the run of the command shown above it); Stop ends it between two
 * batches of steps.
 */
(function () {
  "use strict";
  var live = window.MicrogptLive;
  var el = live.el;

  /* ------------------------------------------------------------ bytes, links, files */
  function toBase64(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(out);
  }
  function fromBase64(text) {
    var bin = atob(text), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  function squeeze(text) {  // -> Promise of base64url(deflate-raw(UTF-8 text))
    var stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buf) {
      return toBase64(new Uint8Array(buf)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    });
  }
  function unsqueeze(b64url) {  // the reverse; rejects when the link's text is damaged
    return Promise.resolve().then(function () {
      var bytes = fromBase64(b64url.replace(/-/g, "+").replace(/_/g, "/"));
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Response(stream).text();
    });
  }
  function download(name, content, type) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var a = el("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }
  function fileInput(text, accept, cls) {
    var label = el("label", "mg-control mg-file " + (cls || ""), text + " ");
    var input = el("input");
    input.type = "file";
    input.accept = accept;
    label.appendChild(input);
    return { label: label, input: input };
  }
  function section(cls, heading) {
    var s = el("section", "mg-trainer-part " + cls);
    if (heading) s.appendChild(el("h3", "mg-trainer-heading", heading));
    return s;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  live.register("trainer", function (root, w) {
    var first = w.state;
    root.replaceChildren();

    var current = first;     // the package's last answer for the data and settings in use
    var data = null;         // the data in use: null (the built-in names), {name, base64} or {name, text}
    var model = null;        // the trained or opened model: {name, text, label, ...}
    var running = null;

    /* --- the page's parts */
    var head = el("p", "mg-live-head", "Live: train microgpt on your own words");
    var note = el("p", "mg-live-note");
    note.textContent = "In Python in your browser, with the package's list engine: the very numbers of " +
      "the command line, which is shown for every run. Nothing you open or paste leaves this page.";

    // 1. data
    var dataPart = section("mg-trainer-data", "1. Data");
    var file = fileInput("Open a text file (UTF-8, one document per line, up to " + first.limits.data_text + "):",
                         ".txt,text/plain");
    var pasteLabel = el("label", "mg-control mg-paste", "…or paste text, one document per line:");
    var paste = el("textarea");
    paste.rows = 4;
    paste.spellcheck = false;
    pasteLabel.appendChild(paste);
    // What the box holds, as the package will count it (not a live region: it changes with
    // every key; "Use the pasted text" announces what the package made of it)
    var pasteCount = el("p", "mg-paste-count mg-caption", "Nothing pasted yet.");
    paste.addEventListener("input", function () {
      var lines = paste.value.split(/\r?\n/).filter(function (l) { return l.trim(); }).length;
      pasteCount.textContent = lines ? fmt(lines) + " non-empty line" + (lines > 1 ? "s" : "") +
        " pasted: \u201cUse the pasted text\u201d checks and uses them." : "Nothing pasted yet.";
    });
    var usePaste = live.button("Use the pasted text", "mg-use-paste mg-secondary");
    var useBook = live.button("Back to the book's names", "mg-use-book mg-secondary");
    var dataRow = el("div", "mg-live-controls");
    dataRow.append(usePaste, useBook);
    var dataSummary = el("p", "mg-data-summary");
    var vocab = el("div", "mg-vocab");
    var dataNotes = el("p", "mg-data-notes mg-live-note");
    var dataError = live.errorLine();
    dataError.classList.add("mg-data-error");
    dataPart.append(file.label, pasteLabel, pasteCount, dataRow, dataError, dataSummary, vocab, dataNotes);

    // 2. settings
    var setPart = section("mg-trainer-settings", "2. Settings");
    var grid = el("div", "mg-settings");
    var boxes = {};
    first.settings.forEach(function (row) {
      var label = el("label", "mg-control mg-setting", row.label + " ");
      var input = el("input");
      input.type = "text";
      input.inputMode = row.integer ? "numeric" : "decimal";
      input.value = String(row.value);
      input.name = row.name;
      input.spellcheck = false;
      var flag = el("code", "mg-flag", row.flag);
      var err = el("span", "mg-error mg-setting-error");
      err.id = "mg-trainer-err-" + row.name;
      input.setAttribute("aria-describedby", err.id);
      label.append(input, flag);
      var cell = el("div", "mg-setting-cell");
      cell.append(label, err);
      grid.appendChild(cell);
      boxes[row.name] = { input: input, err: err };
    });
    var params = el("p", "mg-params");
    var trainCommand = el("p", "mg-command mg-train-command");
    var downloadData = live.button("Download the data", "mg-download-data mg-secondary");
    setPart.append(grid, params, trainCommand, downloadData);

    // 3. training
    var runPart = section("mg-trainer-run", "3. Train");
    var train = live.button("Train", "mg-train");
    var stop = live.button("Stop", "mg-stop mg-secondary");
    stop.disabled = true;
    var stepOut = el("output", "mg-step mg-num", "");
    stepOut.setAttribute("aria-live", "off");
    var speed = el("output", "mg-speed mg-num");
    var controls = el("div", "mg-live-controls");
    controls.append(train, stop, stepOut, speed);
    var chart = el("div", "mg-chart");
    var preview = el("p", "mg-samples mg-preview");
    var logCommand = el("p", "mg-command mg-log-command");
    var log = el("pre", "mg-log");
    log.tabIndex = 0;
    log.setAttribute("aria-label", "the run's output, as the command line prints it");
    var samples = el("p", "mg-samples mg-final");
    runPart.append(controls, chart, preview, logCommand, log, samples);

    // 4. the model and the run, to keep and to share
    var keepPart = section("mg-trainer-keep", "4. Keep and share");
    var modelLine = el("p", "mg-model-line", "No model yet: train one, or open one saved by the page or by " +
                       "python -m microgpt --save.");
    var downloadModel = live.button("Download the model", "mg-download-model mg-secondary");
    var sampleAgain = live.button("Sample again", "mg-sample-again mg-secondary");
    downloadModel.disabled = sampleAgain.disabled = true;
    var openModel = fileInput("Open a model (.json):", ".json,application/json", "mg-open-model");
    var modelRow = el("div", "mg-live-controls");
    modelRow.append(downloadModel, sampleAgain, openModel.label);
    var share = live.button("Make a link to this run", "mg-share mg-secondary");
    var saveRun = live.button("Download the run file", "mg-save-run mg-secondary");
    var openRun = fileInput("Open a run file:", ".json,application/json", "mg-open-run");
    var shareRow = el("div", "mg-live-controls");
    shareRow.append(share, saveRun, openRun.label);
    var linkLabel = el("label", "mg-control mg-link-label", "link: ");
    var link = el("input", "mg-link");
    link.type = "text";
    link.readOnly = true;
    linkLabel.appendChild(link);
    linkLabel.hidden = true;
    // What "Keep and share" did (a link made, a file downloaded): shown and announced, since
    // a download leaves no other trace in the page.
    var shareNote = el("p", "mg-live-note mg-share-note");
    shareNote.setAttribute("role", "status");
    keepPart.append(modelLine, modelRow, shareRow, linkLabel, shareNote);

    root.append(head, note, dataPart, setPart, runPart, keepPart);

    /* --- drawing what the package said */
    function settingsNow() {
      var out = {};
      Object.keys(boxes).forEach(function (name) { out[name] = boxes[name].input.value; });
      return out;
    }
    function fillSettings(rows) {
      rows.forEach(function (row) { if (boxes[row.name]) boxes[row.name].input.value = String(row.value); });
    }
    function commandLine(target, lead, cmd) {
      target.replaceChildren();
      if (!cmd) return;
      target.append(lead + " ", el("code", "mg-cli", cmd));
      target.dataset.command = cmd;
    }

    function showState(s) {
      if (s.error) { w.status(s.error, "error"); return; }  // data once accepted: not expected, but said
      current = s;
      s.settings.forEach(function (row) {
        var b = boxes[row.name];
        b.err.textContent = row.error || "";
        if (row.error) b.input.setAttribute("aria-invalid", "true"); else b.input.removeAttribute("aria-invalid");
      });
      var d = s.data;
      root.dataset.docs = String(d.num_docs);
      dataSummary.textContent = fmt(d.num_docs) + " documents from " + (d.builtin ? "the book's names" : d.name) +
        " (" + fmt(d.bytes) + " bytes), e.g. " + d.examples.join(", ") + "; a vocabulary of " + d.vocab_size +
        " tokens: " + (d.vocab_size - 1) + " characters and BOS.";
      live.render.chips(vocab, { tokens: d.vocab.map(function (c) { return { text: c }; }).concat([{ text: "BOS" }]) });
      var notes = [];
      if (d.longer_than_block) {
        notes.push(fmt(d.longer_than_block) + " documents are longer than the block size: training reads their first " +
                   "characters, as the command line does (the longest has " + d.longest + ").");
      }
      dataNotes.textContent = notes.concat(d.warnings).join(" ");
      params.textContent = s.num_params === null ? "" : fmt(s.num_params) + " parameters.";
      root.dataset.params = String(s.num_params);
      commandLine(trainCommand, "Train runs what this command runs:", s.command);
      downloadData.hidden = d.builtin;
      downloadData.textContent = "Download the data (" + (d.name || "") + ")";
      var steps = s.settings.filter(function (r) { return r.name === "num_steps"; })[0].value;
      train.textContent = "Train " + fmt(steps) + " steps";
      if (!running) {
        syncButtons();
        if (!loss.xs.length && numSteps !== steps) { numSteps = steps; drawCurve(); }  // the empty chart's scale
      }
    }

    /* The package's answer for the data and settings in use. Answers come back in order, but a
       newer question (or new data) makes an older answer stale: only the newest is drawn. */
    var asked = 0;
    function refresh() {
      var n = ++asked;
      return w.call("state", { data: data, settings: settingsNow() }).then(function (s) {
        if (n === asked) showState(s);
        return s;
      }, function (e) { if (n === asked) w.status(e.message, "error"); });
    }
    /* The reader changed the run: a link made (or opened) before describes another run now. */
    function forgetLink() {
      if (live.fragment.get("trainer")) live.fragment.set("trainer", null);
      linkLabel.hidden = true;
      shareNote.textContent = "";
    }
    var settingsTimer = null;
    Object.keys(boxes).forEach(function (name) {
      boxes[name].input.addEventListener("input", function () {
        forgetLink();
        train.disabled = true;
        clearTimeout(settingsTimer);
        settingsTimer = setTimeout(refresh, 150);
      });
    });

    /* Data: a candidate is checked by the package first; only data it accepts replaces the
       data in use (a failed load changes nothing). */
    function tryData(candidate, then) {
      dataError.textContent = "";
      var n = ++asked;
      return w.call("state", { data: candidate, settings: settingsNow() }).then(function (s) {
        if (s.error) {
          dataError.textContent = s.error;
          root.dataset.dataError = s.error;
          return false;
        }
        delete root.dataset.dataError;
        data = candidate;
        if (then) then();
        if (n === asked) showState(s); else refresh();
        w.status("Data: " + fmt(s.data.num_docs) + " documents from " +
                 (s.data.builtin ? "the book's names" : s.data.name) + ".", "");
        return true;
      }, function (e) { dataError.textContent = e.message; return false; });
    }

    file.input.addEventListener("change", function () {
      var f = file.input.files[0];
      if (!f) return;
      if (f.size > current.limits.data_bytes) {  // the package says why, without reading the file
        tryData({ name: f.name, size: f.size });
        file.input.value = "";
        return;
      }
      f.arrayBuffer().then(function (buf) {
        return tryData({ name: f.name, base64: toBase64(new Uint8Array(buf)) }, forgetLink);
      }).finally(function () { file.input.value = ""; });
    });
    usePaste.addEventListener("click", function () { tryData({ name: "pasted.txt", text: paste.value }, forgetLink); });
    useBook.addEventListener("click", function () { tryData(null, forgetLink); });
    downloadData.addEventListener("click", function () {
      if (!data) return;
      download(data.name, data.text !== undefined ? data.text : fromBase64(data.base64), "text/plain;charset=utf-8");
    });

    /* --- training */
    var loss = { xs: [], ys: [] }, average = { xs: [], ys: [], name: first.average_label }, numSteps = 0;
    function drawCurve() {
      var series = [{ name: "loss of each step", xs: loss.xs, ys: loss.ys }];
      if (average.xs.length) series.push({ name: average.name, xs: average.xs, ys: average.ys });
      live.render.line(chart, {
        series: series, xlabel: "step", ylabel: "loss", format: ".4f", xmin: 0, xmax: Math.max(numSteps, 1),
        ymin: 0, title: "training loss, one point per step"
      });
    }
    function addLines(lines) {  // a text node per batch: a long run's log is never rewritten whole
      log.appendChild(document.createTextNode((log.firstChild ? "\n" : "") + lines.join("\n")));
      log.scrollTop = log.scrollHeight;
    }
    function lock(on) {  // while training, nothing the run depends on can change
      [dataPart, setPart, keepPart].forEach(function (part) {
        part.querySelectorAll("input, textarea, button").forEach(function (c) { c.disabled = on; });
      });
      if (!on) syncButtons();
    }
    function syncButtons() {
      downloadModel.disabled = sampleAgain.disabled = !model;
      share.disabled = saveRun.disabled = !current.command;
      train.disabled = !!running || !current.command;
    }
    function setModel(m) {
      model = m;
      if (!running) syncButtons();
      downloadModel.textContent = "Download the model (" + m.name + ")";
      var kept = live.yourModel.set(m);
      modelLine.textContent = "Your model: " + m.label + ". " + (kept
        ? "Chapter 6's temperature and name-score widgets can use it now (in this browser)."
        : "This browser would not keep it for chapter 6 (its storage is full or switched off); download it instead.");
      root.dataset.model = m.name;
    }

    var tStart = null, tFirst = null, stepsAtFirst = 0, milestone = 0;
    function onItem(it) {
      var now = performance.now();
      if (it.num_steps !== undefined) {  // the header
        numSteps = it.num_steps;
        commandLine(logCommand, "These lines are exactly what this command prints:", it.command);
        addLines(it.lines);
        tStart = now;
        w.status("Training " + fmt(numSteps) + " steps…", "");
        return;
      }
      if (it.steps) {
        if (tFirst === null) { tFirst = now; stepsAtFirst = it.steps[it.steps.length - 1]; }
        it.steps.forEach(function (s, i) { loss.xs.push(s); loss.ys.push(it.losses[i]); });
        it.averages.forEach(function (a) { average.xs.push(a[0]); average.ys.push(a[1]); });
        addLines(it.lines);
        var last = it.steps[it.steps.length - 1];
        stepOut.textContent = it.lines[it.lines.length - 1];
        root.dataset.steps = String(last);
        if (last > stepsAtFirst) {
          var ms = (now - tFirst) / (last - stepsAtFirst);
          speed.textContent = ms.toFixed(1) + " ms per step";
          root.dataset.msPerStep = ms.toFixed(2);
        }
        if (it.preview) {
          preview.textContent = "after step " + it.preview[0] + ": " + it.preview[1].join(", ");
        }
        var quarter = Math.floor(4 * last / numSteps);
        if (quarter > milestone && last < numSteps) {
          milestone = quarter;
          w.status("Step " + fmt(last) + " of " + fmt(numSteps) + ", loss " + it.losses[it.losses.length - 1].toFixed(4) + ".", "");
        }
        drawCurve();
        return;
      }
      if (it.done) {
        addLines(it.lines);
        samples.textContent = it.samples.length + " names at the end: " + it.samples.join(", ");
        root.dataset.seconds = ((now - tStart) / 1000).toFixed(2);
        setModel(it.model);
      }
    }

    train.addEventListener("click", function () {
      if (running || !current.command) return;
      loss = { xs: [], ys: [] };
      average = { xs: [], ys: [], name: first.average_label };
      log.textContent = preview.textContent = samples.textContent = speed.textContent = stepOut.textContent = "";
      tStart = tFirst = null;
      milestone = 0;
      numSteps = 0;
      root.dataset.state = "running";
      delete root.dataset.seconds;
      delete root.dataset.msPerStep;
      root.dataset.steps = "0";
      lock(true);
      var hadFocus = document.activeElement === train;
      train.disabled = true;
      stop.disabled = false;
      if (hadFocus) stop.focus();  // a button that disables itself hands the keyboard focus on
      drawCurve();
      running = w.stream("train", { data: data, settings: settingsNow() }, onItem);
      running.done.then(function (r) {
        var stopped = r && r.stopped;
        root.dataset.state = stopped ? "stopped" : "done";
        finish(stopped ? "Stopped after " + fmt(loss.xs.length) + " steps (the command above runs all " +
                         fmt(numSteps) + "; a stopped run keeps no model)."
                       : "Done: " + fmt(loss.xs.length) + " steps in " + root.dataset.seconds + " s; the names are below.", "");
      }, function (err) {
        root.dataset.state = "error";
        finish(err.message, "error");
      });
    });
    // Stop keeps the focus (aria-disabled, not disabled, until the run has ended); then the
    // focus goes back to Train, before Stop is disabled, so a keyboard reader never loses it.
    stop.addEventListener("click", function () {
      if (running && !stop.hasAttribute("aria-disabled")) { running.stop(); stop.setAttribute("aria-disabled", "true"); }
    });
    function finish(text, kind) {
      var hadFocus = document.activeElement === stop || document.activeElement === document.body;
      running = null;
      lock(false);
      if (hadFocus) train.focus();  // enabled again by lock(false)
      stop.removeAttribute("aria-disabled");
      stop.disabled = true;
      w.status(text, kind);
    }

    /* --- models */
    function showSampling(r) {
      log.textContent = "";
      preview.textContent = "";
      commandLine(logCommand, "These lines are exactly what this command prints:", r.command);
      addLines(r.lines);
      samples.textContent = r.samples.length + " names: " + r.samples.join(", ");
      root.dataset.state = "sampled";
    }
    openModel.input.addEventListener("change", function () {
      var f = openModel.input.files[0];
      if (!f) return;
      f.text().then(function (text) {
        // as --load FILE --steps 0 samples: with the model's own seed, temperature and samples
        return w.call("checkpoint", { data: data, checkpoint: { name: f.name, text: text }, settings: null });
      }).then(function (r) {
        fillSettings(r.settings);
        setModel(r.model);
        showSampling(r);
        w.status("Opened " + f.name + ": its samples are below.", "");
        return refresh();
      }, function (e) {
        root.dataset.modelError = e.message;
        w.status(e.message, "error");
      }).finally(function () { openModel.input.value = ""; });
    });
    sampleAgain.addEventListener("click", function () {
      if (!model) return;
      w.call("checkpoint", { data: data, checkpoint: model, settings: settingsNow() }).then(function (r) {
        showSampling(r);
        w.status("Sampled " + r.samples.length + " names from your model.", "");
      }, function (e) { w.status(e.message, "error"); });
    });
    function downloaded(name, text, then) {
      shareNote.textContent = "Downloaded " + name + " (" + fmt(new Blob([text]).size) + " bytes): " + then;
    }
    downloadModel.addEventListener("click", function () {
      if (!model) return;
      download(model.name, model.text, "application/json");
      downloaded(model.name, model.text, "open it here with \u201cOpen a model\u201d, or on your machine with " +
        "python -m microgpt --load (section 4 of this page, \u201cTake the model with you\u201d, shows how).");
    });

    /* --- sharing: a link (the run file, compressed, in the address) or the run file itself */
    share.addEventListener("click", function () {
      w.call("share", { data: data, settings: settingsNow() }).then(function (run) {
        return squeeze(run.text).then(function (packed) {
          live.fragment.set("trainer", { run: packed });
          var url = location.href;
          if (url.length > current.limits.link_chars) {
            live.fragment.set("trainer", null);
            linkLabel.hidden = true;
            shareNote.textContent = "This run's link would be " + fmt(url.length) + " characters long, more than the " +
              fmt(current.limits.link_chars) + " a link carries comfortably: download the run file instead, and send that.";
            root.dataset.link = "";
            return;
          }
          link.value = url;
          linkLabel.hidden = false;
          root.dataset.link = url;
          shareNote.textContent = "The link holds the settings and the data (" + fmt(url.length) + " characters); " +
            "opening it restores this run, and Train prints the same lines.";
          link.select();
          if (navigator.clipboard) navigator.clipboard.writeText(url).then(function () {
            shareNote.textContent += " Copied.";
          }, function () { /* the reader copies it from the box */ });
        });
      }).catch(function (e) { w.status(e.message, "error"); });
    });
    saveRun.addEventListener("click", function () {
      w.call("share", { data: data, settings: settingsNow() }).then(function (run) {
        download(run.name, run.text, "application/json");
        downloaded(run.name, run.text, "open it here with \u201cOpen a run file\u201d, or send it; " +
          "Train then prints the same lines.");
      }, function (e) { w.status(e.message, "error"); });
    });
    function applyRun(r, source) {
      return tryData(r.data, function () {
        fillSettings(Object.keys(r.settings).map(function (k) { return { name: k, value: r.settings[k] }; }));
      }).then(function (ok) {
        if (!ok) return;
        return refresh().then(function () {
          root.dataset.restored = source;
          w.status("Opened " + source + ": its data and settings are in place; Train prints the same lines.", "");
        });
      });
    }
    openRun.input.addEventListener("change", function () {
      var f = openRun.input.files[0];
      if (!f) return;
      f.text().then(function (text) {
        return w.call("restore", { text: text, source: f.name });
      }).then(function (r) { return applyRun(r, f.name); }, function (e) {
        w.status(e.message, "error");
      }).finally(function () { openRun.input.value = ""; });
    });
    function openLink(saved) {
      if (!saved.run) return;
      unsqueeze(saved.run).then(function (text) {
        return w.call("restore", { text: text });
      }, function () {
        throw new Error("This link's run could not be decoded: it was probably cut short when it was copied. " +
                        "Ask for the link again (or for its run file). The book's names are in place.");
      }).then(function (r) { return applyRun(r, "the link"); }).catch(function (e) {
        root.dataset.linkError = e.message;
        w.status(e.message, "error");
      });
    }

    showState(first);
    drawCurve();
    live.onResize(root, drawCurve);
    var saved = live.fragment.get("trainer");
    if (saved) { openLink(saved); root.scrollIntoView(); }
    live.fragment.watch("trainer", openLink);
  });
})();
