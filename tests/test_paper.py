"""Paper: openings on any page, the pages, blank pages and sheets the summary shows."""

import re
import shutil

import pytest
from pypdf import PdfReader

from conftest import MM, TEXTS, build_log, pdf_pages, run_here, text_in


def _manifest_with(texts, line):
    manifest = texts / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def blank_pages(path):
    """1-based numbers of the pages with no text at all."""
    return [number for number, page in enumerate(pdf_pages(path), start=1)
            if not page.get_textpage().get_text_range().strip()]


def head_of(page):
    """The running head: text in the top 12 mm of the trimmed page."""
    left, bottom, right, top = page.get_trimbox()
    return " ".join(text_in(page, left, top - 12 * MM, right, top).split())


def opens_a_piece(page):
    """A piece's kicker (its kind, in letter-spaced capitals) below the top margin, where an opening starts."""
    left, bottom, right, top = page.get_trimbox()
    kicker = "".join(text_in(page, left, top - 40 * MM, right, top - 12 * MM).split()).upper()
    return kicker.startswith(("INTRODUCTION", "STATEMENT", "INTERVIEW"))


def _build_with(tmp_path_factory, openings):
    texts = tmp_path_factory.mktemp(openings) / "texts"
    shutil.copytree(TEXTS, texts)
    _manifest_with(texts, f"openings: {openings}")
    out = texts.parent / "out"
    result = run_here("print", "booklet", "--texts", texts, "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def any_build(tmp_path_factory):
    return _build_with(tmp_path_factory, "any")


@pytest.fixture(scope="module")
def right_build(tmp_path_factory):
    return _build_with(tmp_path_factory, "right")


def openings_of(path):
    return [number for number, page in enumerate(pdf_pages(path), start=1) if opens_a_piece(page)]


def test_openings_auto_opens_on_the_right_where_that_adds_no_sheet(print_pdf, any_build, right_build, manifest):
    """The default (auto) prints no more sheets than openings on any page, and opens more pieces on a right-hand
    page than any does; with texts/ it saves the sheet that right-hand openings everywhere would add."""
    auto, anyway = print_pdf, any_build[0] / print_pdf.name
    right = right_build[0] / print_pdf.name
    pages = {name: len(PdfReader(path).pages) for name, path in (("auto", auto), ("any", anyway), ("right", right))}
    assert pages["auto"] // 4 == pages["any"] // 4 < pages["right"] // 4, pages
    on_the_right = {name: sum(1 for n in openings_of(path) if n % 2) for name, path in
                    (("auto", auto), ("any", anyway), ("right", right))}
    assert len(openings_of(auto)) == len(manifest["pieces"])
    assert on_the_right["any"] < on_the_right["auto"] < on_the_right["right"] == len(manifest["pieces"]), on_the_right


def test_openings_any_gives_fewer_pages_and_only_the_paddings_blanks(right_build, any_build, manifest, print_pdf):
    out, _ = any_build
    right, anyway = PdfReader(right_build[0] / print_pdf.name), PdfReader(out / print_pdf.name)
    assert len(anyway.pages) < len(right.pages)
    assert len(anyway.pages) % 4 == 0
    blanks = blank_pages(out / print_pdf.name)
    # Page 2, the inside of the front cover, is blank in both; the rest are the padding before the back cover.
    assert blanks[0] == 2
    assert len(blanks) - 1 <= 3
    assert all(number > len(anyway.pages) - 5 for number in blanks[1:]), blanks
    assert len(blank_pages(right_build[0] / print_pdf.name)) > len(blanks)


def test_openings_any_leaves_no_running_head_on_an_opening(any_build, print_pdf, manifest):
    out, _ = any_build
    pages = pdf_pages(out / print_pdf.name)
    openings = [number for number, page in enumerate(pages, start=1) if opens_a_piece(page)]
    assert len(openings) == len(manifest["pieces"])
    assert any(number % 2 == 0 for number in openings), "no piece opens on a left-hand page"
    for number in openings:
        assert head_of(pages[number - 1]) == "", number
    text_pages = [n for n in range(6, len(pages)) if n not in openings and n % 2 == 0
                  and pages[n - 1].get_textpage().get_text_range().strip()]
    assert text_pages
    for number in text_pages:  # other left-hand pages keep the pamphlet's title
        assert head_of(pages[number - 1]) == manifest["title"], number


def test_summary_shows_pages_blanks_and_sheets_and_what_any_would_save(print_pdf, any_build, right_build):
    out, right_stdout = right_build
    right_pdf = out / print_pdf.name
    pages, blanks = len(PdfReader(right_pdf).pages), len(blank_pages(right_pdf))
    for edition in ("print", "booklet"):
        row = next(line for line in right_stdout.splitlines() if f"-{edition}.pdf" in line and "│" in line)
        assert re.search(rf"\b{pages}\D+{blanks}\D+{pages // 4} per copy", row), row
    saving = re.search(r"'openings: any' in pamphlet.yml would print (\d+) pages, not (\d+): (\d+) A4 sheet",
                       right_stdout)
    assert saving, right_stdout
    out, stdout = any_build
    any_pages = len(PdfReader(out / print_pdf.name).pages)
    assert (int(saving[1]), int(saving[2]), int(saving[3])) == (any_pages, pages, pages // 4 - any_pages // 4)
    assert "would print" not in stdout  # said only when it would save something


def test_summary_says_which_pieces_open_on_the_left_to_save_paper(dist, print_pdf):
    """The summary of the session's build of texts/ (conftest.build_log)."""
    left = [n for n in openings_of(print_pdf) if n % 2 == 0]
    assert left
    assert f"{len(left)} piece{'s open' if len(left) > 1 else ' opens'} on a left-hand page" in \
        " ".join(build_log(dist).read_text(encoding="utf-8").split())


def test_openings_takes_right_or_any(texts_copy, tmp_path):
    _manifest_with(texts_copy, "openings: left")
    result = run_here("print", "--texts", texts_copy, "--out", tmp_path)
    assert result.returncode == 1
    assert "pamphlet.yml" in result.stderr.splitlines()[0]
    assert "'openings' is 'left'; it must be one of: auto, right, any" in result.stderr.splitlines()[0]
