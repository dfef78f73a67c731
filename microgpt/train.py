"""
Training: the loss of one document, Adam with a linearly decaying learning rate,
and the loop that repeats forward -> backward -> update, one document per step.
"""

from .autograd import graph_building
from .contract import StepInfo, check_docs, check_framed, check_loss, check_tokenizer, diverged
from .model import softmax


def doc_loss(model, tokens):
    """Mean cross-entropy of predicting each next token of one framed document
    ([BOS] + ids + [BOS]); only the first block_size positions are used."""
    check_framed(tokens)
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

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99,
                 eps=1e-8):
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


def training_steps(model, tokenizer, docs, num_steps=None):
    """Train on docs, one document per step, in order; yield a StepInfo per step."""
    config = model.config
    num_steps = config.num_steps if num_steps is None else num_steps
    check_docs(docs)
    check_tokenizer(model, tokenizer)
    adam = Adam(model.params, config.learning_rate, config.beta1, config.beta2,
                config.eps)
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        # [BOS] + characters + [BOS], only as many as a step reads
        tokens = tokenizer.frame(doc[:config.block_size])
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
