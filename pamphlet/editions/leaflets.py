"""A leaflet of one piece, two copies per A4 sheet: on one side at the largest size from 12 pt down to 9 pt that
holds it, else on two sides from 12 pt down to 8.5 pt, so that a back is never left with a couple of lines."""

import math

from ..engine.pdf import boxes, unlinked
from ..errors import BuildError
from ..preflight import layout, lines, mending, pdfs
from ..units import A4_LANDSCAPE
from . import impose

SIZES = (12, 11.5, 11, 10.5, 10, 9.5, 9, 8.5)  # points; below 8.5 a leaflet is no longer comfortable to read
ONE_SIDE_FLOOR = 9  # a piece that needs a smaller size than this to fit one side reads better on two
FIRST = 11          # the size tried first, from which the others are estimated


def make(tools, job):
    name = job.files[0]
    piece = next(piece for piece in tools.renderer.pieces if piece["id"] == job.piece)
    pdf = tools.pdf
    document = fit(tools.renderer, pdf, piece, tools.layout_sources())
    BuildError.raise_any(layout.check_layout(document, name))
    tools.measured(name, lines.measure(document.pages))
    sheets = impose.two_copies(pdf.to_bytes(document, name), tools.renderer.pdf_metadata(title=piece["plain_title"]),
                               cut_marks=True)
    BuildError.raise_any(pdfs.check_sheets(sheets, name, A4_LANDSCAPE, len(document.pages)))
    return sheets


def fit(renderer, pdf, piece, version):
    """The piece's leaflet laid out on one side or on two, or a BuildError saying how far over two it is. version:
    the digest of the layouts' files, under which their stylesheets are parsed once for every layout (a leaflet
    is laid out at several sizes, and again for each repair of its lines)."""
    html, stylesheets = unlinked(renderer.render("leaflet.html", piece=piece))
    layouts = {}

    def at(size):
        if size not in layouts:
            # WeasyPrint gives extra stylesheets user origin: only !important overrides the layout's size.
            layouts[size] = mending.mended(lambda changed: pdf.layout(
                changed, source="leaflet.html", extra_css=f"html {{ font-size: {size}pt !important; }}",
                stylesheets=stylesheets, version=version), html)[0]
        return layouts[size]

    used = _sides_used(at(FIRST))
    for sides in (1, 2):
        sizes = [size for size in SIZES if sides == 2 or size >= ONE_SIDE_FLOOR]
        # Text takes room as the square of its size: start from that estimate, then step to the largest that fits.
        estimate = FIRST * math.sqrt(sides / used)
        index = next((i for i, size in enumerate(sizes) if size <= estimate), len(sizes) - 1)
        if len(at(sizes[index]).pages) <= sides:
            while index > 0 and len(at(sizes[index - 1]).pages) <= sides:
                index -= 1
            return at(sizes[index])
        while index + 1 < len(sizes):
            index += 1
            if len(at(sizes[index]).pages) <= sides:
                return at(sizes[index])
    document = at(SIZES[-1])
    over = sum(1 for page in document.pages[2:] for box in page._page_box.descendants()
                if isinstance(box, boxes.LineBox))
    source = next(p for p in renderer.pamphlet.pieces if p.id == piece["id"])
    raise BuildError.single(
        source.path,
        f"too long for a leaflet: at {SIZES[-1]} pt it needs {len(document.pages)} A5 sides, about {over} "
        f"lines more than the 2 sides of a leaflet hold; shorten it or remove 'leaflet: true' "
        f"(the other editions were built)")


def _sides_used(document):
    """Pages filled, counting the last one by how far down its text goes."""
    last = document.pages[-1]._page_box
    bottoms = [box.position_y + box.height for box in last.descendants() if isinstance(box, boxes.LineBox)]
    top = last.content_box_y()
    fill = (max(bottoms) - top) / last.height if bottoms else 0
    return len(document.pages) - 1 + min(max(fill, 0.05), 1)
