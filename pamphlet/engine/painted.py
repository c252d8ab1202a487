"""Keeps what drawing each page of the print layout put into the PDF (its content stream, the glyphs and the
transparency states it used), so that writing the print PDF again draws only the pages laid out anew."""

import weakref
from contextlib import contextmanager
from dataclasses import dataclass

import pydyf
from weasyprint.document import Page
from weasyprint.pdf.stream import Stream

# Drawing a page writes its own content stream, and into what the whole PDF shares: fonts (each glyph's width
# and text, kept at its first use), and resources. Resources named by value (transparency states 'a0.5', 'A1')
# are the page's own to keep; those named by a count over the whole document (groups, patterns, shadings, other
# states) and images are not: a page that uses them, or shows a glyph no font has, is drawn every time.
_BY_VALUE = ("a", "A")


@dataclass
class _Drawing:
    """What drawing one page gave, to be given again without drawing."""
    ops: list     # the page's content stream after WeasyPrint's first transformation (which the page's size sets)
    fonts: list   # (a Pango font of each PDF font, the widths and the texts of the glyphs the page shows)
    states: dict  # the transparency states it uses, by name
    scale: float
    output_intent: str
    written: tuple = (None, None)  # the page's whole content stream, and the bytes it was written as (compressed)


class _NotKept(Exception):
    """The page uses something shared that cannot be given again as drawn; it is drawn into the PDF itself."""


class PaintedPages:
    """The drawings of the pages of the last PDFs written with keep(), by page; a page that is no longer in use
    (its part laid out anew) leaves with its drawing."""

    def __init__(self):
        self.kept = weakref.WeakKeyDictionary()
        self.drawn = 0  # pages drawn by the last write; the others were given as kept

    @contextmanager
    def keep(self):
        """While writing a PDF: each page given as kept or, drawn for the first time, kept. The bytes are those
        of drawing every page (the kept state is applied as drawing would apply it, page after page)."""
        paint, self.drawn = Page.paint, 0

        def paint_or_replay(page, stream, scale=1):
            drawing = self.kept.get(page)
            if drawing is None or (drawing.scale, drawing.output_intent) != (scale, stream._output_intent) \
                    or stream._tags is not None:
                self.drawn += 1
                try:
                    drawing = _draw(page, stream, scale, paint)
                except _NotKept:
                    paint(page, stream, scale)
                    return
                self.kept[page] = drawing
            _apply(drawing, stream)
            stream.__class__, stream.drawing = _KeptStream, drawing

        Page.paint = paint_or_replay
        try:
            yield
        finally:
            Page.paint = paint


def _draw(page, stream, scale, paint):
    """The page drawn on a stream of its own, with resources of its own and every glyph as if first used."""
    if stream._tags is not None:  # a tagged PDF numbers marked content across pages
        raise _NotKept
    resources = pydyf.Dictionary({"ExtGState": pydyf.Dictionary(), "XObject": pydyf.Dictionary(),
                                  "Pattern": pydyf.Dictionary(), "Shading": pydyf.Dictionary(),
                                  "ColorSpace": stream._resources["ColorSpace"]})
    images = {}
    own = _PageStream(stream._fonts, stream.page_rectangle, resources, images, None, stream._color_profiles,
                      stream._output_intent, compress=stream.compress)
    own._ctm_stack = [stream.ctm]
    paint(page, own, scale)
    shared = [key for key in ("XObject", "Pattern", "Shading") if resources[key]]
    if shared or images or any(not name.startswith(_BY_VALUE) for name in resources["ExtGState"]) \
            or any(not isinstance(op, bytes | str) for op in own.stream):
        raise _NotKept
    return _Drawing(list(own.stream), [(pango_font, font.widths, font.to_unicode)
                                       for pango_font, font in own.used.values()],
                    dict(resources["ExtGState"]), scale, stream._output_intent)


def _apply(drawing, stream):
    """What drawing the page would do to stream and to what the PDF shares, in the order drawing does it."""
    stream.stream.extend(drawing.ops)
    for pango_font, widths, to_unicode in drawing.fonts:
        font, _ = stream.add_font(pango_font)
        for glyph, width in widths.items():
            font.widths.setdefault(glyph, width)
        for glyph, text in to_unicode.items():
            font.to_unicode.setdefault(glyph, text)
    states = stream._resources["ExtGState"]
    for name, state in drawing.states.items():
        if name not in states:
            states[name] = pydyf.Dictionary(state)


class _KeptStream(Stream):
    """A kept page's content stream, written as the last time when it has the same content: compressing it
    (zlib at level 9) is most of what writing a page costs once its drawing is kept."""

    @property
    def data(self):
        content = (b"\n".join(op if isinstance(op, bytes) else str(op).encode("ascii") for op in self.stream),
                   self.compress, tuple(self.extra.items()))
        if self.drawing.written[0] != content:
            self.drawing.written = content, super().data
        return self.drawing.written[1]


class _PageStream(Stream):
    """A stream that hands drawing a page-own view of each font: the glyphs it shows are all new to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.used = {}

    def add_font(self, pango_font):
        font, size = super().add_font(pango_font)  # the PDF's font, created at its first use, as drawing does
        if id(font) not in self.used:
            self.used[id(font)] = (pango_font, _PageFont(font))
        return self.used[id(font)][1], size


class _PageFont:
    """One page's view of a PDF font: widths and texts of its own, the rest the font's (copied: drawing reads
    some of it for every glyph)."""

    def __init__(self, font):
        self.__dict__.update(vars(font))
        self.widths, self.to_unicode = {}, {}

    def get_unused_glyph_id(self, codepoint):
        raise _NotKept  # a glyph no font has: the build refuses it anyway (check_glyphs)
