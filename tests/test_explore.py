"""microgpt.explore: the plain data behind the book's figures and browser widgets."""

import json
import math

from helpers import GOLDEN_BOOK, read_lines

from microgpt import explore
from microgpt.train import StepInfo


def golden_loss_lines(n):
    return [line for line in read_lines(GOLDEN_BOOK) if line.startswith('step')][:n]


def test_softmax_state_matches_the_models_softmax():
    s = explore.softmax_state(logits=[2.0, 1.0, 0.1], temperature=0.5, labels=['a', 'b', 'c'])
    assert s['labels'] == ['a', 'b', 'c'] and s['temperature'] == 0.5
    e = [math.exp(l / 0.5) for l in (2.0, 1.0, 0.1)]
    assert s['probs'] == [explore.probs([2.0, 1.0, 0.1], 0.5)[i] for i in range(3)]
    assert all(abs(p - x / sum(e)) < 1e-12 for p, x in zip(s['probs'], e))
    json.dumps(s)  # JSON-able
    assert explore.softmax_state(logits=[0, 0])['labels'] == ['0', '1']


def test_training_progress_reproduces_the_golden_losses():
    items = _first(explore.training_progress(sample_every=0), 20)  # of the full 1000-step run
    lines = [str(StepInfo(i['step'], i['num_steps'], i['loss'], i['lr'])) for i in items]
    assert lines == golden_loss_lines(20)
    assert all('samples' not in i for i in items)
    json.dumps(items)


def _first(gen, n):
    out = []
    for item in gen:
        out.append(item)
        if len(out) == n:
            gen.close()
            break
    return out


def test_preview_samples_do_not_disturb_training():
    plain = list(explore.training_progress(num_steps=12, sample_every=0))
    peeked = list(explore.training_progress(num_steps=12, sample_every=4, num_preview=3))
    assert [i['loss'] for i in peeked] == [i['loss'] for i in plain]
    with_samples = [i for i in peeked if 'samples' in i]
    assert [i['step'] for i in with_samples] == [4, 8, 12]
    assert all(len(i['samples']) == 3 and all(isinstance(s, str) for s in i['samples'])
               for i in with_samples)
