"""microgpt.cells: which chapter cells run in the browser (plan) and how a cell runs there (run),
checked in CPython: the page's worker runs this same module in Pyodide (tests/browser/test_cells.py).
Also the build's side (book/_ext/microgpt_cells.py: the plan of a notebook, the exercises' ids,
the progress list) and the vendored editor (CodeMirror: pinned, hash-checked, licensed)."""

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
from IPython.lib.pretty import pretty as ipython_pretty

from microgpt import cells, exercises

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book" / "_ext"))
import microgpt_cells  # noqa: E402 - the build's extension


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


def test_each_name_from_a_browserless_import_carries_its_own_reason():
    p = plan('import matplotlib.pyplot as plt\nfrom microgpt.viz import data as vd\nimport microgpt',
             'vd.length_histogram([])', 'plt.show()', 'print(microgpt.Value(1.0))')
    assert [c['reason'] for c in p[1:]] == ['it needs the figures (microgpt.viz)', 'it needs matplotlib',
                                            'it needs matplotlib and the figures (microgpt.viz)']


def test_a_name_changed_by_a_browserless_cell_is_no_longer_available():
    p = plan('import microgpt\nrun = microgpt.prepare()', 'import numpy as np\nrun.train()\nnp.pi',
             'print(run.losses)', 'print(microgpt.Value(2.0))')
    assert not p[2]['runnable']          # run was trained where the browser cannot follow
    assert p[3]['runnable']              # a module the browserless cell only called stays usable


def test_calling_a_modules_function_in_a_browserless_cell_leaves_the_module_usable():
    p = plan('import microgpt\nfrom microgpt.viz import data as vd\ndocs = microgpt.load_docs()',
             'vd.letter_frequencies(docs, microgpt.Tokenizer(docs))',
             'tok = microgpt.Tokenizer(docs)\nprint(tok)')
    assert [c['runnable'] for c in p] == [False, False, False]  # the first imports microgpt.viz
    p = plan('import microgpt\ndocs = microgpt.load_docs()', 'from microgpt.viz import data as vd',
             'vd.letter_frequencies(docs, microgpt.Tokenizer(docs))', 'print(microgpt.Tokenizer(docs))',
             'import numpy as np\ndocs.sort()', 'print(docs[0])')
    assert [c['runnable'] for c in p] == [True, False, False, True, False, False]
    assert p[3]['needs'] == [0] and p[5]['reason'] == 'it needs NumPy'  # docs.sort() may change docs


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


# ----------------------------------------------------------------------------- the build's side
def write_notebook(tmp_path, cells_):
    nb = {"cells": [{"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": source,
                     **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                    for kind, source, tags in cells_],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_a_notebooks_plan_as_the_page_gets_it(tmp_path):
    starter = exercises.EXERCISES['softmax'].starter + "\ncheck('softmax')"
    path = write_notebook(tmp_path, [
        ("code", "import sys\nif 'google.colab' in sys.modules:\n    pass", ["remove-cell"]),
        ("code", "import microgpt\nfrom microgpt.exercises import check", []),
        ("markdown", "# text", []),
        ("code", "import matplotlib.pyplot as plt", []),
        ("code", "microgpt.viz.widget()", ["remove-input"]),
        ("code", starter, ["exercise"]),
        ("code", exercises.EXERCISES['softmax'].solution + "\ncheck('softmax')", ["hide-cell"]),
        ("code", "print(softmax)", []),
    ])
    p = microgpt_cells.notebook_plan(path)
    assert sorted(p) == [1, 3, 4, 5, 6, 7]   # the removed cell is not on the page
    assert [p[i]['runnable'] for i in (1, 3, 4, 5, 6, 7)] == [True, False, False, True, True, True]
    assert p[5]['exercise'] == 'softmax' and p[6]['exercise'] is None and p[6]['hidden']
    assert p[7]['needs'] == [1, 5]          # the reader's softmax (the exercise), not the book's solution
    assert p[5]['source'] == starter


@pytest.mark.parametrize('chapter', sorted(p.name for p in (REPO / 'book').glob('[0-9][0-9]_*.ipynb')))
def test_every_chapter_has_runnable_cells_and_three_checked_exercises(chapter):
    """The contract of the chapters with the page (issue 17): a setup cell that runs in the browser,
    and at least three exercises, each a cell tagged "exercise" that the page can run and check."""
    plan = microgpt_cells.notebook_plan(REPO / 'book' / chapter)
    runnable = [e for e in plan.values() if e['runnable']]
    checked = [e['exercise'] for e in runnable if e['exercise']]
    assert runnable and runnable[0]['needs'] == [], f"{chapter}: no cell runs in the page"
    assert len(set(checked)) >= 3, f"{chapter}: {len(set(checked))} exercises checked in the page"
    assert not [e for e in plan.values() if e['exercise'] and not e['runnable']]


@pytest.mark.parametrize('source, message', [
    ("def f():\n    return 1", "must end with check('<exercise id>')"),
    ("check('nope')", "'nope', which microgpt.exercises does not know"),
])
def test_an_exercise_cell_must_name_a_known_exercise(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        microgpt_cells.exercise_id(source)


def test_the_landing_pages_list_names_every_exercise_once_by_chapter():
    pages = {n: (f"{n:02d}.html", f"Chapter <{n}>") for n in range(1, 8)}
    html = microgpt_cells.progress_list(pages)
    assert re.findall(r'data-exercise="([\w-]+)"', html) == [e['id'] for e in exercises.exercises()]
    assert html.count('class="mg-progress-chapter"') == 7 and "Chapter &lt;3&gt;" in html
    assert "<button" not in html  # no control in the static page: cells.js adds Clear


# ----------------------------------------------------------------------------- the vendored editor
VENDOR = REPO / "book" / "_extra" / "vendor"


def test_the_vendored_editor_is_what_scripts_vendor_js_recorded():
    sums = (VENDOR / "codemirror" / "SHA256SUMS").read_text().split("\n")
    files = {}
    for line in filter(None, sums):
        digest, name = line.split(maxsplit=1)
        files[name.removeprefix("./")] = digest
    assert sorted(files) == ["LICENSE.txt", "codemirror.mjs"]
    for name, digest in files.items():
        assert hashlib.sha256((VENDOR / "codemirror" / name).read_bytes()).hexdigest() == digest, name
    assert "codemirror/" in (VENDOR / "LICENSES.txt").read_text() and "MIT" in (VENDOR / "LICENSES.txt").read_text()


def test_every_package_of_the_editor_is_pinned_with_its_integrity():
    pkg = json.loads((REPO / "scripts" / "codemirror" / "package.json").read_text())
    lock = json.loads((REPO / "scripts" / "codemirror" / "package-lock.json").read_text())
    wanted = {**pkg["dependencies"], **pkg["devDependencies"]}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in wanted.values()), "exact versions only"
    for name, version in wanted.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    for name, entry in lock["packages"].items():
        if name:
            assert entry["integrity"].startswith("sha512-"), name
    bundled = (VENDOR / "codemirror" / "LICENSE.txt").read_text()
    for name in ("@codemirror/view", "@codemirror/state", "@codemirror/lang-python", "@lezer/python"):
        version = lock["packages"][f"node_modules/{name}"]["version"]
        assert f"{name}@{version} (MIT)" in bundled, name


def test_the_editor_imports_only_what_the_bundle_exports():
    entry = (REPO / "scripts" / "codemirror" / "entry.mjs").read_text()
    exported = set(re.findall(r"\b(\w+)\b", " ".join(re.findall(r"export \{([^}]*)\}", entry))))
    editor = (REPO / "book" / "_extra" / "live" / "editor.mjs").read_text()
    (names, source), = re.findall(r'import \{([^}]*)\} from "([^"]+)"', editor)
    imported = set(re.findall(r"\b(\w+)\b", names))
    assert source == "../vendor/codemirror/codemirror.mjs" and imported == exported
    bundle = (VENDOR / "codemirror" / "codemirror.mjs").read_text()
    tail = bundle[bundle.rindex("export{"):]
    assert all(re.search(rf"\bas {name}\b|[{{,]{name}[,}}]", tail) for name in imported)
