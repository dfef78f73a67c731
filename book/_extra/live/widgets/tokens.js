// Chapter 1: type any text, see its tokens. The tokens come from the package's own
// Tokenizer (microgpt.explore.tokens_state), run in the browser by Pyodide; a character
// outside the vocabulary shows the tokenizer's own error message.
(function () {
  'use strict';
  MicrogptLive.register('tokens', function init(root, state) {
    root.innerHTML = '';
    const label = document.createElement('label');
    label.className = 'mg-control';
    label.textContent = 'text: ';
    const input = document.createElement('input');
    input.type = 'text';
    input.value = state.text;
    input.spellcheck = false;
    input.setAttribute('aria-label', 'text to tokenize');
    label.appendChild(input);
    const chips = document.createElement('div');
    chips.className = 'mg-figure';
    const summary = document.createElement('p');
    summary.className = 'mg-summary';
    summary.setAttribute('aria-live', 'polite');
    const error = document.createElement('p');
    error.className = 'mg-error';
    error.setAttribute('role', 'alert');
    error.style.color = 'var(--pst-color-danger, #b91c1c)';
    root.append(label, chips, summary, error);

    function show(s) {
      error.textContent = s.error || '';
      chips.innerHTML = '';
      if (s.error) {
        summary.textContent = '';
        return;
      }
      MicrogptLive.render.chips(chips, {
        tokens: s.tokens.map(function (t) { return { text: t.text, id: t.id, title: t.text + ': token id ' + t.id }; })
      });
      summary.textContent = s.ids.length + ' tokens: [' + s.ids.join(', ') + ']; decode(tokens) = ' +
        JSON.stringify(s.decoded);
      root.dataset.ids = s.ids.join(',');
    }

    let latest = 0;
    input.addEventListener('input', function () {
      const mine = ++latest;
      MicrogptLive.call('explore', 'tokens_state', { text: input.value }, { el: root })
        .then(function (s) { if (mine === latest) show(s); })
        .catch(function (e) { if (mine === latest) show({ error: e.message }); });
    });
    show(state);
  });
})();
