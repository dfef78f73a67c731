"""
Tables: rows of numbers and text as aligned plain-text lines, and a Table that shows as
HTML in a notebook. Standard library only: the benchmark prints its results with it
without needing matplotlib, and every figure module of microgpt.viz uses the same printer.
"""

from html import escape


def _cell(x, fmt, thousands):
    if isinstance(x, float):
        return fmt.format(x)
    if thousands and isinstance(x, int) and not isinstance(x, bool):
        return f'{x:,}'
    return str(x)


def table_lines(headers, rows, fmt='{:.4f}', left=None, thousands=False):
    """rows (tuples) under headers as lines of a fixed-width text table. Floats use fmt (a
    format string, or one per column); left: which columns align left (default: those
    holding only text); thousands: integers with thousands separators."""
    fmts = fmt if isinstance(fmt, (list, tuple)) else [fmt] * len(headers)
    cells = [[_cell(x, f, thousands) for x, f in zip(row, fmts)] for row in rows]
    headers = [str(h) for h in headers]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    if left is None:
        left = [all(isinstance(row[i], str) for row in rows) for i in range(len(headers))]

    def line(items):
        return '  '.join(x.ljust(w) if lf else x.rjust(w)
                         for x, w, lf in zip(items, widths, left)).rstrip()
    return [line(headers), line(['-' * w for w in widths])] + [line(r) for r in cells]


def print_table(rows, headers, fmt='{:.4f}'):
    """Print rows (tuples) under headers as a fixed-width text table (see table_lines)."""
    print('\n'.join(table_lines(headers, rows, fmt)))


class Table:
    """A small table that shows as HTML (JupyterLab, the HTML book) and as aligned plain
    text (its repr, which is also what the notebook tests compare): the first column
    aligned left, the others right; integers get thousands separators."""

    def __init__(self, header, rows):
        self.header, self.rows = list(header), [list(r) for r in rows]

    def _lines(self):
        left = [j == 0 for j in range(len(self.header))]
        return table_lines(self.header, self.rows, fmt='{}', left=left, thousands=True)

    def __repr__(self):
        return '\n'.join(self._lines())

    def _repr_html_(self):
        cells = [[_cell(v, '{}', True) for v in r] for r in self.rows]
        head = ''.join(f'<th style="text-align:{"left" if j == 0 else "right"}">{escape(str(h))}</th>'
                       for j, h in enumerate(self.header))
        body = ''.join('<tr>' + ''.join(f'<td style="text-align:{"left" if j == 0 else "right"}">{escape(c)}</td>'
                                        for j, c in enumerate(r)) + '</tr>' for r in cells)
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
