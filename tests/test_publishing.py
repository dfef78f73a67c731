"""Run anywhere, publish it: one repository URL, the Colab cell, the distribution name, the
packaged reference output, Binder's pins, licences and the Pages workflow."""

import json
import os
import re
import subprocess
import sys
import types
from unittest import mock

import pytest
import tomllib
from helpers import GOLDEN_BOOK, REPO

sys.path.insert(0, os.path.join(REPO, 'scripts'))
import repository_url  # noqa: E402

URL = repository_url.config_url()
CHAPTERS = sorted(f for f in os.listdir(os.path.join(REPO, 'book')) if f[0].isdigit() and f.endswith('.ipynb'))


def read(*parts):
    with open(os.path.join(REPO, *parts), encoding='utf-8') as f:
        return f.read()


def test_every_copy_of_the_repository_url_matches_config_yml():
    result = subprocess.run([sys.executable, os.path.join(REPO, 'scripts', 'repository_url.py'), '--check'],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert URL in read('book', 'intro.md') and URL in read('README.md') and URL in read('CITATION.cff')
    assert tomllib.loads(read('pyproject.toml'))['project']['urls']['Source'] == URL


def test_a_changed_url_is_reported_until_the_copies_are_rewritten(tmp_path):
    other = 'https://github.com/someone/fork'
    readme = repository_url.fix_text(read('README.md'), other)
    assert URL not in readme and f'git+{other}' in readme and 'mybinder.org/v2/gh/someone/fork/' in readme
    assert 'https://someone.github.io/fork/' in readme
    nb = json.loads(repository_url.fix_notebook(read('book', CHAPTERS[0]), other))
    assert other in ''.join(nb['cells'][[c.get('id') for c in nb['cells']].index('colab-install')]['source'])


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_first_code_cell_installs_the_package_on_colab_only(chapter):
    nb = json.loads(read('book', chapter))
    first = next(c for c in nb['cells'] if c['cell_type'] == 'code')
    assert first['id'] == 'colab-install' and 'remove-cell' in first['metadata']['tags']
    source = ''.join(first['source'])
    assert source == repository_url.colab_cell_source(URL)
    assert first['outputs'] == []  # it printed nothing when the book executed it
    with mock.patch('subprocess.run') as run:  # elsewhere: nothing happens
        exec(source, {})
    run.assert_not_called()
    with mock.patch('subprocess.run') as run, mock.patch.dict(sys.modules, {'google.colab': types.ModuleType('x')}):
        exec(source, {})
    (cmd,), kwargs = run.call_args
    assert cmd[1:5] == ['-m', 'pip', 'install', '--quiet'] and cmd[5] == f'microgpt-book[viz] @ git+{URL}'
    assert kwargs == {'check': True}


def test_distribution_name_is_not_pypis_unrelated_microgpt():
    project = tomllib.loads(read('pyproject.toml'))
    assert project['project']['name'] == 'microgpt-book'
    files = ['README.md', 'CONTRIBUTING.md', os.path.join('book', 'intro.md')]
    files += [os.path.join('book', c) for c in CHAPTERS]
    for name in files:
        text = read(name)
        assert not re.search(r'pip install[^\n]*?["\' ]microgpt(?!-book)(\[|["\' @]|$)', text, re.M), name
    assert 'microgpt-book[viz] @ git+' in read('book', 'intro.md')


def test_reference_output_ships_as_package_data_and_chapters_read_it_from_there():
    from microgpt.viz.training import golden
    steps, samples = golden()
    assert len(steps) == 1000 and len(samples) == 20
    assert golden(GOLDEN_BOOK) == (steps, samples)
    package_data = tomllib.loads(read('pyproject.toml'))['tool']['setuptools']['package-data']['microgpt']
    assert 'golden_book_ssa2017.txt' in package_data and 'names.txt' in package_data
    for chapter in CHAPTERS:
        assert '../tests/' not in read('book', chapter), chapter


def test_binder_pins_the_tested_runtime_versions_and_nothing_else():
    def pins(name):
        return dict(line.split('==') for line in read(name).splitlines() if '==' in line and not line.startswith('#'))
    binder, tested = pins(os.path.join('binder', 'requirements.txt')), pins('constraints.txt')
    assert set(binder) == {'matplotlib', 'ipywidgets', 'numpy', 'tqdm'}
    assert all(tested[name] == version for name, version in binder.items())
    assert '.[viz]' in read('binder', 'requirements.txt').splitlines()
    assert not os.path.exists(os.path.join(REPO, 'postBuild'))  # Binder reads binder/ only


def test_pages_workflow_builds_with_the_readmes_command_and_publishes_build_html():
    workflow = read('.github', 'workflows', 'book.yml')
    assert 'make book' in read('README.md')
    assert re.search(r'^\s+run: make book$', workflow, re.M)
    assert re.search(r'uses: actions/upload-pages-artifact@\S+\n\s+with:\n\s+path: _build/html$', workflow, re.M)
    assert 'uses: actions/deploy-pages@' in workflow and 'pages: write' in workflow


def test_licences_are_stated():
    assert read('LICENSE').startswith('MIT License')
    footer = read('_config.yml').split('extra_footer:')[1].split('\n\n')[0]
    readme = read('README.md')
    for text in (footer, readme):
        assert 'CC BY 4.0' in text and 'MIT' in text and 'Karpathy' in text
    assert 'Social Security' in readme and 'LICENSES.txt' in readme
    assert os.path.exists(os.path.join(REPO, 'book', '_extra', 'vendor', 'LICENSES.txt'))
    citation = read('CITATION.cff')
    assert 'cff-version:' in citation and 'Karpathy' in citation


SHOWN_CODE_WIDTH = 82  # characters that fit the book's code column at 1280 px (tests/browser/test_reader_view.py)


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_shown_code_lines_fit_the_column(chapter):
    """A fast, static twin of the browser's overflow check: it fails in seconds, not after the build."""
    nb = json.loads(read('book', chapter))
    wide = [(cell.get('id'), line) for cell in nb['cells'] if cell['cell_type'] == 'code'
            and not {'remove-cell', 'remove-input'} & set(cell['metadata'].get('tags', []))
            for line in ''.join(cell['source']).splitlines() if len(line) > SHOWN_CODE_WIDTH]
    assert not wide, f'{chapter}: shown code lines longer than {SHOWN_CODE_WIDTH} characters: {wide}'


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_shown_listings_fit_the_column(chapter):
    """The package's code a chapter shows (the committed text/plain output of a cell that calls
    show_source) fits the column too: reflow the package's line, regenerate the edition and
    re-execute the chapter."""
    nb = json.loads(read('book', chapter))
    listings = [cell for cell in nb['cells'] if cell['cell_type'] == 'code'
                and re.search(r'\bshow_source\(', ''.join(cell['source']))]
    assert listings, f'{chapter}: no listing cell found (show_source renamed?)'
    wide = []
    for cell in listings:
        texts = [''.join(o['data']['text/plain']) for o in cell.get('outputs', [])
                 if 'text/plain' in o.get('data', {})]
        assert texts, f'{chapter}: listing cell {cell.get("id")} has no text/plain output: execute the chapter'
        wide += [(cell.get('id'), line) for text in texts for line in text.splitlines()
                 if len(line) > SHOWN_CODE_WIDTH]
    assert not wide, f'{chapter}: shown listing lines longer than {SHOWN_CODE_WIDTH} characters: {wide}'
