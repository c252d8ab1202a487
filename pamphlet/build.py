"""Runs a build as a list of named steps: load texts, check, render, write each edition, then commit."""

import copy
import datetime
import os
import tempfile
import time
from pathlib import Path

from . import check, impose
from .cache import MAIN, USER_EPOCH, output_name
from .cover import cover_png
from .epub import write_epub
from .errors import BuildError
from .fonts import epub_fonts, faces
from .leaflet import layout_leaflet
from .load import MANIFEST, load_pamphlet
from .output import Staging, remove_stale
from .parallel import Background
from .pagelist import page_starts
from .pdf import PdfWriter
from .prepress import MM, page_labels, press_ready
from .render import Renderer, locale_path
from .report import Report
from .validate import check_glyphs, check_layouts, font_coverage

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
FONTS = ROOT / "fonts"
A5 = (148 * MM, 210 * MM)
BLEED = 3 * MM


def build(texts, out, editions, crop_marks=False, report=None, skip=(), print_first=False):
    """Build the named editions of the pamphlet in texts into out, leaving alone the outputs named in skip
    (up to date); return the paths written. print_first puts the print PDF in place as soon as it is made
    (watch mode: the page someone is looking at), the rest when all are done."""
    report = report or Report(quiet=True)
    report.step("reading and checking the texts")
    pamphlet = load_pamphlet(texts)
    _check_sources(pamphlet)
    stamp = build_date(pamphlet)
    renderer = Renderer(pamphlet, LAYOUTS, stamp)
    out = Path(out)
    _prepare_out(out)
    slug = pamphlet.slug
    files = {edition: output_name(edition, slug) for edition in MAIN}
    editions = [e for e in editions if e == "leaflets" or files[e] not in skip]
    leaflets = [(piece, output_name("leaflets", slug, piece["id"])) for piece in renderer.pieces
                if piece["leaflet"] and "leaflets" in editions]
    leaflets = [(piece, leaflet) for piece, leaflet in leaflets if leaflet not in skip]
    seconds = {}
    with Staging(out) as staging, Background(renderer) as background:
        # What does not need the print layout runs in a second process while this one lays it out.
        leaflet_jobs = [(leaflet, background.submit(_leaflet, piece, leaflet)) for piece, leaflet in leaflets]
        fonts = background.submit(epub_fonts) if "epub" in editions else None
        pdf = _pdf_writer(renderer)
        clock = time.perf_counter()
        # The booklet, the screen PDF, the EPUB's cover and its page list all come from the print layout.
        if {"print", "booklet", "screen", "epub"} & set(editions):
            report.step("laying out the print edition")
            print_pdf, print_layout = _print_edition(renderer, pdf, files["print"], crop_marks)
            clock = _lap(seconds, files["print"], clock)
        if "print" in editions:
            staging.write(files["print"], print_pdf)
            if print_first:
                staging.commit()
        # What needs only the print PDF's bytes goes to the second process, free by now, while this one
        # writes the screen PDF from the layout.
        booklet = background.submit(_booklet, print_pdf, files["booklet"]) if "booklet" in editions else None
        cover = background.submit(_cover, print_pdf) if "epub" in editions else None
        if "screen" in editions:
            report.step("writing the screen PDF")
            staging.write(files["screen"], _screen(pdf, print_layout, files["screen"]))
            clock = _lap(seconds, files["screen"], clock)
        if booklet:
            report.step("imposing the booklet")
            data, seconds[files["booklet"]] = booklet.result()
            staging.write(files["booklet"], data)
            clock = time.perf_counter()
        if "epub" in editions:
            report.step("writing the EPUB")
            anchors = {"cover", "title-page", "imprint", *(piece["id"] for piece in renderer.pieces)}
            (font_files, font_seconds), (cover_image, cover_seconds) = fonts.result(), cover.result()
            write_epub(renderer, staging.path(files["epub"]), stamp=stamp, cover=cover_image,
                       page_starts=page_starts(print_layout, anchors), fonts=font_files)
            clock = _lap(seconds, files["epub"], clock, font_seconds + cover_seconds)
        for name, job in leaflet_jobs:
            report.step(f"laying out {name}")
            data, seconds[name] = job.result()
            staging.write(name, data)
        staging.commit()
        written = staging.committed
    for target in written:
        edition = next((e for e, file in files.items() if file == target.name), "leaflet")
        report.wrote(target, edition, seconds.get(target.name, 0.0))
    return written


def _lap(seconds, name, clock, extra=0.0):
    now = time.perf_counter()
    seconds[name] = now - clock + extra
    return now


_PDF = None


def _pdf_writer(renderer):
    """One PdfWriter per process: its font configuration is shared by every layout made there."""
    global _PDF
    if _PDF is None or _PDF.fetcher.roots[0] != renderer.pamphlet.folder.resolve():
        _PDF = PdfWriter(LAYOUTS, roots=(renderer.pamphlet.folder, LAYOUTS, FONTS))
    return _PDF


def build_date(pamphlet):
    """The date stamped into every output: SOURCE_DATE_EPOCH when the user set it, else the manifest's date."""
    if USER_EPOCH.isdigit():
        stamp = datetime.datetime.fromtimestamp(int(USER_EPOCH), datetime.timezone.utc)
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


def _cover(renderer, print_pdf):
    return cover_png(print_pdf)


def _leaflet(renderer, piece, name):
    pdf = _pdf_writer(renderer)
    document = pdf.pad(layout_leaflet(renderer, pdf, piece), 2)
    _raise(check.check_layout(document, name))
    sheets = impose.two_copies(pdf.to_bytes(document, name), renderer.pdf_metadata(title=piece["plain_title"]))
    _raise(check.check_sheets(sheets, name, impose.A4_LANDSCAPE, 2))
    return sheets


def _screen(pdf, print_layout, name):
    """The print layout written again: without its blank pages, cut at the trim, tagged (PDF/UA-1), and
    with page labels so that the viewer shows the print edition's page numbers."""
    pages = [(number, page) for number, page in enumerate(print_layout.pages, start=1) if not check.is_blank(page)]
    return pdf.to_bytes(print_layout.copy([_without_bleed(page) for _, page in pages]), name,
                        pdf_variant="pdf/ua-1", finisher=page_labels([number for number, _ in pages]))


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
