"""A leaflet of one piece: two A5 sides at the largest size that fits, two copies per A4 sheet."""

from ..preflight import check, lines
from . import impose
from ..errors import BuildError
from .leaflet_fit import layout_leaflet
from ..units import A4_LANDSCAPE


def make(tools, job):
    name = job.files[0]
    piece = next(piece for piece in tools.renderer.pieces if piece["id"] == job.piece)
    pdf = tools.pdf
    document = pdf.pad(layout_leaflet(tools.renderer, pdf, piece), 2, before_last=False)  # the text on the front
    BuildError.raise_any(check.check_layout(document, name))
    tools.measured(name, lines.measure(document))
    sheets = impose.two_copies(pdf.to_bytes(document, name),
                               tools.renderer.pdf_metadata(title=piece["plain_title"]))
    BuildError.raise_any(check.check_sheets(sheets, name, A4_LANDSCAPE, 2))
    return sheets
