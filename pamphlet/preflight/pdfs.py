"""Preflight of the written print files: page boxes, page counts and sheet sizes, embedded fonts, PDF/X-4 keys and
colour (no RGB; black text in black ink alone); fails the build on what a print shop would reject."""

import hashlib
import io
from decimal import Decimal

import pikepdf

from ..errors import Problem
from ..units import MM
from .layout import TOLERANCE, Findings


def check_print_pdf(pdf_bytes, name, trim_size, bleed, multiple=4):
    """Page boxes (trim size, bleed, zero origin), page count and embedded fonts of a press PDF."""
    problems = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if len(pdf.pages) % multiple:
            problems.append(Problem(name, None, f"{len(pdf.pages)} pages; a print edition needs a multiple of "
                                                f"{multiple}"))
        for number, page in enumerate(pdf.pages, start=1):
            media, trim, bleed_box = ([float(v) for v in box] for box in (page.mediabox, page.trimbox, page.bleedbox))
            width, height = trim[2] - trim[0], trim[3] - trim[1]
            if media[:2] != [0, 0]:
                problems.append(Problem(name, None, f"page {number}: the MediaBox does not start at (0, 0)"))
            if abs(width - trim_size[0]) > TOLERANCE or abs(height - trim_size[1]) > TOLERANCE:
                problems.append(Problem(name, None, f"page {number}: trim box {width / MM:.1f} × {height / MM:.1f} "
                                                    f"mm, not {trim_size[0] / MM:.0f} × {trim_size[1] / MM:.0f} mm"))
            gaps = (trim[0] - bleed_box[0], trim[1] - bleed_box[1], bleed_box[2] - trim[2], bleed_box[3] - trim[3])
            if any(abs(gap - bleed) > TOLERANCE for gap in gaps):
                problems.append(Problem(name, None, f"page {number}: the bleed box is not {bleed / MM:.0f} mm "
                                                    "beyond the trim box on every side"))
        return problems + check_fonts(pdf, name)


def check_sheets(pdf_bytes, name, sheet_size, count):
    """Imposed sheets: their size and number, and embedded fonts."""
    problems = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if len(pdf.pages) != count:
            problems.append(Problem(name, None, f"{len(pdf.pages)} sheet sides, expected {count}"))
        for number, page in enumerate(pdf.pages, start=1):
            media = [float(v) for v in page.mediabox]
            size = (media[2] - media[0], media[3] - media[1])
            if any(abs(a - b) > TOLERANCE for a, b in zip(size, sheet_size, strict=True)):
                problems.append(Problem(name, None, f"side {number} is {size[0] / MM:.0f} × {size[1] / MM:.0f} mm, "
                                                    f"not {sheet_size[0] / MM:.0f} × {sheet_size[1] / MM:.0f} mm"))
        return problems + check_fonts(pdf, name)


def check_fonts(pdf, name):
    """Every font a page of pdf (pikepdf's) shows, or a form XObject it draws, embedded."""
    problems, seen, visited = [], set(), set()
    for number, page in enumerate(pdf.pages, start=1):
        stack = [page.obj.get("/Resources")]  # imposed sheets keep their pages' fonts in form XObjects
        while stack:
            resources = stack.pop()
            if resources is None or (resources.is_indirect and resources.objgen in visited):
                continue  # WeasyPrint's pages share one resource dictionary: looked through once
            visited.add(resources.objgen)
            for _, xobject in resources.get("/XObject", {}).items():
                if xobject.get("/Subtype") == "/Form":
                    stack.append(xobject.get("/Resources"))
            for _, font in resources.get("/Font", {}).items():
                base = str(font.get("/BaseFont"))
                owner = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = owner.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                if not embedded and base not in seen:
                    seen.add(base)
                    problems.append(Problem(name, None, f"page {number}: font {base} is not embedded"))
    return problems


def check_pdfx(pdf_bytes, name, findings=None):
    """PDF/X-4 as a print shop's preflight sees it: the output intent and its CMYK profile, the PDF/X version,
    /Trapped, a document ID and a title; nothing drawn in RGB (page content, form XObjects, images); black
    text in black ink alone. (pikepdf: it parses content streams twenty times faster than pypdf.) findings: the
    colour problems of pages checked before (watch mode), which are not parsed again."""
    findings = findings or Findings()
    kept, findings.colours, findings.streams_parsed = findings.colours, {}, 0
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        problems = [Problem(name, None, message) for message in _pdfx_keys(pdf)]
        for number, page in enumerate(pdf.pages, start=1):
            if len(page.obj.get("/Annots", [])):
                problems.append(Problem(name, None, f"page {number}: annotations (links) on the page; PDF/X "
                                                    "allows none inside the bleed box"))
            key, draws = _colour_key(page.obj)
            messages = kept.get(key, findings.colours.get(key))
            if messages is None or draws:
                findings.streams_parsed += 1
                messages = list(dict.fromkeys(_colours(page.obj, _Ink(), set(), "page")))  # each once a page
            if not draws:  # what a page draws (images, forms) is not in the key: such a page is parsed each time
                findings.colours[key] = messages
            problems += [Problem(name, None, f"page {number}: {message}") for message in messages]
    return problems


def _colour_key(page):
    """A digest of everything _colours reads of a page that draws no XObject: its content, the colour spaces its
    resources name and its transparency group's; and whether it draws one ('Do' in its content)."""
    contents = page.get("/Contents")
    data = b"\0".join(stream.read_bytes() for stream in
                      (contents if isinstance(contents, pikepdf.Array) else [contents] if contents else []))
    spaces = sorted((str(key), _family(value)) for key, value in
                    page.get("/Resources", {}).get("/ColorSpace", {}).items())
    group = _family(page.Group.get("/CS")) if "/Group" in page else None
    return hashlib.sha256(repr((spaces, group)).encode() + b"\0" + data).hexdigest(), b"Do" in data


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
