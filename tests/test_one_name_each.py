"""One name for one thing: the figure modules, explore, tables and lines define no function
twice, hide no package name behind an import alias, and the standard-library helpers
(tables, lines) and the benchmark need no matplotlib."""

import ast
import glob
import os
import subprocess
import sys

from helpers import REPO

import microgpt
from microgpt.tables import Table, table_lines

PACKAGE = os.path.dirname(os.path.abspath(microgpt.__file__))
MODULES = sorted(glob.glob(os.path.join(PACKAGE, 'viz', '*.py'))) + \
    [os.path.join(PACKAGE, f'{name}.py') for name in ('explore', 'tables', 'lines')]
# a deliberate twin: the figures' version picks the sampler of the model's engine, then calls explore's
TWINS = {'sample_names'}


def _tree(path):
    with open(path, encoding='utf-8') as f:
        return ast.parse(f.read())


def test_no_function_or_class_is_defined_twice():
    where = {}
    for path in MODULES:
        for node in _tree(path).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in TWINS:
                assert node.name not in where, f'{node.name}: {where.get(node.name)} and {path}'
                where[node.name] = path


def test_no_import_alias_hides_a_name_of_the_package():
    public = {name for name in dir(microgpt) if not name.startswith('_')}
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    assert alias.asname is None or alias.asname not in public, (path, alias.name, alias.asname)


def test_tables_align_numbers_right_and_text_left():
    assert table_lines(['name', 'loss'], [('emma', 2.5), ('ava', 10.25)], '{:.2f}') == [
        'name   loss', '----  -----', 'emma   2.50', 'ava   10.25']
    t = Table(['engine', 'steps'], [['scalar', 1000]])
    assert repr(t) == 'engine  steps\n------  -----\nscalar  1,000'
    assert '<td style="text-align:right">1,000</td>' in t._repr_html_()


def test_the_benchmark_and_the_standard_library_helpers_need_no_matplotlib():
    code = ("import sys; sys.modules['matplotlib'] = None\n"   # any import of matplotlib now fails
            "sys.path.insert(0, 'benchmarks')\n"
            "import bench\n"
            "from microgpt import lines, tables, explore\n"
            "print(bench.table_lines is tables.table_lines)\n")
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'True'
