"""Every paragraph of the source document reaches the print PDF and the EPUB (corrections applied)."""

from pathlib import Path

import pytest

from conftest import TEXTS, epub_text, normalise, pdf_body_text

SEED = Path(__file__).with_name("seed.txt")


def corrections():
    """Rows of the tables in texts/CORRECTIONS.md: (original, corrected); corrected is '' for a left-out paragraph."""
    rows = []
    for line in (TEXTS / "CORRECTIONS.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[1] not in ("Original", "") and not set(cells[1]) <= {"-"}:
            rows.append((cells[1], cells[2]))
    return rows


def expected_paragraphs():
    rows = corrections()
    left_out = {original for original, corrected in rows if corrected == ""}
    paragraphs = []
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        for paragraph in block.split("\n") if "•" in block else [block]:
            paragraph = " ".join(paragraph.replace("•", "").split())
            if not paragraph or paragraph in left_out:
                continue
            for original, corrected in rows:
                if corrected:
                    paragraph = paragraph.replace(original, corrected)
            paragraphs.append(paragraph)
    return paragraphs


def test_corrections_table_is_read():
    rows = corrections()
    assert len(rows) >= 10
    assert ("Socialist Movements of Kazakhstan and Rusia", "Socialist Movements of Kazakhstan and Russia") in rows


def test_seed_copy_matches_shared_seed():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_f852bc8487b6237e.txt"
    if not shared.exists():
        pytest.skip("no ../shared/seed beside this clone")
    assert shared.read_bytes() == SEED.read_bytes()


def _missing(text):
    haystack = normalise(text)
    return [p for p in expected_paragraphs() if normalise(p) not in haystack]


def test_every_paragraph_in_print_pdf(print_pdf):
    assert len(expected_paragraphs()) > 60
    assert _missing(pdf_body_text(print_pdf)) == []


def test_every_paragraph_in_epub(epub_path):
    assert _missing(epub_text(epub_path)) == []


def test_typos_are_gone(print_pdf, epub_path):
    for text in (pdf_body_text(print_pdf), epub_text(epub_path)):
        for typo in ("Rusia", "Kazakstan", "Viewp[", "i[on", "ArmelorMittal", "Zhanoazen"):
            assert typo not in text


def test_left_out_paragraphs_are_absent(print_pdf):
    text = normalise(pdf_body_text(print_pdf))
    assert normalise("One response to") not in text
    assert normalise("(Photo: Esetok") not in text
