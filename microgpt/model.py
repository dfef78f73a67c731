"""
The model: parameters, three small building blocks (linear, softmax, rmsnorm) and
`gpt()`, which turns one token at one position into logits: one score per token of
the vocabulary for what comes next.
"""

import random

from .autograd import Value
from .config import Config, check_vocab_size
from .contract import check_input, check_weights, no_record, param_shapes, vocab_size_of


def matrix(nout, nin, std, rng):
    """nout rows of nin Gaussian random Values: a weight matrix, row-major."""
    return [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]


def init_state_dict(config, vocab_size, rng):
    """Every weight matrix of the model, by name, drawn from rng in this order."""
    return {name: matrix(nout, nin, config.init_std, rng)
            for name, (nout, nin) in param_shapes(config, vocab_size).items()}


def linear(x, w):
    """Matrix times vector: output o is the dot product of row w[o] with x."""
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    """Scores -> probabilities (positive, summing to 1). Subtracting the max
    changes nothing mathematically but keeps exp() from overflowing."""
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    """Scale x to a root-mean-square of 1, so activations stay a sensible size."""
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def relu(x): return x.relu()
def relu2(x): return x.relu() ** 2  # squared ReLU: zero for x < 0, x**2 above


ACTIVATIONS = {'relu': relu, 'relu2': relu2}


class GPT:
    """A one-or-more-layer GPT whose every number is a Value."""

    def __init__(self, config=None, vocab_size=27, rng=None, state_dict=None):
        self.config = config = config if config is not None else Config()
        check_vocab_size(vocab_size)
        self.vocab_size = vocab_size
        self.n_layer = config.n_layer
        self.n_head, self.head_dim = config.n_head, config.head_dim
        self.activation = ACTIVATIONS[config.activation]
        if state_dict is None:
            rng = rng if rng is not None else random.Random(config.seed)
            state_dict = init_state_dict(config, vocab_size, rng)
        check_weights(config, vocab_size, state_dict)
        self.state_dict = state_dict
        self.params = [p for mat in state_dict.values()
                       for row in mat for p in row]  # every learnable number

    def weights(self):
        """The weights as plain floats, {name: rows}: what a checkpoint stores."""
        return {name: [[p.data for p in row] for row in mat] for name, mat in self.state_dict.items()}

    @classmethod
    def from_weights(cls, config, weights):
        """A model whose parameters are the given floats (see weights())."""
        vocab_size = vocab_size_of(weights)
        check_weights(config, vocab_size, weights)  # before converting: a clear error, not a TypeError
        state_dict = {name: [[Value(float(w)) for w in row] for row in mat] for name, mat in weights.items()}
        return cls(config, vocab_size, state_dict=state_dict)

    def empty_cache(self):
        """A fresh KV cache: the keys and values of every position, per layer."""
        keys = [[] for _ in range(self.n_layer)]
        values = [[] for _ in range(self.n_layer)]
        return keys, values

    def gpt(self, token_id, pos_id, keys, values, trace=None):
        """Logits (one score per token) for what follows token_id at pos_id.
        keys, values: the KV cache, grown in place.
        trace: a Trace to fill, or None."""
        state_dict, n_layer = self.state_dict, self.n_layer
        n_head, head_dim = self.n_head, self.head_dim
        check_input(self.config, self.vocab_size, token_id, pos_id)
        record = trace.record if trace is not None else no_record

        # Step 1: Embed
        tok_emb = state_dict['wte'][token_id]          # token embedding lookup
        pos_emb = state_dict['wpe'][pos_id]            # position embedding lookup
        x = [t + p for t, p in zip(tok_emb, pos_emb)]  # combine: what + where
        x = rmsnorm(x)                                 # normalize
        record(embedding=x)

        for li in range(n_layer):                      # for each layer
            # 1) Multi-head attention block
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, state_dict[f'layer{li}.attn_wq'])
            k = linear(x, state_dict[f'layer{li}.attn_wk'])
            v = linear(x, state_dict[f'layer{li}.attn_wv'])
            record(li, q=q, k=k, v=v)
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(n_head):
                hs = h * head_dim
                q_h = q[hs:hs+head_dim]
                k_h = [ki[hs:hs+head_dim] for ki in keys[li]]
                v_h = [vi[hs:hs+head_dim] for vi in values[li]]
                attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim))
                               / head_dim**0.5 for t in range(len(k_h))]
                attn_weights = softmax(attn_logits)
                head_out = [sum(attn_weights[t] * v_h[t][j]
                                for t in range(len(v_h)))
                            for j in range(head_dim)]
                x_attn.extend(head_out)
                record(li, h, attn_weights=attn_weights)
            x = linear(x_attn, state_dict[f'layer{li}.attn_wo'])
            x = [a + b for a, b in zip(x, x_residual)]         # residual
            record(li, after_attention=x)

            # 2) MLP block
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, state_dict[f'layer{li}.mlp_fc1'])    # to 4 * n_embd
            x = [self.activation(xi) for xi in x]               # relu or relu**2
            record(li, mlp_hidden=x)
            x = linear(x, state_dict[f'layer{li}.mlp_fc2'])    # back to n_embd
            x = [a + b for a, b in zip(x, x_residual)]         # residual
            record(li, after_mlp=x)

        logits = linear(x, state_dict['lm_head'])               # project to vocab
        record(logits=logits)
        return logits

    def __repr__(self):
        c = self.config
        return (f"GPT(n_layer={c.n_layer}, n_embd={c.n_embd}, n_head={c.n_head}, block_size={c.block_size}, "
                f"activation={c.activation!r}, vocab_size={self.vocab_size}, params={len(self.params)})")
