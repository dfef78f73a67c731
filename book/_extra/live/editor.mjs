/* microgpt live: the code editor of a runnable cell (cells.js imports this module the first
 * time a reader clicks Edit; never on page load).
 *
 *   createEditor(holder, {doc, label, onRun, onChange}) -> {getValue(), setValue(text), focus()}
 *
 * CodeMirror 6, vendored from npm at pinned, integrity-checked versions and bundled into one
 * module by scripts/vendor_js.sh (../vendor/codemirror/codemirror.mjs). What a reader editing
 * a few lines of Python needs, nothing more: Python highlighting and indentation, line
 * numbers, bracket matching, undo/redo, the default keys; Tab indents (Shift+Tab dedents),
 * and Escape then Tab leaves the editor (CodeMirror's escape from the Tab trap, said in the
 * editor's label for screen readers); Shift+Enter and Ctrl+Enter (Cmd+Enter) run the cell.
 * The colours are CSS variables (cells.css): the editor follows the book's light and dark
 * modes and highlights with the same colours as the static listing it replaces.
 */
import {
  EditorState, EditorView, keymap, lineNumbers, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars, defaultKeymap, history, historyKeymap, indentWithTab, bracketMatching,
  indentOnInput, indentUnit, syntaxHighlighting, classHighlighter, python,
} from "../vendor/codemirror/codemirror.mjs";

// Layout only: every colour comes from cells.css (.mg-cell-editor), by CSS variable.
const theme = EditorView.theme({
  "&": { color: "var(--mg-code-fg)", backgroundColor: "var(--mg-code-bg)", fontSize: "0.84rem" },
  ".cm-scroller": { fontFamily: "var(--pst-font-family-monospace, monospace)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--mg-code-fg)", padding: "0.5rem 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--mg-code-fg)" },
  "&.cm-focused": { outline: "3px solid var(--mg-accent-2, #db2777)", outlineOffset: "2px" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "var(--mg-code-selection)" },
  ".cm-gutters": { backgroundColor: "var(--mg-code-bg)", color: "var(--mg-code-muted)", border: "none" },
  ".cm-activeLineGutter": { backgroundColor: "var(--mg-code-active)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--mg-code-match)", outline: "1px solid var(--mg-code-muted)" },
  "&.cm-focused .cm-nonmatchingBracket": { color: "var(--mg-code-bad)" },
});

export function createEditor(holder, { doc, label, onRun, onChange }) {
  const run = () => { if (onRun) onRun(); return true; };
  const view = new EditorView({
    parent: holder,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), python(), syntaxHighlighting(classHighlighter),
        indentUnit.of("    "), EditorState.tabSize.of(4),
        keymap.of([{ key: "Shift-Enter", run }, { key: "Mod-Enter", run },
                   ...defaultKeymap, ...historyKeymap, indentWithTab]),
        // tabindex 0: the content is a Tab stop (it is one anyway, as contenteditable), said
        // out loud so that checkers see the scrollable editor has keyboard-focusable content.
        EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
        theme,
      ],
    }),
  });
  return {
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
