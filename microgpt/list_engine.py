"""
The list engine: the same GPT, with the same initial weights, on plain Python lists of
floats, with a hand-written backward pass. Standard library only, so it runs wherever the
scalar engine runs (the book's pages run it in Pyodide). "Everything else is just
efficiency": nothing here changes the math of microgpt.model / microgpt.train /
microgpt.sample, only how it is computed, and it prints the very same numbers.

Bit for bit the scalar engine's. Every float operation is the one a Value performs, in the
Value's order:

- Forward: each sum adds left to right, as sum() over Values does (`kernel`, `dot`); a
  division is a multiplication by `x ** -1`, as in Value.__truediv__; exp, log and powers
  are Python's own (`math.exp`, `**`), never a rewrite such as x * x for x ** 2.
- Backward: the scalar engine gives every node the sum of (local gradient * parent's
  gradient) over its parents, added in the order Value.backward() meets the parents:
  reversed topological order. For almost every node that is the reverse of the order in
  which the parents were computed (a weight's gradient adds up the positions from the
  last to the first; a row's input adds up the rows from the last to the first; a
  residual's gradient comes before the rmsnorm's). Two kinds of node are visited otherwise
  by the depth-first search that orders the graph, and the backward below adds in its order:
  the input of the q/k/v projections (head by head from the last, v rows, then k, then q;
  at position 0, k and q rows alternate: `qkv_order`) and the input of lm_head (the
  target's row last: the search reaches it first, through the loss). tests/test_list_engine.py
  checks every gradient for equality with the scalar engine's; the one liberty taken is the
  sign of a zero (a ReLU that is off passes 0.0 where the Value passes 0.0 * g, perhaps
  -0.0; a sum starts from its first term, not from 0 + it), which no later number can tell apart.

Like the scalar engine, training runs the document one position at a time with a KV
cache; backward walks the positions from the last to the first, and gradients of a key or
value that later positions attended to are complete when the walk reaches its position.

Shapes: e = n_embd, H = n_head, d = head_dim, V = vocab_size; every weight matrix is a list
of rows, (out, in), as in the scalar engine, and `linear(x, w)` is w times x.
"""

import math
import random
from operator import add

from .config import Config, check_temperature, check_vocab_size
from .contract import (
    StepInfo,
    Trace,
    check_docs,
    check_framed,
    check_input,
    check_loss,
    check_tokenizer,
    check_weights,
    diverged,
    no_record,
    param_shapes,
    vocab_size_of,
)

# ----------------------------------------------------------------------------- sums, written out
#
# Every sum of products here is added left to right, as the scalar engine's sum() over Values
# adds. The fastest way Python has to do that is an expression written out in full,
# r[0] * x0 + r[1] * x1 + ... + r[n-1] * x_n-1: Python (3.11+) runs it with its specialized
# float operations, about 1.3x (CPython 3.11) to 3x (the book's Pyodide) faster than
# sum(map(mul, r, x)) (which, since Python 3.12, must also avoid sum()'s compensated float
# path). So for each length n the engine writes such a function once (kernel) and calls it.
# The first product is not added to a 0 first, which can change only the sign of a zero sum.

CHUNK = 32  # terms per expression (a longer one is continued in the next statement: s = s + ...)
_kernels = {}


def kernel(n):
    """dots(x, rows) for vectors of length n: [r[0]*x[0] + r[1]*x[1] + ... + r[n-1]*x[n-1] for r in
    rows], each sum added left to right (written out once per n; see above)."""
    if n not in _kernels:
        _kernels[n] = _write_kernel(n)
    return _kernels[n]


def _write_kernel(n):
    if n == 0:
        return lambda x, rows: [0.0 for _ in rows]
    chunks = [range(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]
    terms = [' + '.join(f'r[{i}] * x{i}' for i in chunk) for chunk in chunks]
    lines = ['def dots(x, rows):',
             f'    {", ".join(f"x{i}" for i in range(n))}, = x']
    if len(chunks) == 1:
        lines.append(f'    return [{terms[0]} for r in rows]')
    else:
        lines += ['    out = []', '    for r in rows:', f'        s = {terms[0]}']
        lines += [f'        s = s + {t}' for t in terms[1:]]
        lines += ['        out.append(s)', '    return out']
    namespace = {}
    exec(compile('\n'.join(lines) + '\n', f'<list_engine kernel {n}>', 'exec'), namespace)
    return namespace['dots']


def dot(a, b):
    """a[0]*b[0] + a[1]*b[1] + ..., added left to right, as the scalar engine's sum()."""
    return kernel(len(a))(b, [a])[0]


def sum_of(xs):
    """xs[0] + xs[1] + ..., added left to right (a plain sum; sum() of floats compensates since 3.12)."""
    acc = 0.0
    for x in xs:
        acc += x
    return acc


def linear(x, w):
    """Matrix times vector: output o is the dot product of row w[o] with x."""
    return kernel(len(x))(x, w)


def columns(rows):
    """The columns of a list of rows (a transpose), as tuples."""
    return list(zip(*rows))


def rmsnorm(x):
    """x * s with s = (mean(x^2) + 1e-5)^-1/2. Returns (y, s, base = mean(x^2) + 1e-5)."""
    base = dot(x, x) * len(x) ** -1 + 1e-5                   # sum / len, as Value: sum * len**-1
    scale = base ** -0.5
    return [xi * scale for xi in x], scale, base


def rmsnorm_backward(dy, x, scale, base, dresidual=None):
    """dL/dx for y = rmsnorm(x), with the gradient from the residual path (if x has one) first.

    Each x_i has three parents: the residual addition (made last), y_i = x_i * s and x_i * x_i
    (which counts x_i twice); s depends on every x_i: ds/dx_i = -s^3 x_i / e, here as the
    chain of the Value nodes s = base^-1/2, base = ms + 1e-5, ms = sum * (1/e)."""
    ds = dot(x[::-1], dy[::-1])                               # s's parents, y_e-1 first
    dsum = len(x) ** -1 * ((-0.5 * base ** -1.5) * ds)         # through base, then ms
    if dresidual is None:
        return [scale * g + xi * dsum + xi * dsum for xi, g in zip(x, dy)]
    return [r + scale * g + xi * dsum + xi * dsum for r, xi, g in zip(dresidual, x, dy)]


def softmax(logits):
    """Scores -> probabilities. Returns (probs, exps, total ** -1, total)."""
    max_val = max(logits)
    exps = [math.exp(val - max_val) for val in logits]
    total = sum_of(exps)
    inv_total = total ** -1                                   # e / total is e * total**-1
    return [e * inv_total for e in exps], exps, inv_total, total


def qkv_order(n_embd, n_head, first_position):
    """The order in which the scalar backward adds the q, k and v rows' contributions to
    their input, as row indices of q, k and v stacked (q: 0..e-1, k: e..2e-1, v: 2e..3e-1).
    The last head first; within a head its v rows, then its k rows, then its q rows, each
    from the last; at position 0 (a single key) k and q rows alternate."""
    head_dim, order = n_embd // n_head, []
    for h in reversed(range(n_head)):
        rows = list(reversed(range(h * head_dim, (h + 1) * head_dim)))
        order += [2 * n_embd + o for o in rows]
        if first_position:
            order += [r for o in rows for r in (n_embd + o, o)]
        else:
            order += [n_embd + o for o in rows] + rows
    return order


# ----------------------------------------------------------------------------- the model

class GPT:
    """The microgpt transformer with its weights in lists of floats: state_dict is
    {name: list of rows}, as the scalar GPT's state_dict is {name: rows of Values}."""

    def __init__(self, config=None, vocab_size=27, rng=None, weights=None):
        self.config = config = config if config is not None else Config()
        check_vocab_size(vocab_size)
        self.vocab_size = vocab_size
        self.n_layer, self.n_head, self.head_dim = config.n_layer, config.n_head, config.head_dim
        shapes = param_shapes(config, vocab_size)
        if weights is None:
            # Draw from the random stream in exactly the scalar engine's order: matrix by
            # matrix, row by row, so both engines start from the very same numbers.
            rng = rng if rng is not None else random.Random(config.seed)
            weights = {name: [[rng.gauss(0, config.init_std) for _ in range(nin)] for _ in range(nout)]
                       for name, (nout, nin) in shapes.items()}
        check_weights(config, vocab_size, weights)
        self.state_dict = {name: [[float(w) for w in row] for row in weights[name]] for name in shapes}
        self.relu2 = config.activation == 'relu2'
        e, H = config.n_embd, config.n_head
        self.qkv_orders = (qkv_order(e, H, first_position=True), qkv_order(e, H, first_position=False))

    # --- weights in and out

    def weights(self):
        """The weights as plain floats, {name: rows}: the same format as the scalar GPT.weights()."""
        return {name: [list(row) for row in w] for name, w in self.state_dict.items()}

    @classmethod
    def from_weights(cls, config, weights):
        """A model whose parameters are the given floats (see weights())."""
        return cls(config, vocab_size_of(weights), weights=weights)

    @classmethod
    def from_scalar(cls, model):
        """The list twin of a scalar microgpt.model.GPT."""
        return cls.from_weights(model.config, model.weights())

    def to_scalar(self):
        """A scalar microgpt.model.GPT with the same weights (to trace it with Values)."""
        from .model import GPT as ScalarGPT  # a conversion, not a dependency of this engine
        return ScalarGPT.from_weights(self.config, self.weights())

    def num_params(self):
        return sum(len(row) for w in self.state_dict.values() for row in w)

    def layer(self, li):
        """(wq, wk, wv, wo, fc1, fc2) of layer li."""
        p = self.state_dict
        return tuple(p[f'layer{li}.{m}'] for m in ('attn_wq', 'attn_wk', 'attn_wv', 'attn_wo', 'mlp_fc1', 'mlp_fc2'))

    def empty_cache(self):
        """A fresh KV cache: per layer, for every position so far, its key and its value split by head."""
        return [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]

    # --- one position, forward (training keeps what backward needs in `saved`)

    def position(self, layers, token_id, pos_id, keys, values, record=no_record, saved=None):
        """Logits for what follows token_id at pos_id. layers: [self.layer(li) ...];
        keys/values: the KV cache, grown in place."""
        p, n_head, head_dim, relu2 = self.state_dict, self.n_head, self.head_dim, self.relu2
        inv_sqrt_d = (head_dim ** 0.5) ** -1                 # / sqrt(d), as Value: * sqrt(d)**-1
        spans = [(h * head_dim, (h + 1) * head_dim) for h in range(n_head)]
        dots_d = kernel(head_dim)
        x0 = [t + q for t, q in zip(p['wte'][token_id], p['wpe'][pos_id])]
        x, scale0, base0 = rmsnorm(x0)
        record(embedding=x)
        saved_layers = []
        for li, (wq, wk, wv, wo, fc1, fc2) in enumerate(layers):
            # 1) attention
            x_in = x
            xn, scale1, base1 = rmsnorm(x)
            q, k, v = linear(xn, wq), linear(xn, wk), linear(xn, wv)
            record(li, q=q, k=k, v=v)
            keys[li].append([k[hs:he] for hs, he in spans])
            values[li].append([v[hs:he] for hs, he in spans])
            x_attn, heads = [], []
            for h, (hs, he) in enumerate(spans):
                q_h = q[hs:he]
                attn_logits = [s * inv_sqrt_d for s in dots_d(q_h, [kt[h] for kt in keys[li]])]
                attn, exps, inv_total, total = softmax(attn_logits)
                v_cols = zip(*[vt[h] for vt in values[li]])     # dimension j of every value
                x_attn += kernel(len(attn))(attn, v_cols)
                heads.append((q_h, attn, exps, inv_total, total))
                record(li, h, attn_weights=attn)
            x = list(map(add, linear(x_attn, wo), x_in))       # residual
            record(li, after_attention=x)
            # 2) MLP
            x_mid = x
            xn2, scale2, base2 = rmsnorm(x)
            hidden = linear(xn2, fc1)
            relu = [hi if hi > 0 else 0.0 for hi in hidden]
            act = [r ** 2 for r in relu] if relu2 else relu
            record(li, mlp_hidden=act)
            x = list(map(add, linear(act, fc2), x_mid))         # residual
            record(li, after_mlp=x)
            saved_layers.append((x_in, xn, scale1, base1, heads, x_attn, x_mid, xn2, scale2, base2, hidden, relu, act))
        logits = linear(x, p['lm_head'])
        record(logits=logits)
        if saved is not None:
            saved.update(token=token_id, x0=x0, scale0=scale0, base0=base0, layers=saved_layers, x=x)
        return logits

    def gpt(self, token_id, pos_id, keys, values, trace=None):
        """Logits (a list of floats, one per token) for what follows token_id at position pos_id.
        keys/values: the KV cache, extended in place. trace: an optional Trace to fill."""
        check_input(self.config, self.vocab_size, token_id, pos_id)  # the scalar engine's checks and errors
        layers = [self.layer(li) for li in range(self.n_layer)]
        return self.position(layers, token_id, pos_id, keys, values,
                             trace.record if trace is not None else no_record)

    # --- training: forward through every position, then backward from the last

    def forward(self, tokens):
        """Loss of one framed document ([BOS] + ids + [BOS]) over its first n = min(block_size,
        len(tokens) - 1) positions. Returns (loss, cache) with what backward() needs.
        Raises ValueError (a probability of 0) or OverflowError where the scalar engine does."""
        check_framed(tokens)
        n = min(self.config.block_size, len(tokens) - 1)
        for token_id in tokens[:n + 1]:
            check_input(self.config, self.vocab_size, token_id, 0)  # same error as gpt()
        layers = [self.layer(li) for li in range(self.n_layer)]
        keys, values = self.empty_cache()
        positions, losses = [], []
        for pos_id in range(n):
            saved = {'target': tokens[pos_id + 1]}
            logits = self.position(layers, tokens[pos_id], pos_id, keys, values, saved=saved)
            probs, exps, inv_total, total = softmax(logits)
            prob = probs[saved['target']]
            if prob <= 0:  # Value.log's error, reported by training_steps as the scalar engine's is
                raise ValueError(f"log of a non-positive number ({prob!r})")
            losses.append(math.log(prob) * -1)                 # -log p, as Value: log * -1
            saved.update(exps=exps, inv_total=inv_total, total=total, prob=prob)
            positions.append(saved)
        loss = sum_of(losses) * (1 / n)                          # (1/n) * sum(losses)
        return loss, {'positions': positions, 'keys': keys, 'values': values, 'layers': layers}

    def backward(self, cache):
        """dL/dW for every weight matrix ({name: rows}, in the parameters' order): the chain
        rule through forward()'s positions, from the last position to the first."""
        p, e, n_head, head_dim, relu2 = self.state_dict, self.config.n_embd, self.n_head, self.head_dim, self.relu2
        positions, keys, values, layers = cache['positions'], cache['keys'], cache['values'], cache['layers']
        n, n_layer, vocab = len(positions), self.n_layer, range(self.vocab_size)
        inv_sqrt_d = (head_dim ** 0.5) ** -1
        spans = [(h * head_dim, (h + 1) * head_dim) for h in range(n_head)]
        # each weight's rows from the last to the first, as columns: its input adds their contributions in this order
        wo_cols, fc1_cols, fc2_cols = ([columns(w[::-1]) for w in ws] for ws in zip(*(ly[3:] for ly in layers)))
        qkv_cols = [[columns([rows[r] for r in order]) for order in self.qkv_orders]
                    for rows in (wq + wk + wv for wq, wk, wv, *_ in layers)]
        lm_head = p['lm_head']
        dots_d, dots_e, dots_3e, dots_4e = kernel(head_dim), kernel(e), kernel(3 * e), kernel(4 * e)
        # per layer and head, by position: the attention output's gradient and the scores' (d/d(q.k))
        d_outs = [[[None] * n for _ in spans] for _ in layers]
        d_dots = [[[None] * n for _ in spans] for _ in layers]
        # (input, output gradient) of every linear layer, position by position from the last
        uses_lm_head = []
        uses = [([], [], [], []) for _ in layers]                # qkv, wo, fc1, fc2
        dwte = [[0.0] * e for _ in vocab]
        dwpe = [[0.0] * e for _ in range(self.config.block_size)]

        d_log = -1 * (1 / n)                                     # loss = (1/n) sum_t -log p_t
        for pos_id in reversed(range(n)):
            s = positions[pos_id]
            target, exps, inv_total = s['target'], s['exps'], s['inv_total']
            # softmax and -log p: only p[target] is used, but every logit reaches it through the total
            d_prob = (1 / s['prob']) * d_log
            d_total = (-1 * s['total'] ** -2) * (exps[target] * d_prob)
            dlogits = [ex * d_total for ex in exps]
            dlogits[target] = exps[target] * (inv_total * d_prob + d_total)
            uses_lm_head.append((s['x'], dlogits))
            order = [o for o in reversed(vocab) if o != target] + [target]
            d_ordered = [dlogits[o] for o in order]
            dx = kernel(len(order))(d_ordered, list(zip(*[lm_head[o] for o in order])))

            for li in reversed(range(n_layer)):
                x_in, xn, scale1, base1, heads, x_attn, x_mid, xn2, scale2, base2, hidden, relu, act = s['layers'][li]
                uses_qkv, uses_wo, uses_fc1, uses_fc2 = uses[li]
                # 2) MLP backward: x = fc2(act(fc1(rmsnorm(x_mid)))) + x_mid
                uses_fc2.append((act, dx))
                dx_rev = dx[::-1]
                dact = dots_e(dx_rev, fc2_cols[li])
                if relu2:   # act = relu ** 2: d/drelu = 2 * relu (Value: 2 * relu ** 1)
                    dhidden = [(2 * r) * g if h > 0 else 0.0 for h, r, g in zip(hidden, relu, dact)]
                else:
                    dhidden = [g if h > 0 else 0.0 for h, g in zip(hidden, dact)]
                uses_fc1.append((xn2, dhidden))
                dh_rev = dhidden[::-1]
                dxn2 = dots_4e(dh_rev, fc1_cols[li])
                dx_mid = rmsnorm_backward(dxn2, x_mid, scale2, base2, dresidual=dx)
                # 1) attention backward: x_mid = wo(heads(q, K, V)) + x_in
                uses_wo.append((x_attn, dx_mid))
                dmid_rev = dx_mid[::-1]
                dx_attn = dots_e(dmid_rev, wo_cols[li])
                dq, dk, dv = [], [], []
                later = range(n - 1, pos_id - 1, -1)               # the positions that attended to this one
                for h, (hs, he) in enumerate(spans):
                    q_h, attn, exps_h, inv_total_h, total_h = heads[h]
                    d_out = d_outs[li][h][pos_id] = dx_attn[hs:he]
                    d_out_rev = d_out[::-1]
                    # head_out_j = sum_t attn_t v_tj: attn_t gets sum_j v_tj d_out_j (j from the last)
                    d_attn = dots_d(d_out_rev, [vt[h][::-1] for vt in values[li][:pos_id + 1]])
                    # softmax: attn_t = exp_t * total**-1, total = sum_t exp_t
                    local = -1 * total_h ** -2
                    d_total = sum_of([local * (ex * da) for ex, da in zip(exps_h, d_attn)][::-1])
                    dd = d_dots[li][h][pos_id] = [inv_sqrt_d * (ex * (inv_total_h * da + d_total))
                                                  for ex, da in zip(exps_h, d_attn)]
                    # score_t = (q . k_t) * d**-1/2: q adds up the keys from the last
                    dd_rev = dd[::-1]
                    dq += kernel(len(dd_rev))(dd_rev, list(zip(*[kt[h] for kt in keys[li][pos_id::-1]])))
                    # this position's key and value, complete now: every later query has added to them
                    dd_col = [d_dots[li][h][t][pos_id] for t in later]
                    dots_later = kernel(len(dd_col))
                    dk += dots_later(dd_col, list(zip(*[positions[t]['layers'][li][4][h][0] for t in later])))
                    a_col = [positions[t]['layers'][li][4][h][1][pos_id] for t in later]
                    dv += dots_later(a_col, list(zip(*[d_outs[li][h][t] for t in later])))
                # q, k, v = wq xn, wk xn, wv xn; their input adds the rows in qkv_order
                dqkv = dq + dk + dv
                uses_qkv.append((xn, dqkv))
                dy = [dqkv[r] for r in self.qkv_orders[pos_id > 0]]
                dxn = dots_3e(dy, qkv_cols[li][pos_id > 0])
                dx = rmsnorm_backward(dxn, x_in, scale1, base1, dresidual=dx_mid)

            dx0 = rmsnorm_backward(dx, s['x0'], s['scale0'], s['base0'])
            dwte[s['token']] = list(map(add, dwte[s['token']], dx0))  # a token used twice gets both
            dwpe[pos_id] = dx0

        grads = {'wte': dwte, 'wpe': dwpe, 'lm_head': weight_grad(uses_lm_head)}
        for li, (uses_qkv, uses_wo, uses_fc1, uses_fc2) in enumerate(uses):
            dqkv = weight_grad(uses_qkv)
            grads[f'layer{li}.attn_wq'], grads[f'layer{li}.attn_wk'], grads[f'layer{li}.attn_wv'] = (
                dqkv[:e], dqkv[e:2 * e], dqkv[2 * e:])
            grads[f'layer{li}.attn_wo'] = weight_grad(uses_wo)
            grads[f'layer{li}.mlp_fc1'] = weight_grad(uses_fc1)
            grads[f'layer{li}.mlp_fc2'] = weight_grad(uses_fc2)
        return {name: grads[name] for name in p}

    def loss_and_grads(self, tokens):
        """(loss, {name: dL/dW}) for one framed document."""
        loss, cache = self.forward(tokens)
        return loss, self.backward(cache)

    def __repr__(self):
        c = self.config
        return (f"list_engine.GPT(n_layer={c.n_layer}, n_embd={c.n_embd}, n_head={c.n_head}, "
                f"block_size={c.block_size}, activation={c.activation!r}, vocab_size={self.vocab_size}, "
                f"params={self.num_params()})")


def weight_grad(uses):
    """dL/dW of a linear layer from its (input x, output gradient dy) at every position, the
    last position first: dW[o][i] = sum_t x_t[i] * dy_t[o], added in that order."""
    x_cols, dots = columns([x for x, _ in uses]), kernel(len(uses))
    return [dots(dy_col, x_cols) for dy_col in columns([dy for _, dy in uses])]


# ----------------------------------------------------------------------------- Adam and the training loop

class Adam:
    """Adam, with m (running mean of gradients) and v (of their squares) shaped as the weights.
    params: the model's state_dict, {name: rows}, updated in place."""

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = {name: [[0.0] * len(row) for row in w] for name, w in params.items()}  # first moment
        self.v = {name: [[0.0] * len(row) for row in w] for name, w in params.items()}  # second moment

    def step(self, grads, step, num_steps):
        """Update every weight in place from grads (0-based step), with the scalar Adam's
        expressions. Returns the lr used."""
        beta1, beta2, eps = self.beta1, self.beta2, self.eps
        lr_t = self.learning_rate * (1 - step / num_steps)  # linear learning rate decay
        one_minus_beta1, one_minus_beta2 = 1 - beta1, 1 - beta2
        bias1 = 1 - beta1 ** (step + 1)                     # bias correction: m and v start at 0
        bias2 = 1 - beta2 ** (step + 1)
        for name, w in self.params.items():
            m_rows, v_rows = self.m[name], self.v[name]
            for row, g, m, v in zip(w, grads[name], m_rows, v_rows):
                for i in range(len(row)):  # a plain loop: Python's float operations, in place, no new lists
                    gi = g[i]
                    mi = m[i] = beta1 * m[i] + one_minus_beta1 * gi
                    vi = v[i] = beta2 * v[i] + one_minus_beta2 * gi ** 2
                    row[i] = row[i] - lr_t * (mi / bias1) / ((vi / bias2) ** 0.5 + eps)
        return lr_t


def training_steps(model, tokenizer, docs, num_steps=None):
    """Train model on docs (one document per step, in order), yielding a StepInfo per step:
    the same contract as microgpt.train.training_steps."""
    config = model.config
    num_steps = config.num_steps if num_steps is None else num_steps
    check_docs(docs)
    check_tokenizer(model, tokenizer)
    adam = Adam(model.state_dict, config.learning_rate, config.beta1, config.beta2, config.eps)
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = tokenizer.frame(doc[:config.block_size])  # [BOS] + characters + [BOS], as many as a step reads
        try:
            loss, cache = model.forward(tokens)
        except (ArithmeticError, ValueError) as e:  # overflow, or probability 0
            raise diverged(step + 1, config.learning_rate, f"the forward pass failed ({e})") from e
        check_loss(loss, step + 1, config.learning_rate)
        grads = model.backward(cache)
        lr_t = adam.step(grads, step, num_steps)
        yield StepInfo(step + 1, num_steps, loss, lr_t)


# ----------------------------------------------------------------------------- sampling

def sample(model, tokenizer, rng, temperature=0.5, trace=None):
    """Generate one document, exactly as microgpt.sample.sample does (same random draws).
    If trace is a list, one dict per generated position is appended (pos, token, probs,
    next, gpt), as in the scalar engine."""
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
    inv_temperature = temperature ** -1  # logits / T, computed as the scalar Value does: x * T**-1
    keys, values = model.empty_cache()
    token_id = tokenizer.BOS
    out = []
    for pos_id in range(model.config.block_size):
        step_trace = Trace() if trace is not None else None
        logits = model.gpt(token_id, pos_id, keys, values, trace=step_trace)
        probs = softmax([lo * inv_temperature for lo in logits])[0]
        next_id = rng.choices(range(model.vocab_size), weights=probs)[0]
        if trace is not None:
            trace.append({'pos': pos_id, 'token': token_id, 'probs': probs, 'next': next_id, 'gpt': step_trace})
        token_id = next_id
        if token_id == tokenizer.BOS:
            break
        out.append(tokenizer.uchars[token_id])
    return ''.join(out)


def sample_many(model, tokenizer, rng, num_samples=20, temperature=0.5):
    """num_samples documents, drawn one after another from the same random stream."""
    return [sample(model, tokenizer, rng, temperature) for _ in range(num_samples)]
