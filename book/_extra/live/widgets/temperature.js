// Chapter 6: the temperature slider. The trained model's distribution of the first
// letter (after BOS) at the slider's temperature, its entropy and names sampled at it:
// the "state" call of microgpt/widgets.py, run in the browser by Pyodide. While the
// reader holds an arrow key, the runtime sends only the newest temperature (w.ask).
// The temperature lives in the page's address (#temperature=temperature:0.8). A reader
// who trained a model of their own (book/your_data.md) may choose it instead of the book's.
(function () {
  'use strict';
  const live = MicrogptLive;
  const el = live.el;

  live.register('temperature', function init(root, w) {
    root.replaceChildren();
    const T0 = w.args('state').temperature;
    const t = live.slider('temperature', { min: 0.05, max: 3, step: 0.05, value: T0, readout: T0.toFixed(2) });
    const slider = t.input, readout = t.readout;
    const controls = el('div', 'mg-live-controls');
    controls.append(t.label);
    const yours = live.modelChoice(controls);
    const fig = el('div', 'mg-figure');
    const info = el('p', 'mg-summary');
    info.setAttribute('aria-live', 'polite');
    const names = el('p', 'mg-names mg-samples');
    const error = live.errorLine();
    const numbers = el('details', 'mg-details');
    root.append(controls, fig, info, names, error, numbers);

    function show(s) {
      error.textContent = '';
      root.dataset.temperature = String(s.temperature);
      const T = s.temperature.toFixed(2);
      live.render.bars(fig, {
        labels: s.labels, values: s.probs, highlight: s.top, format: '.3f', max: 1,  // one scale for every T
        title: 'T = ' + T + ': next token after BOS (the first letter)'
      });
      info.textContent = 'entropy ' + s.entropy.toFixed(2) + ' nats, like ' + s.perplexity.toFixed(1) +
        ' equally likely letters';
      names.textContent = s.names.length + ' names at T = ' + T + ': ' +
        s.names.map(function (n) { return n || '(empty)'; }).join(' ');
      names.dataset.names = JSON.stringify(s.names);
      numbers.replaceChildren(el('summary', null, 'the numbers'),
        live.render.table('p(first letter) at T = ' + T, ['token', 'p'],
                          s.labels.map(function (l, i) { return [l, s.probs[i]]; })));
    }

    function recompute() {
      readout.textContent = Number(slider.value).toFixed(2);
      w.ask('state', { temperature: Number(slider.value), checkpoint: yours.checkpoint() }, show,
            function (e) { error.textContent = e.message; });
    }
    slider.addEventListener('input', function () {
      recompute();
      live.fragment.set('temperature', { temperature: slider.value });
    });
    yours.onChange(recompute);
    show(w.state);

    function restore(saved) {
      if (saved.temperature === undefined || !isFinite(Number(saved.temperature))) return;
      slider.value = saved.temperature;  // the slider keeps it within its range and steps
      recompute();
    }
    const saved = live.fragment.get('temperature');
    if (saved) { restore(saved); root.scrollIntoView(); }
    live.fragment.watch('temperature', restore);
  });
})();
