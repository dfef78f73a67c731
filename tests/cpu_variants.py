"""Processor settings under which the book must print the same numbers (used by the tests
and by the Makefile's notebook stages).

OpenBLAS picks its kernels by processor; OPENBLAS_CORETYPE forces another one. NumPy picks
SIMD code paths (np.exp, np.log, np.power, ...) by processor; NPY_DISABLE_CPU_FEATURES
switches paths off. These are NumPy 2's AVX-512 dispatch targets (a name the machine does
not have is ignored).

    python tests/cpu_variants.py NAME COMMAND [ARGS...]   runs COMMAND under NAME's settings
"""

import os
import sys

NO_AVX512 = 'X86_V4 AVX512_SKX AVX512_ICL AVX512_SPR'

VARIANTS = {
    'sandybridge-no-avx512': {'OPENBLAS_CORETYPE': 'Sandybridge', 'NPY_DISABLE_CPU_FEATURES': NO_AVX512},
    'prescott': {'OPENBLAS_CORETYPE': 'Prescott'},
}

if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in VARIANTS:
        sys.exit(f"usage: python tests/cpu_variants.py {{{','.join(VARIANTS)}}} COMMAND [ARGS...]")
    settings = VARIANTS[sys.argv[1]]
    print(f"processor setting {sys.argv[1]}: {settings}", flush=True)
    os.execvpe(sys.argv[2], sys.argv[2:], dict(os.environ, **settings))
