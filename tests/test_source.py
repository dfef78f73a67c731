"""microgpt.source.show_source: the chapters' listings, standard library only (the page's
Python shows the plain text), displayed in Jupyter exactly as IPython's Code display shows them."""

import inspect

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import Code

import microgpt
from microgpt import edition
from microgpt.source import show_source


@pytest.mark.parametrize('obj', [microgpt.softmax, microgpt.Value, microgpt.Tokenizer.encode])
def test_jupyter_shows_the_same_outputs_as_ipythons_code(obj):
    fmt = InteractiveShell.instance().display_formatter
    ours, _ = fmt.format(show_source(obj))
    theirs, _ = fmt.format(Code(inspect.getsource(obj), language='python'))
    assert ours == theirs and set(ours) == {'text/plain', 'text/html', 'text/latex'}


def test_its_plain_text_is_the_packages_source_or_the_given_code():
    assert repr(show_source(microgpt.softmax)) == inspect.getsource(microgpt.softmax)
    assert repr(show_source('x = 1\n')) == 'x = 1\n'


def test_each_chapters_block_is_that_part_of_the_single_file_edition():
    whole = edition.edition()
    for n in range(1, 7):
        block = edition.chapter(n)
        assert f'# Chapter {n}: ' in block and block.strip('\n') in whole
    with pytest.raises(LookupError, match='chapters 1, 2, 3, 4, 5, 6'):
        edition.chapter(7)
