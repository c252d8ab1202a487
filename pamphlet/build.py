"""Runs a build as a list of named steps: load texts, render, write each edition, check, then commit."""

import tempfile
from pathlib import Path

from . import check, impose
from .cover import cover_png
from .epub import write_epub
from .errors import BuildError
from .leaflet import layout_leaflet
from .load import load_pamphlet
from .output import Staging
from .pagelist import page_starts
from .pdf import PdfWriter
from .prepress import MM, press_ready
from .render import Renderer

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
EDITIONS = ("print", "booklet", "leaflets", "screen", "epub")
A5 = (148 * MM, 210 * MM)
BLEED = 3 * MM


def build(texts, out, editions=EDITIONS, crop_marks=False, log=print):
    """Build the named editions of the pamphlet in texts into out; return the paths written."""
    pamphlet = load_pamphlet(texts)
    renderer = Renderer(pamphlet, LAYOUTS)
    out = Path(out)
    _prepare_out(out)
    pdf = PdfWriter(LAYOUTS)
    metadata = {"/Title": pamphlet.title, "/Author": pamphlet.byline, "/Lang": pamphlet.language}
    slug = pamphlet.slug
    with Staging(out) as staging:
        # The EPUB's cover and the booklet come from the print edition's pages.
        needs_print = {"print", "booklet", "epub"} & set(editions)
        print_pdf, print_layout = _print_edition(renderer, pdf, f"{slug}-print.pdf", crop_marks) if needs_print \
            else (None, None)
        if "print" in editions:
            staging.write(f"{slug}-print.pdf", print_pdf)
        if "booklet" in editions:
            name = f"{slug}-booklet.pdf"
            sheets = impose.booklet(print_pdf, dict(metadata))
            _raise(check.check_sheets(sheets, name, impose.A4_LANDSCAPE, impose.page_count(print_pdf) // 2))
            staging.write(name, sheets)
        if "leaflets" in editions:
            for piece in renderer.pieces:
                if piece["leaflet"]:
                    name = f"{slug}-leaflet-{piece['id']}.pdf"
                    document = pdf.pad(layout_leaflet(renderer, pdf, piece), 2)
                    _raise(check.check_layout(document, name))
                    sheets = impose.two_copies(pdf.to_bytes(document, name), {**metadata, "/Title": piece["plain_title"]})
                    _raise(check.check_sheets(sheets, name, impose.A4_LANDSCAPE, 2))
                    staging.write(name, sheets)
        if "screen" in editions:
            name = f"{slug}-screen.pdf"
            document = pdf.layout(renderer.render("print.html", edition="screen"))
            _raise(check.check_layout(document, name))
            staging.write(name, pdf.to_bytes(document, name, pdf_variant="pdf/ua-1"))
        if "epub" in editions:
            anchors = {"cover", "title-page", "imprint", *(piece["id"] for piece in renderer.pieces)}
            write_epub(renderer, staging.path(f"{slug}.epub"), cover=cover_png(print_pdf),
                       page_starts=page_starts(print_layout, anchors))
        written = [target for _, target in staging.staged]
        staging.commit()
    for target in written:
        log(f"wrote {target}")
    return written


def _print_edition(renderer, pdf, name, crop_marks):
    """The A5 print edition with bleed, padded with planned blanks to a multiple of 4 pages, checked."""
    document = pdf.pad(pdf.layout(renderer.render("print.html", edition="print")), 4)
    _raise(check.check_layout(document, name))
    data = press_ready(pdf.to_bytes(document, name), crop_marks=crop_marks)
    _raise(check.check_print_pdf(data, name, A5, BLEED))
    return data, document


def _raise(problems):
    if problems:
        raise BuildError(problems)


def _prepare_out(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise BuildError.single(out, f"cannot write to the output folder ({err.strerror}); "
                                     "choose another with --out") from None
