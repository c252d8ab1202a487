"""The screen PDF: the print layout written again, without blank pages or bleed, its text blocks centred,
tagged (PDF/UA-1)."""

from ..preflight import layout
from ..engine import pdfx
from ..sources.images import SCREEN_DPI
from ..engine.pdf import centred, finishers, images_at_most, notes_tagged_as_notes
from ..engine.prepress import one_box, page_labels


def make(tools, job, print_layout):
    """With page labels, so that a viewer shows the print edition's page numbers; pictures with no more pixels
    than SCREEN_DPI at the size they are shown (print keeps every pixel), so that the file stays small."""
    pages = [(number, page) for number, page in enumerate(print_layout.pages, start=1) if not layout.is_blank(page)]
    screen = print_layout.copy([centred(page) for _, page in pages])
    screen.color_profiles, screen.output_intent = {}, None  # no CMYK output intent: this edition is for screens
    # The print layout's device-cmyk() colours drawn in sRGB, its pictures at screen size, its notes tagged as notes.
    with pdfx.cmyk_as_rgb(), images_at_most(screen, SCREEN_DPI), notes_tagged_as_notes():
        return tools.pdf.to_bytes(screen, job.files[0], pdf_variant="pdf/ua-1",
                                  finisher=finishers(one_box(), page_labels([number for number, _ in pages])))

