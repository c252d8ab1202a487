"""Python-Markdown extensions for the everyday Pandoc Markdown that Python-Markdown and pymdown-extensions lack."""

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .syntax import FENCE, LIST_ITEM, RULE, TABLE_RULE

INLINE_NOTE = "pandoc-inline-"  # the name an inline note ^[…] gets as a note [^…]
# Classes a bracketed span [text]{.class} may have: the ones Pandoc knows and the layouts style.
SPAN_CLASSES = ("smallcaps", "underline", "mark")
CAPTION = re.compile(r"^ {0,3}(?:[Tt]able)?: +(\S.*)$")


class InlineNotes(Preprocessor):
    """Pandoc's inline notes: '^[text]' becomes a call '[^pandoc-inline-N]' on the same line, and its text
    a definition at the end of the piece, so that line numbers stay as written."""

    def run(self, lines):
        text = "\n".join(lines)
        notes, self.md.inline_note_lines = [], []
        out, index = [], 0
        while (start := text.find("^[", index)) >= 0:
            end = _closing_bracket(text, start + 1)
            if end is None:
                break  # left as written: the check for raw syntax names it
            notes.append(" ".join(text[start + 2:end].split()))
            self.md.inline_note_lines.append(text.count("\n", 0, start))
            out.append(text[index:start] + f"[^{INLINE_NOTE}{len(notes)}]")
            index = end + 1
        out.append(text[index:])
        definitions = [f"[^{INLINE_NOTE}{n}]: {note}" for n, note in enumerate(notes, start=1)]
        return "".join(out).split("\n") + ([""] + definitions if notes else [])


def _closing_bracket(text, opening):
    """Where the bracket opened at text[opening] closes, within one paragraph; None if it does not."""
    depth = 0
    for index in range(opening, len(text)):
        char = text[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        elif text.startswith("\n\n", index) or text.startswith("\n \n", index):
            return None
    return None


class NestedLists(Preprocessor):
    """Nested lists indented by 2 or 3 spaces, as most editors and Pandoc write them: Python-Markdown wants 4.

    Each line inside a list item is re-indented to 4 spaces per level, keeping what lies beyond the item's
    own content column (a code block in an item stays a code block)."""

    def run(self, lines):
        out, items, fenced, blank = [], [], False, True  # items: (marker column, content column) of open items
        for line in lines:
            if FENCE.match(line):
                fenced = not fenced
            if fenced or not line.strip():
                blank = not line.strip()
                out.append(line)
                continue
            indent = len(line) - len(line.lstrip(" "))
            item = LIST_ITEM.match(line) if not RULE.match(line) and (items or indent < 4) else None
            if item or blank:
                # An item, or a paragraph after a blank line, belongs to each open item it is indented under.
                while items and indent < min(items[-1][1], items[-1][0] + 2):
                    items.pop()
            if items:
                extra = 0 if item else max(0, indent - items[-1][1])
                line = " " * (4 * len(items) + extra) + line.lstrip(" ")
            if item:
                spaces = len(item.group(3))
                items.append((indent, indent + len(item.group(2)) + (spaces if 0 < spaces <= 4 else 1)))
            out.append(line)
            blank = False
        return out


class LineBlocks(BlockProcessor):
    """Pandoc's line blocks: lines starting with '| ' keep their breaks (slogans, verse, addresses)."""

    def test(self, parent, block):
        lines = block.split("\n")
        return (lines[0].startswith("| ") or lines[0] == "|") and not any(TABLE_RULE.match(line) for line in lines) \
            and all(line.startswith(("| ", " ")) or line == "|" for line in lines)

    def run(self, parent, blocks):
        lines = []
        for line in blocks.pop(0).split("\n"):
            if line.startswith(" ") and lines:
                lines[-1] += " " + line.strip()  # a continuation of the line above
            else:
                content = line[2:]
                lines.append("\u00a0" * (len(content) - len(content.lstrip(" "))) + content.lstrip(" "))
        div = etree.SubElement(parent, "div", {"class": "line-block"})
        div.text = lines[0]
        for line in lines[1:]:
            etree.SubElement(div, "br").tail = line


class TableCaptions(BlockProcessor):
    """Pandoc's table captions: a paragraph 'Table: …' (or ': …') just before or after a table."""

    def test(self, parent, block):
        lines = block.split("\n")
        return bool(CAPTION.match(lines[0]) or (len(lines) > 2 and TABLE_RULE.match(lines[1])
                                                 and CAPTION.match(lines[-1])))

    def run(self, parent, blocks):
        lines = blocks.pop(0).split("\n")
        if CAPTION.match(lines[0]):
            caption, rest = lines[0], lines[1:]
            table = parent[-1] if len(parent) and parent[-1].tag == "table" and not rest else None
            if table is None and rest:
                blocks.insert(0, "\n".join(rest))
            if table is None and blocks and self._is_table(blocks[0]):
                self.parser.parseBlocks(parent, [blocks.pop(0)])
                table = parent[-1]
            if table is None or table.tag != "table" or table.find("caption") is not None:
                blocks.insert(0, caption)  # not a caption after all: an ordinary paragraph or definition
                self.parser.state.set("caption-declined")
                try:
                    self.parser.parseBlocks(parent, [blocks.pop(0)])
                finally:
                    self.parser.state.reset()
                return
        else:
            caption = lines[-1]
            self.parser.parseBlocks(parent, ["\n".join(lines[:-1])])
            table = parent[-1]
        element = etree.Element("caption")
        element.text = CAPTION.match(caption).group(1)
        table.insert(0, element)

    @staticmethod
    def _is_table(block):
        lines = block.split("\n")
        return len(lines) > 1 and "|" in lines[0] and bool(TABLE_RULE.match(lines[1]))


class _NotDeclined(TableCaptions):
    def test(self, parent, block):
        return not self.parser.state.isstate("caption-declined") and super().test(parent, block)


class BracketedSpans(InlineProcessor):
    """Pandoc's bracketed spans: '[NATO]{.smallcaps}' and '[слово]{lang=ru}'. Unknown classes are left as
    written, so that the check for raw syntax names them."""

    def handleMatch(self, match, data):
        classes, attributes = [], {}
        for token in match.group(2).split():
            if token.startswith(".") and token[1:] in SPAN_CLASSES:
                classes.append(token[1:])
            elif re.fullmatch(r"lang=[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", token):
                attributes["lang"] = token[5:]
            else:
                return None, None, None
        if classes:
            attributes["class"] = " ".join(classes)
        span = etree.Element("span", attributes)
        span.text = match.group(1)
        return span, match.start(0), match.end(0)


class Figures(Treeprocessor):
    """Pandoc's implicit figures: an image alone in its paragraph is a figure captioned with its description."""

    def run(self, root):
        for parent in list(root.iter()):
            for index, paragraph in enumerate(list(parent)):
                if paragraph.tag != "p" or len(paragraph) != 1 or (paragraph.text or "").strip():
                    continue
                image = paragraph[0]
                if image.tag != "img" or (image.tail or "").strip():
                    continue
                figure = etree.Element("figure")
                figure.tail = paragraph.tail
                image.tail = None
                figure.append(image)
                caption = etree.SubElement(figure, "figcaption", {"aria-hidden": "true"})
                caption.text = image.get("alt", "")
                parent.remove(paragraph)
                parent.insert(index, figure)


class TableSources(Treeprocessor):
    """Numbers each table and records the line its header stands on (from the source's rule lines), so that
    a table too wide for the page can be named by file and line."""

    def run(self, root):
        rules = [number for number, line in enumerate(self.md.source_lines) if "|" in line and TABLE_RULE.match(line)]
        for number, table in enumerate(root.iter("table"), start=1):
            table.set("id", f"{self.md.id_prefix}-table-{number}")
            if number <= len(rules) and self.md.source_name:
                # The header row stands on the line above the rule.
                table.set("data-source", f"{self.md.source_name}:{self.md.first_line + rules[number - 1] - 1}")
            for cell in table.iter("th"):
                cell.set("scope", "col")
            columns = max((len(row) for row in table.iter("tr")), default=0)
            if columns >= 5:
                table.set("class", "wide")


class ListStarts(Treeprocessor):
    """A numbered list written from 7 counts from 7 in every edition: WeasyPrint reads no start attribute."""

    def run(self, root):
        for ordered in root.iter("ol"):
            start = ordered.get("start", "1")
            if start.isdigit() and start != "1":
                ordered.set("style", f"counter-reset: list-item {int(start) - 1}")


class PandocMarkdown(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(InlineNotes(md), "pandoc_inline_notes", 26)
        md.preprocessors.register(NestedLists(md), "pandoc_nested_lists", 25)
        md.parser.blockprocessors.register(LineBlocks(md.parser), "pandoc_line_blocks", 77)
        md.parser.blockprocessors.register(_NotDeclined(md.parser), "pandoc_table_captions", 76)
        md.inlinePatterns.register(BracketedSpans(r"\[(?!\^)((?:[^\[\]]|\[[^\]]*\])+)\]\{([^{}]*)\}", md),
                                   "pandoc_bracketed_spans", 176)
        md.treeprocessors.register(Figures(md), "pandoc_figures", 8)
        md.treeprocessors.register(TableSources(md), "pandoc_table_sources", 7)
        md.treeprocessors.register(ListStarts(md), "pandoc_list_starts", 6)
