"""The bilingual edition: two of the pamphlet's languages side by side on A4, a table row per pair of blocks
(paragraph, heading, list, table, demands; each with the notes it calls), so that every pair starts level; a
print PDF (PDF/X-4) and a screen PDF (PDF/UA-1)."""

import re
import time

from lxml import html as lxml_html
from markupsafe import Markup

from ..engine import pdfx
from ..engine.pdf import finishers
from ..engine.prepress import one_box, press_ready
from ..errors import BuildError
from ..preflight import pdfs
from . import Edition

# For the summary's table: its name and how its pages are counted
BILINGUAL = Edition("bilingual", "bilingual:make", pages="pdf")

NOTEREF = re.compile(r'\bid="([^"]*-noteref-\d+)"')
HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def file_names(slug, pair):
    """The print and screen files of the bilingual edition of the languages pair ({slug}-kk-ru-print.pdf, …)."""
    return tuple(f"{slug}-{'-'.join(pair)}-{kind}.pdf" for kind in ("print", "screen"))


def make(pdf, first, second, identifier, names):
    """({file name: bytes}, {file name: seconds}) of the print and screen PDFs, from the two languages' renderers
    (the first's side on the left); identifier: the edition's own, for the PDF's document ID."""
    start = time.perf_counter()
    images = {**second.print_images(), **first.print_images()}
    page = first.render("bilingual.html", images=images, pairs=pairs(first, second),
                        other={"front": second.front, "pamphlet": second.pamphlet, "lang": second.pamphlet.language})
    profile = pdfx.color_profile_css(pdfx.profile_path(first.pamphlet))
    printed = pdf.layout(page, source="bilingual.html", extra_css=profile)
    print_name, screen_name = names
    data = pdf.to_bytes(printed, print_name, pdf_variant="pdf/x-4", pdf_identifier=pdfx.pdf_identifier(identifier),
                        finisher=finishers(pdfx.finisher(identifier, "bilingual"), press_ready()))
    BuildError.raise_any(pdfs.check_pdfx(data, print_name))
    printed_in = time.perf_counter() - start
    # The screen PDF without the bleed, its CMYK colours drawn in sRGB, tagged
    screen = pdf.layout(page, source="bilingual.html", extra_css="@page { bleed: 0 !important; }")
    with pdfx.cmyk_as_rgb():
        shown = pdf.to_bytes(screen, screen_name, pdf_variant="pdf/ua-1", finisher=finishers(one_box()))
    return {print_name: data, screen_name: shown}, {print_name: printed_in,
                                                     screen_name: time.perf_counter() - start - printed_in}


def pairs(first, second):
    """For each piece both languages have (in the first's order), its two sides and its rows of paired blocks;
    a block one side has and the other lacks is paired with an empty cell."""
    theirs = {piece["id"]: piece for piece in second.pieces}
    found = []
    for mine in first.pieces:
        other = theirs.get(mine["id"])
        if other is None:
            continue
        sides = [(mine, first.pamphlet.language), (other, second.pamphlet.language)]
        columns = [_cells(piece, lang) + _closing(piece, lang) for piece, lang in sides]
        rows = [[column[i] if i < len(column) else {"lang": lang, "html": "", "notes": []}
                 for column, (_, lang) in zip(columns, sides, strict=True)]
                for i in range(max(map(len, columns)))]
        found.append({"id": mine["id"], "sides": [{"piece": piece, "lang": lang} for piece, lang in sides],
                      "rows": rows})
    return found


def _cells(piece, lang):
    """The piece's top-level blocks, each with the notes it calls, ids and links made the language's own."""
    notes = {note["ref"]: f'<div class="note-text" id="{note["id"]}">{note["html"]}</div>' for note in piece["notes"]}
    cells, heading = [], ""
    for element in lxml_html.fragments_fromstring(str(piece["epub_body"])):
        if not isinstance(element, lxml_html.HtmlElement):
            continue
        for node in element.iter():
            node.attrib.pop("epub:type", None)
        block = lxml_html.tostring(element, encoding="unicode")
        if element.tag in HEADINGS:  # kept with the block it heads: never alone at the foot of a page
            heading += block
            continue
        called = [notes[ref] for ref in NOTEREF.findall(block) if ref in notes]
        cells.append({"lang": lang, "html": Markup(_own(heading + block, lang)),
                      "notes": [Markup(_own(note, lang)) for note in called]})
        heading = ""
    if heading:
        cells.append({"lang": lang, "html": Markup(_own(heading, lang)), "notes": []})
    return cells


def _closing(piece, lang):
    """The signatories and the source, each a block of its own after the text."""
    cells = []
    if piece["signatories"]:
        names = "".join(f"<li>{name}</li>" for name in piece["signatories"])
        cells.append({"lang": lang, "notes": [], "html": Markup(
            f'<div class="signatories"><p class="signatories-intro">{piece["signatories_intro"]}</p>'
            f"<ul>{names}</ul></div>")})
    if piece["source"]:
        cells.append({"lang": lang, "notes": [], "html": Markup(f'<p class="source">{piece["source"]}</p>')})
    return cells


def _own(markup, lang):
    """Ids and in-document links prefixed with the language: both sides come from pieces with the same ids."""
    return re.sub(r'\b(id="|href="#)', lambda match: f"{match.group(1)}{lang}-", markup)
