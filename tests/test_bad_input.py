"""Every bad input stops the build with 'file:line: message' as the first line it prints, exit status 1 (2 for
the command line), no traceback, and the files already in --out untouched."""

import io
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

import pytest

from conftest import ROOT, output
from conftest import run_here as run_in_process

PREVIOUS = b"previous good output"
OUTPUTS = tuple(output(".", *edition).name for edition in
                (("print",), ("booklet",), ("screen",), ("epub",), ("leaflets", "statement-smk")))


@pytest.fixture
def project(tmp_path):
    """A copy of the project (code, layouts, texts, fonts) that a test may break."""
    return _copy(tmp_path, whole=True)


def _copy(tmp_path, whole):
    """tmp_path/project: texts/ and out/ (the files already in it), and when whole the code, layouts and fonts too
    (~20 ms more, for a case run in a fresh interpreter; a case run in this process builds with the checkout's)."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copytree(ROOT / "texts", copy / "texts")
    if whole:
        shutil.copy(ROOT / "build.py", copy)
        for folder in ("pamphlet", "layouts"):
            shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
        # Fonts are large: hard links where possible (a symbolic link would lead outside the sandbox).
        # A test that breaks a font replaces the link with a new file, never writes through it.
        shutil.copytree(ROOT / "fonts", copy / "fonts", copy_function=_link_or_copy)
    out = copy / "out"
    out.mkdir()
    for name in OUTPUTS:
        (out / name).write_bytes(PREVIOUS)
    return copy


def _link_or_copy(source, target):
    """A hard link where the file system allows, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def translated_in_part(project, every=False):
    """texts/ with a Russian translation of its introduction only (or of every piece)."""
    append(project / T / "pamphlet.yml", "translations: [ru]\n")
    (project / T / "ru").mkdir()
    for piece in (project / T).glob("*.md") if every else [project / T / "introduction.md"]:
        shutil.copy(piece, project / T / "ru" / piece.name)


def not_a_font(project):
    target = project / "fonts" / "PTSansNarrow-Bold.ttf"
    target.unlink()
    target.write_bytes(b"this is not a font\n" * 100)


def undecodable(project):
    piece = project / "texts" / "introduction.md"
    piece.write_bytes(piece.read_bytes().replace("Kazakhstan’s largest".encode(), b"Kazakhstan\x92s largest"))


def empty_body(project):
    piece = project / "texts" / "introduction.md"
    text = piece.read_text(encoding="utf-8")
    piece.write_text(text[:text.index("---", 3) + 4], encoding="utf-8")


OUTSIDE = "---\nkind: statement\ntitle: Not ours\n---\n\nText from outside the pamphlet.\n"


def piece_outside(project, name):
    """A valid piece outside the texts folder, listed in the manifest as name."""
    (project / "outside.md").write_text(OUTSIDE, encoding="utf-8")
    edit(project / "texts" / "pamphlet.yml", "  - statement-rsd.md", f"  - statement-rsd.md\n  - {name}")


def symlinked_piece(project):
    piece_outside(project, "linked.md")
    (project / "texts" / "linked.md").symlink_to(project / "outside.md")


def folder_as_piece(project):
    (project / "texts" / "drafts.md").mkdir()
    edit(project / "texts" / "pamphlet.yml", "  - statement-rsd.md", "  - statement-rsd.md\n  - drafts.md")


def write_bytes_after(path, needle, data):
    """Put raw bytes (a control character, say) into a file right after needle."""
    raw = path.read_bytes()
    assert needle.encode() in raw
    path.write_bytes(raw.replace(needle.encode(), needle.encode() + data, 1))


def image_without_description(project):
    shutil.copy(ROOT / "tests" / "fixtures" / "notes-en" / "march.png", project / "texts" / "march.png")
    append(project / "texts" / "introduction.md", "\n![](march.png)\n")


def coarse_image(project):
    """A photograph of 400 pixels, enough for a screen, printed across the text block at under 100 dpi."""
    from PIL import Image
    Image.new("RGB", (400, 300), (200, 40, 40)).save(project / "texts" / "small photo.png")
    append(project / "texts" / "statement-rsd.md", "\n![A photograph of the square](small%20photo.png)\n")


MARCH = ROOT / "tests" / "fixtures" / "notes-en" / "march.png"


def image_file(project, name, data=None):
    """An image file in the texts folder (march.png's bytes, or data), shown by the introduction as name."""
    path = project / "texts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MARCH.read_bytes() if data is None else data)
    return path


def show(project, reference):
    append(project / "texts" / "introduction.md", f"\nA march:\n\n![The march]({reference})\n")


def picture(project, name, data, reference=None):
    image_file(project, name, data)
    show(project, reference or name)


def jpeg():
    from PIL import Image
    out = io.BytesIO()
    Image.open(MARCH).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def with_crc_broken(data):
    data = bytearray(data)
    data[200] ^= 0xFF  # inside the first IDAT chunk: its checksum no longer matches
    return bytes(data)


def claiming_size(data, width, height):
    """The PNG with its header saying width × height pixels (checksum mended): what a decompression bomb does."""
    data = bytearray(data)
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def tiff():
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (1500, 900), "white").save(out, format="TIFF")
    return out.getvalue()


def unreadable_image(project):
    picture(project, "locked.png", None)
    (project / "texts" / "locked.png").chmod(0)


def linked_image(project):
    image_file(project, "../outside.png")
    (project / "texts" / "linked.png").symlink_to(project / "outside.png")
    show(project, "linked.png")


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">\n'


def svg(project, body, head=""):
    picture(project, "drawing.svg", (head + SVG_OPEN + body + "\n</svg>\n").encode())


def with_svg_text(project, text_element):
    svg(project, '<rect width="200" height="100" fill="#fde"/>\n' + text_element)


def image_sized_in_braces(project):
    image_file(project, "march.png")
    append(project / "texts" / "introduction.md", "\n![Marchers with a banner](march.png){width=50%}\n")


def sparse(path, megabytes):
    """A file of that size that takes no disk (a video, a dump): the build must refuse it unread."""
    with open(path, "wb") as file:
        file.truncate(megabytes * 1024 * 1024)


def huge_piece(project):
    sparse(project / "texts" / "minutes.md", 9)
    edit(project / "texts" / "pamphlet.yml", "  - statement-rsd.md", "  - statement-rsd.md\n  - minutes.md")


WIDE_TABLE = "\n\n| " + " | ".join(["Internationalisation"] * 7) + " |\n|" + "---|" * 7 + "\n| " + \
    " | ".join(["Counterrevolutionaries"] * 7) + " |\n"


T = "texts"
# (case, mutation, expected message as a regular expression; {line:FILE:NEEDLE} is the line where NEEDLE ends up)
CASES = [
    ("manifest missing", lambda p: (p / T / "pamphlet.yml").unlink(), r"pamphlet\.yml: manifest not found"),
    ("manifest unknown key", lambda p: edit(p / T / "pamphlet.yml", "publisher:", "publsher:"),
     r"pamphlet\.yml:{line:pamphlet.yml:publsher}: unknown key 'publsher' in the manifest; did you mean 'publisher'\?"),
    ("manifest missing title", lambda p: edit(p / T / "pamphlet.yml", "title: For", "# title: For"),
     r"pamphlet\.yml:\d+: the manifest lacks the required key 'title'"),
    ("manifest bad language", lambda p: edit(p / T / "pamphlet.yml", "language: en", "language: English"),
     r"pamphlet\.yml:{line:pamphlet.yml:language}: 'language' is 'English'; it must be a language tag"),
    ("manifest bad date", lambda p: edit(p / T / "pamphlet.yml", "date: 2022-01-21", "date: 21 January 2022"),
     r"pamphlet\.yml:{line:pamphlet.yml:date:}: 'date' must be a date written YYYY-MM-DD"),
    ("manifest bad slug", lambda p: edit(p / T / "pamphlet.yml", "slug: kazakhstan-2022", "slug: Kazakhstan 2022"),
     r"pamphlet\.yml:{line:pamphlet.yml:slug}: 'slug' is 'Kazakhstan 2022'; it must be lower-case letters"),
    ("manifest bad identifier", lambda p: edit(p / T / "pamphlet.yml", "urn:uuid:", "isbn:"),
     r"pamphlet\.yml:{line:pamphlet.yml:identifier}: 'identifier' is 'isbn:.*'; it must be a stable urn:uuid"),
    ("manifest malformed YAML", lambda p: edit(p / T / "pamphlet.yml", "byline: Socialist", "byline: [Socialist"),
     r"pamphlet\.yml:\d+: malformed YAML"),
    ("duplicate piece", lambda p: edit(p / T / "pamphlet.yml", "  - statement-rsd.md", "  - statement-rsd.md\n  - statement-rsd.md"),
     r"pamphlet\.yml:\d+: piece 'statement-rsd\.md' is listed twice \(first on line \d+\)"),
    ("missing piece", lambda p: (p / T / "statement-rsd.md").unlink(),
     r"pamphlet\.yml:{line:pamphlet.yml:statement-rsd}: piece 'statement-rsd\.md' not found"),
    ("language without layout words", lambda p: edit(p / T / "pamphlet.yml", "language: en", "language: de"),
     r"pamphlet\.yml:{line:pamphlet.yml:language}: no layout words for language 'de': add layouts/locales/de\.yml"),
    ("front matter unknown key", lambda p: edit(p / T / "statement-smk.md", "title:", "titel:"),
     r"statement-smk\.md:{line:statement-smk.md:titel}: unknown key 'titel' in the front matter; did you mean 'title'\?"),
    ("front matter unknown kind", lambda p: edit(p / T / "statement-rsd.md", "kind: statement", "kind: manifesto"),
     r"statement-rsd\.md:2: 'kind' is 'manifesto'; it must be one of: introduction, statement"),
    ("signatories not a list", lambda p: edit(p / T / "statement-rsd.md", "signatories:\n- Russian Socialist Movement",
                                              "signatories: Russian Socialist Movement\nsignatories_more:\n- x"),
     r"statement-rsd\.md:{line:statement-rsd.md:signatories: Russian}: 'signatories' must be a list"),
    ("leaflet not true or false", lambda p: edit(p / T / "statement-smk.md", "leaflet: true", "leaflet: perhaps"),
     r"statement-smk\.md:{line:statement-smk.md:leaflet}: 'leaflet' must be true or false"),
    ("no front matter", lambda p: edit(p / T / "introduction.md", "---\nkind:", "kind:"),
     r"introduction\.md:1: no front matter: a piece starts with a line '---'"),
    ("front matter not closed", lambda p: (p / T / "introduction.md").write_text("---\nkind: introduction\ntitle: x\n\ntext\n"),
     r"introduction\.md:1: the front matter is not closed"),
    ("front matter malformed YAML", lambda p: edit(p / T / "interview-kurmanov.md", "subtitle: Interview", "subtitle: [Interview"),
     r"interview-kurmanov\.md:\d+: malformed YAML"),
    # The folder is a boundary: a piece is a file inside the texts folder, refused at its manifest line.
    ("piece climbing out of the folder", lambda p: piece_outside(p, "../outside.md"),
     r"pamphlet\.yml:{line:pamphlet.yml:outside}: piece '\.\./outside\.md' lies outside the texts folder"),
    ("piece named by an absolute path", lambda p: piece_outside(p, "/etc/passwd"),
     r"pamphlet\.yml:{line:pamphlet.yml:passwd}: piece '/etc/passwd' must be named relative to the texts folder"),
    ("piece in the home folder", lambda p: piece_outside(p, "~/notes.md"),
     r"pamphlet\.yml:{line:pamphlet.yml:notes}: piece '~/notes\.md' must be named relative to the texts folder"),
    ("piece that is a symbolic link out", symlinked_piece,
     r"pamphlet\.yml:{line:pamphlet.yml:linked}: piece 'linked\.md' lies outside the texts folder \(through a symbolic link\)"),
    ("piece that is a folder", folder_as_piece,
     r"pamphlet\.yml:{line:pamphlet.yml:drafts}: piece 'drafts\.md' not found"),
    ("piece listed twice under two names", lambda p: edit(p / T / "pamphlet.yml", "  - statement-rsd.md", "  - statement-rsd.md\n  - ./statement-rsd.md"),
     r"pamphlet\.yml:{line:pamphlet.yml:./statement-rsd}: piece '\./statement-rsd\.md' is listed twice"),
    # Translations (README, "One pamphlet in several languages"): refused before any language is built.
    ("a translation without its folder", lambda p: append(p / T / "pamphlet.yml", "translations: [ru]\n"),
     r"pamphlet\.yml:{line:pamphlet.yml:translations:}: the translation 'ru' has no folder \S*texts/ru; make it"),
    ("a piece a translation lacks", translated_in_part,
     r"pamphlet\.yml:{line:pamphlet.yml:- statement-smk}: piece 'statement-smk\.md' has no ru translation "
     r"\(ru/statement-smk\.md not found\): translate it, or set 'missing_translations: leave out'"),
    ("a key a translation's manifest may not set", lambda p: (translated_in_part(p, every=True),
                                                              (p / T / "ru" / "pamphlet.yml").write_text("slug: x\n")),
     r"ru/pamphlet\.yml:1: unknown key 'slug' in the translation's manifest; allowed keys: title, subtitle"),
    ("a bilingual edition of a language the pamphlet lacks", lambda p: append(p / T / "pamphlet.yml",
                                                                              "bilingual: [en, ru]\n"),
     r"pamphlet\.yml:{line:pamphlet.yml:bilingual:}: 'bilingual' must name two of the pamphlet's languages "
     r"\(en\), after naming a translation in 'translations'"),
    # Every value checked: what YAML reads but the pamphlet cannot use is refused at its line.
    ("impossible date in the manifest", lambda p: edit(p / T / "pamphlet.yml", "date: 2022-01-21", "date: 2026-02-30"),
     r"pamphlet\.yml:{line:pamphlet.yml:date:}: 'date' is 2026-02-30, which is not a day of the calendar"),
    ("impossible date in front matter", lambda p: edit(p / T / "statement-smk.md", "date: 2022-01-07", "date: 2022-13-07"),
     r"statement-smk\.md:{line:statement-smk.md:date:}: 'date' is 2022-13-07, which is not a day of the calendar"),
    ("date with a time", lambda p: edit(p / T / "statement-smk.md", "date: 2022-01-07", "date: 2022-01-07 10:30:00"),
     r"statement-smk\.md:{line:statement-smk.md:date:}: 'date' must be a date written YYYY-MM-DD"),
    ("YAML tag in a title", lambda p: edit(p / T / "pamphlet.yml", "title: For", "title: !important For"),
     r"pamphlet\.yml:{line:pamphlet.yml:title:}: the YAML tag '!important' is not allowed; if the value starts with '!', put it in quotes"),
    ("Python tag in front matter", lambda p: edit(p / T / "statement-smk.md", "title:", "subtitle: !!python/object:os.system x\ntitle:"),
     r"statement-smk\.md:{line:statement-smk.md:subtitle}: the YAML tag 'tag:yaml\.org,2002:python/object:os\.system' is not allowed"),
    ("complex YAML key", lambda p: edit(p / T / "pamphlet.yml", "publisher:", "? [a, b]\n: c\npublisher:"),
     r"pamphlet\.yml:{line:pamphlet.yml:? [a}: a key must be a plain word such as 'title:'"),
    ("number as a key", lambda p: edit(p / T / "statement-smk.md", "title:", "1917: October\ntitle:"),
     r"statement-smk\.md:{line:statement-smk.md:1917}: a key must be a plain word"),
    ("YAML alias", lambda p: (edit(p / T / "pamphlet.yml", "byline: ", "byline: &who "),
                              edit(p / T / "pamphlet.yml", "publisher: Socialist Movements of Kazakhstan and Russia", "publisher: *who")),
     r"pamphlet\.yml:{line:pamphlet.yml:byline}: YAML anchors and aliases \(& and \*\) are not allowed"),
    ("number as a title", lambda p: edit(p / T / "statement-rsd.md", "title: ", "title: 1917\nshort_title: "),
     r"statement-rsd\.md:{line:statement-rsd.md:title: 1917}: 'title' must be a line of text \(put it in quotes\)"),
    ("list as a title", lambda p: edit(p / T / "pamphlet.yml", "title: For", "title: [For, a]\nsubtitle: For"),
     r"pamphlet\.yml:{line:pamphlet.yml:title:}: 'title' must be a line of text"),
    ("mapping inside a list of names", lambda p: edit(p / T / "statement-rsd.md", "- Russian Socialist Movement", "- {name: Russian Socialist Movement}"),
     r"statement-rsd\.md:{line:statement-rsd.md:name: Russian}: each item of 'authors' must be a line of text"),
    # Control characters are refused at their line and column, never passed to the layouts.
    ("NUL byte in a piece", lambda p: write_bytes_after(p / T / "introduction.md", "Kazakhstan", b"\x00"),
     r"introduction\.md:{line:introduction.md:Kazakhstan}: U\+0000 \(a control character\) at column \d+: a NUL byte"),
    ("vertical tab from a word processor", lambda p: write_bytes_after(p / T / "statement-smk.md", "hostilities", b"\x0b"),
     r"statement-smk\.md:{line:statement-smk.md:hostilities}: U\+000B \(a control character\) at column \d+: a vertical tab"),
    ("escape character in the manifest", lambda p: write_bytes_after(p / T / "pamphlet.yml", "title: For", b"\x1b[1m"),
     r"pamphlet\.yml:{line:pamphlet.yml:title:}: U\+001B \(a control character\) at column 11"),
    ("paragraph separator in a piece", lambda p: write_bytes_after(p / T / "statement-rsd.md", "several days", "\u2029".encode()),
     r"statement-rsd\.md:{line:statement-rsd.md:several days}: U\+2029 PARAGRAPH SEPARATOR at column \d+: a paragraph separator: leave a blank line"),
    ("line separator in a title", lambda p: write_bytes_after(p / T / "statement-rsd.md", "title: ", "\u2028".encode()),
     r"statement-rsd\.md:{line:statement-rsd.md:title:}: U\+2028 LINE SEPARATOR at column 8"),
    ("C1 control character in a piece", lambda p: write_bytes_after(p / T / "introduction.md", "Kazakhstan", "\u0085".encode()),
     r"introduction\.md:{line:introduction.md:Kazakhstan}: U\+0085 \(a control character\) at column \d+"),
    # One markup policy: plain fields refuse tags; Markdown fields (source, imprint, blurb) use the pieces' allowlist.
    ("style in the title", lambda p: edit(p / T / "pamphlet.yml", "title: For", "title: 'Our pamphlet<style>p{display:none}</style>'\nsubtitle_: For"),
     r"pamphlet\.yml:{line:pamphlet.yml:title:}: 'title' is plain text, so HTML such as <style> is not allowed in it; write the words without tags"),
    ("script in the subtitle", lambda p: edit(p / T / "pamphlet.yml", "subtitle: Statements", "subtitle: <script>alert(1)</script>Statements"),
     r"pamphlet\.yml:{line:pamphlet.yml:subtitle:}: 'subtitle' is plain text, so HTML such as <script> is not allowed"),
    ("iframe in the byline", lambda p: edit(p / T / "pamphlet.yml", "byline: Socialist", 'byline: <iframe src="https://example.org"></iframe>Socialist'),
     r"pamphlet\.yml:{line:pamphlet.yml:byline:}: 'byline' is plain text, so HTML such as <iframe src=\"https://example\.org\"> is not allowed"),
    ("event handler in the publisher", lambda p: edit(p / T / "pamphlet.yml", "publisher: Socialist", "publisher: <b onclick=steal()>Socialist</b>"),
     r"pamphlet\.yml:{line:pamphlet.yml:publisher:}: 'publisher' is plain text, so HTML such as <b onclick=steal\(\)> is not allowed"),
    ("tag in a keyword", lambda p: edit(p / T / "pamphlet.yml", "keywords: [Kazakhstan,", "keywords: [<em>Kazakhstan</em>,"),
     r"pamphlet\.yml:{line:pamphlet.yml:keywords:}: an item of 'keywords' is plain text, so HTML such as <em> is not allowed"),
    ("style in a piece title", lambda p: edit(p / T / "statement-smk.md", "title: Statement", "title: <style>*{color:red}</style>Statement"),
     r"statement-smk\.md:{line:statement-smk.md:title:}: 'title' is plain text, so HTML such as <style> is not allowed"),
    ("script in a short title", lambda p: edit(p / T / "statement-smk.md", "title: Statement", "short_title: x<script src=x.js></script>\ntitle: Statement"),
     r"statement-smk\.md:{line:statement-smk.md:short_title}: 'short_title' is plain text, so HTML such as <script src=x\.js> is not allowed"),
    ("comment in a piece subtitle", lambda p: edit(p / T / "interview-kurmanov.md", "subtitle: Interview", "subtitle: <!-- hidden --> Interview"),
     r"interview-kurmanov\.md:{line:interview-kurmanov.md:subtitle:}: 'subtitle' is plain text, so HTML such as <!-- is not allowed"),
    ("image with an error handler in an author", lambda p: edit(p / T / "statement-smk.md", "- Socialist Movement of Kazakhstan", "- <img src=x onerror=alert(1)>Socialist Movement"),
     r"statement-smk\.md:{line:statement-smk.md:onerror}: an item of 'authors' is plain text, so HTML such as <img src=x onerror=alert\(1\)> is not allowed"),
    ("iframe in a signatory", lambda p: edit(p / T / "statement-rsd.md", "- website editorial office", "- <iframe>website</iframe>"),
     r"statement-rsd\.md:{line:statement-rsd.md:<iframe>}: an item of 'signatories' is plain text, so HTML such as <iframe> is not allowed"),
    ("link in the signatories' introduction", lambda p: edit(p / T / "statement-rsd.md", "signatories_intro: 'The", "signatories_intro: '<a href=\"javascript:x()\">The"),
     r"statement-rsd\.md:{line:statement-rsd.md:signatories_intro}: 'signatories_intro' is plain text, so HTML such as <a href=\"javascript:x\(\)\"> is not allowed"),
    ("script in a source note", lambda p: edit(p / T / "statement-smk.md", "source: This", "source: <script>alert(1)</script>This"),
     r"statement-smk\.md:{line:statement-smk.md:source:}: raw HTML that is not allowed: <script>"),
    ("event handler in a source note", lambda p: edit(p / T / "statement-rsd.md", "source: This", "source: <span onclick=\"steal()\">This</span>"),
     r"statement-rsd\.md:{line:statement-rsd.md:source:}: raw HTML that is not allowed: the attribute onclick"),
    ("iframe in a source note", lambda p: edit(p / T / "statement-smk.md", "source: This", "source: <iframe src=\"https://example.org\"></iframe> This"),
     r"statement-smk\.md:{line:statement-smk.md:source:}: raw HTML that is not allowed: <iframe>"),
    ("link to a file in a source note", lambda p: edit(p / T / "statement-smk.md", "source: This", "source: '[This](file:///etc/passwd)'\nsubtitle: This"),
     r"statement-smk\.md:{line:statement-smk.md:source:}: link 'file:///etc/passwd' points at a file"),
    ("style in the imprint", lambda p: edit(p / T / "pamphlet.yml", "  The texts follow", "  <style>p {display: none}</style> The texts follow"),
     r"pamphlet\.yml:{line:pamphlet.yml:<style>}: raw HTML that is not allowed: <style>"),
    ("iframe in the blurb", lambda p: edit(p / T / "pamphlet.yml", "  On 2 January", "  <iframe src=\"https://example.org\"></iframe>\n  On 2 January"),
     r"pamphlet\.yml:{line:pamphlet.yml:<iframe}: raw HTML that is not allowed: <iframe>"),
    ("image outside the folder in the blurb", lambda p: edit(p / T / "pamphlet.yml", "  On 2 January", "  ![x](../../secret.png)\n\n  On 2 January"),
     r"pamphlet\.yml:{line:pamphlet.yml:secret}: image '\.\./\.\./secret\.png' lies outside the texts folder"),
    # Raw HTML as people write it: what cannot be made right is refused at its line.
    ("emphasis left open across paragraphs", lambda p: append(p / T / "introduction.md", "\n<em>One paragraph\n\nand the next</em>\n"),
     r"introduction\.md:{line:introduction.md:<em>One}: <em> at column 1 is not closed in its paragraph; close it with </em> before the blank line"),
    ("span left open across paragraphs", lambda p: append(p / T / "statement-smk.md", "\nA <span class=\"x\">span\n\nacross</span> paragraphs.\n"),
     r"statement-smk\.md:{line:statement-smk.md:A <span}: <span> at column 3 is not closed in its paragraph"),
    ("tag never closed", lambda p: append(p / T / "introduction.md", "\nA <strong>bold end.\n"),
     r"introduction\.md:{line:introduction.md:bold end}: raw HTML opens <strong> and never closes it"),
    ("tags closed out of order", lambda p: append(p / T / "introduction.md", "\n<em><strong>x</em></strong>\n"),
     r"introduction\.md:{line:introduction.md:<em><strong>}: raw HTML closes <em> that is not open here"),
    ("style naming a font", lambda p: append(p / T / "introduction.md", '\n<span style="font-family: Comic Sans MS">x</span>\n'),
     r"introduction\.md:{line:introduction.md:Comic}: raw HTML that is not allowed: a style that names a font on <span>"),
    ("font shorthand in a style", lambda p: append(p / T / "statement-rsd.md", '\n<p style="color: red; font: 12px Arial">x</p>\n'),
     r"statement-rsd\.md:{line:statement-rsd.md:Arial}: raw HTML that is not allowed: a style that names a font on <p>"),
    ("entity for a missing glyph", lambda p: append(p / T / "statement-smk.md", "\nOur emblem: &#x262D;\n"),
     r"statement-smk\.md:{line:statement-smk.md:emblem}: U\+262D HAMMER AND SICKLE \('\u262d'\) is not in the font"),
    ("entity for a control character", lambda p: append(p / T / "introduction.md", "\nA bell: &#7; rings.\n"),
     r"introduction\.md:{line:introduction.md:A bell}: a character reference to U\+0007, a control character or no character at all"),
    ("entity for a control character in a title", lambda p: edit(p / T / "statement-rsd.md", "title: For", "title: A&#x1b;For"),
     r"statement-rsd\.md:{line:statement-rsd.md:title:}: 'title' holds a character reference to U\+001B"),
    ("empty heading", lambda p: append(p / T / "introduction.md", "\n##\n\nText.\n"),
     r"introduction\.md:{line:introduction.md:##}: an empty heading '##': write its words after the #"),
    ("empty heading with closing hashes", lambda p: append(p / T / "interview-kurmanov.md", "\n### ###\n\nText.\n"),
     r"interview-kurmanov\.md:{line:interview-kurmanov.md:### ###}: an empty heading '### ###'"),
    ("a lone dash turning a list item into a heading", lambda p: append(p / T / "introduction.md", "\n- one\n-\n- three\n"),
     r"introduction\.md:{line:introduction.md:- one:+1}: a line '-' under the list item above makes that item a heading"),
    ("undecodable UTF-8", undecodable, r"introduction\.md:\d+: not valid UTF-8 \(byte 0x92\); save the file as UTF-8"),
    ("empty piece", empty_body, r"introduction\.md:\d+: the piece has no text after its front matter"),
    ("unknown fenced block", lambda p: edit(p / T / "statement-smk.md", "::: demands", "::: demand"),
     r"statement-smk\.md:{line:statement-smk.md:::: demand}: unknown block '::: demand'; known blocks: demands"),
    ("fenced block never closed", lambda p: append(p / T / "introduction.md", "\n::: note\nAn open note.\n"),
     r"introduction\.md:{line:introduction.md:::: note}: this ':::' block is never closed"),
    ("script in raw HTML", lambda p: append(p / T / "introduction.md", "\n<script>alert(1)</script>\n"),
     r"introduction\.md:{line:introduction.md:<script>}: raw HTML that is not allowed: <script>"),
    ("event handler in raw HTML", lambda p: append(p / T / "introduction.md", '\n<p onclick="steal()">Click</p>\n'),
     r"introduction\.md:{line:introduction.md:onclick}: raw HTML that is not allowed: the attribute onclick"),
    ("iframe in raw HTML", lambda p: append(p / T / "introduction.md", '\n<iframe src="https://example.org"></iframe>\n'),
     r"introduction\.md:{line:introduction.md:<iframe}: raw HTML that is not allowed: <iframe>"),
    ("style that loads a file", lambda p: append(p / T / "introduction.md", '\n<p style="background: url(/etc/passwd)">x</p>\n'),
     r"introduction\.md:{line:introduction.md:style=}: raw HTML that is not allowed: a style that loads a file"),
    ("image outside the texts folder", lambda p: append(p / T / "introduction.md", "\n![x](../../../../etc/hosts)\n"),
     r"introduction\.md:{line:introduction.md:etc/hosts}: image '\.\./\.\./\.\./\.\./etc/hosts' lies outside the texts folder"),
    ("image from the network", lambda p: append(p / T / "introduction.md", "\n![x](https://example.org/a.png)\n"),
     r"introduction\.md:{line:introduction.md:example.org}: image 'https://example\.org/a\.png' is not a file of the pamphlet"),
    ("missing image", lambda p: append(p / T / "introduction.md", "\n![x](photo.jpg)\n"),
     r"introduction\.md:{line:introduction.md:photo.jpg}: image 'photo\.jpg' not found"),
    # Images: a reference is a URL naming a file of the pamphlet; the file must be a picture every edition can
    # show, read whole; an SVG may only draw, in the pamphlet's fonts, with characters they have.
    ("image with a query", lambda p: (image_file(p, "march.png"), show(p, "march.png?v=2")),
     r"introduction\.md:{line:introduction.md:march.png?v=2}: image 'march\.png\?v=2' has a query or fragment \('\?…' or '#…' after the file name\).*; write the file's name alone, 'march\.png'"),
    ("image with a fragment", lambda p: (image_file(p, "march.png"), show(p, "march.png#top")),
     r"introduction\.md:{line:introduction.md:march.png#top}: image 'march\.png#top' has a query or fragment"),
    ("image with an empty query", lambda p: (image_file(p, "march.png"), show(p, "march.png?")),
     r"introduction\.md:{line:introduction.md:march.png?}: image 'march\.png\?' has a query or fragment"),
    ("escaped name of a missing image", lambda p: show(p, "my%20photo.png"),
     r"introduction\.md:{line:introduction.md:my%20photo}: image 'my%20photo\.png' \(the file 'my photo\.png'\) not found"),
    ("escapes climbing out of the folder", lambda p: (image_file(p, "../secret.png"), show(p, "%2E%2E/secret.png")),
     r"introduction\.md:{line:introduction.md:%2E%2E}: image '%2E%2E/secret\.png' lies outside the texts folder"),
    ("image that is a symbolic link out", linked_image,
     r"introduction\.md:{line:introduction.md:linked.png}: image 'linked\.png' lies outside the texts folder"),
    ("image named by a file URL", lambda p: show(p, "file:///etc/hosts"),
     r"introduction\.md:{line:introduction.md:file:///etc}: image 'file:///etc/hosts' is not a file of the pamphlet"),
    ("image named by an absolute path", lambda p: show(p, "/etc/hosts"),
     r"introduction\.md:{line:introduction.md:/etc/hosts}: image '/etc/hosts' lies outside the texts folder"),
    ("truncated JPEG", lambda p: picture(p, "photo.jpg", jpeg()[:3000]),
     r"introduction\.md:{line:introduction.md:photo.jpg}: image 'photo\.jpg' cannot be used: it is damaged \(.+\); export it again"),
    ("PNG with a broken checksum", lambda p: picture(p, "march.png", with_crc_broken(MARCH.read_bytes())),
     r"introduction\.md:{line:introduction.md:march.png}: image 'march\.png' cannot be used: it is damaged \(broken PNG file"),
    ("text file named like a JPEG", lambda p: picture(p, "photo.jpg", b"<html>Not Found</html>\n"),
     r"introduction\.md:{line:introduction.md:photo.jpg}: image 'photo\.jpg' cannot be used: it is not an image Pillow can read"),
    ("empty image file", lambda p: picture(p, "empty.png", b""),
     r"introduction\.md:{line:introduction.md:empty.png}: image 'empty\.png' cannot be used: it is not an image Pillow can read"),
    ("TIFF named like a PNG", lambda p: picture(p, "scan.png", tiff()),
     r"introduction\.md:{line:introduction.md:scan.png}: image 'scan\.png' cannot be used: it is a TIFF image, which not every edition can show"),
    ("image claiming too many pixels", lambda p: picture(p, "huge.png", claiming_size(MARCH.read_bytes(), 40000, 40000)),
     r"introduction\.md:{line:introduction.md:huge.png}: image 'huge\.png' cannot be used: it has too many pixels to be read safely"),
    pytest.param("unreadable image", unreadable_image,
                 r"introduction\.md:{line:introduction.md:locked.png}: image 'locked\.png' cannot be used: it cannot be read \(Permission denied\)",
                 marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")),
    ("SVG with a script", lambda p: svg(p, '<script>alert(1)</script>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a <script> \(line 2 of the SVG\)"),
    ("SVG with an event handler", lambda p: svg(p, '<rect width="10" height="10" onclick="steal()"/>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds an event handler \(onclick=\"steal\(\)\"\) \(line 2"),
    ("SVG loading a picture from the network", lambda p: svg(p, '<image href="https://example.org/x.png" width="10" height="10"/>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a reference to another file or the network \('https://example\.org/x\.png'\)"),
    ("SVG using another file", lambda p: svg(p, '<use xlink:href="other.svg#star"/>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a reference to another file or the network \('other\.svg#star'\)"),
    ("SVG with a DOCTYPE and entities", lambda p: svg(p, "<text font-family='Charis SIL'>&secret;</text>",
                                                       head='<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it has a DOCTYPE"),
    ("SVG with a foreignObject", lambda p: svg(p, '<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a <foreignObject>"),
    ("SVG style importing a file", lambda p: svg(p, '<style>@import url(https://example.org/x.css);</style>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a stylesheet that loads a file"),
    ("SVG with a stylesheet instruction", lambda p: svg(p, '<rect width="10" height="10"/>', head='<?xml-stylesheet href="https://example.org/a.css"?>\n'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a processing instruction that loads a stylesheet"),
    ("SVG not well-formed", lambda p: svg(p, '<rect width="10" height="10">'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it is not well-formed XML"),
    ("SVG text in a font not shipped", lambda p: with_svg_text(p, '<text x="5" y="50" font-family="Arial">Strike!</text>'),
     r"drawing\.svg:3: text in this SVG is set in the font 'Arial'; only the pamphlet's fonts are used"),
    ("SVG text in no font", lambda p: with_svg_text(p, '<text x="5" y="50">Strike!</text>'),
     r"drawing\.svg:3: text in this SVG is set in no font \(so a system font\)"),
    ("SVG style naming a font not shipped", lambda p: with_svg_text(p, '<style>.t { font-family: Helvetica }</style><text class="t">Strike!</text>'),
     r"drawing\.svg:3: this SVG's style names the font 'Helvetica'"),
    ("SVG text with a character missing from the fonts", lambda p: with_svg_text(p, '<text x="5" y="50" style="font-family: \'Charis SIL\'">Our emblem: \u262d</text>'),
     r"drawing\.svg:3: U\+262D HAMMER AND SICKLE \('\u262d'\) is not in the font Charis SIL"),
    ("link to a local file", lambda p: append(p / T / "introduction.md", "\n[notes](file:///etc/passwd)\n"),
     r"introduction\.md:{line:introduction.md:file:///}: link 'file:///etc/passwd' points at a file"),
    ("character missing from the fonts", lambda p: append(p / T / "statement-smk.md", "\nOur emblem: \u262d\n"),
     r"statement-smk\.md:{line:statement-smk.md:emblem}: U\+262D HAMMER AND SICKLE \('\u262d'\) is not in the font"),
    ("missing layout file", lambda p: (p / "layouts" / "print.html").unlink(),
     r"layouts/print\.html: layout file not found"),
    ("broken Jinja template", lambda p: edit(p / "layouts" / "_piece.html", "{% endif %}", "{% endfi %}"),
     r"layouts/_piece\.html:\d+: layout error: .*endfi"),
    ("layout loading from the network", lambda p: edit(p / "layouts" / "print.css", "@import url(fonts.css);",
                                                       "@import url(fonts.css);\n@import url(https://example.org/x.css);"),
     r"layouts/print\.css:\d+: 'https://example\.org/x\.css' is not a file of the pamphlet"),
    ("layout loading outside its folders", lambda p: edit(p / "layouts" / "fonts.css", "url(../fonts/CharisSIL-Regular.ttf)",
                                                          "url(/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)"),
     r"layouts/fonts\.css:{line:layouts/fonts.css:DejaVu}: '/usr/share/fonts/truetype/dejavu/DejaVuSans\.ttf' lies outside layouts/ and fonts/"),
    ("EPUB stylesheet Send to Kindle refuses", lambda p: append(p / "layouts" / "epub.css", "\n.kicker { --red: #b3001b; }\n"),
     r"kazakhstan-2022\.epub: EPUB/css/epub\.css: the custom property '--red': Send to Kindle refuses CSS variables"),
    ("locale without a label", lambda p: edit(p / "layouts" / "locales" / "en.yml", "  contents: Contents\n", ""),
     r"layouts/locales/en\.yml: lacks contents; compare it with en\.yml"),
    ("font file that is not a font", not_a_font, r"fonts/PTSansNarrow-Bold\.ttf: not a usable font file"),
    ("note called but never written", lambda p: append(p / T / "introduction.md", "\nA claim.[^nosuch]\n"),
     r"introduction\.md:{line:introduction.md:[^nosuch]}: the note \[\^nosuch\] is called but never written"),
    ("note written but never called", lambda p: append(p / T / "introduction.md", "\n[^lonely]: Nobody calls me.\n"),
     r"introduction\.md:{line:introduction.md:[^lonely]}: the note \[\^lonely\] is written but never called"),
    ("two notes with one name", lambda p: append(p / T / "introduction.md",
                                                 "\nA.[^twice]\n\n[^twice]: One.\n\n[^twice]: Two.\n"),
     r"introduction\.md:{line:introduction.md:[^twice]: Two}: a second note \[\^twice\] \(the first is on line \d+\)"),
    ("note called twice", lambda p: append(p / T / "introduction.md", "\nA.[^again] B.[^again]\n\n[^again]: Once.\n"),
     r"introduction\.md:{line:introduction.md:B.[^again]}: the note \[\^again\] is called a second time"),
    ("note holding a list", lambda p: append(p / T / "introduction.md",
                                             "\nA.[^list]\n\n[^list]: Items:\n\n    - one\n    - two\n"),
     r"introduction\.md:{line:introduction.md:[^list]:}: the note \[\^list\] holds a ul; a note may hold only paragraphs"),
    ("note too long for a page", lambda p: append(p / T / "statement-rsd.md", "\nA claim.[^long]\n\n[^long]: "
                                                  + "This note goes on and on without end. " * 220 + "\n"),
     r"statement-rsd\.md:{line:statement-rsd.md:[^long]:}: note \d+ is missing from kazakhstan-2022-print\.pdf "
     r"\(called on page \d+\): it is too long to fit at the foot of a page"),
    ("image without a description", image_without_description,
     r"introduction\.md:{line:introduction.md:](march.png}: this image has no description"),
    ("image too coarse for print", coarse_image,
     r"statement-rsd\.md:{line:statement-rsd.md:small%20photo}: image 'small photo\.png' prints \d+ mm wide at \d+ dpi "
     r"\(page \d+\); a print shop needs 300 dpi: use a version at least \d+ pixels wide"),
    ("table too wide for the page", lambda p: append(p / T / "introduction.md", WIDE_TABLE),
     r"introduction\.md:{line:introduction.md:| Internationalisation}: this table is \d+\.\d mm too wide for the page"),
    ("table not read", lambda p: append(p / T / "introduction.md", "\nThe figures:\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
     r"introduction\.md:{line:introduction.md:|---|}: a table's rule line left as written \(“…figures: \| a \| b \| \|.*\| 1 \| 2 \|…”\); start the table"),
    ("strikeout never closed", lambda p: append(p / T / "introduction.md", "\nThe ~~old words.\n"),
     r"introduction\.md:{line:introduction.md:~~old}: a strikeout '~~' never closed left as written"),
    ("inline note never closed", lambda p: append(p / T / "introduction.md", "\nA claim.^[A note never closed.\n"),
     r"introduction\.md:{line:introduction.md:^[A note}: an inline note '\^\[' never closed"),
    ("span with an unknown class", lambda p: append(p / T / "introduction.md", "\nA [word]{.blink} here.\n"),
     r"introduction\.md:{line:introduction.md:[word]{.blink}: a bracketed span left as written"),
    ("heading with attributes", lambda p: append(p / T / "introduction.md", "\n## A heading {#custom}\n\nText.\n"),
     r"introduction\.md:{line:introduction.md:{#custom}: attributes in braces left as written"),
    ("image with a size in braces", image_sized_in_braces,
     r"introduction\.md:{line:introduction.md:(march.png){width=50%}: attributes in braces left as written"),
    ("emphasis never closed", lambda p: append(p / T / "introduction.md", "\nA **bold claim.\n"),
     r"introduction\.md:{line:introduction.md:**bold}: an emphasis marker never closed left as written"),
    ("fence not read", lambda p: append(p / T / "introduction.md", "\nA paragraph ::: note\n"),
     r"introduction\.md:{line:introduction.md:A paragraph :::}: a ':::' fence not read left as written"),
    # Real texts and folders (issue 22): what a user's own files hold, refused at the line to change.
    ("Word's Symbol-font asterisk", lambda p: append(p / T / "introduction.md", "\nFive \uf02a three.\n"),
     r"introduction\.md:{line:introduction.md:Five}: U\+F02A is Word's Symbol-font '\u2217' \(U\+2217 ASTERISK "
     r"OPERATOR\), pasted as a private-use character that no font shows; type '\*' instead"),
    ("Word's Symbol-font degree sign", lambda p: append(p / T / "statement-smk.md", "\nIt was 30\uf0b0 below.\n"),
     r"statement-smk\.md:{line:statement-smk.md:It was 30}: U\+F0B0 is Word's Symbol-font '°' \(U\+00B0 DEGREE "
     r"SIGN\), pasted as a private-use character that no font shows; type '°' instead"),
    ("Word's Symbol-font alpha", lambda p: append(p / T / "introduction.md", "\nThe \uf061 particle.\n"),
     r"introduction\.md:{line:introduction.md:particle}: U\+F061 is Word's Symbol-font 'α' \(U\+03B1 GREEK SMALL "
     r"LETTER ALPHA\).*; 'α' is not in the font PT Sans Narrow either: write it out in words"),
    ("url too long for a QR code", lambda p: edit(p / T / "pamphlet.yml", "slug: kazakhstan-2022",
                                                  "slug: kazakhstan-2022\nurl: https://example.org/" + "x" * 3000),
     r"pamphlet\.yml:{line:pamphlet.yml:url:}: 'url' is 3020 characters long, more than 213: it is printed as a QR "
     r"code"),
    ("slug too long for a file name", lambda p: edit(p / T / "pamphlet.yml", "slug: kazakhstan-2022", "slug: " + "k" * 300),
     r"pamphlet\.yml:{line:pamphlet.yml:slug}: 'slug' is 300 characters long, more than 60: it begins the name of "
     r"every file"),
    ("print profile that is not a profile", lambda p: ((p / T / "shop.icc").write_text("not a profile\n"),
                                                       append(p / T / "pamphlet.yml", "print_profile: shop.icc\n")),
     r"pamphlet\.yml:{line:pamphlet.yml:print_profile}: print_profile 'shop\.icc' is not an ICC profile"),
    ("print profile that is a symbolic link out", lambda p: (
        shutil.copy(ROOT / "layouts" / "profiles" / "FOGRA29.icc", p / "outside.icc"),
        (p / T / "shop.icc").symlink_to(p / "outside.icc"), append(p / T / "pamphlet.yml", "print_profile: shop.icc\n")),
     r"pamphlet\.yml:{line:pamphlet.yml:print_profile}: print_profile 'shop\.icc' lies outside the texts folder"),
    # One CSS policy (styles.py): a style is read by a CSS parser, so no escape lets a file or a tracker in.
    *[(f"style loading a file written {form}", lambda p, style=style: append(
        p / T / "introduction.md", f'\n<span style="{style}">A tracker</span>\n'),
       r"introduction\.md:{line:introduction.md:A tracker}: raw HTML that is not allowed: a style that loads a file on "
       r"<span> \(" + loaded)
      for form, style, loaded in [
          ("with a hexadecimal escape", r"-webkit-mask-image: u\72 l(https://tracker.example/p.png)", r"url\(https://tracker"),
          ("with an escape at its start", r"background: \75 rl(https://tracker.example/p.png)", r"url\(https://tracker"),
          ("with a six-digit escape", r"background: \000075rl(https://tracker.example/p.png)", r"url\(https://tracker"),
          ("in capitals", "background: URL(https://tracker.example/p.png)", r"url\(https://tracker"),
          ("as an HTML entity", "background: &#x75;rl(https://tracker.example/p.png)", r"url\(https://tracker"),
          ("in quotes with spaces", "background: url( 'https://tracker.example/p.png' )", r"url\(https://tracker"),
          ("as an image set", "background-image: image-set('https://tracker.example/p.png' 1x)", r"image-set\(https://tracker"),
      ]],
    ("SVG style loading a file through an escape", lambda p: svg(p, r'<rect width="10" height="10" style="fill: u\72 l(https://tracker.example/p.svg#a)"/>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a style that loads a file"),
    ("SVG stylesheet importing through an escape", lambda p: svg(p, r'<style>@\69 mport "https://tracker.example/x.css";</style>'),
     r"introduction\.md:{line:introduction.md:drawing.svg}: image 'drawing\.svg' cannot be used: it holds a stylesheet that loads a file"),
    ("language in a script the layouts have no words for", lambda p: edit(p / T / "pamphlet.yml", "language: en",
                                                                          "language: ru-Latn"),
     r"pamphlet\.yml:{line:pamphlet.yml:language}: no layout words for language 'ru-Latn': add layouts/locales/ru-Latn\.yml"),
    ("note inside a note", lambda p: append(p / T / "introduction.md", "\nA claim.[^outer]\n\n[^outer]: The outer "
                                                                      "note calls another.[^inner]\n\n[^inner]: Inner.\n"),
     r"introduction\.md:{line:introduction.md:calls another}: the note \[\^inner\] is called inside the note "
     r"\[\^outer\]; a note cannot hold a note"),
    ("link to a missing anchor", lambda p: append(p / T / "statement-rsd.md", "\nAs [said above](#demands-of-2022).\n"),
     r"statement-rsd\.md:{line:statement-rsd.md:said above}: link '#demands-of-2022' points at no place in the "
     r"pamphlet"),
    ("title too long for the running head", lambda p: edit(p / T / "statement-smk.md", "title: Statement",
                                                           "title: " + "Solidarity with the oil workers, " * 8 + "Statement"),
     r"statement-smk\.md:{line:statement-smk.md:title: Solidarity}: 'title' is \d+ characters long, too long for the "
     r"running head above the pages \(at most 120\): add a short_title of at most 120"),
    # Files over the size limits (README, "Only the files the pamphlet uses are read") are refused unread.
    ("piece over the size limit", huge_piece,
     r"pamphlet\.yml:{line:pamphlet.yml:minutes}: piece 'minutes\.md' is 9 MB, more than the 8 MB the build reads "
     r"for one file"),
    ("picture over the size limit", lambda p: (sparse(p / T / "poster.png", 41), show(p, "poster.png")),
     r"introduction\.md:{line:introduction.md:poster.png}: image 'poster\.png' is 41 MB, more than the 40 MB"),
    ("SVG over the size limit", lambda p: (sparse(p / T / "map.svg", 25), show(p, "map.svg")),
     r"introduction\.md:{line:introduction.md:map.svg}: image 'map\.svg' is 25 MB, more than the 24 MB"),
    ("TeX math", lambda p: append(p / T / "introduction.md", "\nEinstein wrote $E = mc^2$ once.\n"),
     r"introduction\.md:{line:introduction.md:Einstein}: TeX math left as written \(“…Einstein wrote \$E = mc\^2\$ "
     r"once\.…”\); the editions do not typeset TeX: write x\^2\^"),
    ("code line too long for the page", lambda p: append(p / T / "introduction.md", "\nThe key: `" + "A1" * 250 + "`\n"),
     r"introduction\.md:{line:introduction.md:The key}: a word of 500 characters without a place to break "
     r"\(“A1A1.*…A1A1A1”\) is longer than a line of the page holds \(at most 32\)"),
    ("line of a fenced code block too long for the page", lambda p: append(
        p / T / "statement-smk.md", "\n```\n" + "x" * 300 + "\n```\n"),
     r"statement-smk\.md:{line:statement-smk.md:xxxxxxxx}: a word of 300 characters without a place to break"),
    # A leaflet too long stops only that leaflet: test_makeup.py (the other files are built, so not untouched).
]


def run(project, *args):
    """build.py with args in the project's copy, in a fresh interpreter as a user runs it."""
    return subprocess.run([sys.executable, "build.py", *args], cwd=project, capture_output=True, text=True,
                          timeout=600, check=False)


def run_here(project, *args):
    """build.py with args in the project's copy, in this process (conftest.run_here) with the checkout's code,
    layouts and fonts: the same exit status and output as a fresh interpreter gives when the copy's are those."""
    return run_in_process(*args, cwd=project)


def _files(folder):
    return {(path.relative_to(folder), path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts}


def as_checked_out(project):
    """Whether the project's code, layouts and fonts are still the checkout's (copied with their times, linked)."""
    return all(_files(project / folder) == _files(ROOT / folder) for folder in ("pamphlet", "layouts", "fonts"))


def expected_pattern(project, pattern):
    def line(match):
        path, needle = match.group(1).split(":", 1)
        needle, plus = (needle[:-3], 1) if needle.endswith(":+1") else (needle, 0)  # the line after NEEDLE's
        folder = project if path.startswith("layouts") else project / "texts"
        return str(line_of(folder / path, needle) + plus)
    return re.sub(r"\{line:([^}]+)\}", line, pattern)


def assert_untouched(project):
    out = project / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS), "a file was added or a temporary file left"
    for name in OUTPUTS:
        assert (out / name).read_bytes() == PREVIOUS, f"{name} was changed"


# Problems the print layout finds, asked of the print edition alone: with every edition, the second process makes
# the others meanwhile, to be thrown away (2.5 s of CPU each) — that they are is "note too long for a page"'s and the
# Send to Kindle case's matter, which build every edition.
PRINT_ALONE = {"image too coarse for print", "table too wide for the page"}


# The cases that break what the builder ships (a layout, a font): each runs a whole copy of the project in a fresh
# interpreter. Every other case's copy holds texts/ alone (a case that touched the code, layouts or fonts would find
# them missing) and runs in this process.
BREAKS_SHIPPED = {"missing layout file", "broken Jinja template", "layout loading from the network",
                  "layout loading outside its folders", "EPUB stylesheet Send to Kindle refuses",
                  "locale without a label", "font file that is not a font"}


@pytest.mark.parametrize("case, mutate, pattern", CASES,
                         ids=[case.values[0] if hasattr(case, "values") else case[0] for case in CASES])
def test_bad_input(tmp_path, case, mutate, pattern):
    project = _copy(tmp_path, whole=case in BREAKS_SHIPPED)
    mutate(project)
    editions = ("print",) if case in PRINT_ALONE else ()
    if case in BREAKS_SHIPPED:
        assert not as_checked_out(project), f"{case!r} breaks nothing the builder ships: leave it out of BREAKS_SHIPPED"
        result = run(project, *editions, "--out", "out")
    else:
        result = run_here(project, *editions, "--out", "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # The first line of the message is the problem, starting with the source file (and line) it names.
    first = result.stderr.splitlines()[0] if result.stderr else ""
    assert re.match(r"[^\s:]*" + expected_pattern(project, pattern), first), result.stderr
    assert re.search(r"build failed: \d+ problems?; the files already in out were left as they were", result.stderr)
    assert_untouched(project)


def test_every_problem_is_reported_at_once(project):
    edit(project / T / "statement-smk.md", "title:", "titel:")
    edit(project / T / "statement-rsd.md", "kind: statement", "kind: manifesto")
    edit(project / T / "pamphlet.yml", "language: en", "language: English")
    result = run(project, "--out", "out")
    assert result.returncode == 1
    for text in ("statement-smk.md:", "statement-rsd.md:2: 'kind' is 'manifesto'", "pamphlet.yml:", "3 problems"):
        assert text in result.stderr, result.stderr
    assert_untouched(project)


def test_unknown_edition_is_a_usage_error(project):
    result = run(project, "posters", "--out", "out")
    assert result.returncode == 2
    assert "unknown edition 'posters'" in result.stderr and "Traceback" not in result.stderr
    assert_untouched(project)


def test_unwritable_out(project):
    (project / "blocked").write_text("a file, not a folder")
    result = run(project, "--out", "blocked/dist")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"blocked/dist: cannot write to the output folder \(.+\); choose another with --out",
                     result.stderr), result.stderr


def test_texts_folder_missing(project):
    result = run(project, "--texts", "nowhere", "--out", "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nowhere: no such folder" in result.stderr
    assert_untouched(project)
