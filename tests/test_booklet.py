"""Booklets that bind: creep compensation measured on the sheets, sections for long texts."""

import pytest
import yaml

from conftest import MM, booklet_halves, pdf_pages, run_here
from pamphlet.editions.impose import MAX_SHEETS, PAPER_THICKNESS_MM, saddle_stitch_order, sections


def text_left_edge(page, x0, x1):
    """The leftmost glyph between x0 and x1: where the page's text block starts."""
    textpage = page.get_textpage()
    edges = [box[0] for box in (textpage.get_charbox(i) for i in range(textpage.count_chars()))
             if x0 <= box[0] < x1 and box[2] > box[0]]
    return min(edges) if edges else None


def creep_by_depth(print_path, booklet_path):
    """For each section of a booklet (impose.sections: one for a short text), {sheet depth in it: [how far each
    page's text moved towards the fold, in mm]}, measured on the sheets against where the page's text lies on the
    print edition's page."""
    print_pages, sides = pdf_pages(print_path), pdf_pages(booklet_path)
    halves = booklet_halves(print_path, booklet_path)
    measured, index, first = [], 0, 0
    for count in sections(len(print_pages)):
        measured.append({})
        for depth_index, pair in enumerate(saddle_stitch_order(count)):
            side = sides[index]
            width, _ = side.get_size()
            for half, number in enumerate(first + number for number in pair):
                assert number in halves[index][half]
                page = print_pages[number - 1]
                trim_left, _, trim_right, _ = page.get_trimbox()
                trim = trim_right - trim_left
                on_page = text_left_edge(page, trim_left, trim_right)
                on_sheet = text_left_edge(side, half * width / 2, (half + 1) * width / 2)
                if on_page is None:
                    continue
                unmoved = (width - 2 * trim) / 2 + half * trim + on_page - trim_left
                towards_fold = (on_sheet - unmoved) * (1 if half == 0 else -1)
                measured[-1].setdefault(depth_index // 2, []).append(towards_fold / MM)
            index += 1
        first += count
    assert index == len(sides)
    return measured


def test_each_section_moves_inner_sheets_towards_the_fold(long_out):
    """The long text's booklet (the run's build: conftest.long_out), imposed in sections (144 pages: three of 48
    pages, 12 nested sheets each): in each, every page of a sheet moves towards the fold by the paper's thickness
    times the sheets outside it in its section, counted again from the outside in the next section."""
    plan = sections(len(pdf_pages(long_out / "long-print.pdf")))
    measured = creep_by_depth(long_out / "long-print.pdf", long_out / "long-booklet.pdf")
    assert len(measured) == len(plan) > 1 and max(plan) >= 48, plan  # one section at least as deep as 48 pages
    for count, section in zip(plan, measured, strict=True):
        assert sorted(section) == list(range(count // 4))
        for depth, shifts in section.items():
            for shift in shifts:  # both pages of both sides of the sheet
                assert shift == pytest.approx(depth * PAPER_THICKNESS_MM, abs=0.01), (depth, shifts)
    assert max(measured[plan.index(max(plan))][11]) == pytest.approx(1.1, abs=0.01)  # 11 sheets outside it


def test_paper_thickness_from_the_manifest(texts_copy, tmp_path):
    manifest = texts_copy / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "paper_thickness: 0.25\n", encoding="utf-8")
    result = run_here("print", "booklet", "--texts", texts_copy, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    slug = yaml.safe_load(manifest.read_text(encoding="utf-8"))["slug"]
    [measured] = creep_by_depth(tmp_path / f"{slug}-print.pdf", tmp_path / f"{slug}-booklet.pdf")  # one section
    innermost = max(measured)
    assert innermost >= 4
    assert measured[innermost] == pytest.approx([innermost * 0.25] * len(measured[innermost]), abs=0.01)


@pytest.mark.parametrize("value", ["thick", "0", "-0.1", "2", "true"])
def test_paper_thickness_must_be_millimetres(texts_copy, tmp_path, value):
    manifest = texts_copy / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"paper_thickness: {value}\n", encoding="utf-8")
    result = run_here("booklet", "--texts", texts_copy, "--out", tmp_path)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert "pamphlet.yml" in first and "'paper_thickness' must be a number" in first, result.stderr


@pytest.mark.parametrize("pages, expected", [
    (24, [24]), (64, [64]), (68, [36, 32]), (176, [60, 60, 56]), (400, [60, 60, 56, 56, 56, 56, 56]),
])
def test_sections_are_as_even_as_whole_sheets_allow(pages, expected):
    assert sections(pages) == expected
    assert all(count % 4 == 0 and count <= 4 * MAX_SHEETS for count in sections(pages))
