"""Numbers that a chapter states in its prose but no cell prints: recomputed here, and
found in the chapter's text, so that a change to the run shows up as a failing test
rather than as a false sentence."""

import json
from pathlib import Path

import numpy as np

import microgpt

BOOK = Path(__file__).resolve().parent.parent / 'book'


def markdown(notebook):
    cells = json.loads((BOOK / notebook).read_text(encoding='utf-8'))['cells']
    return ' '.join(' '.join(''.join(c['source']).split()) for c in cells if c['cell_type'] == 'markdown')


def test_adams_largest_moves_in_the_book_run_are_what_chapter_5_says():
    """Ch. 5, 5.6: in the 1000-step run the largest single move is 2.45 lr_j (at step 433), and
    18,084 of the run's four million parameter-steps, in 936 of its 1000 steps, exceed lr_j.
    The NumPy engine (1 s instead of minutes) makes the scalar run's updates to about 12 digits
    (tests/test_numpy_engine.py), far more than these figures need."""
    run = microgpt.prepare('book', engine='numpy')
    weights = run.model.state_dict
    before = {name: w.copy() for name, w in weights.items()}
    largest, largest_step, over, steps_over, parameter_steps = 0.0, 0, 0, set(), 0
    for info in run.training_steps():
        for name, w in weights.items():
            ratio = np.abs(w - before[name]) / info.lr    # the move, in units of this step's lr_j
            if ratio.max() > largest:
                largest, largest_step = float(ratio.max()), info.step
            n = int((ratio > 1).sum())
            over += n
            steps_over |= {info.step} if n else set()
            parameter_steps += w.size
            before[name][...] = w
    assert (round(largest, 2), largest_step) == (2.45, 433)
    assert (over, len(steps_over), parameter_steps) == (18_084, 936, 4_064_000)
    text = markdown('05_training.ipynb')
    assert ('the largest single move is 2.45 $\\mathrm{lr}_j$ (at step 433), and 18,084 of the '
            "run's four million parameter-steps, spread over 936 of its 1000 steps, move by more "
            'than $\\mathrm{lr}_j$') in text
