"""The scalar engine reproduces the reference program's output, line for line.
Each full run is 1000 training steps of pure-Python autograd: about 3 minutes."""

import os

import pytest
from helpers import GOLDEN_BOOK, GOLDEN_KARPATHY, MAKEMORE_NAMES, MISSING_SHARED, read_lines, run_cli


def test_default_cli_reproduces_book_golden():
    result = run_cli()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_BOOK)


@pytest.mark.skipif(not os.path.exists(MAKEMORE_NAMES), reason=MISSING_SHARED)
def test_karpathy_preset_reproduces_published_golden():
    result = run_cli('--preset', 'karpathy', '--data', MAKEMORE_NAMES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_KARPATHY)
