"""The NumPy engine prints the same numbers on every processor.

With `@` going through OpenBLAS and np.exp / np.log through NumPy's SIMD code, chapter 5's
learning-rate sweep ended "diverged at step 247" on one machine, 256 on another and did not
diverge at all with OPENBLAS_CORETYPE=Sandybridge. The engine now adds up its sums strictly
left to right and takes exp / log / powers from Python's math (microgpt.numpy_engine)."""

import ast
import inspect
import json
import os
import subprocess
import sys

import pytest
from cpu_variants import NO_AVX512, VARIANTS
from helpers import REPO

from microgpt import numpy_engine
from microgpt.pipeline import prepare
from microgpt.train import doc_loss

# A chaotic run: at lr 0.1 the loss explodes, and the step where it does so magnifies any
# difference in the last bit of any number, at any step before.
CHAOTIC_RUN = """
import json, os, numpy as np
from microgpt.config import get_config
from microgpt.errors import TrainingError
from microgpt.pipeline import prepare
from numpy._core._multiarray_umath import __cpu_features__
r = prepare(get_config('book', learning_rate=0.1, num_steps=400), engine='numpy')
try:
    with np.errstate(all='ignore'):
        r.train()
except TrainingError:
    pass
avx512 = any(v for k, v in __cpu_features__.items() if k in os.environ['NO_AVX512'].split())
print(json.dumps({'losses': [x.hex() for x in r.losses], 'samples': r.sample(5) if len(r.losses) == 400 else None,
                  'avx512': avx512}))
"""


def run_under(env_changes):
    env = dict(os.environ, NO_AVX512=NO_AVX512, **env_changes)
    out = subprocess.run([sys.executable, '-c', CHAOTIC_RUN], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=300, check=True)
    return json.loads(out.stdout)


def test_a_chaotic_run_is_bit_identical_under_other_blas_kernels_and_without_avx512():
    native = run_under({})
    assert len(native['losses']) > 100  # it trained a good while before diverging (if it did)
    for name, env_changes in VARIANTS.items():
        other = run_under(env_changes)
        assert other['losses'] == native['losses'], f"{name}: the losses differ from the native run's"
        assert other['samples'] == native['samples'], name
        if 'NPY_DISABLE_CPU_FEATURES' in env_changes:
            assert not other['avx512'], f"{name}: NumPy still dispatches to AVX-512 code"


def test_the_forward_pass_gives_the_scalar_engines_bits():
    run = prepare('book')
    fast = numpy_engine.GPT.from_scalar(run.model)
    for doc in run.docs[:50]:
        tokens = run.tokenizer.frame(doc)
        assert fast.forward(tokens)[0] == doc_loss(run.model, tokens).data, doc


# Calls whose results depend on the processor: BLAS products, SIMD transcendental functions,
# pairwise (blocked) sums.
PROCESSOR_SPECIFIC = {'dot', 'matmul', 'einsum', 'tensordot', 'inner', 'vdot', 'linalg', 'exp', 'log',
                      'power', 'float_power', 'sum', 'mean', 'std', 'var', 'prod', 'tanh', 'expm1', 'log1p'}


def test_the_engine_uses_no_processor_specific_numpy_arithmetic():
    tree = ast.parse(inspect.getsource(numpy_engine))
    for node in ast.walk(tree):
        where = f"microgpt/numpy_engine.py line {getattr(node, 'lineno', '?')}"
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), f"{where}: `@`"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'np':
            assert node.attr not in PROCESSOR_SPECIFIC, f"{where}: np.{node.attr}"


@pytest.mark.parametrize('a_shape, b_shape', [((5, 7), (7, 3)), ((2, 4, 6), (2, 6, 4)), ((1, 16), (16, 27))])
def test_matmul_adds_left_to_right(a_shape, b_shape):
    import numpy as np
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    got = numpy_engine.matmul(a, b)
    want = np.empty(got.shape)
    for idx in np.ndindex(*got.shape):
        *batch, i, j = idx
        acc = 0
        for k in range(a.shape[-1]):
            acc += float(a[(*batch, i, k)]) * float(b[(*batch, k, j)])
        want[idx] = acc
    assert got.tolist() == want.tolist()
    assert np.allclose(got, a @ b)
