// Chapter 2: step through backward() node by node on the chapter's expression
// L = -log(a*b + c). The graph, the order, every node's grad after each step and every
// number as the figure prints it come from the package (the "state" call of
// microgpt/widgets.py); changing a, b or c runs it again in the browser (Pyodide), and
// the package says what is wrong with a box it cannot use. The colours are live.css's:
// the node being processed (mg-current), its children, whose grad just grew by local
// gradient x its grad (mg-updated), a nonzero grad (mg-grad-nonzero).
(function () {
  'use strict';
  const live = MicrogptLive;
  const el = live.el;
  const svg = live.render.svg;

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
    root.appendChild(svg('defs', {})).appendChild(svg('marker', { id: 'mg-arrow', viewBox: '0 0 10 10', refX: '10',
      refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }))
      .appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'mg-arrowhead' }));
    s.nodes.forEach(function (n, j) {  // edges first, under the boxes
      const hot = current && current.id === n.id ? ' mg-current' : '';
      n.children.forEach(function (c, k) {
        const a = [xs[c] + w / 2, ys[c]], b = [xs[j] - w / 2, ys[j]];
        root.appendChild(svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: 'mg-edge' + hot,
          'marker-end': 'url(#mg-arrow)' }));
        root.appendChild(svg('text', { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 4, 'text-anchor': 'middle',
          class: 'mg-local-grad' + hot }, n.local_grads_text[k]));
      });
    });
    s.nodes.forEach(function (n, j) {
      const mark = current && current.id === n.id ? ' mg-current' : updated.indexOf(n.id) >= 0 ? ' mg-updated' : '';
      const grad = step.grads_text[j];
      const g = svg('g', { class: 'mg-node' + (n.op ? ' mg-node-op' : ' mg-node-leaf') + mark,
        'aria-label': n.label + ': data ' + n.data_text + ', grad ' + grad });
      g.appendChild(svg('rect', { x: xs[j] - w / 2, y: ys[j] - h / 2, width: w, height: h, rx: 9 }));
      const head = n.name && n.op ? n.name + ' = ' + n.op : n.label;
      g.appendChild(svg('text', { x: xs[j], y: ys[j] - 12, 'text-anchor': 'middle', class: 'mg-node-head' }, head));
      g.appendChild(svg('text', { x: xs[j], y: ys[j] + 6, 'text-anchor': 'middle', class: 'mg-node-data' },
        'data ' + n.data_text));
      g.appendChild(svg('text', { x: xs[j], y: ys[j] + 23, 'text-anchor': 'middle',
        class: 'mg-node-grad' + (step.grads[j] ? ' mg-grad-nonzero' : '') }, 'grad ' + grad));
      root.appendChild(g);
    });
    fig.replaceChildren(root);
  }

  live.register('backward', function init(root, w) {
    root.replaceChildren();
    const args = w.args('state');
    const inputs = el('div', 'mg-live-controls');
    const boxes = {};
    Object.keys(args).forEach(function (k) {  // the boxes a, b, c: text, so the package reads what was typed
      const box = live.textInput(k + ' =', String(args[k]), k);
      box.input.inputMode = 'decimal';
      box.input.classList.add('mg-number-box');
      inputs.appendChild(box.label);
      boxes[k] = box.input;
    });
    const stepper = el('div', 'mg-live-controls');
    const prev = live.button('\u25c0 back', 'mg-button');
    const next = live.button('next \u25b6', 'mg-button');
    const step = live.slider('step', { min: 0, step: 1, value: 0, aria: 'step of backward()' });
    const slider = step.input, readout = step.readout;
    stepper.append(prev, step.label, next);
    const title = el('p', 'mg-summary');
    title.setAttribute('aria-live', 'polite');
    const order = el('p', 'mg-caption');
    const fig = el('div', 'mg-figure mg-graph-figure');
    const scrolls = live.scrollable(fig, 'computation graph');  // a phone scrolls it sideways
    const table = el('div', 'mg-table');
    const error = live.errorLine();
    root.append(inputs, stepper, title, error, fig, order, table);

    let current = w.state;
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
      scrolls();
      table.replaceChildren(live.render.table('every node after step ' + i + ' (in topological order)',
        ['node', 'data', 'grad'], s.nodes.map(function (n, j) {
          return [n.label, { text: n.data_text, value: n.data },
                  { text: s.steps[i].grads_text[j], value: s.steps[i].grads[j] }];
        })));
      prev.disabled = i === 0;
      next.disabled = i === s.steps.length - 1;
    }

    // Until the numbers are usable again, the graph and table (of the last usable ones) stay dimmed.
    function stale(yes) {
      root.classList.toggle('mg-stale', yes);
      root.dataset.error = yes ? '1' : '';
    }

    function recompute() {
      const typed = {};
      Object.keys(boxes).forEach(function (k) { typed[k] = boxes[k].value; });
      w.ask('state', typed, function (s) { error.textContent = ''; stale(false); current = s; draw(); },
            function (e) { error.textContent = e.message; stale(true); });
    }
    Object.keys(boxes).forEach(function (k) { boxes[k].addEventListener('change', recompute); });
    slider.addEventListener('input', draw);
    prev.addEventListener('click', function () { slider.value = String(Number(slider.value) - 1); draw(); });
    next.addEventListener('click', function () { slider.value = String(Number(slider.value) + 1); draw(); });
    draw();
  });
})();
