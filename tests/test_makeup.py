"""Page makeup a designer would sign off: signatory lists set compact, leaflets on one side or two full ones,
openings that save paper, and the small things a reader notices (read back from the outputs by position)."""

import ctypes
import json
import re
import shutil

import pikepdf
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from pypdf import PdfReader

from conftest import (ROOT, build_log, built_pamphlet, epub_documents, opf_text, output, page_chars, pdf_body_text,
                      pdf_pages, print_file, run_here)
from pamphlet.units import MM

FIXTURES = ROOT / "tests" / "fixtures"
SIGNED = {"ru": FIXTURES / "signed-ru", "kk": FIXTURES / "signed-kk"}


def _front_matter(piece):
    return yaml.safe_load(piece.read_text(encoding="utf-8").split("---")[1])


def _fixture(language):
    folder = SIGNED[language]
    manifest = yaml.safe_load((folder / "pamphlet.yml").read_text(encoding="utf-8"))
    piece = _front_matter(folder / manifest["pieces"][0])
    return folder, manifest, piece


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """Both fixtures built whole (the same builds as test_fonts' and test_share's, once for the run)."""
    built = {}
    for language in SIGNED:
        _, manifest, piece = _fixture(language)
        built[language] = (built_pamphlet(tmp_path_factory, f"signed-{language}")[0], manifest, piece)
    return built


def _where(page, text):
    """(left, top) of each place text is shown on a pypdfium2 page, in points from the page's bottom left."""
    textpage = page.get_textpage()
    searcher = textpage.search(text, match_case=True)
    found = []
    while (hit := searcher.get_next()) is not None:
        left, bottom, right, top = textpage.get_charbox(hit[0])
        found.append((left, top))
    return found


def _squeezed(text):
    """Text without spaces, line breaks and hyphens (a word broken at a line's end is one word again)."""
    return re.sub(r"[-\u2010\ufffe\s\u00ad]+", "", text)  # pdfium shows a line-end hyphen as U+FFFE


def _name_pages(pdf, names):
    """For each page, how many of names are printed whole on it."""
    return [sum(1 for name in names if _squeezed(name) in _squeezed(page.get_textpage().get_text_range()))
            for page in pdf_pages(pdf)]


def test_three_hundred_names_take_at_most_three_pages(signed):
    out, manifest, piece = signed["ru"]
    names = piece["signatories"]
    assert len(names) == 300
    counts = _name_pages(output(out, "print", slug=manifest["slug"]), names)
    pages = [number for number, count in enumerate(counts, start=1) if count]
    assert sum(counts) >= len(names) - (len(pages) - 1), "every name is printed (one may run over a page turn)"
    assert len(pages) <= 3, f"the names run over pages {pages}"


def test_the_list_heading_stands_with_the_first_names_and_the_count(signed):
    for language in SIGNED:
        out, manifest, piece = signed[language]
        pages = pdf_pages(output(out, "print", slug=manifest["slug"]))
        intro = piece["signatories_intro"]
        page = next(page for page in pages if _where(page, intro))
        first = piece["signatories"][0].split(",")[0]
        assert _where(page, first), f"{language}: '{intro}' is not on the page of the first name"
        count = {"ru": f"{len(piece['signatories'])} подписей", "kk": f"{len(piece['signatories'])} қолтаңба"}
        assert _where(page, count[language]), f"{language}: the count is not printed under the heading"


def test_short_names_are_set_in_columns_and_many_long_ones_run_on(signed):
    out, manifest, piece = signed["kk"]
    pages = pdf_pages(output(out, "print", slug=manifest["slug"]))
    lefts = [{round(left) for name in piece["signatories"] for left, _ in _where(page, name)} for page in pages]
    # Three columns: on each page, every name starts at one of three places across the text block.
    assert max(len(page) for page in lefts) == 3, lefts
    out, manifest, piece = signed["ru"]
    text = " ".join(pdf_body_text(output(out, "print", slug=manifest["slug"])).split())
    names = piece["signatories"]
    assert f"{names[0]}; {names[1]}" in text, "many long names are run on, separated by semicolons"


def test_the_epub_keeps_a_real_list_of_every_name(signed):
    for language in SIGNED:
        out, manifest, piece = signed[language]
        documents = dict(epub_documents(output(out, "epub", slug=manifest["slug"])))
        doc = documents[manifest["pieces"][0].replace(".md", ".xhtml")]
        items = [" ".join("".join(li.itertext()).split()) for li in doc.iter("{*}li")
                 if "signatory-list" in li.getparent().get("class", "")]
        assert items == [" ".join(name.split()) for name in piece["signatories"]]


def test_a_leaflet_too_long_is_reported_alone_and_the_rest_built(tmp_path):
    texts, out = tmp_path / "texts", tmp_path / "out"
    shutil.copytree(SIGNED["kk"], texts)
    piece = texts / "malimdeme.md"
    _, head, body = piece.read_text(encoding="utf-8").split("---\n", 2)
    piece.write_text(f"---\n{head}---\n" + body * 8, encoding="utf-8")
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    stale = output(out, "leaflets", "malimdeme", slug=manifest["slug"])
    stale.parent.mkdir()
    stale.write_bytes(b"%PDF- a leaflet of the text as it was")
    result = run_here("--texts", texts, "--out", out)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert re.match(r".*texts/malimdeme\.md: too long for a leaflet", first), result.stderr
    assert "Traceback" not in result.stderr
    for edition in ("print", "booklet", "screen", "epub"):
        assert output(out, edition, slug=manifest["slug"]).is_file(), edition
    assert not stale.exists(), "the leaflet of the text as it was is not left to be handed out"
    assert re.search(r"leaflet-malimdeme\.pdf\s*│\s*not made", result.stdout), result.stdout


def test_a_leaflet_prints_the_first_names_and_says_where_the_rest_are(signed):
    out, manifest, piece = signed["ru"]
    leaflet = output(out, "leaflets", "pismo", slug=manifest["slug"])
    sides = pdf_pages(leaflet)
    assert len(sides) == 1, "the statement and its first names fit on one side"
    text = " ".join(sides[0].get_textpage().get_text_range().split())
    names = piece["signatories"]
    assert f"и ещё {len(names) - 40}; полный список: {manifest['url']}" in text
    assert _squeezed(names[39]) in _squeezed(text) and _squeezed(names[40]) not in _squeezed(text)


def test_a_leaflet_that_fits_one_side_is_one_side_with_cut_marks(signed):
    out, manifest, piece = signed["kk"]
    leaflet = output(out, "leaflets", "malimdeme", slug=manifest["slug"])
    sides = pdf_pages(leaflet)
    assert len(sides) == 1
    width, height = sides[0].get_size()
    image = sides[0].render(scale=300 / 72).to_pil().convert("L")
    scale = image.width / width
    middle = round(width / 2 * scale)
    for top, bottom in ((0, 6 * MM), (height - 6 * MM, height)):  # the marks from each edge, inside the margins
        column = [image.getpixel((x, y)) for x in range(middle - 2, middle + 3)
                  for y in range(round(top * scale), round(bottom * scale))]
        assert min(column) < 100, "no cut mark down the middle"
    between = [image.getpixel((middle, y)) for y in range(round(20 * MM * scale), round((height - 20 * MM) * scale))]
    assert min(between) > 200, "the cut mark runs into the text"


def test_the_imprint_takes_no_full_stop_after_a_question_mark(dist):
    text = " ".join(pdf_body_text(output(dist, "print"), page=3).split())
    assert "Uprising?" in text and "?." not in text and "!." not in text


def test_the_leaflet_quotes_the_pamphlet_title(dist, manifest):
    text = " ".join(pdf_body_text(output(dist, "leaflets", "statement-rsd")).split())
    assert f"“{manifest['title']}”," in text


def test_no_kind_label_repeats_the_title(dist):
    pages = pdf_pages(output(dist, "print"))
    opening = next(page for page in pages if _where(page, "Introduction") and _where(page, "January 21, 2022"))
    assert len(_where(opening, "Introduction")) == 1
    assert not _where(opening, "INTRODUCTION")


def test_feet_of_the_title_page_line_up_with_its_text(dist, manifest):
    page = pdf_pages(output(dist, "print"))[2]
    title_left = _where(page, manifest["title"].split()[0])[0][0]
    byline_left = _where(page, manifest["byline"].split()[0])[-1][0]
    assert byline_left == pytest.approx(title_left, abs=1), (title_left, byline_left)


def test_the_epub_ends_with_the_back_cover_and_describes_itself_by_it(dist, manifest):
    book = output(dist, "epub")
    blurb = " ".join(manifest["blurb"].split())
    description = re.search(r"<dc:description>(.*?)</dc:description>", opf_text(book), re.S)
    assert description and " ".join(description[1].split()) == blurb.replace("\n", " ")
    _, last = epub_documents(book)[-1]
    assert " ".join("".join(last.find("{*}body").itertext()).replace("\u00ad", "").split()) == blurb


def test_cut_marks_are_black_and_no_cmyk(signed):
    out, manifest, _ = signed["kk"]
    with pikepdf.open(output(out, "leaflets", "malimdeme", slug=manifest["slug"])) as pdf:
        operators = [(str(op), operands) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    assert [float(operands[0]) for op, operands in operators if op == "G"] == [0]
    assert not {"K", "k"} & {op for op, _ in operators}



def _text_block(page):
    """(left margin, right margin) of the body text on a page, in points: from its characters' boxes."""
    textpage = page.get_textpage()
    width, height = page.get_size()
    left, bottom, right, top = page.get_mediabox()
    boxes = [textpage.get_charbox(index) for index in range(textpage.count_chars())]
    body = [box for box in boxes if bottom + 25 * MM < box[1] < top - 25 * MM and box[2] > box[0]]
    return min(box[0] for box in body) - left, right - max(box[2] for box in body)


def test_the_screen_pdf_centres_every_text_block(dist):
    margins = [_text_block(page) for page in pdf_pages(output(dist, "screen"))[4:]]
    lefts, rights = sorted(left for left, _ in margins), sorted(right for _, right in margins)
    left, right = lefts[len(lefts) // 2], rights[len(rights) // 2]
    assert left == pytest.approx(right, abs=1), "the text block is not in the middle of the page"
    # A page may start every line indented (a quotation); the text does not jump from side to side.
    assert sum(1 for each, _ in margins if abs(each - left) <= 1) >= 0.8 * len(margins), margins


def test_the_booklet_cover_keeps_off_the_edge_an_office_printer_cannot_reach(dist):
    side = pdf_pages(output(dist, "booklet"))[0]
    image = side.render(scale=150 / 72).to_pil().convert("RGB")
    per_mm = image.width / (side.get_size()[0] / MM)
    middle_y = image.height // 2
    for x_mm in (2, 4, 293, 295):  # the sheet's outer edges: an even white frame
        assert min(image.getpixel((round(x_mm * per_mm), middle_y))) > 240, x_mm
    for y_mm in (2, 4, 206, 208):
        assert min(image.getpixel((image.width // 4, round(y_mm * per_mm)))) > 240, y_mm
    red = image.getpixel((round(7 * per_mm), round(30 * per_mm)))
    assert red[0] > 120 and red[1] < 60, "the cover's colour reaches to the frame"
    fold = image.getpixel((image.width // 2, round(30 * per_mm)))
    assert fold[1] < 60, "no frame down the fold: the cover runs round the spine"


# Pages made wrong on purpose: lines of exactly 5 mm on a text area of exactly 34 of them (A5 less 20 mm
# margins), the layouts' rules that prevent each fault turned off.
PAGE = """<!DOCTYPE html><html lang="en"><head><style>
@page {{ size: A5; margin: 20mm; }}
body {{ margin: 0; font-size: 10pt; }}
p, h2 {{ margin: 0; line-height: 5mm; orphans: {orphans}; widows: 1; }}
h2 {{ font-size: 10pt; break-after: auto; }}
.spacer {{ height: {spacer}mm; }}
.block {{ height: {block}mm; break-inside: avoid; }}
</style></head><body><section class="piece" id="piece"><div class="spacer"></div>{body}</section></body></html>"""


def _lines(count):
    return "<p>" + "<br>".join(f"line {n}" for n in range(1, count + 1)) + "</p>"


@pytest.fixture(scope="module")
def writer():
    from pamphlet.engine.pdf import PdfWriter
    from pamphlet.pipeline.build import LAYOUTS
    return PdfWriter(LAYOUTS, roots=(LAYOUTS,))


@pytest.mark.parametrize("kind, spacer, body, orphans", [
    ("widow", 0, _lines(35) + _lines(5), 1),            # 34 lines, then the 35th alone at the next page's head
    ("orphan", 165, _lines(10), 1),                     # one line at the foot, nine on the next page
    ("stranded heading", 160, "<h2>A heading</h2>" + _lines(10), 3),  # the paragraph cannot start under it
    ("short page", 60, _lines(2) + '<div class="block"></div>' + _lines(5), 1),  # 100 mm block moved on
    # Page 2 ends a line above page 3, which faces it; the piece goes on to page 4.
    ("uneven spread", 0, _lines(34) + _lines(33) + _lines(40).replace("<p>", '<p style="break-before: page">'), 1),
    ("short last page", 0, _lines(37), 1),              # 34 lines, then the piece's last 3 alone on a page
    # The first page (a right-hand one, facing none of its piece) ends 2 lines short before the 100 mm block.
    ("short page", 0, _lines(32) + '<div class="block"></div>' + _lines(5), 1),
])
def test_each_page_makeup_fault_is_found(writer, kind, spacer, body, orphans):
    from pamphlet.preflight.makeup import check_makeup, counts
    document = writer.layout(PAGE.format(spacer=spacer, block=100, orphans=orphans, body=body))
    found = counts(check_makeup(document))
    assert found[kind] == 1 and sum(found.values()) == 1, found
    fine = writer.layout(PAGE.format(spacer=0, block=100, orphans=orphans, body=_lines(20)))
    assert not any(counts(check_makeup(fine)).values())


def test_strict_fails_on_the_print_editions_page_makeup(tmp_path):
    """--strict: a page-makeup finding left in the print edition fails the build, naming the page, before anything is
    written; without it the build writes the files and counts the finding. notes-en's history alone ends on a page
    holding only the rest of a note called on its last line, which no repair takes back (see
    test_a_note_too_long_for_its_call_page_at_a_piece_end_runs_over): an editor's fix, so the message stands at the
    note's own line in the text, as lint's do, and says how many lines to cut from it."""
    from pamphlet.errors import BuildError
    from pamphlet.pipeline.build import build
    texts = tmp_path / "texts"
    shutil.copytree(FIXTURES / "notes-en", texts)
    manifest = texts / "pamphlet.yml"
    manifest.write_text(re.sub(r"pieces:\n(  - .*\n)+", "pieces:\n  - history.md\n",
                               manifest.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        build(texts, tmp_path / "strict", ["print"], strict=True)
    first = str(raised.value).splitlines()[0]
    line = 1 + next(number for number, text in enumerate((texts / "history.md").read_text(encoding="utf-8").split(
        "\n")) if text.startswith("[^long]:"))
    assert re.search(rf"history\.md:{line}: page \d+ of long-strike-print\.pdf holds only the last (\d+) lines of "
                     r"this note: an editor's fix: shorten it by \1 lines or more \(--strict", first), first
    assert not (tmp_path / "strict").exists() or not any((tmp_path / "strict").iterdir())
    assert build(texts, tmp_path / "out", ["print"])  # counted only


def test_a_last_page_of_four_lines_or_a_single_page_is_no_short_last_page(writer):
    from pamphlet.preflight.makeup import check_makeup
    for body in (_lines(38), _lines(2)):  # 34 lines and the last 4 on a page; a piece of one page
        document = writer.layout(PAGE.format(spacer=0, block=100, orphans=1, body=body))
        assert not check_makeup(document), len(document.pages)


def test_a_piece_ending_on_a_few_lines_has_paragraphs_set_tighter_to_take_them_back(writer):
    """A piece of twelve three-line paragraphs, each ending on a word or two, runs 2 lines onto a second page: two of
    them set a hair tighter (preflight/balance) take those lines back, and the piece is one page."""
    from pamphlet.preflight import balance
    from pamphlet.preflight.makeup import check_makeup, counts
    words = ("The strike began in the first week of March, when the board announced that twenty pits would close "
             "within the year")
    html = PAGE.format(spacer=0, block=0, orphans=1, body=(f"<p>{words}.</p>" * 12).replace(
        "<p>", '<p style="text-align: justify">'))
    document = writer.layout(html)
    assert len(document.pages) == 2 and counts(check_makeup(document))["short last page"] == 1
    balanced, _ = balance.balanced(writer.layout, html, document)
    assert len(balanced.pages) == 1 and not check_makeup(balanced)


def test_paragraphs_set_tighter_that_cannot_take_back_a_line_and_its_note_are_not_laid_out(writer):
    """A page left four lines short because the next page's first line calls a note of 50 mm: paragraphs set tighter
    make less room than that line and its note need, so nothing would come back; each such plan is known to be in
    vain without laying the part out (balance._in_vain, one paragraph laid out alone), and laid out it is indeed no
    better."""
    from pamphlet.preflight import balance, mending
    from pamphlet.preflight.makeup import check_makeup, levelled
    words = ("The strike began in the first week of March, when the board announced that twenty pits would close "
             "within the year")
    for height, in_vain in ((50, True), (8, False)):  # with a note of 8 mm, a line set tighter makes room for it
        note = ('<span style="float: footnote; footnote-policy: line">'
                f'<span style="display: block; height: {height}mm"></span></span>')
        body = f'<p style="text-align: justify">{words}.</p>' * 9 + f"<p>A line calling a note.{note}</p>" + _lines(40)
        html = PAGE.format(spacer=15, block=0, orphans=1, body=body)
        document = writer.layout(html)
        [finding] = [finding for finding in check_makeup(document) if finding.kind == "short page"]
        plans = [(plan, elements) for plan, elements, judged in balance._plans(document, finding) if not judged]
        assert len(plans) == balance.TIGHTEN
        for plan, elements in plans[:3 if in_vain else 1]:
            changed = mending.with_rules(html, plan, "balance")
            judge = mending.Alone(writer.layout, document, elements)
            assert balance._in_vain(document, finding, elements, judge, changed) is in_vain, height
            if in_vain:
                assert not levelled(writer.layout(changed), document)


def _proof(path):
    from PIL import Image
    image = Image.open(path)
    return image.convert("RGB"), json.loads(image.text["findings"]), json.loads(image.text["pages"])


def test_the_proof_sheet_marks_every_finding_the_summary_counts(tmp_path_factory):
    out, slug = built_pamphlet(tmp_path_factory, "notes-en")  # the run's build of it, its summary kept beside it
    image, marks, pages = _proof(output(out, "proof", slug=slug))
    assert len(pages) == len(pdf_pages(print_file(out)))
    summary = re.search(r"page makeup: (.*)", build_log(out).read_text(encoding="utf-8"))[1]
    counted = {kind: int(n) for n, kind in re.findall(r"(\d+) ([a-z ]+?)s?(?:,| \()", summary)}
    assert marks and sum(counted.values()) == len(marks), (summary, marks)
    for mark in marks:
        left, top, right, bottom = mark["ring"]
        ring = [image.getpixel(((left + right) // 2, y)) for y in range(top - 2, top + 4)]
        assert any(r > 150 and g < 80 for r, g, _ in ring), f"no red ring round finding {mark}"
        x, y = pages[str(mark["page"])]
        assert x <= (left + right) / 2 and y <= (top + bottom) / 2, "the ring is on its page"


def test_a_short_last_page_whose_lines_call_a_note_says_so(writer):
    """A piece whose last page holds 3 lines, the last calling a note: its finding says what would go back."""
    from pamphlet.preflight.makeup import check_makeup
    body = _lines(37).replace("line 37", 'line 37<a class="noteref" href="#n1">1</a><span class="note" id="n1" '
                              'style="float: footnote">A note of a line.</span>')
    found = check_makeup(writer.layout(PAGE.format(spacer=0, block=100, orphans=1, body=body)))
    assert [finding.detail for finding in found] == ["3 lines to pull back with 1 note of 1 lines called on them"]


# A page of 5 mm lines whose 31st line calls a note too long for the room left at its foot, then more text.
RUN_OVER = """<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="paged.css"><style>
@page {{ size: A5; margin: 20mm; }}
body {{ margin: 0; font-size: 10pt; }}
p {{ margin: 0; line-height: 5mm; orphans: 2; widows: 2; }}
</style></head><body><section class="piece" id="piece"><p>{first}</p>\
<p>{call}<a class="noteref" href="#n1" id="r1">1</a><span class="note" id="n1"><span class="note-p">\
<a class="note-back" href="#r1">1</a>{note}</span></span></p>\
<p>{after}</p></section></body></html>"""


def test_a_note_too_long_for_the_room_on_its_call_page_runs_over_to_the_next(writer, tmp_path):
    """A note of 10 lines called on a page's 31st line of 34 took the line on (footnote-policy: line), leaving the
    page 4 lines short; split at a line's end (preflight/runover), its first lines are at the foot of its call's
    page, the rest at the foot of the next, whose text goes on, and no page is short."""
    from pamphlet.preflight import balance
    from pamphlet.preflight.makeup import check_makeup, counts
    note = "The board counted every man who crossed a picket line even once, and the union only those who stayed. " * 7
    html = RUN_OVER.format(first="<br>".join(f"line {n}" for n in range(1, 31)), call="line 31", note=note,
                           after="<br>".join(f"line {n}" for n in range(32, 52)))
    document = writer.layout(html)
    assert counts(check_makeup(document))["short page"] == 1
    balanced, changed = balance.balanced(writer.layout, html, document)
    assert not check_makeup(balanced) and len(balanced.pages) == 2
    (tmp_path / "run-over.pdf").write_bytes(balanced.write_pdf())
    pages = [page.get_textpage().get_text_range() for page in pdf_pages(tmp_path / "run-over.pdf")]
    assert "line 31" in pages[0] and "line 32" in pages[1]
    # The note's words, every one once and in order, after the text's last line on each page (its number apart).
    first, rest = (text.split(last, 1)[1].split() for text, last in zip(pages, ("line 31", "line 51"), strict=True))
    assert len(first) > 2 * 8 and [word for word in first + rest if word != "1"] == note.split(), (first, rest)


def test_a_note_too_long_for_its_call_page_at_a_piece_end_runs_over(tmp_path_factory):
    """notes-en's history ends on a line calling a note of 12 lines, which took that line and the one before on to a
    page of their own, leaving the page before 7 lines short; the note now begins at the foot of its call's page
    and its rest goes on to the next, the piece's last page, which the proof sheet marks as holding a note's rest
    alone (a designer would rather have it, but no repair takes those lines back: see the README), and the summary
    gives as an editor's fix, in one line at the note's line in its file, as lint gives its findings."""
    out, slug = built_pamphlet(tmp_path_factory, "notes-en")
    source = (FIXTURES / "notes-en" / "history.md").read_text(encoding="utf-8")
    note = re.search(r"^\[\^long\]: (.+)$", source, re.M)[1]
    texts = [" ".join(page.get_textpage().get_text_range().split()) for page in pdf_pages(print_file(out))]
    first, last = " ".join(note.split()[:5]), " ".join(note.split()[-5:])
    begins = next(index for index, text in enumerate(texts) if first in text)
    assert "long.12" in texts[begins].replace(" 12", "12"), "the note begins on its call's page"
    assert last in texts[begins + 1] and last not in texts[begins]
    _, marks, _ = _proof(output(out, "proof", slug=slug))
    assert [mark["page"] for mark in marks if "the rest of a note alone" in mark["text"]] == [begins + 2], marks
    line = 1 + source[:source.index("[^long]:")].count("\n")
    fixes = [text for text in build_log(out).read_text(encoding="utf-8").splitlines() if "editor's fix" in text]
    assert len(fixes) == 1 and re.match(rf"\S*history\.md:{line}: page {begins + 2} of {slug}-print\.pdf holds only "
                                        r"the last \d+ lines of this note", fixes[0]), fixes


def test_the_proof_sheet_of_a_clean_pamphlet_has_no_mark(signed):
    out, manifest, _ = signed["kk"]
    _, marks, pages = _proof(output(out, "proof", slug=manifest["slug"]))
    assert marks == [] and len(pages) == len(pdf_pages(output(out, "print", slug=manifest["slug"])))


def _text_rows(page):
    """{baseline: (font size, top)} of the lines a pypdfium2 page shows, in points from its foot."""
    rows = {}
    for char, (_, _, _, top), baseline, size in page_chars(page):
        if char.strip():
            rows[round(baseline, 1)] = max(rows.get(round(baseline, 1), (0, 0)), (size, top))
    return rows


def test_a_figure_that_would_leave_a_short_page_is_set_after_the_text_that_follows(tmp_path_factory):
    """The long English fixture's figure is too tall for the room its table leaves, even made smaller: it heads the
    next page and the text after it fills the page before, as a page float does in a book. Read by position from
    the print PDF: on the page before the figure, no gap between lines (or between the last and the text block's
    foot) is taller than three lines, which the space above the notes and a heading's are not."""
    folder, _ = built_pamphlet(tmp_path_factory, "notes-en")
    source = (FIXTURES / "notes-en" / "figures.md").read_text(encoding="utf-8")
    caption = re.search(r"!\[([^]]+)\]", source)[1]
    pages = pdf_pages(print_file(folder))
    at = next(index for index, page in enumerate(pages) if caption in page.get_textpage().get_text_range())
    rows = [_text_rows(page) for page in pages]
    sizes = [size for page in rows for size, _ in page.values()]
    body = max(set(sizes), key=sizes.count)  # the running text's size, as pdfium gives it
    lines = [baseline for page in rows for baseline, (size, _) in page.items() if size == body]
    foot, head = min(lines), max(lines)  # the text block's last and first baselines
    before = sorted(baseline for baseline in rows[at - 1] if foot - 3 < baseline <= head + 1) + [foot]
    gap = max(upper - lower for lower, upper in zip(sorted(before), sorted(before)[1:], strict=False))
    assert gap < 3 * 1.4 * body, f"page {at} has a gap of {gap:.0f} pt, {gap / body / 1.4:.1f} lines"


def test_a_piece_ending_on_a_few_lines_has_its_figure_made_smaller_to_take_them_back(tmp_path_factory):
    """notes-en's appendix of figures ended on a page of three lines (a section break and two lines) after its figure;
    the figure made a little smaller (preflight/balance, figures.smaller) takes them back, and the pamphlet is an A4
    sheet shorter. Read from the print PDF: the last page of the piece holding the figure has 4 lines of running
    text or more (the pieces' first pages from the outline)."""
    folder, _ = built_pamphlet(tmp_path_factory, "notes-en")
    source = (FIXTURES / "notes-en" / "figures.md").read_text(encoding="utf-8")
    caption = re.search(r"!\[([^]]+)\]", source)[1]
    path = print_file(folder)
    reader = PdfReader(path)
    starts = sorted({reader.get_destination_page_number(entry) for entry in reader.outline
                     if not isinstance(entry, list)})
    pages = pdf_pages(path)
    at = next(index for index, page in enumerate(pages) if caption in page.get_textpage().get_text_range())
    rows = [_text_rows(page) for page in pages]
    sizes = [size for page in rows for size, _ in page.values()]
    body = max(set(sizes), key=sizes.count)
    running = [sum(1 for size, _ in page.values() if size >= 0.9 * body) for page in rows]
    end = next((start for start in starts if start > at), len(pages))
    last = max(index for index in range(at, end) if running[index])
    assert running[last] >= 4, f"the piece of the figure ends on page {last + 1} with {running[last]} lines"


def _rows(page):
    """{baseline in whole points: the line's text} of a pypdfium2 page."""
    rows = {}
    for char, _, baseline, _ in page_chars(page):
        rows[round(baseline)] = rows.get(round(baseline), "") + char
    return {baseline: text.strip() for baseline, text in rows.items() if text.strip()}


@pytest.mark.parametrize("name", ["texts", "notes-en", "notes-ru", "signed-ru", "signed-kk"])
def test_facing_pages_end_on_the_same_line(tmp_path_factory, name):
    """Read from the print PDF: each spread (an even page and the odd one it faces) inside a piece that goes on
    past it ends on the same line on both pages (within half a line; notes included, folios not), as a typesetter
    makes them. The pieces' first pages from the PDF's outline."""
    folder, _ = built_pamphlet(tmp_path_factory, name)
    path = print_file(folder)
    reader = PdfReader(path)
    starts = {reader.get_destination_page_number(entry) for entry in reader.outline if not isinstance(entry, list)}
    rows = [_rows(page) for page in pdf_pages(path)]
    ends = [min((baseline for baseline, text in page.items() if not text.isdigit()), default=None) for page in rows]
    steps = [upper - lower for page in rows for lower, upper in zip(sorted(page), sorted(page)[1:], strict=False)]
    pitch = max(set(steps), key=steps.count)  # the running text's line, the commonest step between baselines
    uneven = [(left + 1, ends[left] - ends[left + 1]) for left in range(1, len(rows) - 3, 2)
              if None not in ends[left:left + 3] and not starts & {left + 1, left + 2}
              and abs(ends[left] - ends[left + 1]) > pitch / 2]
    assert not uneven, f"spreads (left page, pt apart) ending on different lines, a line being {pitch} pt: {uneven}"


def _boxes(page):
    """(bottom, top) of each box drawn on a tinted ground (the demands) on a pypdfium2 page, and the baselines of its
    lines of running text (not the smaller running head, folio and notes), in points from the page's foot."""
    grounds = set()
    for shape in page.get_objects(max_depth=3):
        if shape.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            rgba = [ctypes.c_uint() for _ in range(4)]
            pdfium_c.FPDFPageObj_GetFillColor(shape.raw, *(ctypes.byref(value) for value in rgba))
            left, bottom, right, top = shape.get_bounds()
            if 230 < min(value.value for value in rgba[:3]) < 250 and right - left > 100:
                grounds.add((round(bottom, 1), round(top, 1)))
    rows = {}
    for char, _, baseline, size in page_chars(page):
        if char.strip():
            rows[round(baseline, 1)] = max(rows.get(round(baseline, 1), 0), size)
    sizes = list(rows.values())
    body = max(set(sizes), key=sizes.count, default=0)
    return sorted(grounds), sorted(baseline for baseline, size in rows.items() if size >= 0.9 * body)


def test_a_long_box_runs_over_the_page_turn_with_two_lines_each_side(dist):
    """texts/ page 11 ended lines short before the second statement's demands box (5 lines), which was kept whole on
    the next page; a long box kept whole after a short page may now run over the page turn (preflight/balance), with
    two of its lines or more on each page. Read from the print PDF: the boxes' grounds and the lines on them."""
    pages = [_boxes(page) for page in pdf_pages(output(dist, "print"))]
    over = []
    for number, (grounds, rows) in enumerate(pages, start=1):
        for bottom, top in grounds:
            inside = [row for row in rows if bottom < row < top]
            assert len(inside) >= 2, f"page {number}: a box with {len(inside)} line on it"
            if number < len(pages) and bottom < min(rows) + 1 and pages[number][0]:
                following = pages[number]
                if following[0][-1][1] > max(following[1]) - 1:  # the next page opens on a box
                    over.append(number)
    assert over, "no box runs over a page turn: the page before the second statement's demands ends short"


def _sized_rows(page):
    """{baseline: the largest font size on it} of the lines a pypdfium2 page shows but its folio, in points from its
    foot."""
    texts, sizes = {}, {}
    for char, _, baseline, size in page_chars(page):
        if char.strip():
            texts[round(baseline, 1)] = texts.get(round(baseline, 1), "") + char
            sizes[round(baseline, 1)] = max(sizes.get(round(baseline, 1), 0), size)
    return {baseline: size for baseline, size in sizes.items() if not texts[baseline].isdigit()}


@pytest.mark.parametrize("name", ["texts", "notes-en", "notes-ru", "signed-ru", "signed-kk"])
def test_no_page_ends_short_while_its_piece_goes_on(tmp_path_factory, name):
    """Read from the print PDF: on each page of a piece that goes on to the next page, the last line of running text
    (tables' and code's included: 0.8 of the body size or more) is at most 3 lines above the text block's foot (the
    lowest such line of any page), or above the first line of the notes printed under it at most 3 lines and the
    2 the rule above the notes takes. notes-ru's page 12 ended 3.5 lines short before a table row of 3 lines kept
    whole, until the table was set tighter (preflight/tables); notes-en's page 9, 6.7 lines short before the lines
    calling a note of 12 lines, until the note ran over to the next page (preflight/runover)."""
    folder, _ = built_pamphlet(tmp_path_factory, name)
    path = print_file(folder)
    reader = PdfReader(path)
    starts = {reader.get_destination_page_number(entry) for entry in reader.outline if not isinstance(entry, list)}
    rows = [_sized_rows(page) for page in pdf_pages(path)]
    sizes = [size for page in rows for size in page.values()]
    body = max(set(sizes), key=sizes.count)
    steps = [upper - lower for page in rows for lower, upper in zip(sorted(page), sorted(page)[1:], strict=False)
             if page[lower] == page[upper] == body]
    pitch = max(set(steps), key=steps.count)  # the running text's line
    running = [[baseline for baseline, size in page.items() if size >= 0.8 * body] for page in rows]
    foot = min(baseline for page in running for baseline in page)
    short = []
    for index in range(min(starts), len(rows) - 2):  # the last page is the back cover
        if index + 1 in starts or not running[index] or not running[index + 1]:
            continue
        last = min(running[index])
        notes = [baseline for baseline, size in rows[index].items() if size < 0.8 * body and baseline < last]
        gap = last - (max(notes) if notes else foot)
        if gap > (5 if notes else 3) * pitch:
            short.append((index + 1, round(gap / pitch, 1)))
    assert not short, f"pages (number, lines from the last line to the notes or the foot) ending short: {short}"


def test_facing_pages_a_fraction_of_a_line_apart_at_a_break_in_the_text_end_level(writer):
    """A right-hand page whose postscript's rule stands 7 mm below the text before it (not a whole number of 5 mm
    lines) ends 3 mm above the full page it faces: the space above the rule given up by what the page lacks for the
    next line (preflight/grid) brings that line back, and both pages end on the same line."""
    from pamphlet.preflight import balance
    from pamphlet.preflight.makeup import check_makeup, counts
    html = PAGE.format(spacer=0, block=0, orphans=1, body=_lines(34 + 34 + 10) + (
        '<style>.postscript { margin-top: 7mm }</style><div class="postscript">' + _lines(70) + "</div>"))
    document = writer.layout(html)
    found = counts(check_makeup(document))
    assert found["uneven spread"] == 1 and sum(found.values()) == 1, found
    balanced, changed = balance.balanced(writer.layout, html, document)
    assert not check_makeup(balanced) and len(balanced.pages) == len(document.pages)
    rules = changed.split("<style data-pamphlet-balance>")[1].split("</style>")[0]
    given = re.fullmatch(r"html > .* > div:nth-of-type\(2\) \{ margin-top: (\d+\.\d+)px \}", rules)
    assert given and 4.9 < float(given[1]) * 0.75 / MM < 5, rules  # px: 7 mm less the 2 mm the line lacked, a hair


def test_a_page_facing_none_of_its_piece_ends_at_its_notes_or_is_counted(tmp_path_factory):
    """A piece's opening page on the right faces no page of its piece, and facing pages with notes both end at their
    notes' foot: no uneven spread shows a line or two missing above the notes, which a reader sees as a hole.
    makeup counts such a page a short page from makeup.LONE lines (weighed as an uneven spread), which balance then
    repairs as it can: notes-en's history opened 1.8 lines above its notes (its paragraph's last two lines on the
    next page) until its first paragraph was set a hair looser to run a line longer; lines-en's opening page (1.8
    lines), where no nudge runs a paragraph a line longer, is filled by the last two lines of its paragraph, which a
    list after them held on the next page (WeasyPrint's ul { break-before: avoid }: the paragraph does not
    introduce the list, so the list goes on alone) and which lacked 3 px: taken off the 23 px above its heading
    (grid.closed_up; with it off, the page is counted). Read from the print PDF: the last line of running text on
    each piece's opening page that has notes stands at most LONE lines above them and the two the rule above them
    takes, and the summary counts no short page."""
    from pamphlet.preflight.makeup import LONE
    for name, holes in (("notes-en", 0), ("lines-en", 0)):
        folder, _ = built_pamphlet(tmp_path_factory, name)
        path = print_file(folder)
        reader = PdfReader(path)
        starts = {reader.get_destination_page_number(entry) for entry in reader.outline
                  if not isinstance(entry, list)}
        rows = [_sized_rows(page) for page in pdf_pages(path)]
        sizes = [size for page in rows for size in page.values()]
        body = max(set(sizes), key=sizes.count)
        steps = [upper - lower for page in rows for lower, upper in zip(sorted(page), sorted(page)[1:], strict=False)
                 if page[lower] == page[upper] == body]
        pitch = max(set(steps), key=steps.count)
        found = []
        for index in sorted(starts):
            running = [baseline for baseline, size in rows[index].items() if size >= 0.8 * body]
            notes = [baseline for baseline, size in rows[index].items()
                     if size < 0.8 * body and baseline < min(running)]
            # A piece that goes on to its next page (not the back cover's).
            if notes and index + 1 < len(rows) - 1 and index + 1 not in starts and rows[index + 1]:
                gap = (min(running) - max(notes)) / pitch
                if gap > LONE + 2:
                    found.append((index + 1, round(gap, 2)))
        assert len(found) == holes, (name, found)
        summary = re.search(r"page makeup: (.*)", build_log(folder).read_text(encoding="utf-8"))[1]
        counted = re.search(r"(\d+) short pages?", summary)
        assert (int(counted[1]) if counted else 0) == holes, (name, summary)


def test_a_short_page_of_unjustified_lines_is_filled_by_the_paragraphs_of_the_page_before(writer):
    """A left-hand page of 31 ragged lines ends 3 lines short before a block that does not fit; none of its own
    lines can run longer, but the full page before holds eleven justified paragraphs whose last lines are full:
    three of them, each measured alone to run a line longer set a hair looser (balance._measured), send three lines
    on, and the page ends at its foot."""
    from pamphlet.preflight import balance
    from pamphlet.preflight.makeup import check_makeup, counts
    words = ("The strike began in the first week of March, when the board announced that twenty pits would close "
             "within the year, and the men walked out of the pits at once, every one.")
    html = PAGE.format(spacer=5, block=20, orphans=2, body=f'<p style="text-align: justify">{words}</p>' * 11
                       + _lines(31) + '<div class="block"></div>' + _lines(10))
    document = writer.layout(html)
    found = counts(check_makeup(document))
    assert found["short page"] == 1 and sum(found.values()) == 1, found
    balanced, changed = balance.balanced(writer.layout, html, document)
    assert not check_makeup(balanced) and len(balanced.pages) == len(document.pages)
    rules = re.findall(r"p:nth-of-type\((\d+)\) \{ letter-spacing: (0\.\d+)em",
                       changed.split("<style data-pamphlet-balance>")[1].split("</style>")[0])
    assert len(rules) == 3 and all(float(spacing) <= 0.02 for _, spacing in rules), rules


@pytest.mark.parametrize("end, mended", [(".", True), (":", False)])
def test_a_short_page_takes_back_a_paragraphs_end_a_list_held_and_the_room_its_heading_can_spare(writer, end, mended):
    """A right-hand page (facing none of its piece) ends 1.9 lines short: its paragraph's last two lines (widows)
    went on with the list after them, which WeasyPrint keeps with what comes before it, lacking half a millimetre.
    The list goes on alone and the space above the heading gives that half millimetre (grid.closed_up): the page
    ends at its foot. Not when the paragraph ends in a colon: it introduces the list, and they stay together."""
    from pamphlet.preflight import balance
    from pamphlet.preflight.makeup import check_makeup, counts
    body = (_lines(27) + '<style>h2 { margin-top: 8mm }</style><h2>A heading</h2>'
            + f'<p style="widows: 2">line 1<br>line 2<br>line 3<br>the last line{end}</p>'
            + "<ul><li>one</li><li>two</li><li>three</li></ul>" + _lines(40))
    html = PAGE.format(spacer=2.5, block=0, orphans=2, body=body)
    document = writer.layout(html)
    found = counts(check_makeup(document))
    assert found["short page"] == 1 and sum(found.values()) == 1, found
    balanced, changed = balance.balanced(writer.layout, html, document)
    rules = changed.split("<style data-pamphlet-balance>")[1].split("</style>")[0] if mended else ""
    assert not check_makeup(balanced) if mended else check_makeup(balanced), check_makeup(balanced)
    if mended:
        assert re.search(r"ul:nth-of-type\(1\) \{ break-before: auto \}", rules), rules
        given = re.search(r"h2:nth-of-type\(1\) \{ margin-top: (\d+\.\d+)px \}", rules)
        assert given and 7.4 < float(given[1]) * 0.75 / MM < 7.5, rules  # px: 8 mm less the half it lacked, a hair
