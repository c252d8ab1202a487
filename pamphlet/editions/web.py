"""The web edition: a folder with an index (cover, contents, imprint) and one HTML page per piece, with the fonts,
the cover and the images beside them, rendered from the layouts; it reads without scripts, from a server or files."""

import html
import io
import re

from markupsafe import Markup
from PIL import Image

from ..sources import images
from ..render.templates import ANCHOR, ANCHOR_LINK
from . import share

STYLESHEETS = ("common.css", "web.css")
EPUB_TYPE = re.compile(r'\sepub:type="[^"]*"')  # EPUB's vocabulary: not an attribute HTML has
# Blocks reached by a stable address: the first demands of statement-smk.html is statement-smk.html#demands.
BLOCK = re.compile(r'<div class="(demands|postscript)">')
TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
TABLE_ID = re.compile(r'<table id="([^"]+)"')
SHARE_SIZE = share.SIZES[1]  # the link-preview picture


def make(tools, job, epub_fonts, epub_cover):
    renderer = tools.renderer
    pamphlet = renderer.pamphlet
    base = job.files[0].rsplit("/", 1)[0]  # the edition's folder, as the registry names it
    names = images.epub_names(list(dict.fromkeys(renderer.images.values())), pamphlet.folder)
    files = {f"{base}/{name}": images.for_screens(path) for path, name in names.items()}
    urls = {src: names[path] for src, path in renderer.images.items()}
    files[f"{base}/cover.png"] = epub_cover
    with Image.open(io.BytesIO(epub_cover)) as cover:
        cover_size = cover.size
    for name, data in epub_fonts.files:
        files[f"{base}/{name}"] = data
    files[f"{base}/css/fonts.css"] = epub_fonts.stylesheet.encode("utf-8")
    for name in STYLESHEETS:
        files[f"{base}/css/{name}"] = (renderer.layouts / name).read_bytes()

    pieces = web_pieces(renderer.pieces)
    front = renderer.front
    leaflets = {piece["id"] for piece in pieces if piece["leaflet"]}
    description = front["description"] or front["plain_title"]

    def page(name, **context):
        share_id = context["piece"]["id"] if context.get("piece") and context["piece"]["id"] in leaflets else None
        files[f"{base}/{name}"] = renderer.render(
            "web-page.html", images=urls, pieces=pieces, canonical=address(pamphlet.url, name),
            share=share_image(renderer, share_id), keywords=pamphlet.keywords, **context).encode("utf-8")

    page("index.html", piece=None, page_title=front["plain_title"], share_title=front["plain_title"],
         description=description, author=pamphlet.byline, cover_size=cover_size)
    for number, piece in enumerate(pieces):
        page(f"{piece['id']}.html", piece=piece, page_title=f"{piece['plain_title']} — {front['plain_title']}",
             share_title=piece["plain_title"], description=piece["summary"] or description,
             author=", ".join(piece["plain_authors"]) or pamphlet.byline, cover_size=cover_size,
             previous=pieces[number - 1] if number else None,
             next=pieces[number + 1] if number + 1 < len(pieces) else None)
    return files


def address(url, name):
    """The page's address under the manifest's url (where the folder is published), or None without one."""
    if not url:
        return None
    return url.rstrip("/") + "/" + ("" if name == "index.html" else name)


def share_image(renderer, piece_id):
    """What a page's link preview shows: the piece's share image (a leaflet piece) or the pamphlet's."""
    pamphlet = renderer.pamphlet
    name = share.image_name(pamphlet.slug, piece_id, SHARE_SIZE)
    return {"src": address(pamphlet.url, name) or name, "width": SHARE_SIZE[0], "height": SHARE_SIZE[1],
            "alt": share.preview_alt(renderer, piece_id)}


def web_pieces(pieces):
    """The pieces with their HTML for the web: the EPUB's body without epub:type, each link to an anchor of
    another piece pointing at that piece's page, a stable id on each piece's demands and postscript."""
    owner = {}
    for piece in pieces:
        own = (piece["id"], f"{piece['id']}-title", f"{piece['id']}-signed")
        for anchor in (*own, *ANCHOR.findall(piece["epub_body"])):
            owner.setdefault(html.unescape(anchor), piece["id"])
    found = []
    for piece in pieces:
        body = EPUB_TYPE.sub("", str(piece["epub_body"]))
        taken = set(ANCHOR.findall(body)) | {piece["id"], f"{piece['id']}-title", f"{piece['id']}-notes"}

        def link(match, here=piece["id"]):
            target = owner.get(html.unescape(match.group(1)))
            return match.group(0) if target in (None, here) else f'href="{target}.html#{match.group(1)}"'

        def block_id(match, taken=taken):
            name, number = match.group(1), 1
            while (candidate := name if number == 1 else f"{name}-{number}") in taken:
                number += 1
            taken.add(candidate)
            return f'<div class="{name}" id="{candidate}">'

        body = TABLE.sub(_framed, BLOCK.sub(block_id, ANCHOR_LINK.sub(link, body)))
        found.append({**piece, "web_body": Markup(body), "summary": share.opening(body, 200),
                      "plain_authors": [author.striptags() for author in piece["authors"]]})
    return found


def _framed(match):
    """A table in a frame that scrolls sideways on a narrow screen, reachable by keyboard, named by its caption."""
    table, name = match.group(0), ""
    table_id = TABLE_ID.match(table)
    if table_id and "<caption>" in table:
        table = table.replace("<caption>", f'<caption id="{table_id.group(1)}-caption">', 1)
        name = f' role="region" aria-labelledby="{table_id.group(1)}-caption"'
    return f'<div class="table-frame" tabindex="0"{name}>{table}</div>'
