"""Paths and small helpers shared by the tests."""

import os
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
SHARED_REFERENCE = os.path.join(os.path.dirname(REPO), 'shared', 'reference')
# Our own reference output on our data; package data, so that chapters find it when installed.
GOLDEN_BOOK = os.path.join(REPO, 'microgpt', 'golden_book_ssa2017.txt')
GOLDEN_KARPATHY = os.path.join(SHARED_REFERENCE, 'golden_karpathy_makemore.txt')
MAKEMORE_NAMES = os.path.join(SHARED_REFERENCE, 'makemore_names.txt')  # never copied into the repo
MISSING_SHARED = (f"the reference dataset {MAKEMORE_NAMES} is absent (it lives beside the repo in "
                  "../shared/reference and must not be copied into it); CI has it")


def run_cli(*args, timeout=1800):
    """Run `python -m microgpt ARGS` from the repo root; return the CompletedProcess."""
    return subprocess.run([sys.executable, '-m', 'microgpt', *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        return f.read().splitlines()
