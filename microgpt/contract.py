"""
What every engine agrees on, owned by none of them: the weight matrices a model has, the
checks on gpt()'s inputs and on the loss, the trace gpt() can fill, the report of one
training step, and running a sequence through gpt(). The scalar engine (model, train,
sample), the list engine (list_engine) and the NumPy engine (numpy_engine) all build on
this module and on config.
"""

import math
from dataclasses import dataclass
from numbers import Integral

from .autograd import Value
from .errors import ConfigError, ContextError, DataError, TrainingError


def param_shapes(config, vocab_size):
    """Name -> (rows, columns) of every weight matrix, in the order they are drawn."""
    n_embd = config.n_embd
    shapes = {'wte': (vocab_size, n_embd),             # token embeddings
              'wpe': (config.block_size, n_embd),      # position embeddings
              'lm_head': (vocab_size, n_embd)}         # residual stream -> logits
    for i in range(config.n_layer):
        shapes[f'layer{i}.attn_wq'] = (n_embd, n_embd)
        shapes[f'layer{i}.attn_wk'] = (n_embd, n_embd)
        shapes[f'layer{i}.attn_wv'] = (n_embd, n_embd)
        shapes[f'layer{i}.attn_wo'] = (n_embd, n_embd)
        shapes[f'layer{i}.mlp_fc1'] = (4 * n_embd, n_embd)
        shapes[f'layer{i}.mlp_fc2'] = (n_embd, 4 * n_embd)
    return shapes


def check_input(config, vocab_size, token_id, pos_id):
    """gpt() can only look up a token in the vocabulary at a position inside the context."""
    for name, value in (('token id', token_id), ('position', pos_id)):
        if not isinstance(value, Integral) or isinstance(value, bool):  # a float would index the wrong row
            raise ContextError(f"{name} must be an integer, got {value!r}; "
                               "pass whole numbers (e.g. from tokenizer.encode()).")
    if not 0 <= pos_id < config.block_size:
        raise ContextError(f"position {pos_id} is outside the context window: this model has "
                           f"block_size={config.block_size}, so positions run 0..{config.block_size - 1}. "
                           "Use a shorter sequence or a config with a larger block_size.")
    if not 0 <= token_id < vocab_size:
        raise ContextError(f"token id {token_id} is not in the vocabulary 0..{vocab_size - 1}.")


def no_record(*args, **kwargs):  # what gpt() calls when nobody asked for a trace
    pass


class Trace(dict):
    """What a gpt() call computed, as plain floats, keyed by (name, layer, head):
    trace['embedding'], trace['q', 0], trace['attn_weights', 0, 2],
    trace['logits'], ..."""

    def record(self, layer=None, head=None, **vectors):
        for name, vec in vectors.items():
            key = (name if layer is None else
                   (name, layer) if head is None else (name, layer, head))
            self[key] = [v.data if isinstance(v, Value) else v for v in vec]


def run_sequence(model, tokens):
    """Feed tokens through model.gpt() (either engine), one position at a time,
    with a fresh KV cache. Returns one Trace per position: trace['logits'] is
    what follows it."""
    keys, values = model.empty_cache()
    traces = []
    for pos_id, token_id in enumerate(tokens):
        trace = Trace()
        model.gpt(token_id, pos_id, keys, values, trace=trace)
        traces.append(trace)
    return traces


@dataclass(frozen=True)
class StepInfo:
    """What one training step reports: 1-based step, total, loss, learning rate."""
    step: int
    num_steps: int
    loss: float
    lr: float

    def __str__(self):  # the reference program's line
        return f"step {self.step:4d} / {self.num_steps:4d} | loss {self.loss:.4f}"


def diverged(step, learning_rate, what):
    return TrainingError(f"{what} at step {step}: training diverged. "
                         f"Try a lower learning rate (it is {learning_rate:g}; "
                         f"e.g. {min(learning_rate / 10, 0.01):g}).")  # 0.01: the presets' rate, stable


def check_loss(loss, step, learning_rate):
    """Stop at the first NaN or infinite loss, before it poisons every weight."""
    if not math.isfinite(loss):
        raise diverged(step, learning_rate, f"the loss became {loss}")


def _shape(matrix):
    """(rows, columns) of a list of rows or a 2-D array; None if it is not a rectangle."""
    try:
        widths = {len(row) for row in matrix}
        rows = len(matrix)
    except TypeError:  # a number where a row should be
        return None
    if rows == 0 or len(widths) != 1:
        return None
    return rows, widths.pop()


def vocab_size_of(weights):
    """How many tokens a set of weights embeds: the rows of its token embedding wte."""
    if not isinstance(weights, dict) or _shape(weights.get('wte')) is None:
        raise ConfigError("the weights have no token embedding matrix 'wte' (a list of rows); "
                          "pass the dict that model.weights() returns.")
    return len(weights['wte'])


def check_weights(config, vocab_size, weights):
    """Every matrix the config needs, of the right shape, and no other."""
    expected = param_shapes(config, vocab_size)
    missing = [name for name in expected if name not in weights]
    unexpected = [name for name in weights if name not in expected]
    if missing or unexpected:
        what = []
        if missing:
            what.append(f"weight matrices missing: {missing}")
        if unexpected:
            what.append(f"not in this model: {unexpected}")
        raise ConfigError(f"the weights do not fit this config ({'; '.join(what)}). "
                          "Use the config the weights were made with.")
    for name, shape in expected.items():
        got = _shape(weights[name])
        if got != shape:
            got = 'not a matrix' if got is None else f'{got[0]} x {got[1]}'
            raise ConfigError(f"weight matrix {name} is {got}, but this config needs {shape[0]} x {shape[1]}. "
                              "Use the config the weights were made with.")


def check_tokenizer(model, tokenizer):
    """The model has one embedding row per token of the tokenizer's vocabulary."""
    if tokenizer.vocab_size != model.vocab_size:
        raise ConfigError(f"the tokenizer has {tokenizer.vocab_size} tokens but the model was made for "
                          f"{model.vocab_size}; use the tokenizer the model was trained with "
                          "(load_checkpoint returns both).")


def check_docs(docs):
    """Training takes one document per step: it needs at least one."""
    if len(docs) == 0:
        raise DataError("there are no documents to train on; pass a non-empty list "
                        "(e.g. load_docs() of a file with one document per line).")


def check_framed(tokens):
    """A loss needs at least one prediction: an input token and the token after it."""
    if len(tokens) < 2:
        raise DataError(f"the sequence {list(tokens)!r} has {len(tokens)} token(s); a loss needs at least 2 "
                        "(frame a document with tokenizer.frame(doc): [BOS] + ids + [BOS]).")
