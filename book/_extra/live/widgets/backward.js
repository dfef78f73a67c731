// Chapter 2: step through backward() node by node on the chapter's expression
// L = -log(a*b + c). The graph, the order and every node's grad after each step come
// from the package (microgpt.explore.backward_state); changing a, b or c runs it again
// in the browser (Pyodide). Orange: the node being processed; green: its children,
// whose grad just grew by local gradient x its grad.
(function () {
  'use strict';
  const live = MicrogptLive;
  const SVG = 'http://www.w3.org/2000/svg';

  const el = live.el;  // document.createElement with a class and text (runtime.js)

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function g6(x) {  // like Python's f'{x:.6g}', without '-0'
    const s = Number(x.toPrecision(6)).toString();
    return s === '-0' ? '0' : s;
  }

  function drawGraph(fig, s, i) {
    const step = s.steps[i];
    const current = step.node === null ? null : s.nodes[step.node];
    const updated = current ? current.children : [];
    const sx = 150, sy = 86, w = 112, h = 64, pad = 8;
    const xs = s.nodes.map(function (n) { return n.x * sx; });
    const ys = s.nodes.map(function (n) { return -n.y * sy; });
    const x0 = Math.min.apply(null, xs) - w / 2 - pad, y0 = Math.min.apply(null, ys) - h / 2 - pad;
    const width = Math.max.apply(null, xs) - x0 + w / 2 + pad, height = Math.max.apply(null, ys) - y0 + h / 2 + pad;
    const root = svg('svg', { viewBox: [x0, y0, width, height].join(' '), role: 'img', class: 'mg-graph',
      'aria-label': step.title, width: '100%' });
    root.style.minWidth = '560px';  // readable on a phone: the figure scrolls sideways instead
    root.appendChild(svg('defs', {})).appendChild(svg('marker', { id: 'mg-arrow', viewBox: '0 0 10 10', refX: '10',
      refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }))
      .appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: 'currentColor' }));
    s.nodes.forEach(function (n, j) {  // edges first, under the boxes
      n.children.forEach(function (c, k) {
        const hot = current && current.id === n.id;
        const a = [xs[c] + w / 2, ys[c]], b = [xs[j] - w / 2, ys[j]];
        root.appendChild(svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: hot ? '#ea580c' : 'currentColor',
          'stroke-opacity': hot ? 1 : 0.5, 'stroke-width': hot ? 3 : 1.2, 'marker-end': 'url(#mg-arrow)' }));
        root.appendChild(svg('text', { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 4, 'text-anchor': 'middle',
          'font-size': 12, 'font-style': 'italic', fill: hot ? '#ea580c' : 'currentColor' }, g6(n.local_grads[k])));
      });
    });
    s.nodes.forEach(function (n, j) {
      const isCurrent = current && current.id === n.id, isUpdated = updated.indexOf(n.id) >= 0;
      const grad = step.grads[j];
      const g = svg('g', { 'aria-label': n.label + ': data ' + g6(n.data) + ', grad ' + g6(grad) });
      g.appendChild(svg('rect', { x: xs[j] - w / 2, y: ys[j] - h / 2, width: w, height: h, rx: 9,
        fill: n.op ? 'rgba(234, 179, 8, 0.16)' : 'rgba(59, 130, 246, 0.16)',
        stroke: isCurrent ? '#ea580c' : isUpdated ? '#16a34a' : 'currentColor',
        'stroke-width': isCurrent || isUpdated ? 3.5 : 1, 'stroke-opacity': isCurrent || isUpdated ? 1 : 0.6 }));
      const head = n.name && n.op ? n.name + ' = ' + n.op : n.label;
      g.appendChild(svg('text', { x: xs[j], y: ys[j] - 12, 'text-anchor': 'middle', 'font-weight': 'bold',
        'font-size': 15, fill: 'currentColor' }, head));
      g.appendChild(svg('text', { x: xs[j], y: ys[j] + 6, 'text-anchor': 'middle', 'font-size': 13,
        fill: 'currentColor' }, 'data ' + g6(n.data)));
      g.appendChild(svg('text', { x: xs[j], y: ys[j] + 23, 'text-anchor': 'middle', 'font-size': 13,
        'font-weight': grad ? 'bold' : 'normal', fill: grad ? '#dc2626' : 'currentColor',
        'fill-opacity': grad ? 1 : 0.55 }, 'grad ' + g6(grad)));
      root.appendChild(g);
    });
    fig.innerHTML = '';
    fig.appendChild(root);
  }

  function gradTable(s, i) {
    const table = el('table', 'mg-numbers');
    table.appendChild(el('caption', null, 'every node after step ' + i + ' (in topological order)'));
    const head = el('tr');
    ['node', 'data', 'grad'].forEach(function (t) { head.appendChild(el('th', null, t)); });
    table.appendChild(head);
    s.nodes.forEach(function (n, j) {
      const tr = el('tr');
      tr.appendChild(el('td', null, n.label));
      [n.data, s.steps[i].grads[j]].forEach(function (v) {
        const td = el('td', null, g6(v));
        td.dataset.value = String(v);
        td.style.padding = '0 0.8em';
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    return table;
  }

  live.register('backward', function init(root, w) {
    const state = w.state;
    root.innerHTML = '';
    const inputs = el('div', 'mg-live-controls');
    const boxes = {};
    ['a', 'b', 'c'].forEach(function (k) {
      const label = el('label', 'mg-control', k + ' = ');
      const box = el('input');
      box.type = 'number';
      box.step = 'any';
      box.value = String(state.inputs[k]);
      box.setAttribute('aria-label', k);
      box.style.width = '4.5em';
      label.appendChild(box);
      inputs.appendChild(label);
      boxes[k] = box;
    });
    const stepper = el('div', 'mg-live-controls');
    const prev = el('button', 'mg-button', '\u25c0 back');
    const next = el('button', 'mg-button', 'next \u25b6');
    prev.type = next.type = 'button';
    const step = live.slider('step', { min: 0, step: 1, value: 0, aria: 'step of backward()' });
    const label = step.label, slider = step.input, readout = step.readout;
    stepper.append(prev, label, next);
    const title = el('p', 'mg-summary');
    title.setAttribute('aria-live', 'polite');
    const order = el('p', 'mg-caption');
    const fig = el('div', 'mg-figure');
    fig.style.overflowX = 'auto';
    const table = el('div', 'mg-table');
    const error = live.errorLine();
    root.append(inputs, stepper, title, error, fig, order, table);

    let current = state;
    function draw() {
      const s = current;
      const i = Math.min(Number(slider.value), s.steps.length - 1);
      slider.max = String(s.steps.length - 1);
      slider.value = String(i);
      readout.textContent = i + ' of ' + (s.steps.length - 1);
      root.dataset.step = String(i);
      title.textContent = s.steps[i].title;
      order.textContent = 'topological order (backward() walks it from the right): ' + s.order.join(' \u2192 ');
      drawGraph(fig, s, i);
      table.innerHTML = '';
      table.appendChild(gradTable(s, i));
      prev.disabled = i === 0;
      next.disabled = i === s.steps.length - 1;
    }

    function recompute() {
      const kwargs = {};
      for (const k in boxes) {
        if (boxes[k].value === '' || !isFinite(Number(boxes[k].value))) return;
        kwargs[k] = Number(boxes[k].value);
      }
      w.ask('state', kwargs, function (s) { error.textContent = ''; current = s; draw(); },
          function (e) { error.textContent = e.message; });
    }
    Object.keys(boxes).forEach(function (k) { boxes[k].addEventListener('change', recompute); });
    slider.addEventListener('input', draw);
    prev.addEventListener('click', function () { slider.value = String(Number(slider.value) - 1); draw(); });
    next.addEventListener('click', function () { slider.value = String(Number(slider.value) + 1); draw(); });
    draw();
  });
})();
