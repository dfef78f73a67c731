"""Chapter 7's "what the code includes" table is read from the package with inspect: every
row must name a file of the package and line numbers that hold the object it names."""

import inspect
import os

import pytest

pytest.importorskip('matplotlib')  # microgpt.viz needs the [viz] extra

import microgpt
from microgpt.viz import picture

PACKAGE_DIR = os.path.dirname(os.path.abspath(microgpt.__file__))
ROWS = picture.includes_table()


def _lines(module):
    with open(os.path.join(PACKAGE_DIR, module), encoding='utf-8') as f:
        return f.read().splitlines()


def _numbers(where):
    """'3-5, 9' -> [3, 4, 5, 9]."""
    out = []
    for part in where.split(', '):
        a, _, b = part.partition('-')
        out.extend(range(int(a), int(b or a) + 1))
    return out


def test_the_table_lists_the_ten_components():
    assert len(ROWS) == 10
    assert len({r['component'] for r in ROWS}) == 10


@pytest.mark.parametrize('row', ROWS, ids=[r['component'] for r in ROWS])
def test_every_row_names_a_file_of_the_package(row):
    assert os.path.isfile(os.path.join(PACKAGE_DIR, row['module'])), row
    assert row['lines'] == len(_numbers(row['where']))


PAIRS = list(zip(picture.COMPONENTS, ROWS))  # includes_table() keeps COMPONENTS' order


@pytest.mark.parametrize('component,row', PAIRS, ids=[r['component'] for r in ROWS])
def test_every_row_points_at_its_object_in_its_file(component, row):
    _, obj, anchor, _ = component
    source, first = inspect.getsourcelines(inspect.unwrap(obj))
    lines = _lines(row['module'])
    numbers = _numbers(row['where'])
    if anchor is None:  # the whole object: exactly its own source
        assert [lines[n - 1] for n in numbers] == source_lines(source)
        name = row['object'].split('.')[-1]
        assert any(line.lstrip().startswith((f'def {name}(', f'class {name}'))
                   for line in source_lines(source))
    else:  # part of a function: inside it, the lines its anchor comment marks
        assert first <= numbers[0] and numbers[-1] < first + len(source)
        kind, text = anchor
        if kind == 'section':  # from the comment line '# text' to the end of its paragraph
            assert lines[numbers[0] - 1].strip() == f'# {text}'
            assert numbers == list(range(numbers[0], numbers[-1] + 1)) and not lines[numbers[-1]].strip()
        else:                  # every line whose trailing comment is '# text'
            assert kind == 'tag' and all(lines[n - 1].rstrip().endswith(f'  # {text}') for n in numbers)


def test_a_renamed_anchor_fails_instead_of_moving_the_table(monkeypatch):
    components = [(c, obj, ('section', anchor[1] + ' (renamed)') if anchor and anchor[0] == 'section' else anchor, ch)
                  for c, obj, anchor, ch in picture.COMPONENTS]
    monkeypatch.setattr(picture, 'COMPONENTS', components)
    with pytest.raises(LookupError, match=r"'# Step 1: Embed \(renamed\)' is found 0 times in GPT.gpt"):
        picture.includes_table()


def source_lines(source):
    return [line.rstrip('\n') for line in source]


def test_a_decorated_function_is_found_in_its_own_module():
    """@graph_building() wraps microgpt's sample(); the wrapper lives in contextlib.py."""
    name, qualname, numbers = picture.locate(microgpt.sample_many.__globals__['sample'])
    assert (name, qualname) == ('sample.py', 'sample')
    assert _lines('sample.py')[numbers[0] - 1].startswith('@graph_building')
