"""Write each chapter's exercise cells from microgpt/exercises.py, the one source of the
exercises: a cell tagged `exercise` holds the exercise's starter code, the cell after it
(tagged `hide-cell`: the solution toggle) its reference solution, each followed by the
check('ID') line that checks it. Run it after changing an exercise, then re-execute the
chapter (tests/test_exercises.py fails while a chapter and the package disagree).

    python scripts/sync_exercises.py          # rewrite the cells that differ
    python scripts/sync_exercises.py --check  # only say which differ (exit 1 if any)
"""

import argparse
import json
import re
import sys
from pathlib import Path

from microgpt import exercises

BOOK = Path(__file__).resolve().parent.parent / 'book'
CHECK = re.compile(r"check\('([\w-]+)'\)\s*$")


def cell_text(code, exercise_id):
    return f"{code.strip()}\n\n\ncheck('{exercise_id}')"


def expected_cells(nb):
    """(cell index, expected source) for every exercise cell and its solution cell."""
    by_id = {e['id']: e for e in exercises.exercises()}
    cells = nb['cells']
    for i, cell in enumerate(cells):
        if 'exercise' not in cell['metadata'].get('tags', []):
            continue
        found = CHECK.search(''.join(cell['source']))
        if not found or found.group(1) not in by_id:
            raise SystemExit(f"cell {i}: an exercise cell must end with check('<id>') of microgpt.exercises")
        e = by_id[found.group(1)]
        solution = cells[i + 1] if i + 1 < len(cells) else None
        if solution is None or 'hide-cell' not in solution['metadata'].get('tags', []):
            raise SystemExit(f"cell {i} ({e['id']}): the next cell must be its solution, tagged hide-cell")
        yield i, cell_text(e['starter'], e['id'])
        yield i + 1, cell_text(e['solution'], e['id'])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 if a cell differs')
    args = ap.parse_args(argv)
    differ = 0
    for path in sorted(BOOK.glob('[0-9]*.ipynb')):
        nb = json.loads(path.read_text(encoding='utf-8'))
        changed = False
        for i, text in expected_cells(nb):
            if ''.join(nb['cells'][i]['source']) != text:
                differ += 1
                print(f"{path.name} cell {i}: differs from microgpt/exercises.py")
                nb['cells'][i]['source'] = text.splitlines(True)
                changed = True
        if changed and not args.check:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    return 1 if args.check and differ else 0


if __name__ == '__main__':
    sys.exit(main())
