// Chapter 1: type any text, see its tokens. The tokens come from the package's own
// Tokenizer (microgpt.explore.tokens_state), run in the browser by Pyodide; a character
// outside the vocabulary shows the tokenizer's own error message.
(function () {
  'use strict';
  MicrogptLive.register('tokens', function init(root, w) {
    const state = w.state;
    const live = MicrogptLive;
    root.innerHTML = '';
    const text = live.textInput('text:', state.text, 'text to tokenize');
    const chips = live.el('div', 'mg-figure');
    const summary = live.el('p', 'mg-summary');
    summary.setAttribute('aria-live', 'polite');
    const error = live.errorLine();
    const input = text.input;
    root.append(text.label, chips, summary, error);

    function show(s) {
      error.textContent = s.error || '';
      chips.innerHTML = '';
      if (s.error) {
        summary.textContent = '';
        return;
      }
      live.render.chips(chips, {
        tokens: s.tokens.map(function (t) { return { text: t.text, id: t.id, title: t.text + ': token id ' + t.id }; })
      });
      summary.textContent = s.ids.length + ' tokens: [' + s.ids.join(', ') + ']; decode(tokens) = ' +
        JSON.stringify(s.decoded);
      root.dataset.ids = s.ids.join(',');
    }

    input.addEventListener('input', function () {
      w.ask('state', { text: input.value }, show, function (e) { show({ error: e.message }); });
    });
    show(state);
  });
})();
