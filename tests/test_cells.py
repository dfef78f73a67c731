"""microgpt.cells: which chapter cells run in the browser (plan) and how a cell runs there (run),
checked in CPython: the page's worker runs this same module in Pyodide (tests/browser/test_cells.py)."""

import json

import pytest
from IPython.lib.pretty import pretty as ipython_pretty

from microgpt import cells


def plan(*sources, hidden=()):
    return cells.plan([{'index': i, 'source': s, 'hidden': i in hidden} for i, s in enumerate(sources)])


def test_standard_library_cells_run_and_need_the_cells_above():
    p = plan('import math\nimport microgpt', 'x = math.pi', 'print(x, microgpt.Value(1.0))')
    assert [c['runnable'] for c in p] == [True, True, True]
    assert p[2]['needs'] == [0, 1] and p[0]['needs'] == []


@pytest.mark.parametrize('source, words', [
    ('import numpy as np', 'NumPy'),
    ('import matplotlib.pyplot as plt', 'matplotlib'),
    ('from microgpt import viz', 'the figures (microgpt.viz)'),
    ('from microgpt.viz import show_source', 'the figures (microgpt.viz)'),
    ('import microgpt\nmicrogpt.viz.trained_run()', 'the figures (microgpt.viz)'),
    ("import microgpt\nmicrogpt.prepare('book', engine='numpy')", 'the NumPy engine'),
    ('from IPython.display import Markdown', 'IPython'),
    ('import subprocess', 'other processes (subprocess)'),
    ('%timeit 1 + 1', 'IPython (it is not plain Python)'),
])
def test_a_cell_that_needs_what_the_browser_lacks_says_what(source, words):
    (c,) = plan(source)
    assert not c['runnable'] and c['needs'] == [] and words in c['reason']


def test_names_from_a_browserless_cell_carry_its_reason():
    p = plan('import microgpt', 'import numpy as np\nrun = microgpt.prepare()', 'print(run)', 'print(np.pi)')
    assert not p[2]['runnable'] and p[2]['reason'] == 'it needs NumPy'
    assert not p[3]['runnable']


def test_a_name_changed_by_a_browserless_cell_is_no_longer_available():
    p = plan('import microgpt\nrun = microgpt.prepare()', 'import numpy as np\nrun.train()\nnp.pi',
             'print(run.losses)', 'print(microgpt.Value(2.0))')
    assert not p[2]['runnable']          # run was trained where the browser cannot follow
    assert p[3]['runnable']              # a module the browserless cell only called stays usable


def test_a_runnable_cell_rebinding_a_name_makes_it_available_again():
    p = plan('import numpy as np\nx = np.ones(3)', 'x = [1, 2, 3]', 'print(sum(x))')
    assert [c['runnable'] for c in p] == [False, True, True] and p[2]['needs'] == [1]


def test_hidden_solutions_run_on_demand_only():
    p = plan('def f():\n    return None', 'def f():\n    return 1', 'print(f())', hidden={1})
    assert p[1]['runnable'] and p[2]['needs'] == [0]  # the reader's f, not the book's


def test_an_undefined_name_is_not_runnable():
    (c,) = plan('print(nowhere)')
    assert not c['runnable'] and 'no cell above defines' in c['reason']


def test_function_parameters_comprehensions_and_builtins_are_not_free_names():
    (c,) = plan('def f(a, *args, k=1, **kw):\n    return [i * a for i in range(k)]\nprint(f(2), len(str(f)))')
    assert c['runnable']


def run(source, key='t'):
    return json.loads(cells.run(key, source))


def test_run_shows_printed_text_and_the_last_expressions_value():
    r = run('x = 6\nprint("seven")\nx * 7', key='values')
    assert r == {'stdout': 'seven\n', 'cut': 0, 'value': '42', 'error': None, 'verdicts': []}
    assert run('x', key='values')['value'] == '6'      # one namespace per key
    assert run('x', key='other')['error']['type'] == 'NameError'
    assert run('None')['value'] is None and run('y = 1')['value'] is None


def test_an_error_is_a_short_traceback_ending_with_the_packages_message():
    r = run("import microgpt\ntok = microgpt.Tokenizer(['ab'])\ntok.encode('z')")
    tb = r['error']['traceback']
    assert r['error']['type'] == 'TokenizerError'
    assert tb.splitlines()[0] == 'Traceback (most recent call last):'
    assert "line 3" in tb and "tok.encode('z')" in tb and 'File "microgpt/data.py"' in tb
    assert tb.splitlines()[-1].startswith('microgpt.errors.TokenizerError: ') and "'z'" in tb
    assert 'cells.py' not in tb     # the runner itself is not the reader's business


def test_a_syntax_error_and_system_exit_are_reported_not_raised():
    assert run('def (')['error']['type'] == 'SyntaxError'
    assert run('raise SystemExit(3)')['error']['type'] == 'SystemExit'


def test_a_huge_print_is_cut_and_counted():
    r = run('for i in range(100000):\n    print(i)')
    assert len(r['stdout']) == cells.OUTPUT_LIMIT
    assert r['cut'] == sum(len(f'{i}\n') for i in range(100000)) - cells.OUTPUT_LIMIT


def test_exercise_verdicts_are_reported_once():
    r = run("from microgpt.exercises import check\ndef softmax(logits):\n    return None\ncheck('softmax')")
    assert len(r['verdicts']) == 1 and r['verdicts'][0]['id'] == 'softmax' and not r['verdicts'][0]['passed']
    assert r['verdicts'][0]['message'] in r['stdout']
    assert run('1')['verdicts'] == []


@pytest.mark.parametrize('value', [
    1, 'text', 3.14, None, [1, 2], list(range(40)), {'a': 1, 'b': [1, 2]},
    {f'key{i}': list(range(i)) for i in range(12)}, tuple(range(30)), (1,), [[i] * 12 for i in range(4)],
    [(f'name{i}', 0.1 * i) for i in range(10)], {i: 'x' * 30 for i in range(5)},
])
def test_values_print_as_ipython_prints_them(value):
    assert cells.pretty(value) == ipython_pretty(value)
