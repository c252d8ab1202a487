"""The screen PDF: tagged PDF/UA, language, an outline that mirrors the contents, links, metadata, small."""

import re

import pytest
from pypdf import PdfReader

from pamphlet.units import A5

from conftest import normalise, output


@pytest.fixture(scope="session")
def screen_pdf(dist):
    return output(dist, "screen")


def outline(reader):
    """(level, title, page number) of every bookmark, in order."""
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return entries


def contents_page(reader):
    return next(i for i, page in enumerate(reader.pages) if page.extract_text().lstrip().startswith("Contents"))


@pytest.mark.parametrize("edition", ["screen", "large-print"])
def test_tagged_with_language(dist, manifest, edition):
    """PDF/UA-1: the screen PDF and the large-print edition alike."""
    reader = PdfReader(output(dist, edition))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == manifest["language"]
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()


def test_outline_mirrors_the_contents(screen_pdf):
    reader = PdfReader(screen_pdf)
    entries = outline(reader)
    assert [level for level, _, _ in entries].count(2) >= 3, "the interview's sections are not under it"
    text = reader.pages[contents_page(reader)].extract_text()
    listed = re.sub(r"[.\d]", "", normalise(text.lstrip()[len("Contents"):]))
    assert listed == re.sub(r"[.\d]", "", normalise("".join(title for _, title, _ in entries)))


def test_contents_entries_link_to_their_pages(screen_pdf):
    reader = PdfReader(screen_pdf)
    page = reader.pages[contents_page(reader)]
    names = reader.named_destinations
    targets = []
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        destination = annotation.get("/Dest") or annotation.get("/A", {}).get("/D")
        destination = names[str(destination)] if str(destination) in names else destination
        targets.append(reader.get_destination_page_number(destination) + 1)
    # A link broken over two lines is two annotations with one destination.
    assert set(targets) == {number for _, _, number in outline(reader)}


def test_no_blank_pages_and_covers(screen_pdf, manifest):
    reader = PdfReader(screen_pdf)
    for number, page in enumerate(reader.pages, start=1):
        assert page.extract_text().strip(), f"page {number} is blank"
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A5, abs=0.05)
    assert manifest["title"] in " ".join(reader.pages[0].extract_text().split())


def test_metadata(screen_pdf, manifest):
    info = PdfReader(screen_pdf).metadata
    assert info.title == manifest["title"]
    assert info.author == manifest["byline"]
    assert info.subject == manifest["subtitle"]
    assert info["/Keywords"] == ", ".join(manifest["keywords"])
    assert info["/CreationDate"].startswith("D:" + manifest["date"].strftime("%Y%m%d"))


def test_small_enough_to_send(screen_pdf):
    assert screen_pdf.stat().st_size < 400 * 1024


def test_page_labels_are_the_print_page_numbers(screen_pdf):
    """The viewer shows the print edition's numbers, so 'page 12' is the same page in both."""
    reader = PdfReader(screen_pdf)
    labels = reader.page_labels
    text = normalise(reader.pages[contents_page(reader)].extract_text())
    checked = 0
    for _, title, number in outline(reader):
        listed = re.search(re.escape(normalise(title)) + r"\.*(\d+)", text)
        assert listed, title
        assert labels[number - 1] == listed.group(1), f"{title}: label {labels[number - 1]}, contents {listed.group(1)}"
        checked += 1
    assert checked >= 4
