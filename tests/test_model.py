"""Config, data, tokenizer, the model's pieces, the trace and the run pipeline."""

import math
import random

import pytest

import microgpt
from microgpt import (
    GPT,
    NAMES_PATH,
    PRESETS,
    Tokenizer,
    Trace,
    Value,
    get_config,
    linear,
    load_docs,
    num_params,
    param_shapes,
    prepare,
    rmsnorm,
    softmax,
)
from microgpt.train import doc_loss


def test_presets_have_the_documented_sizes():
    assert num_params(PRESETS['book'], 27) == 4064
    assert num_params(PRESETS['karpathy'], 27) == 4192
    for config in PRESETS.values():
        assert num_params(config, 27) == sum(r * c for r, c in param_shapes(config, 27).values())
    assert (PRESETS['book'].block_size, PRESETS['book'].activation) == (8, 'relu2')
    assert (PRESETS['karpathy'].block_size, PRESETS['karpathy'].activation) == (16, 'relu')


def test_shipped_dataset():
    docs = load_docs()
    assert len(docs) == 29910 and docs[:3] == ['emma', 'liam', 'olivia']
    import hashlib
    with open(NAMES_PATH, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == \
            '3b20b43df36ec7ee9c90f8ea2c6f1a5310ad2a8608b06f5208edbbf544f26c35'


def test_tokenizer():
    tokenizer = Tokenizer(['emma', 'bob'])
    assert tokenizer.uchars == ['a', 'b', 'e', 'm', 'o'] and tokenizer.BOS == 5 and tokenizer.vocab_size == 6
    assert tokenizer.encode('mob') == [3, 4, 1]
    assert tokenizer.decode(tokenizer.encode('emma')) == 'emma'
    assert tokenizer.frame('ab') == [5, 0, 1, 5]
    assert tokenizer.decode(tokenizer.frame('ab')) == 'ab'


def test_building_blocks_on_plain_numbers():
    x = [Value(1.0), Value(-2.0), Value(3.0)]
    assert [v.data for v in linear(x, [[1, 0, 0], [0.5, 0.5, 0.5]])] == [1.0, 1.0]
    probs = [p.data for p in softmax(x)]
    assert sum(probs) == pytest.approx(1.0) and probs[2] > probs[0] > probs[1]
    big = [p.data for p in softmax([Value(1000.0), Value(999.0)])]  # no overflow: the max is subtracted
    assert big[0] == pytest.approx(1 / (1 + math.exp(-1)))
    y = [v.data for v in rmsnorm(x)]
    assert math.sqrt(sum(v * v for v in y) / 3) == pytest.approx(1.0, rel=1e-5)


def trained_scalar(steps=3):
    run = prepare('book')
    run.train(steps)
    return run


def test_trace_changes_no_result_and_records_everything():
    run = trained_scalar()
    model, tok = run.model, run.tokenizer
    tokens = [tok.BOS] + tok.encode('emma')
    k1, v1 = model.empty_cache()
    k2, v2 = model.empty_cache()
    for pos, t in enumerate(tokens):
        plain = [z.data for z in model.gpt(t, pos, k1, v1)]
        trace = Trace()
        traced = [z.data for z in model.gpt(t, pos, k2, v2, trace=trace)]
        assert plain == traced
        assert trace['logits'] == traced
        for h in range(4):
            weights = trace['attn_weights', 0, h]
            assert len(weights) == pos + 1 and sum(weights) == pytest.approx(1.0)
        assert {'embedding', ('q', 0), ('k', 0), ('v', 0), ('after_attention', 0), ('mlp_hidden', 0),
                ('after_mlp', 0)} <= set(trace)
        assert len(trace['mlp_hidden', 0]) == 64 and all(x >= 0 for x in trace['mlp_hidden', 0])


def test_training_reports_each_step_and_decays_lr():
    run = prepare('book')
    infos = list(run.training_steps(4))
    assert [i.step for i in infos] == [1, 2, 3, 4] and all(i.num_steps == 4 for i in infos)
    assert [i.lr for i in infos] == [0.01 * (1 - s / 4) for s in range(4)]
    assert run.losses == [i.loss for i in infos]
    seen = []
    run2 = prepare('book')
    run2.train(4, callback=seen.append)
    assert [i.loss for i in seen] == run.losses  # same seed, same numbers


def test_training_lowers_the_loss_on_one_document():
    run = prepare('book')
    doc = run.tokenizer.frame(run.docs[0])
    before = doc_loss(run.model, doc).data
    run.train(1)  # step 1 trains on docs[0]
    assert doc_loss(run.model, doc).data < before


def test_sample_trace_and_stopping():
    run = trained_scalar()
    trace = []
    name = microgpt.sample.sample(run.model, run.tokenizer, random.Random(1), 0.5, trace=trace)
    assert len(trace) == min(len(name) + 1, run.config.block_size)
    assert [t['pos'] for t in trace] == list(range(len(trace)))
    assert run.tokenizer.decode([t['next'] for t in trace]) == name
    for t in trace:
        assert sum(t['probs']) == pytest.approx(1.0)
        assert len(t['gpt']['attn_weights', 0, 0]) == t['pos'] + 1
    # sampling without a trace draws the same name from the same stream
    assert microgpt.sample.sample(run.model, run.tokenizer, random.Random(1), 0.5) == name


def test_temperature_sharpens():
    run = trained_scalar()
    tok = run.tokenizer

    def entropy(t):
        trace = []
        microgpt.sample.sample(run.model, tok, random.Random(0), t, trace=trace)
        p = trace[0]['probs']
        return -sum(q * math.log(q) for q in p if q > 0)
    assert entropy(0.25) < entropy(1.0) < entropy(4.0)


def test_other_shapes_run():
    config = get_config('book', n_layer=2, n_embd=8, n_head=2, block_size=5, activation='relu')
    tok = Tokenizer(['abc', 'bca'])
    model = GPT(config, tok.vocab_size, random.Random(0))
    assert len(model.params) == num_params(config, tok.vocab_size)
    loss = doc_loss(model, tok.frame('abcabc'))
    assert math.isfinite(loss.data)
