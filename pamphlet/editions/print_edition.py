"""The print edition: the A5 layout with bleed that every other PDF edition and the EPUB's page list come from."""

from .. import check
from ..errors import BuildError
from ..prepress import press_ready
from ..units import A5, BLEED


def lay_out(tools, name):
    """The print layout, padded with planned blanks to a multiple of 4 pages, and its press-ready bytes,
    both checked; name is the print file's, for the problems' messages."""
    pdf = tools.pdf
    document = pdf.pad(pdf.layout(tools.renderer.render("print.html")), 4)
    BuildError.raise_any(check.check_layout(document, name))
    data = press_ready(pdf.to_bytes(document, name), crop_marks=tools.crop_marks)
    BuildError.raise_any(check.check_print_pdf(data, name, A5, BLEED))
    return document, data


def make(tools, job, print_pdf):
    return print_pdf
