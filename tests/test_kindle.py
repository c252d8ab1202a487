"""The EPUB is safe to send to Kindle: the check every build runs (preflight/kindle.py) passes on the EPUBs of texts/
and of the notes fixtures, and names each fault of an EPUB made wrong on purpose, one fault at a time."""

import io
import re
import zipfile

import pytest
from fontTools.ttLib import TTFont

from pamphlet.preflight.kindle import check_kindle
from conftest import ROOT, built_pamphlet, output

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def notes_epub(tmp_path_factory):
    """The EPUB of the English notes fixture (its build is shared with the other tests of it)."""
    return next(built_pamphlet(tmp_path_factory, "notes-en")[0].glob("*.epub"))


def rewritten(epub, change):
    """The EPUB's bytes with change(entries) applied to its {name: bytes}."""
    with zipfile.ZipFile(epub) as book:
        entries = {info.filename: book.read(info) for info in book.infolist()}
    change(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for name, data in entries.items():
            book.writestr(name, data)
    return out.getvalue()


def replace(name, old, new):
    def change(entries):
        assert old.encode() in entries[name], (name, old)
        entries[name] = entries[name].replace(old.encode(), new.encode(), 1)
    return change


def append(name, text):
    def change(entries):
        entries[name] += text.encode()
    return change


def font_type(name, bits):
    def change(entries):
        font = TTFont(io.BytesIO(entries[name]))
        font["OS/2"].fsType = bits
        out = io.BytesIO()
        font.save(out)
        entries[name] = out.getvalue()
    return change


def test_the_epubs_built_are_safe_to_send_to_kindle(dist, notes_epub):
    for epub in (output(dist, "epub"), notes_epub):
        assert check_kindle(epub.read_bytes(), epub.name) == []


FAULTS = [
    ("comment with --", append("EPUB/nav.xhtml", "<!-- see -- below -->"), "EPUB/nav.xhtml: an XML comment holds '--'"),
    ("custom property", append("EPUB/css/common.css", ":root { --red: #b3001b; }"),
     "EPUB/css/common.css: the custom property '--red'"),
    ("var()", append("EPUB/css/epub.css", ".kicker { color: var(--red, red); }"), "'color' uses var()"),
    ("CSS comment with --", append("EPUB/css/epub.css", "/* margins -- as in print */"), "a CSS comment holds '--'"),
    ("selector :not()", append("EPUB/css/epub.css", "p:not(.x) { margin: 0; }"),
     "the selector 'p:not(.x)' uses ':not'"),
    ("selector ::marker in @media", append("EPUB/css/epub.css", "@media screen { li::marker { color: red; } }"),
     "the selector 'li::marker' uses '::marker'"),
    ("style attribute", replace("EPUB/title.xhtml", '<h1 class="pamphlet-title"',
                                '<h1 style="--x: 1" class="pamphlet-title"'),
     "EPUB/title.xhtml: the custom property '--x'"),
    ("restricted font", font_type("EPUB/fonts/charis-sil-normal-normal.ttf", 0x0002),
     "fonts/charis-sil-normal-normal.ttf: the font's licence bits (OS/2 fsType 0x0002) say restricted licence"),
    ("font without subsetting", font_type("EPUB/fonts/pt-sans-narrow-bold-normal.ttf", 0x0100), "say no subsetting"),
    ("cover meta missing", replace("EPUB/content.opf", '<meta name="cover" content="cover-image"></meta>', ""),
     'EPUB/content.opf: no <meta name="cover"'),
    ("cover meta naming another item", replace("EPUB/content.opf", 'content="cover-image"', 'content="cover"'),
     "names 'cover', which is not the manifest's cover-image"),
]
NOTE_FAULTS = [
    ("note not marked as a note", replace("EPUB/appeal.xhtml", 'id="appeal-note-1" epub:type="footnote"',
                                          'id="appeal-note-1"'),
     "EPUB/appeal.xhtml: note 'appeal-note-1' is not marked epub:type footnote"),
    ("note without its back-link first", replace("EPUB/appeal.xhtml", 'href="#appeal-noteref-2" role="doc-backlink"',
                                                 'href="#appeal" role="doc-backlink"'),
     "note 'appeal-note-2' does not start with a link back to its call"),
    ("call to a missing note", replace("EPUB/appeal.xhtml", 'href="#appeal-note-1"', 'href="#appeal-note-9"'),
     "points at '#appeal-note-9', which is not there"),
]


@pytest.mark.parametrize(("fault", "change", "message"), FAULTS + NOTE_FAULTS, ids=[f[0] for f in FAULTS + NOTE_FAULTS])
def test_each_fault_is_named(dist, notes_epub, fault, change, message):
    epub = notes_epub if (fault, change, message) in NOTE_FAULTS else output(dist, "epub")
    problems = [str(problem) for problem in check_kindle(rewritten(epub, change), epub.name)]
    assert any(message in problem and problem.endswith("(Send to Kindle)") for problem in problems), problems
    assert all(re.match(re.escape(epub.name) + r": EPUB/", problem) for problem in problems), problems
