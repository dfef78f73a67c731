"""Value: every operation's gradient against central finite differences, the whole
model's loss likewise, the reference's visiting order, and no recursion limit."""

import math
import random

import pytest

from microgpt import GPT, Tokenizer, Value, doc_loss, get_config
from microgpt.train import Adam

H = 1e-6


def numerical_grad(f, xs, h=H):
    """Central differences of f (plain floats in, float out) at xs."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


# (name, function of Values/floats, inputs): each exercises one operation of Value
OPERATIONS = [
    ('add', lambda a, b: a + b, [0.7, -1.3]),
    ('radd', lambda a: 2.5 + a, [0.7]),
    ('mul', lambda a, b: a * b, [0.7, -1.3]),
    ('rmul', lambda a: 2.5 * a, [0.7]),
    ('pow', lambda a: a ** 3, [0.7]),
    ('pow_negative', lambda a: a ** -0.5, [1.7]),
    ('log', lambda a: a.log() if isinstance(a, Value) else math.log(a), [0.7]),
    ('exp', lambda a: a.exp() if isinstance(a, Value) else math.exp(a), [0.7]),
    ('relu_positive', lambda a: a.relu() if isinstance(a, Value) else max(0, a), [0.7]),
    ('relu_negative', lambda a: a.relu() if isinstance(a, Value) else max(0, a), [-0.7]),
    ('neg', lambda a: -a, [0.7]),
    ('sub', lambda a, b: a - b, [0.7, -1.3]),
    ('rsub', lambda a: 2.5 - a, [0.7]),
    ('truediv', lambda a, b: a / b, [0.7, -1.3]),
    ('rtruediv', lambda a: 2.5 / a, [0.7]),
    ('composite', lambda a, b: (a * b + b ** 2 - a / b) * (a - 3), [0.7, -1.3]),
    ('reused_node', lambda a: a * a + a, [0.7]),  # a node used twice: grads must accumulate
]


@pytest.mark.parametrize('name, f, xs', OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_gradient_matches_finite_differences(name, f, xs):
    values = [Value(x) for x in xs]
    out = f(*values)
    assert out.data == pytest.approx(f(*xs), rel=1e-12)
    out.backward()
    for v, g in zip(values, numerical_grad(f, xs)):
        assert v.grad == pytest.approx(g, rel=1e-6, abs=1e-8), name


def test_local_gradients_are_stored_at_forward_time():
    a, b = Value(3.0), Value(-2.0)
    c = a * b
    assert c._children == (a, b) and c._local_grads == (-2.0, 3.0)
    d = a.exp()
    assert d._local_grads == (math.exp(3.0),)


# (expression of a and b, the op label of its result): every primitive names itself, as in micrograd
OP_LABELS = [
    (lambda a, b: a + b, '+'), (lambda a, b: a * b, '*'), (lambda a, b: a ** 3, '**3'),
    (lambda a, b: a ** 1, '**1'), (lambda a, b: a ** -0.5, '**-0.5'), (lambda a, b: a.log(), 'log'),
    (lambda a, b: a.exp(), 'exp'), (lambda a, b: a.relu(), 'relu'), (lambda a, b: b.relu(), 'relu'),
    (lambda a, b: a - b, '+'), (lambda a, b: -a, '*'), (lambda a, b: a / b, '*'), (lambda a, b: 2 + a, '+'),
]


@pytest.mark.parametrize('f, op', OP_LABELS)
def test_every_operation_records_its_label(f, op):
    a, b = Value(3.0), Value(-2.0)
    out = f(a, b)
    assert out.op == op
    assert a.op == b.op == ''  # leaves


def test_children_and_local_grads_are_readable_without_underscores():
    a, b = Value(3.0), Value(-2.0)
    c = a * b
    assert c.children == (a, b) and c.local_grads == (-2.0, 3.0)
    assert a.children == () and a.local_grads == ()
    with pytest.raises(AttributeError):  # read-only: the graph is what the forward pass built
        c.children = ()


def test_backward_steps_visit_the_reverse_topological_order_and_end_as_backward():
    a, b = Value(1.5), Value(-0.5)
    out = (a * b + a.exp()).log()
    order = out.topological_order()
    assert list(out.backward_steps()) == order[::-1]
    stepped = [v.grad for v in order]
    for v in order:
        v.grad = 0
    out.backward()
    assert [v.grad for v in order] == stepped


def test_log_of_non_positive_says_why():
    with pytest.raises(ValueError, match="non-positive"):
        Value(0.0).log()


def tiny_model(n_layer=1, activation='relu2', seed=1):
    config = get_config('book', n_embd=4, n_head=2, n_layer=n_layer, block_size=4, activation=activation)
    tokenizer = Tokenizer(['abc', 'cab'])
    return GPT(config, tokenizer.vocab_size, random.Random(seed)), tokenizer


@pytest.mark.parametrize('n_layer, activation', [(1, 'relu2'), (2, 'relu')])
def test_full_loss_gradient_matches_finite_differences(n_layer, activation):
    model, tokenizer = tiny_model(n_layer, activation)
    tokens = tokenizer.frame('abcab')  # longer than block_size: only the first 4 positions count
    loss = doc_loss(model, tokens)
    loss.backward()
    rng = random.Random(0)
    checked = rng.sample(range(len(model.params)), 40) + [0, len(model.params) - 1]
    for i in checked:
        p = model.params[i]
        analytic, original = p.grad, p.data
        p.data = original + H
        up = doc_loss(model, tokens).data
        p.data = original - H
        down = doc_loss(model, tokens).data
        p.data = original
        assert analytic == pytest.approx((up - down) / (2 * H), rel=1e-5, abs=1e-8), i


def recursive_topological_order(root):
    """The reference's recursive depth-first search."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._children:
                build_topo(child)
            topo.append(v)
    build_topo(root)
    return topo


def test_topological_order_matches_the_recursive_reference():
    """The explicit-stack search visits nodes exactly as the reference's recursive one,
    so gradients are accumulated in the same order, bit for bit."""
    model, tokenizer = tiny_model()
    loss = doc_loss(model, tokenizer.frame('abca'))
    topo = recursive_topological_order(loss)
    order = loss.topological_order()
    assert len(order) == len(topo) and all(a is b for a, b in zip(order, topo))


def test_deep_model_trains_a_step_without_recursion_error():
    """4 layers, n_embd 64, block 32: a graph far deeper than Python's recursion limit."""
    config = get_config('book', n_layer=4, n_embd=64, n_head=4, block_size=32)
    tokenizer = Tokenizer(['abcdefghijklmnopqrstuvwxyz'])
    model = GPT(config, tokenizer.vocab_size, random.Random(0))
    loss = doc_loss(model, tokenizer.frame('abcdefghijklmnopqrstuvwxyzabcdefghij'))
    with pytest.raises(RecursionError):  # what the recursive reference would do here
        recursive_topological_order(loss)
    loss.backward()
    before = [p.data for p in model.params[:50]]
    Adam(model.params).step(0, 1)
    assert any(p.data != b for p, b in zip(model.params, before))
    assert math.isfinite(loss.data)
