"""microgpt.exercises (issue 17): every reference solution passes, typical wrong answers each fail
with their own message, the starter code asks for a body, and nothing the reader writes can crash
the checker or make it hang."""

import ast
import inspect
import json
import time

import pytest

from microgpt import exercises as ex
from microgpt.exercises import EXERCISES, check, exercises, result

# Typical wrong answers: exercise id -> [(source, words its hint must contain)]. Each source
# defines the exercise's functions, with one mistake a reader typically makes.
WRONG = {
    'vocabulary': [
        ("def vocabulary(docs):\n    u = sorted(set(''.join(docs)))\n    return u, len(u), len(u)", ['counts BOS']),
        ("def vocabulary(docs):\n    u = list(dict.fromkeys(''.join(docs)))\n    return u, len(u), len(u) + 1",
         ['not sorted']),
        ("def vocabulary(docs):\n    u = sorted(set(''.join(docs)))\n"
         "    return u, 0, len(u) + 1", ['BOS = len(uchars)']),
    ],
    'encode-decode': [
        ("def encode(text, uchars):\n    return [uchars.index(c) + 1 for c in text]\n"
         "def decode(ids, uchars):\n    return ''.join(uchars[i] for i in ids if i != len(uchars))", ['count from 0']),
        ("def encode(text, uchars):\n    return [ord(c) - 97 for c in text]\n"
         "def decode(ids, uchars):\n    return ''.join(uchars[i] for i in ids if i != len(uchars))", ['not ord()']),
        ("def encode(text, uchars):\n    return [uchars.index(c) for c in text]\n"
         "def decode(ids, uchars):\n    return ''.join(uchars[i] for i in ids)", ['BOS', 'skip it']),
    ],
    'bigram-counts': [
        ("def bigram_counts(docs, uchars):\n    V = len(uchars) + 1\n    c = [[0] * V] * V\n"
         "    for d in docs:\n        t = [V - 1] + [uchars.index(ch) for ch in d] + [V - 1]\n"
         "        for a, b in zip(t, t[1:]):\n            c[a][b] += 1\n    return c", ['[[0] * V] * V']),
        ("def bigram_counts(docs, uchars):\n    V = len(uchars) + 1\n    c = [[0] * V for _ in range(V)]\n"
         "    for d in docs:\n        t = [uchars.index(ch) for ch in d]\n"
         "        for a, b in zip(t, t[1:]):\n            c[a][b] += 1\n    return c", ['frame each document']),
        ("def bigram_counts(docs, uchars):\n    V = len(uchars) + 1\n    c = [[0] * V for _ in range(V)]\n"
         "    for d in docs:\n        t = [V - 1] + [uchars.index(ch) for ch in d]\n"
         "        for a, b in zip(t, t[1:]):\n            c[a][b] += 1\n    return c", ['ends with BOS']),
    ],
    'training-pairs': [
        ("def training_pairs(tokens, block_size):\n    return list(zip(tokens, tokens[1:]))", ['only the first']),
        ("def training_pairs(tokens, block_size):\n    return [(tokens[p], tokens[p + 1]) for p in range(len(tokens))]",
         ['no token after it']),
        ("def training_pairs(tokens, block_size):\n    n = min(block_size - 1, len(tokens) - 1)\n"
         "    return [(tokens[p], tokens[p + 1]) for p in range(n)]", ['min(block_size, len(tokens) - 1)']),
    ],
    'mul-pow': [
        ("from microgpt import Value\ndef mul(a, b):\n    return Value(a.data * b.data, (a, b), (a.data, b.data))\n"
         "def power(a, n):\n    return Value(a.data ** n, (a,), (n * a.data ** (n - 1),))", ['is b, not a']),
        ("from microgpt import Value\ndef mul(a, b):\n    return Value(a.data * b.data, (a, b), (b.data, a.data))\n"
         "def power(a, n):\n    return Value(a.data ** n, (a,), (n * a.data ** n,))", ['drops by one']),
        ("from microgpt import Value\ndef mul(a, b):\n    return Value(a.data * b.data, (), ())\n"
         "def power(a, n):\n    return Value(a.data ** n, (a,), (n * a.data ** (n - 1),))", ['children']),
    ],
    'exp-log': [
        ("import math\nfrom microgpt import Value\ndef exp(a):\n    return Value(math.exp(a.data), (a,), (a.data,))\n"
         "def log(a):\n    return Value(math.log(a.data), (a,), (1 / a.data,))", ['exp(a) itself, not a']),
        ("import math\nfrom microgpt import Value\ndef exp(a):\n    e = math.exp(a.data)\n"
         "    return Value(e, (a,), (e,))\ndef log(a):\n    return Value(math.log(a.data), (a,), (math.log(a.data),))",
         ['1/a; log(a) is the forward']),
        ("import math\nfrom microgpt import Value\ndef exp(a):\n    e = math.exp(a.data)\n"
         "    return Value(e, (a,), (e,))\ndef log(a):\n    return Value(math.log(a.data), (a,), (-1 / a.data,))",
         ['+1/a']),
    ],
    'topological-order': [
        ("def topological_order(root):\n    topo, stack = [], [root]\n    while stack:\n        v = stack.pop()\n"
         "        topo.append(v)\n        stack.extend(v._children)\n    return topo[::-1]", ['visited set']),
        ("def topological_order(root):\n    topo, seen = [], set()\n    def visit(v):\n        if v not in seen:\n"
         "            seen.add(v)\n            for c in v._children:\n                visit(c)\n"
         "            topo.append(v)\n    visit(root)\n    return topo", ['explicit stack']),
        ("def topological_order(root):\n    topo, seen, stack = [], {root}, [root]\n    while stack:\n"
         "        v = stack.pop()\n        topo.append(v)\n        for c in v._children:\n"
         "            if c not in seen:\n                seen.add(c)\n                stack.append(c)\n    return topo",
         ['post-order']),
    ],
    'backward': [
        ("def backward(root):\n    root.grad = 1\n    for v in reversed(root.topological_order()):\n"
         "        for c, g in zip(v._children, v._local_grads):\n            c.grad = g * v.grad", ['+=']),
        ("def backward(root):\n    for v in reversed(root.topological_order()):\n"
         "        for c, g in zip(v._children, v._local_grads):\n            c.grad += g * v.grad", ['root.grad = 1']),
        ("def backward(root):\n    root.grad = 1\n    for v in root.topological_order():\n"
         "        for c, g in zip(v._children, v._local_grads):\n            c.grad += g * v.grad", ['in reverse']),
        ("def backward(root):\n    root.backward()", ['without root.backward()']),
    ],
    'softmax': [
        ("def softmax(logits):\n    exps = [v.exp() for v in logits]\n    total = sum(exps)\n"
         "    return [e / total for e in exps]", ['overflows', 'subtract max']),
        ("def softmax(logits):\n    m = max(logits)\n    exps = [(v - m).exp() for v in logits]\n"
         "    return [e / sum(exps) for e in exps]", ['cannot compare Values', 'val.data']),
        ("import math\nfrom microgpt import Value\ndef softmax(logits):\n    m = max(v.data for v in logits)\n"
         "    exps = [math.exp(v.data - m) for v in logits]\n    return [Value(e / sum(exps)) for e in exps]",
         ['backward() cannot reach']),
        ("def softmax(logits):\n    total = sum(logits)\n    return [v / total for v in logits]", ['exp() first']),
    ],
    'rmsnorm': [
        ("def rmsnorm(x):\n    ms = sum(xi * xi for xi in x) / len(x)\n    return [xi * ms ** -0.5 for xi in x]",
         ['1e-5']),
        ("def rmsnorm(x):\n    ms = sum(xi * xi for xi in x)\n    return [xi * (ms + 1e-5) ** -0.5 for xi in x]",
         ['len(x)', 'mean square']),
        ("def rmsnorm(x):\n    ms = sum(xi * xi for xi in x) / len(x)\n"
         "    return [xi * (ms + 1e-5) ** 0.5 for xi in x]",
         ['divide by the root']),
    ],
    'param-count': [
        ("def num_params(c, V):\n    e = c.n_embd\n    return V * e + c.block_size * e + c.n_layer * 12 * e * e",
         ['lm_head']),
        ("def num_params(c, V):\n    e = c.n_embd\n    return 2 * V * e + c.block_size * e + 12 * e * e",
         ['n_layer']),
        ("def num_params(c, V):\n    e = c.n_embd\n    return 2 * V * e + c.block_size * e + c.n_layer * 6 * e * e",
         ['4 times wider']),
    ],
    'embed': [
        ("def embed(sd, t, p):\n    return [a + b for a, b in zip(sd['wte'][t], sd['wpe'][p])]", ['rmsnorm(x)']),
        ("from microgpt import rmsnorm\ndef embed(sd, t, p):\n"
         "    return rmsnorm(sd['wte'][t])", ['position embedding']),
        ("from microgpt import rmsnorm\ndef embed(sd, t, p):\n"
         "    return rmsnorm([a + b for a, b in zip(sd['wte'][p], sd['wpe'][t])])", ['indexed by the token']),
    ],
    'attention-head': [
        ("from microgpt import softmax\ndef attention_head(q, k, v):\n    d = len(q)\n"
         "    w = softmax([sum(q[j] * kt[j] for j in range(d)) for kt in k])\n"
         "    return [sum(w[t] * v[t][j] for t in range(len(v))) for j in range(d)]", ['sqrt(head_dim)']),
        ("from microgpt import softmax\ndef attention_head(q, k, v):\n    d = len(q)\n"
         "    w = softmax([sum(q[j] * kt[j] for j in range(d)) / d for kt in k])\n"
         "    return [sum(w[t] * v[t][j] for t in range(len(v))) for j in range(d)]", ['not by head_dim']),
        ("def attention_head(q, k, v):\n    return list(v[-1])", ['every cached position']),
    ],
    'mlp-block': [
        ("from microgpt import linear, rmsnorm\ndef mlp_block(x, sd, li):\n"
         "    h = [hi.relu() ** 2 for hi in linear(rmsnorm(x), sd[f'layer{li}.mlp_fc1'])]\n"
         "    return linear(h, sd[f'layer{li}.mlp_fc2'])", ['residual']),
        ("from microgpt import linear, rmsnorm\ndef mlp_block(x, sd, li):\n"
         "    h = [hi.relu() for hi in linear(rmsnorm(x), sd[f'layer{li}.mlp_fc1'])]\n"
         "    return [a + b for a, b in zip(linear(h, sd[f'layer{li}.mlp_fc2']), x)]", ['squares the ReLU']),
        ("from microgpt import linear, rmsnorm\ndef mlp_block(x, sd, li):\n"
         "    h = [hi.relu() ** 2 for hi in linear(rmsnorm(x), sd['layer0.mlp_fc1'])]\n"
         "    return [a + b for a, b in zip(linear(h, sd['layer0.mlp_fc2']), x)]", ["layer li's matrices"]),
    ],
    'position-loss': [
        ("from microgpt import softmax\ndef position_loss(logits, t):\n    return softmax(logits)[t].log()",
         ['with the minus']),
        ("def position_loss(logits, t):\n    return -logits[t].log()", ['not of the logit']),
        ("from microgpt import softmax\ndef position_loss(logits, t):\n    return -softmax(logits)[t - 1].log()",
         ['probs[target_id]']),
    ],
    'doc-loss': [
        ("from microgpt import softmax\ndef doc_loss(model, tokens):\n"
         "    n = min(model.config.block_size, len(tokens) - 1)\n"
         "    keys, values = model.empty_cache()\n    losses = []\n    for p in range(n):\n"
         "        probs = softmax(model.gpt(tokens[p], p, keys, values))\n"
         "        losses.append(-probs[tokens[p + 1]].log())\n"
         "    return sum(losses)", ['not their sum']),
        ("from microgpt import softmax\ndef doc_loss(model, tokens):\n    n = len(tokens) - 1\n"
         "    keys, values = model.empty_cache()\n    losses = []\n    for p in range(n):\n"
         "        probs = softmax(model.gpt(tokens[p], p, keys, values))\n"
         "        losses.append(-probs[tokens[p + 1]].log())\n"
         "    return sum(losses) / n", ['first block_size positions']),
        ("from microgpt import softmax\ndef doc_loss(model, tokens):\n"
         "    n = min(model.config.block_size, len(tokens) - 1)\n"
         "    losses = []\n    for p in range(n):\n        keys, values = model.empty_cache()\n"
         "        probs = softmax(model.gpt(tokens[p], p, keys, values))\n"
         "        losses.append(-probs[tokens[p + 1]].log())\n"
         "    return sum(losses) / n", ['one KV cache']),
    ],
    'adam-update': [
        ("def adam_update(p, g, m, v, step, num_steps, lr=0.01, b1=0.85, b2=0.99, eps=1e-8):\n"
         "    lr_t = lr * (1 - step / num_steps)\n    m = b1 * m + (1 - b1) * g\n    v = b2 * v + (1 - b2) * g ** 2\n"
         "    mh, vh = m / (1 - b1 ** step), v / (1 - b2 ** step)\n    return p - lr_t * mh / (vh ** 0.5 + eps), m, v",
         ['counts t from 1', 'step + 1']),
        ("def adam_update(p, g, m, v, step, num_steps, lr=0.01, b1=0.85, b2=0.99, eps=1e-8):\n"
         "    m = b1 * m + (1 - b1) * g\n    v = b2 * v + (1 - b2) * g ** 2\n"
         "    mh, vh = m / (1 - b1 ** (step + 1)), v / (1 - b2 ** (step + 1))\n"
         "    return p - lr * mh / (vh ** 0.5 + eps), m, v",
         ['decays linearly']),
        ("def adam_update(p, g, m, v, step, num_steps, lr=0.01, b1=0.85, b2=0.99, eps=1e-8):\n"
         "    lr_t = lr * (1 - step / num_steps)\n    m = b1 * m + (1 - b1) * g\n    v = b2 * v + (1 - b2) * g ** 2\n"
         "    return p - lr_t * m / (v ** 0.5 + eps), m, v", ['bias corrections']),
    ],
    'temperature': [
        ("import math\ndef probs_at(logits, T):\n    e = [math.exp(z / T) for z in logits]\n"
         "    return [x / sum(e) for x in e]",
         ['10 / 0.01 = 1000']),
        ("import math\ndef probs_at(logits, T):\n    s = [z * T for z in logits]\n    m = max(s)\n"
         "    e = [math.exp(x - m) for x in s]\n    return [x / sum(e) for x in e]", ['do not multiply']),
        ("import math\ndef probs_at(logits, T):\n    m = max(logits)\n"
         "    e = [math.exp(x - m) for x in logits]\n    return [x / sum(e) for x in e]", ['use the temperature']),
    ],
    'sample': [
        ("from microgpt import softmax\ndef sample_name(model, tok, rng, T):\n    keys, values = model.empty_cache()\n"
         "    t, out = tok.BOS, []\n    for p in range(model.config.block_size):\n"
         "        probs = softmax(model.gpt(t, p, keys, values))\n"
         "        t = rng.choices(range(model.vocab_size), weights=[q.data for q in probs])[0]\n"
         "        if t == tok.BOS:\n            break\n        out.append(tok.uchars[t])\n    return ''.join(out)",
         ['divide the logits by the temperature']),
        ("from microgpt import softmax\ndef sample_name(model, tok, rng, T):\n    keys, values = model.empty_cache()\n"
         "    t, out = tok.BOS, []\n    for p in range(model.config.block_size):\n"
         "        probs = softmax([z / T for z in model.gpt(t, p, keys, values)])\n"
         "        t = rng.choices(range(model.vocab_size), weights=[q.data for q in probs])[0]\n"
         "        out.append(tok.uchars[t])\n    return ''.join(out)", ['stop when the drawn id']),
        ("from microgpt import softmax\ndef sample_name(model, tok, rng, T):\n"
         "    t, out = tok.BOS, []\n    for p in range(model.config.block_size):\n"
         "        keys, values = model.empty_cache()\n"
         "        probs = softmax([z / T for z in model.gpt(t, p, keys, values)])\n"
         "        t = rng.choices(range(model.vocab_size), weights=[q.data for q in probs])[0]\n"
         "        if t == tok.BOS:\n            break\n        out.append(tok.uchars[t])\n    return ''.join(out)",
         ['one KV cache']),
    ],
    'greedy': [
        ("def greedy(model, tok):\n    keys, values = model.empty_cache()\n    t, out = tok.BOS, []\n"
         "    for p in range(model.config.block_size):\n        logits = model.gpt(t, p, keys, values)\n"
         "        t = sorted(range(model.vocab_size), key=lambda i: logits[i].data)[-1]\n"
         "        if t == tok.BOS:\n            break\n        out.append(tok.uchars[t])\n    return ''.join(out)",
         ['lowest id']),
        ("def greedy(model, tok):\n    keys, values = model.empty_cache()\n    t, out = tok.BOS, []\n"
         "    for p in range(model.config.block_size):\n        logits = model.gpt(t, p, keys, values)\n"
         "        t = max(range(model.vocab_size), key=lambda i: logits[i].data)\n"
         "        out.append(tok.uchars[t])\n    return ''.join(out)", ['stop when the chosen id']),
        ("def greedy(model, tok):\n    keys, values = model.empty_cache()\n    t, out = tok.BOS, []\n"
         "    for p in range(model.config.block_size):\n        logits = model.gpt(t, p, keys, values)\n"
         "        t = logits.index(max(logits))\n"
         "        if t == tok.BOS:\n            break\n        out.append(tok.uchars[t])\n    return ''.join(out)",
         ['compare their .data']),
    ],
    'train-step': [
        ("from microgpt import doc_loss\ndef train_step(model, adam, tokens, step, num_steps):\n"
         "    loss = doc_loss(model, tokens)\n    adam.step(step, num_steps)\n    return loss.data",
         ['loss.backward()', 'nothing to move']),
        ("from microgpt import doc_loss\ndef train_step(model, adam, tokens, step, num_steps):\n"
         "    loss = doc_loss(model, tokens)\n    loss.backward()\n    adam.step(step, num_steps)\n    return loss",
         ['loss.data, a plain float']),
    ],
    'count-lines': [],  # filled below: its sources are longer
    'gpt-forward': [],
}


def _mutated(exercise_id, old, new):
    source = EXERCISES[exercise_id].solution
    assert old in source, (exercise_id, old)
    return source.replace(old, new)


WRONG['gpt-forward'] = [
    (_mutated('gpt-forward', "keys[li].append(linear(x, sd[f'layer{li}.attn_wk']))\n        "
                             "values[li].append(linear(x, sd[f'layer{li}.attn_wv']))",
              "k, v = linear(x, sd[f'layer{li}.attn_wk']), linear(x, sd[f'layer{li}.attn_wv'])\n        "
              "keys_li, values_li = [k], [v]"
              ).replace('for ki in keys[li]]', 'for ki in keys_li]')
     .replace('for vi in values[li]]', 'for vi in values_li]'),
     ['append this position']),
    (_mutated('gpt-forward', 'for ki in keys[li]]', 'for ki in keys[li][-1:]]')
     .replace('for vi in values[li]]', 'for vi in values[li][-1:]]'), ['position 0 is right']),
]
WRONG['count-lines'] = [
    (_mutated('count-lines', "text = line.strip()", "text = line"), ['line.strip()']),
    (_mutated('count-lines', "elif text.startswith('#'):", "elif '#' in text:"), ['x = 1  # note is a code line']),
    (_mutated('count-lines', "        elif number in docstring:\n            counts['docstring'] += 1\n", ""),
     ['docstrings', 'ast']),
]


def namespace(source):
    ns = {}
    exec(compile(source, '<reader>', 'exec'), ns)
    return ns


@pytest.mark.parametrize('exercise_id', list(EXERCISES))
def test_the_reference_solution_passes(exercise_id):
    verdict = result(exercise_id, namespace(EXERCISES[exercise_id].solution))
    assert verdict['passed'], verdict['message']
    assert verdict['failed'] is None and verdict['cases'] == verdict['passed_cases'] >= 2
    assert verdict['message'] == f"✓ {exercise_id}: all {verdict['cases']} cases pass"


@pytest.mark.parametrize('exercise_id', list(EXERCISES))
def test_typical_wrong_answers_fail_each_with_its_own_message(exercise_id):
    wrong = WRONG[exercise_id]
    assert len(wrong) >= 2
    hints = []
    for source, words in wrong:
        verdict = result(exercise_id, namespace(source))
        assert not verdict['passed'], source
        failed = verdict['failed']
        assert failed['case'] >= 1 and failed['got'] and failed['hint']
        for word in words:
            assert word in failed['hint'], (source, failed)
        assert f"case {failed['case']} of {verdict['cases']}" in verdict['message']
        hints.append(failed['hint'])
    assert len(set(hints)) == len(hints), hints  # a specific message per mistake, not one generic one


@pytest.mark.parametrize('exercise_id', list(EXERCISES))
def test_the_starter_code_asks_for_the_body(exercise_id):
    verdict = result(exercise_id, namespace(EXERCISES[exercise_id].starter))
    assert not verdict['passed']
    failed = verdict['failed']
    assert failed['case'] == 1 and 'write the body' in failed['hint'], failed
    assert 'returned None' in failed['got'] or exercise_id == 'backward', failed
    assert 'Traceback' not in verdict['message']


def test_the_starter_of_backward_is_told_what_to_fill_in():
    failed = result('backward', namespace(EXERCISES['backward'].starter))['failed']
    assert 'root.grad = 1' in failed['hint']  # the grads stay 0: the first step is missing


def test_a_function_that_raises_gets_its_exception_shortened():
    def softmax(logits):
        raise KeyError('x' * 500)
    failed = result('softmax', softmax)['failed']
    assert failed['got'].startswith('softmax() raised KeyError: ') and len(failed['got']) < 260
    assert '(line ' in failed['got']  # where, in the reader's code


def test_a_wrong_type_nan_and_the_wrong_length_each_get_a_message():
    assert 'returned str' in result('softmax', lambda logits: 'probs')['failed']['got']
    nan = result('temperature', lambda logits, t: [float('nan')] * len(logits))['failed']
    assert 'NaN' in nan['got'] and '0/0' in nan['hint']
    short = result('rmsnorm', lambda x: x[:1])['failed']
    assert 'returned 1 numbers' in short['got']
    assert 'return Values' in result('rmsnorm', lambda x: [v.data for v in x])['failed']['hint']
    assert 'an int' in result('param-count', lambda c, v: 'many')['failed']['expected']


def test_a_loop_that_never_ends_is_stopped(monkeypatch):
    monkeypatch.setattr(ex, 'TIME_LIMIT', 0.2)

    def softmax(logits):
        while True:
            pass
    t0 = time.perf_counter()
    verdict = result('softmax', softmax)
    assert time.perf_counter() - t0 < 2
    assert not verdict['passed'] and 'still running after 0.2 s' in verdict['failed']['got']
    assert 'loop that never ends' in verdict['failed']['hint']

    def swallowing(logits):  # an `except Exception` cannot catch the stop
        while True:
            try:
                sum(range(100))
            except Exception:
                pass
    assert 'still running' in result('softmax', swallowing)['failed']['got']


def test_check_prints_exactly_what_result_says_and_records_the_verdict(capsys):
    from microgpt import exercises
    del exercises.verdicts[:]
    ns = namespace(WRONG['softmax'][0][0])
    assert check('softmax', ns) is None  # a cell ending with check() shows no stray True/False
    assert capsys.readouterr().out == result('softmax', ns)['message'] + '\n'
    good = namespace(EXERCISES['softmax'].solution)
    assert check('softmax', good['softmax']) is None  # a function, not a namespace
    assert capsys.readouterr().out == '✓ softmax: all 6 cases pass\n'
    assert [(v['id'], v['passed']) for v in exercises.verdicts] == [('softmax', False), ('softmax', True)]
    assert exercises.verdicts[0] == result('softmax', ns)


def test_check_without_functions_takes_the_callers_globals(capsys):
    from microgpt import exercises
    del exercises.verdicts[:]
    namespace("from microgpt.exercises import check\n" + EXERCISES['rmsnorm'].solution + "\ncheck('rmsnorm')\n")
    assert capsys.readouterr().out == '✓ rmsnorm: all 5 cases pass\n'
    assert exercises.verdicts[-1]['passed'] and exercises.verdicts[-1]['id'] == 'rmsnorm'


def test_missing_functions_and_unknown_ids():
    verdict = result('encode-decode', {'encode': len})
    assert not verdict['passed'] and verdict['cases'] == 0 and 'no function decode()' in verdict['failed']['got']
    assert verdict['message'].startswith('✗ encode-decode')
    from microgpt.errors import MicroGPTError
    with pytest.raises(MicroGPTError, match="no exercise 'nope'; the exercises are: vocabulary"):
        result('nope', {})
    with pytest.raises(MicroGPTError, match='pass them in that order'):
        result('encode-decode', len)


def test_the_listing_is_json_and_covers_every_chapter():
    listing = exercises()
    assert json.loads(json.dumps(listing)) == listing
    assert [e['id'] for e in listing] == list(EXERCISES) and len(listing) >= 21
    for chapter in range(1, 8):
        assert len(exercises(chapter)) >= 3, chapter
    for e in listing:
        assert set(e) == {'id', 'chapter', 'title', 'names', 'prompt', 'starter', 'solution'}
        for source in (e['starter'], e['solution']):
            defined = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
            assert defined == set(e['names']), e['id']
    verdict = result('softmax', namespace(WRONG['softmax'][0][0]))
    assert json.loads(json.dumps(verdict)) == verdict


def test_ids_do_not_look_like_the_chapters_exercise_numbers():
    assert not any(i[0].isdigit() for i in EXERCISES)  # 'Exercise 3.2' is a question in the chapter


def test_the_module_imports_only_the_standard_library_and_the_core():
    tree = ast.parse(inspect.getsource(ex))
    relative = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1}
    absolute = {a.name.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    absolute |= {n.module.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert relative <= {'autograd', 'config', 'contract', 'data', 'errors', 'model', 'sample', 'train'}
    assert absolute <= set(__import__('sys').stdlib_module_names), absolute


def test_every_reference_solution_is_checked_fast():
    namespaces = {i: namespace(e.solution) for i, e in EXERCISES.items()}
    t0 = time.perf_counter()
    for i, ns in namespaces.items():
        assert result(i, ns)['passed']
    assert time.perf_counter() - t0 < 2.0


def test_the_chapters_exercise_cells_are_the_packages():
    """Each chapter's exercise and solution cells hold exactly microgpt/exercises.py's starter
    and solution (scripts/sync_exercises.py writes them): one source, in Jupyter and the page."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / 'scripts' / 'sync_exercises.py'
    spec = importlib.util.spec_from_file_location('sync_exercises', path)
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    assert sync.main(['--check']) == 0, 'run scripts/sync_exercises.py, then re-execute the chapter'


def test_exercise_code_fits_the_solution_toggles_column():
    for e in exercises():
        for part in ('starter', 'solution'):
            long = [line for line in e[part].splitlines() if len(line) > 79]
            assert not long, f"{e['id']} {part}: {long[0]!r} is wider than 79 characters"
