"""A pamphlet ten times this one's length builds its print edition, booklet and EPUB whole, its booklet in
sections."""

from pypdf import PdfReader

from conftest import COPIES, booklet_halves, collating_marks, epub_text, pdf_pages
from pamphlet.editions import impose
from pamphlet.editions.impose import MAX_SHEETS, saddle_stitch_order


def test_ten_times_longer_builds(long_out, print_pdf, epub_path, epubcheck):
    def text_length(path):  # pdfium's text: a long PDF in 0.15 s of CPU, pypdf's extraction 3.6 s
        return sum(len(page.get_textpage().get_text_range()) for page in pdf_pages(path))

    # The covers and front matter are there once, the pieces ten times: in print and in the EPUB.
    assert text_length(long_out / "long-print.pdf") >= 0.85 * COPIES * text_length(print_pdf)
    assert len(epub_text(long_out / "long.epub")) >= 0.85 * COPIES * len(epub_text(epub_path))
    valid, messages = epubcheck(long_out / "long.epub")
    assert valid and messages == []


def test_long_booklet_comes_in_sections_that_bind(long_out):
    """Well over 64 pages (144 here): not one nest of sheets but sections of at most 16 sheets, in page order,
    each with its collating mark on the fold, one step lower than the section before."""
    print_pages = len(PdfReader(long_out / "long-print.pdf").pages)
    assert print_pages > 4 * MAX_SHEETS
    halves = booklet_halves(long_out / "long-print.pdf", long_out / "long-booklet.pdf")
    sections = impose.sections(print_pages)
    assert sum(sections) == print_pages
    assert len(sections) > 1 and max(sections) <= 4 * MAX_SHEETS
    placed, before = [], 0
    for count in sections:  # each section saddle-stitched on its own, the sections in page order
        placed += [(before + left, before + right) for left, right in saddle_stitch_order(count)]
        before += count
    assert len(halves) == len(placed)
    for index, ((left, right), (on_left, on_right)) in enumerate(zip(placed, halves, strict=True)):
        assert left in on_left and right in on_right, (index, left, right)
    marks = collating_marks(long_out / "long-booklet.pdf")
    starts = [sum(sections[:number]) // 2 for number in range(len(sections))]  # each section's outside
    assert sorted(marks) == starts  # one mark on the outside of each section, none elsewhere
    tops = [marks[side] for side in starts]
    assert all(a > b for a, b in zip(tops, tops[1:], strict=False))  # a staircase down the stacked spines
