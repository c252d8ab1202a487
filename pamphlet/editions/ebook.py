"""The EPUB 3: its font subsets and cover image (made in the second process), then the book itself, written with
ebooklib from the XHTML the layouts render and re-packed reproducibly."""

import io
import zipfile

from ebooklib import epub

from .. import editions
from ..errors import BuildError
from ..preflight.kindle import check_kindle, stylesheet_problems
from ..sources import images
from . import cover as cover_image
from . import subset as font_subsets
from .pagelist import mark_pages, page_starts

# Every entry gets this time, so the same sources give the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
STYLESHEETS = ("common.css", "epub.css")
FOLDER = "EPUB"  # the book's folder inside the zip (ebooklib's FOLDER_NAME, set so here)
XHTML = "application/xhtml+xml"
# What every pamphlet's EPUB offers; accessibility() adds what depends on its pieces.
ACCESSIBILITY = [
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "pageBreakMarkers"),
    ("schema:accessibilityFeature", "pageNavigation"),
    ("schema:accessibilityFeature", "printPageNumbers"),
    ("schema:accessibilityFeature", "alternativeText"),  # the cover's, and every image's (required by the checks)
    ("schema:accessibilityHazard", "none"),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
]


def fonts(tools, job):
    return font_subsets.epub_fonts(tools.renderer)


def cover(tools, job, print_pdf):
    return cover_image.cover_png(print_pdf)


def make(tools, job, print_layout, epub_fonts, epub_cover):
    renderer = tools.renderer
    anchors = {"cover", "title-page", "imprint", *(piece["id"] for piece in renderer.pieces)}
    book = write_epub(renderer, stamp=renderer.stamp, cover=epub_cover, page_starts=page_starts(print_layout, anchors),
                      fonts=epub_fonts)
    # The one EPUB is also the one sent to Kindle: what Send to Kindle refuses or mangles fails the build.
    BuildError.raise_any(check_kindle(book, job.files[0]))
    return book


def check(tools, job):
    """What Send to Kindle refuses in the stylesheets the book carries from the layouts as they are, found before
    anything is laid out (check_kindle reads them again in the finished book, with everything else)."""
    return [problem for file_name, css in stylesheets(tools.renderer)
            for problem in stylesheet_problems(f"{FOLDER}/{file_name}", css.decode("utf-8"), job.files[0])]


def stylesheets(renderer):
    """(file name in the book, bytes) of the layouts' stylesheets the book carries unchanged."""
    return [(f"css/{name}", (renderer.layouts / name).read_bytes()) for name in STYLESHEETS]


class _Writer(epub.EpubWriter):
    def _write_opf_file(self, root):
        # ebooklib leaves the package without a language; Ace and reading systems want it there.
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)


def write_epub(renderer, stamp, cover, page_starts, fonts):
    """Build the book from the renderer's pages; return the EPUB's bytes.

    cover is the PNG of the print edition's front cover; page_starts (pagelist.PageStart) place the print
    edition's page numbers in the text; fonts (fonts.EpubFonts) are the font subsets to embed.
    """
    pamphlet = renderer.pamphlet
    labels = renderer.locale["labels"]
    book = epub.EpubBook()
    book.FOLDER_NAME = FOLDER
    book.set_identifier(pamphlet.identifier)
    title = renderer.front["plain_title"]  # as typeset: real quotes, as its heading shows it
    book.set_title(title)
    book.set_language(pamphlet.language)
    book.add_author(pamphlet.byline, uid="author-1")
    book.add_metadata("DC", "publisher", pamphlet.publisher)
    book.add_metadata("DC", "date", pamphlet.date.isoformat())
    print_edition = editions.file_name("print", pamphlet.slug)
    book.add_metadata("DC", "source", f"{title} (print edition, {print_edition})")
    if renderer.front["description"]:
        book.add_metadata("DC", "description", renderer.front["description"])
    for subject in pamphlet.keywords:
        book.add_metadata("DC", "subject", subject)
    for prop, value in accessibility(renderer):
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(None, "meta", print_edition, {"property": "pageBreakSource"})
    # The same pamphlet in its other languages, each by its identifier (a file name would be taken for a
    # resource inside this book: EPUBCheck's RSC-007w)
    for language, _, identifier in pamphlet.siblings:
        book.add_metadata("DC", "relation", identifier)
        book.add_metadata(None, "link", None, {"rel": "alternate", "href": identifier, "hreflang": language,
                                               "media-type": "application/epub+zip"})

    image = epub.EpubItem(uid="cover-image", file_name="images/cover.png", media_type="image/png", content=cover)
    image.properties = ["cover-image"]
    book.add_item(image)
    # Older readers (Kindle among them) find the cover through this meta rather than the manifest property.
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})

    names = images.epub_names(list(dict.fromkeys(renderer.images.values())), pamphlet.folder)
    for number, (path, name) in enumerate(names.items(), start=1):
        book.add_item(epub.EpubItem(uid=f"image-{number}", file_name=name, media_type=images.media(path)[0],
                                    content=images.for_screens(path)))
    urls = {src: names[path] for src, path in renderer.images.items()}

    by_anchor = {}
    for start in page_starts:
        by_anchor.setdefault(start.anchor, []).append(start)
    documents = {}
    page_list = []

    def page(uid, file_name, title, anchor, **context):
        xhtml = renderer.render("epub-page.xhtml", images=urls, page_title=title, **context).encode("utf-8")
        if by_anchor.get(anchor):
            xhtml = mark_pages(xhtml, by_anchor[anchor])
            page_list.extend((start.page, f"{file_name}#page-{start.page}") for start in by_anchor[anchor])
        documents[file_name] = xhtml
        item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=xhtml)
        book.add_item(item)
        return item

    cover_page = page("cover", "cover.xhtml", title, "cover", page="cover")
    title_page = page("title", "title.xhtml", title, "title-page", page="title")
    imprint = page("imprint", "imprint.xhtml", labels["published_by"], "imprint", page="imprint")
    chapters = []
    toc = []
    for piece in renderer.pieces:
        file_name = f"{piece['id']}.xhtml"
        chapters.append(page(f"piece-{piece['id']}", file_name, piece["plain_title"], piece["id"],
                             page="piece", piece=piece))
        link = epub.Link(f"{file_name}#{piece['id']}", piece["plain_title"], f"toc-{piece['id']}")
        sections = [epub.Link(f"{file_name}#{anchor}", text, f"toc-{anchor}")
                    for level, anchor, text in piece["headings"] if level == 2]
        toc.append((epub.Section(piece["plain_title"], link.href), sections) if sections else link)
    book.toc = toc
    # The back cover's words end the book, as they end the print edition.
    back = [page("back-cover", "back-cover.xhtml", title, "back-cover", page="back")] if pamphlet.blurb else []

    nav = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type=XHTML, content=renderer.render(
        "epub-nav.xhtml", first_piece=chapters[0].file_name, page_list=sorted(page_list)).encode("utf-8"))
    nav.properties = ["nav"]
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    for number, (file_name, data) in enumerate(fonts.files, start=1):
        book.add_item(epub.EpubItem(uid=f"font-{number}", file_name=file_name, media_type="font/ttf", content=data))
    for name, (file_name, css) in zip(STYLESHEETS, stylesheets(renderer), strict=True):
        book.add_item(epub.EpubItem(uid=f"css-{name.split('.')[0]}", file_name=file_name, media_type="text/css",
                                    content=css))
    book.add_item(epub.EpubItem(uid="css-fonts", file_name="css/fonts.css", media_type="text/css",
                                content=fonts.stylesheet.encode("utf-8")))
    book.spine = [cover_page, title_page, imprint, nav, *chapters, *back]

    written = io.BytesIO()
    _Writer(written, book, {"mtime": stamp}).write()
    return _repack(written)


def accessibility(renderer):
    """The EPUB's accessibility metadata as (property, value): what the book offers and a summary in the
    pamphlet's language, from what its pieces hold (images beside the cover, tables, notes)."""
    labels, pieces = renderer.locale["labels"], renderer.pieces
    images = bool(renderer.images)
    tables = any("<table" in piece["epub_body"] for piece in pieces)
    notes = any(piece["notes"] for piece in pieces)
    # Every image has a text alternative (the checks require one), so the text alone is enough to read the book.
    modes, sufficient = (["textual", "visual"], ["textual", "textual,visual"]) if images else (["textual"], ["textual"])
    summary = [labels["accessibility_text_only"]] * (not images) + [labels["accessibility_summary"]] + [
        labels[key] for key, holds in (("accessibility_images", images), ("accessibility_tables", tables),
                                       ("accessibility_notes", notes)) if holds]
    return [*(("schema:accessMode", mode) for mode in modes),
            *(("schema:accessModeSufficient", mode) for mode in sufficient),
            *ACCESSIBILITY, ("schema:accessibilitySummary", " ".join(summary))]


def _repack(written):
    """Rewrite the zip with mimetype first and stored, other entries sorted, all with one fixed time."""
    return pack(entries(written))


def entries(book):
    """{name: bytes} of every file in an EPUB (a file-like object or bytes)."""
    with zipfile.ZipFile(io.BytesIO(book) if isinstance(book, bytes) else book) as source:
        return {info.filename: source.read(info) for info in source.infolist()}


def pack(entries):
    """An EPUB's bytes from {name: bytes}: mimetype first and stored, other entries sorted, all with one fixed
    time, so that the same files give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype", *sorted(n for n in entries if n != "mimetype")]:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()
