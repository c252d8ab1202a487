"""Prepares the print PDF for a print shop: page boxes from a zero origin, no annotations, crop marks on request."""

import io

import pydyf
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NullObject, RectangleObject)

from .units import MM

MARK_LENGTH = 5 * MM
MARK_GAP = 1 * MM      # between the bleed box and the start of a crop mark
SLUG = MARK_GAP + MARK_LENGTH + 2 * MM


def press_ready(pdf_bytes, crop_marks=False):
    """Move every page's boxes to a zero origin (WeasyPrint puts the MediaBox at minus the bleed,
    which some prepress tools show shifted) and, with crop_marks, draw marks outside the bleed."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # pypdf writes 1.3 otherwise; PDF/X-4 needs the 1.6 WeasyPrint wrote
    shifts = {}
    for page in writer.pages:
        media, trim = page.mediabox, page.trimbox
        bleed = (float(trim.left) - float(media.left), float(trim.bottom) - float(media.bottom),
                 float(media.right) - float(trim.right), float(media.top) - float(trim.top))
        margin = SLUG if crop_marks else 0
        dx = -float(media.left) + margin
        dy = -float(media.bottom) + margin
        # Wrap the content in a translation rather than rewrite it: nothing is parsed, so it is fast.
        contents = page.raw_get("/Contents")
        streams = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [writer._add_object(_stream(f"q 1 0 0 1 {dx:.6f} {dy:.6f} cm\n".encode())), *streams,
             writer._add_object(_stream(b"\nQ"))])
        width = float(media.width) + 2 * margin
        height = float(media.height) + 2 * margin
        trim_box = RectangleObject([float(trim.left) + dx, float(trim.bottom) + dy,
                                    float(trim.right) + dx, float(trim.top) + dy])
        page.mediabox = RectangleObject([0, 0, width, height])
        page.cropbox = RectangleObject([0, 0, width, height])
        page.trimbox = trim_box
        page.bleedbox = RectangleObject([trim_box.left - bleed[0], trim_box.bottom - bleed[1],
                                         trim_box.right + bleed[2], trim_box.top + bleed[3]])
        if "/Annots" in page:  # links mean nothing on paper, and PDF/X allows no annotation inside the bleed
            del page["/Annots"]
        if crop_marks:
            page[NameObject("/Contents")].append(writer._add_object(_stream(_crop_marks(page))))
        shifts[page.indirect_reference.idnum] = (dx, dy)
    _shift_destinations(writer._root_object, shifts, set())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_labels(numbers):
    """A WeasyPrint finisher giving the PDF's pages the labels numbers (viewers show them instead of 1, 2, 3…)."""
    def finish(document, pdf):
        ranges = pydyf.Array()
        for index, number in enumerate(numbers):
            if index == 0 or number != numbers[index - 1] + 1:
                ranges.extend([index, pydyf.Dictionary({"S": "/D", "St": number})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": ranges})
    return finish


def _shift_destinations(obj, shifts, seen):
    """Explicit destinations [page /XYZ left top zoom] point into page space, so they move with the pages."""
    if hasattr(obj, "idnum"):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, ArrayObject):
        if (len(obj) >= 4 and obj[1] == "/XYZ" and hasattr(obj[0], "idnum") and obj[0].idnum in shifts):
            dx, dy = shifts[obj[0].idnum]
            if not isinstance(obj[2], NullObject):
                obj[2] = FloatObject(float(obj[2]) + dx)
            if not isinstance(obj[3], NullObject):
                obj[3] = FloatObject(float(obj[3]) + dy)
            return
        for item in obj:
            _shift_destinations(item, shifts, seen)
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key not in ("/Parent", "/P", "/Prev", "/Next", "/Last", "/Contents", "/Resources"):
                _shift_destinations(value, shifts, seen)


def _crop_marks(page):
    """Thin registration lines on the trim lines, starting outside the bleed so they never print on the piece."""
    trim, bleed = page.trimbox, page.bleedbox
    lines = []
    for x in (float(trim.left), float(trim.right)):
        for y_from, direction in ((float(bleed.bottom), -1), (float(bleed.top), 1)):
            start = y_from + direction * MARK_GAP
            lines.append((x, start, x, start + direction * MARK_LENGTH))
    for y in (float(trim.bottom), float(trim.top)):
        for x_from, direction in ((float(bleed.left), -1), (float(bleed.right), 1)):
            start = x_from + direction * MARK_GAP
            lines.append((start, y, start + direction * MARK_LENGTH, y))
    ops = ["q", "0.25 w", "1 1 1 1 K"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in lines]
    ops.append("Q")
    return "\n".join(ops).encode()


def _stream(data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode(level=9)
