// Chapter 1: type any text, see its tokens. The tokens, the summary line under them and
// the tokenizer's own error message for a character outside the vocabulary all come from
// the package (the "state" call of microgpt/widgets.py), run in the browser by Pyodide.
// A long paste is drawn as its first tokens (the package says how many more there are).
(function () {
  'use strict';
  const live = MicrogptLive;

  live.register('tokens', function init(root, w) {
    root.replaceChildren();
    const text = live.textInput('text:', w.args('state').text, 'text to tokenize');
    const chips = live.el('div', 'mg-figure');
    const summary = live.el('p', 'mg-summary');
    summary.setAttribute('aria-live', 'polite');
    const error = live.errorLine();
    const input = text.input;
    root.append(text.label, chips, summary, error);

    function show(s) {
      error.textContent = s.error || '';
      chips.replaceChildren();
      summary.textContent = s.summary || '';
      root.dataset.ids = s.error ? '' : s.ids.join(',');
      root.dataset.count = s.error ? '0' : String(s.count);
      if (s.error) return;
      live.render.chips(chips, {
        tokens: s.tokens.map(function (t) { return { text: t.text, id: t.id, title: t.text + ': token id ' + t.id }; }),
        more: s.more
      });
    }

    input.addEventListener('input', function () {
      w.ask('state', { text: input.value }, show, function (e) { show({ error: e.message }); });
    });
    show(w.state);
  });
})();
