"""Rasterises the print edition's front cover, trimmed, as the EPUB's cover image: one design for both."""

import io
import math

import pypdfium2

MIN_LONG_SIDE = 1600  # pixels; what e-book shops and readers ask for at least


def cover_png(pdf_bytes):
    """PNG of the first page of a press PDF, cut at its trim box, at least MIN_LONG_SIDE pixels on the long side."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        media = page.get_mediabox()
        trim = page.get_trimbox()
        crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
        long_side = max(trim[2] - trim[0], trim[3] - trim[1])
        scale = math.ceil(MIN_LONG_SIDE / long_side * 100) / 100
        image = page.render(scale=scale, crop=crop).to_pil().convert("RGB")
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
