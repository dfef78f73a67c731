"""The single-file edition (book/microgpt_single.py): the committed file is what
`python -m microgpt.edition` generates from the package today, it needs only the standard
library, and run on its own it prints microgpt/golden_book_ssa2017.txt line for line."""

import ast
import os
import subprocess
import sys

from helpers import GOLDEN_BOOK, REPO, read_lines

from microgpt import edition
from microgpt.data import NAMES_PATH
from microgpt.lines import classify_source

SINGLE = os.path.join(REPO, 'book', 'microgpt_single.py')


def _committed():
    with open(SINGLE, encoding='utf-8') as f:
        return f.read()


def test_the_committed_file_is_what_the_package_generates():
    assert edition.DEFAULT_PATH == SINGLE
    assert _committed() == edition.edition(), ("book/microgpt_single.py is out of date: "
                                               "run `python -m microgpt.edition --write`")


def test_it_is_the_algorithm_only_and_imports_only_the_standard_library():
    source = _committed()
    tree = ast.parse(source)
    imported = {a.name.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names), imported
    _, kinds = classify_source(source)
    assert 'checks' not in kinds and 'trace' not in kinds  # no input checks, no trace hooks
    own = [line for line in ast.get_docstring(tree).split('\n') if line.strip()]
    assert kinds.count('docstring') == len(own) + 2  # only the file's own (and its two quote lines)
    assert 250 <= kinds.count('algorithm') <= 320
    for chapter in range(1, 7):
        assert f'# Chapter {chapter}: ' in source


def test_a_block_keeps_the_algorithm_and_runs_without_its_checks():
    text = edition.block_source('train', ['training_steps'])
    assert 'try:' not in text and 'raise' not in text and 'check_' not in text
    assert '\n            loss = doc_loss(model, tokens)\n' in text  # out of the try, one level up
    assert 'trace' not in edition.block_source('sample', ['sample'])
    assert 'for i in ids:' not in edition.block_source('data', ['Tokenizer:decode'])  # a loop that only checked


def test_it_prints_the_golden_file_line_for_line(tmp_path):
    """~2 minutes: the whole 1000-step run, in a folder without the package, with -S (no site-packages)."""
    out = subprocess.run([sys.executable, '-S', SINGLE, NAMES_PATH], cwd=tmp_path, capture_output=True,
                         text=True, timeout=1800)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == read_lines(GOLDEN_BOOK)
