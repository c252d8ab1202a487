"""Unit tests of the pure functions: saddle-stitch order, page-list insertion, value conversion in loading,
and the page sizes the layouts' CSS and the code share."""

import datetime

import pytest
import tinycss2
from lxml import etree

from pamphlet.errors import BuildError
from pamphlet.editions.impose import saddle_stitch_order
from pamphlet.sources.load import load_pamphlet
from pamphlet.editions.pagelist import PageStart, mark_pages
from pamphlet.units import A4_LANDSCAPE, A5, BLEED, MM

from conftest import ROOT


@pytest.mark.parametrize("count, sides", [
    (4, [(4, 1), (2, 3)]),
    (8, [(8, 1), (2, 7), (6, 3), (4, 5)]),
    (12, [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)]),
])
def test_saddle_stitch_order(count, sides):
    assert saddle_stitch_order(count) == sides


def test_saddle_stitch_order_uses_every_page_once_and_pairs_sum_to_one_more_than_the_count():
    for count in range(4, 101, 4):
        sides = saddle_stitch_order(count)
        assert sorted(page for side in sides for page in side) == list(range(1, count + 1))
        assert all(left + right == count + 1 for left, right in sides)


def test_saddle_stitch_order_refuses_a_count_not_a_multiple_of_4():
    with pytest.raises(ValueError, match="multiple of 4"):
        saddle_stitch_order(6)


XHTML = (b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
         b'<section id="a"><p>One two <em>three four</em> five six</p><p>go forward now</p></section></body></html>')


def marked(starts):
    """The document with markers inserted, as text, each marker shown as [page]."""
    root = etree.fromstring(mark_pages(XHTML, starts))
    for span in root.iter("{*}span"):
        assert span.get("role") == "doc-pagebreak" and span.get("id") == f"page-{span.get('aria-label')}"
        span.text = f"[{span.get('aria-label')}]"
    return "".join(root.find(".//{*}section").itertext())


def test_page_list_marks_a_page_that_starts_a_block():
    assert marked([PageStart(3, "a", 1, "p", "One two", 0)]) == "[3]One two three four five sixgo forward now"


def test_page_list_marks_a_page_that_starts_inside_an_inline_element():
    start = PageStart(7, "a", 1, "p", "four five", 12)
    assert marked([start]) == "One two three [7]four five sixgo forward now"
    root = etree.fromstring(mark_pages(XHTML, [start]))
    assert root.find(".//{*}em/{*}span") is not None, "the marker sits inside the <em>, where the words are"


def test_page_list_marks_after_a_word_hyphenated_across_pages():
    # The previous page ended "for-": the page starts with "ward now"; the marker goes after the whole word.
    assert marked([PageStart(9, "a", 3, "p", "ward now", 6)]) == "One two three four five sixgo forward [9]now"


def test_page_list_falls_back_to_the_anchor_when_the_markup_differs():
    assert marked([PageStart(2, "a", 1, "h1", "One two", 0)]).startswith("[2]One two")


def test_page_list_marks_several_pages_of_one_block_in_order():
    starts = [PageStart(4, "a", 1, "p", "One two", 0), PageStart(5, "a", 1, "p", "five six", 20)]
    assert marked(starts) == "[4]One two three four [5]five sixgo forward now"


MANIFEST = """\
title: "  A   title
  over two lines "
byline: The editors
publisher: A press
language: en
date: 2024-03-05
identifier: urn:uuid:12345678-1234-1234-1234-123456789abc
slug: a-test
keywords: [one,   "two  words"]
imprint: |
  First line.

  Second paragraph.
pieces:
  - piece.md
"""

PIECE = """\
---
kind: statement
title: A statement
date: "2024-03-01"
authors:
  - "  Someone   Else "
leaflet: true
---

The text.
"""


def write_pamphlet(folder, manifest=MANIFEST, piece=PIECE):
    folder.mkdir()
    (folder / "pamphlet.yml").write_text(manifest, encoding="utf-8")
    (folder / "piece.md").write_text(piece, encoding="utf-8")
    return folder


def test_loading_converts_values(tmp_path):
    pamphlet = load_pamphlet(write_pamphlet(tmp_path / "p"))
    assert pamphlet.title == "A title over two lines"           # whitespace folded
    assert pamphlet.date == datetime.date(2024, 3, 5)           # a YAML date
    assert pamphlet.keywords == ["one", "two words"]
    assert pamphlet.imprint == "First line.\n\nSecond paragraph."  # Markdown keeps its lines
    piece = pamphlet.pieces[0]
    assert piece.date == datetime.date(2024, 3, 1)               # a date written as a string
    assert piece.authors == ["Someone Else"]
    assert piece.leaflet is True
    assert piece.id == "piece" and piece.body.strip() == "The text."


@pytest.mark.parametrize("change, message", [
    (("leaflet: true", "leaflet: yes please"), "piece.md:7: 'leaflet' must be true or false"),
    (('date: "2024-03-01"', "date: 1 March 2024"), "piece.md:4: 'date' must be a date written YYYY-MM-DD"),
    (("authors:\n  - \"  Someone   Else \"", "authors: Someone"), "piece.md:5: 'authors' must be a list"),
    (("kind: statement", "kind: speech"), "piece.md:2: 'kind' is 'speech'; it must be one of: introduction"),
])
def test_loading_names_the_line_of_a_value_it_cannot_convert(tmp_path, change, message):
    folder = write_pamphlet(tmp_path / "p", piece=PIECE.replace(*change))
    with pytest.raises(BuildError) as error:
        load_pamphlet(folder)
    assert any(str(problem).endswith(message) or message in str(problem) for problem in error.value.problems), \
        error.value.problems


def page_rule(css):
    """The declarations of the first bare @page rule of a stylesheet, as {name: tokens}."""
    for rule in tinycss2.parse_stylesheet(css.read_text(encoding="utf-8"), skip_whitespace=True, skip_comments=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "page" and not "".join(
                token.serialize() for token in rule.prelude).strip():
            declarations = tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
            return {d.lower_name: [t for t in d.value if t.type != "whitespace"] for d in declarations
                    if d.type == "declaration"}
    raise AssertionError(f"{css} has no @page rule")


def test_css_page_sizes_agree_with_units():
    """The layouts say A5 and 3mm; the preflight and imposition use units.A5 and units.BLEED."""
    named = {"a5": (148 * MM, 210 * MM), "a4": (210 * MM, 297 * MM)}
    for layout in ("print.css", "leaflet.css"):
        size = page_rule(ROOT / "layouts" / layout)["size"]
        assert [token.lower_value for token in size] == ["a5"], layout
        assert named["a5"] == pytest.approx(A5)
    bleed = page_rule(ROOT / "layouts" / "print.css")["bleed"]
    assert len(bleed) == 1 and bleed[0].unit == "mm" and bleed[0].value * MM == pytest.approx(BLEED)
    assert A4_LANDSCAPE == pytest.approx(tuple(reversed(named["a4"])))


def test_the_summary_gives_an_edition_folder_one_row(tmp_path):
    """The web edition's folder is one row of the summary (its files counted and their sizes summed), not a row a
    file; files in the output folder keep theirs."""
    import io

    from rich.console import Console

    from pamphlet.editions import STEPS
    from pamphlet.pipeline.report import Report
    files = {"s-web/index.html": 2048, "s-web/css/web.css": 1024, "s-web/fonts/a.ttf": 3072, "s.epub": 0}
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    report = Report()
    report._console = Console(file=io.StringIO(), width=200)
    for name in files:
        report.wrote(tmp_path / name, STEPS["web"] if "web" in name else STEPS["proof"], 0.5)
    report.summary()
    table = report._console.file.getvalue()
    assert f"Builtin{tmp_path}┏" in "".join(table.split()), "the title names the output folder alone"
    assert [line.split("│")[2].strip() for line in table.splitlines() if line.startswith("│")] == \
        ["s-web/ (3 files)", "s.epub"]
    assert "6 KB" in table


def test_the_bench_long_texts_notes_stand_at_two_paragraphs_of_running_text_in_three():
    from pamphlet.bench import _with_notes
    body = ("\nFirst paragraph.\n\n## A heading\n\nSecond.\n\n- an item\n- another\n\n::: demands\nInside the "
            "fence.\n\n- a demand\n:::\n\nThird.\n\n> quoted\n\nFourth.\n")
    noted = _with_notes(body)
    assert "First paragraph.[^bench1]\n" in noted and "Second.[^bench2]\n" in noted and "Fourth.[^bench3]" in noted
    assert "Third.\n" in noted and "Inside the fence.\n" in noted and "## A heading\n" in noted
    assert noted.count("[^bench") == 6 and noted.rstrip().splitlines()[-1].startswith("[^bench3]: ")  # after the text


def test_the_bench_floor_leaves_out_only_the_layouts_no_file_is_written_from(tmp_path):
    """pamphlet.floor (the floor of the bench's (b) and (c)): lines-en's large print is laid out three times (its
    page makeup mended) and written from one layout; the other two and the checks between them are the fitting
    left out, the layout written from, the writing and the rest of the build kept."""
    import json
    import subprocess
    import sys
    result = tmp_path / "floor.json"
    subprocess.run([sys.executable, "-m", "pamphlet.floor", str(ROOT / "tests" / "fixtures" / "lines-en"),
                    str(tmp_path / "out"), str(result), "large-print"], cwd=ROOT, check=True)
    floor = json.loads(result.read_text(encoding="utf-8"))
    assert (floor["layouts"], floor["kept"]) == (3, 1), floor
    assert 0 < floor["fitting"] < floor["cpu"] - floor["imports"] and 0 < floor["imports"] < floor["cpu"], floor
    assert (tmp_path / "out" / "lines-en-large-print.pdf").is_file()


def test_the_summary_counts_a_pdfs_pages(tmp_path):
    """A PDF edition's row gives its pages as the file has them (pipeline.report.pages_of), here three."""
    import io

    from rich.console import Console
    from weasyprint import HTML

    from pamphlet.editions import STEPS
    from pamphlet.pipeline.report import Report
    path = tmp_path / "s-screen.pdf"
    HTML(string="<p>1</p>" + '<p style="break-before: page">2</p>' * 2).write_pdf(path)
    report = Report()
    report._console = Console(file=io.StringIO(), width=200)
    report.wrote(path, STEPS["screen"], 0.5)
    report.summary()
    rows = [line.split("│") for line in report._console.file.getvalue().splitlines() if line.startswith("│")]
    assert [(row[2].strip(), row[3].strip()) for row in rows] == [("s-screen.pdf", "3")]


def test_a_layout_is_compiled_once_a_process_and_again_once_edited(tmp_path):
    """Each build makes its own Renderer (watch mode, the tests, the bilingual edition build many in one process):
    the layouts' templates compiled by the first are not compiled again, and a layout edited meanwhile is."""
    import shutil

    from pamphlet.pipeline.build import LAYOUTS, build_date
    from pamphlet.render.templates import Renderer
    from conftest import TEXTS
    layouts = shutil.copytree(LAYOUTS, tmp_path / "layouts")
    pamphlet = load_pamphlet(TEXTS)
    first = Renderer(pamphlet, layouts, build_date(pamphlet)).render("print.html")
    again = Renderer(pamphlet, layouts, build_date(pamphlet))

    def refused(*args, **kwargs):
        raise AssertionError("compiled again")
    again.env.compile = refused
    assert again.render("print.html") == first
    (layouts / "print.html").write_text((layouts / "print.html").read_text(encoding="utf-8") + "<!-- edited -->",
                                        encoding="utf-8")
    assert Renderer(pamphlet, layouts, build_date(pamphlet)).render("print.html").endswith("<!-- edited -->")
