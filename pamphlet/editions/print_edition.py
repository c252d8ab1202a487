"""The print edition: the A5 layout with bleed that every other PDF edition and the EPUB's page list come from."""

import re

from ..preflight import balance, figures, layout, lines, mending, pdfs
from ..engine import pdfx
from ..errors import BuildError
from ..engine.pdf import finishers
from ..engine.prepress import press_ready
from ..units import A5, BLEED
from . import sheets


def lay_out(tools, name, then=None):
    """The print layout, padded with planned blanks to a multiple of 4 pages, and its press-ready bytes,
    PDF/X-4 in CMYK, both checked; name is the print file's, for the problems' messages. then(layout) is
    called as soon as the layout is made and checked, before the PDF is written (to start what needs the
    layout alone).

    Laid out in parts, each piece on its own (see incremental), always: a build that keeps parts from the
    last one (watch mode) then makes the same bytes as one that starts afresh."""
    pdf, renderer, pamphlet = tools.pdf, tools.renderer, tools.renderer.pamphlet
    profile = pdfx.color_profile_css(pdfx.profile_path(pamphlet))
    ids = [piece["id"] for piece in renderer.pieces]
    parts = tools.kept.parts
    parts.begin()

    # Each part is mended as it is laid out, in that part alone: a figure that went to the next page leaving a
    # short page made a little smaller or set after the text that follows (figures.fitted), then the hyphens that
    # put a line at fault taken back or its paragraph's spacing nudged while that makes its lines better
    # (mending.mended), then a paragraph on a page left short set a hair looser or tighter (balance.balanced).
    # A part without figures whose lines were mended on a page of the other side (the openings planned, a page more
    # before it) has the same lines, which break the same: the same repairs, made again without a search.
    def mend(lay_out_part, html, repairs):
        if repairs is not None:
            html = repairs.applied(html)
            document = lay_out_part(html)
        else:
            document, html = figures.fitted(lay_out_part, html)
            document, html, repairs = mending.repaired(lay_out_part, html, document)
        document, html = balance.balanced(lay_out_part, html, document)
        return document, html, repairs if figures.none_in(html) else None

    def whole(openings, settle=True):
        return parts.document(pdf, renderer.render("print.html", openings=openings), ids,
                              tools.layout_sources() + profile, extra_css=profile, mend=mend, settle=settle,
                              unplaced=_unopened, ahead=all(side == "right" for side in openings.values()))

    # openings: auto lays out with right-hand openings, plans them from the pages each piece takes, and lays out
    # again if the plan changed (only the parts from the first piece whose opening changed on are laid out again;
    # watch mode keeps both layouts' parts). The first layout is looked at only for the length of each piece until
    # the plan is known: the page numbers the contents shows are settled once. Always from right-hand openings, as
    # a cold build plans: a piece can take a page more or less opening on a left-hand page (its spreads are others,
    # and are balanced otherwise), so a plan made from the last build's openings could differ.
    auto = pamphlet.openings == "auto" and ids
    openings = dict.fromkeys(ids, "right" if pamphlet.openings == "auto" else pamphlet.openings)
    laid_out = whole(openings, settle=not auto)
    if auto:
        planned = sheets.plan_openings(laid_out.pages, ids)
        if planned != openings or not parts.settled:
            laid_out = whole(planned)
    document = pdf.pad(laid_out, 4)
    found = lines.measure(document.pages, tools.kept.lines)
    BuildError.raise_any(layout.check_layout(document, name, tools.kept.findings))
    tools.measured(name, found)
    if then:
        then(document)
    data = pdf.to_bytes(document, name, keep_drawings=True, pdf_variant="pdf/x-4",
                        pdf_identifier=pdfx.pdf_identifier(pamphlet.identifier),
                        finisher=finishers(pdfx.finisher(pamphlet.identifier, "print"),
                                           press_ready(crop_marks=tools.crop_marks)))
    BuildError.raise_any(pdfs.check_print_pdf(data, name, A5, BLEED)
                         + pdfs.check_pdfx(data, name, tools.kept.findings))
    return document, data


def _unopened(html):
    """A part's HTML without the piece's opening (the class that has it open on a right-hand page or the next)."""
    return re.sub(r"\bopens-(?:right|any)\b", "", html)


def make(tools, job, print_pdf):
    return print_pdf


def check(tools, job):
    """The print shop's profile (print_profile) the layout is made for, read before anything is laid out or any
    other edition started."""
    try:
        pdfx.profile_path(tools.renderer.pamphlet)
    except BuildError as err:
        return err.problems
    return []
