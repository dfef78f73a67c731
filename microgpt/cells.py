"""
Cells: a chapter's code cells, run in the HTML page the way Jupyter runs them (standard
library only; nothing in the core imports it).

Two halves, one per side of the book:

    plan(cells)      at build time (book/_ext/microgpt_cells.py): which code cells can run in
                     the browser's Pyodide, which earlier cells each one needs first, and, for
                     every other cell, the reason in words ("it needs matplotlib").
    run(ns, source)  in the page's code worker (book/_extra/live/worker.js): execute one
                     cell in the chapter's namespace and answer what Jupyter would show:
                     printed text, the value of the last expression, or a short traceback
                     that ends with the exception's own message; plus the verdicts of any
                     exercise checked (microgpt.exercises.check) while it ran.

The browser has the standard library and the package's pure-Python modules, nothing else
(no NumPy or matplotlib wheels for Pyodide can be had from a registry), so a cell runs there
only if it imports nothing from BROWSERLESS, names none of those modules, asks for the NumPy
engine nowhere, and uses only names that earlier runnable cells define.
"""

import ast
import builtins
import contextlib
import io
import json
import linecache
import os
import traceback

# What the browser cannot import, with the words a reader sees.
BROWSERLESS = {
    'numpy': 'NumPy', 'matplotlib': 'matplotlib', 'ipywidgets': 'ipywidgets', 'IPython': 'IPython',
    'microgpt.viz': 'the figures (microgpt.viz)', 'microgpt.numpy_engine': 'the NumPy engine',
    'pandas': 'pandas', 'torch': 'PyTorch', 'scipy': 'SciPy',
    # the browser's Python has no processes and no threads
    'subprocess': 'other processes (subprocess)', 'multiprocessing': 'other processes (multiprocessing)',
    'threading': 'threads', 'concurrent': 'threads or processes (concurrent.futures)',
}
OUTPUT_LIMIT = 20_000   # characters of printed output a cell shows; the rest is cut, with a note
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
WIDTH = 79              # IPython's line width for the value of the last expression


# ----------------------------------------------------------------------------- build time

def _module_of(name):
    """'numpy' for 'numpy.linalg', 'microgpt.viz' for 'microgpt.viz.common': the BROWSERLESS key."""
    for key in BROWSERLESS:
        if name == key or name.startswith(key + '.'):
            return key
    return None


def _dotted(node):
    """'microgpt.viz.trained_run' for that attribute chain, or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return '.'.join([node.id] + parts[::-1])
    return None


class _Names(ast.NodeVisitor):
    """What one cell defines, uses, mutates and imports (a deliberately simple, module-level
    reading: a name bound anywhere in the cell counts as defined by it)."""

    def __init__(self):
        self.defined, self.used, self.mutated, self.modules = set(), set(), set(), {}
        self.needs = []   # reasons this cell cannot run in the browser
        self.imports = {}  # name bound by importing a BROWSERLESS module -> that module's words

    def _need(self, what):
        if what not in self.needs:
            self.needs.append(what)

    def visit_Import(self, node):
        for a in node.names:
            bound = a.asname or a.name.split('.')[0]
            self.defined.add(bound)
            self.modules[bound] = a.name if a.asname else a.name.split('.')[0]
            if _module_of(a.name):
                self._need(BROWSERLESS[_module_of(a.name)])
                self.imports[bound] = BROWSERLESS[_module_of(a.name)]

    def visit_ImportFrom(self, node):
        base = node.module or ''
        for a in node.names:
            bound = a.asname or a.name
            self.defined.add(bound)
            full = f'{base}.{a.name}'
            self.modules[bound] = full
            key = _module_of(base) or _module_of(full)
            if key:
                self._need(BROWSERLESS[key])
                self.imports[bound] = BROWSERLESS[key]

    def visit_Name(self, node):
        (self.used if isinstance(node.ctx, ast.Load) else self.defined).add(node.id)

    def visit_Attribute(self, node):
        dotted = _dotted(node)
        if dotted:
            root = dotted.split('.')[0]
            full = self.modules.get(root, root) + dotted[len(root):]
            if _module_of(full):
                self._need(BROWSERLESS[_module_of(full)])
        if not isinstance(node.ctx, ast.Load):
            self._mutates(node.value)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if not isinstance(node.ctx, ast.Load):
            self._mutates(node.value)
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute):   # x.method(...) may change x
            self._mutates(node.func.value)
        for kw in node.keywords:
            if kw.arg == 'engine' and isinstance(kw.value, ast.Constant) and kw.value.value == 'numpy':
                self._need(BROWSERLESS['microgpt.numpy_engine'])
        self.generic_visit(node)

    def _mutates(self, node):
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name):
            self.mutated.add(node.id)

    def _function(self, node):
        self.defined.add(node.name)
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            self.defined.add(a.arg)
        for a in (node.args.vararg, node.args.kwarg):
            if a:
                self.defined.add(a.arg)
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node):
        self.defined.add(node.name)
        self.generic_visit(node)

    def visit_Lambda(self, node):
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            self.defined.add(a.arg)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.defined.add(node.name)
        self.generic_visit(node)


def _reading(source):
    names = _Names()
    try:
        names.visit(ast.parse(source))
    except SyntaxError:
        names._need('IPython (it is not plain Python)')
    return names


def _words(items):
    return items[0] if len(items) == 1 else ', '.join(items[:-1]) + ' and ' + items[-1]


def plan(cells):
    """cells: [{'index', 'source', 'hidden'}] in notebook order (hidden: a solution in a toggle).
    Returns one dict per cell: {'index', 'runnable', 'needs': [earlier indices to run first],
    'reason': None or why it runs only in Jupyter}.

    A cell runs in the browser if it needs nothing BROWSERLESS and every name it uses (beyond
    the builtins) is defined by an earlier runnable cell that no cell since has rebound or
    changed in the browserless part. A cell's prerequisites are the earlier runnable cells,
    as "run all above" would run them, except hidden solutions: those run only when the reader
    runs them (running one would replace the reader's own function with the book's)."""
    available = {}     # name -> the runnable cell that defined it
    lacking = {}       # name -> what the cell that last bound or changed it needs (BROWSERLESS words)
    modules = set()    # names bound by an import: calling module.f(...) does not change the module
    done, out = [], []
    for cell in cells:
        names = _reading(cell['source'])
        modules |= set(names.modules)
        free = names.used - names.defined - set(dir(builtins))
        missing = sorted(n for n in free if n not in available)
        needs = list(names.needs)
        for n in missing:
            needs += [w for w in lacking.get(n, ['a name no cell above defines']) if w not in needs]
        reason = f"it needs {_words(needs)}" if needs else None
        runnable = reason is None
        out.append({'index': cell['index'], 'runnable': runnable,
                    'needs': list(done) if runnable else [], 'reason': reason})
        if runnable and not cell.get('hidden'):
            done.append(cell['index'])
            for n in names.defined:
                available[n] = cell['index']
                lacking.pop(n, None)
        elif not runnable:
            for n in names.defined | (names.mutated - modules):
                available.pop(n, None)
                # plt lacks matplotlib, vd the figures; any other name, what its cell needs
                lacking[n] = [names.imports[n]] if n in names.imports else needs
    return out


# ----------------------------------------------------------------------------- in the page

class _Capped(io.TextIOBase):
    """A stdout that keeps the first OUTPUT_LIMIT characters and counts the rest."""

    def __init__(self, limit=OUTPUT_LIMIT):
        self.parts, self.size, self.limit, self.dropped = [], 0, limit, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        return ''.join(self.parts)


def pretty(value, indent=0):
    """The value of a cell's last expression as Jupyter shows it (IPython's pretty printer, for
    the built-in containers): its repr if that fits the line, else one item per line."""
    text = repr(value)
    if indent + len(text) <= WIDTH or not isinstance(value, (list, tuple, dict, set)) or not value:
        return text
    pad = ' ' * (indent + 1)
    if isinstance(value, dict):
        items = [f"{k!r}: {pretty(v, indent + 1 + len(repr(k)) + 2)}" for k, v in value.items()]
        brackets = '{}'
    else:
        items = [pretty(v, indent + 1) for v in (sorted(value, key=repr) if isinstance(value, set) else value)]
        brackets = '()' if isinstance(value, tuple) else '{}' if isinstance(value, set) else '[]'
        if isinstance(value, tuple) and len(value) == 1:
            items[0] += ','
    return brackets[0] + (',\n' + pad).join(items) + brackets[1]


_namespaces = {}


def namespace(key):
    """The namespace of one chapter's cells (created on first use), apart from the widgets'."""
    return _namespaces.setdefault(key, {'__name__': '__main__', '__builtins__': builtins})


def _short_traceback(exc, filename):
    """The frames of the reader's cell and the last frame outside it, then the exception's own
    message: enough to see which line failed and why, as Jupyter's traceback would say."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    shown = [f for f in frames if f.filename == filename]
    if frames and frames[-1].filename != filename:
        shown.append(frames[-1])
    for f in shown:  # the package's files by their name in the package, wherever it is installed
        if f.filename.startswith(_PACKAGE_DIR):
            f.filename = 'microgpt' + f.filename[len(_PACKAGE_DIR):]
    lines = ['Traceback (most recent call last):\n'] + traceback.format_list(shown)
    return ''.join(lines + traceback.format_exception_only(type(exc), exc)).rstrip('\n')


def run(key, source, name='cell'):
    """Run one cell's source in namespace `key`; a JSON string:
    {"stdout": printed text (stdout and stderr, cut at OUTPUT_LIMIT), "cut": characters cut,
     "value": the last expression's pretty repr or null, "error": null or {"type", "message",
     "traceback"}, "verdicts": the exercise checks made while it ran}."""
    from . import exercises
    ns = namespace(key)
    filename = f'<{name}>'
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    out = _Capped()
    value = error = None
    verdicts = getattr(exercises, 'verdicts', [])  # check() appends to it
    del verdicts[:]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            tree = ast.parse(source, filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, filename, 'exec'), ns)
            if last is not None:
                result = eval(compile(ast.Expression(last.value), filename, 'eval'), ns)
                if result is not None:
                    ns['_'] = result
                    value = pretty(result)
        except (Exception, KeyboardInterrupt, SystemExit) as exc:  # noqa: BLE001 - the reader's code
            error = {'type': type(exc).__name__, 'message': str(exc),
                     'traceback': _short_traceback(exc, filename)}
    answer = {'stdout': out.text(), 'cut': out.dropped, 'value': value, 'error': error,
              'verdicts': list(verdicts)}
    del verdicts[:]
    return json.dumps(answer)
