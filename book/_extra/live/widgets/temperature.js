// Chapter 6: the temperature slider: the trained model's first-letter distribution and
// names sampled at that temperature, computed by the package's own Python in the browser
// (Pyodide; the call is declared in microgpt/widgets.py).
(function () {
  'use strict';
  const live = MicrogptLive;

  const el = live.el;  // document.createElement with a class and text (runtime.js)
  const numbersTable = live.render.numbers;

  live.register('temperature', function init(root, w) {
    const state = w.state;
    root.replaceChildren();
    const t = live.slider('temperature', { min: 0.05, max: 3, step: 0.05, value: state.temperature,
                                           readout: state.temperature.toFixed(2) });
    const label = t.label, slider = t.input, readout = t.readout;
    const fig = el('div', 'mg-figure');
    const info = el('p', 'mg-summary');
    info.setAttribute('aria-live', 'polite');
    const names = el('p', 'mg-names mg-samples');
    const error = live.errorLine();
    const numbers = el('details', 'mg-details');
    root.append(label, fig, info, names, error, numbers);

    function show(s) {
      error.textContent = '';
      root.dataset.temperature = String(s.temperature);
      live.render.bars(fig, {
        labels: s.labels, values: s.probs, highlight: s.top, format: '.3f', max: 1,  // one scale for every T
        title: 'T = ' + s.temperature.toFixed(2) + ': next token after BOS (the first letter)'
      });
      info.textContent = 'entropy ' + s.entropy.toFixed(2) + ' nats, like ' + s.perplexity.toFixed(1) +
        ' equally likely letters';
      names.textContent = s.names.length + ' names at T = ' + s.temperature.toFixed(2) + ': ' +
        s.names.map(function (n) { return n || '(empty)'; }).join(' ');
      names.dataset.names = JSON.stringify(s.names);
      numbers.innerHTML = '';
      numbers.appendChild(el('summary', null, 'the numbers'));
      numbers.appendChild(numbersTable('p(first letter) at T = ' + s.temperature.toFixed(2), ['token', 'p'],
        s.labels.map(function (l, i) { return [l, s.probs[i]]; })));
    }

    slider.addEventListener('input', function () {
      readout.textContent = Number(slider.value).toFixed(2);
      w.ask('state', { temperature: Number(slider.value) }, show,
        function (e) { error.textContent = e.message; });
    });
    show(state);
  });
})();
