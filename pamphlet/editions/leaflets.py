"""A leaflet of one piece: two A5 sides at the largest text size from 11 pt down to 8.5 pt that fits, two copies
per A4 sheet."""

import math

from ..engine.pdf import boxes
from ..errors import BuildError
from ..preflight import layout, lines, pdfs
from ..units import A4_LANDSCAPE
from . import impose

SIZES = (11, 10.5, 10, 9.5, 9, 8.5)  # points; below 8.5 a leaflet is no longer comfortable to read
SIDES = 2


def make(tools, job):
    name = job.files[0]
    piece = next(piece for piece in tools.renderer.pieces if piece["id"] == job.piece)
    pdf = tools.pdf
    document = pdf.pad(layout_leaflet(tools.renderer, pdf, piece), 2, before_last=False)  # the text on the front
    BuildError.raise_any(layout.check_layout(document, name))
    tools.measured(name, lines.measure(document))
    sheets = impose.two_copies(pdf.to_bytes(document, name),
                               tools.renderer.pdf_metadata(title=piece["plain_title"]))
    BuildError.raise_any(pdfs.check_sheets(sheets, name, A4_LANDSCAPE, 2))
    return sheets


def layout_leaflet(renderer, pdf, piece):
    """The piece's leaflet as a laid-out document of at most two pages, or a BuildError saying how far over it is."""
    html = renderer.render("leaflet.html", piece=piece)
    layouts = {}

    def fits(index):
        if index not in layouts:
            # WeasyPrint gives extra stylesheets user origin: only !important overrides the layout's size.
            layouts[index] = pdf.layout(html, source="leaflet.html",
                                        extra_css=f"html {{ font-size: {SIZES[index]}pt !important; }}")
        return len(layouts[index].pages) <= SIDES

    if fits(0):
        return layouts[0]
    # Text takes room as the square of its size: start from that estimate, then step to the largest that fits.
    size = SIZES[0] * math.sqrt(SIDES / _sides_used(layouts[0]))
    index = next((i for i, s in enumerate(SIZES) if s <= size), len(SIZES) - 1)
    if fits(index):
        while index > 1 and fits(index - 1):
            index -= 1
        return layouts[index]
    while index + 1 < len(SIZES):
        index += 1
        if fits(index):
            return layouts[index]
    document = layouts[len(SIZES) - 1]
    lines = sum(1 for page in document.pages[SIDES:] for box in page._page_box.descendants()
                if isinstance(box, boxes.LineBox))
    source = next(p for p in renderer.pamphlet.pieces if p.id == piece["id"])
    raise BuildError.single(
        source.path,
        f"too long for a leaflet: at {SIZES[-1]} pt it needs {len(document.pages)} A5 sides, about {lines} "
        f"lines more than the {SIDES} sides of a leaflet hold; shorten it or remove 'leaflet: true'")


def _sides_used(document):
    """Pages filled, counting the last one by how far down its text goes."""
    last = document.pages[-1]._page_box
    bottoms = [box.position_y + box.height for box in last.descendants() if isinstance(box, boxes.LineBox)]
    top = last.content_box_y()
    fill = (max(bottoms) - top) / last.height if bottoms else 0
    return len(document.pages) - 1 + min(max(fill, 0.05), 1)
