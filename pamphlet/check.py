"""Preflight: checks every print file after it is made and fails the build on what a print shop would reject."""

import io
from math import ceil
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pikepdf
from pypdf import PdfReader

from .errors import Problem
from .pdf import boxes
from .units import MM

PX = 0.75                  # CSS px to PDF points
SAFE_ZONE = 5 * MM         # no text this close to the trim edge
MIN_DPI = 300
TOLERANCE = 0.5            # points


def check_layout(document, name):
    """Lines of text inside their page's text area (running heads and folios: outside the 5 mm safe zone);
    images at 300 dpi or more at their printed size."""
    problems, reported = check_tables(document), set()
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        safe = SAFE_ZONE / PX
        left, top = page_box.content_box_x(), page_box.content_box_y()
        text_area = (left, top, left + page_box.width, top + page_box.height)
        reported.update(id(box) for table in _wide_tables(page_box) for box in table.descendants())
        for child in page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                continue  # notes that do not fit are named by check_notes
            if isinstance(child, boxes.MarginBox):
                bounds, what = (safe, safe, page.width - safe, page.height - safe), \
                    "within 5 mm of the trim edge (the safe zone)"
            else:
                bounds, what = text_area, "outside the page's text area"
            for box in child.descendants():
                if id(box) in reported:
                    continue  # a table too wide for the page, named by its file and line
                if isinstance(box, boxes.LineBox):
                    texts = [t for t in box.descendants() if isinstance(t, boxes.TextBox) and t.text.strip()]
                    if not texts:
                        continue
                    # Horizontally the glyphs count; vertically the line box (glyph boxes may be taller).
                    x1 = min(t.position_x for t in texts)
                    x2 = max(t.position_x + t.width for t in texts)
                    y1, y2 = box.position_y, box.position_y + box.height
                    over = max(bounds[0] - x1, bounds[1] - y1, x2 - bounds[2], y2 - bounds[3]) * PX
                    if over > TOLERANCE:
                        line = " ".join(t.text.strip() for t in texts)[:40]
                        problems.append(Problem(name, None, f"page {number}: text {what} by {over / MM:.1f} mm: "
                                                            f"“{line}”; shorten it or let it break"))
                elif isinstance(box, (boxes.InlineReplacedBox, boxes.BlockReplacedBox)):
                    problems += _check_resolution(box, name, number)
    return problems + check_notes(document, name)


def _check_resolution(box, name, number):
    """An image printed at less than 300 dpi, named by the file and line it was written on (data-source)."""
    pixels = getattr(box.replacement, "width", None)
    if not pixels or not box.width or pixels / (box.width / 96) >= MIN_DPI - 1:
        return []
    dpi, wide = pixels / (box.width / 96), box.width * PX / MM
    source = box.element.get("data-source", "") if box.element is not None else ""
    src = (box.element.get("src", "") if box.element is not None else "").rpartition("/")[2]
    where = _source(source, (name, None))
    return [Problem(*where, f"image '{unquote(src)}' prints {wide:.0f} mm wide at {dpi:.0f} dpi (page {number}); "
                            f"a print shop needs {MIN_DPI} dpi: use a version at least "
                            f"{ceil(wide / 25.4 * MIN_DPI)} pixels wide")]


def _source(source, default):
    """(file, line) from a data-source attribute 'file:line' the typesetter wrote, or default without one."""
    path, _, line = source.rpartition(":")
    return (Path(path), int(line)) if path and line.isdigit() else default


def _wide_tables(page_box):
    """Tables that stick out of their page's text block (by more than the tolerance)."""
    right = page_box.content_box_x() + page_box.width
    for box in page_box.descendants():
        if isinstance(box, boxes.TableBox) and box.position_x + box.margin_width() - right > TOLERANCE / PX:
            yield box


def check_tables(document):
    """A table too wide for the text block, named by the file and line it was written on (data-source)."""
    problems, seen = [], set()
    for page in document.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for table in _wide_tables(page_box):
            source = table.element.get("data-source", "") if table.element is not None else ""
            if source in seen:
                continue
            seen.add(source)
            over = (table.position_x + table.margin_width() - right) * PX / MM
            problems.append(Problem(*_source(source, (Path("?"), None)),
                                    f"this table is {over:.1f} mm too wide for the page even in its smallest type; "
                                    "give it fewer columns, shorten the longest words or numbers in its cells, or "
                                    "split it in two"))
    return problems


def check_notes(document, name):
    """Every note called on a page is printed once, at the foot of that page or of the next."""
    called, printed, sources, too_long = {}, {}, {}, set()
    for number, page in enumerate(document.pages, start=1):
        top = page._page_box.content_box_y()
        bottom = top + page._page_box.height
        for child in page._page_box.children:
            in_notes = isinstance(child, boxes.FootnoteAreaBox)
            for box in child.descendants():
                element = box.element
                if element is None or element.get("class") not in ("noteref", "note"):
                    continue
                if element.get("class") == "noteref" and not in_notes:
                    called.setdefault(element.get("href", "").lstrip("#"), number)
                elif element.get("class") == "note" and not in_notes:
                    sources[element.get("id")] = element.get("data-source", "")
                elif element.get("class") == "note" and in_notes:
                    printed.setdefault(element.get("id"), set()).add(number)
                    lines = [line for line in box.descendants() if isinstance(line, boxes.LineBox)]
                    if any(line.position_y < top - TOLERANCE / PX
                           or line.position_y + line.height - bottom > TOLERANCE / PX for line in lines):
                        too_long.add(element.get("id"))  # WeasyPrint let it run off the page
    problems = []
    for note, page in called.items():
        pages = printed.get(note, set())
        where = _source(sources.get(note, ""), (name, None))
        label = note.rpartition("-note-")[2]
        if not pages or note in too_long:
            problems.append(Problem(*where, f"note {label} is missing from {name} (called on page {page}): it is "
                                            "too long to fit at the foot of a page; shorten it or make it two notes"))
        elif pages - {page, page + 1}:
            problems.append(Problem(*where, f"note {label} is printed on page {max(pages)} of {name}, not on its "
                                            f"call's page ({page}) or the next; shorten it or the notes before it"))
    return problems


def is_blank(page):
    """A page with nothing on it but, perhaps, running heads: no line of text, no image."""
    return not any(isinstance(box, (boxes.LineBox, boxes.ReplacedBox))
                   for child in page._page_box.children if not isinstance(child, boxes.MarginBox)
                   for box in child.descendants())


def check_print_pdf(pdf_bytes, name, trim_size, bleed, multiple=4):
    """Page boxes (trim size, bleed, zero origin), page count and embedded fonts of a press PDF."""
    problems = []
    reader = PdfReader(io.BytesIO(pdf_bytes))
    pages = reader.pages
    if len(pages) % multiple:
        problems.append(Problem(name, None, f"{len(pages)} pages; a print edition needs a multiple of {multiple}"))
    for number, page in enumerate(pages, start=1):
        media, trim, bleed_box = page.mediabox, page.trimbox, page.bleedbox
        if (float(media.left), float(media.bottom)) != (0, 0):
            problems.append(Problem(name, None, f"page {number}: the MediaBox does not start at (0, 0)"))
        if abs(float(trim.width) - trim_size[0]) > TOLERANCE or abs(float(trim.height) - trim_size[1]) > TOLERANCE:
            problems.append(Problem(name, None, f"page {number}: trim box {float(trim.width) / MM:.1f} × "
                                                f"{float(trim.height) / MM:.1f} mm, not {trim_size[0] / MM:.0f} × "
                                                f"{trim_size[1] / MM:.0f} mm"))
        gaps = (float(trim.left) - float(bleed_box.left), float(trim.bottom) - float(bleed_box.bottom),
                float(bleed_box.right) - float(trim.right), float(bleed_box.top) - float(trim.top))
        if any(abs(gap - bleed) > TOLERANCE for gap in gaps):
            problems.append(Problem(name, None, f"page {number}: the bleed box is not {bleed / MM:.0f} mm "
                                                "beyond the trim box on every side"))
    problems += check_fonts(reader, name)
    return problems


def check_sheets(pdf_bytes, name, sheet_size, count):
    """Imposed sheets: their size and number, and embedded fonts."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    problems = []
    if len(reader.pages) != count:
        problems.append(Problem(name, None, f"{len(reader.pages)} sheet sides, expected {count}"))
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if any(abs(a - b) > TOLERANCE for a, b in zip(size, sheet_size, strict=True)):
            problems.append(Problem(name, None, f"side {number} is {size[0] / MM:.0f} × {size[1] / MM:.0f} mm, "
                                                f"not {sheet_size[0] / MM:.0f} × {sheet_size[1] / MM:.0f} mm"))
    return problems + check_fonts(reader, name)


def check_fonts(reader, name):
    problems = []
    seen = set()
    for number, page in enumerate(reader.pages, start=1):
        for font in _page_fonts(page):
            base = str(font.get("/BaseFont"))
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = owner.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            if not embedded and base not in seen:
                seen.add(base)
                problems.append(Problem(name, None, f"page {number}: font {base} is not embedded"))
    return problems


def _page_fonts(page):
    """Fonts of a page and of the form XObjects it draws (imposed sheets keep their pages' fonts there)."""
    stack = [page.get("/Resources")]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        resources = resources.get_object()
        for font in resources.get("/Font", {}).values():
            yield font.get_object()
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))



def check_pdfx(pdf_bytes, name):
    """PDF/X-4 as a print shop's preflight sees it: the output intent and its CMYK profile, the PDF/X version,
    /Trapped, a document ID and a title; nothing drawn in RGB (page content, form XObjects, images); black
    text in black ink alone. (pikepdf: it parses content streams twenty times faster than pypdf.)"""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        problems = [Problem(name, None, message) for message in _pdfx_keys(pdf)]
        for number, page in enumerate(pdf.pages, start=1):
            if len(page.obj.get("/Annots", [])):
                problems.append(Problem(name, None, f"page {number}: annotations (links) on the page; PDF/X "
                                                    "allows none inside the bleed box"))
            for message in dict.fromkeys(_colours(page.obj, _Ink(), set(), "page")):  # each once a page
                problems.append(Problem(name, None, f"page {number}: {message}"))
    return problems


def _pdfx_keys(pdf):
    if pdf.pdf_version < "1.6":
        yield f"PDF {pdf.pdf_version}; PDF/X-4 needs PDF 1.6 or later"
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        yield "no PDF/X output intent (/OutputIntents with /S /GTS_PDFX); write it with pdf_variant='pdf/x-4'"
    elif "/DestOutputProfile" not in intents[0] or intents[0].DestOutputProfile.get("/N") != 4:
        yield "the PDF/X output intent has no CMYK profile (/DestOutputProfile with 4 components)"
    elif not str(intents[0].get("/OutputConditionIdentifier", "")).strip():
        yield "the PDF/X output intent has no /OutputConditionIdentifier"
    xmp = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    if xmp.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
        yield "the XMP metadata does not name the PDF/X version (pdfxid:GTS_PDFXVersion PDF/X-4)"
    if not xmp.get("xmpMM:DocumentID"):
        yield "the XMP metadata has no xmpMM:DocumentID"
    info = pdf.trailer.get("/Info", {})
    if str(info.get("/Trapped", "")) not in ("/True", "/False"):
        yield "/Trapped is not set to /True or /False in the document information"
    if not str(info.get("/Title", "")).strip():
        yield "the document has no /Title"
    if "/ID" not in pdf.trailer:
        yield "the trailer has no document /ID"


class _Ink:
    """The fill colour a content stream has set: its colour space and components."""

    def __init__(self, space="/DeviceGray", values=(0,)):
        self.space, self.values = space, tuple(float(v) for v in values)


TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


def _colours(stream, ink, seen, what):
    """Problems with colour in a page's or form XObject's content, following the form XObjects it draws."""
    resources = stream.get("/Resources", {})
    spaces = {str(key): _family(value) for key, value in resources.get("/ColorSpace", {}).items()}
    if "/DeviceRGB" in spaces.values():
        yield f"a {what} names /DeviceRGB among its colour spaces; give colours as device-cmyk()"
    if "/Group" in stream and _family(stream.Group.get("/CS")) == "/DeviceRGB":
        yield f"a {what}'s transparency group blends in /DeviceRGB"
    stack = []
    for operands, operator in pikepdf.parse_content_stream(stream):
        operator = str(operator)
        if operator == "q":
            stack.append(ink)
        elif operator == "Q" and stack:
            ink = stack.pop()
        elif operator in ("rg", "RG"):
            yield f"draws in RGB ({operator} {' '.join(f'{float(v):g}' for v in operands)}); " \
                  "give every colour of the print layout as device-cmyk()"
        elif operator in ("cs", "CS"):
            space = spaces.get(str(operands[0]), str(operands[0]))
            if space == "/DeviceRGB":
                yield f"draws in /DeviceRGB ({operator}); give every colour of the print layout as device-cmyk()"
            if operator == "cs":
                ink = _Ink(space, ())
        elif operator == "k":
            ink = _Ink("/DeviceCMYK", operands)
        elif operator == "g":
            ink = _Ink("/DeviceGray", operands)
        elif operator in ("sc", "scn") and all(isinstance(v, (int, float, Decimal)) for v in operands):
            ink = _Ink(ink.space, operands)
        elif operator in TEXT_SHOWING and ink.space == "/DeviceCMYK" and len(ink.values) == 4:
            if _looks_black(ink.values) and any(ink.values[:3]):
                yield "black text in more inks than black (C {:g} M {:g} Y {:g} K {:g}); set black text in " \
                      "black ink alone, device-cmyk(0 0 0 1)".format(*ink.values)
        elif operator == "Do":
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Image":
                if _family(xobject.get("/ColorSpace")) == "/DeviceRGB":
                    yield "an image in /DeviceRGB; PDF/X-4 takes RGB images only with an ICC profile"
            elif (xobject.objgen, ink.space, ink.values) not in seen:
                seen.add((xobject.objgen, ink.space, ink.values))
                yield from _colours(xobject, ink, seen, "form XObject")
        elif operator == "INLINE IMAGE":
            space = operands[0].obj.get("/CS", operands[0].obj.get("/ColorSpace"))
            if spaces.get(str(space), _family(space)) in ("/DeviceRGB", "/RGB"):
                yield "an inline image in RGB; PDF/X-4 takes RGB images only with an ICC profile"


def _family(space):
    """The family of a colour space: its name, or the first item of an array like [/ICCBased …]."""
    if isinstance(space, pikepdf.Array) and len(space):
        space = space[0]
    return None if space is None else str(space)


def _looks_black(cmyk):
    """Shown as black: each of R, G and B under a quarter by the naive conversion of CSS Color 5."""
    c, m, y, k = cmyk
    return max((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)) < 0.25
