"""
The NumPy engine: the same GPT, with the same initial weights, written as array
operations. "Everything else is just efficiency": nothing here changes the math of
microgpt.model / microgpt.train / microgpt.sample, only how it is computed.

Two differences in *method*, none in the result (the forward pass even gives the very same
bits; gradients agree to rounding in the last bits, because they are added up in another order):

- Training runs every position of a document at once. Instead of a KV cache that grows
  one position at a time, attention sees all positions and a causal mask hides the
  future (position t may only look at positions 0..t). Same numbers, far fewer steps.
- There is no autograd. `backward()` applies the chain rule by hand, layer by layer in
  reverse, using the intermediates that `forward()` kept in a cache.

Inference (`gpt`, `sample`) still runs one position at a time with a KV cache, exactly
like the scalar engine, because that is how generation works.

Where it costs nothing, the operations are done in the scalar engine's order (e.g.
`x * (ms + 1e-5) ** -0.5`, dividing by multiplying with `total ** -1`), so that the
printed losses and the sampled names are the same as the scalar engine's.

The same numbers on every processor: NumPy hands `@` to a BLAS library (OpenBLAS) and
np.exp / np.log / np.power to SIMD code, and both choose their kernel, and with it the
order of additions and the rounding, by the processor they run on. After a few hundred
steps of a chaotic run (a too-high learning rate) two machines would print different
losses. So this engine uses none of them: one addition, multiplication or division at a
time is exact in IEEE arithmetic on any processor, so those stay NumPy; sums and matrix
products are added up strictly left to right (`total`, `matmul`), and exp, log and powers
come from Python's `math`, as in the scalar engine (`exp`, `log`, `power`).

Shapes: n = positions in the document, e = n_embd, H = n_head, d = head_dim (e // H),
V = vocab_size. Every weight matrix W is (out, in), as in the scalar engine, so a linear
layer on row vectors is x @ W.T.
"""

import math
import random

import numpy as np

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
    no_record,
    param_shapes,
    vocab_size_of,
)

# ----------------------------------------------------------------------------- arithmetic, the same on every CPU

def total(a):
    """Sum along the last axis (kept, with length 1), added strictly left to right:
    ((a0 + a1) + a2) + ..., as Python's sum() does. A cumulative sum has to add in that
    order; np.sum may not (it adds pairwise, in blocks whose shape depends on the build)."""
    return np.cumsum(a, axis=-1)[..., -1:]


def matmul(a, b):
    """a @ b for a (..., m, k) and b (..., k, n): every product a_ik * b_kj at once, then
    each dot product added up left to right over k, like total(). No BLAS."""
    return np.cumsum(a[..., :, :, None] * b[..., None, :, :], axis=-2)[..., -1, :]


def _elementwise(fn, a):
    """fn (a plain-float function) applied to every element of the array a."""
    return np.fromiter(map(fn, a.ravel().tolist()), np.float64, a.size).reshape(a.shape)


def exp(a):
    """e**a with Python's math.exp, the scalar engine's exp (np.exp is processor-specific)."""
    return _elementwise(math.exp, a)


def log(a):
    """ln a with math.log; a probability that underflowed to 0 gives -inf (and a loss of inf)."""
    return _elementwise(lambda p: math.log(p) if p > 0 else -math.inf, a)


def power(a, exponent):
    """a ** exponent with Python's float power, as the scalar Value computes it."""
    return _elementwise(lambda v: v ** exponent, a)


# ----------------------------------------------------------------------------- building blocks

def linear(x, w):
    """x @ w.T: each output is the dot product of a row of w with x (rows of x are positions;
    x may also be one vector). Its backward, used throughout below: for y = x @ w.T,
    dL/dw = dy.T @ x and dL/dx = dy @ w (dy.T @ x sums each weight's contributions over all
    the positions that used it)."""
    return matmul(np.atleast_2d(x), w.T).reshape(*x.shape[:-1], w.shape[0])


def rmsnorm(x):
    """Rescale each row of x to a root-mean-square of 1. Returns (y, scale); backward needs scale."""
    ms = total(x * x) * x.shape[-1] ** -1   # mean of squares, as sum * (1/e)
    scale = power(ms + 1e-5, -0.5)
    return x * scale, scale


def rmsnorm_backward(dy, x, scale):
    """Gradient of y = x * s(x), s = (mean(x^2) + 1e-5)^-1/2, with respect to x.

    Two paths: directly through x (s * dy), and through s, which depends on every x_i:
    ds/dx_i = -1/2 (ms + 1e-5)^-3/2 * 2 x_i / e = -s^3 x_i / e.
    """
    e = x.shape[-1]
    dscale = total(dy * x)                                   # dL/ds
    return dy * scale - (power(scale, 3) / e) * dscale * x


def softmax(logits):
    """Probabilities along the last axis. Subtracting the max keeps exp() from overflowing
    (masked entries are -inf and become exactly 0)."""
    exps = exp(logits - np.max(logits, axis=-1, keepdims=True))
    return exps * power(total(exps), -1)


def softmax_backward(dprobs, probs):
    """Gradient of softmax: dz_i = p_i * (dp_i - sum_j dp_j p_j)."""
    return probs * (dprobs - total(dprobs * probs))


def activation(h, kind):
    """The MLP non-linearity: 'relu' = max(0, h), 'relu2' = max(0, h)**2 (squared ReLU)."""
    r = np.maximum(h, 0.0)
    return r * r if kind == 'relu2' else r


def activation_backward(da, h, kind):
    """d relu(h) / dh = [h > 0];  d relu(h)**2 / dh = 2 relu(h)."""
    if kind == 'relu2':
        return da * (2.0 * np.maximum(h, 0.0))
    return da * (h > 0)


def split_heads(x, n_head):
    """(n, e) -> (H, n, d): each head sees its own slice of d = e / H dimensions."""
    n, e = x.shape
    return x.reshape(n, n_head, e // n_head).transpose(1, 0, 2)


def merge_heads(x):
    """(H, n, d) -> (n, e): the heads' outputs side by side, as the scalar engine concatenates them."""
    n_head, n, d = x.shape
    return x.transpose(1, 0, 2).reshape(n, n_head * d)


def causal_mask(n):
    """True above the diagonal: where position t would look at a later position (the future)."""
    return np.triu(np.ones((n, n), dtype=bool), k=1)


# ----------------------------------------------------------------------------- forward / backward, one layer

def attention_forward(x, params, li, n_head):
    """Pre-norm causal self-attention over all n positions at once, plus the residual."""
    xn, scale = rmsnorm(x)
    q = linear(xn, params[f'layer{li}.attn_wq'])
    k = linear(xn, params[f'layer{li}.attn_wk'])
    v = linear(xn, params[f'layer{li}.attn_wv'])
    qh, kh, vh = split_heads(q, n_head), split_heads(k, n_head), split_heads(v, n_head)
    head_dim = qh.shape[-1]
    inv_sqrt_d = (head_dim ** 0.5) ** -1                        # scores / sqrt(d), as scores * (1/sqrt(d))
    scores = matmul(qh, kh.transpose(0, 2, 1)) * inv_sqrt_d     # (H, n, n): query t vs key s
    scores = np.where(causal_mask(x.shape[0]), -np.inf, scores)  # no peeking at later positions
    att = softmax(scores)                                        # (H, n, n), each row sums to 1
    heads = matmul(att, vh)                                      # (H, n, d): weighted sum of values
    att_out = merge_heads(heads)                                 # (n, e)
    out = linear(att_out, params[f'layer{li}.attn_wo']) + x     # residual
    cache = dict(x=x, xn=xn, scale=scale, qh=qh, kh=kh, vh=vh, att=att, att_out=att_out,
                 inv_sqrt_d=inv_sqrt_d)
    return out, cache


def attention_backward(dout, cache, params, grads, li):
    """Backward through attention_forward: fills grads of the four attention matrices,
    returns dL/dx (which includes the residual path)."""
    wq, wk, wv, wo = (params[f'layer{li}.attn_{m}'] for m in ('wq', 'wk', 'wv', 'wo'))
    grads[f'layer{li}.attn_wo'] = matmul(dout.T, cache['att_out'])
    datt_out = split_heads(matmul(dout, wo), cache['qh'].shape[0])  # (H, n, d)
    att, qh, kh, vh = cache['att'], cache['qh'], cache['kh'], cache['vh']
    dvh = matmul(att.transpose(0, 2, 1), datt_out)              # value s was used by every query t >= s
    datt = matmul(datt_out, vh.transpose(0, 2, 1))               # (H, n, n)
    dscores = softmax_backward(datt, att) * cache['inv_sqrt_d']  # masked entries: att = 0, so 0
    dqh = matmul(dscores, kh)
    dkh = matmul(dscores.transpose(0, 2, 1), qh)
    dq, dk, dv = merge_heads(dqh), merge_heads(dkh), merge_heads(dvh)
    xn = cache['xn']
    grads[f'layer{li}.attn_wq'] = matmul(dq.T, xn)
    grads[f'layer{li}.attn_wk'] = matmul(dk.T, xn)
    grads[f'layer{li}.attn_wv'] = matmul(dv.T, xn)
    dxn = matmul(dq, wq) + matmul(dk, wk) + matmul(dv, wv)
    return dout + rmsnorm_backward(dxn, cache['x'], cache['scale'])


def mlp_forward(x, params, li, kind):
    """Pre-norm MLP: expand to 4e, activate, compress back to e, plus the residual."""
    xn, scale = rmsnorm(x)
    h = linear(xn, params[f'layer{li}.mlp_fc1'])                # (n, 4e)
    a = activation(h, kind)
    out = linear(a, params[f'layer{li}.mlp_fc2']) + x           # residual
    return out, dict(x=x, xn=xn, scale=scale, h=h, a=a)


def mlp_backward(dout, cache, params, grads, li, kind):
    """Backward through mlp_forward: fills grads of fc1 and fc2, returns dL/dx."""
    grads[f'layer{li}.mlp_fc2'] = matmul(dout.T, cache['a'])
    da = matmul(dout, params[f'layer{li}.mlp_fc2'])
    dh = activation_backward(da, cache['h'], kind)
    grads[f'layer{li}.mlp_fc1'] = matmul(dh.T, cache['xn'])
    dxn = matmul(dh, params[f'layer{li}.mlp_fc1'])
    return dout + rmsnorm_backward(dxn, cache['x'], cache['scale'])


def cross_entropy(logits, targets):
    """Mean of -log p(target) over the positions, as the scalar engine computes it:
    softmax, log of each target's probability, then (1/n) * sum. Returns (loss, probs)."""
    probs = softmax(logits)
    nll = -log(probs[np.arange(len(targets)), targets])  # a probability of 0 gives inf: check_loss reports it
    return (1 / len(targets)) * float(total(nll)[0]), probs


# ----------------------------------------------------------------------------- the model

class GPT:
    """The microgpt transformer with its weights in NumPy float64 arrays: state_dict is
    {name: (out, in) array}, as the scalar GPT's state_dict is {name: rows of Values}."""

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
        self.state_dict = {name: np.array(weights[name], dtype=np.float64) for name in shapes}

    # --- weights in and out

    def weights(self):
        """The weights as plain floats, {name: rows}: the same format as the scalar GPT.weights()."""
        return {name: w.tolist() for name, w in self.state_dict.items()}

    @classmethod
    def from_weights(cls, config, weights):
        """A model whose parameters are the given floats (see weights())."""
        return cls(config, vocab_size_of(weights), weights=weights)

    @classmethod
    def from_scalar(cls, model):
        """The NumPy twin of a scalar microgpt.model.GPT."""
        return cls.from_weights(model.config, model.weights())

    def to_scalar(self):
        """A scalar microgpt.model.GPT with the same weights (to trace it with Values)."""
        from .model import GPT as ScalarGPT  # a conversion, not a dependency of this engine
        return ScalarGPT.from_weights(self.config, self.weights())

    def num_params(self):
        return sum(w.size for w in self.state_dict.values())

    # --- training: all positions of one document at once

    def forward(self, tokens):
        """Loss of one framed document ([BOS] + ids + [BOS]) over its first n = min(block_size,
        len(tokens) - 1) positions: input tokens[:n], targets tokens[1:n+1].
        Returns (loss, cache); cache holds every intermediate backward() needs, and 'logits'."""
        check_framed(tokens)
        n = min(self.config.block_size, len(tokens) - 1)
        for token_id in tokens[:n + 1]:
            self._check(token_id, 0)  # every token id must be in the vocabulary (same error as gpt())
        inputs, targets = np.array(tokens[:n]), np.array(tokens[1:n + 1])
        p = self.state_dict
        x0 = p['wte'][inputs] + p['wpe'][:n]                     # what + where, (n, e)
        x, scale0 = rmsnorm(x0)
        layers = []
        for li in range(self.n_layer):
            x, attn_cache = attention_forward(x, p, li, self.n_head)
            x, mlp_cache = mlp_forward(x, p, li, self.config.activation)
            layers.append((attn_cache, mlp_cache))
        logits = linear(x, p['lm_head'])                        # (n, V)
        loss, probs = cross_entropy(logits, targets)
        cache = dict(inputs=inputs, targets=targets, x0=x0, scale0=scale0, layers=layers,
                     x=x, logits=logits, probs=probs)
        return loss, cache

    def backward(self, cache):
        """dL/dW for every weight matrix, by the chain rule, from the output back to the embeddings."""
        p, grads = self.state_dict, {}
        inputs, targets, probs = cache['inputs'], cache['targets'], cache['probs']
        n = len(targets)
        # loss = (1/n) sum_t -log softmax(logits_t)[target_t]  =>  dlogits_t = (probs_t - onehot_t) / n
        dlogits = probs.copy()
        dlogits[np.arange(n), targets] -= 1.0
        dlogits *= 1 / n
        grads['lm_head'] = matmul(dlogits.T, cache['x'])
        dx = matmul(dlogits, p['lm_head'])
        for li in reversed(range(self.n_layer)):
            attn_cache, mlp_cache = cache['layers'][li]
            dx = mlp_backward(dx, mlp_cache, p, grads, li, self.config.activation)
            dx = attention_backward(dx, attn_cache, p, grads, li)
        dx0 = rmsnorm_backward(dx, cache['x0'], cache['scale0'])
        grads['wte'] = np.zeros_like(p['wte'])
        np.add.at(grads['wte'], inputs, dx0)                    # a token used twice gets both gradients
        grads['wpe'] = np.zeros_like(p['wpe'])
        grads['wpe'][:n] = dx0                                   # positions past n were not used: 0
        return {name: grads[name] for name in p}                 # in the parameters' order

    def loss_and_grads(self, tokens):
        """(loss, {name: dL/dW}) for one framed document."""
        loss, cache = self.forward(tokens)
        return loss, self.backward(cache)

    # --- inference: one position at a time, with a KV cache

    def empty_cache(self):
        """A fresh KV cache: per layer, the key and the value vector of every position so far."""
        return [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]

    def gpt(self, token_id, pos_id, keys, values, trace=None):
        """Logits (a 1-D array, one score per token) for what follows token_id at position
        pos_id. keys/values: the KV cache, extended in place. trace: an optional Trace to fill."""
        self._check(token_id, pos_id)
        p, n_head, head_dim = self.state_dict, self.n_head, self.head_dim
        record = trace.record if trace is not None else no_record

        x, _ = rmsnorm(p['wte'][token_id] + p['wpe'][pos_id])   # embed: what + where, normalized
        record(embedding=x.tolist())
        for li in range(self.n_layer):
            # 1) attention: this position's query against the cached keys of positions 0..pos
            x_residual = x
            xn, _ = rmsnorm(x)
            q = linear(xn, p[f'layer{li}.attn_wq'])
            k = linear(xn, p[f'layer{li}.attn_wk'])
            v = linear(xn, p[f'layer{li}.attn_wv'])
            record(li, q=q.tolist(), k=k.tolist(), v=v.tolist())
            keys[li].append(k)
            values[li].append(v)
            qh = q.reshape(n_head, 1, head_dim)                                  # (H, 1, d)
            kh = np.stack(keys[li]).reshape(-1, n_head, head_dim).transpose(1, 2, 0)    # (H, d, T)
            vh = np.stack(values[li]).reshape(-1, n_head, head_dim).transpose(1, 0, 2)  # (H, T, d)
            att = softmax(matmul(qh, kh) * (head_dim ** 0.5) ** -1)             # (H, 1, T)
            x_attn = matmul(att, vh).reshape(-1)                                 # heads side by side
            for h in range(n_head):
                record(li, h, attn_weights=att[h, 0].tolist())
            x = linear(x_attn, p[f'layer{li}.attn_wo']) + x_residual
            record(li, after_attention=x.tolist())
            # 2) MLP
            x_residual = x
            xn, _ = rmsnorm(x)
            hidden = activation(linear(xn, p[f'layer{li}.mlp_fc1']), self.config.activation)
            record(li, mlp_hidden=hidden.tolist())
            x = linear(hidden, p[f'layer{li}.mlp_fc2']) + x_residual
            record(li, after_mlp=x.tolist())
        logits = linear(x, p['lm_head'])
        record(logits=logits.tolist())
        return logits

    def _check(self, token_id, pos_id):
        # The very same checks (and ContextError messages) as the scalar engine.
        check_input(self.config, self.vocab_size, token_id, pos_id)

    def __repr__(self):
        c = self.config
        return (f"numpy_engine.GPT(n_layer={c.n_layer}, n_embd={c.n_embd}, n_head={c.n_head}, "
                f"block_size={c.block_size}, activation={c.activation!r}, vocab_size={self.vocab_size}, "
                f"params={self.num_params()})")


# ----------------------------------------------------------------------------- Adam and the training loop

class Adam:
    """Adam, one array per weight matrix: m (running mean of gradients) and v (of their squares).
    params: the model's state_dict, {name: array}, updated in place."""

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = {name: np.zeros_like(w) for name, w in params.items()}
        self.v = {name: np.zeros_like(w) for name, w in params.items()}

    def step(self, grads, step, num_steps):
        """Update every weight in place from grads (0-based step). Returns the lr used."""
        beta1, beta2, eps = self.beta1, self.beta2, self.eps
        lr_t = self.learning_rate * (1 - step / num_steps)  # linear learning rate decay
        bias1 = 1 - beta1 ** (step + 1)                     # bias correction: m and v start at 0
        bias2 = 1 - beta2 ** (step + 1)
        for name, w in self.params.items():
            g, m, v = grads[name], self.m[name], self.v[name]
            m[...] = beta1 * m + (1 - beta1) * g
            v[...] = beta2 * v + (1 - beta2) * (g * g)     # g * g and sqrt: exact on every CPU
            m_hat = m / bias1
            v_hat = v / bias2
            w -= lr_t * m_hat / (np.sqrt(v_hat) + eps)
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
        loss, cache = model.forward(tokens)
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
        probs = softmax(logits * inv_temperature).tolist()
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
