"""
Lines: the package's own source, read line by line (standard library only, so it works
without matplotlib; nothing in the core imports it).

Kinds. classify_source() gives every physical line of a Python source one kind:

    blank, comment, docstring   no code
    checks      input checks: a `raise`, an `if` whose body only raises, a `try` whose
                handlers only raise a clearer error, a check function (CHECK_FUNCTIONS or
                any `check_*`) and every call of one
    trace       trace hooks: the `Trace` class, TRACE_FUNCTIONS, and statements that
                mention TRACE_NAMES only to fill a trace (a statement that does real work
                and merely passes `trace=` along stays algorithm)
    algorithm   every other line of code

Anchors. Chapter 7 points at parts of a function (gpt()'s embedding, attention and MLP
blocks, its residual connections) by comments, in one of two fixed forms, matched as
whole comments, never as substrings of code:

    section   a comment line that reads exactly `# <title>` starts the section, which
              runs to the last line before the next blank line (its paragraph):
              section_lines(GPT.gpt, '2) MLP block')
    tag       every line whose trailing comment reads exactly `# <tag>`:
              tagged_lines(GPT.gpt, 'residual')

A missing anchor, or a section title found twice, raises LookupError: renaming a comment
breaks a test instead of silently moving a figure.
"""

import ast
import inspect
import io
import os
import tokenize
from importlib import import_module

# The six core modules, in reading order: what `python -m microgpt` runs on.
CORE_MODULES = ('data', 'autograd', 'contract', 'model', 'train', 'sample')

# names that mark a statement as part of the optional trace (the book's window into gpt())
TRACE_NAMES = frozenset({'trace', 'record', 'step_trace', 'Trace', 'no_record'})
# functions that only serve the trace (whole definitions)
TRACE_FUNCTIONS = frozenset({'no_record', 'run_sequence'})
# functions that only check their input or build the error a check raises: these and check_*
CHECK_FUNCTIONS = frozenset({'diverged', '_shape', 'vocab_size_of'})

KINDS = ('blank', 'comment', 'docstring', 'checks', 'trace', 'algorithm')


def is_check(name):
    """True for the name of a check function: check_* or one of CHECK_FUNCTIONS."""
    return name is not None and (name in CHECK_FUNCTIONS or name.startswith('check_'))


def _called_name(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _uses_trace_as_argument(node):
    """True for a statement that does real work and only passes a trace along
    (e.g. logits = model.gpt(..., trace=step_trace)): it is not a trace hook."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    return any(kw.arg == 'trace' for c in calls for kw in c.keywords) and isinstance(node, ast.Assign) \
        and not any(isinstance(t, ast.Name) and t.id in TRACE_NAMES for t in node.targets)


def _docstring_lines(tree):
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _check_lines(tree):
    checks = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and node.body and all(isinstance(s, ast.Raise) for s in node.body) \
                and not node.orelse:
            checks.update(range(node.lineno, node.end_lineno + 1))   # an if that only guards a raise
        elif isinstance(node, ast.Raise):
            checks.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, ast.Try) and node.handlers and \
                all(all(isinstance(t, ast.Raise) for t in h.body) for h in node.handlers):
            checks.add(node.lineno)                      # 'try:' whose except clauses only raise a clearer error
            for h in node.handlers:
                checks.update(range(h.lineno, h.end_lineno + 1))
        if isinstance(node, ast.FunctionDef) and is_check(node.name) or isinstance(node, ast.Expr) \
                and isinstance(node.value, ast.Call) and is_check(_called_name(node.value)):
            checks.update(range(node.lineno, node.end_lineno + 1))  # a check function, or a call of one
    return checks


def _trace_lines(tree):
    trace = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == 'Trace' or \
                isinstance(node, ast.FunctionDef) and node.name in TRACE_FUNCTIONS:
            trace.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For)):
            # a simple statement, or the header line of an if, that mentions the trace
            end = node.end_lineno if not isinstance(node, ast.If) else node.body[0].lineno - 1
            names = {n.id for n in ast.walk(node.test if isinstance(node, ast.If) else node)
                     if isinstance(n, ast.Name)}
            if isinstance(node, ast.If) and names & TRACE_NAMES:
                trace.update(range(node.lineno, node.end_lineno + 1))
            elif not isinstance(node, ast.If) and names & TRACE_NAMES and not _uses_trace_as_argument(node):
                trace.update(range(node.lineno, end + 1))
    return trace


def _code_lines(source):
    """The line numbers that hold at least one token of code (not only a comment)."""
    has_code = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
            has_code.update(range(tok.start[0], tok.end[0] + 1))
    return has_code


def classify_source(source):
    """(lines, kinds): every physical line of a Python source and its kind (see KINDS).
    A line that is both a check and a trace hook counts as a check."""
    lines = source.split('\n')
    if lines and lines[-1] == '':
        lines = lines[:-1]
    tree = ast.parse(source)
    docstring, checks, trace, code = _docstring_lines(tree), _check_lines(tree), _trace_lines(tree), \
        _code_lines(source)
    kinds = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            kinds.append('blank')
        elif i in docstring:
            kinds.append('docstring')
        elif i not in code:
            kinds.append('comment')
        else:
            kinds.append('checks' if i in checks else 'trace' if i in trace else 'algorithm')
    return lines, kinds


def classify_lines(path):
    """classify_source() of a Python file: (lines, kinds)."""
    with open(path, encoding='utf-8') as f:
        return classify_source(f.read())


def count_lines(path):
    """How many lines of each kind a Python file has (see classify_lines): total, blank, comment,
    docstring, code; and of the code, checks, trace and the rest, the algorithm."""
    lines, kinds = classify_lines(path)
    counts = {k: kinds.count(k) for k in KINDS}
    counts['code'] = counts['checks'] + counts['trace'] + counts['algorithm']
    counts['total'] = len(lines)
    return counts


def module_path(name):
    """The source file of the core module microgpt.<name>."""
    return inspect.getsourcefile(import_module(f'microgpt.{name}'))


def core_line_counts():
    """count_lines() of each core module, {module name: counts}."""
    return {name: count_lines(module_path(name)) for name in CORE_MODULES}


def core_imports():
    """Every module the core modules import, apart from each other: the 'zero dependencies' claim, checked."""
    found = set()
    for name in CORE_MODULES:
        with open(module_path(name), encoding='utf-8') as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name.split('.')[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split('.')[0])
    return sorted(found)


# ----------------------------------------------------------------------------- anchors

def source_of(obj):
    """(source file, qualified name, source lines, first line number) of a function or class,
    read with inspect from the real object. A decorated function is read by its own source,
    not its wrapper's: functools.wraps (used by @graph_building(), a contextlib decorator)
    leaves the original in __wrapped__."""
    obj = inspect.unwrap(obj)
    lines, first = inspect.getsourcelines(obj)
    return inspect.getsourcefile(obj), obj.__qualname__, [s.rstrip('\n') for s in lines], first


def comments(path):
    """{line number: (comment text after '#', stripped; True if the comment is the whole line)}
    of a Python file, read with tokenize (so a '#' inside a string is no comment)."""
    found = {}
    with open(path, encoding='utf-8') as f:
        for tok in tokenize.generate_tokens(f.readline):
            if tok.type == tokenize.COMMENT:
                whole = not tok.line[:tok.start[1]].strip()
                found[tok.start[0]] = (tok.string[1:].strip(), whole)
    return found


def _anchor_error(what, qualname):
    return LookupError(f"{what} in {qualname}: the package changed; update the anchors of "
                       "chapter 7's table (COMPONENTS in microgpt/viz/picture.py) or restore the comment.")


def section_lines(obj, title):
    """The line numbers of the section `# <title>` of obj's source: from that comment line to
    the last line before the next blank line (see the module docstring)."""
    path, qualname, lines, first = source_of(obj)
    found = comments(path)
    starts = [k for k in range(len(lines)) if found.get(first + k) == (title, True)]
    if len(starts) != 1:
        raise _anchor_error(f"the section comment '# {title}' is found {len(starts)} times", qualname)
    end = starts[0]
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    return list(range(first + starts[0], first + end + 1))


def tagged_lines(obj, tag):
    """The line numbers of obj's source whose trailing comment reads exactly `# <tag>`."""
    path, qualname, lines, first = source_of(obj)
    found = comments(path)
    numbers = [first + k for k in range(len(lines)) if found.get(first + k) == (tag, False)]
    if not numbers:
        raise _anchor_error(f"no line ends with the comment '# {tag}'", qualname)
    return numbers


def locate(obj, anchor=None):
    """Where obj lives in the package: (module file name, qualified name, line numbers).
    anchor None: every line of obj; ('section', title) or ('tag', tag): those lines only."""
    path, qualname, lines, first = source_of(obj)
    if anchor is None:
        numbers = list(range(first, first + len(lines)))
    elif anchor[0] == 'section':
        numbers = section_lines(obj, anchor[1])
    elif anchor[0] == 'tag':
        numbers = tagged_lines(obj, anchor[1])
    else:
        raise ValueError(f"an anchor is ('section', title) or ('tag', tag), got {anchor!r}")
    return os.path.basename(path), qualname, numbers
