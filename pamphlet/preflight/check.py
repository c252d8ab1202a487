"""Preflight: checks every print file after it is made and fails the build on what a print shop would reject."""

import hashlib
import io
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil
from pathlib import Path
from urllib.parse import unquote

import pikepdf

from ..errors import Problem
from ..engine.pdf import boxes
from ..units import MM

PX = 0.75                  # CSS px to PDF points
SAFE_ZONE = 5 * MM         # no text this close to the trim edge
MIN_DPI = 300
TOLERANCE = 0.5            # points


class Findings:
    """What the checks found in each page of the last build, kept by watch mode so that a rebuild checks only the
    pages an edit changed: a laid-out page's findings by the page itself (WeasyPrint's page, which nothing changes
    once laid out; the parts kept from the last build keep their pages), a PDF page's colour problems by a digest of
    its content and of the colour spaces that content names."""

    def __init__(self):
        self.pages = weakref.WeakKeyDictionary()
        self.colours = {}
        self.pages_checked = 0   # laid-out pages the last check_layout looked through; the others' findings kept
        self.streams_parsed = 0  # PDF pages whose content the last check_pdfx parsed; the others' problems kept

    def page(self, page):
        facts = self.pages.get(page)
        if facts is None:
            facts = self.pages[page] = _page_facts(page)
            self.pages_checked += 1
        return facts


@dataclass
class _PageFacts:
    """What the layout checks find on one laid-out page, without its number (the document it is in gives that)."""
    lines: list = field(default_factory=list)     # (where, by how many points, its text) of each line out of place
    images: list = field(default_factory=list)    # (data-source, file name, mm wide, dpi) of each image under 300 dpi
    tables: list = field(default_factory=list)    # (data-source, mm too wide) of each table too wide for the page
    called: list = field(default_factory=list)    # notes called in the text, in order
    sources: dict = field(default_factory=dict)   # data-source of each note set in the text
    printed: list = field(default_factory=list)   # notes printed at the foot of the page
    too_long: set = field(default_factory=set)    # those of them that run off the page


def check_layout(document, name, findings=None):
    """Lines of text inside their page's text area (running heads and folios: outside the 5 mm safe zone);
    images at 300 dpi or more at their printed size; tables no wider than the text block; notes on their call's
    page or the next. findings: what was found in pages checked before (watch mode), which are not looked
    through again."""
    findings = findings or Findings()
    findings.pages_checked = 0
    facts = [findings.page(page) for page in document.pages]
    problems, seen = [], set()
    for page in facts:
        for source, over in page.tables:
            if source not in seen:
                seen.add(source)
                problems.append(Problem(*_source(source, (Path("?"), None)),
                                        f"this table is {over:.1f} mm too wide for the page even in its smallest "
                                        "type; give it fewer columns, shorten the longest words or numbers in its "
                                        "cells, or split it in two"))
    for number, page in enumerate(facts, start=1):
        for what, over, line in page.lines:
            problems.append(Problem(name, None, f"page {number}: text {what} by {over / MM:.1f} mm: “{line}”; "
                                                "shorten it or let it break"))
        for source, src, wide, dpi in page.images:
            problems.append(Problem(*_source(source, (name, None)),
                                    f"image '{unquote(src)}' prints {wide:.0f} mm wide at {dpi:.0f} dpi (page "
                                    f"{number}); a print shop needs {MIN_DPI} dpi: use a version at least "
                                    f"{ceil(wide / 25.4 * MIN_DPI)} pixels wide"))
    return problems + _note_problems(facts, name)


def _page_facts(page):
    """One walk through a page's boxes for everything check_layout looks for."""
    facts, page_box = _PageFacts(), page._page_box
    safe = SAFE_ZONE / PX
    left, top = page_box.content_box_x(), page_box.content_box_y()
    text_area = (left, top, left + page_box.width, top + page_box.height)
    right = left + page_box.width
    reported = set()
    for table in _wide_tables(page_box):
        facts.tables.append((_data_source(table), (table.position_x + table.margin_width() - right) * PX / MM))
        reported.update(id(box) for box in table.descendants())  # named by its file and line instead
    for child in page_box.children:
        in_notes = isinstance(child, boxes.FootnoteAreaBox)
        if isinstance(child, boxes.MarginBox):
            bounds, what = (safe, safe, page.width - safe, page.height - safe), \
                "within 5 mm of the trim edge (the safe zone)"
        else:
            bounds, what = text_area, "outside the page's text area"
        for box in child.descendants():
            _note_facts(box, in_notes, text_area, facts)
            if in_notes or id(box) in reported:
                continue  # notes that do not fit are named by the notes' check
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
                    facts.lines.append((what, over, " ".join(t.text.strip() for t in texts)[:40]))
            elif isinstance(box, (boxes.InlineReplacedBox, boxes.BlockReplacedBox)):
                facts.images += _low_resolution(box)
    return facts


def _low_resolution(box):
    """An image printed at less than 300 dpi: (its data-source, its file name, mm wide, dpi)."""
    pixels = getattr(box.replacement, "width", None)
    if not pixels or not box.width or pixels / (box.width / 96) >= MIN_DPI - 1:
        return []
    src = (box.element.get("src", "") if box.element is not None else "").rpartition("/")[2]
    return [(_data_source(box), src, box.width * PX / MM, pixels / (box.width / 96))]


def _data_source(box):
    return box.element.get("data-source", "") if box.element is not None else ""


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


def _note_facts(box, in_notes, text_area, facts):
    """A note's call, a note set in the text, or a note printed at the foot of the page (and whether it runs off)."""
    element = box.element
    if element is None or element.get("class") not in ("noteref", "note"):
        return
    if element.get("class") == "noteref" and not in_notes:
        facts.called.append(element.get("href", "").lstrip("#"))
    elif element.get("class") == "note" and not in_notes:
        facts.sources[element.get("id")] = element.get("data-source", "")
    elif element.get("class") == "note" and in_notes:
        facts.printed.append(element.get("id"))
        top, bottom = text_area[1], text_area[3]
        lines = [line for line in box.descendants() if isinstance(line, boxes.LineBox)]
        if any(line.position_y < top - TOLERANCE / PX
               or line.position_y + line.height - bottom > TOLERANCE / PX for line in lines):
            facts.too_long.add(element.get("id"))  # WeasyPrint let it run off the page


def _note_problems(facts, name):
    """Every note called on a page is printed once, at the foot of that page or of the next."""
    called, printed, sources, too_long = {}, {}, {}, set()
    for number, page in enumerate(facts, start=1):
        for note in page.called:
            called.setdefault(note, number)
        sources.update(page.sources)
        for note in page.printed:
            printed.setdefault(note, set()).add(number)
        too_long |= page.too_long
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
