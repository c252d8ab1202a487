"""Runs a build as a list of named steps: load texts, check, render, write each edition, then commit."""

import copy
import datetime
import os
import tempfile
from pathlib import Path

from . import check, impose
from .cover import cover_png
from .epub import write_epub
from .errors import BuildError
from .fonts import faces
from .leaflet import layout_leaflet
from .load import MANIFEST, load_pamphlet
from .output import Staging, remove_stale
from .pagelist import page_starts
from .pdf import PdfWriter
from .prepress import MM, label_pages, press_ready
from .render import Renderer, locale_path
from .validate import check_glyphs, check_layouts, font_coverage

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
FONTS = ROOT / "fonts"
EDITIONS = ("print", "booklet", "leaflets", "screen", "epub")
A5 = (148 * MM, 210 * MM)
BLEED = 3 * MM


def build(texts, out, editions=EDITIONS, crop_marks=False, log=print):
    """Build the named editions of the pamphlet in texts into out; return the paths written."""
    pamphlet = load_pamphlet(texts)
    _check_sources(pamphlet)
    stamp = build_date(pamphlet)
    renderer = Renderer(pamphlet, LAYOUTS, stamp)
    out = Path(out)
    _prepare_out(out)
    pdf = PdfWriter(LAYOUTS, roots=(pamphlet.folder, LAYOUTS, FONTS))
    slug = pamphlet.slug
    with Staging(out) as staging:
        # The booklet, the screen PDF, the EPUB's cover and its page list all come from the print layout.
        if {"print", "booklet", "screen", "epub"} & set(editions):
            print_pdf, print_layout = _print_edition(renderer, pdf, f"{slug}-print.pdf", crop_marks)
        if "print" in editions:
            staging.write(f"{slug}-print.pdf", print_pdf)
        if "booklet" in editions:
            staging.write(f"{slug}-booklet.pdf", _booklet(renderer, print_pdf, f"{slug}-booklet.pdf"))
        if "leaflets" in editions:
            for piece in renderer.pieces:
                if piece["leaflet"]:
                    name = f"{slug}-leaflet-{piece['id']}.pdf"
                    staging.write(name, _leaflet(renderer, pdf, piece, name))
        if "screen" in editions:
            staging.write(f"{slug}-screen.pdf", _screen(renderer, pdf, print_layout, f"{slug}-screen.pdf"))
        if "epub" in editions:
            anchors = {"cover", "title-page", "imprint", *(piece["id"] for piece in renderer.pieces)}
            write_epub(renderer, staging.path(f"{slug}.epub"), stamp=stamp, cover=cover_png(print_pdf),
                       page_starts=page_starts(print_layout, anchors))
        written = [target for _, target in staging.staged]
        staging.commit()
    for target in written:
        log(f"wrote {target}")
    return written


def build_date(pamphlet):
    """The date stamped into every output: SOURCE_DATE_EPOCH when set, else the manifest's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    else:
        stamp = datetime.datetime.combine(pamphlet.date, datetime.time(), datetime.timezone.utc)
        # fontTools, WeasyPrint's fallback subsetter, stamps the time into fonts unless this is set.
        os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    return stamp


def _check_sources(pamphlet):
    """Layouts that refer only to files of the pamphlet, fonts that are fonts, and every character in them."""
    font_faces = faces(LAYOUTS / "fonts.css")
    coverage, problems = font_coverage(font_faces)
    problems += check_layouts(LAYOUTS, roots=(LAYOUTS, FONTS))
    paths = [pamphlet.folder / MANIFEST, *(piece.path for piece in pamphlet.pieces)]
    locale = locale_path(pamphlet, LAYOUTS)
    problems += check_glyphs(paths + ([locale] if locale else []), coverage)
    _raise(problems)


def _print_edition(renderer, pdf, name, crop_marks):
    """The A5 print edition with bleed, padded with planned blanks to a multiple of 4 pages, checked."""
    document = pdf.pad(pdf.layout(renderer.render("print.html")), 4)
    _raise(check.check_layout(document, name))
    data = press_ready(pdf.to_bytes(document, name), crop_marks=crop_marks)
    _raise(check.check_print_pdf(data, name, A5, BLEED))
    return data, document


def _booklet(renderer, print_pdf, name):
    sheets = impose.booklet(print_pdf, renderer.pdf_metadata())
    _raise(check.check_sheets(sheets, name, impose.A4_LANDSCAPE, impose.page_count(print_pdf) // 2))
    return sheets


def _leaflet(renderer, pdf, piece, name):
    document = pdf.pad(layout_leaflet(renderer, pdf, piece), 2)
    _raise(check.check_layout(document, name))
    sheets = impose.two_copies(pdf.to_bytes(document, name), renderer.pdf_metadata(title=piece["plain_title"]))
    _raise(check.check_sheets(sheets, name, impose.A4_LANDSCAPE, 2))
    return sheets


def _screen(renderer, pdf, print_layout, name):
    """The print layout written again: without its blank pages, cut at the trim, tagged (PDF/UA-1), and
    with page labels so that the viewer shows the print edition's page numbers."""
    pages = [(number, page) for number, page in enumerate(print_layout.pages, start=1) if not check.is_blank(page)]
    data = pdf.to_bytes(print_layout.copy([_without_bleed(page) for _, page in pages]), name,
                        pdf_variant="pdf/ua-1")
    return label_pages(data, [number for number, _ in pages])


def _without_bleed(page):
    page = copy.copy(page)
    page.bleed = {side: 0 for side in page.bleed}
    return page


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
    remove_stale(out)
