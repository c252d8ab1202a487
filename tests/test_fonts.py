"""Every font in every PDF is one the project ships, the glyphs the engine adds of its own (a hyphen at a
broken line's end, list markers, leaders, quotes) included: in texts/ and in each fixture pamphlet."""

import subprocess

import pytest

from conftest import built_pamphlet

PAMPHLETS = ("texts", "notes-en", "notes-ru", "signed-ru", "signed-kk", "lines-en", "lines-ru", "lines-kk", "messy",
             "translated")
# The shipped families as WeasyPrint names their embedded subsets (an oblique is PT Sans Narrow slanted).
SHIPPED = {"Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic", "Charis-SIL-Bold-Italic", "PT-Sans-Narrow-Condensed",
           "PT-Sans-Narrow-Bold-Condensed", "PT-Sans-Narrow-Oblique-Condensed"}


def fonts_of(pdf):
    """The fonts a PDF embeds or names, without their subset prefixes (pdffonts)."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


@pytest.fixture(scope="module", params=PAMPHLETS)
def built(request, tmp_path_factory):
    return built_pamphlet(tmp_path_factory, request.param)[0]


def test_every_font_in_every_pdf_is_shipped(built):
    pdfs = sorted(built.glob("*.pdf"))
    assert len(pdfs) >= 4, pdfs
    for pdf in pdfs:
        assert fonts_of(pdf) <= SHIPPED, f"{pdf.name}: {fonts_of(pdf) - SHIPPED}"
