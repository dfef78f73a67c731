"""
Maintainer tool: the book's repository URL lives in ONE place, `repository: url:` in
_config.yml (Jupyter Book derives the repository, issues, Binder and Colab buttons from it).
This script writes every other copy from it:

    book/*.ipynb      each chapter's first code cell (installs the package on Colab only)
    book/intro.md,    the install line `microgpt-book[viz] @ git+<url>`, Binder / Colab links
    README.md         and the GitHub Pages address (https://<owner>.github.io/<name>/)
    pyproject.toml    [project.urls]
    CITATION.cff      repository-code and url

    python scripts/repository_url.py           # rewrite the copies from _config.yml
    python scripts/repository_url.py --check   # exit 1 if any copy differs (make test runs this)

Standard library only.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = 'microgpt-book'  # the distribution name; PyPI's "microgpt" is an unrelated project
COLAB_CELL_ID = 'colab-install'


def config_url(root=ROOT):
    """repository.url from _config.yml (read with a regex: no YAML library needed)."""
    text = (root / '_config.yml').read_text(encoding='utf-8')
    block = re.search(r'^repository:\n((?:[ \t]+.*\n|[ \t]*\n)+)', text, re.M)
    url = block and re.search(r'^[ \t]+url:[ \t]*(\S+)', block.group(1), re.M)
    if not url or not re.fullmatch(r'https://github\.com/[\w.-]+/[\w.-]+', url.group(1)):
        sys.exit("_config.yml: repository.url must be https://github.com/<owner>/<name>")
    return url.group(1)


def colab_cell_source(url):
    """The first code cell of every chapter: on Colab, install this package from the repository;
    anywhere else (JupyterLab, Binder, the book build, the tests) it does nothing."""
    return (
        "# On Colab, install this book's package first (anywhere else this cell does nothing).\n"
        f"# The distribution is {DIST}; its import name is microgpt.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "if 'google.colab' in sys.modules:\n"
        "    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet',\n"
        f"                    '{DIST}[viz] @ git+{url}'], check=True)")


def colab_cell(url):
    return {'cell_type': 'code', 'execution_count': None, 'id': COLAB_CELL_ID,
            'metadata': {'tags': ['remove-cell']}, 'outputs': [], 'source': colab_cell_source(url)}


def fix_notebook(text, url):
    """The notebook's JSON with its Colab cell first among the code cells (inserted or rewritten)."""
    nb = json.loads(text)
    cells = nb['cells']
    old = [i for i, c in enumerate(cells) if c.get('id') == COLAB_CELL_ID]
    if old:
        cell = cells[old[0]]
        cell['source'] = colab_cell(url)['source'].splitlines(keepends=True)
    else:
        first_code = next(i for i, c in enumerate(cells) if c['cell_type'] == 'code')
        cell = colab_cell(url)
        cell['source'] = cell['source'].splitlines(keepends=True)
        cells.insert(first_code, cell)
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + '\n'


def fix_text(text, url):
    """Every derived form of the URL in a text file, rewritten from url."""
    owner, name = url.split('/')[-2:]
    slug = f'{owner}/{name}'
    rules = [
        (r'git\+https://github\.com/[\w.-]+/[\w.-]+?(?=["\'`\s)]|$)', f'git+{url}'),
        (r'mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/', f'mybinder.org/v2/gh/{slug}/'),
        (r'colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/', f'colab.research.google.com/github/{slug}/'),
        (r'https://[\w-]+\.github\.io/[\w.-]+/', f'https://{owner.lower()}.github.io/{name}/'),
        (r'^(\s*(?:Homepage|Source|Issues|repository-code)\s*[=:]\s*")https://github\.com/[\w.-]+/[\w.-]+?(/issues)?(")',
         lambda m: f'{m.group(1)}{url}{m.group(2) or ""}{m.group(3)}'),
        (r'^(\s*(?:Documentation|url)\s*[=:]\s*")https://[\w-]+\.github\.io/[\w.-]+/(")',
         lambda m: f'{m.group(1)}https://{owner.lower()}.github.io/{name}/{m.group(2)}'),
    ]
    for pattern, repl in rules:
        text = re.sub(pattern, repl, text, flags=re.M)
    return text


def targets(root=ROOT):
    return sorted(root.glob('book/[0-9]*.ipynb')) + [root / p for p in
                                                     ('book/intro.md', 'README.md', 'pyproject.toml', 'CITATION.cff')]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument('--check', action='store_true', help="only report copies that differ; exit 1 if any")
    args = ap.parse_args(argv)
    url = config_url()
    stale = []
    for path in targets():
        text = path.read_text(encoding='utf-8')
        new = fix_notebook(text, url) if path.suffix == '.ipynb' else fix_text(text, url)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new, encoding='utf-8')
    if args.check and stale:
        print(f"These files do not match _config.yml's repository.url ({url}): "
              f"{', '.join(map(str, stale))}. Run: python scripts/repository_url.py", file=sys.stderr)
        return 1
    print(f"{'checked' if args.check else 'wrote'} {len(targets())} files against {url}"
          + (f"; rewrote {len(stale)}" if stale and not args.check else ""))
    return 0


if __name__ == '__main__':
    sys.exit(main())
