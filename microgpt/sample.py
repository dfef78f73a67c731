"""
Inference: feed the model its own output, one token at a time, until it says BOS.
"""

from .autograd import graph_building
from .config import check_temperature
from .contract import Trace, check_tokenizer
from .model import softmax


@graph_building()  # pure efficiency: see microgpt.autograd.graph_building
def sample(model, tokenizer, rng, temperature=0.5, trace=None):
    """Generate one document. Temperature < 1 sharpens the distribution (safer,
    duller), > 1 flattens it (more surprising). If trace is a list, one dict per
    generated position is appended: the input token, the probabilities, the chosen
    token and the gpt() Trace."""
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
    keys, values = model.empty_cache()
    token_id = tokenizer.BOS
    sample = []
    for pos_id in range(model.config.block_size):
        step_trace = Trace() if trace is not None else None
        logits = model.gpt(token_id, pos_id, keys, values, trace=step_trace)
        probs = softmax([l / temperature for l in logits])
        weights = [p.data for p in probs]
        next_id = rng.choices(range(model.vocab_size), weights=weights)[0]
        if trace is not None:
            trace.append({'pos': pos_id, 'token': token_id, 'probs': weights,
                          'next': next_id, 'gpt': step_trace})
        token_id = next_id
        if token_id == tokenizer.BOS:
            break
        sample.append(tokenizer.uchars[token_id])
    return ''.join(sample)


def sample_many(model, tokenizer, rng, num_samples=20, temperature=0.5):
    """num_samples documents, drawn one after another from the same random stream."""
    return [sample(model, tokenizer, rng, temperature) for _ in range(num_samples)]
