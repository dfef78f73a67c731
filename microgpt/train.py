"""
Training: the loss of one document, Adam with a linearly decaying learning rate,
and the loop that repeats forward -> backward -> update, one document per step.
"""

import math
from dataclasses import dataclass

from .autograd import graph_building
from .errors import TrainingError
from .model import softmax


def doc_loss(model, tokens):
    """Mean cross-entropy of predicting each next token of one framed document
    ([BOS] + ids + [BOS]); only the first block_size positions are used."""
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values = model.empty_cache()
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        logits = model.gpt(token_id, pos_id, keys, values)
        probs = softmax(logits)
        loss_t = -probs[target_id].log()  # small if the right token was likely
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)  # average over the document's positions
    return loss


class Adam:
    """Adam: per parameter, a running mean of its gradients (m, the direction) and of
    their squares (v, the scale), so every parameter takes steps of a similar size."""

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.eps = learning_rate, eps
        self.beta1, self.beta2 = beta1, beta2
        self.m = [0.0] * len(params)  # first moment buffer
        self.v = [0.0] * len(params)  # second moment buffer

    def step(self, step, num_steps):
        """Update every parameter from its .grad, zero the grads; return the lr."""
        beta1, beta2, eps, m, v = self.beta1, self.beta2, self.eps, self.m, self.v
        lr_t = self.learning_rate * (1 - step / num_steps)  # linear lr decay
        for i, p in enumerate(self.params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))  # bias correction:
            v_hat = v[i] / (1 - beta2 ** (step + 1))  # m and v start at 0
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
            p.grad = 0
        return lr_t


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
                         f"e.g. {learning_rate / 10:g}).")


def check_loss(loss, step, learning_rate):
    """Stop at the first NaN or infinite loss, before it poisons every weight."""
    if not math.isfinite(loss):
        raise diverged(step, learning_rate, f"the loss became {loss}")


def training_steps(model, tokenizer, docs, num_steps=None):
    """Train on docs, one document per step, in order; yield a StepInfo per step."""
    config = model.config
    num_steps = config.num_steps if num_steps is None else num_steps
    adam = Adam(model.params, config.learning_rate, config.beta1, config.beta2,
                config.eps)
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = tokenizer.frame(doc)  # [BOS] + characters + [BOS]
        with graph_building():
            try:
                loss = doc_loss(model, tokens)
            except (ArithmeticError, ValueError) as e:  # overflow, or probability 0
                raise diverged(step + 1, config.learning_rate,
                               f"the forward pass failed ({e})") from e
            check_loss(loss.data, step + 1, config.learning_rate)
            loss.backward()
        lr_t = adam.step(step, num_steps)
        info = StepInfo(step + 1, num_steps, loss.data, lr_t)
        del loss  # free this step's graph now, not when the next step replaces it
        yield info


def train(model, tokenizer, docs, num_steps=None, callback=None):
    """Run every training step; call callback(info) after each. Returns the losses."""
    losses = []
    for info in training_steps(model, tokenizer, docs, num_steps):
        losses.append(info.loss)
        if callback is not None:
            callback(info)
    return losses
