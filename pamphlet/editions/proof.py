"""The proof sheet: every print page as a thumbnail, in spreads as the reader sees them, each page-makeup
finding circled and numbered and listed beneath, blank pages marked: one picture to look at before printing."""

import io
import json

import pypdfium2
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

PAGE_HEIGHT = 300          # pixels of a thumbnail
SPREADS_A_ROW = 4
GAP = 24                   # pixels between spreads and rows
MARGIN = 40
INK, MARK, PAPER, GREY = (0, 0, 0), (200, 0, 40), (255, 255, 255), (150, 150, 150)
PX = 0.75                  # CSS px to PDF points


def make(tools, job, print_makeup, print_pdf):
    findings, blank = print_makeup
    return proof_sheet(print_pdf, findings, blank)


def proof_sheet(pdf_bytes, findings, blank):
    """The PNG: pages in spreads (the first alone on the right, the last alone on the left), numbered."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    scales = {}

    def thumbnail(index):
        """The page drawn small, when it is pasted: a long text's thumbnails all at once took 30 MB more."""
        page = document[index]
        trim, media = page.get_trimbox(), page.get_mediabox()
        crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
        scales[index] = PAGE_HEIGHT / (trim[3] - trim[1])
        image = page.render(scale=scales[index], crop=crop).to_pil().convert("RGB")
        page.close()
        return image

    first = thumbnail(0)
    width = first.width
    count = len(document)
    spreads = [(None, 0)] + [(i, i + 1 if i + 1 < count else None) for i in range(1, count, 2)]
    font = ImageFont.load_default(18)  # Pillow's own: the same on every machine
    numbered = [(number, finding) for number, finding in enumerate(findings, start=1)]
    legend = [f"{number}. page {finding.page + 1}: {finding.describe()}" for number, finding in numbered] or \
        ["No page-makeup findings."]
    rows = -(-len(spreads) // SPREADS_A_ROW)
    label = 26
    sheet_width = 2 * MARGIN + SPREADS_A_ROW * 2 * width + (SPREADS_A_ROW - 1) * GAP
    sheet_height = 2 * MARGIN + rows * (PAGE_HEIGHT + label + GAP) + len(legend) * 24
    sheet = Image.new("RGB", (sheet_width, sheet_height), (225, 225, 225))
    draw = ImageDraw.Draw(sheet)
    places = {}
    for index, spread in enumerate(spreads):
        x = MARGIN + (index % SPREADS_A_ROW) * (2 * width + GAP)
        y = MARGIN + (index // SPREADS_A_ROW) * (PAGE_HEIGHT + label + GAP)
        for side, page in enumerate(spread):
            if page is None:
                continue
            left = x + side * width
            sheet.paste(first if page == 0 else thumbnail(page), (left, y))
            places[page] = (left, y)
            draw.text((left + width / 2, y + PAGE_HEIGHT + 4), str(page + 1), fill=INK, font=font, anchor="ma")
            if blank[page]:
                draw.text((left + width / 2, y + PAGE_HEIGHT / 2), "blank", fill=GREY, font=font, anchor="mm")
    marks = []
    for number, finding in numbered:
        left, top = places[finding.page]
        scale = scales[finding.page] * PX
        x, y, w, h = (value * scale for value in finding.box)
        box = tuple(round(v) for v in (left + x - 6, top + y - 6, left + x + w + 6, top + y + h + 6))
        draw.ellipse(box, outline=MARK, width=3)
        draw.text((box[2] + 2, box[1]), str(number), fill=MARK, font=font, anchor="lb")
        marks.append({"number": number, "page": finding.page + 1, "kind": finding.kind, "ring": box,
                      "text": finding.describe()})
    top = MARGIN + rows * (PAGE_HEIGHT + label + GAP)
    for line, text in enumerate(legend):
        draw.text((MARGIN, top + line * 24), text, fill=MARK if numbered else INK, font=font)
    # What is marked where, for whoever reads the picture by program (the tests do).
    info = PngImagePlugin.PngInfo()
    info.add_text("findings", json.dumps(marks))
    info.add_text("pages", json.dumps({page + 1: place for page, place in sorted(places.items())}))
    out = io.BytesIO()
    sheet.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
