"""Turns a piece's Markdown into XHTML with real quotes, dashes and no-break spaces: the one Markdown setup of
the pamphlet, shared by the checks and the typesetter."""

import html
import io
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import lxml.html
import markdown
import tinyhtml5
from lxml import etree as lxml_etree
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from . import microtype, styles
from .hyphenate import Hyphenator
from .notes import OPS, shapes, serialize_inside
from .pandoc import INLINE_NOTE, PandocMarkdown
from .syntax import DIV_FENCE, NOTE_DEFINITION
from .urls import BreakableUrls

NBSP = "\u00a0"
ASSET = "asset:"  # prefix of a piece's image paths until an edition says where images live
COMMENT = re.compile(r"\n?<!--.*?-->", re.DOTALL)
# Blocks a piece may wrap in ::: fences; the layouts style each one.
BLOCKS = ("demands", "postscript", "note")


class FencedBlocks(BlockProcessor):
    """Pandoc-style fenced blocks: '::: demands' … ':::' wraps its Markdown in <div class="demands">."""

    def test(self, parent, block):
        match = DIV_FENCE.match(block.split("\n", 1)[0])
        return bool(match and match.group(1))

    def run(self, parent, blocks):
        head, _, rest = blocks.pop(0).partition("\n")
        name = DIV_FENCE.match(head).group(1)
        if rest:
            blocks.insert(0, rest)
        content = []
        while blocks:
            lines = blocks.pop(0).split("\n")
            closing = [i for i, line in enumerate(lines) if line.strip() == ":::"]
            if closing:
                before, after = lines[:closing[0]], lines[closing[0] + 1:]
                if "".join(before).strip():
                    content.append("\n".join(before))
                if "".join(after).strip():
                    blocks.insert(0, "\n".join(after))
                break
            content.append("\n".join(lines))
        div = etree.SubElement(parent, "div", {"class": name})
        self.parser.parseBlocks(div, content)


class NoBreakSpaces(Treeprocessor):
    """Glues what must not be split across lines: '7 January', 'January 7', '3,000 Russian', ' —'."""

    def __init__(self, md, locale):
        super().__init__(md)
        months = "|".join(re.escape(m) for m in locale["months"])
        short = "|".join(re.escape(w) for w in locale.get("nbsp_after", []))
        rules = [
            (r"(?<=\d) +(?=\w)", NBSP),
            (rf"\b({months}) +(?=\d)", rf"\1{NBSP}"),
            (r" +(?=[—–](\s|$))", NBSP),
        ]
        if short:
            rules.append((rf"(?<![\w-])({short}) +", rf"\1{NBSP}"))
        self.rules = [(re.compile(pattern, re.IGNORECASE), repl) for pattern, repl in rules]
        self.rules += [(re.compile(pattern), repl) for pattern, repl in microtype.rules(locale)]

    def run(self, root):
        for element in root.iter():
            if element.tag in ("code", "pre"):
                continue
            element.text = self.glue(element.text)
            element.tail = self.glue(element.tail)

    def glue(self, text):
        if text:
            for pattern, repl in self.rules:
                text = pattern.sub(repl, text)
        return text


class HeadingIds(Treeprocessor):
    """Gives each heading an id unique in the pamphlet, for the contents."""

    def run(self, root):
        for number, element in enumerate(
                (e for e in root.iter() if e.tag in ("h2", "h3", "h4")), start=1):
            element.set("id", f"{self.md.id_prefix}-{number}")


class ImageAssets(Treeprocessor):
    """Marks the images a piece uses; each edition puts them where its files are (render.ASSET). Each image
    records the line it was written on, so that the layout check can name an image too coarse for print."""

    def run(self, root):
        self.md.images = []
        for element in root.iter("img"):
            src = element.get("src")
            self.md.images.append(src)
            element.set("src", ASSET + src)
            if self.md.source_name:
                line = next((n for n, text in enumerate(self.md.source_lines) if src in text), 0)
                element.set("data-source", f"{self.md.source_name}:{self.md.first_line + line}")


class AuthorStyles(Postprocessor):
    """The styles of the author's raw HTML cut down to the allowlist (styles.kept), before Python-Markdown puts
    that HTML back into the text; the builder's own styles (a list's start, a column's alignment) stay."""

    def run(self, text):
        blocks = self.md.htmlStash.rawHtmlBlocks
        self.md.author_html = [str(block) for block in blocks]  # as written, for the checks (validate)
        blocks[:] = [styles.kept_in_tags(block) if isinstance(block, str) else block for block in blocks]
        return text


class WellFormed(Postprocessor):
    """Raw HTML as people write it (already checked against the allowlist) made well-formed XHTML."""

    def run(self, text):
        return xhtml(text)


def xhtml(fragment):
    """An HTML fragment as XHTML, read by an HTML5 parser: entities become characters, void elements are
    closed (<br> and <br/> alike), tag names are lower case, and comments are dropped (whatever they hold)."""
    # A file object, never a str: tinyhtml5 opens a str of under 200 characters that names a file as that file.
    body = tinyhtml5.parse(io.StringIO(f"<body>{fragment}"), namespace_html_elements=False).find("body")
    for parent in list(body.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment or processing instruction
                _drop_keeping_tail(parent, child)
    return html.escape(body.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode") for child in body)


def _drop_keeping_tail(parent, child):
    index = list(parent).index(child)
    if child.tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


class PamphletMarkdown(Extension):
    def __init__(self, locale):
        super().__init__()
        self.locale = locale

    def extendMarkdown(self, md):
        md.parser.blockprocessors.register(FencedBlocks(md.parser), "fenced_blocks", 105)
        if self.locale:
            # After inline patterns (priority 20), so that smart quotes are already characters.
            md.treeprocessors.register(NoBreakSpaces(md, self.locale), "nbsp", 5)
        md.treeprocessors.register(HeadingIds(md), "heading_ids", 4)
        md.treeprocessors.register(ImageAssets(md), "image_assets", 3)
        md.treeprocessors.register(BreakableUrls(md), "breakable_urls", 2)
        md.postprocessors.register(AuthorStyles(md), "author_styles", 35)  # before raw_html (30) restores it
        md.postprocessors.register(WellFormed(md), "well_formed", 0)


def _smarty(locale):
    """Smarty's settings: the pamphlet language's quotes, real dashes and ellipses."""
    quotes = (locale or {}).get("quotes", "“”‘’")
    substitutions = {
        "left-double-quote": quotes[0], "right-double-quote": quotes[1],
        "left-single-quote": quotes[2], "right-single-quote": quotes[3],
        "ndash": "–", "mdash": "—", "ellipsis": "…",
        "left-angle-quote": "«", "right-angle-quote": "»",
    }
    return {"substitutions": substitutions, "smart_angled_quotes": True}


def converter(locale=None):
    """The pamphlet's Markdown: Python-Markdown with its own extensions, pymdown-extensions' sub- and
    superscript and strikeout, and ours for the rest of Pandoc's everyday syntax. locale (the layouts' words
    for the pamphlet's language) sets the quotes and no-break spaces; the checks need neither."""
    md = markdown.Markdown(
        extensions=["smarty", "sane_lists", "footnotes", "tables", "def_list", "fenced_code", "pymdownx.tilde",
                    "pymdownx.caret",
                    PandocMarkdown(), PamphletMarkdown(locale)],
        extension_configs={
            "smarty": _smarty(locale),
            "footnotes": {"BACKLINK_TEXT": "", "SUPERSCRIPT_TEXT": "{}"},
            "pymdownx.tilde": {"smart_delete": True, "subscript": True},
            "pymdownx.caret": {"smart_insert": True, "superscript": True},
        },
        output_format="xhtml",
        lazy_ol=False,  # a list written from 4 starts at 4
    )
    md.id_prefix, md.source_name, md.first_line, md.source_lines = "h", None, 1, []
    return md


def convert(md, text, id_prefix="h", source_name=None, first_line=1):
    """Markdown text as an XHTML fragment under a <div> that declares the epub: prefix (lxml), and its images.

    Markdown's internal placeholders are restored in the text by then; a stray one is a bug, never printed."""
    md.reset()
    md.id_prefix, md.source_name, md.first_line, md.source_lines = id_prefix, source_name, first_line, text.split("\n")
    # Comments (such as build.py lint's "<!-- lint: ignore -->") are notes to the editor: not printed, not
    # carried into any edition. Code keeps its "<" escaped, so every "<!--" left here opens a comment.
    html = COMMENT.sub("", md.convert(text))
    root = lxml_etree.Element("div", nsmap={"epub": OPS})
    if html.strip():
        parsed = lxml.html.fragment_fromstring(html, create_parent="div")
        root.text = parsed.text
        root.extend(list(parsed))
    return root, md.images


PLACEHOLDERS = re.compile("[\x02\x03]")


def _words(heading):
    """A heading's words for the contents: its text without the number of a note called in it."""
    text = heading.text or ""
    for child in heading:
        if not (child.tag == "sup" and (child.get("id") or "").startswith("fnref")):
            text += _words(child)
        text += child.tail or ""
    return text


@dataclass(frozen=True)
class Typeset:
    body: str       # XHTML for the PDF editions: each note stands right after its call
    epub_body: str  # XHTML for the EPUB: the calls only
    notes: list     # notes.Note, for the end of the piece in the EPUB
    headings: list  # (level, id, text) for the contents
    images: list    # paths in the texts folder


class Typesetter:
    """One configured Markdown converter per pamphlet language; names (words.txt) are never hyphenated."""

    def __init__(self, locale, names=()):
        self.md = converter(locale)
        self.hyphenator = Hyphenator(locale.get("hyphenation"), names)
        self.calls = locale.get("note_calls")
        # Plain text fields (titles, names): the same typography, but nothing read as Markdown or HTML.
        self.plain_md = markdown.Markdown(extensions=["smarty", PamphletMarkdown(locale)],
                                          extension_configs={"smarty": _smarty(locale)}, output_format="xhtml")
        self.plain_md.id_prefix = "plain"
        for registry, keep in ((self.plain_md.parser.blockprocessors, {"empty", "paragraph"}),
                               (self.plain_md.inlinePatterns, set()), (self.plain_md.preprocessors, set())):
            for name in [item.name for item in registry._priority if item.name not in keep]:
                registry.deregister(name)

    def typeset(self, text, id_prefix="h", source_name=None, first_line=1):
        """A piece's body in the shapes the editions need; source_name and first_line say where it was read
        (tables and images carry them, so that the layout check can name a table too wide for the page or
        an image too coarse for print)."""
        root, images = convert(self.md, text, id_prefix, source_name, first_line)
        self.hyphenator.tree(root)
        headings = []
        for heading in root.iter("h2", "h3", "h4"):
            words = PLACEHOLDERS.sub("", _words(heading))
            headings.append((int(heading.tag[1]), heading.get("id"), words))
            if words != PLACEHOLDERS.sub("", "".join(heading.itertext())):
                heading.set("data-bookmark", words)  # the PDF's bookmark, without the note's number (print.css)
        print_root, epub_root, notes = shapes(root, id_prefix, self._note_sources(source_name, first_line),
                                               self.calls)
        for element in epub_root.iter("table", "img"):
            element.attrib.pop("data-source", None)
        self.hyphenator.cells(epub_root)
        body, epub_body = serialize_inside(print_root), serialize_inside(epub_root)
        if PLACEHOLDERS.search(body + epub_body):
            raise ValueError(f"Markdown's placeholder characters left in {source_name or 'a text'}")
        return Typeset(body, epub_body, notes, headings, images)

    def _note_sources(self, source_name, first_line):
        """'file:line' of each note's definition (or, for an inline note, of its call), by the note's name."""
        if not source_name:
            return {}
        sources = {}
        for number, line in enumerate(self.md.source_lines):
            match = NOTE_DEFINITION.match(line)
            if match:
                sources.setdefault(match.group(1), f"{source_name}:{first_line + number}")
        for number, line in enumerate(getattr(self.md, "inline_note_lines", []), start=1):
            sources[f"{INLINE_NOTE}{number}"] = f"{source_name}:{first_line + line}"
        return sources

    def block(self, text):
        """Markdown outside the pieces (imprint, blurb) as XHTML."""
        return self.typeset(text).body

    def inline(self, text):
        """A line of Markdown from the front matter (a source note) typeset like the body, without a <p>."""
        if not text:
            return text
        html = self.block(text.replace("\n", " "))
        return html.removeprefix("<p>").removesuffix("</p>")

    def plain(self, text):
        """A plain text field (a title, a name) with real quotes and dashes; entities such as &nbsp; are
        characters, and anything else that looks like markup is printed as written."""
        if not text:
            return text
        self.plain_md.reset()
        return self.plain_md.convert(html.unescape(" ".join(text.split()))).removeprefix("<p>").removesuffix("</p>")
