"""
Exercises: "write it yourself", checked. Each chapter's pieces of microgpt, written by the
reader and run against hidden tests that say which case failed, what came back, what was
expected and, for the typical mistakes, why.

    from microgpt.exercises import check
    check('softmax', softmax)       # or check('softmax', globals()), or check('softmax')
    ✓ softmax: all 7 cases pass

`result(exercise_id, namespace)` returns the same verdict as JSON-able data (for the browser,
which runs this module in Pyodide), and `exercises()` lists every exercise with its prompt,
starter code and reference solution, so that a page renders them from this one source.

Standard library and the core modules only. The reader's code never crashes the checker:
an exception, a wrong type, a NaN or a loop that runs too long (more than TIME_LIMIT
seconds) each becomes a message. No training runs: the models are tiny and fixed.
"""

import ast
import math
import os
import random
import sys
import time
import traceback
from numbers import Real

from .autograd import Value
from .config import Config
from .contract import param_shapes
from .data import Tokenizer
from .errors import MicroGPTError
from .model import GPT, linear, rmsnorm, softmax
from .sample import sample
from .train import Adam, doc_loss

TIME_LIMIT = 2.0  # seconds one exercise's check may take before the reader's code is stopped
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------- the machinery

class _Fail(Exception):
    """One case failed: what came back, what was expected, and a hint."""

    def __init__(self, got, expected, hint=''):
        super().__init__(got)
        self.got, self.expected, self.hint = got, expected, hint


class _TimeUp(BaseException):  # not an Exception: a reader's `except Exception` cannot swallow it
    pass


def _short(x, limit=160):
    """repr() of a value, shortened; floats to 6 significant digits, Values as their data."""
    if isinstance(x, Value):
        text = f"Value({_short(x.data)})"
    elif isinstance(x, float):
        text = f"{x:.6g}"
    elif isinstance(x, (list, tuple)) and not isinstance(x, str):
        inner = ', '.join(_short(v, limit) for v in x[:12]) + (', ...' if len(x) > 12 else '')
        text = f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
    elif isinstance(x, dict):
        text = '{' + ', '.join(f"{k!r}: {_short(v)}" for k, v in x.items()) + '}'
    else:
        text = repr(x)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _where(exc):
    """' (line N)' of the deepest frame outside this package: where in the reader's code it went wrong."""
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if not os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            line = lineno
    return f" (line {line} of your code)" if line is not None else ''


def _call(fn, name, args, hints=()):
    """fn(*args), with any exception turned into a _Fail. hints: (exception type, text the
    message contains or '', hint) for the typical mistakes that raise."""
    old_trace = sys.gettrace()
    sys.settrace(_limits['tracer'])  # only the reader's code is timed: the checker's own work is not
    try:
        return fn(*args)
    except _TimeUp:
        raise
    except Exception as e:  # noqa: BLE001 - the reader's code may raise anything
        message = str(e).split('\n')[0]
        message = message if len(message) <= 200 else message[:197] + '...'
        got = f"{name}() raised {type(e).__name__}: {message}{_where(e)}"
        for kind, text, hint in hints:
            if isinstance(e, kind) and text in str(e):
                raise _Fail(got, '', hint) from None
        raise _Fail(got, '', "read the error: it names what went wrong; the expected value is above in the "
                             "prompt's example.") from None
    finally:
        sys.settrace(old_trace)


def _returned(got, name, kind, what):
    """A type check on what the reader's function returned."""
    if got is None:
        raise _Fail(f"{name}() returned None", what,
                    f"write the body of {name}() (the starter code only returns None), and end it with return.")
    if not isinstance(got, kind):
        raise _Fail(f"{name}() returned {type(got).__name__} {_short(got)}", what,
                    f"{name}() should return {what}.")
    return got


def _number(x, name, what='a number'):
    """A float from a number or a Value; a _Fail for anything else, or for NaN."""
    if isinstance(x, Value):
        x = x.data
    if x is None:
        _returned(x, name, object, what)
    if isinstance(x, bool) or not isinstance(x, Real):
        raise _Fail(f"{name}() returned {type(x).__name__} {_short(x)} where {what} belongs", what,
                    "return numbers (or Values), not other types.")
    x = float(x)
    if math.isnan(x):
        raise _Fail(f"{name}() returned NaN (not a number)", what,
                    "NaN comes from 0/0, inf - inf or inf * 0: usually an exp() that overflowed or a "
                    "division by a sum that became 0.")
    return x


def _close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def _vector(got, name, n, values=False):
    """got as a list of n floats; values=True: its entries must be Values."""
    what = f"a list of {n} {'Values' if values else 'numbers'}"
    got = _returned(got, name, (list, tuple), what)
    if len(got) != n:
        raise _Fail(f"{name}() returned {len(got)} numbers: {_short(got)}", what,
                    f"one output per {'input' if values else 'entry'}: {n} of them.")
    if values and not all(isinstance(g, Value) for g in got):
        raise _Fail(f"{name}() returned {_short(got)}", what,
                    "return Values (computed from the input Values with +, *, .exp(), ...), not plain numbers: "
                    "backward() can only reach the inputs through Values.")
    return [_number(g, name) for g in got]


def _compare(got, expected, variants=(), hint='', tol=1e-9):
    """Fail unless the float vectors (or numbers) agree; if got matches a known mistake, say which."""
    same = (lambda a, b: len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))) \
        if isinstance(expected, list) else (lambda a, b: _close(a, b, tol))
    if same(got, expected):
        return
    for wrong, why in variants:
        try:
            if same(got, wrong()):
                raise _Fail(_short(got), _short(expected), why)
        except (ArithmeticError, ValueError, IndexError, TypeError):  # that mistake would have raised
            pass
    raise _Fail(_short(got), _short(expected), hint)


def _gradients_flow(got_values, inputs, expected_grads, name):
    """After sum(w_i * out_i).backward(), the inputs' grads must match the reference's."""
    loss = sum((i + 1) * v for i, v in enumerate(got_values))
    loss.backward()
    grads = [x.grad for x in inputs]
    if all(g == 0 for g in grads) and any(g != 0 for g in expected_grads):
        raise _Fail(f"every input's gradient is 0 after backward(): {_short(grads)}", _short(expected_grads),
                    f"build {name}()'s outputs from the input Values themselves (e.g. (val - max_val).exp()), "
                    "not from new Value(...)s of plain floats: backward() cannot reach the inputs otherwise.")
    _compare(grads, expected_grads, hint='the outputs are right, the gradients are not: are the outputs built '
                                         'from the inputs by the same operations?', tol=1e-6)


class _Tracer:
    """Stops the reader's code after TIME_LIMIT seconds (sys.settrace, so it works in Pyodide too,
    which has no threads). Only code outside this package is traced line by line."""

    def __init__(self, limit):
        self.deadline = time.perf_counter() + limit
        self.events = 0
        self.ours = {}  # file name -> whether it is this package's (looked up once per file)

    def local(self, frame, event, arg):
        self.events += 1
        if self.events % 2000 == 0 and time.perf_counter() > self.deadline:
            raise _TimeUp
        return self.local

    def __call__(self, frame, event, arg):  # the global trace function: one call per new frame
        name = frame.f_code.co_filename
        ours = self.ours.get(name)
        if ours is None:
            ours = self.ours[name] = os.path.abspath(name).startswith(_PACKAGE_DIR)
        return None if ours else self.local(frame, event, arg)


_limits = {'tracer': None}  # the running check's _Tracer


class Exercise:
    """One "write it yourself" exercise: what the page shows and how it is checked."""

    def __init__(self, id, chapter, title, names, prompt, starter, solution, cases):
        self.id, self.chapter, self.title, self.names = id, chapter, title, names
        self.prompt, self.starter, self.solution = prompt.strip(), starter.strip() + '\n', solution.strip() + '\n'
        self.cases = cases  # namespace -> [(description, thunk)]; a thunk raises _Fail or returns

    def as_dict(self):
        return {'id': self.id, 'chapter': self.chapter, 'title': self.title, 'names': list(self.names),
                'prompt': self.prompt, 'starter': self.starter, 'solution': self.solution}


EXERCISES = {}  # id -> Exercise, in chapter order


def _exercise(id, chapter, title, names, prompt, starter, solution):
    def register(cases):
        EXERCISES[id] = Exercise(id, chapter, title, names, prompt, starter, solution, cases)
        return cases
    return register


def exercises(chapter=None):
    """Every exercise (or one chapter's) as a JSON-able dict: id, chapter, title, names (the
    functions the reader writes), prompt (markdown), starter and solution (Python source)."""
    return [e.as_dict() for e in EXERCISES.values() if chapter is None or e.chapter == chapter]


def _get(exercise_id):
    if exercise_id not in EXERCISES:
        raise MicroGPTError(f"no exercise {exercise_id!r}; the exercises are: {', '.join(EXERCISES)}.")
    return EXERCISES[exercise_id]


def _namespace(exercise, given):
    """A dict of the reader's functions from a namespace dict, or from the functions themselves."""
    if len(given) == 1 and isinstance(given[0], dict):
        return given[0]
    if len(given) != len(exercise.names):
        raise MicroGPTError(f"exercise {exercise.id!r} checks {len(exercise.names)} function(s), "
                            f"{', '.join(exercise.names)}; pass them in that order, or a namespace such as "
                            "globals().")
    return dict(zip(exercise.names, given))


def result(exercise_id, *functions_or_namespace):
    """Check an exercise and return the verdict as JSON-able data:
    {'id', 'title', 'passed': bool, 'cases': how many, 'passed_cases': how many passed before the
     first failure, 'failed': None or {'case': 1-based number, 'description', 'got', 'expected',
     'hint'}, 'message': the text check() prints}.
    Pass the reader's functions (in the order of the exercise's names) or a namespace dict."""
    exercise = _get(exercise_id)
    ns = _namespace(exercise, functions_or_namespace)
    missing = [n for n in exercise.names if not callable(ns.get(n))]
    cases = [] if missing else exercise.cases(ns)
    failed, passed = None, 0
    if missing:
        failed = {'case': 0, 'description': 'the functions to check', 'got': f"no function {missing[0]}()",
                  'expected': f"def {missing[0]}(...)",
                  'hint': f"define {', '.join(exercise.names)} (run the cell with the starter code first)."}
    else:
        _limits['tracer'] = _Tracer(TIME_LIMIT)
        try:
            for number, (description, thunk) in enumerate(cases, 1):
                try:
                    thunk()
                except _Fail as f:
                    failed = {'case': number, 'description': description, 'got': f.got,
                              'expected': f.expected, 'hint': f.hint}
                    break
                except _TimeUp:
                    failed = {'case': number, 'description': description,
                              'got': f"still running after {TIME_LIMIT:g} s, so it was stopped",
                              'expected': 'an answer in well under a second',
                              'hint': 'look for a loop that never ends (a while whose condition stays true, '
                                      'or a list that grows while you loop over it).'}
                    break
                passed += 1
        finally:
            _limits['tracer'] = None
    return {'id': exercise.id, 'title': exercise.title, 'passed': failed is None, 'cases': len(cases),
            'passed_cases': passed, 'failed': failed, 'message': _message(exercise, len(cases), failed)}


def _message(exercise, n, failed):
    if failed is None:
        return f"✓ {exercise.id}: all {n} cases pass"
    head = f"✗ {exercise.id}" + (f", case {failed['case']} of {n} ({failed['description']})" if n else '')
    lines = [head, f"  got:      {failed['got']}"]
    if failed['expected']:
        lines.append(f"  expected: {failed['expected']}")
    if failed['hint']:
        lines.append(f"  hint:     {failed['hint']}")
    return '\n'.join(lines)


verdicts = []  # every check()'s verdict, in order; microgpt.cells.run reads (and empties) it


def check(exercise_id, *functions_or_namespace):
    """Check an exercise and print the verdict: check('softmax', softmax), check('softmax',
    globals()), or check('softmax') to take the functions from the caller's globals.
    Returns None (so that a cell ending with check() shows the message only, no stray
    True/False); the verdict as data is result()'s, and it is appended to `verdicts`, which
    is how the HTML page learns that an exercise passed."""
    if not functions_or_namespace:
        functions_or_namespace = (sys._getframe(1).f_globals,)
    verdict = result(exercise_id, *functions_or_namespace)
    print(verdict['message'])
    verdicts.append(verdict)


# ----------------------------------------------------------------------------- tiny fixed models

_cache = {}
_TINY_TEXT = 'abcd'  # the tiny models' vocabulary: a, b, c, d and BOS (id 4)


def _tiny_weights(n_layer):
    """A fixed model of n_layer layers, 4 wide, 2 heads, context 5, on 5 tokens; its initial weights
    are drawn with std 0.4, so that its predictions are far from uniform."""
    if n_layer not in _cache:
        config = Config(n_embd=4, n_head=2, n_layer=n_layer, block_size=5, init_std=0.4)
        _cache[n_layer] = config, GPT(config, len(_TINY_TEXT) + 1, random.Random(3)).weights()
    return _cache[n_layer]


def _tiny(change=None, n_layer=1):
    """A fresh copy of a tiny model (the reader's code may change it) and its tokenizer.
    change(weights) may edit the weights first."""
    config, weights = _tiny_weights(n_layer)
    weights = {name: [list(row) for row in mat] for name, mat in weights.items()}
    if change is not None:
        change(weights)
    return GPT.from_weights(config, weights), Tokenizer([_TINY_TEXT])


def _values(xs):
    return [Value(float(x)) for x in xs]


def _data(xs):
    return [x.data for x in xs]


def _rng_vectors(seed, rows, cols, scale=1.0):
    rng = random.Random(seed)
    return [[round(rng.gauss(0, scale), 3) for _ in range(cols)] for _ in range(rows)]


# ============================================================================= Chapter 1: data

@_exercise('vocabulary', 1, "The tokenizer's vocabulary", ['vocabulary'], """
Write `vocabulary(docs)`: from a list of documents, return `(uchars, BOS, vocab_size)` as
`Tokenizer` computes them: `uchars` the distinct characters of all documents, **sorted** (so
`'a'` is id 0 on every run), `BOS` the id after the last character, and `vocab_size` the
number of ids, BOS included.
""", '''
def vocabulary(docs):
    """(uchars, BOS, vocab_size) of a list of documents, as Tokenizer computes
    them."""
    return None  # your code here
''', '''
def vocabulary(docs):
    """(uchars, BOS, vocab_size) of a list of documents, as Tokenizer computes
    them."""
    uchars = sorted(set(''.join(docs)))  # unique chars become ids 0..n-1
    BOS = len(uchars)                    # the id after the characters
    return uchars, BOS, len(uchars) + 1  # +1 for BOS
''')
def _vocabulary_cases(ns):
    def case(docs):
        got = _returned(_call(ns['vocabulary'], 'vocabulary', [list(docs)]), 'vocabulary', tuple,
                        'a tuple (uchars, BOS, vocab_size)')
        uchars = sorted(set(''.join(docs)))
        expected = (uchars, len(uchars), len(uchars) + 1)
        if len(got) != 3:
            raise _Fail(_short(got), _short(expected), 'return three things: uchars, BOS, vocab_size.')
        chars, bos, size = got
        if not isinstance(chars, (list, str, tuple)):
            raise _Fail(f"uchars is {type(chars).__name__} {_short(chars)}", _short(uchars),
                        'uchars should be a list of characters: sorted(...) returns one.')
        chars = list(chars)
        if chars != uchars:
            if sorted(chars) == uchars:
                hint = ("the characters are right but not sorted: use sorted(set(...)), so that the ids do not "
                        "depend on the order in which Python happens to list a set.")
            elif sorted(set(chars)) == uchars:
                hint = 'each character once: set() removes the repeats.'
            else:
                hint = "every distinct character of every document: sorted(set(''.join(docs)))."
            raise _Fail(f"uchars = {_short(chars)}", _short(uchars), hint)
        if bos != len(uchars):
            raise _Fail(f"BOS = {_short(bos)}", str(len(uchars)),
                        'BOS is the id after the characters (ids 0..len(uchars)-1): BOS = len(uchars).')
        if size != len(uchars) + 1:
            hint = ('vocab_size counts BOS too: len(uchars) + 1.' if size == len(uchars)
                    else 'vocab_size is the number of ids: the characters plus BOS.')
            raise _Fail(f"vocab_size = {_short(size)}", str(len(uchars) + 1), hint)
    docs_list = [['emma', 'olivia', 'ava'], ['hello world'], ['zb', 'ya', 'xc'], ['ba', 'ab', 'ba'], ['q']]
    return [(f"docs = {d!r}", lambda d=d: case(d)) for d in docs_list]


_LETTERS = 'abcdefghijklmnopqrstuvwxyz'


@_exercise('encode-decode', 1, 'Encode and decode', ['encode', 'decode'], """
Write `encode(text, uchars)`, the token ids of the characters of `text` (id = position of the
character in the sorted list `uchars`), and `decode(ids, uchars)`, the text of a list of ids,
where the id `BOS = len(uchars)` is skipped (it marks a boundary, not a character).
With `uchars = list('abc...z')`: `encode('emma', uchars) == [4, 12, 12, 0]` and
`decode([26, 4, 12, 12, 0, 26], uchars) == 'emma'`.
""", '''
def encode(text, uchars):
    """The token ids of the characters of text (without BOS)."""
    return None  # your code here


def decode(ids, uchars):
    """The text of token ids; BOS (= len(uchars)) is skipped."""
    return None  # your code here
''', '''
def encode(text, uchars):
    """The token ids of the characters of text (without BOS)."""
    return [uchars.index(ch) for ch in text]


def decode(ids, uchars):
    """The text of token ids; BOS (= len(uchars)) is skipped."""
    BOS = len(uchars)
    return ''.join(uchars[i] for i in ids if i != BOS)
''')
def _encode_decode_cases(ns):
    def enc(text, uchars):
        got = _call(ns['encode'], 'encode', [text, list(uchars)])
        got = _returned(got, 'encode', list, 'a list of ints')
        expected = [uchars.index(ch) for ch in text]
        if got == expected:
            return
        if got == [i + 1 for i in expected]:
            hint = 'ids count from 0: the first character of uchars is id 0 (uchars.index(ch)).'
        elif got == [ord(ch) - ord('a') for ch in text] or got == [ord(ch) - ord('a') + 1 for ch in text]:
            hint = ("use the character's position in uchars (uchars.index(ch)), not ord(): the vocabulary is "
                    "the data's own characters, here only " + repr(''.join(uchars)) + '.')
        elif got == [uchars.index(ch) for ch in sorted(text)]:
            hint = 'keep the order of the text: one id per character, left to right.'
        else:
            hint = 'one id per character of text: its index in uchars.'
        raise _Fail(f"encode({text!r}) returned {_short(got)}", _short(expected), hint)

    def dec(ids, uchars):
        hints = [(IndexError, '', f"id {len(uchars)} is BOS (len(uchars)): it has no character; skip it.")]
        got = _call(ns['decode'], 'decode', [list(ids), list(uchars)], hints)
        got = _returned(got, 'decode', str, 'a str')
        expected = ''.join(uchars[i] for i in ids if i != len(uchars))
        if got != expected:
            hint = ('ids count from 0: id i is uchars[i].' if got == ''.join(uchars[i - 1] for i in ids if i)
                    else 'join the characters uchars[i] of the ids, skipping BOS.')
            raise _Fail(f"decode({ids!r}) returned {got!r}", repr(expected), hint)

    small = list('aeilov')  # the letters of 'olivia' and 'ava'
    return [("encode('emma')", lambda: enc('emma', list(_LETTERS))),
            ("encode('')", lambda: enc('', list(_LETTERS))),
            ("encode('olivia') with uchars = list('aeilov')", lambda: enc('olivia', small)),
            ("decode([4, 12, 12, 0])", lambda: dec([4, 12, 12, 0], list(_LETTERS))),
            ("decode([26, 4, 12, 12, 0, 26]): BOS on both sides", lambda: dec([26, 4, 12, 12, 0, 26], list(_LETTERS))),
            ("decode([6, 0, 5, 0, 6]) with uchars = list('aeilov')", lambda: dec([6, 0, 5, 0, 6], small))]


@_exercise('bigram-counts', 1, 'Bigram counts', ['bigram_counts'], """
Write `bigram_counts(docs, uchars)`: a `V x V` list of lists (`V = len(uchars) + 1`) with
`counts[a][b]` = how often token `b` follows token `a` in the documents, each framed as the
model sees it: `[BOS] + ids + [BOS]` with `BOS = len(uchars)`.
""", '''
def bigram_counts(docs, uchars):
    """counts[a][b]: how often token b follows token a in the framed
    documents."""
    return None  # your code here
''', '''
def bigram_counts(docs, uchars):
    """counts[a][b]: how often token b follows token a in the framed
    documents."""
    BOS = len(uchars)
    V = len(uchars) + 1
    counts = [[0] * V for _ in range(V)]  # one new row per token
    for doc in docs:
        tokens = [BOS] + [uchars.index(ch) for ch in doc] + [BOS]
        for a, b in zip(tokens, tokens[1:]):  # every (input, target) pair
            counts[a][b] += 1
    return counts
''')
def _bigram_cases(ns):
    def counts_of(docs, uchars, front=True, back=True, transpose=False):
        BOS, V = len(uchars), len(uchars) + 1
        counts = [[0] * V for _ in range(V)]
        for doc in docs:
            tokens = [BOS] * front + [uchars.index(ch) for ch in doc] + [BOS] * back
            for a, b in zip(tokens, tokens[1:]):
                counts[b if transpose else a][a if transpose else b] += 1
        return counts

    def case(docs, uchars):
        got = _returned(_call(ns['bigram_counts'], 'bigram_counts', [list(docs), list(uchars)]),
                        'bigram_counts', list, 'a list of rows')
        expected = counts_of(docs, uchars)
        if got == expected:
            return
        V = len(uchars) + 1
        if len(got) == V and len({id(row) for row in got}) == 1:
            hint = ('every row is the same list object: [[0] * V] * V repeats one row V times. '
                    'Build each row anew: [[0] * V for _ in range(V)].')
        elif got == counts_of(docs, uchars, front=False, back=False):
            hint = 'frame each document first: [BOS] + ids + [BOS], so that the first and the last letters count.'
        elif got == counts_of(docs, uchars, back=False):
            hint = 'the frame ends with BOS too: [BOS] + ids + [BOS] (the model learns when a name ends).'
        elif got == counts_of(docs, uchars, front=False):
            hint = 'the frame starts with BOS too: [BOS] + ids + [BOS] (the model learns how a name starts).'
        elif got == counts_of(docs, uchars, transpose=True):
            hint = 'counts[a][b]: the row is the first token a, the column the token b that follows it.'
        else:
            hint = 'count every pair (tokens[i], tokens[i + 1]) of every framed document.'
        raise _Fail(_short(got), _short(expected), hint)

    return [("docs = ['ab'], uchars = ['a', 'b']", lambda: case(['ab'], ['a', 'b'])),
            ("docs = ['emma', 'ava']", lambda: case(['emma', 'ava'], sorted(set('emmaava')))),
            ("docs = ['abba', 'b', 'aab'], uchars = ['a', 'b', 'c']", lambda: case(['abba', 'b', 'aab'], list('abc')))]


@_exercise('training-pairs', 1, 'The training pairs of one name', ['training_pairs'], """
Write `training_pairs(tokens, block_size)`: the `(input, target)` pairs that training uses
from a framed document `tokens = [BOS] + ids + [BOS]`: position `pos` pairs `tokens[pos]`
with `tokens[pos + 1]`, for the first `min(block_size, len(tokens) - 1)` positions only.
""", '''
def training_pairs(tokens, block_size):
    """[(input, target), ...]: what the model sees and must predict at each
    position."""
    return None  # your code here
''', '''
def training_pairs(tokens, block_size):
    """[(input, target), ...]: what the model sees and must predict at each
    position."""
    n = min(block_size, len(tokens) - 1)  # predictions: at most block_size
    return [(tokens[pos], tokens[pos + 1]) for pos in range(n)]
''')
def _pairs_cases(ns):
    def case(tokens, block_size):
        hints = [(IndexError, '', 'the last token has no token after it: a document of n tokens gives n - 1 pairs.')]
        got = _call(ns['training_pairs'], 'training_pairs', [list(tokens), block_size], hints)
        got = _returned(got, 'training_pairs', list, 'a list of (input, target) pairs')
        try:
            got = [tuple(p) for p in got]
        except TypeError:
            raise _Fail(_short(got), 'pairs (input, target)',
                        'each entry is a pair: (tokens[pos], tokens[pos + 1]).') from None
        pairs = list(zip(tokens, tokens[1:]))
        expected = pairs[:block_size]
        if got == expected:
            return
        if got == pairs:
            hint = f'only the first block_size = {block_size} positions: the model has no position {block_size}.'
        elif got == pairs[:block_size - 1]:
            hint = (f'block_size = {block_size} pairs, at positions 0..{block_size - 1}: '
                    'min(block_size, len(tokens) - 1).')
        elif got == [(b, a) for a, b in expected]:
            hint = 'the input comes first: (tokens[pos], tokens[pos + 1]).'
        else:
            hint = 'pair tokens[pos] with tokens[pos + 1] for pos in range(min(block_size, len(tokens) - 1)).'
        raise _Fail(f"{len(got)} pairs: {_short(got)}", f"{len(expected)} pairs: {_short(expected)}", hint)

    emma = [26, 4, 12, 12, 0, 26]
    long = [26, 2, 7, 17, 8, 18, 19, 14, 15, 7, 4, 17, 26]  # 'christopher'
    return [("'emma', block_size 8", lambda: case(emma, 8)),
            ("'christopher', block_size 8: longer than the context", lambda: case(long, 8)),
            ("'emma', block_size 3", lambda: case(emma, 3)),
            ("[BOS, BOS], block_size 8", lambda: case([26, 26], 8))]


# ============================================================================= Chapter 2: autograd

def _local_grads_case(fn, name, inputs, f, children, mistakes, constant=()):
    """Call fn(*Values of inputs, *constant); check the Value it returns: its data is f(*inputs),
    its children are the input Values themselves, and each local gradient agrees with a central
    difference of f (h = 1e-6, tolerance 1e-5 relative)."""
    xs = [Value(x) for x in inputs]
    args = xs + list(constant)
    shown = ', '.join([_short(x) for x in inputs] + [_short(c) for c in constant])
    out = _returned(_call(fn, name, args), name, Value, 'a Value(data, children, local_grads)')
    expected_data = f(*inputs)
    data = _number(out.data, name)
    if not _close(data, expected_data, 1e-9):
        raise _Fail(f"{name}({shown}).data = {_short(data)}", _short(expected_data),
                    'the forward value first: data is the result of the operation on the inputs\' .data.')
    kids = tuple(out._children)
    if len(kids) != len(children) or not all(k is xs[i] for k, i in zip(kids, children)):
        want = '(' + ', '.join('abc'[i] for i in children) + (',)' if len(children) == 1 else ')')
        raise _Fail(f"children = {_short(kids)}", want,
                    f"children are the input Values themselves, {want}, so that backward() can reach them"
                    + (" (a plain-number exponent is not a child)." if constant else '.'))
    grads = list(out._local_grads)
    if len(grads) != len(children):
        raise _Fail(f"local_grads = {_short(grads)}", f"{len(children)} local gradient(s)",
                    'one local gradient per child: d(output)/d(child).')
    grads = [_number(g, name, 'a local gradient') for g in grads]
    h = 1e-6
    for i, g in enumerate(grads):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        fd = (f(*up) - f(*down)) / (2 * h)  # the central difference
        if abs(g - fd) > 1e-5 * max(1.0, abs(fd)):
            hint = next((why for wrong, why in mistakes if _close(g, wrong(*inputs, *constant)[i], 1e-9)),
                        'the local gradient is the derivative of the output with respect to this child.')
            raise _Fail(f"local gradient {i + 1} of {name}({shown}) = {_short(g)}",
                        f"{fd:.6g} (the central difference (f(x + h) - f(x - h)) / 2h, h = 1e-6)", hint)


@_exercise('mul-pow', 2, 'The local gradients of * and **', ['mul', 'power'], """
Write `mul(a, b)`, the product of two `Value`s, and `power(a, n)`, a `Value` to a plain-number
power, as `Value.__mul__` and `Value.__pow__` make them: return
`Value(data, children, local_grads)`, where `local_grads` holds the derivative of the result
with respect to each child. The check compares your local gradients with finite differences.
""", '''
from microgpt import Value


def mul(a, b):
    """a * b: a new Value with children (a, b) and their local gradients."""
    return None  # your code: Value(data, (a, b), (d/da, d/db))


def power(a, n):
    """a ** n, n a plain number: a new Value with one child, a."""
    return None  # your code: Value(data, (a,), (d/da,))
''', '''
from microgpt import Value


def mul(a, b):
    """a * b: a new Value with children (a, b) and their local gradients."""
    return Value(a.data * b.data, (a, b), (b.data, a.data))


def power(a, n):
    """a ** n, n a plain number: a new Value with one child, a."""
    return Value(a.data ** n, (a,), (n * a.data ** (n - 1),))
''')
def _mul_pow_cases(ns):
    mul_mistakes = [(lambda a, b: (a, b), 'd(a*b)/da is b, not a: the local gradients are (b.data, a.data).'),
                    (lambda a, b: (1, 1), 'those are the local gradients of +; for a * b they are (b.data, a.data).')]
    pow_mistakes = [(lambda a, n: (n * a ** n,), 'the exponent drops by one: d(a**n)/da = n * a**(n - 1).'),
                    (lambda a, n: (a ** (n - 1),), 'times n: d(a**n)/da = n * a**(n - 1).'),
                    (lambda a, n: ((n - 1) * a ** n,), 'd(a**n)/da = n * a**(n - 1).')]

    def mul(a, b):
        return _local_grads_case(ns['mul'], 'mul', [a, b], lambda x, y: x * y, (0, 1), mul_mistakes)

    def power(a, n):
        return _local_grads_case(ns['power'], 'power', [a], lambda x: x ** n, (0,), pow_mistakes, (n,))

    return [('mul(2.0, -3.0)', lambda: mul(2.0, -3.0)), ('mul(0.5, 4.0)', lambda: mul(0.5, 4.0)),
            ('power(3.0, 2)', lambda: power(3.0, 2)), ('power(1.5, 3)', lambda: power(1.5, 3)),
            ('power(4.0, -1): division is ** -1', lambda: power(4.0, -1)),
            ('power(2.0, -0.5): rmsnorm uses it', lambda: power(2.0, -0.5))]


@_exercise('exp-log', 2, 'The local gradients of exp and log', ['exp', 'log'], """
Write `exp(a)` and `log(a)` for a `Value` `a`, as `Value.exp` and `Value.log` make them:
`Value(data, (a,), (local_grad,))`. Use `math.exp` and `math.log` on `a.data`. The check
compares your local gradients with finite differences.
""", '''
import math

from microgpt import Value


def exp(a):
    """e ** a: a new Value with one child, a."""
    return None  # your code here


def log(a):
    """The natural log of a (a.data > 0): a new Value with one child, a."""
    return None  # your code here
''', '''
import math

from microgpt import Value


def exp(a):
    """e ** a: a new Value with one child, a."""
    e = math.exp(a.data)
    return Value(e, (a,), (e,))  # exp is its own derivative


def log(a):
    """The natural log of a (a.data > 0): a new Value with one child, a."""
    return Value(math.log(a.data), (a,), (1 / a.data,))
''')
def _exp_log_cases(ns):
    exp_mistakes = [(lambda a: (a,), 'd/da exp(a) is exp(a) itself, not a.'),
                    (lambda a: (1.0,), 'd/da exp(a) is exp(a) itself, not 1.'),
                    (lambda a: (math.exp(a - 1),), 'd/da exp(a) is exp(a) itself.')]
    log_mistakes = [(lambda a: (math.log(a),), 'd/da log(a) = 1/a; log(a) is the forward value.'),
                    (lambda a: (a,), 'd/da log(a) = 1/a, not a.'),
                    (lambda a: (-1 / a,), 'd/da log(a) = +1/a (the minus sign belongs to the loss, -log p).')]

    def exp(a):
        return _local_grads_case(ns['exp'], 'exp', [a], math.exp, (0,), exp_mistakes)

    def log(a):
        return _local_grads_case(ns['log'], 'log', [a], math.log, (0,), log_mistakes)

    return [('exp(0.0)', lambda: exp(0.0)), ('exp(1.5)', lambda: exp(1.5)), ('exp(-2.0)', lambda: exp(-2.0)),
            ('log(1.0)', lambda: log(1.0)), ('log(2.5)', lambda: log(2.5)), ('log(0.1)', lambda: log(0.1))]


def _expression():
    """A small graph in which nodes are shared: L = (a*b + a) * (a*b).exp() / c."""
    a, b, c = Value(2.0), Value(-0.5), Value(4.0)
    ab = a * b
    L = (ab + a) * ab.exp() / c
    return L, [a, b, c]


def _chain(n):
    x = Value(0.5)
    for _ in range(n):
        x = x * 1.0001 + 0.01
    return x


def _unlink(root):
    """Cut every link of root's graph, so that it is freed one node at a time. Freeing a chain
    of thousands of nodes frees each node from inside its parent's deallocation, one C call
    deeper per node: in the browser (Pyodide in a Web Worker, whose stack is small) that
    overflows the stack and kills Python. The checks call this on the deep graphs they build."""
    stack = [root]
    while stack:
        v = stack.pop()
        stack.extend(v._children)
        v._children = ()


def _diamond():
    a = Value(3.0)
    b = a * a
    return b + b * a


@_exercise('topological-order', 2, 'The order of backward()', ['topological_order'], """
Write `topological_order(root)`: every `Value` that `root` depends on (root included), each
exactly once and each **after all of its children** (`node._children`). It must handle a
graph thousands of nodes deep, deeper than Python's recursion limit: use an explicit stack,
as `Value.topological_order` does (section 2.6).
""", '''
def topological_order(root):
    """Every node root depends on, each listed once, after all of its
    children."""
    return None  # your code here
''', '''
def topological_order(root):
    """Every node root depends on, each listed once, after all of its
    children."""
    topo, visited = [], {root}
    stack = [(root, iter(root._children))]  # (node, children still to look at)
    while stack:
        v, children = stack[-1]
        for child in children:
            if child not in visited:  # go down into the first unvisited child
                visited.add(child)
                stack.append((child, iter(child._children)))
                break
        else:                         # all children done: v can take its place
            stack.pop()
            topo.append(v)
    return topo
''')
def _topo_cases(ns):
    hints = [(RecursionError, '', 'recursion goes one Python call deeper per level of the graph, and this graph '
                                  'is deeper than the recursion limit: keep the path in an explicit stack (a list) '
                                  'instead, as Value.topological_order does.')]

    def case(build):
        root = build()
        try:
            check_order(root)
        finally:
            _unlink(root)

    def check_order(root):
        got = _call(ns['topological_order'], 'topological_order', [root], hints)
        got = _returned(got, 'topological_order', (list, tuple), 'a list of Values')
        nodes = root.topological_order()
        if not all(isinstance(v, Value) for v in got):
            raise _Fail(f"a list with {_short([v for v in got if not isinstance(v, Value)][:3])}",
                        'Values only', 'list the nodes themselves (the Values), not their data.')
        seen = set()
        for v in got:
            if v in seen:
                raise _Fail(f"{_short(v)} is listed twice", 'each node once',
                            'a node used by two parents is reached twice: keep a visited set and skip nodes in it.')
            seen.add(v)
        missing = [v for v in nodes if v not in seen]
        if missing:
            hint = ('root itself belongs at the end of the list.' if missing == [root]
                    else 'visit every child of every node (node._children), down to the leaves.')
            raise _Fail(f"{len(got)} nodes; {len(missing)} missing, e.g. {_short(missing[0])}",
                        f"{len(nodes)} nodes", hint)
        if len(got) != len(nodes):
            raise _Fail(f"{len(got)} nodes", f"{len(nodes)} nodes", 'only the nodes root depends on.')
        place = {v: i for i, v in enumerate(got)}
        for v in got:
            for child in v._children:
                if place[child] > place[v]:
                    raise _Fail(f"{_short(v)} at place {place[v]} comes before its child {_short(child)} at "
                                f"{place[child]}", 'every node after all of its children',
                                'append a node only after all of its children are in the list (post-order), '
                                'not when you first reach it.')

    depth = min(sys.getrecursionlimit() // 2 + 300, 20000)  # two nodes per link: deeper than the limit
    return [('a single Value', lambda: case(lambda: Value(1.0))),
            ('b = a*a; L = b + b*a: nodes used twice', lambda: case(_diamond)),
            ('L = (a*b + a) * (a*b).exp() / c', lambda: case(lambda: _expression()[0])),
            (f'a chain {2 * depth} operations deep', lambda: case(lambda: _chain(depth)))]


@_exercise('backward', 2, 'backward(): the chain rule in reverse', ['backward'], """
Write `backward(root)`: fill in `.grad` of every node `root` depends on, as `Value.backward`
does: `root.grad` is 1; then, for every node `v` in **reverse** topological order
(`root.topological_order()`), each child gets `local_grad * v.grad` added to its `.grad`.
Write the loop yourself: the check's root has no `backward()` method to call.
""", '''
def backward(root):
    """Fill in .grad of every node root depends on."""
    # your code here: seed root.grad, then walk the nodes in
    # reversed(root.topological_order())
    pass
''', '''
def backward(root):
    """Fill in .grad of every node root depends on."""
    root.grad = 1  # d(root)/d(root)
    for v in reversed(root.topological_order()):
        for child, local_grad in zip(v._children, v._local_grads):
            child.grad += local_grad * v.grad
''')
def _backward_cases(ns):
    def wrong(root, seed=True, order=reversed, assign=False):
        root.grad = 1 if seed else 0
        for v in order(root.topological_order()):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad = local_grad * v.grad + (0 if assign else child.grad)

    mistakes = [(dict(assign=True), 'a node used twice must get one contribution per use: child.grad += ..., '
                                    'not child.grad = ...'),
                (dict(order=list), 'walk the order in reverse, reversed(root.topological_order()): a node must have '
                                   'its whole gradient before it passes it on to its children.')]

    def case(build):
        root, leaves = build()
        root.__class__ = _NoBackward  # so that root.backward() cannot stand in for the reader's loop
        _call(ns['backward'], 'backward', [root],
              [(MicroGPTError, 'write the loop', 'write the loop yourself, without root.backward().')])
        got = [_number(x.grad, 'backward', 'a gradient') for x in leaves]
        if root.grad != 1:
            hint = ('start with root.grad = 1 (d root / d root): without it every product is 0.'
                    if any(got) or any(v.grad for v in root.topological_order()) else
                    'backward() changed no gradient: write the body of backward(), starting with root.grad = 1.')
            raise _Fail(f"root.grad = {_short(root.grad)} and the leaves' grads {_short(got)}", 'root.grad = 1', hint)
        ref_root, ref_leaves = build()
        ref_root.backward()
        expected = [x.grad for x in ref_leaves]
        variants = []
        for flags, why in mistakes:
            def variant(flags=flags):
                r, ls = build()
                wrong(r, **flags)
                return [x.grad for x in ls]
            variants.append((variant, why))
        _compare(got, expected, variants, 'every leaf gradient should match Value.backward().', tol=1e-9)

    def product():
        a, b = Value(2.0), Value(-3.0)
        return a * b, [a, b]

    def square():
        a = Value(3.0)
        return a * a, [a]

    return [('L = a * b (the grads of a, b)', lambda: case(product)),
            ('L = a * a: a used twice (the grad of a)', lambda: case(square)),
            ('L = (a*b + a) * (a*b).exp() / c (the grads of a, b, c)', lambda: case(_expression))]


class _NoBackward(Value):
    __slots__ = ()

    def backward(self):
        raise MicroGPTError("this exercise is backward() itself: write the loop, do not call root.backward().")


# ============================================================================= Chapter 3: architecture

def _vector_case(fn, name, inputs, reference, variants, hint, hints, tol=1e-9):
    """A function of a list of Values that returns a list of Values, as the model's building blocks
    do: its outputs against reference(inputs) (floats), then its gradients against the reference's."""
    xs = _values(inputs)
    got = _vector(_call(fn, name, [xs], hints), name, len(inputs), values=True)
    expected_values = reference(_values(inputs))
    expected = _data(expected_values)
    _compare(got, expected, [(lambda w=w: w(inputs), why) for w, why in variants], hint, tol)
    refs = _values(inputs)
    ref_out = reference(refs)
    sum((i + 1) * v for i, v in enumerate(ref_out)).backward()
    outputs = _call(fn, name, [xs], hints)
    _gradients_flow(outputs, xs, [x.grad for x in refs], name)


def _plain_softmax(xs, shift=True):
    m = max(xs) if shift else 0
    exps = [math.exp(x - m) for x in xs]
    return [e / sum(exps) for e in exps]


@_exercise('softmax', 3, 'softmax that survives [1000, 0]', ['softmax'], """
Write `softmax(logits)`: a list of `Value`s in, a list of `Value`s out, positive and summing
to 1: `exp(l) / sum(exp(l))` for each logit `l`. It must work for `[1000, 0]`, where
`math.exp(1000)` overflows: subtract the largest logit first (it changes nothing
mathematically). Build the outputs from the input `Value`s so that gradients flow back.
""", '''
def softmax(logits):
    """Scores (Values) -> probabilities (Values): positive, summing to 1."""
    return None  # your code here
''', '''
def softmax(logits):
    """Scores (Values) -> probabilities (Values): positive, summing to 1."""
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]
''')
def _softmax_cases(ns):
    hints = [(OverflowError, '', 'math.exp(1000) overflows: subtract max(logits) from every logit first '
                                 '(softmax(l - m) = softmax(l)), so the largest exponent is exp(0) = 1.'),
             (ZeroDivisionError, '', 'every exp() underflowed to 0, so the sum is 0: subtract max(logits) first, '
                                     'so that the largest exponent is exp(0) = 1.'),
             (TypeError, 'not supported between', "max() cannot compare Values: take the max of the numbers, "
                                                  "max(val.data for val in logits)."),
             (ValueError, 'math domain', "a probability is never 0 or negative: exp() comes first.")]
    variants = [(lambda xs: [x / sum(xs) for x in xs], 'exp() first: softmax is exp(l) / sum of exp(l), '
                                                         'not l / sum of l.'),
                (lambda xs: [math.exp(x) for x in xs] if max(xs) < 700 else None,
                 'divide by the sum of the exponentials, so that the probabilities add up to 1.'),
                (lambda xs: _plain_softmax([-x for x in xs]), 'subtract the max (l - max), not the other way '
                                                              'round: a larger logit gets a larger probability.')]
    hint = 'exp(l - max) / sum(exp(l - max)) for each logit l.'
    cases = [[1.0, 2.0, 3.0], [0.0], [-1.0, -1.0, -1.0], [1000.0, 0.0], [-1000.0, -1001.0],
             [2.0, 1.0, 0.5, 0.0, -0.5, -1.0]]
    return [(f"logits {c}", lambda c=c: _vector_case(ns['softmax'], 'softmax', c, softmax, variants, hint, hints))
            for c in cases]


def _plain_rmsnorm(xs, eps=1e-5, mean=True, power=-0.5):
    ms = sum(x * x for x in xs) / (len(xs) if mean else 1)
    return [x * (ms + eps) ** power for x in xs]


@_exercise('rmsnorm', 3, 'rmsnorm', ['rmsnorm'], """
Write `rmsnorm(x)`: a list of `Value`s in, a list of `Value`s out, rescaled to a root mean
square of about 1: multiply every entry by `(ms + 1e-5) ** -0.5`, where `ms` is the **mean**
of the squares of `x`. The `1e-5` keeps an all-zero vector from dividing by zero.
""", '''
def rmsnorm(x):
    """x (Values) rescaled to a root-mean-square of 1."""
    return None  # your code here
''', '''
def rmsnorm(x):
    """x (Values) rescaled to a root-mean-square of 1."""
    ms = sum(xi * xi for xi in x) / len(x)  # the mean square
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]
''')
def _rmsnorm_cases(ns):
    hints = [(ZeroDivisionError, '', 'add 1e-5 to the mean square before the root: (ms + 1e-5) ** -0.5, '
                                     'so that an all-zero vector does not divide by 0.')]
    variants = [(lambda xs: _plain_rmsnorm(xs, eps=0), 'add 1e-5 to the mean square before the root: '
                                                        '(ms + 1e-5) ** -0.5; it matters for small vectors.'),
                (lambda xs: _plain_rmsnorm(xs, mean=False), 'divide the sum of squares by len(x): the mean '
                                                             'square, not the sum.'),
                (lambda xs: _plain_rmsnorm(xs, power=0.5), 'divide by the root (** -0.5), do not multiply by it '
                                                            '(** 0.5).'),
                (lambda xs: _plain_rmsnorm(xs, power=-1), 'the root of the mean square: ** -0.5, not ** -1.'),
                (lambda xs: [x * (sum(x * x for x in xs) / len(xs)) ** -0.5 + 1e-5 for x in xs],
                 'the 1e-5 goes inside, before the root: (ms + 1e-5) ** -0.5.')]
    hint = 'x_i * (mean of x_i ** 2 + 1e-5) ** -0.5 for each entry.'
    cases = [[1.0, 2.0, 3.0, 4.0], [3.0, -4.0], [0.001, -0.002, 0.003], [5.0], [0.0, 0.0, 0.0]]
    return [(f"x = {c}", lambda c=c: _vector_case(ns['rmsnorm'], 'rmsnorm', c, rmsnorm, variants, hint, hints))
            for c in cases]


@_exercise('param-count', 3, 'The parameter count of a configuration', ['num_params'], """
Write `num_params(config, vocab_size)`: how many numbers a model of this `Config` learns,
the sum of rows x columns of every weight matrix: `wte` (vocab_size x n_embd), `wpe`
(block_size x n_embd), `lm_head` (vocab_size x n_embd), and per layer `attn_wq`, `attn_wk`,
`attn_wv`, `attn_wo` (n_embd x n_embd each), `mlp_fc1` (4 n_embd x n_embd) and `mlp_fc2`
(n_embd x 4 n_embd). The book preset with 27 tokens has 4,064.
""", '''
def num_params(config, vocab_size):
    """How many numbers the model learns."""
    return None  # your code here
''', '''
def num_params(config, vocab_size):
    """How many numbers the model learns."""
    d, n_layer = config.n_embd, config.n_layer             # width, layers
    embeddings = vocab_size * d + config.block_size * d   # wte, wpe
    per_layer = 4 * d * d + 4 * d * d + d * 4 * d  # wq wk wv wo, fc1, fc2
    return embeddings + vocab_size * d + n_layer * per_layer  # + lm_head
''')
def _param_count_cases(ns):
    def count(c, V, lm_head=True, wpe=True, layers=True, attn=4, mlp=8):
        e = c.n_embd
        return V * e * (2 if lm_head else 1) + c.block_size * e * wpe + (c.n_layer if layers else 1) * (
            attn * e * e + mlp * e * e)

    def case(config, V):
        got = _call(ns['num_params'], 'num_params', [config, V])
        if isinstance(got, float) and got.is_integer():
            got = int(got)
        got = _returned(got, 'num_params', int, 'an int')
        expected = sum(r * c for r, c in param_shapes(config, V).values())
        if got == expected:
            return
        mistakes = [(dict(lm_head=False), 'lm_head is a matrix of its own (vocab_size x n_embd), not the same '
                                          'numbers as wte.'),
                    (dict(wpe=False), 'the position embeddings wpe count too: block_size x n_embd.'),
                    (dict(layers=False), f'every one of the n_layer = {config.n_layer} layers has its own six '
                                         'matrices: multiply the per-layer count by n_layer.'),
                    (dict(attn=3), 'attention has four matrices: wq, wk, wv and the output projection wo.'),
                    (dict(mlp=2), 'the MLP is 4 times wider: mlp_fc1 is 4 n_embd x n_embd and mlp_fc2 '
                                  'n_embd x 4 n_embd, 8 n_embd ** 2 together.')]
        hint = next((why for flags, why in mistakes if got == count(config, V, **flags)),
                    'add rows x columns of every matrix listed in the prompt.')
        raise _Fail(str(got), str(expected), hint)

    return [('the book preset, 27 tokens', lambda: case(Config(), 27)),
            ('the karpathy preset (block_size 16), 27 tokens', lambda: case(Config(block_size=16), 27)),
            ('n_layer 2', lambda: case(Config(n_layer=2), 27)),
            ('n_embd 8, n_head 2, block_size 4, 5 tokens', lambda: case(Config(n_embd=8, n_head=2, block_size=4), 5)),
            ('n_layer 3, n_embd 32, n_head 8, block_size 16, 60 tokens',
             lambda: case(Config(n_layer=3, n_embd=32, n_head=8, block_size=16), 60))]


# ============================================================================= Chapter 4: gpt()

def _close_vectors(got, name, expected_values, variants, hint, tol=1e-9):
    got = _vector(got, name, len(expected_values), values=True)
    _compare(got, _data(expected_values), variants, hint, tol)


@_exercise('embed', 4, 'Step 1 of gpt(): embed', ['embed'], """
Write `embed(state_dict, token_id, pos_id)`: the vector `gpt()` starts from, the token's row
of `state_dict['wte']` plus the position's row of `state_dict['wpe']` (what + where), entry by
entry, normalized with `rmsnorm` (imported from microgpt).
""", '''
from microgpt import rmsnorm


def embed(state_dict, token_id, pos_id):
    """rmsnorm(token embedding + position embedding): a list of n_embd
    Values."""
    return None  # your code here
''', '''
from microgpt import rmsnorm


def embed(state_dict, token_id, pos_id):
    """rmsnorm(token embedding + position embedding): a list of n_embd
    Values."""
    tok_emb = state_dict['wte'][token_id]          # token embedding lookup
    pos_emb = state_dict['wpe'][pos_id]            # position embedding lookup
    x = [t + p for t, p in zip(tok_emb, pos_emb)]  # combine: what + where
    return rmsnorm(x)
''')
def _embed_cases(ns):
    def case(token_id, pos_id):
        model, _ = _tiny()
        sd = model.state_dict
        got = _call(ns['embed'], 'embed', [sd, token_id, pos_id])
        wte, wpe = [_data(r) for r in sd['wte']], [_data(r) for r in sd['wpe']]

        def add(t, p):
            return [a + b for a, b in zip(wte[t], wpe[p])]
        variants = [(lambda: add(token_id, pos_id), 'normalize the sum: rmsnorm(x), as gpt() does.'),
                    (lambda: _data(rmsnorm(_values(wte[token_id]))), 'add the position embedding too: '
                                                                     'wte[token_id] + wpe[pos_id].'),
                    (lambda: _data(rmsnorm(_values(add(pos_id, token_id)))), 'wte is indexed by the token, wpe by '
                                                                             'the position: wte[token_id], '
                                                                             'wpe[pos_id].')]
        _close_vectors(got, 'embed', rmsnorm([t + p for t, p in zip(sd['wte'][token_id], sd['wpe'][pos_id])]),
                       variants, "rmsnorm of wte[token_id] + wpe[pos_id], entry by entry.")
    return [('token 0 at position 0', lambda: case(0, 0)), ('token 2 at position 3', lambda: case(2, 3)),
            ('token 4 (BOS) at position 1', lambda: case(4, 1))]


def _head_ref(q_h, k_h, v_h, scale=True, power=0.5, last_only=False, uniform=False):
    head_dim = len(q_h)
    if last_only:
        k_h, v_h = k_h[-1:], v_h[-1:]
    logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / (head_dim ** power if scale else 1)
              for t in range(len(k_h))]
    weights = [1 / len(k_h)] * len(k_h) if uniform else _plain_softmax(logits)
    return [sum(weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)]


@_exercise('attention-head', 4, 'One attention head over the KV cache', ['attention_head'], """
Write `attention_head(q_h, k_h, v_h)`: what one head returns at the current position. `q_h` is
this position's query (a list of `head_dim` Values); `k_h` and `v_h` are the keys and values of
every position so far, this one included (the KV cache: one list of `head_dim` Values per
position). Score each cached key by its dot product with the query divided by
`sqrt(head_dim)`, turn the scores into weights with `softmax`, and return the weighted sum of
the cached values: a list of `head_dim` Values.
""", '''
from microgpt import softmax


def attention_head(q_h, k_h, v_h):
    """One head: softmax(q.k / sqrt(head_dim)) over the cached keys, times the
    cached values."""
    return None  # your code here
''', '''
from microgpt import softmax


def attention_head(q_h, k_h, v_h):
    """One head: softmax(q.k / sqrt(head_dim)) over the cached keys, times the
    cached values."""
    head_dim = len(q_h)
    attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim))
                   / head_dim**0.5 for t in range(len(k_h))]
    attn_weights = softmax(attn_logits)
    return [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
            for j in range(head_dim)]
''')
def _attention_cases(ns):
    def case(seed, positions, head_dim, scale=1.0):
        q = _rng_vectors(seed, 1, head_dim, scale)[0]
        k = _rng_vectors(seed + 1, positions, head_dim, scale)
        v = _rng_vectors(seed + 2, positions, head_dim)
        got = _call(ns['attention_head'], 'attention_head', [_values(q), [_values(r) for r in k],
                                                             [_values(r) for r in v]])
        variants = [(lambda: _head_ref(q, k, v, scale=False), 'divide every score by sqrt(head_dim) '
                                                              '(head_dim ** 0.5) before the softmax.'),
                    (lambda: _head_ref(q, k, v, power=1), 'divide by the square root of head_dim, '
                                                          'head_dim ** 0.5, not by head_dim.'),
                    (lambda: _head_ref(q, k, v, last_only=True), 'attend over every cached position, '
                                                                 'not only the newest: t in range(len(k_h)).'),
                    (lambda: _head_ref(q, k, v, uniform=True), 'weight the values by the softmax of the scores, '
                                                               'not equally.')]
        _close_vectors(got, 'attention_head', [Value(x) for x in _head_ref(q, k, v)], variants,
                       'softmax of q.k / sqrt(head_dim) over the cached keys, then the weighted sum of the values.')
    return [('1 cached position: the output is its value', lambda: case(1, 1, 4)),
            ('3 cached positions, head_dim 4', lambda: case(2, 3, 4)),
            ('5 cached positions, head_dim 2, large scores', lambda: case(3, 5, 2, scale=4.0)),
            ('8 cached positions, head_dim 4', lambda: case(4, 8, 4))]


@_exercise('mlp-block', 4, 'The MLP block', ['mlp_block'], """
Write `mlp_block(x, state_dict, li)`: the MLP block of layer `li` as `gpt()` computes it:
`rmsnorm` the input, `linear` with `state_dict[f'layer{li}.mlp_fc1']` (n_embd -> 4 n_embd),
squared ReLU (`xi.relu() ** 2`), `linear` with `state_dict[f'layer{li}.mlp_fc2']` (back to
n_embd), then add the input `x` (the residual connection). The check's model has two layers.
""", '''
from microgpt import linear, rmsnorm


def mlp_block(x, state_dict, li):
    """x + fc2(relu(fc1(rmsnorm(x))) ** 2), with layer li's matrices."""
    return None  # your code here
''', '''
from microgpt import linear, rmsnorm


def mlp_block(x, state_dict, li):
    """x + fc2(relu(fc1(rmsnorm(x))) ** 2), with layer li's matrices."""
    x_residual = x
    x = rmsnorm(x)
    x = linear(x, state_dict[f'layer{li}.mlp_fc1'])    # expand: 4 * n_embd
    x = [xi.relu() ** 2 for xi in x]                    # squared ReLU
    x = linear(x, state_dict[f'layer{li}.mlp_fc2'])    # back to n_embd
    return [a + b for a, b in zip(x, x_residual)]      # residual
''')
def _mlp_cases(ns):
    def ref(x, sd, li, norm=True, square=True, residual=True):
        h = linear(rmsnorm(x) if norm else x, sd[f'layer{li}.mlp_fc1'])
        h = [hi.relu() ** 2 if square else hi.relu() for hi in h]
        out = linear(h, sd[f'layer{li}.mlp_fc2'])
        return [a + b for a, b in zip(out, x)] if residual else out

    def case(seed, li):
        model, _ = _tiny(n_layer=2)
        sd = model.state_dict
        x = _rng_vectors(seed, 1, model.config.n_embd)[0]
        got = _call(ns['mlp_block'], 'mlp_block', [_values(x), sd, li])
        flags = [(dict(residual=False), 'add the input back at the end (the residual connection): '
                                        '[a + b for a, b in zip(x, x_residual)].'),
                 (dict(norm=False), 'normalize first: rmsnorm(x) goes into mlp_fc1 (the residual adds the '
                                    'input as it came).'),
                 (dict(square=False), "the book's MLP squares the ReLU: xi.relu() ** 2.")]
        variants = [(lambda f=f: _data(ref(_values(x), sd, li, **f)), why) for f, why in flags]
        variants.append((lambda: _data(ref(_values(x), sd, 1 - li)), f"use layer li's matrices "
                                                                     f"(state_dict[f'layer{{li}}.mlp_fc1']), "
                                                                     f"here layer{li}."))
        _close_vectors(got, 'mlp_block', ref(_values(x), sd, li), variants,
                       'x + linear(relu(linear(rmsnorm(x), fc1)) ** 2, fc2).')
    return [('layer 0', lambda: case(5, 0)), ('layer 1', lambda: case(6, 1)),
            ('layer 0, another x', lambda: case(7, 0))]


# ============================================================================= Chapter 5: training

@_exercise('position-loss', 5, 'The loss of one position', ['position_loss'], """
Write `position_loss(logits, target_id)`: the cross-entropy of one prediction, as `doc_loss`
computes it per position: the negative log of the probability that `softmax(logits)` gives the
true next token. `logits` is a list of `Value`s; return a `Value` (so that `backward()` can run).
""", '''
from microgpt import softmax


def position_loss(logits, target_id):
    """-log p(target): small when the model gave the right token a high
    probability."""
    return None  # your code here
''', '''
from microgpt import softmax


def position_loss(logits, target_id):
    """-log p(target): small when the model gave the right token a high
    probability."""
    probs = softmax(logits)
    return -probs[target_id].log()
''')
def _position_loss_cases(ns):
    hints = [(ValueError, 'log of a non-positive', 'turn the logits into probabilities with softmax first: a '
                                                    'logit can be 0 or negative, a probability cannot.'),
             (OverflowError, '', 'math.exp overflows on large logits: use microgpt.softmax, which subtracts the '
                                 'max first.')]

    def case(logits, target):
        xs = _values(logits)
        got = _returned(_call(ns['position_loss'], 'position_loss', [xs, target], hints), 'position_loss', Value,
                        'a Value')
        loss = _number(got, 'position_loss')
        probs = _plain_softmax(logits)
        variants = [(lambda: math.log(probs[target]), 'a loss is -log p, with the minus: it is small (near 0) '
                                                      'when p is near 1.'),
                    (lambda: -math.log(logits[target]), 'take the log of the probability, softmax(logits)[target], '
                                                        'not of the logit.'),
                    (lambda: 1 - probs[target], 'cross-entropy is -log p, not 1 - p.'),
                    (lambda: -math.log(probs[target - 1]), 'the probability of target_id itself: '
                                                           'probs[target_id].'),
                    (lambda: -math.log(probs[target + 1]), 'the probability of target_id itself: '
                                                           'probs[target_id].')]
        _compare(loss, -math.log(probs[target]), variants, '-log of softmax(logits)[target_id].')
        ref = _values(logits)
        (-softmax(ref)[target].log()).backward()
        got.backward()
        _compare([x.grad for x in xs], [x.grad for x in ref],
                 hint='the loss is right but its gradients are not: compute it from the logits\' Values '
                      '(softmax, then .log()), not from plain floats.', tol=1e-6)
    return [('logits [1, 2, 3], target 2', lambda: case([1.0, 2.0, 3.0], 2)),
            ('27 equal logits, target 5: the uniform guess, ln 27', lambda: case([0.0] * 27, 5)),
            ('logits [2, -1, 0.5, 0], target 1', lambda: case([2.0, -1.0, 0.5, 0.0], 1)),
            ('logits [1000, 999], target 1: a naive exp() overflows', lambda: case([1000.0, 999.0], 1))]


@_exercise('doc-loss', 5, 'The loss of one document', ['doc_loss'], """
Write `doc_loss(model, tokens)`: the mean cross-entropy of one framed document
(`[BOS] + ids + [BOS]`): one KV cache (`model.empty_cache()`) for the whole document; for each
of the first `n = min(model.config.block_size, len(tokens) - 1)` positions, the logits of
`model.gpt(tokens[pos], pos, keys, values)` and the loss `-log softmax(logits)[tokens[pos + 1]]`;
return the mean of the `n` losses as a `Value`.
""", '''
from microgpt import softmax


def doc_loss(model, tokens):
    """Mean -log p of each next token of one framed document, over the first
    block_size positions."""
    return None  # your code here
''', '''
from microgpt import softmax


def doc_loss(model, tokens):
    """Mean -log p of each next token of one framed document, over the first
    block_size positions."""
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values = model.empty_cache()
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        logits = model.gpt(token_id, pos_id, keys, values)
        probs = softmax(logits)
        losses.append(-probs[target_id].log())
    return (1 / n) * sum(losses)
''')
def _doc_loss_cases(ns):
    from .errors import ContextError
    hints = [(ContextError, 'outside the context', 'only the first block_size positions: '
                                                   'n = min(model.config.block_size, len(tokens) - 1).'),
             (IndexError, '', 'the last token has no token after it: n = min(block_size, len(tokens) - 1) '
                              'predictions.')]

    def losses(model, tokens, fresh=False, n=None):
        n = min(model.config.block_size, len(tokens) - 1) if n is None else n
        keys, values = model.empty_cache()
        out = []
        for pos in range(n):
            if fresh:
                keys, values = model.empty_cache()
            out.append(-math.log(softmax(model.gpt(tokens[pos], pos, keys, values))[tokens[pos + 1]].data))
        return out

    def case(tokens):
        model, _ = _tiny()
        got = _returned(_call(ns['doc_loss'], 'doc_loss', [model, list(tokens)], hints), 'doc_loss', Value,
                        'a Value')
        got = _number(got, 'doc_loss')
        ref, _ = _tiny()
        expected = doc_loss(ref, list(tokens)).data
        n = min(ref.config.block_size, len(tokens) - 1)
        variants = [(lambda: sum(losses(ref, tokens)), 'the mean of the losses, not their sum: '
                                                       '(1 / n) * sum(losses).'),
                    (lambda: sum(losses(ref, tokens)) / len(tokens), f'divide by the number of predictions, '
                                                                     f'n = {n}, not by len(tokens) = {len(tokens)}.'),
                    (lambda: sum(losses(ref, tokens, fresh=True)) / n,
                     'one KV cache for the whole document, made once before the loop: each position must see '
                     'the keys and values of the positions before it.')]
        _compare(got, expected, variants, 'the mean over the first n positions of -log p(next token).')
    BOS = len(_TINY_TEXT)
    return [("[BOS] 'abc' [BOS]", lambda: case([BOS, 0, 1, 2, BOS])),
            ("[BOS] 'dd' [BOS]", lambda: case([BOS, 3, 3, BOS])),
            ("[BOS] 'abcdabcd' [BOS]: longer than block_size 5", lambda: case([BOS, 0, 1, 2, 3, 0, 1, 2, 3, BOS])),
            ('[BOS, BOS]: one prediction', lambda: case([BOS, BOS]))]


def _adam_ref(p, grad, m, v, step, num_steps, lr, b1, b2, eps, t0=1, correct=True, decay=True, decay0=0,
              eps_inside=False):
    lr_t = lr * (1 - (step + decay0) / num_steps) if decay else lr
    m = b1 * m + (1 - b1) * grad
    v = b2 * v + (1 - b2) * grad ** 2
    m_hat = m / (1 - b1 ** (step + t0)) if correct else m
    v_hat = v / (1 - b2 ** (step + t0)) if correct else v
    p = p - lr_t * m_hat / ((v_hat + eps) ** 0.5 if eps_inside else v_hat ** 0.5 + eps)
    return p, m, v


@_exercise('adam-update', 5, 'One Adam update', ['adam_update'], """
Write `adam_update(p, grad, m, v, step, num_steps, learning_rate, beta1, beta2, eps)`: one
update of one parameter as `Adam.step` makes it, on plain floats, at the 0-based `step` of
`num_steps`. The learning rate decays linearly, `learning_rate * (1 - step / num_steps)`; the
moments are `m = beta1 m + (1 - beta1) grad` and `v = beta2 v + (1 - beta2) grad ** 2`; their
bias corrections divide by `1 - beta ** t` with `t = step + 1`; the parameter moves by
`lr_t * m_hat / (v_hat ** 0.5 + eps)` against the gradient. Return `(p, m, v)` after the update.
""", '''
def adam_update(p, grad, m, v, step, num_steps,
                learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
    """One Adam update at 0-based step `step`: returns the new (p, m, v)."""
    return None  # your code here
''', '''
def adam_update(p, grad, m, v, step, num_steps,
                learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
    """One Adam update at 0-based step `step`: returns the new (p, m, v)."""
    lr_t = learning_rate * (1 - step / num_steps)  # linear lr decay
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** (step + 1))  # bias correction: t = step + 1,
    v_hat = v / (1 - beta2 ** (step + 1))  # since m and v start at 0
    p = p - lr_t * m_hat / (v_hat ** 0.5 + eps)
    return p, m, v
''')
def _adam_cases(ns):
    hints = [(ZeroDivisionError, '', 'at step 0, 1 - beta ** step is 0: the bias correction counts t from 1, '
                                     'divide by 1 - beta1 ** (step + 1).')]

    def case(p, grad, m, v, step, num_steps, lr=0.01, b1=0.85, b2=0.99, eps=1e-8):
        args = [p, grad, m, v, step, num_steps, lr, b1, b2, eps]
        got = _returned(_call(ns['adam_update'], 'adam_update', args, hints), 'adam_update', (tuple, list),
                        'a tuple (p, m, v)')
        if len(got) != 3:
            raise _Fail(_short(got), '(p, m, v)', 'return the three updated numbers: p, m and v.')
        got = [_number(x, 'adam_update') for x in got]
        expected = list(_adam_ref(*args))
        flags = [(dict(t0=0), 'the bias correction counts t from 1: divide by 1 - beta ** (step + 1), not '
                              '1 - beta ** step.'),
                 (dict(correct=False), 'divide m and v by their bias corrections 1 - beta1 ** (step + 1) and '
                                       '1 - beta2 ** (step + 1): they start at 0 and are too small at first.'),
                 (dict(decay=False), 'the learning rate decays linearly: lr_t = learning_rate * '
                                     '(1 - step / num_steps).'),
                 (dict(decay0=1), 'the decay uses the 0-based step: learning_rate * (1 - step / num_steps), '
                                  'so the first step has the full learning rate.'),
                 (dict(eps_inside=True), 'eps goes outside the root: v_hat ** 0.5 + eps.')]
        variants = [(lambda f=f: list(_adam_ref(*args, **f)), why) for f, why in flags]
        variants.append((lambda: [2 * p - expected[0], *expected[1:]], 'move against the gradient: p - lr_t * '
                                                                       'm_hat / (...), not p +.'))
        _compare(got, expected, variants, 'follow the formulas of the prompt, in order: lr_t, m, v, m_hat, '
                                          'v_hat, p.', tol=1e-10)
    return [('step 0 of 1000, m = v = 0, grad 0.5', lambda: case(0.1, 0.5, 0.0, 0.0, 0, 1000)),
            ('step 5 of 1000, m and v from earlier steps', lambda: case(-0.2, -0.3, 0.04, 0.002, 5, 1000)),
            ('step 1 of 10, a large learning rate', lambda: case(1.0, 2.0, 0.3, 0.05, 1, 10, lr=0.5)),
            ('step 999 of 1000: the last, smallest step', lambda: case(0.3, 0.1, 0.01, 0.001, 999, 1000)),
            ('grad 0 at step 3: m and v decay', lambda: case(0.5, 0.0, 0.2, 0.01, 3, 100, b1=0.9, b2=0.999))]


# ============================================================================= Chapter 6: inference

@_exercise('temperature', 6, 'Probabilities at a temperature', ['probs_at'], """
Write `probs_at(logits, temperature)`: plain floats in, plain floats out: the softmax of the
logits divided by the temperature (`T < 1` sharpens, `T > 1` flattens). At `T = 0.01`, logits
of 10 become 1000: subtract the largest before `math.exp`.
""", '''
import math


def probs_at(logits, temperature):
    """softmax(logits / temperature), on plain floats."""
    return None  # your code here
''', '''
import math


def probs_at(logits, temperature):
    """softmax(logits / temperature), on plain floats."""
    scaled = [l / temperature for l in logits]
    m = max(scaled)                           # keeps exp() from overflowing
    exps = [math.exp(s - m) for s in scaled]
    total = sum(exps)
    return [e / total for e in exps]
''')
def _temperature_cases(ns):
    hints = [(OverflowError, '', 'logits / T can be huge at a small T (10 / 0.01 = 1000): subtract the largest '
                                 'scaled logit before math.exp.'),
             (ZeroDivisionError, '', 'every exp() underflowed to 0: subtract the largest scaled logit first.')]

    def case(logits, T):
        got = _vector(_call(ns['probs_at'], 'probs_at', [list(logits), T], hints), 'probs_at', len(logits))
        variants = [(lambda: _plain_softmax([z * T for z in logits]), 'divide the logits by the temperature, '
                                                                      'do not multiply: T < 1 must sharpen.'),
                    (lambda: _plain_softmax(logits), f'use the temperature: softmax(logits / T), here T = {T}.'),
                    (lambda: [p / T for p in _plain_softmax(logits)], 'divide the logits by T before the softmax, '
                                                                      'not the probabilities after it.')]
        _compare(got, _plain_softmax([z / T for z in logits]), variants, 'softmax(logits / temperature).')
    scores6 = [2.0, 1.0, 0.5, 0.0, -0.5, -1.0]
    return [('the six scores of section 3.4, T = 1', lambda: case(scores6, 1.0)),
            ('the same, T = 0.25: sharper', lambda: case(scores6, 0.25)),
            ('the same, T = 2: flatter', lambda: case(scores6, 2.0)),
            ('logits [10, 0], T = 0.01: nearly greedy', lambda: case([10.0, 0.0], 0.01))]


def _sample_ref(model, tokenizer, rng, temperature, divide=True, fresh=False):
    keys, values = model.empty_cache()
    token_id, out = tokenizer.BOS, []
    for pos_id in range(model.config.block_size):
        if fresh:
            keys, values = model.empty_cache()
        logits = model.gpt(token_id, pos_id, keys, values)
        probs = softmax([z / temperature for z in logits] if divide else logits)
        token_id = rng.choices(range(model.vocab_size), weights=[p.data for p in probs])[0]
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.uchars[token_id])
    return ''.join(out)


@_exercise('sample', 6, 'Sampling with a temperature', ['sample_name'], """
Write `sample_name(model, tokenizer, rng, temperature)`: one generated document, as
`microgpt.sample.sample` makes it: a fresh KV cache; start from `tokenizer.BOS`; at each of at
most `model.config.block_size` positions, the logits of `model.gpt(token_id, pos_id, keys,
values)`, divided by the temperature, through `softmax`; draw the next id with
`rng.choices(range(model.vocab_size), weights=probs)[0]` (the probabilities as floats, `p.data`);
stop at BOS, otherwise append the character `tokenizer.uchars[id]`. Return the string.
""", '''
from microgpt import softmax


def sample_name(model, tokenizer, rng, temperature):
    """One document, generated token by token until BOS."""
    return None  # your code here
''', '''
from microgpt import softmax


def sample_name(model, tokenizer, rng, temperature):
    """One document, generated token by token until BOS."""
    keys, values = model.empty_cache()
    token_id = tokenizer.BOS
    sample = []
    for pos_id in range(model.config.block_size):
        logits = model.gpt(token_id, pos_id, keys, values)
        probs = softmax([l / temperature for l in logits])
        weights = [p.data for p in probs]
        token_id = rng.choices(range(model.vocab_size), weights=weights)[0]
        if token_id == tokenizer.BOS:
            break
        sample.append(tokenizer.uchars[token_id])
    return ''.join(sample)
''')
def _sample_cases(ns):
    hints = [(IndexError, '', 'BOS has no character (tokenizer.uchars has none for it): stop when the drawn id '
                              'is tokenizer.BOS.')]

    def case(seeds, T):
        for seed in seeds:
            model, tok = _tiny()
            got = _call(ns['sample_name'], 'sample_name', [model, tok, random.Random(seed), T], hints)
            got = _returned(got, 'sample_name', str, 'a str')
            ref, tok = _tiny()
            expected = sample(ref, tok, random.Random(seed), T)
            if got == expected:
                continue
            variants = [(dict(divide=False), f'divide the logits by the temperature (here {T}) before the softmax.'),
                        (dict(fresh=True), 'one KV cache for the whole name, made before the loop: each position '
                                           'must see the ones before it.')]
            hint = next((why for flags, why in variants
                         if got == _sample_ref(ref, tok, random.Random(seed), T, **flags)),
                        'draw exactly one id per position with rng.choices(range(model.vocab_size), weights=probs)'
                        '[0], so that the same seed gives the same name as microgpt.sample.sample.')
            raise _Fail(f"seed {seed}: {got!r}", repr(expected), hint)
    return [('seeds 0 and 1, T = 1', lambda: case(range(2), 1.0)),
            ('seed 2, T = 0.5', lambda: case([2], 0.5)), ('seed 3, T = 3', lambda: case([3], 3.0))]


def _greedy_ref(model, tokenizer, last_tie=False):
    keys, values = model.empty_cache()
    token_id, out = tokenizer.BOS, []
    for pos_id in range(model.config.block_size):
        scores = [z.data for z in model.gpt(token_id, pos_id, keys, values)]
        best = max(scores)
        ties = [i for i, s in enumerate(scores) if s == best]
        token_id = ties[-1] if last_tie else ties[0]
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.uchars[token_id])
    return ''.join(out)


@_exercise('greedy', 6, 'Greedy decoding', ['greedy'], """
Write `greedy(model, tokenizer)`: the document of greedy decoding, the `T -> 0` limit of
sampling: at each of at most `block_size` positions take the most likely next token (the
largest logit); on a tie, the **lowest** id (as `max(range(V), key=...)` and NumPy's `argmax`
do); stop at BOS. No random numbers: the answer is one string per model.
""", '''
def greedy(model, tokenizer):
    """Always the most likely next token, until BOS or block_size positions."""
    return None  # your code here
''', '''
def greedy(model, tokenizer):
    """Always the most likely next token, until BOS or block_size positions."""
    keys, values = model.empty_cache()
    token_id, out = tokenizer.BOS, []
    for pos_id in range(model.config.block_size):
        logits = model.gpt(token_id, pos_id, keys, values)
        # the first of the largest logits
        token_id = max(range(model.vocab_size), key=lambda i: logits[i].data)
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.uchars[token_id])
    return ''.join(out)
''')
def _greedy_cases(ns):
    hints = [(IndexError, '', 'BOS has no character: stop when the chosen id is tokenizer.BOS.'),
             (TypeError, 'not supported between', 'Values cannot be compared: compare their .data.')]

    def zero_head(weights):  # every logit 0: a 5-way tie at every position
        weights['lm_head'] = [[0.0] * len(row) for row in weights['lm_head']]

    def case(change):
        model, tok = _tiny(change)
        got = _returned(_call(ns['greedy'], 'greedy', [model, tok], hints), 'greedy', str, 'a str')
        expected = _greedy_ref(model, tok)
        if got != expected:
            hint = ('on a tie take the lowest id, as max(range(V), key=...) and argmax do, not the last.'
                    if got == _greedy_ref(model, tok, last_tie=True) else
                    'take the largest logit at every position (no random draw) until BOS.')
            raise _Fail(repr(got), repr(expected), hint)

    def strong(weights):  # a model whose first choice is 'c'
        weights['lm_head'][2] = [3 * w for w in weights['lm_head'][2]]
    return [('the tiny model', lambda: case(None)),
            ('every logit equal: ties at every position', lambda: case(zero_head)),
            ('another tiny model', lambda: case(strong))]


# ============================================================================= Chapter 7: the complete picture

@_exercise('gpt-forward', 7, 'The whole forward step, from its parts', ['gpt'], """
Write `gpt(model, token_id, pos_id, keys, values)`: the logits `model.gpt` returns, composed
from the parts of chapters 3 and 4, using `model.state_dict`, `model.n_layer`, `model.n_head`,
`model.head_dim` and `model.activation`: embed (`wte` + `wpe`, `rmsnorm`); per layer `li`, a
pre-norm attention block (`q`, `k`, `v` with `layer{li}.attn_wq/wk/wv`; append `k` and `v` to
`keys[li]` and `values[li]`; every head over its slice of the cache; `attn_wo`; add the
residual) and a pre-norm MLP block (`mlp_fc1`, activation, `mlp_fc2`, residual); `lm_head`.
The check runs a whole name through your function, position by position, on a 2-layer model.
""", '''
from microgpt import linear, rmsnorm, softmax


def gpt(model, token_id, pos_id, keys, values):
    """The logits for what follows token_id at pos_id; keys, values: the KV
    cache, grown in place."""
    return None  # your code here
''', '''
from microgpt import linear, rmsnorm, softmax


def gpt(model, token_id, pos_id, keys, values):
    """The logits for what follows token_id at pos_id; keys, values: the KV
    cache, grown in place."""
    sd, head_dim = model.state_dict, model.head_dim
    x = [t + p for t, p in zip(sd['wte'][token_id], sd['wpe'][pos_id])]
    x = rmsnorm(x)
    for li in range(model.n_layer):
        x_residual = x                                   # 1) attention
        x = rmsnorm(x)
        q = linear(x, sd[f'layer{li}.attn_wq'])
        keys[li].append(linear(x, sd[f'layer{li}.attn_wk']))
        values[li].append(linear(x, sd[f'layer{li}.attn_wv']))
        x_attn = []
        for h in range(model.n_head):
            hs = h * head_dim
            q_h = q[hs:hs + head_dim]
            k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
            v_h = [vi[hs:hs + head_dim] for vi in values[li]]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim))
                           / head_dim**0.5 for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            x_attn.extend(sum(attn_weights[t] * v_h[t][j]
                              for t in range(len(v_h)))
                          for j in range(head_dim))
        x = linear(x_attn, sd[f'layer{li}.attn_wo'])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x                                   # 2) MLP
        x = linear(rmsnorm(x), sd[f'layer{li}.mlp_fc1'])
        x = [model.activation(xi) for xi in x]
        x = linear(x, sd[f'layer{li}.mlp_fc2'])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, sd['lm_head'])
''')
def _gpt_cases(ns):
    def case(tokens):
        model, _ = _tiny(n_layer=2)
        ref, _ = _tiny(n_layer=2)
        keys, values = model.empty_cache()
        ref_keys, ref_values = ref.empty_cache()
        for pos, token in enumerate(tokens):
            got = _call(ns['gpt'], 'gpt', [model, token, pos, keys, values])
            expected = ref.gpt(token, pos, ref_keys, ref_values)
            got = _vector(got, 'gpt', len(expected), values=True)
            if any(len(keys[li]) != pos + 1 or len(values[li]) != pos + 1 for li in range(model.n_layer)):
                raise _Fail(f"after position {pos}, the cache holds {[len(k) for k in keys]} keys and "
                            f"{[len(v) for v in values]} values per layer", f"{pos + 1} of each in every layer",
                            "append this position's k to keys[li] and v to values[li], once per layer, before the "
                            "heads look at the cache.")
            if not all(_close(a, b.data, 1e-9) for a, b in zip(got, expected)):
                hint = (f"position 0 is right, position {pos} is not: each head must attend over every cached "
                        f"position 0..{pos} (keys[li], values[li]), not only the newest." if pos else
                        "compare with model.gpt step by step: embed + rmsnorm; per layer rmsnorm, attention, "
                        "attn_wo, residual; rmsnorm, MLP, residual; lm_head.")
                raise _Fail(f"logits at position {pos}: {_short(got)}", _short(_data(expected)), hint)
    BOS = len(_TINY_TEXT)
    return [('BOS at position 0', lambda: case([BOS])), ("[BOS] 'abd': 4 positions", lambda: case([BOS, 0, 1, 3])),
            ("[BOS] 'dcba': the whole context", lambda: case([BOS, 3, 2, 1, 0]))]


@_exercise('train-step', 7, 'One training step', ['train_step'], """
Write `train_step(model, adam, tokens, step, num_steps)`: one step of the training loop, as
`training_steps` takes it: the loss of the framed document `tokens` (`doc_loss`), the backward
pass, and the Adam update at the 0-based `step` (`adam.step(step, num_steps)`, which also
resets every `.grad`). Return the loss as a plain float.
""", '''
from microgpt import doc_loss


def train_step(model, adam, tokens, step, num_steps):
    """forward -> backward -> update; returns the loss (a float)."""
    return None  # your code here
''', '''
from microgpt import doc_loss


def train_step(model, adam, tokens, step, num_steps):
    """forward -> backward -> update; returns the loss (a float)."""
    loss = doc_loss(model, tokens)  # 1. forward: the loss and its graph
    loss.backward()                 # 2. backward: dL/dp in every p.grad
    adam.step(step, num_steps)      # 3. update, and reset the grads
    return loss.data
''')
def _train_step_cases(ns):
    BOS = len(_TINY_TEXT)
    docs = [[BOS, 0, 1, BOS], [BOS, 2, 3, 0, BOS], [BOS, 1, BOS]]

    def run(steps, update_first=False, backward=True):
        model, _ = _tiny()
        adam = Adam(model.params, 0.05)
        losses = []
        for step in range(steps):
            if update_first:
                adam.step(step, 10)
            loss = doc_loss(model, docs[step])
            if backward:
                loss.backward()
            if not update_first:
                adam.step(step, 10)
            losses.append(loss.data)
        return losses, [p.data for p in model.params]

    def case(steps):
        model, _ = _tiny()
        adam = Adam(model.params, 0.05)
        before = [p.data for p in model.params]
        for step in range(steps):
            got = _call(ns['train_step'], 'train_step', [model, adam, docs[step], step, 10])
            if isinstance(got, Value):
                raise _Fail(f"train_step() returned {_short(got)}", 'a float',
                            'return loss.data, a plain float: the Value holds the whole graph of the step.')
            _number(got, 'train_step', 'the loss (a float)')
        losses, weights = run(steps)
        now = [p.data for p in model.params]
        if now == before:
            raise _Fail('the weights did not change', 'every used weight moved by about the learning rate',
                        'call loss.backward() and then adam.step(step, num_steps): without gradients (or without '
                        'the step) Adam has nothing to move.')
        if not all(_close(a, b, 1e-9) for a, b in zip(now, weights)):
            hint = ('adam.step() before loss.backward() moves the weights with the previous step\'s gradients: '
                    'forward, backward, then update.' if all(_close(a, b, 1e-9) for a, b in
                                                           zip(now, run(steps, update_first=True)[1])) else
                    'the weights after the step differ from training_steps\'s: doc_loss, backward(), '
                    'adam.step(step, num_steps), once each.')
            worst = max(range(len(now)), key=lambda i: abs(now[i] - weights[i]))
            raise _Fail(f"parameter {worst} = {now[worst]:.6g} after {steps} step(s)", f"{weights[worst]:.6g}", hint)
        _compare(_number(got, 'train_step'), losses[-1], hint='return the loss of this step, computed before '
                                                               'the update: loss.data.')
    return [('one step', lambda: case(1)), ('three steps in a row', lambda: case(3))]


def _count_lines_ref(source, strip=True, inline=False, docstrings=True):
    lines = source.split('\n')
    if lines and lines[-1] == '':
        lines = lines[:-1]
    docstring = set()
    if docstrings:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                        and isinstance(body[0].value.value, str):
                    docstring.update(range(body[0].lineno, body[0].end_lineno + 1))
    counts = {'blank': 0, 'comment': 0, 'docstring': 0, 'code': 0}
    for number, line in enumerate(lines, 1):
        text = line.strip() if strip else line
        if not text:
            counts['blank'] += 1
        elif number in docstring:
            counts['docstring'] += 1
        elif text.startswith('#') or inline and '#' in text:
            counts['comment'] += 1
        else:
            counts['code'] += 1
    return counts


_LISTING = '''"""A module docstring,
on two lines."""

import math   # a comment after code: a code line


def f(x):
    """f's docstring."""
    # a comment line
    return math.exp(x)
    \n'''


@_exercise('count-lines', 7, 'How many lines? Counting a listing by kind', ['count_lines'], """
Write `count_lines(source)`: how many lines of a Python source text are of each kind, as a
dict `{'blank': ..., 'comment': ..., 'docstring': ..., 'code': ...}`, the first four columns
of section 7.2's table. A line is **blank** if it holds only whitespace; else **docstring** if
it is part of the docstring of the module, a class or a function (find them with `ast`:
the first statement of `node.body` is a string constant; `lineno` to `end_lineno`); else
**comment** if it starts with `#` after its indentation; else **code** (`x = 1  # note` is
code). A final newline does not start another line. The check counts the package's own
`autograd.py` and `model.py` too.
""", '''
import ast


def count_lines(source):
    """{'blank', 'comment', 'docstring', 'code'}: how many lines of each
    kind."""
    return None  # your code here
''', '''
import ast


def count_lines(source):
    """{'blank', 'comment', 'docstring', 'code'}: how many lines of each
    kind."""
    lines = source.split('\\n')
    if lines and lines[-1] == '':  # a final newline ends the last line
        lines = lines[:-1]
    docstring = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            value = getattr(first, 'value', None)
            if (isinstance(first, ast.Expr) and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)):
                docstring.update(range(first.lineno, first.end_lineno + 1))
    counts = {'blank': 0, 'comment': 0, 'docstring': 0, 'code': 0}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            counts['blank'] += 1
        elif number in docstring:
            counts['docstring'] += 1
        elif text.startswith('#'):
            counts['comment'] += 1
        else:
            counts['code'] += 1
    return counts
''')
def _count_lines_cases(ns):
    def case(source):
        got = _returned(_call(ns['count_lines'], 'count_lines', [source]), 'count_lines', dict,
                        "a dict {'blank', 'comment', 'docstring', 'code'}")
        expected = _count_lines_ref(source)
        if set(got) != set(expected):
            raise _Fail(f"keys {sorted(got)}", str(sorted(expected)), "exactly the four keys 'blank', 'comment', "
                                                                      "'docstring' and 'code'.")
        if got == expected:
            return
        mistakes = [(dict(strip=False), "a line of only spaces is blank: test line.strip(), not line."),
                    (dict(inline=True), "only a line that starts with # (after its indentation) is a comment: "
                                        "x = 1  # note is a code line."),
                    (dict(docstrings=False), "docstrings: the first statement of a module, class or function "
                                             "body, if it is a string constant (ast), lines lineno..end_lineno.")]
        total = len(source.split('\n')) - source.endswith('\n')
        hint = next((why for flags, why in mistakes if got == _count_lines_ref(source, **flags)),
                    f"the four counts add up to the {total} lines: "
                    f"your counts add up to {sum(v for v in got.values() if isinstance(v, int))}."
                    if sum(v for v in got.values() if isinstance(v, int)) != total else
                    'blank first, then docstring, then comment, else code.')
        raise _Fail(_short(got), _short(expected), hint)

    def module_source(name):
        import importlib
        import inspect
        return inspect.getsource(importlib.import_module(f'microgpt.{name}'))
    return [('a small listing', lambda: case(_LISTING)),
            ('no final newline', lambda: case("x = 1\n\n# the end")),
            ('microgpt/autograd.py', lambda: case(module_source('autograd'))),
            ('microgpt/model.py', lambda: case(module_source('model')))]
