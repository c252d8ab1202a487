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
from conftest import (ROOT, build_log, built_pamphlet, epub_documents, epub_text, flush_right_share, normalise,
                      output, pdf_body_text, run_here)

A4 = (210 * MM, 297 * MM)
FIXTURES = ROOT / "tests" / "fixtures"
X = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module", params=("texts", "notes-en", "notes-ru", "translated"))
def book(request, tmp_path_factory):
    """The large-print PDF and the EPUB of one pamphlet (the text to compare with), from the shared builds."""
    out, slug = built_pamphlet(tmp_path_factory, request.param)
    return output(out, "large-print", slug=slug), output(out, "epub", slug=slug)


def characters(path):
    """For each page, its size in points and its printed characters as (character, font size, baseline, (left,
    right))."""
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
            left, _, right, _ = textpage.get_charbox(char)
            found.append((chr(code), size, y.value, (left, right)))
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
    for _, doc in epub_documents(book[1]):
        for head in doc.iter(f"{X}thead"):  # a table's header row, repeated on each page it runs over to, once
            header = read("".join(head.itertext()))
            assert header in large, header
            at = large.find(header) + len(header)
            large = large[:at] + large[at:].replace(header, "")
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


FOOT = 24 * MM  # the text block's foot above the page's bottom edge (large-print.css: margin 20mm 22mm 24mm)


def lines_of(chars):
    """A page's lines above its foot (not the page number), top first: (baseline, text, (left, right) of each of
    its characters, left to right) of each."""
    lines = {}
    for char, _, y, edges in chars:
        if y > FOOT:
            lines.setdefault(round(y), []).append((edges, char))
    return [(y, "".join(char for _, char in sorted(lines[y])), sorted(edges for edges, _ in lines[y]))
            for y in sorted(lines, reverse=True)]


def last_column(line):
    """Where the last cell of a table's row (its line) begins: after the last gap wider than a word space (the
    cells' padding, half an em on each side, sets them a whole em apart)."""
    edges = line[2]
    return next(after[0] for before, after in reversed(list(zip(edges, edges[1:], strict=False)))
                if after[0] - before[1] > 17 * 0.6)


def test_long_tables_fill_their_pages_and_no_piece_ends_with_a_line_or_two_alone(book):
    """Page makeup as a designer checks the large print (preflight.makeup's short pages and short last pages, read
    from the PDF): a long table's rows split at a page turn, two lines at least on either side, so that each page
    it runs over from ends less than makeup.SHORT lines above its foot (at 17 pt a row of its narrow text column
    is four lines or more: kept whole, every page ended a row short; notes-ru: six pages); and a piece's last page
    holds more than its last block's line or two (its source line, its last note: notes-ru, texts/), the two lines
    at least of what comes before them with it."""
    from pamphlet.preflight.makeup import SHORT
    pages = [lines_of(chars) for _, chars in characters(book[0])]
    pitch = 1.5 * 17  # large-print.css: 17 pt type, lines 1.5 times it apart
    runs_over = 0
    for number, (here, there) in enumerate(zip(pages, pages[1:], strict=False), start=1):
        # A table's header, repeated on the next page (not a section break's asterisks, which a page may show twice).
        if here and there and there[0][1].strip("*") and there[0][1] in {text for _, text, _ in here}:
            runs_over += 1
            # The last line's box bottom lies half the line's leading and the type's depth (a quarter) below it.
            short = (here[-1][0] - pitch / 2 + 17 / 4 - FOOT) / pitch
            assert short <= SHORT, f"page {number} ends {short:.1f} lines short before the table goes on"
            # A row split there has two lines at least of its text (its last cell) at the foot, never its name and
            # numbers alone (WeasyPrint's split when its text's two lines do not fit: large_print.split_badly).
            column = last_column(there[0]) - 1
            assert all(line[2][-1][0] >= column for line in here[-2:]), (number, [text for _, text, _ in here[-2:]])
    assert runs_over >= (5 if book[0].parent.name == "notes-ru" else 0)
    # A piece's pages: after the first one a piece opens (a bookmark's), up to the back page (the last).
    from pypdf import PdfReader
    reader = PdfReader(book[0])
    first = min(reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list))
    for number in range(first + 1, len(pages) - 1):
        assert len(pages[number]) >= 2 + 1, (number + 1, [text for _, text, _ in pages[number]])  # widows' two, its own
    # The build's summary counts what is left, beside the print edition's; uneven spreads are no fault here.
    summary = build_log(book[0].parent).read_text(encoding="utf-8")
    line = re.search(rf"page makeup \({re.escape(book[0].name)}\): (.*)", summary)[1]
    kinds = "stranded heading|orphan|widow|short page|short last page"
    assert line == "no stranded heading, orphan, widow, short page or short last page" or all(
        re.fullmatch(rf"\d+ ({kinds})s?", found) for found in line.split(", ")), line


@pytest.mark.parametrize(("name", "most", "deepest"), [("texts", 0, 0), ("signed-ru", 0, 0), ("notes-ru", 1, 4)])
def test_a_page_left_short_has_its_paragraphs_spaced_down_to_its_foot(tmp_path_factory, name, most, deepest):
    """A page left short by the block after it (a list's heading kept with its first names, the two lines at least
    kept with a piece's source line) has the spaces between its paragraphs made wider, each by as much as itself at
    most, so that it ends at its foot; one short of a little for the block after it (a demand of three lines that
    cannot split) has them made a quarter narrower, to take it back; one before a figure too tall for its foot by a
    fifth of its picture at most has the figure made that much smaller (large_print.spread, fitted): texts/ 2 -> 0
    short pages (its page before the source line, its demands' last item), signed-ru 1 -> 0 (its demands before the
    list of signatures), notes-ru's page 8 no longer 12.4 lines short before its figure (its short page now page 9,
    2.8 lines before a section break kept with its text). Read from the PDF: the pages a piece goes on past that end
    more than makeup.SHORT lines above their foot, which the summary counts too, and how far the shortest ends."""
    from pypdf import PdfReader
    from pamphlet.preflight.makeup import SHORT
    out, slug = built_pamphlet(tmp_path_factory, name)
    path = output(out, "large-print", slug=slug)
    pages = [lines_of(chars) for _, chars in characters(path)]
    reader = PdfReader(path)
    opens = {reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)}
    pitch = 1.5 * 17
    depths = {number + 1: (pages[number][-1][0] - pitch / 2 + 17 / 4 - FOOT) / pitch
              for number in range(min(opens), len(pages) - 2)
              if number + 1 not in opens and pages[number] and pages[number + 1]}
    short = [number for number, depth in depths.items() if depth > SHORT]
    assert len(short) <= most and max((depths[number] for number in short), default=0) <= deepest, depths
    summary = build_log(out).read_text(encoding="utf-8")
    line = re.search(rf"page makeup \({re.escape(path.name)}\): (.*)", summary)[1]
    counted = re.search(r"(\d+) short pages?\b", line)
    assert (int(counted[1]) if counted else 0) == len(short), (line, short)


def test_a_heading_comes_back_with_its_lines_and_a_text_ends_before_its_notes(tmp_path_factory):
    """lines-en's page 4 ended 4.5 lines short before its section 'Characteristically unglamorous organisation' (the
    heading and its paragraph's first two lines 5 px too tall for its foot): its paragraph spaces made a quarter
    narrower (large_print.spread) took them back, but left the piece's second note alone on its last page, so the
    layout was not kept; now that note is kept with what comes before it by one more layout (its first note and
    their heading go on with it), as the first layout's are. And the page where a piece's text ends before its
    notes' heading (set at its end) is where its text ends, not a short page (large_print._ends_text): a designer
    lets the notes begin on the next page. Read from the PDF: the heading stands at the foot of a page with two lines
    under it, no page of the piece ends more than makeup.SHORT lines short but the one before its notes, and the
    summary counts no short page."""
    from pypdf import PdfReader
    from pamphlet.preflight.makeup import SHORT
    out, slug = built_pamphlet(tmp_path_factory, "lines-en")
    path = output(out, "large-print", slug=slug)
    pages = [lines_of(chars) for _, chars in characters(path)]
    where = [(number, index) for number, page in enumerate(pages) for index, (_, text, _) in enumerate(page)
             if text == "Characteristicallyunglamorousorganisation"]
    assert len(where) == 1 and len(pages[where[0][0]]) - where[0][1] - 1 >= 2, where  # two lines under it at least
    pitch = 1.5 * 17
    notes = next(number for number, page in enumerate(pages) if page and page[0][1] == "Notes")
    reader = PdfReader(path)
    opening = max(number for number in (reader.get_destination_page_number(item) for item in reader.outline
                                        if not isinstance(item, list)) if number <= where[0][0])
    depths = {number + 1: round((pages[number][-1][0] - pitch / 2 + 17 / 4 - FOOT) / pitch, 1)
              for number in range(opening, notes)}  # from the piece's opening page to the notes'
    assert all(depth <= SHORT for number, depth in depths.items() if number < notes), depths
    assert depths[notes] > SHORT, depths  # its text ends there, many lines short: no short page for all that
    line = re.search(rf"page makeup \({re.escape(path.name)}\): (.*)",
                     build_log(out).read_text(encoding="utf-8"))[1]
    assert "short page" not in line.replace("short page or", ""), line


def test_the_space_at_a_page_turn_narrows_with_the_others_to_take_back_a_box(tmp_path):
    """lint-en's page 4 ended 3.9 lines short before its demands box (its lead-in and first demand 1.3 px too tall
    even with the page's paragraph spaces made a quarter narrower): the space the page turn drops before the box,
    which comes back with it, is a paragraph space too and narrows with them (large_print._turned), and the box
    begins at the page's foot. One build of the large print alone (in this process). Read from the PDF: the lead-in
    and its first demand end page 4, and the summary counts no short page (fails with _turned off: 1 short page,
    page 4 4.3 lines short)."""
    from pamphlet.preflight.makeup import SHORT
    out = tmp_path / "out"
    result = run_here("large-print", "--texts", FIXTURES / "lint-en", "--out", out)
    assert result.returncode == 0, result.stderr
    path = next(out.glob("*-large-print.pdf"))
    pages = [lines_of(chars) for _, chars in characters(path)]
    box = next(number for number, page in enumerate(pages) if any(text == "Wedemand:" for _, text, _ in page))
    assert pages[box][-1][1].startswith("officials"), pages[box][-3:]  # the first demand's last line
    pitch = 1.5 * 17
    assert (pages[box][-1][0] - pitch / 2 + 17 / 4 - FOOT) / pitch <= SHORT
    line = re.search(rf"page makeup \({re.escape(path.name)}\): (.*)", result.stdout)[1]
    assert "short page" not in line.replace("short page or", ""), line


def test_a_notes_last_lines_alone_go_on_whole_and_come_back_with_the_spaces_narrowed(tmp_path):
    """The long text with notes (bench.long_pamphlet) ended each copy of its introduction with a page holding only
    the last two lines of its third note (10 short last pages in 263 pages): lines that end a block begun on the
    page before now carry as many more of its lines (their widows raised, large_print.alone), so the note goes on
    whole; the page before, left short, has its paragraph spaces made a quarter narrower, which takes the whole note
    back (a layout not kept before: it left more uneven spreads, a kind large print does not count). Its first two
    copies (the second's spreads shift with the page the first gives back), one build of the large print in this
    process. Read from the PDF: the note's last words end the page the
    text calling it ends, and the summary counts nothing (fails with the widows not raised: 1 short last page; with
    uneven spreads weighed in keeping a layout: 1 short page)."""
    from pamphlet.bench import long_pamphlet
    texts = long_pamphlet(ROOT / "texts", tmp_path / "long", copies=2, notes=True)
    out = tmp_path / "out"
    result = run_here("large-print", "--texts", texts, "--out", out)
    assert result.returncode == 0, result.stderr
    pages = [lines_of(chars) for _, chars in characters(next(out.glob("*-large-print.pdf")))]
    calls = [number for number, page in enumerate(pages) if any(text.startswith("Union.[3]") for _, text, _ in page)]
    notes = [(number, index) for number, page in enumerate(pages) for index, (_, text, _) in enumerate(page)
             if text.startswith("3Theregion")]
    assert len(calls) == 2, calls
    for call in calls:
        number, index = next(note for note in notes if note[0] >= call)  # the note of that call, after it
        assert number == call, (calls, notes)
        assert [text for _, text, _ in pages[number][index:]][-1] == "fields.", pages[number][index:]
    line = re.search(r"page makeup \(long-large-print\.pdf\): (.*)", result.stdout)[1]
    assert line == "no stranded heading, orphan, widow, short page or short last page", line


@pytest.mark.parametrize(("name", "pdf", "heading", "ends"), [
    ("translated", "tengiz-large-print.pdf", "Signedby", False),
    ("translated", "tengiz-ru-large-print.pdf", "Какработаетфонд", True),
    ("signed-kk", "zhumysshylar-large-print.pdf", "Қолқойғандар:", True)])
def test_a_page_ends_short_only_where_a_part_of_its_text_ends(tmp_path_factory, name, pdf, heading, ends):
    """A page left short before a heading, a section break or a list of signatories too tall, with what a designer
    keeps with it (two lines; three names, or the whole list when it is too short to leave three on either side),
    for its room even with its spaces made a quarter narrower, and whose spaces cannot take its room, is where that
    part of the text ends (large_print._ends_text): tengiz-ru's page 4 before 'Как работает фонд' and its two lines
    (157 px against 101 and 19 from its spaces), signed-kk's page 4 before its 40 signatories (222 px with three
    names against 139 and 33); and a page whose spaces can take its room is spaced down to its foot, the frame of
    the box ending it counted below its last line (large_print._under): tengiz's page 6 before its four signatories
    (with the box's padding and border left out its spaces overran and pushed the box on). Read from the PDF: how
    short the page before the heading ends; the summary counts no short page (fails with _kept returning None: 1
    short page each; with the box's frame left out: tengiz's page 6 4.5 lines short)."""
    from pamphlet.preflight.makeup import SHORT
    out, _ = built_pamphlet(tmp_path_factory, name)
    pages = [lines_of(chars) for _, chars in characters(out / pdf)]
    opens = [number for number, page in enumerate(pages) if page and page[0][1] == heading]
    assert len(opens) == 1, opens
    before = pages[opens[0] - 1]
    pitch = 1.5 * 17
    depth = (before[-1][0] - pitch / 2 + 17 / 4 - FOOT) / pitch
    assert depth > SHORT if ends else depth <= SHORT, depth
    line = re.search(rf"page makeup \({re.escape(pdf)}\): (.*)", build_log(out).read_text(encoding="utf-8"))[1]
    assert "short page" not in line.replace("short page or", ""), line
