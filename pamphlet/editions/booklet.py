"""The office booklet: the print edition's pages, trimmed, two-up on A4 in saddle-stitch order, creep compensated,
in sections when long."""

from ..preflight import pdfs
from . import impose
from ..errors import BuildError
from ..units import A4_LANDSCAPE


def make(tools, job, print_pdf):
    name = job.files[0]
    sheets = impose.booklet(print_pdf, tools.renderer.pdf_metadata(),
                            paper_thickness=tools.renderer.pamphlet.paper_thickness)
    BuildError.raise_any(pdfs.check_sheets(sheets, name, A4_LANDSCAPE, impose.page_count(print_pdf) // 2))
    return sheets
