"""microgpt.bridge in plain CPython: what the page's Web Worker calls inside Pyodide."""

import json

import pytest

from microgpt import bridge, explore


def answer(text):
    return json.loads(text)


def test_a_call_answers_the_declared_function_result_as_exact_json():
    got = answer(bridge.call('explore.tokens_state', json.dumps({'text': 'emma'})))
    assert got == {'value': json.loads(json.dumps(explore.tokens_state('emma')))}


def test_kwargs_may_be_a_dict_or_a_json_object():
    assert answer(bridge.call('explore.softmax_state', {'logits': [0.0, 0.0]}))['value']['probs'] == [0.5, 0.5]
    got = answer(bridge.call('explore.softmax_state', '[1, 2]'))
    assert got['type'] == 'TypeError' and 'JSON object' in got['error']


@pytest.mark.parametrize('fn', ['data.load_docs', 'cli.main', 'explore.book_model', 'os.system',
                                'explore.tokens_state.__globals__'])
def test_only_declared_functions_can_be_called(fn):
    got = answer(bridge.call(fn, '{}'))
    assert got['type'] == 'WidgetError' and 'not a live-widget call' in got['error']
    assert answer(bridge.start('s', fn, '{}'))['type'] == 'WidgetError'


def test_an_exception_carries_its_type_and_the_package_message():
    got = answer(bridge.call('explore.backward_state', {'a': 1.0, 'b': -3.0, 'c': 1.0}))
    assert got['type'] == 'MicroGPTError' or got['type'].endswith('Error')
    assert 'a*b + c' in got['error']
    got = answer(bridge.call('explore.tokens_state', {'nosuch': 1}))
    assert got['type'] == 'TypeError' and 'nosuch' in got['error']


def test_a_result_that_is_not_json_says_so_in_words():
    got = answer(bridge.call('explore.softmax_state', {'logits': [1e308, -1e308], 'temperature': 1e-300}))
    assert 'error' in got
    assert 'JSON compliant' not in got['error']


def test_a_stream_yields_items_then_done_and_can_be_stopped():
    assert answer(bridge.start(7, 'explore.training_progress', {'num_steps': 2, 'sample_every': 0})) == {'ok': True}
    first = answer(bridge.step(7))['value']
    assert first['step'] == 1 and first['num_steps'] == 2
    assert answer(bridge.step(7))['value']['step'] == 2
    assert answer(bridge.step(7)) == {'done': True}
    assert 7 not in bridge.streams()
    bridge.start(8, 'explore.training_progress', {'num_steps': 50, 'sample_every': 0})
    bridge.step(8)
    assert answer(bridge.stop(8)) == {'ok': True} and 8 not in bridge.streams()
    got = answer(bridge.step(8))
    assert got['type'] == 'LookupError' and 'stopped' in got['error']
