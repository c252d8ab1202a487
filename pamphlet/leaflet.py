"""Lays out a piece as a two-sided A5 leaflet, at the largest text size from 11 pt down to 8.5 pt that fits."""

from weasyprint.formatting_structure import boxes

from .errors import BuildError

SIZES = (11, 10.5, 10, 9.5, 9, 8.5)  # points; below 8.5 a leaflet is no longer comfortable to read
SIDES = 2


def layout_leaflet(renderer, pdf, piece):
    """The piece's leaflet as a laid-out document of at most two pages, or a BuildError saying how far over it is."""
    html = renderer.render("leaflet.html", piece=piece)
    for size in SIZES:
        # WeasyPrint gives extra stylesheets user origin: only !important overrides the layout's size.
        document = pdf.layout(html, source="leaflet.html", extra_css=f"html {{ font-size: {size}pt !important; }}")
        if len(document.pages) <= SIDES:
            return document
    extra = [page for page in document.pages[SIDES:]]
    lines = sum(1 for page in extra for box in page._page_box.descendants() if isinstance(box, boxes.LineBox))
    source = next(p for p in renderer.pamphlet.pieces if p.id == piece["id"])
    raise BuildError.single(
        source.path,
        f"too long for a leaflet: at {SIZES[-1]} pt it needs {len(document.pages)} A5 sides, about {lines} "
        f"lines more than the {SIDES} sides of a leaflet hold; shorten it or remove 'leaflet: true'")
