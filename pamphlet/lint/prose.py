"""Finds the prose a reader reads in a pamphlet's sources, each paragraph mapped back to file, line and column.

Markdown syntax (links' addresses, code, HTML tags and comments, note markers, list and heading marks) and YAML
syntax (keys, quotes, block indicators) are left out, so the checks see only the words that get printed.
"""

import bisect
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import display_path
from ..markup.syntax import FENCE, HEADING, LIST_ITEM, NOTE_DEFINITION, RULE, SETEXT, TABLE_RULE
from ..sources.files import MANIFEST, read_text
from ..sources.schema import MANIFEST_FIELDS, PIECE_FIELDS

# "<!-- lint: ignore -->" in Markdown, "# lint: ignore" in YAML; codes after it limit it to those checks.
IGNORE = re.compile(r"(?:<!--|(?:^|\s)#)\s*lint:\s*ignore\b([A-Za-z ,]*)")


@dataclass
class Block:
    """One paragraph (or heading, list item, table cell, front-matter value) as a reader reads it."""
    path: Path
    text: str = ""
    starts: list = field(default_factory=list)  # offset in text where each piece of source begins
    places: list = field(default_factory=list)  # (line, column, exact) of each piece; exact: 1 char = 1 column

    def add(self, text, line, column, exact=True):
        if text:
            self.starts.append(len(self.text))
            self.places.append((line, column, exact))
            self.text += text

    def where(self, offset):
        """(line, column) in the source file of the character at offset; columns count from 1."""
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        line, column, exact = self.places[index]
        return line, column + (offset - self.starts[index] if exact else 0)

    def contiguous(self, start, end):
        """Whether text[start:end] is one unbroken run of the source (nothing left out in between)."""
        (line_a, col_a), (line_b, col_b) = self.where(start), self.where(end)
        return line_a == line_b and col_b - col_a == end - start


# Inline Markdown and HTML left out of the prose, in the order they are tried at each position.
INLINE = re.compile(r"""
    (?P<code>(?P<ticks>`+).+?(?P=ticks))
  | (?P<htmlcode><(?P<codetag>code|kbd|samp|pre|script|style)\b[^>]*>.*?</(?P=codetag)\s*>)
  | (?P<comment><!--.*?(?:-->|$))
  | (?P<autolink><(?:https?|ftp|mailto):[^>\s]*>|<[^>@\s]+@[^>\s]+>)
  | (?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)
  | (?P<note>\[\^[^\]\s]+\])
  | (?P<inlinenote>\^\[)
  | (?P<linkend>\]\((?:<[^>]*>|[^()\s]*(?:\([^()\s]*\))?[^()\s]*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)
               |\]\[[^\]]*\])
  | (?P<url>(?:https?|ftp)://[^\s<>"]*[^\s<>".,;:!?)\]'’”»]|www\.[^\s<>"]*[^\s<>".,;:!?)\]'’”»])
  | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<entity>&(?:\#\d+|\#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)
  | (?P<attrs>\{:?\s*[#.][^}]*\})
  | (?P<escape>\\[\\`*_{}\[\]()#+\-.!<>|~"'])
  | (?P<emphasis>\*+|_+|~+|\^+)
""", re.VERBOSE)

# Stands for what separates two runs of prose on one line (an inline note from the sentence it is in):
# neither a word, nor a space, nor punctuation to any check.
BREAK = "\ue000"
DIV_MARKS = re.compile(r"^\s*:::")  # a fenced block's line, however it is written: never prose
REFERENCE = re.compile(r"^\s{0,3}\[[^\]^]+\]:\s*\S+")
QUOTE_MARK = re.compile(r"^\s{0,3}>\s?")
DEFINITION = re.compile(r"^\s{0,3}:\s+")
INDENTED = re.compile(r"^( {4}|\t)")


def inline_pieces(text):
    """The parts of one line of Markdown that are prose: (start, end, replacement or None) in order."""
    pieces, removed = [], []
    for match in INLINE.finditer(text):
        kind = next(k for k in ("code", "htmlcode", "comment", "autolink", "tag", "note", "inlinenote", "linkend",
                                "url", "email", "entity", "attrs", "escape", "emphasis")
                    if match.group(k) is not None)
        start, end = match.span()
        if kind == "inlinenote":  # Pandoc's ^[note]: its text is prose, its brackets are not
            closing = _closing(text, start + 1)
            if closing is not None:
                removed.append((closing, closing + 1, None))
        if kind == "linkend":
            opening = _link_opening(text, start, removed)
            if opening is None:
                continue  # a bracket of the text itself, not a link
            removed.append(opening)
        if kind == "entity":
            removed.append((start, end, html.unescape(match.group())))
        elif kind == "inlinenote":
            removed.append((start, end, BREAK))
        elif kind == "escape":
            removed.append((start, start + 1, None))
        else:
            removed.append((start, end, None))
    removed.sort()
    position = 0
    for start, end, replacement in removed:
        if start > position:
            pieces.append((position, start, None))
        if replacement:
            pieces.append((start, end, replacement))
        position = max(position, end)
    if position < len(text):
        pieces.append((position, len(text), None))
    return pieces


def _closing(text, opening):
    """Where the bracket opened at text[opening] closes on this line, or None."""
    depth = 0
    for index in range(opening, len(text)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return None


def _link_opening(text, close, removed):
    """The span of the '[' or '![' that opens the link whose ']' is at close."""
    depth = 0
    for index in range(close - 1, -1, -1):
        if any(start <= index < end for start, end, _ in removed):
            continue
        if text[index] == "]":
            depth += 1
        elif text[index] == "[":
            if depth == 0:
                start = index - 1 if index > 0 and text[index - 1] == "!" else index
                return start, index + 1, None
            depth -= 1
    return None


class _Paragraphs:
    """Collects blocks from source lines, joining the lines of a paragraph with line breaks."""

    def __init__(self, path):
        self.path = path
        self.blocks = []
        self.current = None

    def end(self):
        if self.current is not None and self.current.text.strip():
            self.blocks.append(self.current)
        self.current = None

    def line(self, number, column, text):
        """Add the prose of one line of Markdown, text starting at (1-based) column of line number."""
        stripped = len(text) - len(text.lstrip())
        text = text.strip()
        pieces = [(text[start:end] if replacement is None else replacement, start, replacement is None)
                  for start, end, replacement in inline_pieces(text)]
        if not "".join(piece for piece, _, _ in pieces).strip():
            return
        if self.current is None:
            self.current = Block(self.path)
        elif self.current.text:
            end_line, end_column = self.current.where(len(self.current.text) - 1)
            self.current.add("\n", end_line, end_column + 1, exact=False)
        for piece, start, exact in pieces:
            self.current.add(piece, number, column + stripped + start, exact=exact)


def markdown_blocks(path, lines, inline=False):
    """Blocks of the prose in Markdown lines [(line number, 1-based column, text)]; inline: one block, no
    block syntax (a title, a name)."""
    paragraphs = _Paragraphs(path)
    if inline:
        for number, column, text in lines:
            paragraphs.line(number, column, text)
        paragraphs.end()
        return paragraphs.blocks
    groups, group = [], []
    for entry in lines:
        if entry[2].strip():
            group.append(entry)
        elif group:
            groups.append(group)
            group = []
    if group:
        groups.append(group)
    state = {"fence": None, "comment": False, "list": False}  # list: a list or a note goes on
    for group in groups:
        _group(paragraphs, group, state)
        paragraphs.end()
    return paragraphs.blocks


def _group(paragraphs, group, state):
    """One run of non-blank lines: a paragraph, a list, a table, code, or several of them."""
    if not state["fence"] and not state["comment"]:
        if len(group) > 1 and TABLE_RULE.match(group[1][2]) and "|" in group[0][2]:
            for number, column, text in group[:1] + group[2:]:
                _table_row(paragraphs, number, column, text)
            return
        if all(INDENTED.match(text) for _, _, text in group) and not state["list"]:
            return  # an indented code block
    for number, column, text in group:
        if state["fence"]:
            if text.strip().startswith(state["fence"]):
                state["fence"] = None
            continue
        if state["comment"]:
            if "-->" not in text:
                continue
            cut = text.index("-->") + 3
            state["comment"] = False
            number, column, text = number, column + cut, text[cut:]
        fence = FENCE.match(text)
        if fence:
            paragraphs.end()
            state["fence"] = fence.group(1)[:3]
            continue
        opened = text.rfind("<!--")
        if opened >= 0 and "-->" not in text[opened:]:
            state["comment"] = True
            text = text[:opened]
        if DIV_MARKS.match(text) or RULE.match(text) or _equals_underline(text) or REFERENCE.match(text):
            paragraphs.end()
            continue
        text, column, heading = _strip_marks(paragraphs, text, column, state)
        paragraphs.line(number, column, text)
        if heading or not text.strip():
            paragraphs.end()  # a heading is a block of its own; so is each paragraph of a quotation
    indented = all(INDENTED.match(text) for _, _, text in group)
    state["list"] = any(LIST_ITEM.match(text) or NOTE_DEFINITION.match(text) for _, _, text in group) or (
        state["list"] and indented)


def _equals_underline(text):
    """A setext heading's underline of '='; one of dashes is a RULE."""
    match = SETEXT.match(text)
    return bool(match) and match.group(1)[0] == "="


def _strip_marks(paragraphs, text, column, state):
    """Remove the block marks at the start of a line (quote, list, heading, note definition); a mark that
    starts a new block ends the one before."""
    heading = False
    while True:
        for pattern, starts_block in ((QUOTE_MARK, False), (LIST_ITEM, True), (HEADING, True),
                                      (NOTE_DEFINITION, True), (DEFINITION, True)):
            match = pattern.match(text)
            if match and match.end():
                if starts_block:
                    paragraphs.end()
                    if pattern in (LIST_ITEM, NOTE_DEFINITION):
                        state["list"] = True  # its indented paragraphs that follow are not code
                if pattern is HEADING:
                    heading = True
                    text = re.sub(r"\s+#+\s*$", "", text)
                column += match.end()
                text = text[match.end():]
                break
        else:
            return text, column, heading


def _table_row(paragraphs, number, column, text):
    """Each cell of a table row is a block of its own."""
    position = 0
    for cell in re.split(r"(?<!\\)\|", text):
        paragraphs.end()
        paragraphs.line(number, column + position, cell)
        position += len(cell) + 1
    paragraphs.end()


def yaml_blocks(path, source, first_line, fields):
    """Blocks of the prose values of a YAML mapping (the manifest or front matter) whose text starts at
    first_line of path; fields maps each key to 'markdown', 'text' or None (not prose)."""
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    lines = source.split("\n")
    blocks = []
    for key, value in node.value:
        kind = fields.get(getattr(key, "value", None))
        if kind is None:
            continue
        scalars = [value] if isinstance(value, yaml.ScalarNode) else [
            item for item in getattr(value, "value", []) if isinstance(item, yaml.ScalarNode)]
        for scalar in scalars:
            entries = _scalar_lines(scalar, source, lines, first_line)
            blocks += markdown_blocks(path, entries, inline=kind != "markdown")
    return blocks


def _scalar_lines(node, source, lines, first_line):
    """[(line number, column, text)] of a YAML scalar's text in the file, without quotes or indicators."""
    start, end = node.start_mark, node.end_mark
    if node.style in ("|", ">"):
        last = end.line if end.column == 0 else end.line + 1
        body = range(start.line + 1, min(last, len(lines)))
        indent = min((len(lines[i]) - len(lines[i].lstrip()) for i in body if lines[i].strip()), default=0)
        return [(first_line + i, indent + 1, lines[i][indent:]) for i in body]
    text = source[start.index:end.index]
    column = start.column + 1
    if node.style in ('"', "'"):
        text, column = text[1:-1], column + 1
    entries = []
    for offset, part in enumerate(text.split("\n")):
        if offset == 0:
            entries.append((first_line + start.line, column, part))
        else:
            entries.append((first_line + start.line + offset, 1, part))
    return entries


def read_prose(pamphlet):
    """Every block of prose in the manifest's and the pieces' text fields and bodies, and the lines that
    carry an ignore comment: {(path, line): codes, or None for every code}."""
    prose = {name: ("markdown" if spec.kind in ("markdown", "inline") else "text")
             for fields in (MANIFEST_FIELDS, PIECE_FIELDS) for name, spec in fields.items()
             if spec.kind in ("text", "inline", "markdown", "names") and not spec.pattern and spec.kind != "choice"}
    # A translation's words are in its own manifest (when it has one), not in the source's
    manifest = pamphlet.home / MANIFEST
    files = [(manifest, read_text(manifest) if manifest.is_file() else "")] + [
        (piece.path, read_text(piece.path, line_separators=True)) for piece in pamphlet.pieces]
    blocks, ignored = [], {}
    for (path, text), piece in zip(files, [None] + pamphlet.pieces, strict=True):
        shown = display_path(path)
        lines = text.split("\n")
        for number, line in enumerate(lines, start=1):
            match = IGNORE.search(line)
            if match:
                codes = {code.upper() for code in re.split(r"[\s,]+", match.group(1)) if code}
                ignored[(shown, number)] = codes or None
        if piece is None:
            blocks += yaml_blocks(shown, text, 1, prose)
            continue
        front = "\n".join(lines[1:piece.body_line - 2])
        blocks += yaml_blocks(shown, front, 2, prose)
        body = [(number, 1, line) for number, line in enumerate(lines[piece.body_line - 1:], start=piece.body_line)]
        blocks += markdown_blocks(shown, body)
    return blocks, ignored
