// The one ES module the book serves for its code editor (book/_extra/vendor/codemirror/
// codemirror.mjs), bundled from the pinned npm packages by scripts/vendor_js.sh. It only
// re-exports: book/_extra/live/editor.mjs (the book's own code) puts the editor together.
export { EditorState } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
export { classHighlighter } from "@lezer/highlight";
export { python } from "@codemirror/lang-python";
