"""Bad input gets a clear error that says what was wrong and how to fix it,
never a traceback from deep inside."""

import math
import random

import pytest
from helpers import run_cli

from microgpt import (
    GPT,
    ConfigError,
    ContextError,
    DataError,
    Tokenizer,
    TokenizerError,
    TrainingError,
    get_config,
    load_docs,
    training_steps,
)
from microgpt.sample import sample


def test_missing_data_file(tmp_path):
    with pytest.raises(DataError, match="data file not found.*one document per line"):
        load_docs(str(tmp_path / 'nope.txt'))


def test_empty_data_file(tmp_path):
    path = tmp_path / 'empty.txt'
    path.write_text('')
    with pytest.raises(DataError, match="is empty"):
        load_docs(str(path))


def test_data_file_with_no_usable_lines(tmp_path):
    path = tmp_path / 'blank.txt'
    path.write_text('\n   \n\t\n')
    with pytest.raises(DataError, match="no usable lines"):
        load_docs(str(path))


def test_data_file_that_is_not_text(tmp_path):
    path = tmp_path / 'binary.txt'
    path.write_bytes(b'\xff\xfe\x00\x81')
    with pytest.raises(DataError, match="not UTF-8"):
        load_docs(str(path))


def test_unknown_character():
    tokenizer = Tokenizer(['emma', 'olivia'])
    with pytest.raises(TokenizerError, match=r"character 'Z' \(position 0 of 'Zoe'\) is not in the vocabulary"):
        tokenizer.encode('Zoe')
    with pytest.raises(KeyError):  # also an ordinary KeyError, for code that expects one
        tokenizer.encode('!')


def test_bad_token_id_in_decode():
    tokenizer = Tokenizer(['ab'])
    with pytest.raises(TokenizerError, match="token id 7 is not an integer in 0..2"):
        tokenizer.decode([0, 7])


@pytest.mark.parametrize('overrides, message', [
    (dict(n_embd=15, n_head=4), r"n_embd \(15\) must be divisible by n_head \(4\)"),
    (dict(n_embd=0), "n_embd must be a positive integer, got 0"),
    (dict(n_head=-1), "n_head must be a positive integer, got -1"),
    (dict(n_layer=0), "n_layer must be a positive integer"),
    (dict(block_size=0), "block_size must be a positive integer"),
    (dict(num_steps=0), "num_steps must be a positive integer"),
    (dict(activation='gelu'), "activation must be 'relu' or 'relu2'"),
    (dict(temperature=0), "temperature must be > 0"),
    (dict(learning_rate=-1.0), "learning_rate must be > 0"),
    (dict(beta1=1.0), "beta1 and beta2 must be in"),
])
def test_inconsistent_config(overrides, message):
    with pytest.raises(ConfigError, match=message):
        get_config('book', **overrides)


def test_unknown_preset_and_field():
    with pytest.raises(ConfigError, match="unknown preset 'gpt5'"):
        get_config('gpt5')
    with pytest.raises(ConfigError, match=r"unknown config field\(s\) \['n_embed'\]"):
        get_config('book').replace(n_embed=32)


def small_model():
    tokenizer = Tokenizer(['abc'])
    config = get_config('book', n_embd=8, n_head=2, block_size=4)
    return GPT(config, tokenizer.vocab_size, random.Random(0)), tokenizer


def test_position_past_block_size():
    model, tokenizer = small_model()
    keys, values = model.empty_cache()
    with pytest.raises(ContextError, match="position 4 is outside the context window.*block_size=4"):
        model.gpt(0, 4, keys, values)


@pytest.mark.parametrize('temperature', [0, -0.5, float('nan')])
def test_temperature_must_be_positive(temperature):
    model, tokenizer = small_model()
    with pytest.raises(ConfigError, match="temperature must be > 0"):
        sample(model, tokenizer, random.Random(0), temperature)


def test_nan_loss_stops_training_and_says_where():
    model, tokenizer = small_model()
    model.params[0].data = math.nan  # a poisoned weight: the first loss is NaN
    with pytest.raises(TrainingError, match=r"the loss became nan at step 1: training diverged. "
                                            r"Try a lower learning rate \(it is 0.01; e.g. 0.001\)"):
        list(training_steps(model, tokenizer, ['abc'], 3))


def test_divergence_from_a_huge_learning_rate_is_caught():
    tokenizer = Tokenizer(['abc', 'cab', 'bca'])
    config = get_config('book', n_embd=8, n_head=2, block_size=4, learning_rate=1e6)
    model = GPT(config, tokenizer.vocab_size, random.Random(0))
    with pytest.raises(TrainingError, match=r"at step \d+: training diverged. Try a lower learning rate"):
        list(training_steps(model, tokenizer, ['abc', 'cab', 'bca'], 200))


def test_cli_reports_errors_without_traceback(tmp_path):
    empty = tmp_path / 'empty.txt'
    empty.write_text('')
    for args, message in [(['--data', str(empty)], 'is empty'),
                          (['--n-embd', '10', '--n-head', '3'], 'must be divisible by n_head'),
                          (['--temperature', '0'], 'temperature must be > 0'),
                          (['--steps', '0'], 'num_steps must be a positive integer')]:
        result = run_cli(*args, timeout=60)
        assert result.returncode == 2, args
        assert result.stderr.startswith('error: ') and message in result.stderr, result.stderr
        assert 'Traceback' not in result.stderr
        assert result.stdout == ''
