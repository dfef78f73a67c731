// Chapter 4: step through attention. Type a name, choose a model (the package lists them)
// and move through the positions: what the KV cache holds, each head's attention weights
// over it and the next-token distribution (the "state" call of microgpt/widgets.py, run
// in the browser by Pyodide; moving the position slider only redraws). The name, model and
// position live in the page's address (#attention=name:olivia,model:trained,pos:3), so a
// link opens one exact attention pattern.
(function () {
  'use strict';
  const live = MicrogptLive;
  const el = live.el;

  live.register('attention', function init(root, w) {
    root.replaceChildren();
    const args = w.args('state');
    const controls = el('div', 'mg-live-controls');
    const nameBox = live.textInput('name', args.name, 'name'), name = nameBox.input;
    const model = live.select('model', w.state.models, args.model);
    const pos = live.slider('position', { min: 0, step: 1, value: 0 });
    const slider = pos.input, readout = pos.readout;
    controls.append(nameBox.label, model.label, pos.label);
    const heading = el('p', 'mg-summary');
    heading.setAttribute('aria-live', 'polite');
    const cache = el('div', 'mg-figure mg-cache');
    const attn = el('div', 'mg-figure');
    const dist = el('div', 'mg-figure');
    const error = live.errorLine();
    root.append(controls, heading, error, cache, attn, dist);

    let current = w.state;
    let wantPos = null;  // a position from the address, applied once its name's state is drawn

    function remember() {
      live.fragment.set('attention', { name: name.value, model: model.select.value, pos: slider.value });
    }

    function draw() {
      const s = current;
      if (s.error || !s.steps.length) {
        heading.textContent = '';
        [cache, attn, dist].forEach(function (e) { e.replaceChildren(); });
        return;
      }
      const i = Math.min(Number(slider.value), s.steps.length - 1);
      slider.max = String(s.steps.length - 1);
      slider.value = String(i);
      readout.textContent = String(i);
      const step = s.steps[i];
      root.dataset.position = String(step.pos);
      heading.textContent = '\u201c' + s.name + '\u201d, ' + s.model + ' model, position ' + step.pos +
        ': input \u2018' + step.token + '\u2019 \u2192 predict the next token (truth: \u2018' + step.next + '\u2019)';
      // 1. the KV cache: the keys and values of the positions so far, empty slots after
      const slots = [];
      for (let k = 0; k < s.block_size; k++) {
        slots.push(k < step.cache.length
          ? { text: step.cache[k], id: k, title: 'slot ' + k + ': k, v of \u2018' + step.cache[k] + '\u2019' + (k === i ? ' (new)' : '') }
          : { text: '\u00b7', id: k, title: 'slot ' + k + ': empty' });
      }
      const chips = el('div');
      cache.replaceChildren(el('p', 'mg-caption', 'KV cache: the keys and values of ' + step.cache.length + ' of ' +
        s.block_size + ' positions'), chips);
      live.render.chips(chips, { tokens: slots });
      // 2. each head's attention weights over the cache
      // every slot of the context is a column, as in the chapter's figure: the ones
      // not cached yet stay empty (a position never attends to the future)
      const cols = [], values = step.attn.map(function () { return []; });
      for (let k = 0; k < s.block_size; k++) {
        cols.push(k < step.cache.length ? k + ':' + step.cache[k] : String(k));
        step.attn.forEach(function (row, h) { values[h].push(k < row.length ? row[k] : null); });
      }
      live.render.heatmap(attn, {
        rows: step.attn.map(function (_, h) { return 'head ' + h; }),
        cols: cols, values: values, format: '.2f',
        title: 'attention of position ' + step.pos + ' (\u2018' + step.token + '\u2019) over the cache, per head (each row sums to 1)'
      });
      // 3. the next-token distribution, the true next token highlighted
      const top = step.probs.indexOf(Math.max.apply(null, step.probs));
      live.render.bars(dist, {
        labels: s.labels, values: step.probs, highlight: step.next_id, format: '.3f',
        max: Math.max(0.3, 1.15 * step.probs[top]),
        title: 'next-token distribution: p(\u2018' + step.next + '\u2019) = ' + step.probs[step.next_id].toFixed(3) +
          ' (top guess \u2018' + s.labels[top] + '\u2019, ' + step.probs[top].toFixed(3) + ')'
      });
    }

    function show(s) {
      current = s;
      error.textContent = s.error || '';
      if (wantPos !== null && s.steps.length) {
        slider.max = String(s.steps.length - 1);
        slider.value = String(wantPos);
        wantPos = null;
      }
      draw();
    }

    function recompute() {
      w.ask('state', { name: name.value, model: model.select.value }, show,
            function (e) { show({ error: e.message, steps: [] }); });
    }
    name.addEventListener('input', function () { recompute(); remember(); });
    model.select.addEventListener('change', function () { recompute(); remember(); });
    slider.addEventListener('input', function () { draw(); remember(); });

    function restore(saved) {
      if (saved.name !== undefined) name.value = saved.name;
      if (saved.model !== undefined && current.models.indexOf(saved.model) >= 0) model.select.value = saved.model;
      wantPos = saved.pos !== undefined && isFinite(Number(saved.pos)) ? Number(saved.pos) : null;
      if (name.value !== current.name || model.select.value !== current.model) recompute(); else show(current);
    }
    show(w.state);
    const saved = live.fragment.get('attention');
    if (saved) { restore(saved); root.scrollIntoView(); }
    live.fragment.watch('attention', restore);
  });
})();
