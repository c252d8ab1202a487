"""The print PDF: A5 pages, only the shipped fonts (embedded), document metadata from the manifest."""

import io
import re

from fontTools.ttLib import TTFont
import pytest
from pypdf import PdfReader

import yaml

from pamphlet.units import A5, MM

from conftest import ROOT, built_pamphlet, normalise, pdf_body_text, pdf_pages


def font_identity(font):
    """PostScript name, version string and revision: what says which font file a program came from."""
    return (font["name"].getDebugName(6), font["name"].getDebugName(5), round(font["head"].fontRevision, 3))


def shipped_fonts():
    return {font_identity(TTFont(path)) for path in (ROOT / "fonts").glob("*.ttf")}


def embedded_fonts(reader):
    """Every font used on any page: its PDF name and the identity of its embedded program (None if not embedded)."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            owner = descendants[0].get_object() if descendants else font
            descriptor = owner["/FontDescriptor"].get_object()
            program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
            identity = font_identity(TTFont(io.BytesIO(program.get_object().get_data()))) if program else None
            fonts[str(font["/BaseFont"])] = identity
    return fonts


def test_every_page_is_a5(print_pdf):
    reader = PdfReader(print_pdf)
    assert len(reader.pages) >= 8
    for number, page in enumerate(reader.pages, start=1):
        trim = page.trimbox
        size = (float(trim.width), float(trim.height))
        assert abs(size[0] - A5[0]) < 0.5 and abs(size[1] - A5[1]) < 0.5, f"page {number} is {size}"


def test_fonts_are_embedded_and_shipped(print_pdf):
    fonts = embedded_fonts(PdfReader(print_pdf))
    shipped = shipped_fonts()
    assert len(fonts) >= 3
    for name, identity in fonts.items():
        assert identity is not None, f"{name} is not embedded"
        assert identity in shipped, f"{name} ({identity}) is not one of fonts/"
    families = {identity[0] for identity in fonts.values()}
    assert any(f.startswith("CharisSIL") for f in families) and any(f.startswith("PTSans") for f in families)


def test_metadata(print_pdf, manifest):
    reader = PdfReader(print_pdf)
    info = reader.metadata
    assert info.title == manifest["title"]
    assert info.author == manifest["byline"]
    assert reader.trailer["/Root"]["/Lang"] == manifest["language"]


def test_contents_page_numbers_point_at_the_pieces(print_pdf, manifest):
    """Each contents entry's number is the page on which that piece's title is printed."""
    pages = [normalise(pdf_body_text(print_pdf, page=i)) for i in range(len(PdfReader(print_pdf).pages))]
    contents_page = next(i for i, text in enumerate(pages) if text.startswith("Contents"))
    titles = []
    for piece in manifest["pieces"]:
        text = (ROOT / "texts" / piece).read_text(encoding="utf-8")
        titles.append(yaml.safe_load(text.split("---")[1])["title"])
    assert len(titles) == len(manifest["pieces"])
    for title in titles:
        key = normalise(title)
        opener = next(i for i, text in enumerate(pages) if i > contents_page and key in text) + 1
        listed = re.search(re.escape(key) + r"\.*(\d+)", pages[contents_page])
        assert listed and int(listed.group(1)) == opener, f"{title!r} is on page {opener}"


def test_body_text_has_no_running_heads(print_pdf, manifest):
    """The fidelity checks read body text only; make sure the margins really hold the running heads."""
    full = "".join(page.extract_text() for page in PdfReader(print_pdf).pages)
    body = pdf_body_text(print_pdf)
    assert full.count(manifest["title"]) > body.count(manifest["title"])


def test_a_long_quotation_is_an_extract_without_a_rule_beside_it(print_pdf):
    """The interview's long quotations are set indented on both sides, with nothing drawn in the indent: a rule
    there ran down whole pages."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(print_pdf))
    for index in range(len(document)):
        page, textpage = document[index], document[index].get_textpage()
        found = textpage.search("This is not a Maidan", match_case=True).get_next()
        if found:
            break
    quote_left, bottom, _, top = textpage.get_charbox(found[0])
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    body_left = min(box[0] for box in boxes if box[2] > box[0] and box[1] > top)  # the text above the quotation
    assert quote_left - body_left > 10  # indented
    scale = 3
    image = page.render(scale=scale, grayscale=True).to_pil()
    crop_left, _, _, crop_top = page.get_cropbox()
    dark = [image.getpixel((x, y))
            for x in range(round((body_left - crop_left) * scale), round((quote_left - crop_left - 2) * scale))
            for y in range(round((crop_top - top) * scale), round((crop_top - bottom) * scale) + 30 * scale)]
    assert min(dark) > 200, "something is drawn in the quotation's indent"


def leader_dots(page):
    """{baseline: [x of each leader dot]} of a pypdfium2 page: the dots of runs like '. . . .' (three or more)."""
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    lines = {}
    for run in re.finditer(r"\.(?: \.){2,}", text):
        for index in range(run.start(), run.end(), 2):
            left, bottom, right, _ = textpage.get_charbox(index)
            lines.setdefault(round(bottom), []).append((left + right) / 2)
    return lines


def test_contents_leader_dots_stand_in_columns(print_pdf):
    """The contents' leader dots of every entry, a piece's or a heading's within it, stand in the same columns, as
    a typesetter sets them: each dot within a tenth of a millimetre of a column of the first row's grid."""
    page = next(page for page in pdf_pages(print_pdf) if page.get_textpage().get_text_range().startswith("Contents"))
    rows = leader_dots(page)
    assert len(rows) >= 2
    first = rows[max(rows)]  # the top row's dots: their first and their spacing make the grid
    origin, step = first[0], (first[-1] - first[0]) / (len(first) - 1)
    for baseline, dots in rows.items():
        astray = [round(x, 1) for x in dots if abs((x - origin) / step - round((x - origin) / step)) * step > 0.1 * MM]
        assert not astray, f"the leader dots at {baseline} pt stand off the columns at x = {astray[:3]}"


@pytest.mark.parametrize("name", ["texts", "lines-en"])
def test_contents_dots_and_number_end_the_titles_last_line(tmp_path_factory, name):
    """A title as long as the line (lines-en's) wraps before the column of page numbers: its leader dots and page
    number end its last line, never stand on a line of their own."""
    folder, slug = built_pamphlet(tmp_path_factory, name)
    page = next(page for page in pdf_pages(folder / f"{slug}-print.pdf")
                if page.get_textpage().get_text_range().startswith("Contents"))
    lines = [line.strip() for line in page.get_textpage().get_text_range().splitlines() if ". . ." in line]
    assert lines
    alone = [line for line in lines if line.startswith(".")]
    assert not alone, f"contents lines of dots and a page number alone: {alone}"
