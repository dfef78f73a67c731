"""The NumPy engine computes what the scalar engine computes: same initial weights, same
gradients, same logits, same training losses (to the printed 4 decimals over 1000 steps of
both presets) and the same sampled names. Only the method differs: whole arrays, a causal
mask instead of a KV cache in training, and hand-written backward passes instead of autograd."""

import os
import random

import numpy as np
import pytest
from helpers import GOLDEN_BOOK, GOLDEN_KARPATHY, MAKEMORE_NAMES, MISSING_SHARED, read_lines, run_cli

from microgpt import numpy_engine
from microgpt.config import Config, get_config, num_params
from microgpt.contract import Trace, param_shapes
from microgpt.data import Tokenizer, load_docs
from microgpt.errors import ConfigError, ContextError, TrainingError
from microgpt.model import GPT
from microgpt.sample import sample as scalar_sample
from microgpt.train import doc_loss, training_steps

CONFIGS = {
    'book': get_config('book'),
    'karpathy': get_config('karpathy'),
    # several layers, two heads, a context shorter than the document
    'two_layers': Config(n_layer=2, n_embd=8, n_head=2, block_size=4),
}


@pytest.fixture(scope='module')
def tokenizer():
    return Tokenizer(load_docs())


def twins(config, tokenizer, seed=1):
    """A scalar and a NumPy model drawn from the same random stream."""
    scalar = GPT(config, tokenizer.vocab_size, random.Random(seed))
    array = numpy_engine.GPT(config, tokenizer.vocab_size, random.Random(seed))
    return scalar, array


def trained_twins(config, tokenizer, steps=20):
    """A NumPy model trained a little (so its weights are no longer the random init) and its scalar twin."""
    array = numpy_engine.GPT(config, tokenizer.vocab_size, random.Random(3))
    docs = load_docs()[:steps]
    for _ in numpy_engine.training_steps(array, tokenizer, docs, steps):
        pass
    return array.to_scalar(), array


def scalar_grads(model):
    return {name: np.array([[p.grad for p in row] for row in mat]) for name, mat in model.state_dict.items()}


def assert_close(actual, expected, rtol=1e-9):
    """Elementwise relative closeness, with an absolute floor far below the array's scale
    (so that entries which cancel to ~0 do not demand impossible relative precision)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * 1e-3 * np.max(np.abs(expected)))


def long_doc(config):
    """A document longer than the context, with repeated characters (a token used twice
    must get both gradients): only its first block_size positions are trained on."""
    return 'annabelle' * (config.block_size // 9 + 1)


# ------------------------------------------------------------------ the CLI reproduces the goldens

def test_cli_numpy_engine_reproduces_book_golden():
    result = run_cli('--engine', 'numpy', timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_BOOK)


@pytest.mark.skipif(not os.path.exists(MAKEMORE_NAMES) or not os.path.exists(GOLDEN_KARPATHY),
                    reason=MISSING_SHARED)
def test_cli_numpy_engine_reproduces_karpathy_golden():
    result = run_cli('--engine', 'numpy', '--preset', 'karpathy', '--data', MAKEMORE_NAMES, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_KARPATHY)


# ------------------------------------------------------------------ weights

@pytest.mark.parametrize('name', CONFIGS)
def test_initial_weights_equal_the_scalar_engines_exactly(name, tokenizer):
    config = CONFIGS[name]
    rng_scalar, rng_array = random.Random(5), random.Random(5)
    scalar = GPT(config, tokenizer.vocab_size, rng_scalar)
    array = numpy_engine.GPT(config, tokenizer.vocab_size, rng_array)
    assert array.weights() == scalar.weights()
    assert rng_array.getstate() == rng_scalar.getstate()  # the stream was consumed identically
    assert list(array.state_dict) == list(param_shapes(config, tokenizer.vocab_size))
    assert all(w.dtype == np.float64 and w.shape == param_shapes(config, tokenizer.vocab_size)[k]
               for k, w in array.state_dict.items())
    assert array.num_params() == num_params(config, tokenizer.vocab_size) == len(scalar.params)


def test_default_rng_is_the_config_seed(tokenizer):
    config = CONFIGS['two_layers']
    default = numpy_engine.GPT(config, tokenizer.vocab_size)
    assert default.weights() == GPT(config, tokenizer.vocab_size, random.Random(config.seed)).weights()
    assert default.weights() != numpy_engine.GPT(config, tokenizer.vocab_size, random.Random(config.seed + 1)).weights()


def test_scalar_round_trip(tokenizer):
    scalar, array = trained_twins(CONFIGS['two_layers'], tokenizer, steps=3)
    assert isinstance(scalar, GPT) and scalar.config == array.config
    assert scalar.weights() == array.weights()
    back = numpy_engine.GPT.from_scalar(scalar)
    assert isinstance(back, numpy_engine.GPT)
    assert back.weights() == array.weights()
    assert back.config == array.config and back.vocab_size == array.vocab_size
    copy = numpy_engine.GPT.from_weights(array.config, array.weights())
    assert all(np.array_equal(copy.state_dict[k], array.state_dict[k]) for k in array.state_dict)
    copy.state_dict['wte'][0, 0] += 1.0  # a copy, not a view of the same arrays
    assert copy.weights() != array.weights()


# ------------------------------------------------------------------ gradients

@pytest.mark.parametrize('name', CONFIGS)
def test_analytic_gradients_equal_autograd(name, tokenizer):
    config = CONFIGS[name]
    scalar, array = twins(config, tokenizer)
    tokens = tokenizer.frame(long_doc(config))
    assert len(tokens) - 1 > config.block_size  # the document is longer than the context

    loss = doc_loss(scalar, tokens)
    loss.backward()
    expected = scalar_grads(scalar)
    array_loss, grads = array.loss_and_grads(tokens)

    assert array_loss == pytest.approx(loss.data, rel=1e-12)
    assert list(grads) == list(expected)
    for key in expected:
        assert_close(grads[key], expected[key])
    # sanity: the check above is not vacuous
    assert np.abs(expected['layer0.attn_wq']).max() > 0 and np.abs(expected['wte']).max() > 0


def test_gradients_of_a_short_document_and_relu(tokenizer):
    """A document shorter than the context (unused positions get zero gradient), ReLU, 3 layers."""
    config = Config(n_layer=3, n_embd=12, n_head=3, block_size=10, activation='relu')
    scalar, array = trained_twins(config, tokenizer, steps=5)
    tokens = tokenizer.frame('eve')
    loss = doc_loss(scalar, tokens)
    loss.backward()
    array_loss, grads = array.loss_and_grads(tokens)
    assert array_loss == pytest.approx(loss.data, rel=1e-12)
    for key, g in scalar_grads(scalar).items():
        assert_close(grads[key], g)
    assert not grads['wpe'][len(tokens) - 1:].any()


def test_adam_and_training_steps_match_the_scalar_engine(tokenizer):
    config = CONFIGS['two_layers']
    scalar, array = twins(config, tokenizer)
    docs = load_docs()[:6]
    scalar_infos = list(training_steps(scalar, tokenizer, docs, 6))
    array_infos = list(numpy_engine.training_steps(array, tokenizer, docs, 6))
    assert [(i.step, i.num_steps) for i in array_infos] == [(i.step, i.num_steps) for i in scalar_infos]
    assert [i.lr for i in array_infos] == [i.lr for i in scalar_infos]
    assert_close([i.loss for i in array_infos], [i.loss for i in scalar_infos], rtol=1e-12)
    for key, w in scalar.weights().items():
        assert_close(array.state_dict[key], w, rtol=1e-10)
    assert array.weights() != numpy_engine.GPT(config, tokenizer.vocab_size, random.Random(1)).weights()


def test_a_diverged_loss_stops_training_before_the_update(tokenizer):
    array = numpy_engine.GPT(CONFIGS['two_layers'], tokenizer.vocab_size, random.Random(1))
    array.state_dict['lm_head'][:] = np.nan
    before = {k: w.copy() for k, w in array.state_dict.items()}
    with pytest.raises(TrainingError, match='step 1'):
        next(numpy_engine.training_steps(array, tokenizer, ['anna'], 3))
    for k, w in array.state_dict.items():
        np.testing.assert_array_equal(w, before[k])  # NaN == NaN here: nothing was updated


# ------------------------------------------------------------------ inference

@pytest.mark.parametrize('name', CONFIGS)
def test_kv_cache_logits_equal_the_scalar_gpt_at_every_position(name, tokenizer):
    config = CONFIGS[name]
    scalar, array = trained_twins(config, tokenizer)
    tokens = tokenizer.frame(long_doc(config))[:config.block_size]
    s_keys, s_values = scalar.empty_cache()
    a_keys, a_values = array.empty_cache()
    for pos_id, token_id in enumerate(tokens):
        s_trace, a_trace = Trace(), Trace()
        expected = [z.data for z in scalar.gpt(token_id, pos_id, s_keys, s_values, trace=s_trace)]
        logits = array.gpt(token_id, pos_id, a_keys, a_values, trace=a_trace)
        assert isinstance(logits, np.ndarray) and logits.shape == (tokenizer.vocab_size,)
        assert_close(logits, expected, rtol=1e-12)
        assert set(a_trace) == set(s_trace)  # the same things are recorded
        for key in s_trace:
            assert_close(a_trace[key], s_trace[key], rtol=1e-11)
    assert len(a_keys[0]) == len(tokens)


@pytest.mark.parametrize('name', CONFIGS)
def test_causal_training_forward_equals_per_position_inference(name, tokenizer):
    config = CONFIGS[name]
    _, array = trained_twins(config, tokenizer)
    tokens = tokenizer.frame(long_doc(config))
    _, cache = array.forward(tokens)
    keys, values = array.empty_cache()
    per_position = [array.gpt(token_id, pos_id, keys, values)
                    for pos_id, token_id in enumerate(tokens[:config.block_size])]
    assert cache['logits'].shape == (config.block_size, tokenizer.vocab_size)
    assert_close(cache['logits'], per_position, rtol=1e-12)


def test_sampling_gives_the_scalar_engines_names_and_attention(tokenizer):
    scalar, array = trained_twins(get_config('book'), tokenizer, steps=60)
    array_names = numpy_engine.sample_many(array, tokenizer, random.Random(42), 20)
    scalar_rng = random.Random(42)
    scalar_names = [scalar_sample(scalar, tokenizer, scalar_rng) for _ in range(20)]
    assert array_names == scalar_names
    assert len(set(array_names)) > 1

    for seed in range(3):
        s_trace, a_trace = [], []
        s_rng, a_rng = random.Random(seed), random.Random(seed)
        name = numpy_engine.sample(array, tokenizer, a_rng, 0.8, trace=a_trace)
        assert name == scalar_sample(scalar, tokenizer, s_rng, 0.8, trace=s_trace)
        assert a_rng.getstate() == s_rng.getstate()
        assert len(a_trace) == len(s_trace) == len(name) + (len(name) < scalar.config.block_size)
        for a_step, s_step in zip(a_trace, s_trace):
            assert set(a_step) == set(s_step) == {'pos', 'token', 'probs', 'next', 'gpt'}
            assert (a_step['pos'], a_step['token'], a_step['next']) == (s_step['pos'], s_step['token'], s_step['next'])
            assert all(type(p) is float for p in a_step['probs'])
            assert_close(a_step['probs'], s_step['probs'], rtol=1e-11)
            assert isinstance(a_step['gpt'], Trace)
            for h in range(scalar.config.n_head):
                weights = a_step['gpt']['attn_weights', 0, h]
                assert len(weights) == a_step['pos'] + 1
                assert_close(weights, s_step['gpt']['attn_weights', 0, h], rtol=1e-11)
            assert_close(a_step['gpt']['logits'], s_step['gpt']['logits'], rtol=1e-12)


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize('temperature', [0, -0.5, float('nan')])
def test_temperature_must_be_positive(temperature, tokenizer):
    array = numpy_engine.GPT(get_config('book'), tokenizer.vocab_size)
    with pytest.raises(ConfigError, match='temperature'):
        numpy_engine.sample(array, tokenizer, random.Random(0), temperature)


def test_position_past_the_context_is_a_context_error(tokenizer):
    config = CONFIGS['two_layers']
    array = numpy_engine.GPT(config, tokenizer.vocab_size)
    keys, values = array.empty_cache()
    for pos_id in range(config.block_size):
        array.gpt(tokenizer.BOS, pos_id, keys, values)
    with pytest.raises(ContextError, match='block_size=4'):
        array.gpt(tokenizer.BOS, config.block_size, keys, values)
    with pytest.raises(ContextError):
        array.gpt(tokenizer.vocab_size, 0, *array.empty_cache())   # not a token id
    with pytest.raises(ContextError):
        array.forward([tokenizer.BOS, tokenizer.vocab_size, tokenizer.BOS])


def test_bad_model_arguments(tokenizer):
    with pytest.raises(ConfigError, match='vocab_size'):
        numpy_engine.GPT(get_config('book'), 1)
    weights = numpy_engine.GPT(get_config('book'), tokenizer.vocab_size).weights()
    with pytest.raises(ConfigError, match='weight matrix wpe is 8 x 16, but this config needs 16 x 16'):
        numpy_engine.GPT.from_weights(get_config('karpathy'), weights)  # wpe has 8 rows, not 16


def test_checkpoint_of_a_numpy_model_loads_as_the_same_scalar_model(tokenizer, tmp_path):
    from microgpt.checkpoint import load_checkpoint, save_checkpoint
    scalar, array = trained_twins(CONFIGS['two_layers'], tokenizer, steps=3)
    path = tmp_path / 'numpy.json'
    save_checkpoint(path, array, tokenizer, step=3)
    loaded, loaded_tokenizer, ckpt = load_checkpoint(path)
    assert ckpt['step'] == 3 and loaded.config == array.config
    assert loaded.weights() == array.weights() == scalar.weights()
    assert numpy_engine.GPT.from_scalar(loaded).weights() == array.weights()
