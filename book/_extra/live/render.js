/* microgpt live: one small SVG renderer shared by every live widget.
 *
 *   MicrogptLive.render.bars(el, {labels, values, title, format, highlight, max})
 *   MicrogptLive.render.heatmap(el, {rows, cols, values, title, format, diverging})
 *   MicrogptLive.render.line(el, {series: [{name, xs, ys}], xlabel, ylabel, title, format})
 *   MicrogptLive.render.chips(el, {tokens: [{text, id, title}], more})
 *   MicrogptLive.render.table(caption, head, rows, {cls, rowHeaders, format}) -> a <table>
 *   MicrogptLive.render.svg(tag, attrs, text)  -> an SVG element (for a widget's own drawing)
 *
 * Each drawing call replaces el's content. Colours come from CSS variables (live.css: the
 * book's accent colours, light and dark mode); the SVG scales to its container
 * (390 px phones included). Every number drawn is also in the page as text: each
 * mark has an aria-label and a <title> (tooltip), and a visually hidden table
 * lists all values, so screen readers and tests read exactly what is drawn.
 * `format` is "0.123"-style spec ".3f", a percent spec ".1%", or a function.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function fmt(spec) {
    if (typeof spec === "function") return spec;
    var m = /^\.(\d+)([f%])$/.exec(spec || ".3f");
    var digits = m ? +m[1] : 3;
    if (m && m[2] === "%") return function (v) { return (100 * v).toFixed(digits) + "%"; };
    return function (v) { return v.toFixed(digits); };
  }

  function svgEl(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function titled(e, label) {
    e.setAttribute("aria-label", label);
    e.setAttribute("role", "img");
    e.appendChild(svgEl("title", {}, label));
    return e;
  }

  function frame(el, title, width, height, cls) {
    el.replaceChildren();
    var fig = document.createElement("figure");
    fig.className = "mg-live-figure " + (cls || "");
    var svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, class: "mg-live-svg",
                             role: "group", "aria-label": title || "" });
    fig.appendChild(svg);
    if (title) {
      var cap = document.createElement("figcaption");
      cap.textContent = title;
      fig.insertBefore(cap, svg);
    }
    el.appendChild(fig);
    return { fig: fig, svg: svg };
  }

  /* The one table builder: a caption, a header row and rows of cells. A cell is text, a
     number (shown with opts.format, default ".4f", its full value kept in data-value for
     tests and copy-paste) or {text, value} (text as Python formatted it, and the value).
     opts.cls: the table's class (default "mg-numbers", the visible tables); opts.rowHeaders:
     each row's first cell is its header (th). */
  function table(caption, head, rows, opts) {
    opts = opts || {};
    var f = fmt(opts.format || ".4f");
    var t = document.createElement("table");
    t.className = opts.cls || "mg-numbers";
    var c = document.createElement("caption");
    c.textContent = caption || "values";
    t.appendChild(c);
    var tr = document.createElement("tr");
    head.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = document.createElement("tr");
      r.forEach(function (cell, i) {
        var td = document.createElement(opts.rowHeaders && i === 0 ? "th" : "td");
        if (typeof cell === "number") {
          td.textContent = f(cell);
          td.dataset.value = String(cell);
        } else if (cell !== null && typeof cell === "object") {
          td.textContent = cell.text;
          td.dataset.value = String(cell.value);
        } else {
          td.textContent = cell;
        }
        row.appendChild(td);
      });
      t.appendChild(row);
    });
    return t;
  }

  /* The visually hidden table under every figure: the same numbers as text. */
  function hiddenTable(fig, caption, head, rows) {
    return fig.appendChild(table(caption, head, rows, { cls: "mg-sr-only mg-live-data", rowHeaders: true }));
  }

  /* Drawing width in SVG units = the container's CSS width (320-640 px), so text
     keeps its CSS size on a phone instead of being scaled down with the figure. */
  function widthOf(el) {
    return Math.max(300, Math.min(640, el.clientWidth || 640));
  }

  function bars(el, o) {
    var f = fmt(o.format), n = o.values.length;
    var W = widthOf(el), H = W < 480 ? 200 : 240, top = 22, bottom = 28, left = 8, right = 8;
    var max = o.max || Math.max.apply(null, o.values.concat([1e-12]));
    var slot = (W - left - right) / n, bw = Math.max(2, slot * 0.78);
    var fr = frame(el, o.title, W, H, "mg-live-bars");
    var showValues = n <= 12;
    var hl = o.highlight === undefined || o.highlight === null ? [] : [].concat(o.highlight);
    for (var i = 0; i < n; i++) {
      var v = o.values[i], h = (H - top - bottom) * Math.max(0, v) / max;
      var x = left + i * slot + (slot - bw) / 2, y = H - bottom - h;
      var label = o.labels[i] + ": " + f(v);
      var g = titled(svgEl("g", { class: "mg-bar" + (hl.indexOf(i) >= 0 ? " mg-hl" : ""), "data-label": o.labels[i], "data-value": f(v) }), label);
      g.appendChild(svgEl("rect", { x: x, y: y, width: bw, height: Math.max(h, 0.5) }));
      g.appendChild(svgEl("text", { x: x + bw / 2, y: H - bottom + 17, class: "mg-axis-label", "text-anchor": "middle" }, o.labels[i]));
      if (showValues) g.appendChild(svgEl("text", { x: x + bw / 2, y: y - 5, class: "mg-value", "text-anchor": "middle" }, f(v)));
      fr.svg.appendChild(g);
    }
    fr.svg.appendChild(svgEl("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "mg-axis" }));
    hiddenTable(fr.fig, o.title, ["label", "value"], o.labels.map(function (l, i) { return [l, f(o.values[i])]; }));
    return fr.fig;
  }

  function heatmap(el, o) {
    var f = fmt(o.format), R = o.rows.length, C = o.cols.length;
    var cell = Math.max(14, Math.min(48, 560 / Math.max(C, 1)));
    var left = 56, top = 24, W = left + C * cell + 8, H = top + R * cell + 8;
    var fr = frame(el, o.title, W, H, "mg-live-heatmap");
    fr.svg.style.maxWidth = W + "px";  // never scaled up: cells and their numbers keep their size
    var flat = [].concat.apply([], o.values).filter(function (v) { return v !== null && isFinite(v); });
    var lo = Math.min.apply(null, flat.concat([0])), hi = Math.max.apply(null, flat.concat([1e-12]));
    var absmax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    var showText = cell >= 30;
    o.cols.forEach(function (c, j) {
      fr.svg.appendChild(svgEl("text", { x: left + j * cell + cell / 2, y: top - 8, class: "mg-axis-label", "text-anchor": "middle" }, c));
    });
    for (var i = 0; i < R; i++) {
      fr.svg.appendChild(svgEl("text", { x: left - 6, y: top + i * cell + cell / 2 + 4, class: "mg-axis-label", "text-anchor": "end" }, o.rows[i]));
      for (var j = 0; j < C; j++) {
        var v = o.values[i][j];
        if (v === null || v === undefined || !isFinite(v)) continue;
        var t = o.diverging ? v / absmax : (v - Math.min(lo, 0)) / ((hi - Math.min(lo, 0)) || 1);
        var style = o.diverging
          ? "fill: " + (v >= 0 ? "var(--mg-live-pos)" : "var(--mg-live-neg)") + "; fill-opacity: " + Math.abs(t).toFixed(3)
          : "fill: var(--mg-live-bar); fill-opacity: " + (0.06 + 0.94 * t).toFixed(3);
        var g = titled(svgEl("g", { class: "mg-cell", "data-row": o.rows[i], "data-col": o.cols[j], "data-value": f(v) }),
                       o.rows[i] + ", " + o.cols[j] + ": " + f(v));
        g.appendChild(svgEl("rect", { x: left + j * cell, y: top + i * cell, width: cell - 1, height: cell - 1, style: style }));
        if (showText) g.appendChild(svgEl("text", { x: left + j * cell + cell / 2, y: top + i * cell + cell / 2 + 4,
                                                    class: "mg-value" + (!o.diverging && t > 0.55 ? " mg-on-dark" : ""), "text-anchor": "middle" }, f(v)));
        fr.svg.appendChild(g);
      }
    }
    hiddenTable(fr.fig, o.title, [""].concat(o.cols), o.rows.map(function (r, i) {
      return [r].concat(o.values[i].map(function (v) { return v === null || v === undefined ? "" : f(v); }));
    }));
    return fr.fig;
  }

  function niceTicks(lo, hi, count) {
    var span = hi - lo || 1, step = Math.pow(10, Math.floor(Math.log10(span / count)));
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= count) { step *= m; return true; } return false; });
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(+t.toFixed(10));
    return ticks;
  }

  function line(el, o) {
    var f = fmt(o.format);
    var W = widthOf(el), H = W < 480 ? 220 : 260, left = 46, right = 22, top = 12, bottom = 38;
    var xs = [], ys = [];
    o.series.forEach(function (s) { xs = xs.concat(s.xs); ys = ys.concat(s.ys); });
    var x0 = o.xmin !== undefined ? o.xmin : Math.min.apply(null, xs.concat([0]));
    var x1 = o.xmax !== undefined ? o.xmax : Math.max.apply(null, xs.concat([1]));
    var y0 = o.ymin !== undefined ? o.ymin : Math.min.apply(null, ys.concat([Infinity]));
    var y1 = o.ymax !== undefined ? o.ymax : Math.max.apply(null, ys.concat([-Infinity]));
    if (!isFinite(y0)) { y0 = 0; y1 = 1; }
    if (y1 === y0) { y1 += 0.5; y0 -= 0.5; }
    var sx = function (x) { return left + (W - left - right) * (x - x0) / ((x1 - x0) || 1); };
    var sy = function (y) { return top + (H - top - bottom) * (1 - (y - y0) / (y1 - y0)); };
    var fr = frame(el, o.title, W, H, "mg-live-line");
    niceTicks(y0, y1, 5).forEach(function (t) {
      fr.svg.appendChild(svgEl("line", { x1: left, x2: W - right, y1: sy(t), y2: sy(t), class: "mg-grid" }));
      fr.svg.appendChild(svgEl("text", { x: left - 6, y: sy(t) + 4, class: "mg-axis-label", "text-anchor": "end" }, String(t)));
    });
    niceTicks(x0, x1, 6).forEach(function (t) {
      fr.svg.appendChild(svgEl("text", { x: sx(t), y: H - bottom + 16, class: "mg-axis-label", "text-anchor": "middle" }, String(t)));
    });
    fr.svg.appendChild(svgEl("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "mg-axis" }));
    fr.svg.appendChild(svgEl("line", { x1: left, x2: left, y1: top, y2: H - bottom, class: "mg-axis" }));
    if (o.xlabel) fr.svg.appendChild(svgEl("text", { x: (left + W - right) / 2, y: H - 4, class: "mg-axis-title", "text-anchor": "middle" }, o.xlabel));
    if (o.ylabel) fr.svg.appendChild(svgEl("text", { x: 12, y: top + (H - top - bottom) / 2, class: "mg-axis-title", "text-anchor": "middle",
                                                     transform: "rotate(-90 12 " + (top + (H - top - bottom) / 2) + ")" }, o.ylabel));
    o.series.forEach(function (s, k) {
      var pts = s.xs.map(function (x, i) { return sx(x).toFixed(1) + "," + sy(s.ys[i]).toFixed(1); }).join(" ");
      var last = s.ys.length ? s.name + ", last value " + f(s.ys[s.ys.length - 1]) + " at " + s.xs[s.xs.length - 1] : s.name;
      fr.svg.appendChild(titled(svgEl("polyline", { points: pts, class: "mg-series mg-series-" + k, fill: "none" }), last));
    });
    if (o.series.length > 1) {
      var legend = document.createElement("p");
      legend.className = "mg-legend";
      o.series.forEach(function (s, k) {
        var span = document.createElement("span");
        span.className = "mg-key mg-series-" + k;
        span.textContent = s.name;
        legend.appendChild(span);
      });
      fr.fig.appendChild(legend);
    }
    // The data as text: every point of the first series can be thousands of rows,
    // so the table keeps the latest 50 points of each series (the figure's aria
    // label gives the last one).
    var rows = [];
    o.series.forEach(function (s) {
      var start = Math.max(0, s.xs.length - 50);
      for (var i = start; i < s.xs.length; i++) rows.push([s.name, String(s.xs[i]), f(s.ys[i])]);
    });
    hiddenTable(fr.fig, o.title, ["series", o.xlabel || "x", o.ylabel || "y"], rows);
    return fr.fig;
  }

  /* One chip per token; o.more (e.g. "… and 99,902 more tokens") ends the list when the
     widget was sent only the first tokens of a long text. */
  function chips(el, o) {
    el.replaceChildren();
    var ul = document.createElement("ul");
    ul.className = "mg-live-chips";
    o.tokens.forEach(function (t) {
      var li = document.createElement("li");
      li.className = "mg-chip";
      var txt = document.createElement("span");
      txt.className = "mg-chip-text";
      txt.textContent = t.text;
      li.appendChild(txt);
      if (t.id !== undefined && t.id !== null) {
        var id = document.createElement("span");
        id.className = "mg-chip-id";
        id.textContent = String(t.id);
        li.appendChild(id);
      }
      if (t.title) li.title = t.title;
      li.setAttribute("aria-label", t.title || (t.text + (t.id !== undefined ? " = " + t.id : "")));
      ul.appendChild(li);
    });
    if (o.more) {
      var more = document.createElement("li");
      more.className = "mg-chip-more";
      more.textContent = o.more;
      ul.appendChild(more);
    }
    el.appendChild(ul);
    return ul;
  }

  var live = window.MicrogptLive = window.MicrogptLive || {};
  live.render = { bars: bars, heatmap: heatmap, line: line, chips: chips, table: table, svg: svgEl, format: fmt };
})();
