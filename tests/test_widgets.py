"""The live widgets' one declaration (microgpt/widgets.py) agrees with the chapters that
place them and with the JavaScript that draws them; no JavaScript names a Python
function or restates a Python default."""

import inspect
import json
import re
import sys
from pathlib import Path

import pytest
from helpers import REPO

from microgpt import widgets

sys.path.insert(0, str(Path(REPO) / 'book' / '_ext'))
from microgpt_live import DIV_TAG, parse_div  # noqa: E402

LIVE = Path(REPO) / 'book' / '_extra' / 'live'
WIDGET_JS = {p.stem: p.read_text() for p in sorted((LIVE / 'widgets').glob('*.js'))}
ALL_JS = {p.name: p.read_text() for p in sorted(LIVE.rglob('*.js'))}


def notebook_divs():
    """The live divs of the chapters' markdown cells and of the book's markdown pages."""
    for path in sorted((Path(REPO) / 'book').glob('*.ipynb')) + sorted((Path(REPO) / 'book').glob('*.md')):
        if path.suffix == '.md':
            texts = [path.read_text()]
        else:
            cells = json.loads(path.read_text())['cells']
            texts = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
        for text in texts:
            for tag in DIV_TAG.findall(text):
                if 'mg-live' in tag:
                    yield path.name, parse_div(tag)


DIVS = list(notebook_divs())


def test_every_declared_call_names_a_real_function_with_those_keywords():
    for w in widgets.WIDGETS.values():
        for name, call in w.calls.items():
            fn = widgets.resolve(call.fn)
            params = inspect.signature(fn).parameters
            assert set(call.args) <= set(params), (w.kind, name)
            assert inspect.isgeneratorfunction(fn) == call.stream, (w.kind, name)


def test_every_chapter_widget_is_declared_and_its_args_are_declared_keywords():
    assert len(DIVS) >= 7
    for notebook, attrs in DIVS:
        spec = widgets.spec(attrs['data-widget'], json.loads(attrs.get('data-args') or '{}'))
        assert spec['kind'] in WIDGET_JS, f"{notebook}: no widgets/{spec['kind']}.js"


def test_every_declared_widget_is_placed_in_a_chapter_and_has_its_javascript():
    placed = {attrs['data-widget'] for _, attrs in DIVS}
    assert placed == set(widgets.WIDGETS) == set(WIDGET_JS)


@pytest.mark.parametrize('kind', sorted(widgets.WIDGETS))
def test_the_javascript_registers_its_kind_and_uses_only_declared_call_names(kind):
    js = WIDGET_JS[kind]
    assert re.search(r"register\(\s*['\"]" + kind + r"['\"]", js)
    used = set(re.findall(r"\bw\.(?:ask|call|stream|args)\(\s*['\"](\w+)['\"]", js))
    assert used, f"{kind}.js makes no declared call"
    assert used <= set(widgets.WIDGETS[kind].calls), used - set(widgets.WIDGETS[kind].calls)


def test_no_javascript_names_a_python_function_of_the_package():
    # every declared function, and every explore function with a compound name (one-word
    # names such as probs or score are also the keys of the JSON the widgets draw)
    names = {fn.rpartition('.')[2] for fn in widgets.callable_names()}
    names |= {n for n, _ in inspect.getmembers(sys.modules['microgpt.explore'], inspect.isfunction) if '_' in n}
    modules = {fn.rpartition('.')[0] for fn in widgets.callable_names()}
    for file, js in ALL_JS.items():
        if file.startswith('pyodide'):
            continue
        code = re.sub(r'//[^\n]*|/\*.*?\*/', '', js, flags=re.S)  # comments may explain
        found = sorted(n for n in names if re.search(r'\b' + re.escape(n) + r'\b', code))
        found += sorted(m for m in modules if re.search(r"['\"]" + m + r"['\"]", code))
        assert not found, f"{file} names {found}"


def test_no_widget_restates_a_python_default():
    for kind, js in WIDGET_JS.items():
        code = re.sub(r'//[^\n]*|/\*.*?\*/', '', js, flags=re.S)
        assert not re.search(r'\|\|\s*-?\d', code), f"{kind}.js has a numeric fallback default"


def test_resolve_refuses_what_no_declaration_names():
    for fn in ['data.load_docs', 'cli.main', 'os.system', 'explore', '']:
        with pytest.raises(widgets.WidgetError, match='not a live-widget call'):
            widgets.resolve(fn)
