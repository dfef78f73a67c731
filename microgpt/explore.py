"""
Explore: what the book's figures and the browser widgets show, as plain data.

Every function here returns JSON-able dicts and lists of floats and strings, computed
by the package's own code (standard library only, so it runs unchanged in Pyodide in
the reader's browser). The chapters' matplotlib figures draw from the same functions,
so a figure in a chapter and the widget beside it show the same numbers.
"""

import random

from .autograd import Value
from .model import softmax
from .pipeline import prepare
from .sample import sample


def probs(logits, temperature=1.0):
    """softmax(logits / temperature) with the model's own softmax, as plain floats."""
    return [p.data for p in softmax([Value(l / temperature) for l in logits])]


# ----------------------------------------------------------------------------- ch. 3: softmax

def softmax_state(logits=(2.0, 1.0, 0.1), temperature=1.0, labels=None):
    """The softmax of some logits at a temperature: what the chapter 3 slider shows."""
    logits = [float(l) for l in logits]
    labels = [str(i) for i in range(len(logits))] if labels is None else [str(s) for s in labels]
    return {'labels': labels, 'logits': logits, 'probs': probs(logits, temperature),
            'temperature': temperature}


# ----------------------------------------------------------------------------- ch. 5: training

def training_progress(num_steps=1000, sample_every=100, num_preview=5, preset='book', temperature=0.5,
                      preview_seed=0):
    """Train the scalar engine exactly as the reference program does (same random stream, so
    the same losses every step) and yield {'step', 'num_steps', 'loss', 'lr'} per step.
    Every sample_every steps (and after the last) the item also has 'samples': num_preview
    names drawn from a SEPARATE random stream, so peeking at the model never changes how
    it trains (sampling reads the weights and nothing else)."""
    run = prepare(preset)
    preview_rng = random.Random(preview_seed)
    for info in run.training_steps(num_steps):
        item = {'step': info.step, 'num_steps': info.num_steps, 'loss': info.loss, 'lr': info.lr}
        if sample_every and (info.step % sample_every == 0 or info.step == info.num_steps):
            item['samples'] = [sample(run.model, run.tokenizer, preview_rng, temperature)
                               for _ in range(num_preview)]
        yield item
