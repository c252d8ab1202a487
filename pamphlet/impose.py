"""Imposes trimmed A5 pages two-up on A4 landscape sheets: the saddle-stitched booklet and the leaflets."""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           TextStringObject)

from .units import A4_LANDSCAPE


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


def booklet(pdf_bytes, metadata=None):
    """The print edition's pages, trimmed, in saddle-stitch order for duplex printing flipped on the short edge."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    sides = [(pages[left - 1], pages[right - 1]) for left, right in saddle_stitch_order(len(pages))]
    return _two_up(sides, metadata)


def two_copies(pdf_bytes, metadata=None):
    """Each page twice, side by side: one cut down the middle of a duplex sheet gives two leaflets."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    return _two_up([(page, page) for page in pages], metadata)


def _two_up(sides, metadata):
    writer = PdfWriter()
    width, height = A4_LANDSCAPE
    forms = {}
    for left, right in sides:
        sheet = writer.add_blank_page(width=width, height=height)
        operations, xobjects = [], DictionaryObject()
        for page, x in ((left, 0), (right, 1)):
            key = id(page)
            if key not in forms:
                forms[key] = _trimmed_form(writer, page)
            trim = page.trimbox
            # A4 is 297 mm wide, two A5 pages 296 mm: centre the pair; the half-millimetre gaps fall outside the cut.
            offset_x = (width - 2 * float(trim.width)) / 2 + x * float(trim.width) - float(trim.left)
            offset_y = (height - float(trim.height)) / 2 - float(trim.bottom)
            name = f"/P{x}"
            xobjects[NameObject(name)] = forms[key]
            operations.append(f"q 1 0 0 1 {offset_x:.4f} {offset_y:.4f} cm {name} Do Q")
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
