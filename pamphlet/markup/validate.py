"""Checks each piece before it is typeset: fenced blocks, raw HTML, headings, the images and links it refers to."""

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import nh3
from lxml import html

from ..sources import images
from . import leftovers, styles
from ..errors import BuildError, Problem
from .convert import ASSET, BLOCKS, converter
from .measure import check_long_words
from ..pipeline.memo import file_key
from ..sources.files import referenced_control
from .syntax import DIV_FENCE, EMPTY_HEADING, LIST_ITEM, SETEXT

# Raw HTML a piece may contain: phrasing and simple blocks, nothing that runs, loads or embeds.
ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "div", "em", "hr", "i", "ins", "kbd",
                "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "u", "ul", "wbr"}
ALLOWED_ATTRIBUTES = {"*": {"class", "lang", "title", "dir", "style"}, "a": {"href"}, "abbr": {"title"}}
LINK_SCHEMES = {"http", "https", "mailto"}


class Text(NamedTuple):
    """Markdown from a front matter or manifest field, read like a piece's body (same attribute names)."""
    path: Path
    body: str
    body_line: int


def check_piece(piece, folder, memo):
    """Every problem in a piece's body: fences, headings, raw HTML, references."""
    long_words = memo.get(("long words", str(piece.path), piece.body, piece.body_line), check_long_words, piece.path,
                          piece.body, piece.body_line, name=str(piece.path))
    return _check_fences(piece) + _check_headings(piece) + long_words \
        + check_markdown(piece.path, piece.body, piece.body_line, folder, memo)


def check_markdown(path, body, first_line, folder, memo):
    """Problems in Markdown from any source (a piece's body, the source note, the imprint, the blurb): raw HTML
    outside the allowlist or left open across paragraphs, and the files and links it refers to. What the text
    alone decides is kept in memo (a text.Memo) by the text; the files it refers to are looked at every build."""
    piece = Text(path, body, first_line)
    before, references, after = memo.get(("markdown check", str(path), body, first_line),
                                         _check_text, piece, memo, name=str(path))
    problems = list(before)
    for tag, value in references:
        problems += _check_image(piece, folder, value, memo) if tag == "img" else _check_link(piece, value)
    return problems + after


def _check_text(piece, memo):
    """(problems before its references, its references in order as (tag, src or href), problems after them)."""
    md = memo.get(("converter",), converter)  # the typesetter's own setup: what is checked here is what is printed
    md.reset()
    converted = md.convert(piece.body)
    fragments = md.author_html  # the raw HTML as the author wrote it, before its styles were cut down
    problems = []
    for fragment in fragments:
        problems += _check_raw_html(piece, fragment)
    problems += _check_balance(piece, fragments) or _check_paragraphs(piece)
    tree = html.fragment_fromstring(converted, create_parent="div") if converted.strip() else None
    references = []
    for element in tree.iter() if tree is not None else ():
        if element.tag == "img":
            references.append(("img", element.get("src", "").removeprefix(ASSET)))
        elif element.tag == "a" and element.get("href"):
            references.append(("a", element.get("href")))
    return problems, references, leftovers.check(piece, converted)


def line_of(piece, text):
    """The line of the piece's file where text (or its first line) first appears."""
    needle = text.strip().split("\n")[0]
    index = piece.body.find(needle) if needle else -1
    return piece.body_line + piece.body[:index].count("\n") if index >= 0 else piece.body_line


def _check_fences(piece):
    problems = []
    open_at = None
    for number, line in enumerate(piece.body.split("\n"), start=piece.body_line):
        match = DIV_FENCE.match(line)
        if not match:
            continue
        name = match.group(1)
        if name is None:
            if open_at is None:
                problems.append(Problem(piece.path, number, "':::' closes a block that was never opened"))
            open_at = None
        elif open_at is not None:
            problems.append(Problem(piece.path, number, f"'::: {name}' opens a block inside another "
                                                        f"(opened on line {open_at}); close that one first"))
        elif name not in BLOCKS:
            problems.append(Problem(piece.path, number, f"unknown block '::: {name}'; "
                                                        f"known blocks: {', '.join(BLOCKS)}"))
        else:
            open_at = number
    if open_at is not None:
        problems.append(Problem(piece.path, open_at, "this ':::' block is never closed: add a line ':::' after it"))
    return problems


def _no_loading_styles(tag, attribute, value):
    """Styles may not load files or name fonts (styles.py): only the shipped fonts are ever used."""
    if attribute == "style" and (styles.loaded(value) or styles.names_font(value)):
        return None
    return value


def _check_raw_html(piece, fragment):
    """Raw HTML passes if the sanitizer (ammonia, through nh3) would leave it as it is."""
    control = referenced_control(fragment)
    if control is not None:
        return [Problem(piece.path, line_of(piece, fragment), f"a character reference to U+{control:04X}, a "
                                                              "control character or no character at all; delete it")]
    cleaned = nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=LINK_SCHEMES,
                        attribute_filter=_no_loading_styles, link_rel=None, strip_comments=True,
                        clean_content_tags={"script", "style"})
    if _shape(fragment) == _shape(cleaned):
        return []
    return [Problem(piece.path, line_of(piece, fragment),
                    f"raw HTML that is not allowed: {_what_is_removed(fragment)}; a piece may use "
                    f"only these tags: {', '.join(sorted(ALLOWED_TAGS))}, without scripts, event handlers "
                    "or styles that load files")]


class _Tags(HTMLParser):
    """Start and end tags in order, read by the standard library's HTML parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []
        self.positions = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag))
        self.positions.append(self.getpos())

    def handle_endtag(self, tag):
        self.events.append(("end", tag))
        self.positions.append(self.getpos())


VOID = {"br", "wbr", "img", "hr"}
BLOCK_TAGS = {"blockquote", "div", "hr", "li", "ol", "p", "ul"}


def _check_balance(piece, fragments):
    """Every tag a piece opens in raw HTML it closes, in order: the EPUB must be well-formed XHTML."""
    stack = []
    for fragment in fragments:
        parser = _Tags()
        parser.feed(fragment)
        parser.close()
        for event, tag in parser.events:
            if tag in VOID:
                continue
            if event == "start":
                stack.append((tag, fragment))
            elif stack and stack[-1][0] == tag:
                stack.pop()
            else:
                return [Problem(piece.path, line_of(piece, fragment),
                                f"raw HTML closes <{tag}> that is not open here; close tags in the order "
                                "they were opened")]
    if stack:
        tag, fragment = stack[-1]
        return [Problem(piece.path, line_of(piece, fragment), f"raw HTML opens <{tag}> and never closes it")]
    return []


def _check_paragraphs(piece):
    """Inline elements (<em>, <span>, …) close in the paragraph that opens them: Markdown makes each paragraph
    its own element, so one left open would cross into the next."""
    line = piece.body_line
    for block in re.split(r"(\n[ \t]*\n)", piece.body):
        if block.strip() and not block.startswith(("    ", "\t")):
            parser = _Tags()
            # Code spans and autolinks (<https://…>) look like tags to an HTML parser, and "<![" not opening CDATA
            # (a stray "<" before an image) stops Python's parser: blank them out.
            parser.feed(re.sub(r"(`+).*?\1|<[A-Za-z][\w+.-]*:[^\s>]*>|<[^\s>@]+@[^\s>]+>|<!\[(?!CDATA\[)",
                               lambda m: " " * len(m.group()), block, flags=re.DOTALL))
            parser.close()
            open_tags = []
            for (event, tag), position in zip(parser.events, parser.positions, strict=True):
                if tag in VOID or tag in BLOCK_TAGS or tag not in ALLOWED_TAGS:
                    continue  # (tags outside the allowlist are refused as such)
                if event == "start":
                    open_tags.append((tag, position))
                elif open_tags and open_tags[-1][0] == tag:
                    open_tags.pop()
            if open_tags:
                tag, (row, column) = open_tags[0]
                return [Problem(piece.path, line + row - 1, f"<{tag}> at column {column + 1} is not closed in its "
                                                            f"paragraph; close it with </{tag}> before the blank line")]
        line += block.count("\n")
    return []


def _check_headings(piece):
    """A heading with no words, and a list item that a line of '-' or '=' under it would turn into a heading."""
    problems = []
    lines = piece.body.split("\n")
    for number, line in enumerate(lines, start=piece.body_line):
        if EMPTY_HEADING.match(line):
            problems.append(Problem(piece.path, number, f"an empty heading '{line.strip()}': write its words after "
                                                        "the #, or delete the line"))
        index = number - piece.body_line
        if index and SETEXT.match(line) and _list_item_with_words(lines[index - 1]):
            problems.append(Problem(piece.path, number, f"a line '{line.strip()}' under the list item above makes "
                                                        "that item a heading; write '- ' and the item's words, or "
                                                        "delete the line"))
    return problems


def _list_item_with_words(line):
    """Whether line is a list item of the outermost level with words after its mark."""
    item = LIST_ITEM.match(line)
    return bool(item and len(item.group(1)) < 4 and line[item.end():].strip())

def _shape(fragment):
    """Elements, attributes and text of an HTML fragment, compared after parsing so spelling does not matter."""
    shape = []
    for element in html.fragment_fromstring(fragment, create_parent="div").iter():
        if not isinstance(element.tag, str):
            continue  # comments are dropped harmlessly
        shape.append((element.tag, sorted(element.attrib.items()), (element.text or "").strip(),
                      (element.tail or "").strip()))
    return shape


def _what_is_removed(fragment):
    for element in html.fragment_fromstring(fragment, create_parent="div").iter():
        if not isinstance(element.tag, str) or element.tag == "div" and element.getparent() is None:
            continue
        if element.tag not in ALLOWED_TAGS:
            return f"<{element.tag}>"
        for name, value in element.attrib.items():
            allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(element.tag, set())
            if name not in allowed:
                return f"the attribute {name}=\"{value[:30]}\" on <{element.tag}>"
            if name == "style" and styles.names_font(value):
                return f"a style that names a font on <{element.tag}> (only the pamphlet's own fonts are used)"
            if name == "style" and styles.loaded(value):
                return f"a style that loads a file on <{element.tag}> ({styles.loaded(value)[:60]}): nothing is " \
                       "fetched, not even through a CSS escape"
            if name == "href" and urlsplit(value).scheme not in LINK_SCHEMES | {""}:
                return f"a link to {value[:40]}"
    return "content the sanitizer removes"


def _check_image(piece, folder, src, memo):
    """An image reference names a file of the pamphlet, and the file is an image every edition can show (read
    again whenever the file changed)."""
    where = line_of(piece, src)
    try:
        path = images.locate(folder, src, (piece.path, where))
    except BuildError as err:
        return err.problems
    reason = memo.get(("image check", str(path), file_key(path)), images.problem, path, name=str(path))
    if reason:
        return [Problem(piece.path, where, f"image '{src}' cannot be used: {reason}")]
    return []


def _check_link(piece, href):
    parts = urlsplit(href)
    if parts.scheme in LINK_SCHEMES or (not parts.scheme and not parts.netloc and not parts.path):
        return []  # web links are printed, never fetched; #fragments point inside the pamphlet
    return [Problem(piece.path, line_of(piece, href),
                    f"link '{href}' points at a file; link to a web address (https://…) or leave the link out")]
