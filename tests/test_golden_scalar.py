"""The scalar engine reproduces the reference program's output, line for line.
Each full run is 1000 training steps of pure-Python autograd: about 3 minutes."""

import json
import os

import pytest
from helpers import GOLDEN_BOOK, GOLDEN_KARPATHY, MAKEMORE_NAMES, MISSING_SHARED, read_lines, run_cli

from microgpt.explore import TRAINED_BOOK_PATH


def test_default_cli_reproduces_book_golden(tmp_path):
    saved = tmp_path / 'trained.json'
    result = run_cli('--save', str(saved))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_BOOK)
    # the same run's weights are the ones the package ships for the browser widgets
    with open(saved, encoding='utf-8') as f, open(TRAINED_BOOK_PATH, encoding='utf-8') as g:
        assert json.load(f) == json.load(g)


@pytest.mark.skipif(not os.path.exists(MAKEMORE_NAMES), reason=MISSING_SHARED)
def test_karpathy_preset_reproduces_published_golden():
    result = run_cli('--preset', 'karpathy', '--data', MAKEMORE_NAMES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_KARPATHY)
