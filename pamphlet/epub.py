"""Writes the EPUB 3 with ebooklib from XHTML the layouts render, then re-packs it reproducibly."""

import datetime
import zipfile
from pathlib import Path

from ebooklib import epub

# Every entry gets this time, so the same sources give the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
STYLESHEETS = ("common.css", "epub.css")


class _Writer(epub.EpubWriter):
    def _write_opf_file(self, root):
        # ebooklib leaves the package without a language; Ace and reading systems want it there.
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)


def write_epub(renderer, path, cover):
    """Build the book from the renderer's pages and write it to path (a temporary file).

    cover is the PNG of the print edition's front cover.
    """
    pamphlet = renderer.pamphlet
    book = epub.EpubBook()
    book.set_identifier(pamphlet.identifier)
    book.set_title(pamphlet.title)
    book.set_language(pamphlet.language)
    book.add_author(pamphlet.byline, uid="author-1")
    book.add_metadata("DC", "publisher", pamphlet.publisher)
    book.add_metadata("DC", "date", pamphlet.date.isoformat())
    if pamphlet.subtitle:
        book.add_metadata("DC", "description", pamphlet.subtitle)

    for name in STYLESHEETS:
        book.add_item(epub.EpubItem(uid=f"css-{Path(name).stem}", file_name=f"css/{name}",
                                    media_type="text/css", content=(renderer.layouts / name).read_bytes()))

    def page(uid, file_name, title, **context):
        xhtml = renderer.render("epub-page.xhtml", page_title=title, **context)
        item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                             content=xhtml.encode("utf-8"))
        book.add_item(item)
        return item

    image = epub.EpubItem(uid="cover-image", file_name="images/cover.png", media_type="image/png", content=cover)
    image.properties = ["cover-image"]
    book.add_item(image)
    # Older readers (Kindle among them) find the cover through this meta rather than the manifest property.
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    cover_page = page("cover", "cover.xhtml", pamphlet.title, page="cover")
    title_page = page("title", "title.xhtml", pamphlet.title, page="title")
    imprint = page("imprint", "imprint.xhtml", renderer.locale["labels"]["published_by"], page="imprint")
    chapters = []
    toc = []
    for piece in renderer.pieces:
        file_name = f"{piece['id']}.xhtml"
        chapters.append(page(f"piece-{piece['id']}", file_name, piece["plain_title"], page="piece", piece=piece))
        link = epub.Link(f"{file_name}#{piece['id']}", piece["plain_title"], f"toc-{piece['id']}")
        sections = [epub.Link(f"{file_name}#{anchor}", text, f"toc-{anchor}")
                    for level, anchor, text in piece["headings"] if level == 2]
        toc.append((epub.Section(piece["plain_title"], link.href), sections) if sections else link)
    book.toc = toc

    nav = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type="application/xhtml+xml",
                        content=renderer.render("epub-nav.xhtml", first_piece=chapters[0].file_name)
                        .encode("utf-8"))
    nav.properties = ["nav"]
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.spine = [cover_page, title_page, imprint, nav, *chapters]

    modified = datetime.datetime.combine(pamphlet.date, datetime.time(), datetime.timezone.utc)
    _Writer(str(path), book, {"mtime": modified}).write()
    _repack(path)


def _repack(path):
    """Rewrite the zip with mimetype first and stored, other entries sorted, all with one fixed time."""
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w") as target:
        for name in ["mimetype", *sorted(n for n in entries if n != "mimetype")]:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, entries[name], compresslevel=9)
