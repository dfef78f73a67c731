"""The printable edition: `make pdf` (scripts/make_pdf.py) writes the whole built book as one
PDF. Built here from the built HTML with the session's Chromium, then read with pypdf:

* every page of _toc.yml, in order, starts where its named destination (its id in the
  print page) points, and its title (the page's h1) is the text of that PDF page;
* every chapter's figures are in it: the distinct raster images of its PDF pages are as many
  as the <img> of its built article that print (those in a closed solution toggle do not);
* the table of contents and the links between chapters work: the PDF has internal link
  annotations (GoTo), at least one per entry of the table of contents;
* it is tagged (an accessible PDF) and has an outline (bookmarks);
* no page is empty (a figure too tall for the rest of a page once left a blank page behind
  it), and every image is drawn whole inside the page's margins (not cut at a page break).
Prints the page count, the images per chapter and the seconds.
"""

from __future__ import annotations

import re
import sys

from browser_support import REPO, note

sys.path.insert(0, str(REPO / "scripts"))
import make_pdf  # noqa: E402  (scripts/ is not a package)


def distinct_images(page, found: set) -> set:
    from pypdf.generic import IndirectObject

    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    for ref in xobjects.values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.add(ref.idnum if isinstance(ref, IndirectObject) else id(obj))
        elif obj.get("/Subtype") == "/Form":
            distinct_images(obj, found)
    return found


MM = 72 / 25.4  # PDF points per millimetre
MARGIN_TOP, MARGIN_BOTTOM = 14 * MM, 16 * MM  # make_pdf's margins


def page_problems(number: int, page) -> list[str]:
    """An empty page (nothing but the page-number footer), or an image drawn past the page's
    top or bottom margin (the unit square of an image XObject, placed by the transformation
    matrix in force at its Do operator)."""
    drawn, height = [], float(page.mediabox.height)
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}

    def visit(op, args, cm, tm):
        if op == b"Do" and args and args[0] in xobjects:
            drawn.append((xobjects[args[0]].get_object().get("/Subtype"), cm))

    text = page.extract_text(visitor_operand_before=visit)
    problems = []
    if not drawn and not re.sub(r"[\d/\s]", "", text):  # at most the footer's "n / total"
        problems.append(f"PDF page {number} is empty")
    for subtype, cm in drawn:
        bottom, top = sorted((cm[5], cm[5] + cm[3]))
        if subtype == "/Image" and (bottom < MARGIN_BOTTOM - 2 or top > height - MARGIN_TOP + 2):
            problems.append(f"PDF page {number}: an image runs past the margin (from {bottom / MM:.0f} mm "
                            f"to {top / MM:.0f} mm of {height / MM:.0f}): cut at a page break")
    return problems


def printed_images(article) -> int:
    """The <img> of a built article that print: not inside a closed toggle (a solution)."""
    return sum(1 for img in article.find_all("img") if not img.find_parent("details"))


def test_pdf_edition(browser, html_root, tmp_path):
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    out = tmp_path / "microgpt-book.pdf"
    info = make_pdf.make_pdf(html_root, out, browser=browser)
    reader = PdfReader(str(out))
    assert len(reader.pages) == info["pages"] > 50
    assert "/StructTreeRoot" in reader.trailer["/Root"], "the PDF is not tagged"
    assert reader.outline, "the PDF has no outline"

    pages = make_pdf.toc_pages()
    dests = reader.named_destinations
    missing = [p for p in pages if "/" + make_pdf.slug(p) not in dests]
    assert not missing, f"no destination in the PDF for {missing}"
    starts = [reader.get_destination_page_number(dests["/" + make_pdf.slug(p)]) for p in pages]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), f"pages out of order: {starts}"

    rows, problems = [], []
    for i, page in enumerate(pages):
        article = BeautifulSoup((html_root / page).read_text(encoding="utf-8"), "html.parser").select_one(
            "article.bd-article")
        title = article.find("h1").get_text(" ", strip=True).rstrip("#").strip()
        end = starts[i + 1] if i + 1 < len(starts) else len(reader.pages)
        text = " ".join(reader.pages[starts[i]].extract_text().split())
        if title not in text:
            problems.append(f"{page}: its title {title!r} is not on PDF page {starts[i] + 1}: {text[:120]!r}")
        found = set()
        for k in range(starts[i], end):
            distinct_images(reader.pages[k], found)
        want = printed_images(article)
        if len(found) != want:
            problems.append(f"{page}: {len(found)} images on PDF pages {starts[i] + 1}-{end}, {want} in the page")
        rows.append(f"  {page:<32} pages {starts[i] + 1:>3}-{end:<3}  images {len(found):>2} of {want:<2}  {title}")

    for number, p in enumerate(reader.pages, 1):
        problems += page_problems(number, p)

    internal = 0
    for p in reader.pages:
        for annot in p.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") == "/Link" and ("/Dest" in a or (a.get("/A") or {}).get("/S") == "/GoTo"):
                internal += 1
    toc_entries = make_pdf.combine(html_root, pages, "t").count('<li><a href="#')
    if internal < toc_entries:
        problems.append(f"{internal} internal links in the PDF, fewer than the {toc_entries} entries of its contents")
    note(f"PDF edition: {len(reader.pages)} pages, {out.stat().st_size / 1e6:.1f} MB, {internal} internal links, "
         f"{info['images']} images, {info['math']} equations, made in {info['seconds']:.0f} s")
    for r in rows:
        note(r)
    assert not problems, "\n".join(problems)
