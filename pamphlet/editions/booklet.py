"""The office booklet: the print edition's pages, trimmed, two-up on A4 in saddle-stitch order."""

from .. import check, impose
from ..errors import BuildError
from ..units import A4_LANDSCAPE


def make(tools, job, print_pdf):
    name = job.files[0]
    sheets = impose.booklet(print_pdf, tools.renderer.pdf_metadata())
    BuildError.raise_any(check.check_sheets(sheets, name, A4_LANDSCAPE, impose.page_count(print_pdf) // 2))
    return sheets
