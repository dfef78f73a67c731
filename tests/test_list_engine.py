"""The list engine computes exactly what the scalar engine computes: the same initial weights,
gradients equal to the last bit, the same losses at every step (so both golden files line for
line), the same logits, traces and sampled names, and the same errors for bad input. Only the
method differs: plain lists of floats and a hand-written backward pass instead of Values."""

import ast
import inspect
import os
import random
import sys

import pytest
from helpers import GOLDEN_BOOK, GOLDEN_KARPATHY, MAKEMORE_NAMES, MISSING_SHARED, read_lines, run_cli

from microgpt import list_engine, numpy_engine
from microgpt.checkpoint import load_checkpoint, save_checkpoint
from microgpt.config import Config, get_config, num_params
from microgpt.contract import Trace, param_shapes, run_sequence
from microgpt.data import Tokenizer, load_docs
from microgpt.errors import ConfigError, ContextError, DataError, TrainingError
from microgpt.model import GPT
from microgpt.pipeline import Run, prepare
from microgpt.sample import sample as scalar_sample
from microgpt.train import doc_loss, training_steps

CONFIGS = {
    'book': get_config('book'),
    'karpathy': get_config('karpathy'),
    'two_layers': Config(n_layer=2, n_embd=8, n_head=2, block_size=4),            # context < document
    'three_relu': Config(n_layer=3, n_embd=12, n_head=3, block_size=10, activation='relu'),
    'head_dim_2': Config(n_embd=8, n_head=4),
    'head_dim_3': Config(n_embd=6, n_head=2, block_size=5),
}
DOCS = ['annabelle', 'eve', 'a', 'zzzzzzzzzzzzzzzzzzzz']  # repeated characters, one character, too long


@pytest.fixture(scope='module')
def tokenizer():
    return Tokenizer(load_docs())


def twins(config, tokenizer, seed=1):
    """A scalar and a list model drawn from the same random stream."""
    return (GPT(config, tokenizer.vocab_size, random.Random(seed)),
            list_engine.GPT(config, tokenizer.vocab_size, random.Random(seed)))


def trained_twins(config, tokenizer, steps=20):
    """A list model trained a little (its weights no longer the random init) and its scalar twin."""
    fast = list_engine.GPT(config, tokenizer.vocab_size, random.Random(3))
    for _ in list_engine.training_steps(fast, tokenizer, load_docs()[:steps], steps):
        pass
    return fast.to_scalar(), fast


def scalar_grads(model):
    return {name: [[p.grad for p in row] for row in mat] for name, mat in model.state_dict.items()}


def error_of(call, *args):
    """(type, message) of what call(*args) raised."""
    with pytest.raises(Exception) as info:
        call(*args)
    return type(info.value), str(info.value)


# ------------------------------------------------------------------ the CLI reproduces both goldens

def test_cli_list_engine_reproduces_book_golden():
    result = run_cli('--engine', 'list', timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_BOOK)


@pytest.mark.skipif(not os.path.exists(MAKEMORE_NAMES) or not os.path.exists(GOLDEN_KARPATHY),
                    reason=MISSING_SHARED)
def test_cli_list_engine_reproduces_karpathy_golden():
    result = run_cli('--engine', 'list', '--preset', 'karpathy', '--data', MAKEMORE_NAMES, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == read_lines(GOLDEN_KARPATHY)


# ------------------------------------------------------------------ weights

@pytest.mark.parametrize('name', CONFIGS)
def test_initial_weights_equal_the_scalar_engines_exactly(name, tokenizer):
    config = CONFIGS[name]
    rng_scalar, rng_list = random.Random(5), random.Random(5)
    scalar = GPT(config, tokenizer.vocab_size, rng_scalar)
    fast = list_engine.GPT(config, tokenizer.vocab_size, rng_list)
    assert fast.weights() == scalar.weights()
    assert rng_list.getstate() == rng_scalar.getstate()  # the stream was consumed identically
    assert list(fast.state_dict) == list(param_shapes(config, tokenizer.vocab_size))
    assert all(type(w) is float for mat in fast.state_dict.values() for row in mat for w in row)
    assert fast.num_params() == num_params(config, tokenizer.vocab_size) == len(scalar.params)


def test_weights_are_a_copy_and_round_trip(tokenizer):
    scalar, fast = trained_twins(CONFIGS['two_layers'], tokenizer, steps=3)
    assert isinstance(scalar, GPT) and scalar.weights() == fast.weights()
    back = list_engine.GPT.from_scalar(scalar)
    assert back.weights() == fast.weights() and back.config == fast.config
    copy = list_engine.GPT.from_weights(fast.config, fast.weights())
    copy.state_dict['wte'][0][0] += 1.0  # a copy, not the same lists
    assert copy.weights() != fast.weights()
    default = list_engine.GPT(CONFIGS['two_layers'], tokenizer.vocab_size)
    assert default.weights() == GPT(CONFIGS['two_layers'], tokenizer.vocab_size,
                                    random.Random(CONFIGS['two_layers'].seed)).weights()


# ------------------------------------------------------------------ gradients, to the last bit

@pytest.mark.parametrize('name', CONFIGS)
@pytest.mark.parametrize('doc', DOCS)
def test_gradients_equal_autograd_exactly(name, doc, tokenizer):
    config = CONFIGS[name]
    scalar, fast = twins(config, tokenizer)
    tokens = tokenizer.frame(doc)
    loss = doc_loss(scalar, tokens)
    loss.backward()
    fast_loss, grads = fast.loss_and_grads(tokens)
    assert fast_loss == loss.data
    expected = scalar_grads(scalar)
    assert list(grads) == list(expected)
    assert grads == expected  # every gradient of every weight, bit for bit
    assert any(g != 0 for row in expected['layer0.attn_wq'] for g in row)  # not vacuous


def test_gradients_of_a_trained_model_equal_autograd_exactly(tokenizer):
    scalar, fast = trained_twins(CONFIGS['book'], tokenizer, steps=30)
    for doc in ('olivia', 'bob'):
        tokens = tokenizer.frame(doc)
        loss = doc_loss(scalar, tokens)
        loss.backward()
        assert fast.loss_and_grads(tokens) == (loss.data, scalar_grads(scalar))
        for p in scalar.params:
            p.grad = 0


def test_qkv_order_covers_every_row_once():
    for first in (True, False):
        order = list_engine.qkv_order(16, 4, first_position=first)
        assert sorted(order) == list(range(48))
        assert order[:4] == [47, 46, 45, 44]  # the last head's v rows come first
    assert list_engine.qkv_order(4, 2, True)[:6] == [11, 10, 7, 3, 6, 2]   # position 0: k and q alternate
    assert list_engine.qkv_order(4, 2, False)[:6] == [11, 10, 7, 6, 3, 2]  # later: k rows, then q rows


def plain(xs):
    acc = 0
    for x in xs:
        acc = acc + x
    return acc


def test_dot_adds_left_to_right_on_this_python():
    # 1e16 + 1.0 rounds back to 1e16; a compensated sum (sum() of floats since Python 3.12) gives 1.0
    assert list_engine.dot([1e16, 1.0, -1e16], [1.0, 1.0, 1.0]) == 0.0
    assert list_engine.sum_of([1e16, 1.0, -1e16]) == 0.0
    assert list_engine.dot([], []) == 0 and list_engine.sum_of([]) == 0
    assert type(list_engine.dot([2.0], [3.0])) is float and list_engine.dot([2.0], [3.0]) == 6.0


@pytest.mark.parametrize('n', [1, 2, 4, 16, 31, 32, 33, 64, 100])
def test_the_written_out_sums_add_left_to_right(n):
    # every length the engine meets (head_dim, n_embd, 3 and 4 n_embd, positions), one chunk and several
    rng = random.Random(n)
    dots = list_engine.kernel(n)
    assert list_engine.kernel(n) is dots  # written once per length
    for _ in range(50):
        x = [rng.gauss(0, 10 ** rng.randint(-3, 3)) for _ in range(n)]
        rows = [[rng.gauss(0, 10 ** rng.randint(-3, 3)) for _ in range(n)] for _ in range(3)]
        assert dots(x, rows) == [plain(r * xi for r, xi in zip(row, x)) for row in rows]
        assert dots(x, iter(rows)) == dots(tuple(x), [tuple(r) for r in rows])  # any sequences
        assert list_engine.sum_of(x) == plain(x)
    assert list_engine.kernel(0)([], [[], []]) == [0.0, 0.0]


# ------------------------------------------------------------------ training, inference, sampling

def test_training_steps_match_the_scalar_engine_exactly(tokenizer):
    config = CONFIGS['two_layers']
    scalar, fast = twins(config, tokenizer)
    docs = load_docs()[:6]
    scalar_infos = list(training_steps(scalar, tokenizer, docs, 6))
    fast_infos = list(list_engine.training_steps(fast, tokenizer, docs, 6))
    assert fast_infos == scalar_infos  # step, num_steps, loss and lr, exactly
    assert fast.weights() == scalar.weights()
    assert fast.weights() != list_engine.GPT(config, tokenizer.vocab_size, random.Random(1)).weights()


@pytest.mark.parametrize('name', ['book', 'karpathy', 'two_layers'])
def test_kv_cache_logits_and_traces_equal_the_scalar_gpt(name, tokenizer):
    config = CONFIGS[name]
    scalar, fast = trained_twins(config, tokenizer)
    tokens = tokenizer.frame('annabelle' * 2)[:config.block_size]
    scalar_traces, fast_traces = run_sequence(scalar, tokens), run_sequence(fast, tokens)
    assert len(fast_traces) == len(tokens)
    for s_trace, f_trace in zip(scalar_traces, fast_traces):
        assert isinstance(f_trace, Trace) and set(f_trace) == set(s_trace)
        assert dict(f_trace) == dict(s_trace)  # every recorded vector, exactly
    keys, values = fast.empty_cache()
    logits = fast.gpt(tokens[0], 0, keys, values)
    assert type(logits) is list and len(logits) == tokenizer.vocab_size and len(keys[0]) == 1


def test_sampling_gives_the_scalar_engines_names_and_traces(tokenizer):
    scalar, fast = trained_twins(get_config('book'), tokenizer, steps=60)
    assert (list_engine.sample_many(fast, tokenizer, random.Random(42), 20)
            == [scalar_sample(scalar, tokenizer, rng) for rng in [random.Random(42)] for _ in range(20)])
    for seed in range(3):
        s_trace, f_trace = [], []
        s_rng, f_rng = random.Random(seed), random.Random(seed)
        name = list_engine.sample(fast, tokenizer, f_rng, 0.8, trace=f_trace)
        assert name == scalar_sample(scalar, tokenizer, s_rng, 0.8, trace=s_trace)
        assert f_rng.getstate() == s_rng.getstate()
        assert f_trace == s_trace  # pos, token, probs, next and the gpt() Trace, exactly


def test_the_pipeline_and_cli_offer_the_list_engine():
    run = prepare('book', engine='list')
    assert type(run.model) is list_engine.GPT and 'list' in repr(run)
    assert run.model.weights() == prepare('book').model.weights()
    with pytest.raises(ConfigError, match="'scalar', 'list' or 'numpy'"):
        Run(engine='lists')
    from microgpt.cli import parse_args
    assert parse_args(['--engine', 'list']).engine == 'list'


# ------------------------------------------------------------------ checkpoints cross engines

def test_checkpoints_cross_between_the_engines(tokenizer, tmp_path):
    scalar, fast = trained_twins(CONFIGS['two_layers'], tokenizer, steps=3)
    save_checkpoint(tmp_path / 'list.json', fast, tokenizer, step=3)
    loaded, loaded_tokenizer, ckpt = load_checkpoint(tmp_path / 'list.json')
    assert ckpt['step'] == 3 and loaded.config == fast.config and loaded_tokenizer.uchars == tokenizer.uchars
    assert loaded.weights() == fast.weights() == scalar.weights()
    assert numpy_engine.GPT.from_scalar(loaded).weights() == fast.weights()
    # and back: checkpoints of the scalar and the NumPy engine open in the list engine
    save_checkpoint(tmp_path / 'scalar.json', scalar, tokenizer, step=3)
    assert list_engine.GPT.from_scalar(load_checkpoint(tmp_path / 'scalar.json')[0]).weights() == fast.weights()
    save_checkpoint(tmp_path / 'numpy.json', numpy_engine.GPT.from_weights(fast.config, fast.weights()),
                    tokenizer, step=3)
    reopened = list_engine.GPT.from_weights(fast.config, load_checkpoint(tmp_path / 'numpy.json')[0].weights())
    assert reopened.weights() == fast.weights()


# ------------------------------------------------------------------ bad input: the scalar engine's errors

@pytest.mark.parametrize('token_id, pos_id', [(0, 4), (0, -1), (27, 0), (-1, 0), (1.0, 0), (True, 0), (0, 2.0)])
def test_gpt_input_errors_are_the_scalar_engines(token_id, pos_id, tokenizer):
    scalar, fast = twins(CONFIGS['two_layers'], tokenizer)
    expected = error_of(lambda: scalar.gpt(token_id, pos_id, *scalar.empty_cache()))
    assert expected[0] is ContextError
    assert error_of(lambda: fast.gpt(token_id, pos_id, *fast.empty_cache())) == expected


def test_training_input_errors_are_the_scalar_engines(tokenizer):
    scalar, fast = twins(CONFIGS['two_layers'], tokenizer)
    other = Tokenizer(['abc'])
    cases = [
        (lambda m: doc_loss(m, [tokenizer.BOS]), lambda m: m.forward([tokenizer.BOS]), DataError),
        (lambda m: doc_loss(m, [99, tokenizer.BOS]), lambda m: m.forward([99, tokenizer.BOS]), ContextError),
        (lambda m: next(training_steps(m, tokenizer, [], 1)),
         lambda m: next(list_engine.training_steps(m, tokenizer, [], 1)), DataError),
        (lambda m: next(training_steps(m, other, ['abc'], 1)),
         lambda m: next(list_engine.training_steps(m, other, ['abc'], 1)), ConfigError),
        (lambda m: scalar_sample(m, tokenizer, random.Random(0), 0),
         lambda m: list_engine.sample(m, tokenizer, random.Random(0), 0), ConfigError),
    ]
    for on_scalar, on_list, kind in cases:
        expected = error_of(on_scalar, scalar)
        assert expected[0] is kind
        assert error_of(on_list, fast) == expected


def test_bad_model_arguments_are_the_scalar_engines(tokenizer):
    for engine in (GPT, list_engine.GPT):
        with pytest.raises(ConfigError, match='vocab_size'):
            engine(get_config('book'), 1)
    weights = list_engine.GPT(get_config('book'), tokenizer.vocab_size).weights()
    expected = error_of(lambda: GPT.from_weights(get_config('karpathy'), weights))
    assert expected[0] is ConfigError and 'wpe is 8 x 16' in expected[1]
    assert error_of(lambda: list_engine.GPT.from_weights(get_config('karpathy'), weights)) == expected


@pytest.mark.parametrize('poison', ['nan', 'zero_probability'])
def test_a_diverged_step_stops_before_the_update_with_the_scalar_engines_error(poison, tokenizer):
    scalar, fast = twins(CONFIGS['two_layers'], tokenizer)
    for model in (scalar, fast):
        lm_head = model.state_dict['lm_head']
        for o, row in enumerate(lm_head):  # NaN everywhere, or one logit so large the others' p is 0
            for i in range(len(row)):
                value = float('nan') if poison == 'nan' else (1e4 if o == 0 else 0.0)
                if isinstance(row[i], float):
                    row[i] = value
                else:
                    row[i].data = value
    before = fast.weights()
    docs = ['anna']
    expected = error_of(lambda: next(training_steps(scalar, tokenizer, docs, 3)))
    assert expected[0] is TrainingError and 'step 1' in expected[1]
    assert error_of(lambda: next(list_engine.training_steps(fast, tokenizer, docs, 3))) == expected
    assert repr(fast.weights()) == repr(before)  # nothing was updated (repr: NaN != NaN)


# ------------------------------------------------------------------ the package's shape

def imports_of(module):
    """(relative microgpt modules, absolute top-level modules) that module imports anywhere."""
    relative, absolute = set(), set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.ImportFrom):
            (relative if node.level else absolute).add(node.module.split('.')[0] if node.module else '')
        elif isinstance(node, ast.Import):
            absolute.update(alias.name.split('.')[0] for alias in node.names)
    return relative, absolute


def test_the_list_engine_is_a_standard_library_sibling_on_the_contract():
    relative, absolute = imports_of(list_engine)
    assert relative == {'config', 'contract', 'model'}  # model: only inside to_scalar(), a conversion
    top_level = {node.module for node in ast.parse(inspect.getsource(list_engine)).body
                 if isinstance(node, ast.ImportFrom) and node.level == 1}
    assert top_level == {'config', 'contract'}
    assert absolute <= set(sys.stdlib_module_names), absolute - set(sys.stdlib_module_names)
    for name, scalar in [('GPT', GPT), ('training_steps', training_steps), ('sample', scalar_sample)]:
        twin = getattr(list_engine, name)
        assert list(inspect.signature(twin).parameters)[:3] == list(inspect.signature(scalar).parameters)[:3]
