"""
Run chapters the way a reader would, in a fresh virtual environment, and check them with
strict nbval against their committed outputs (the same execution is the check: no second run).

    python tests/fresh_env.py dist     the built wheel, installed with only its runtime
                                       dependencies, the chapters copied to an empty folder
                                       outside the repository (as on Colab)
    python tests/fresh_env.py binder   repo2docker's recipe: the image's Jupyter first
                                       (jupyterlab 4.4.9, notebook 7.4.7), then binder/; pip
                                       check; JupyterLab's widget extension; one chapter

    --cpu NAME   run the kernels under a processor setting of tests/cpu_variants.py
    --keep       keep the temporary folder (printed) for a look after a failure

The kernels run the fresh environment's Python (a kernelspec in the temporary folder); nbval
itself runs from this (the test) environment, so the fresh one needs no test tools.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from cpu_variants import VARIANTS

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
CHAPTERS = sorted(f for f in os.listdir(os.path.join(REPO, 'book')) if f[0].isdigit() and f.endswith('.ipynb'))
BINDER_BASE = ['jupyterlab==4.4.9', 'notebook==7.4.7']  # what repo2docker's image already has
BINDER_CHAPTER = '06_inference.ipynb'  # widgets, the NumPy engine and the packaged reference output
TOOLCHAIN = {'jupyter-book', 'sphinx', 'myst-nb', 'nbval', 'pytest', 'playwright'}  # never in a reader's env
KERNEL = 'microgpt-fresh-env'


def run(cmd, **kwargs):
    print('+', ' '.join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def copy_source(dest):
    """The repository's files as a clone would have them (git's tracked and unignored files)."""
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=REPO, check=True,
                           capture_output=True, text=True).stdout.split('\0')
    for rel in filter(None, files):
        src = os.path.join(REPO, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def make_venv(path):
    run([sys.executable, '-m', 'venv', path])
    python = os.path.join(path, 'bin', 'python')
    run([python, '-m', 'pip', 'install', '--quiet', '--upgrade', 'pip'])
    return python


def installed(python):
    out = subprocess.run([python, '-m', 'pip', 'list', '--format=json'], check=True, capture_output=True, text=True)
    return {p['name'].lower().replace('_', '-') for p in json.loads(out.stdout)}


def write_kernelspec(jupyter_dir, python):
    spec = os.path.join(jupyter_dir, 'kernels', KERNEL)
    os.makedirs(spec)
    with open(os.path.join(spec, 'kernel.json'), 'w', encoding='utf-8') as f:
        json.dump({'argv': [python, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                   'display_name': 'microgpt (fresh environment)', 'language': 'python'}, f)


def check_imports_installed_package(python, cwd, venv):
    """From the chapters' folder, `import microgpt` must find the installed copy, not a checkout."""
    where = subprocess.run([python, '-c', 'import microgpt, os; print(os.path.realpath(microgpt.__file__))'],
                           cwd=cwd, check=True, capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}).stdout.strip()
    if not where.startswith(os.path.realpath(venv) + os.sep):
        sys.exit(f"microgpt was imported from {where}, not from the fresh environment {venv}")
    print(f"microgpt imported from {where}")


def nbval(notebooks, jupyter_dir, cpu):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env.update(JUPYTER_PATH=jupyter_dir, PYDEVD_DISABLE_FILE_VALIDATION='1', **VARIANTS.get(cpu, {}))
    if cpu:
        print(f"processor setting {cpu}: {VARIANTS[cpu]}")
    run([sys.executable, '-m', 'pytest', '--nbval', '--nbval-kernel-name', KERNEL, '--nbval-cell-timeout=1200',
         '--nbval-sanitize-with', os.path.join(TESTS, 'nbval_sanitize.cfg'), '-p', 'no:cacheprovider',
         '--rootdir', os.path.dirname(notebooks[0]), *notebooks], env=env, cwd=os.path.dirname(notebooks[0]))


def dist(tmp, cpu):
    """Wheel -> fresh venv with the runtime dependencies only -> chapters in an empty folder."""
    src, wheels = os.path.join(tmp, 'src'), os.path.join(tmp, 'wheels')
    copy_source(src)
    run([sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps', '-w', wheels, src])
    wheel, = (os.path.join(wheels, w) for w in os.listdir(wheels))
    if not os.path.basename(wheel).startswith('microgpt_book-'):
        sys.exit(f"unexpected wheel name {wheel}: the distribution must be microgpt-book")
    venv = os.path.join(tmp, 'venv')
    python = make_venv(venv)
    # the package with its viz extra, and a kernel to run the chapters (Colab has one)
    run([python, '-m', 'pip', 'install', '--quiet', f'{wheel}[viz]', 'ipykernel',
         '-c', os.path.join(REPO, 'constraints.txt')])
    extra = installed(python) & TOOLCHAIN
    if extra:
        sys.exit(f"the runtime environment pulled in book/test tools: {sorted(extra)}")
    chapters = os.path.join(tmp, 'chapters')  # empty: nothing of the repository but the notebooks
    os.makedirs(chapters)
    for name in CHAPTERS:
        shutil.copy2(os.path.join(REPO, 'book', name), chapters)
    check_imports_installed_package(python, chapters, venv)
    jupyter_dir = os.path.join(tmp, 'jupyter')
    write_kernelspec(jupyter_dir, python)
    nbval([os.path.join(chapters, name) for name in CHAPTERS], jupyter_dir, cpu)


def binder(tmp, cpu):
    """repo2docker's order: the image's Jupyter, then binder/requirements.txt from the repo root."""
    repo = os.path.join(tmp, 'repo')
    copy_source(repo)
    with open(os.path.join(repo, 'binder', 'runtime.txt'), encoding='utf-8') as f:
        want = f.read().strip()  # e.g. python-3.11
    have = f"python-{sys.version_info.major}.{sys.version_info.minor}"
    if want != have:
        print(f"note: binder/runtime.txt asks for {want}; this check runs {have}")
    venv = os.path.join(tmp, 'venv')
    python = make_venv(venv)
    run([python, '-m', 'pip', 'install', '--quiet', *BINDER_BASE])
    run([python, '-m', 'pip', 'install', '--quiet', '-r', 'binder/requirements.txt'], cwd=repo)
    run([python, '-m', 'pip', 'check'])
    versions = subprocess.run([python, '-c', 'import jupyterlab, notebook; print(jupyterlab.__version__, '
                               'notebook.__version__)'], check=True, capture_output=True, text=True).stdout.split()
    if versions != [b.split('==')[1] for b in BINDER_BASE]:
        sys.exit(f"binder/requirements.txt changed the image's Jupyter: now jupyterlab, notebook = {versions}")
    extra = installed(python) & TOOLCHAIN
    if extra:
        sys.exit(f"binder/requirements.txt pulled in book/test tools: {sorted(extra)}")
    labext = subprocess.run([os.path.join(venv, 'bin', 'jupyter'), 'labextension', 'list'],
                            capture_output=True, text=True, check=True)
    listing = labext.stdout + labext.stderr
    if not any('@jupyter-widgets/jupyterlab-manager' in line and 'enabled' in line and 'OK' in line
               for line in listing.splitlines()):
        sys.exit("JupyterLab's widget extension is not enabled:\n" + listing)
    book = os.path.join(repo, 'book')
    check_imports_installed_package(python, book, venv)
    jupyter_dir = os.path.join(tmp, 'jupyter')
    write_kernelspec(jupyter_dir, python)
    nbval([os.path.join(book, BINDER_CHAPTER)], jupyter_dir, cpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument('what', choices=['dist', 'binder'])
    ap.add_argument('--cpu', choices=sorted(VARIANTS), help="processor setting for the kernels")
    ap.add_argument('--keep', action='store_true', help="keep the temporary folder")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix=f'microgpt-{args.what}-')
    start = time.time()
    try:
        {'dist': dist, 'binder': binder}[args.what](tmp, args.cpu)
    except subprocess.CalledProcessError as e:
        sys.exit(f"{args.what}: FAILED: `{' '.join(map(str, e.cmd))}` exited with {e.returncode} (output above)")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.what}: passed in {time.time() - start:.0f} s")


if __name__ == '__main__':
    main()
