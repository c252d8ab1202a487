"""The EPUB 3: its font subsets and cover image (made in the second process), then the book itself."""

from . import cover as cover_image
from . import subset as font_subsets
from .epub_package import write_epub
from .pagelist import page_starts


def fonts(tools, job):
    return font_subsets.epub_fonts(tools.renderer)


def cover(tools, job, print_pdf):
    return cover_image.cover_png(print_pdf)


def make(tools, job, print_layout, epub_fonts, epub_cover):
    renderer = tools.renderer
    anchors = {"cover", "title-page", "imprint", *(piece["id"] for piece in renderer.pieces)}
    return write_epub(renderer, stamp=renderer.stamp, cover=epub_cover, page_starts=page_starts(print_layout, anchors),
                      fonts=epub_fonts)
