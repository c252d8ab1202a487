"""The editions a build can make, each declared once: its files, what it needs, where it runs, how it is made.

The command line's choices, the up-to-date record, the build's order of work, the summary table and the
README's table of outputs all follow from EDITIONS. Kept light (no WeasyPrint): the command line and the
up-to-date check read it before anything heavy loads; each edition's code is imported only when it runs.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import import_module

# What a step can need. The texts are always there (the renderer); the print layout and the print PDF's
# bytes are made in this process, before anything that needs them, when some requested step needs them.
PRINT_LAYOUT = "print_layout"   # the laid-out print document (WeasyPrint's): only in this process
PRINT_PDF = "print_pdf"         # the print edition's press-ready bytes
PRINT_MAKEUP = "print_makeup"   # what its pages show: (their page-makeup findings, whether each page is blank)
BUILT_IN = (PRINT_LAYOUT, PRINT_PDF, PRINT_MAKEUP)

# Where a step runs: this process, the build's second process (parallel.Background), or a process forked from
# this one once the print layout is made (parallel.Forked): it has the layout, which cannot be sent anywhere.
HERE, SECOND, FORKED = "here", "second", "forked"


@dataclass(frozen=True)
class Step:
    """Work an edition needs done that writes no file of its own (the EPUB's font subsets and cover image).

    make is "module:function" in this package; the function is called as function(tools, job, **needs) with
    one keyword per name in needs, and its result is handed to the steps that need this one by name.
    """
    name: str
    make: str
    needs: tuple = ()
    runs: str = HERE
    # "module:function" called as function(tools, job) before anything is laid out: the problems the making would
    # meet that the sources already show, so that such a build fails at once (None: the making finds them all)
    checks: str | None = None
    pages: str | None = None  # a step writes no file: no pages for the summary to count (Edition.pages)

    def function(self):
        return _function(self.make)

    def problems(self, tools, job):
        """What the step's checks find before anything is made (checks)."""
        return _function(self.checks)(tools, job) if self.checks else []


def _function(spec):
    """The function "module:function" names in this package."""
    module, function = spec.split(":")
    return getattr(import_module(f"{__name__}.{module}"), function)


@dataclass(frozen=True)
class Edition(Step):
    """An edition: a Step whose function returns the bytes of its file, or {file name: bytes} for several.

    files are the names it writes ({slug}: the manifest's slug; {piece}: the piece's safe id, made from its
    file name by sources.piece_ids, for an edition made once per piece whose front matter has per_piece: true;
    * for a part of the name that only the making decides, as for a set of signatures). pages tells the
    summary how to count pages.
    """
    files: tuple = ()
    purpose: str = ""
    per_piece: str | None = None
    # a per-piece edition that makes a file for the pamphlet as a whole too: that job's names (no {piece})
    whole_files: tuple = ()
    # "pdf": pages (sheet sides for imposed files); "spine": an EPUB's spine documents; "sheets": the print
    # edition's A5 pages, blank pages and A4 sheets per copy (a copy of the booklet has the same); None: not counted
    pages: str | None = "pdf"


@dataclass(frozen=True)
class Job:
    """One unit of work: a step, or an edition for the whole pamphlet or for one piece. Its files share one
    up-to-date key, and are written, recorded and removed together."""
    step: Step
    files: tuple = ()
    piece: str | None = None

    @property
    def id(self):
        return self.step.name if self.piece is None else f"{self.step.name}:{self.piece}"

    def writes(self, name):
        """Whether name is one of this job's files (patterns with * match what the making chose)."""
        return any(fnmatchcase(name, pattern) for pattern in self.files)


EPUB_FONTS = Step("epub_fonts", "ebook:fonts", runs=SECOND)
EPUB_COVER = Step("epub_cover", "ebook:cover", needs=(PRINT_PDF,), runs=SECOND)

EDITIONS = (
    Edition("print", "print_edition:make", needs=(PRINT_PDF,), files=("{slug}-print.pdf",), pages="sheets",
            checks="print_edition:check",
            purpose="the print shop: PDF/X-4 in CMYK (black text in black ink alone; FOGRA39 coated paper unless "
                    "the manifest says otherwise), A5 with 3 mm bleed, covers included, a multiple of 4 pages"),
    Edition("booklet", "booklet:make", needs=(PRINT_PDF,), runs=SECOND, files=("{slug}-booklet.pdf",), pages="sheets",
            purpose="an office printer: the same pages two-up on A4, to fold and staple; inner sheets' pages moved "
                    "towards the fold by the paper's thickness (creep); over 64 pages, in sections of at most 16 "
                    "sheets"),
    Edition("leaflets", "leaflets:make", runs=SECOND, files=("{slug}-leaflet-{piece}.pdf",), per_piece="leaflet",
            purpose="each piece marked `leaflet: true`: two copies per A4 sheet with a cut mark between them, on "
                    "one side when the piece fits it at 9 pt or more, else front and back; with the manifest's "
                    "`url`, a QR code of it"),
    Edition("screen", "screen:make", needs=(PRINT_LAYOUT,), runs=FORKED, files=("{slug}-screen.pdf",),
            purpose="sending by message and reading on screens: A5, no bleed or blank pages, tagged (PDF/UA-1), "
                    "bookmarks, linked contents, the print edition's page numbers"),
    Edition("large-print", "large_print:make", runs=SECOND, files=("{slug}-large-print.pdf",),
            purpose="readers with low vision: A4, 17 pt Charis SIL ragged-right with no word broken, lines wide apart, "
                    "bold for italics, notes at the end of each piece, as the UK Association for Accessible Formats' "
                    "clear and large print guidance asks; tagged (PDF/UA-1) as the screen PDF is"),
    Edition("proof", "proof:make", needs=(PRINT_MAKEUP, PRINT_PDF), runs=SECOND, files=("{slug}-proof.png",),
            pages=None,
            purpose="looking before printing: every print page as a thumbnail, in spreads, each page-makeup finding "
                    "(the kinds the summary counts) circled, numbered and listed, blank "
                    "pages marked"),
    Edition("web", "web:make", needs=(EPUB_FONTS.name, EPUB_COVER.name), pages=None,
            files=("{slug}-web/index.html", "{slug}-web/*"),
            purpose="reading in a browser and linking to, on a phone or a desktop, from a web server or a USB stick: "
                    "a folder with `index.html` (the cover and the contents) and a page per piece (`<piece>.html`, "
                    "with stable addresses such as `#demands`), the fonts, the cover and the images; notes pop up at "
                    "their call and lead back to it, no script needed; link previews show the share image"),
    Edition("share", "share:make", runs=SECOND, per_piece="leaflet", pages=None,
            whole_files=("{slug}-web/share/{slug}-1080x1350.png", "{slug}-web/share/{slug}-1080x1350.txt",
                         "{slug}-web/share/{slug}-1200x630.png", "{slug}-web/share/{slug}-1200x630.txt"),
            files=("{slug}-web/share/{slug}-{piece}-1080x1350.png", "{slug}-web/share/{slug}-{piece}-1080x1350.txt",
                   "{slug}-web/share/{slug}-{piece}-1200x630.png", "{slug}-web/share/{slug}-{piece}-1200x630.txt"),
            purpose="posting in messengers and on social sites: for each leaflet piece (and `<slug>-1080x1350.png` "
                    "for the pamphlet), PNGs at 1080×1350 (portrait) and 1200×630 (link preview) with the "
                    "organisation, the title, the first demands or a pull quote (`share_quote`), the date and, with "
                    "the manifest's `url`, a QR code of it, all inside a safe area; beside each, its alt text "
                    "(`.txt`)"),
    Edition("epub", "ebook:make", needs=(PRINT_LAYOUT, EPUB_FONTS.name, EPUB_COVER.name), files=("{slug}.epub",),
            pages="spine", checks="ebook:check",
            purpose="e-readers, phones and screen readers: EPUB 3, accessibility metadata, embedded font subsets, "
                    "and a page list matching the print edition's page numbers; safe to send to Kindle (checked on "
                    "every build)"),
    Edition("kobo", "kobo:make", needs=("epub",), files=("{slug}.kepub.epub",), pages="spine",
            purpose="Kobo readers: the EPUB with the markup Kobo's own engine needs (each sentence in a numbered "
                    "`koboSpan`, the `book-columns` and `book-inner` wrappers), for highlights, bookmarks and notes "
                    "that pop up"),
)
STEPS = {step.name: step for step in (EPUB_FONTS, EPUB_COVER, *EDITIONS)}
NAMES = tuple(edition.name for edition in EDITIONS)


def file_name(name, slug, piece=None):
    """The file an edition writes (the first, if it writes several): the one place that names outputs."""
    edition = STEPS[name]
    files = edition.whole_files if piece is None and edition.whole_files else edition.files
    return files[0].format(slug=slug, piece=piece)


def jobs(names, slug, pieces):
    """The jobs that make the named editions, in the order of EDITIONS.

    pieces are (id, front matter) pairs in reading order: a per-piece edition makes one job for each piece
    that asks for it.
    """
    found = []
    for declared in EDITIONS:
        if declared.name not in names:
            continue
        if declared.whole_files:
            found.append(Job(declared, tuple(p.format(slug=slug) for p in declared.whole_files)))
        for piece in ([None] if declared.per_piece is None else
                      [piece for piece, fields in pieces if fields.get(declared.per_piece) is True]):
            found.append(Job(declared, tuple(p.format(slug=slug, piece=piece) for p in declared.files), piece))
    return found


def with_steps(jobs):
    """The jobs with the steps they need (each once, before the first job that needs it)."""
    order, seen = [], set()

    def add(job):
        for need in job.step.needs:
            if need not in BUILT_IN and need not in seen:
                add(Job(STEPS[need]))
        seen.add(job.id)
        order.append(job)

    for job in jobs:
        add(job)
    return order
