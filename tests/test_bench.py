"""Smoke test of `python benchmarks/bench.py --quick`: the table has its rows, the ratios are
positive numbers, and the plain baseline really computes the package's numbers."""

import json
import re
import subprocess
import sys

import pytest
from helpers import REPO

ROWS = ('scalar engine', 'plain baseline', 'list engine', 'numpy engine')


@pytest.fixture(scope='module')
def quick(tmp_path_factory):
    json_path = tmp_path_factory.mktemp('bench') / 'bench.json'
    result = subprocess.run([sys.executable, 'benchmarks/bench.py', '--quick', '--json', str(json_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(json_path, encoding='utf-8') as f:
        return result.stdout, json.load(f)


def section(stdout, title):
    """The lines of one block of the table, from its title line to the next blank line."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return [line for line in lines[start + 1:end] if set(line) != {'-', ' '}]  # not the rule under the header


def test_table_has_every_row(quick):
    stdout, _ = quick
    assert '50 training steps' in stdout.splitlines()[0]
    for title in ('training', 'sampling'):
        rows = section(stdout, title)
        assert [row.split('  ')[1].strip() for row in rows] == list(ROWS)
        for row in rows:  # runs, then the timings: all positive numbers
            numbers = [float(x) for x in row.split()[2:]]
            assert len(numbers) == (4 if title == 'training' else 3) and all(x > 0 for x in numbers), row


def test_ratios_are_positive_numbers(quick):
    stdout, data = quick
    ratios = section(stdout, 'ratios')
    assert len(ratios) == 6
    for line in ratios:
        match = re.fullmatch(r'  (list speed-up over scalar|numpy speed-up over scalar|scalar / plain time), '
                             r'.*?\s([0-9.]+)x  \(cpu ([0-9.]+)x\)',
                             line)
        assert match, line
        assert float(match.group(2)) > 0 and float(match.group(3)) > 0
    assert len(data['ratios']) == 6
    assert all(r['wall'] > 0 and r['cpu'] > 0 for r in data['ratios'].values())


def test_plain_baseline_computes_the_packages_numbers(quick):
    stdout, data = quick
    scalar, plain, numpy = data['scalar']['losses'], data['plain']['losses'], data['numpy']['losses']
    assert len(scalar) == len(plain) == len(numpy) == 50
    assert plain == scalar  # exactly: the same algorithm, operation for operation
    assert [f"{x:.4f}" for x in numpy] == [f"{x:.4f}" for x in scalar]
    assert data['plain']['samples'] == data['scalar']['samples'] == data['numpy']['samples']
    assert len(data['scalar']['samples']) == 20
    checks = section(stdout, 'checks')
    assert len(checks) == 6 and all(': yes' in line for line in checks), checks


def test_list_engine_computes_the_scalar_engines_numbers_exactly(quick):
    _, data = quick
    scalar = data['scalar']['losses']
    assert len(data['list']['runs']) == 3
    assert all(run['losses'] == scalar for run in data['list']['runs'])  # every bit, every run
    assert data['list']['samples'] == data['scalar']['samples']
    assert data['checks']['list_losses_exact'] and data['checks']['list_samples']
