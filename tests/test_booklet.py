"""Booklets that bind: creep compensation measured on the sheets, sections for long texts."""

import pytest
import yaml

from conftest import MM, TEXTS, booklet_halves, pdf_pages, run_here
from pamphlet.bench import long_pamphlet
from pamphlet.editions.impose import MAX_SHEETS, PAPER_THICKNESS_MM, saddle_stitch_order, sections


def text_left_edge(page, x0, x1):
    """The leftmost glyph between x0 and x1: where the page's text block starts."""
    textpage = page.get_textpage()
    edges = [box[0] for box in (textpage.get_charbox(i) for i in range(textpage.count_chars()))
             if x0 <= box[0] < x1 and box[2] > box[0]]
    return min(edges) if edges else None


def creep_by_depth(print_path, booklet_path):
    """{sheet depth: [how far each page's text moved towards the fold, in mm]}, measured on the sheets against
    where the page's text lies on the print edition's page."""
    print_pages = pdf_pages(print_path)
    order = saddle_stitch_order(len(print_pages))
    halves = booklet_halves(print_path, booklet_path)
    measured = {}
    for index, side in enumerate(pdf_pages(booklet_path)):
        width, _ = side.get_size()
        for half, number in enumerate(order[index]):
            assert number in halves[index][half]
            page = print_pages[number - 1]
            trim_left, _, trim_right, _ = page.get_trimbox()
            on_page = text_left_edge(page, trim_left, trim_right)
            on_sheet = text_left_edge(side, half * width / 2, (half + 1) * width / 2)
            if on_page is None:
                continue
            unmoved = (width - 2 * (trim_right - trim_left)) / 2 + half * (trim_right - trim_left) + on_page - trim_left
            towards_fold = (on_sheet - unmoved) * (1 if half == 0 else -1)
            measured.setdefault(index // 2, []).append(towards_fold / MM)
    return measured


@pytest.fixture(scope="module")
def booklet_48(tmp_path_factory):
    """texts/ twice over and two pieces more, each opening on a right-hand page: 48 print pages, 12 nested
    sheets."""
    folder = tmp_path_factory.mktemp("b48")
    texts = long_pamphlet(TEXTS, folder / "texts", copies=3, slug="b48")
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    manifest["pieces"] = manifest["pieces"][:10]
    manifest["openings"] = "right"
    (texts / "pamphlet.yml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    result = run_here("print", "booklet", "--texts", texts, "--out", folder / "out")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "b48-print.pdf", folder / "out" / "b48-booklet.pdf"


def test_48_page_booklet_moves_inner_sheets_towards_the_fold(booklet_48):
    print_path, booklet_path = booklet_48
    measured = creep_by_depth(print_path, booklet_path)
    assert len(pdf_pages(print_path)) == 48
    assert sorted(measured) == list(range(12))
    for depth, shifts in measured.items():
        for shift in shifts:  # both pages of both sides of the sheet
            assert shift == pytest.approx(depth * PAPER_THICKNESS_MM, abs=0.01), (depth, shifts)
    assert max(measured[11]) == pytest.approx(1.1, abs=0.01)  # the innermost sheet: 11 sheets outside it


def test_paper_thickness_from_the_manifest(texts_copy, tmp_path):
    manifest = texts_copy / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "paper_thickness: 0.25\n", encoding="utf-8")
    result = run_here("print", "booklet", "--texts", texts_copy, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    slug = yaml.safe_load(manifest.read_text(encoding="utf-8"))["slug"]
    measured = creep_by_depth(tmp_path / f"{slug}-print.pdf", tmp_path / f"{slug}-booklet.pdf")
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
