"""Every private internal of a library the build relies on, named: after an upgrade the test of the one gone or
changed fails with its name (pyproject.toml bounds these libraries below their next breaking release)."""

import inspect
import logging

import pytest

from conftest import ROOT


def parameters(function):
    return list(inspect.signature(function).parameters)


@pytest.fixture(scope="module")
def drawn():
    """A small document laid out and written by WeasyPrint with a picture and a tagged note, with what writing it
    handed to Page.paint (the page and its stream) and what the log said."""
    from weasyprint import HTML
    from weasyprint.document import Page

    picture = (ROOT / "tests" / "fixtures" / "notes-en" / "march.png").as_uri()
    html = (f'<p>Text<span class="note" id="n1">A note.</span></p><img src="{picture}" style="width:20mm">'
            '<p style="break-before: page">Two</p>')
    seen, records = [], []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("weasyprint.progress")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    paint = Page.paint

    def recording(page, stream, scale=1):
        seen.append((page, stream))
        paint(page, stream, scale)

    Page.paint = recording
    try:
        document = HTML(string=html, base_url=str(ROOT)).render()
        document.write_pdf(pdf_tags=True)
    finally:
        Page.paint = paint
        logger.removeHandler(handler)
        logger.setLevel(level)
    return document, seen, [record.getMessage() for record in records]


def test_weasyprint_page_paint(drawn):
    """engine.painted replaces Page.paint(page, stream, scale) while it writes the print PDF."""
    from weasyprint.document import Page
    assert parameters(Page.paint) == ["self", "stream", "scale"], "weasyprint.document.Page.paint changed"
    assert len(drawn[1]) == 2, "Page.paint is no longer called once per page"


def test_weasyprint_page_box(drawn):
    """page._page_box (engine.pdf, engine.parts, preflight.layout, editions.leaflets): the laid-out boxes."""
    from weasyprint.formatting_structure import boxes
    page = drawn[0].pages[0]
    assert isinstance(getattr(page, "_page_box", None), boxes.PageBox), "Page._page_box is gone"
    assert callable(page._page_box.descendants) and page._page_box.children, "PageBox.descendants/children changed"
    assert hasattr(boxes, "MarginBox"), "boxes.MarginBox is gone"
    # preflight.makeup and balance read a page's side, preflight.runover whether WeasyPrint made it blank.
    assert {"side", "blank"} <= set(page._page_box.page_type._fields), "PageBox.page_type changed"


def test_weasyprint_raster_image_dpi(drawn):
    """engine.pdf.images_at_most sets RasterImage._dpi and puts image_data back."""
    from weasyprint.images import RasterImage
    pictures = [box.replacement for page in drawn[0].pages for box in page._page_box.descendants()
                if isinstance(getattr(box, "replacement", None), RasterImage)]
    assert pictures, "a picture is no longer a RasterImage in box.replacement"
    assert hasattr(pictures[0], "_dpi"), "RasterImage._dpi is gone"
    assert hasattr(pictures[0], "image_data"), "RasterImage.image_data is gone"


def test_weasyprint_stream_signature_and_state(drawn):
    """engine.painted builds a Stream with its private signature and reads its private state."""
    from weasyprint.pdf.stream import Stream
    assert parameters(Stream.__init__)[:8] == ["self", "fonts", "page_rectangle", "resources", "images", "tags",
                                                "color_profiles", "output_intent"], "Stream.__init__ changed"
    stream = drawn[1][0][1]
    for name in ("_output_intent", "_tags", "_resources", "_fonts", "_color_profiles", "_ctm_stack", "ctm",
                 "page_rectangle", "compress", "stream", "extra"):
        assert hasattr(stream, name), f"Stream.{name} is gone"
    assert {"ColorSpace", "ExtGState"} <= set(stream._resources), "Stream._resources lacks ColorSpace or ExtGState"
    assert parameters(Stream.add_font) == ["self", "pango_font"], "Stream.add_font changed"
    assert parameters(Stream.set_color) == ["self", "color", "stroke"], "Stream.set_color changed (engine.pdfx)"
    font = next(iter(stream._fonts.values()))
    for name in ("widths", "to_unicode", "get_unused_glyph_id"):
        assert hasattr(font, name), f"weasyprint.pdf.fonts.Font.{name} is gone"


def test_weasyprint_stream_class_swapped(drawn):
    """engine.painted swaps the class of a live Stream for a subclass that overrides pydyf.Stream.data."""
    import pydyf
    from weasyprint.pdf.stream import Stream
    assert isinstance(inspect.getattr_static(pydyf.Stream, "data"), property), "pydyf.Stream.data is no property"

    class Swapped(Stream):
        pass

    stream = drawn[1][0][1]
    stream.__class__ = Swapped  # raises TypeError when the layouts differ (__slots__)
    assert stream.data


def test_weasyprint_tags_build_box_tree():
    """engine.pdf.notes_tagged_as_notes replaces tags._build_box_tree, which calls itself through the module."""
    from weasyprint.pdf import tags
    assert inspect.isgeneratorfunction(getattr(tags, "_build_box_tree", None)), "tags._build_box_tree changed"
    assert parameters(tags._build_box_tree)[0] == "box"
    assert "yield from _build_box_tree(" in inspect.getsource(tags), "_build_box_tree no longer calls itself"


def test_weasyprint_make_all_pages():
    """engine.pdf.PdfWriter.layout's pages_at_most replaces weasyprint.layout.make_all_pages (which layout_document
    calls through the module) and reads the layout context's page_maker: per page, where the next one resumes
    first and what it looks up last."""
    from weasyprint import layout
    assert parameters(layout.make_all_pages) == ["context", "root_box", "html", "pages"], "make_all_pages changed"
    assert "make_all_pages(context, root_box, html, pages)" in inspect.getsource(layout.layout_document), \
        "layout_document no longer calls make_all_pages through its module"
    source = inspect.getsource(layout.initialize_page_maker)
    assert "'pages_wanted'" in source and "'content_lookups'" in source, "page_maker's remake state changed"
    assert "resume_at = context.page_maker[i + 1][0]" in inspect.getsource(layout.make_all_pages), \
        "page_maker's items no longer start with where the next page resumes"


def test_weasyprint_harfbuzz_subset():
    """engine.pdf.missing_libraries reads weasyprint.text.ffi.harfbuzz_subset."""
    from weasyprint.text import ffi
    assert hasattr(ffi, "harfbuzz_subset"), "weasyprint.text.ffi.harfbuzz_subset is gone"


def test_weasyprint_progress_log(drawn):
    """The live line reads WeasyPrint's progress log (engine.pdf.PROGRESS)."""
    from pamphlet.engine.pdf import PROGRESS
    messages = drawn[2]
    for pattern, _ in PROGRESS[::2]:  # a repagination is not in every layout
        assert any(pattern.search(message) for message in messages), f"no progress message {pattern.pattern!r}"


def test_pypdf_writer_internals():
    """editions.impose adds objects with PdfWriter._add_object and sets /Lang on PdfWriter._root_object."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, IndirectObject
    writer = PdfWriter()
    assert isinstance(writer._root_object, DictionaryObject), "PdfWriter._root_object changed"
    assert isinstance(writer._add_object(DictionaryObject()), IndirectObject), "PdfWriter._add_object changed"


def test_ebooklib_write_opf_file():
    """editions.ebook overrides EpubWriter._write_opf_file(root) to set the package's language."""
    from ebooklib import epub
    assert parameters(epub.EpubWriter._write_opf_file) == ["self", "root"], "EpubWriter._write_opf_file changed"
    assert "self._write_opf_file(" in inspect.getsource(epub.EpubWriter), "EpubWriter no longer calls it"


def test_markdown_registry_priority():
    """markup.convert lists a processor registry's entries by Registry._priority (items with .name)."""
    import markdown
    registry = markdown.util.Registry()
    registry.register(object(), "one", 10)
    assert [item.name for item in registry._priority] == ["one"], "markdown.util.Registry._priority changed"
