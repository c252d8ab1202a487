"""Imposes trimmed A5 pages two-up on A4 landscape sheets: the saddle-stitched booklet (with creep compensation,
in sections when long) and the leaflets."""

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           TextStringObject)

from ..units import A4_LANDSCAPE, MM


def page_count(pdf_bytes):
    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def saddle_stitch_order(count):
    """Sheet sides as (left, right) page numbers: [N|1], [2|N-1], [N-2|3], [4|N-3], …"""
    if count % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of 4 pages, not {count}")
    sides = []
    for sheet in range(count // 4):
        sides.append((count - 2 * sheet, 1 + 2 * sheet))
        sides.append((2 + 2 * sheet, count - 1 - 2 * sheet))
    return sides


# 80 g/m² office paper is about 0.1 mm thick (ISO 536 weight, ISO 534 caliper: 100–110 µm).
PAPER_THICKNESS_MM = 0.1
# At most 16 sheets (64 pages) folded together: 1.6 mm of office paper, which an ordinary long-reach stapler
# closes through the fold, and the innermost pages creep 1.5 mm at most. Longer texts come in sections.
MAX_SHEETS = 16
MARK = (2.5 * MM, 5 * MM)   # a collating mark: width across the fold, height along it
MARK_STEP = 7 * MM          # each section's mark this much lower than the one before
COVER_FRAME = 5 * MM        # the white edge round a booklet's cover sheet: wider than an office printer's margin
CUT_MARK = 8 * MM           # a leaflet sheet's cut mark: this long from the edge, less than a leaflet's margins
CUT_MARK_WIDTH = 0.5        # points


@dataclass(frozen=True)
class Side:
    """One side of a sheet: the pages on its left and right halves, how far each is moved towards the fold
    (creep, in points), the collating mark of a section's outside (its number from 0), if any, whether the
    cut between the halves is marked, and how wide a white frame is kept at the sheet's edges (points)."""
    left: object
    right: object
    creep: float = 0.0
    mark: int | None = None
    cut: bool = False
    frame: float = 0.0


def sections(count, max_sheets=MAX_SHEETS):
    """Page counts of the sections a booklet of count pages is folded in: as even as whole sheets allow."""
    sheets = count // 4
    number = -(-sheets // max_sheets)
    base, extra = divmod(sheets, number)
    return [4 * (base + (index < extra)) for index in range(number)]


def booklet(pdf_bytes, metadata=None, paper_thickness=None, max_sheets=MAX_SHEETS):
    """The print edition's pages, trimmed, in saddle-stitch order for duplex printing flipped on the short edge.

    Folded sheets nest, so each inner sheet's pages stand out further at the fore-edge than the sheet around
    it: each page is moved towards the fold by the paper's thickness times its sheet's depth (creep
    compensation). More than max_sheets sheets are imposed as sections, each folded on its own and stacked in
    order, with a collating mark on each section's fold, one step lower per section."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    paper_thickness = PAPER_THICKNESS_MM if paper_thickness is None else paper_thickness
    plan = sections(len(pages), max_sheets)
    sides, first = [], 0
    for number, count in enumerate(plan):
        for index, (left, right) in enumerate(saddle_stitch_order(count)):
            mark = number if len(plan) > 1 and index == 0 else None
            covers = {first + left - 1, first + right - 1} & {0, len(pages) - 1}
            sides.append(Side(pages[first + left - 1], pages[first + right - 1],
                              creep=(index // 2) * paper_thickness * MM, mark=mark, frame=COVER_FRAME if covers else 0))
        first += count
    return _two_up(sides, metadata)


def two_copies(pdf_bytes, metadata=None, cut_marks=False):
    """Each page twice, side by side: one cut down the middle of a duplex sheet gives two leaflets; cut_marks
    marks the cut at the top and bottom edges of the first side."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    return _two_up([Side(page, page, cut=cut_marks and index == 0) for index, page in enumerate(pages)], metadata)


def _two_up(sides, metadata):
    writer = PdfWriter()
    width, height = A4_LANDSCAPE
    forms = {}
    for side in sides:
        sheet = writer.add_blank_page(width=width, height=height)
        operations, xobjects = [], DictionaryObject()
        if side.frame:
            # An office printer cannot print to the sheet's edge: the covers' colour stops short of it all round,
            # so that the white edge is even rather than left by the printer at random widths.
            operations.append(f"q {side.frame:.4f} {side.frame:.4f} {width - 2 * side.frame:.4f} "
                              f"{height - 2 * side.frame:.4f} re W n")
        for page, x in ((side.left, 0), (side.right, 1)):
            key = id(page)
            if key not in forms:
                forms[key] = _trimmed_form(writer, page)
            trim = page.trimbox
            # A4 is 297 mm wide, two A5 pages 296 mm: centre the pair; the half-millimetre gaps fall outside the cut.
            offset_x = (width - 2 * float(trim.width)) / 2 + x * float(trim.width) - float(trim.left)
            offset_y = (height - float(trim.height)) / 2 - float(trim.bottom)
            name = f"/P{x}"
            xobjects[NameObject(name)] = forms[key]
            clip = ""
            if side.creep:
                offset_x += side.creep if x == 0 else -side.creep
                # What moves over the fold is cut off there, not drawn over the facing page's margin.
                clip = f"{x * width / 2:.4f} 0 {width / 2:.4f} {height:.4f} re W n "
            operations.append(f"q {clip}1 0 0 1 {offset_x:.4f} {offset_y:.4f} cm {name} Do Q")
        if side.frame:
            operations.append("Q")
        if side.mark is not None:
            top = height - 10 * MM - side.mark * MARK_STEP
            operations.append(f"q 0 0 0 1 k {(width - MARK[0]) / 2:.4f} {top - MARK[1]:.4f} "
                              f"{MARK[0]:.4f} {MARK[1]:.4f} re f Q")
        if side.cut:
            # Hairlines down the middle from each edge, in black (grey 0: a leaflet is for office printers, which
            # take no CMYK), inside both halves' empty top and bottom margins: the cut goes through them, and the
            # part an office printer cannot reach leaves the rest.
            operations.append(f"q 0 G {CUT_MARK_WIDTH:.2f} w "
                              f"{width / 2:.4f} 0 m {width / 2:.4f} {CUT_MARK:.4f} l "
                              f"{width / 2:.4f} {height:.4f} m {width / 2:.4f} {height - CUT_MARK:.4f} l S Q")
        sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
        sheet[NameObject("/Contents")] = writer._add_object(_stream("\n".join(operations).encode()))
    if metadata:
        metadata = dict(metadata)  # the caller's stays as it was
        lang = metadata.pop("/Lang", None)
        writer.add_metadata(metadata)
        if lang:
            writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _trimmed_form(writer, page):
    """The page as a Form XObject whose bounding box, its trim box, clips away the bleed.

    Drawing pages as forms copies their content without parsing it: far faster than merging pages.
    """
    contents = page.get_contents()
    form = _stream(contents.get_data() if contents is not None else b"")
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(float(v)) for v in page.trimbox),
        NameObject("/Resources"): page["/Resources"].get_object().clone(writer),
    })
    return writer._add_object(form)


def _stream(data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode(level=9)
