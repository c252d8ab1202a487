"""Makes the print PDF ready for a print shop as it is written: page boxes from a zero origin, no links, crop marks."""

import pydyf

from ..units import MM

MARK_LENGTH = 5 * MM
MARK_GAP = 1 * MM      # between the bleed box and the start of a crop mark
SLUG = MARK_GAP + MARK_LENGTH + 2 * MM


def press_ready(crop_marks=False):
    """A WeasyPrint finisher moving every page's boxes to a zero origin (WeasyPrint puts the MediaBox at minus the
    bleed, which some prepress tools show shifted) and, with crop_marks, drawing marks outside the bleed.

    It works on the PDF's objects before they are written, so the PDF is written once: reading it back and
    writing it again (with pypdf) took longer than writing a long text's kept pages."""
    margin = SLUG if crop_marks else 0

    def finish(document, pdf):
        streams, shifts = {}, {}

        def stream(data):  # pages of one size share their wrapping streams: one object each, not one a page
            if data not in streams:
                streams[data] = pydyf.Stream([data], compress=True)
                pdf.add_object(streams[data])
            return streams[data].reference

        for reference in pdf.page_references:
            page = pdf.objects[int(reference.split()[0])]
            media, trim = [float(v) for v in page["MediaBox"]], [float(v) for v in page["TrimBox"]]
            bleed = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
            dx, dy = margin - media[0], margin - media[1]
            width, height = media[2] - media[0] + 2 * margin, media[3] - media[1] + 2 * margin
            trim = [trim[0] + dx, trim[1] + dy, trim[2] + dx, trim[3] + dy]
            bleed_box = [trim[0] - bleed[0], trim[1] - bleed[1], trim[2] + bleed[2], trim[3] + bleed[3]]
            # Wrap the content in a translation rather than rewrite it: the page's own stream stays as drawn. The
            # streams are read as one, so each break between them is white space (as between any two operators).
            after = b"\nQ" + (b"\n" + _crop_marks(trim, bleed_box) if crop_marks else b"")
            page["Contents"] = pydyf.Array([stream(f"q 1 0 0 1 {dx:.6f} {dy:.6f} cm\n".encode()), page["Contents"],
                                            stream(after)])
            page["MediaBox"] = pydyf.Array([0, 0, width, height])
            page["CropBox"] = pydyf.Array([0, 0, width, height])
            page["TrimBox"], page["BleedBox"] = pydyf.Array(trim), pydyf.Array(bleed_box)
            # Links mean nothing on paper, and PDF/X allows no annotation inside the bleed: each is emptied too,
            # so that none is left in the file unused.
            for annotation in page.pop("Annots", ()):
                pdf.objects[int(annotation.split()[0])].clear()
            shifts[reference] = (dx, dy)
        _shift_destinations(pdf.objects, shifts, set())
    return finish


def one_box():
    """A WeasyPrint finisher giving each page one box, its MediaBox (a screen has no trim or bleed: the centred
    pages of the screen PDF have their MediaBox moved, which WeasyPrint's other boxes do not follow)."""
    def finish(document, pdf):
        for reference in pdf.page_references:
            page = pdf.objects[int(reference.split()[0])]
            for name in ("CropBox", "TrimBox", "BleedBox", "ArtBox"):
                page[name] = pydyf.Array(page["MediaBox"])
    return finish


def page_labels(numbers):
    """A WeasyPrint finisher giving the PDF's pages the labels numbers (viewers show them instead of 1, 2, 3…)."""
    def finish(document, pdf):
        ranges = pydyf.Array()
        for index, number in enumerate(numbers):
            if index == 0 or number != numbers[index - 1] + 1:
                ranges.extend([index, pydyf.Dictionary({"S": "/D", "St": number})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": ranges})
    return finish


def _shift_destinations(objects, shifts, seen):
    """Explicit destinations [page /XYZ left top zoom] (named destinations, bookmarks) point into page space, so
    they move with the pages."""
    for obj in objects:
        if id(obj) in seen or not isinstance(obj, list | dict) or isinstance(obj, pydyf.Stream):
            continue
        seen.add(id(obj))
        if isinstance(obj, list) and len(obj) >= 4 and obj[1] == "/XYZ" and obj[0] in shifts:
            dx, dy = shifts[obj[0]]
            if isinstance(obj[2], int | float):
                obj[2] += dx
            if isinstance(obj[3], int | float):
                obj[3] += dy
            continue
        _shift_destinations(obj.values() if isinstance(obj, dict) else obj, shifts, seen)


def _crop_marks(trim, bleed):
    """Thin registration lines on the trim lines, starting outside the bleed so they never print on the piece."""
    lines = []
    for x in (trim[0], trim[2]):
        for y_from, direction in ((bleed[1], -1), (bleed[3], 1)):
            start = y_from + direction * MARK_GAP
            lines.append((x, start, x, start + direction * MARK_LENGTH))
    for y in (trim[1], trim[3]):
        for x_from, direction in ((bleed[0], -1), (bleed[2], 1)):
            start = x_from + direction * MARK_GAP
            lines.append((start, y, start + direction * MARK_LENGTH, y))
    ops = ["q", "0.25 w", "1 1 1 1 K"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in lines]
    ops.append("Q")
    return "\n".join(ops).encode()
