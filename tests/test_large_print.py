"""The large-print edition, read from its PDF as a reader with low vision meets it: A4, type of 16 to 18 pt and none
smaller, ragged right with no word broken, lines 1.5 times the type apart, no italics, every paragraph of the
pamphlet and every note (after its piece's text); for texts/ and the notes fixtures. Its tags (PDF/UA) are checked
with the screen PDF's (test_screen_pdf, test_markdown); its fonts with every PDF's (test_fonts)."""

import ctypes
import math
import re
import subprocess

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from pamphlet.units import MM
from conftest import built_pamphlet, epub_documents, epub_text, flush_right_share, normalise, output, pdf_body_text

A4 = (210 * MM, 297 * MM)
X = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module", params=("texts", "notes-en", "notes-ru", "translated"))
def book(request, tmp_path_factory):
    """The large-print PDF and the EPUB of one pamphlet (the text to compare with), from the shared builds."""
    out, slug = built_pamphlet(tmp_path_factory, request.param)
    return output(out, "large-print", slug=slug), output(out, "epub", slug=slug)


def characters(path):
    """For each page, its size in points and its printed characters as (character, font size, baseline, right)."""
    document = pypdfium2.PdfDocument(str(path))
    pages = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        found = []
        for char in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, char)
            if chr(code).isspace() or code in (0, 2):
                continue
            x, y, matrix = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_MATRIX()
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, char, ctypes.byref(x), ctypes.byref(y))
            # The size the font is set at, times the scale it is drawn at (WeasyPrint draws in CSS pixels, 0.75 pt).
            pdfium_c.FPDFText_GetMatrix(textpage.raw, char, ctypes.byref(matrix))
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char) * math.hypot(matrix.a, matrix.b)
            found.append((chr(code), size, y.value, textpage.get_charbox(char)[2]))
        pages.append((page.get_size(), found))
    return pages


def test_a4_pages_and_large_type_throughout(book):
    pages = characters(book[0])
    sizes = [round(size, 1) for _, chars in pages for _, size, _, _ in chars]
    body = max(set(sizes), key=sizes.count)
    assert 16 <= body <= 18, body
    # Nothing smaller: notes, captions, tables, dates and page numbers are at the text's size or larger.
    assert min(sizes) >= 16, sorted(set(sizes))
    for size, _ in pages:
        assert size == pytest.approx(A4, abs=0.5)


def test_ragged_right_no_word_broken_lines_wide_apart(book):
    pages = characters(book[0])
    text = "".join(char for _, chars in pages for char, _, _, _ in chars)
    pdf = pypdfium2.PdfDocument(str(book[0]))
    raw = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    # A line that ends in a hyphen (pdfium reads it as \x02 or \ufffe) ends at a hyphen the word has itself
    # (Ust-Kamenogorsk), never at one the typesetter would put in.
    words = epub_text(book[1])
    for before, after in re.findall(r"(\w+)[\x02\ufffe\u00ad]\s*(\w+)", raw):
        assert re.search(rf"{before}[-\u2010]{after}", words), f"{before}-{after} broken at a line's end"
    assert text
    assert flush_right_share(book[0]) < 0.3  # justified text has nearly all its lines at the right edge
    gaps = []
    for _, chars in pages:
        baselines = sorted({round(y, 1) for _, size, y, _ in chars if size < 18}, reverse=True)
        gaps += [round(a - b) for a, b in zip(baselines, baselines[1:], strict=False)]
    sizes = [round(size, 1) for _, chars in pages for _, size, _, _ in chars]
    body = max(set(sizes), key=sizes.count)
    assert max(set(gaps), key=gaps.count) >= 1.45 * body  # the usual distance from one line to the next


def test_no_italics_no_narrow_face(book):
    """Emphasis is bold: italics and a condensed face are what the large print guidance asks to avoid."""
    listing = subprocess.run(["pdffonts", str(book[0])], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert fonts <= {"Charis-SIL", "Charis-SIL-Bold"}, fonts


BLOCKS = {f"{X}{tag}" for tag in ("p", "li", "h1", "h2", "h3", "dt", "dd", "th", "td", "caption", "figcaption")}


def read(text):
    """Text as compared here: a note's call is printed [1] in large print (after a word joiner), 1 in the EPUB."""
    return re.sub("[\\[\\]\u2060]", "", normalise(text))


def test_every_paragraph_and_each_note_after_its_piece(book):
    """The pamphlet's text whole and in order, each note after the whole text of its piece (endnotes)."""
    large = read(pdf_body_text(book[0], top_mm=0, bottom_mm=20))  # without the page numbers at the foot
    position, notes = 0, 0
    for name, doc in epub_documents(book[1]):
        if name in ("nav.xhtml", "cover.xhtml"):
            continue
        asides = list(doc.iter(f"{X}aside"))
        for block in doc.iter(*BLOCKS):
            if any(a in asides for a in block.iterancestors()) or any(d.tag in BLOCKS for d in block.iterdescendants()):
                continue  # a note's (below), or a block holding blocks: its own are read
            said = read("".join(block.itertext()))
            if said:
                found = large.find(said, position)
                assert found >= 0, (name, said[:80], large[position:position + 80])
                position = found + len(said)
        for note in asides:  # after the piece's text, in order
            said = read("".join(note.itertext()))
            found = large.find(said, position)
            assert found >= 0, (name, said[:80], large[position:position + 80])
            position = found + len(said)
            notes += 1
    assert notes >= (0 if book[0].parent.name == "dist" else 2)
