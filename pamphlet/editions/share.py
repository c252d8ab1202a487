"""Share images: a leaflet piece (or the whole pamphlet) as pictures to post, portrait 1080×1350 and link-preview
1200×630, laid out from layouts/share.html by WeasyPrint and rasterised pixel for pixel by pdfium, with alt text."""

import io
import json
import re

import pypdfium2
from lxml import html as lxml_html
from markupsafe import Markup
from PIL import PngImagePlugin

from ..errors import BuildError

SIZES = ((1080, 1350), (1200, 630))
# The safe area: nothing is drawn nearer the edge than this (pixels), where apps crop or lay their buttons.
INSETS = {(1080, 1350): 80, (1200, 630): 48}
OVERHANG = 6  # pixels more for the page's margin: a glyph's ink may stand a little outside its box
SCALES = (1.3, 1.15, 1, 0.92, 0.85, 0.78, 0.72)  # sizes tried, largest first; 0.72 keeps the smallest text at 26 px
DEMANDS_SHOWN = 3     # at most this many demands, fewer if they do not fit
QUOTE_LIMIT = 240     # characters of the opening quoted when the piece has no demands and no share_quote
PX = 72 / 96          # PDF points in a CSS pixel


def image_name(slug, piece_id, size):
    """The file of a share image in the web edition's folder (piece_id None: the whole pamphlet)."""
    stem = slug if piece_id is None else f"{slug}-{piece_id}"
    return f"share/{stem}-{size[0]}x{size[1]}.png"


def make(tools, job):
    renderer = tools.renderer
    slug = renderer.pamphlet.slug
    content = share_content(renderer, job.piece)
    base = job.files[0].rsplit("/share/", 1)[0]
    files = {}
    for size in SIZES:
        name = f"{base}/{image_name(slug, job.piece, size)}"
        files[name], shown = picture(tools, content, size)
        files[name.removesuffix(".png") + ".txt"] = (alt_text(shown) + "\n").encode("utf-8")
    return files


def share_content(renderer, piece_id):
    """What a share image shows: organisation, title, a lead and demands or a quote, date, the url."""
    front = renderer.front
    content = {"organisation": front["publisher"], "url": front["url"], "lead": "", "demands": [], "quote": ""}
    if piece_id is None:
        content.update(title=front["title"], date=front["date"],
                       quote=front["share_quote"] or front["subtitle"])
        return content
    piece = next(piece for piece in renderer.pieces if piece["id"] == piece_id)
    content.update(title=piece["title"], date=piece["date"] or front["date"])
    if piece["authors"]:
        content["organisation"] = Markup(", ").join(piece["authors"])
    if piece["share_quote"]:
        content["quote"] = piece["share_quote"]
        return content
    lead, demands = first_demands(piece["epub_body"])
    if demands:
        content.update(lead=lead, demands=demands)
    else:
        content["quote"] = opening(piece["epub_body"])
    return content


def first_demands(body):
    """(the words before the list, [each demand's HTML]) of the piece's first demands block, or ("", [])."""
    root = lxml_html.fragment_fromstring(_plain(body), create_parent="div")
    block = next(iter(root.xpath('.//div[contains(concat(" ", @class, " "), " demands ")]')), None)
    if block is None:
        return "", []
    lead = next((Markup(_inner(p)) for p in block.iter("p")), "")
    items = [Markup(_inner(item)) for item in block.xpath(".//li")]
    return lead, items


def opening(body, limit=QUOTE_LIMIT):
    """The piece's first paragraph as plain text, cut at a word within limit characters."""
    root = lxml_html.fragment_fromstring(_plain(body), create_parent="div")
    paragraph = next(iter(root.xpath(".//p")), None)
    text = re.sub(r"\s+", " ", paragraph.text_content() if paragraph is not None else root.text_content()).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"
    return text


def _plain(body):
    """The body without soft hyphens and note calls: words as a picture shows them."""
    body = re.sub(r'<a class="noteref"[^>]*>.*?</a>', "", str(body))
    return body.replace("\u00ad", "")


def _inner(element):
    """The element's content as HTML (its inline markup kept)."""
    return (element.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in element)


def alt_text(content):
    """The words of the picture, in reading order, for whoever cannot see it (to paste with the post)."""
    parts = [content["organisation"], content["title"]]
    if content["demands"]:
        parts += [content["lead"], *content["demands"]]
    elif content["quote"]:
        parts.append(content["quote"])
    parts.append(content["date"])
    text = " ".join(_sentence(Markup(part).striptags()) for part in parts if part)
    return text + (f" {content['url']}" if content["url"] else "")


def preview_alt(renderer, piece_id):
    """A short description of a piece's (or the pamphlet's) share images for a link preview: words they all show."""
    content = share_content(renderer, piece_id)
    return " ".join(_sentence(Markup(content[key]).striptags()) for key in ("organisation", "title", "date")
                    if content[key])


def _sentence(text):
    text = text.strip()
    return text if re.search(r"[.!?…:»”\"]$", text) else text + "."


def picture(tools, content, size):
    """(the PNG at size, the content it shows): at the largest of SCALES at which everything fits the safe area
    on one page; fewer demands only when they do not fit at the smallest."""
    renderer = tools.renderer
    width, height = size
    inset = INSETS[size]
    demands = content["demands"]
    counts = range(min(len(demands), DEMANDS_SHOWN), 0, -1) if demands else [0]
    for count in counts:
        for scale in SCALES:
            shown = {**content, "demands": demands[:count]}
            document = tools.pdf.layout(renderer.render(
                "share.html", share={**shown, "width": width, "height": height, "inset": inset + OVERHANG,
                                  "scale": scale}),
                source="share.html", pages_at_most=1)
            if document is not None and len(document.pages) == 1:
                return _png(tools.pdf.to_bytes(document, "share.html"), size, inset), shown
    raise BuildError.single(renderer.pamphlet.folder, f"'{Markup(content['title']).striptags()}': its share image "
                            f"cannot hold its title and words at {width}×{height}; set a shorter share_quote")


def _png(pdf, size, inset):
    """The one-page PDF rasterised at its size in pixels; where its words are (pixels) kept in the PNG's text."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=1 / PX).to_pil().convert("RGB")
    assert image.size == size, (image.size, size)
    textpage = page.get_textpage()
    height = page.get_height()
    lines = []
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        box = [round(left / PX), round((height - top) / PX), round(right / PX), round((height - bottom) / PX)]
        lines.append({"box": box, "text": textpage.get_text_bounded(left, bottom, right, top)})
    # The height of the smallest glyph's line box (the font's ascent and descent: the size the text is set in).
    smallest = min(textpage.get_charbox(index, loose=True)[3] - textpage.get_charbox(index, loose=True)[1]
                   for index in range(textpage.count_chars()) if not textpage.get_text_range(index, 1).isspace())
    info = PngImagePlugin.PngInfo()
    info.add_text("smallest-text", f"{smallest / PX:.0f}")
    info.add_text("safe-area", json.dumps([inset, inset, size[0] - inset, size[1] - inset]))
    info.add_text("lines", json.dumps(lines, ensure_ascii=False))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
