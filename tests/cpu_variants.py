"""Processor settings under which the book must print the same numbers (used by the tests
and by the Makefile's notebook stages).

OpenBLAS picks its kernels by processor; OPENBLAS_CORETYPE forces another one. NumPy picks
SIMD code paths (np.exp, np.log, np.power, ...) by processor; NPY_DISABLE_CPU_FEATURES
switches paths off. These are NumPy 2's AVX-512 dispatch targets (a name the machine does
not have is ignored).

    python tests/cpu_variants.py NAME   prints NAME's settings as VAR=value words for env(1)
"""

import sys

NO_AVX512 = 'X86_V4 AVX512_SKX AVX512_ICL AVX512_SPR'

VARIANTS = {
    'sandybridge-no-avx512': {'OPENBLAS_CORETYPE': 'Sandybridge', 'NPY_DISABLE_CPU_FEATURES': NO_AVX512},
    'prescott': {'OPENBLAS_CORETYPE': 'Prescott'},
}

if __name__ == '__main__':
    print(' '.join(f"{k}='{v}'" for k, v in VARIANTS[sys.argv[1]].items()))
