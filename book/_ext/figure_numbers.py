"""Figure numbers by chapter: the third captioned figure of chapter 2 is "Figure 2.3".

Loaded from _config.yml (sphinx: local_extensions: figure_numbers: book/_ext).

With `numfig: true` and no numbered toctree (the chapters number their own headings),
Sphinx counts captioned figures once through the whole book: 1, 2, ... 40. This renumbers
them per chapter page, prefixed with the chapter's number taken from its file name
(book/03_architecture -> 3), so that a caption and every {numref} to it say where the
figure is. Pages whose name does not start with a number keep Sphinx's numbers.
"""

from __future__ import annotations

import re


def chapter_numbers(app, env):
    for docname, by_type in env.toc_fignumbers.items():
        match = re.match(r'(\d+)_', docname.split('/')[-1])
        if not match:
            continue
        chapter = int(match.group(1))
        for figtype, numbers in by_type.items():
            for k, figure_id in enumerate(numbers, start=1):  # document order
                numbers[figure_id] = (chapter, k)
    return []


def setup(app):
    app.connect('env-get-updated', chapter_numbers, priority=900)  # after Sphinx numbers them
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}
