// Chapter 6: "type a name, see how likely the model finds it, letter by letter",
// computed by the package's own Python in the browser (Pyodide; the call is declared in
// microgpt/widgets.py).
(function () {
  'use strict';
  const live = MicrogptLive;

  const el = live.el;  // document.createElement with a class and text (runtime.js)
  const numbersTable = live.render.numbers;

  live.register('score', function init(root, w) {
    const state = w.state;
    root.replaceChildren();
    const box = live.textInput('your name:', state.name, 'name to score');
    const label = box.label, input = box.input;
    const summary = el('p', 'mg-summary');
    summary.setAttribute('aria-live', 'polite');
    const fig = el('div', 'mg-figure');
    const error = live.errorLine();
    const table = el('div', 'mg-table');
    root.append(label, summary, fig, table, error);

    function show(s) {
      error.textContent = s.error || '';
      fig.innerHTML = '';
      table.innerHTML = '';
      if (s.error) {
        summary.textContent = '';
        return;
      }
      summary.textContent = JSON.stringify(s.name) + ': mean \u2212log p = ' + s.mean.toFixed(4) +
        ' per prediction (perplexity ' + s.perplexity.toFixed(2) + '; uniform guess: ' + s.uniform.toFixed(4) + ')';
      summary.dataset.mean = String(s.mean);
      live.render.bars(fig, {
        labels: s.rows.map(function (r) { return r.input + '\u2192' + r.target; }),
        values: s.rows.map(function (r) { return r.nll; }), format: '.2f',
        max: 1.15 * Math.max.apply(null, s.rows.map(function (r) { return r.nll; }).concat([s.uniform])),
        title: '\u2212log p of each next letter (higher: more surprising)'
      });
      table.appendChild(numbersTable('letter by letter', ['pos', 'input', 'target', 'p(target)', '\u2212log p'],
        s.rows.map(function (r) { return [String(r.pos), r.input, r.target, r.p, r.nll]; })));
    }

    input.addEventListener('input', function () {
      w.ask('state', { name: input.value.trim() }, show, function (e) { error.textContent = e.message; });
    });
    show(state);
  });
})();
