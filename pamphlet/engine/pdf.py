"""Lays out HTML with WeasyPrint, using the shipped fonts only, and writes PDFs."""

import copy
import ctypes.util
import io
import logging
import re
import shutil
import sys
import tempfile
from multiprocessing.util import Finalize
from contextlib import contextmanager, nullcontext, redirect_stdout
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BuildError, Problem
from ..pipeline.memo import file_key
from ..sources import images


def _import_weasyprint():
    """Import WeasyPrint without ctypes' library search, which takes a sixth of a second on Linux.

    For each library WeasyPrint first tries Windows and macOS names; each miss makes
    ctypes.util.find_library run ldconfig, gcc and ld in subprocesses (WeasyPrint issue #1125). Its list
    also holds each library's Linux soname, which dlopen finds by itself, so the search adds nothing there.
    """
    if not sys.platform.startswith("linux") or "weasyprint" in sys.modules:
        return  # the imports below do it the usual way
    find_library, ctypes.util.find_library = ctypes.util.find_library, lambda name: None
    try:
        with redirect_stdout(io.StringIO()):  # WeasyPrint prints installation advice before it raises
            import weasyprint  # noqa: F401
    except OSError:
        pass  # a library only the search finds: the imports below try again, searching
    finally:
        ctypes.util.find_library = find_library


_import_weasyprint()

import pydyf  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.formatting_structure import boxes  # noqa: E402, F401 (the layout's boxes, for check and others)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from .painted import PaintedPages  # noqa: E402 (imports WeasyPrint)


def unlinked(html):
    """(html without its links to stylesheets, the stylesheets they name in order), for PdfWriter.layout's
    stylesheets."""
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    return re.sub(r'<link rel="stylesheet" href="[^"]+">', "", html), links


class PdfWriter:
    """Shares one font configuration between the PDF editions of a build; loads files from roots only."""

    def __init__(self, layouts, roots, texts=None):
        self.layouts = layouts
        self.fetcher = SandboxedFetcher(roots, texts)
        self.fonts = FontConfiguration()
        # WeasyPrint copies the fonts it loads into a temporary folder that it removes only when the font
        # configuration is collected, which may be never (gc.freeze; the second process ends by os._exit): the
        # folder is made here and removed when this writer goes or the process that made it ends, the second
        # process included (multiprocessing runs these finalizers there, and only in the process that made them).
        self.fonts._folder = Path(tempfile.mkdtemp(prefix="pamphlet-fonts-"))
        Finalize(self, shutil.rmtree, args=(self.fonts._folder,), kwargs={"ignore_errors": True}, exitpriority=0)
        self.parsed = {}
        self.extra = {}
        self.painted = PaintedPages()

    @contextmanager
    def fonts_apart(self):
        """Fonts loaded meanwhile written to a folder of their own, removed after: for a process forked from the one
        that made this writer. WeasyPrint takes a font whose file is in its folder for one it has loaded: a child
        writing it there first would leave it unloaded in the parent, whose pages would then fall back on
        another font."""
        folder, self.fonts._folder = self.fonts._folder, Path(tempfile.mkdtemp(prefix="pamphlet-fonts-"))
        try:
            yield
        finally:
            shutil.rmtree(self.fonts._folder, ignore_errors=True)
            self.fonts._folder = folder

    def layout(self, html, source="print.html", extra_css=None, stylesheets=(), version="", pages_at_most=None):
        """Lay out a whole HTML document whose relative links resolve in layouts/. stylesheets: layouts'
        stylesheets to apply as if linked first (parsed once for all documents of the same version of the
        layouts), for documents laid out in parts. pages_at_most: None instead of a document that would have more
        pages, found at the first page too many instead of laid out to its end (a trial made to learn whether
        the document fits; one that fits is laid out as without it)."""
        with _weasyprint_problems(self.layouts / source), _stopped_after(pages_at_most) as too_long:
            sheets = [self._stylesheet(name, version) for name in stylesheets]
            # One parse of extra_css (for each version of the files it loads), and so one set of its @color-profile
            # objects (the print edition's output profile), for every document: pages laid out in parts share
            # them, and writing numbers them.
            if (extra_css, version) not in self.extra:
                profiles = {}
                sheet = CSS(string=extra_css, font_config=self.fonts, color_profiles=profiles,
                            url_fetcher=self.fetcher) if extra_css else None
                self.extra = {key: value for key, value in self.extra.items() if key[1] == version}
                self.extra[extra_css, version] = sheet, _settled(profiles)
            sheet, profiles = self.extra[extra_css, version]
            sheets += [sheet] if sheet else []
            document = HTML(string=html, base_url=str(self.layouts) + "/", url_fetcher=self.fetcher)
            try:
                document = document.render(font_config=self.fonts, stylesheets=sheets or None,
                                           color_profiles=profiles)
            except too_long:
                return None
            _settled(document.color_profiles)  # those of the document's own @color-profile rules
            return document

    def _stylesheet(self, name, version):
        if (name, version) not in self.parsed:
            self.parsed = {key: sheet for key, sheet in self.parsed.items() if key[1] == version}
            self.parsed[name, version] = CSS(url=(self.layouts / name).resolve().as_uri(), url_fetcher=self.fetcher,
                                             font_config=self.fonts)
        return self.parsed[name, version]

    def pad(self, document, multiple, stylesheet="print.css"):
        """Planned blank pages up to a multiple of pages, before the last page (a booklet's back cover)."""
        missing = -len(document.pages) % multiple
        if not missing:
            return document
        blank = self.layout(f'<link rel="stylesheet" href="{stylesheet}"><div class="planned-blank"></div>',
                            source=stylesheet).pages[0]
        pages = document.pages
        return document.copy(pages[:-1] + [blank] * missing + pages[-1:])

    def to_bytes(self, document, name, keep_drawings=False, **options):
        """The document as PDF bytes. keep_drawings: draw only the pages not drawn by the writes before that
        kept theirs (see painted), with the same bytes; for the print edition, written again after each edit."""
        with _weasyprint_problems(name), (self.painted.keep() if keep_drawings else nullcontext()):
            return document.write_pdf(**options)


class _TooLong(Exception):
    """The layout has more pages than it may have (PdfWriter.layout's pages_at_most)."""


@contextmanager
def _stopped_after(count):
    """While laying out, raise _TooLong (yielded, to be caught) once count pages are made and more will follow.

    WeasyPrint lays out pages one after the other (make_all_pages, through its layout module's name), knowing
    after each whether another follows (where the page's content stopped), and lays them out again while a page
    number or a reference to another page changes what a page shows. So the layout is stopped only when none of
    the first count pages looks up a page number or a reference (those pages stay as they are, so more pages
    follow whatever is laid out again); otherwise it is laid out to its end, as without a limit."""
    if count is None:
        yield _TooLong
        return
    from weasyprint import layout
    make_all_pages = layout.make_all_pages

    def pages_until(context, root_box, html, pages):
        for index, page in enumerate(make_all_pages(context, root_box, html, pages)):
            yield page
            made = context.page_maker[:index + 1]
            if index + 1 == count and context.page_maker[index + 1][0] is not None \
                    and not any(state["pages_wanted"] or state["content_lookups"] for *_, state in made):
                raise _TooLong

    layout.make_all_pages = pages_until
    try:
        yield _TooLong
    finally:
        layout.make_all_pages = make_all_pages


def finishers(*each):
    """One WeasyPrint finisher doing what each does, in order (write_pdf takes one)."""
    def finish(document, pdf):
        for finisher in each:
            finisher(document, pdf)
    return finish


def centred(page):
    """A copy of a laid-out page without bleed, its text block in the middle: the mirrored margins of a book's
    left and right pages moved to the same width each side, for reading on a screen (the page's box moves; what
    is drawn stays where it was)."""
    page = copy.copy(page)
    box = page._page_box
    shift = (box.margin_right - box.margin_left) / 2  # what the text block must move right by
    page.bleed = {side: 0 for side in page.bleed} | {"left": shift, "right": -shift}
    return page


@contextmanager
def images_at_most(document, dpi):
    """While writing document, its pictures carry no more pixels than dpi at the size they are shown.

    WeasyPrint's own 'dpi' option does this, but it is read when images load, at layout; the screen edition is
    written from the print layout, whose pictures must stay whole for print: so it is set on each picture for
    this write, and what the write changes (the picture's scaled-down data) is put back after."""
    from weasyprint.images import RasterImage
    pictures = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            picture = getattr(box, "replacement", None)
            if isinstance(picture, RasterImage):
                pictures[id(picture)] = (picture, picture._dpi, picture.image_data)
    for picture, _, _ in pictures.values():
        picture._dpi = dpi
    try:
        yield
    finally:
        for picture, before, data in pictures.values():
            picture._dpi, picture.image_data = before, data


# What WeasyPrint's progress log says, and how the live line says it.
PROGRESS = ((re.compile(r"Step 5 - Creating layout - Page (\d+)$"), "laying out page {}"),
            (re.compile(r"Step 5 - Creating layout - Repagination #(\d+)"), "laying out the pages again ({})"),
            (re.compile(r"Step 6 - Creating PDF"), "writing the PDF"))


@contextmanager
def progress(show):
    """While WeasyPrint works, show(what it is doing): each page it lays out, each time it lays them out again
    (for page numbers in the contents), the writing of the PDF. Read from its progress log; nothing if show
    is None."""
    if show is None:
        yield
        return

    def emit(record):
        message = record.getMessage()
        for pattern, text in PROGRESS:
            match = pattern.match(message)
            if match:
                show(text.format(*match.groups()))

    logger = logging.getLogger("weasyprint.progress")
    handler = logging.Handler(logging.INFO)
    handler.emit = emit
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class _SettledProfile:
    """A colour profile as WeasyPrint embeds it, with its bytes and name read once, in that order, as the first
    PDF written with it reads them. WeasyPrint's ColorProfile has LittleCMS serialise the profile at every write,
    and LittleCMS writes a tag it has read (WeasyPrint reads the device model to name the output intent) other
    than the file has it: without this, a second PDF written with the same profile in one process (watch mode,
    whose parts keep their documents) would embed other bytes than a cold build does."""

    def __init__(self, profile):
        self.src, self.rendering_intent, self.components = profile.src, profile.rendering_intent, profile.components
        self.content = profile.content  # before the name, which reads the device model
        self.name = profile.name
        self.pdf_reference = None  # set by each write


def _settled(profiles):
    """profiles (WeasyPrint's, by name) with each turned into a _SettledProfile, in place."""
    for name, profile in profiles.items():
        if not isinstance(profile, _SettledProfile):
            profiles[name] = _SettledProfile(profile)
    return profiles


class SandboxedFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, refusing anything but files inside the pamphlet's own folders; the texts' images
    come by their path in the texts folder (images.PRINT_IMAGE), made printable (images.for_print)."""

    def __init__(self, roots, texts=None):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [Path(root).resolve() for root in roots]
        self.texts = Path(texts).resolve() if texts else None
        self.printable = {}  # what for_print made of each image, by URL, while the file is unchanged

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if url.startswith(images.PRINT_IMAGE) and self.texts:
            path = (self.texts / unquote(url.removeprefix(images.PRINT_IMAGE))).resolve()
            if not path.is_relative_to(self.texts):
                raise ValueError(f"{path} lies outside the texts folder")
            key = file_key(path)
            if self.printable.get(url, (None,))[0] != key:
                self.printable[url] = (key, *images.for_print(path))
            _, data, media_type = self.printable[url]
            return URLFetcherResponse(url, data, headers={"Content-Type": media_type})
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"{path} lies outside the pamphlet's folders (texts, layouts, fonts)")
        elif parts.scheme != "data":
            raise ValueError(f"{url} is not a file of the pamphlet; nothing is downloaded")
        return super().fetch(url, headers)


@contextmanager
def _weasyprint_problems(source):
    """Turn what WeasyPrint logs (a CSS rule it ignored, a font or image it could not load) into build errors.

    A warning means the page is not what the layout asked for, so it must not pass silently.
    """
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    # Without libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools and says so for every font: the PDF is
    # right, only slower to make and larger. build says that once (missing_libraries); it is no problem.
    records = [record for record in records if not record.getMessage().startswith("Using fontTools instead of")]
    if records:
        raise BuildError([Problem(source, None, f"WeasyPrint: {record.getMessage()}") for record in records])


@contextmanager
def notes_tagged_as_notes():
    """While writing a tagged PDF, tag each note (class "note": the print layout's <span>, set at the foot of the
    page, or large print's <aside> at the end of its piece) as a Note with its id, as PDF/UA asks, where WeasyPrint
    70 tags it as a Span or a Div like any other."""
    from weasyprint.pdf import tags

    build, outer = tags._build_box_tree, set()  # called again for each child box, through the module's name

    def build_noting(box, *args):
        element = getattr(box, "element", None)
        # The note's own box: not the anonymous boxes inside it, which share its element, nor its pseudo-elements'
        # (the footnote call and marker, tagged span::…). A note has an id its call links to: a fenced ::: note
        # block (a div of class note, called by nothing) stays a Div.
        if element is None or getattr(box, "element_tag", None) != element.tag or not element.get("id") \
                or "note" not in element.get("class", "").split() or element in outer:
            yield from build(box, *args)
            return
        outer.add(element)
        try:
            for tagged in build(box, *args):
                tagged["S"], tagged["ID"] = "/Note", pydyf.String(element.get("id"))
                yield tagged
        finally:
            outer.discard(element)

    tags._build_box_tree = build_noting
    try:
        yield
    finally:
        tags._build_box_tree = build


def missing_libraries():
    """Notes on the optional system libraries WeasyPrint runs without here, each with what it costs."""
    from weasyprint.text.ffi import harfbuzz_subset
    if harfbuzz_subset:
        return []
    return [("note: libharfbuzz-subset0 is not installed, so fonts are subset with fontTools instead: slower, and "
             "larger PDFs; install it with your package manager (Debian and Ubuntu: libharfbuzz-subset0)")]
