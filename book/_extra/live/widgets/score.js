// Chapter 6: type a name, see how likely the trained model finds it, letter by letter
// (-log p of each next letter, their mean and the uniform guess: the "state" call of
// microgpt/widgets.py, run in the browser by Pyodide). The package reads the name as
// chapter 4's attention widget does ('Emma' is 'emma'). The name lives in the page's
// address (#score=name:emma). A reader who trained a model of their own
// (book/your_data.md) may choose it instead of the book's.
(function () {
  'use strict';
  const live = MicrogptLive;
  const el = live.el;

  live.register('score', function init(root, w) {
    root.replaceChildren();
    const box = live.textInput('your name:', w.args('state').name, 'name to score');
    const input = box.input;
    const controls = el('div', 'mg-live-controls');
    controls.append(box.label);
    const yours = live.modelChoice(controls);
    const summary = el('p', 'mg-summary');
    summary.setAttribute('aria-live', 'polite');
    const fig = el('div', 'mg-figure');
    const error = live.errorLine();
    const table = el('div', 'mg-table');
    root.append(controls, summary, fig, table, error);

    function show(s) {
      error.textContent = s.error || '';
      fig.replaceChildren();
      table.replaceChildren();
      if (s.error) {
        summary.textContent = '';
        return;
      }
      summary.textContent = JSON.stringify(s.name) + ': mean \u2212log p = ' + s.mean.toFixed(4) +
        ' per prediction (perplexity ' + s.perplexity.toFixed(2) + '; uniform guess: ' + s.uniform.toFixed(4) + ')';
      summary.dataset.mean = String(s.mean);
      const nll = s.rows.map(function (r) { return r.nll; });
      live.render.bars(fig, {
        labels: s.rows.map(function (r) { return r.input + '\u2192' + r.target; }),
        values: nll, format: '.2f', max: 1.15 * Math.max.apply(null, nll.concat([s.uniform])),
        title: '\u2212log p of each next letter (higher: more surprising)'
      });
      table.appendChild(live.render.table('letter by letter', ['pos', 'input', 'target', 'p(target)', '\u2212log p'],
        s.rows.map(function (r) { return [String(r.pos), r.input, r.target, r.p, r.nll]; })));
    }

    function recompute() {
      w.ask('state', { name: input.value, checkpoint: yours.checkpoint() }, show, function (e) { show({ error: e.message }); });
    }
    input.addEventListener('input', function () {
      recompute();
      live.fragment.set('score', { name: input.value });
    });
    yours.onChange(recompute);
    show(w.state);

    function restore(saved) {
      if (saved.name === undefined) return;
      input.value = saved.name;
      recompute();
    }
    const saved = live.fragment.get('score');
    if (saved) { restore(saved); root.scrollIntoView(); }
    live.fragment.watch('score', restore);
  });
})();
