// Chapter 6: the temperature slider (the trained model's first-letter distribution and
// names sampled at that temperature: microgpt.explore.temperature_state) and "type a
// name, see how likely the model finds it, letter by letter" (explore.score_state).
// Both run the package's own Python in the browser (Pyodide).
(function () {
  'use strict';
  const live = MicrogptLive;

  const el = live.el;  // document.createElement with a class and text (runtime.js)

  // A table of exact numbers (data-value holds the full float for tests and copy-paste).
  function numbersTable(caption, header, rows) {
    const table = el('table', 'mg-numbers');
    table.appendChild(el('caption', null, caption));
    const tr = el('tr');
    header.forEach(function (h) { tr.appendChild(el('th', null, h)); });
    table.appendChild(tr);
    rows.forEach(function (r) {
      const row = el('tr');
      r.forEach(function (cell) {
        const td = el('td');
        td.style.padding = '0 0.6em';
        if (typeof cell === 'number') {
          td.textContent = cell.toFixed(4);
          td.dataset.value = String(cell);
        } else {
          td.textContent = cell;
        }
        row.appendChild(td);
      });
      table.appendChild(row);
    });
    return table;
  }

  function temperatureWidget(root, state) {
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
    const ask = live.latestOnly('temperature_state');

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
      ask({ temperature: Number(slider.value), n_names: state.names.length }, root, show,
        function (e) { error.textContent = e.message; });
    });
    show(state);
  }

  function scoreWidget(root, state) {
    const box = live.textInput('your name:', state.name, 'name to score');
    const label = box.label, input = box.input;
    const summary = el('p', 'mg-summary');
    summary.setAttribute('aria-live', 'polite');
    const fig = el('div', 'mg-figure');
    const error = live.errorLine();
    const table = el('div', 'mg-table');
    root.append(label, summary, fig, table, error);
    const ask = live.latestOnly('score_state');

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
      ask({ name: input.value.trim() }, root, show, function (e) { error.textContent = e.message; });
    });
    show(state);
  }

  live.register('inference', function init(root, state) {
    root.innerHTML = '';
    if ('temperature' in state) temperatureWidget(root, state);
    else scoreWidget(root, state);
  });
})();
