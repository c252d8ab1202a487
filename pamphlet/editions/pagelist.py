"""Finds where each page of the print layout begins, and marks the same places in the EPUB's documents."""

import re
from dataclasses import dataclass

from lxml import etree

from ..engine.pdf import boxes

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
EMPTY = {"hr", "img", "br", "wbr"}  # elements that hold nothing: a page's marker goes just before them


@dataclass(frozen=True)
class PageStart:
    page: int          # the printed page number
    anchor: str        # id of the section or piece the page starts in (shared by print and EPUB markup)
    index: int         # the block element's position among the anchor's elements, in document order
    tag: str           # the block element's tag, to notice where the EPUB's markup differs (the cover)
    fragment: str      # the first words on the page
    before: int        # characters of that block laid out on earlier pages


def page_starts(document, anchors):
    """For every page of a laid-out print document whose text starts inside one of anchors (ids)."""
    starts = []
    laid_out = {}
    for number, page in enumerate(document.pages, start=1):
        first = None
        for text_box, stack in _text_boxes(page._page_box):
            anchor = next((box.element for box in reversed(stack)
                           if box.element is not None and box.element.get("id") in anchors), None)
            # A table's cell is the block, as the EPUB can mark a page inside a cell, not between cells.
            block = next((box.element for box in reversed(stack)
                          if isinstance(box, (boxes.BlockBox, boxes.TableCellBox))), None)
            if anchor is None or block is None:
                continue
            if first is None:
                index = _body_elements(anchor).index(block) if block is not anchor else 0
                words = " ".join(text_box.text.split()[:4])
                first = PageStart(number, anchor.get("id"), index, block.tag.split("}")[-1], words,
                                  laid_out.get(id(block), 0))
            laid_out[id(block)] = laid_out.get(id(block), 0) + len(text_box.text)
        if first is not None:
            starts.append(first)
    return starts


def _body_elements(anchor):
    """The anchor's elements in document order without the notes the print layout sets at their calls: the
    EPUB has them elsewhere, so counting them would put markers in the wrong place."""
    elements, stack = [], [anchor]
    while stack:
        element = stack.pop()
        if element.get("class") != "note":
            elements.append(element)
            stack.extend(reversed(element))
    return elements


def _text_boxes(page_box):
    """Text boxes of the page's text (not its margin boxes, notes or tables' headers, which are repeated on each
    page a table runs over) in reading order, with their ancestor boxes."""
    stack = [(child, []) for child in reversed(page_box.children)
             if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox))]
    while stack:
        box, ancestors = stack.pop()
        if isinstance(box, boxes.TableRowGroupBox) and box.is_header:
            continue
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                yield box, ancestors
            continue
        for child in reversed(getattr(box, "children", [])):
            stack.append((child, ancestors + [box]))


def mark_pages(xhtml, starts):
    """Insert a page-break marker into an XHTML document (bytes) for each PageStart; return the new bytes."""
    root = etree.fromstring(xhtml)
    # Find every block before inserting anything: each marker adds an element to the anchors' lists.
    targets = []
    for start in starts:
        anchor = root.find(f".//*[@id='{start.anchor}']")
        elements = list(anchor.iter())
        block = elements[start.index] if start.index < len(elements) else anchor
        if etree.QName(block).localname != start.tag:
            block = anchor
        targets.append((start, block))
    for start, block in targets:
        marker = etree.Element(f"{{{XHTML}}}span", {
            f"{{{EPUB}}}type": "pagebreak", "role": "doc-pagebreak",
            "id": f"page-{start.page}", "aria-label": str(start.page)})
        if etree.QName(block).localname in EMPTY:
            block.addprevious(marker)  # a page starting with a section break's asterisks, which CSS draws
        else:
            _insert(block, _offset(block, start), marker)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


def _offset(block, start):
    """Where in the block's text the page begins: the occurrence of its first words nearest to the text
    already laid out, moved to the end of a word the previous page hyphenated."""
    if not start.before:
        return 0
    text = "".join(block.itertext())
    # The words as printed, with or without the soft hyphens the EPUB has (the print layout may have taken some
    # back where they put a line at fault).
    words = ["\u00ad?".join(map(re.escape, word.replace("\u00ad", "").rstrip("\u2010-")))
             for word in start.fragment.split()]
    found = [m.start() for m in re.finditer(r"\s+".join(words), text)] if words else []
    if not found:
        return 0
    offset = min(found, key=lambda position: abs(position - start.before))
    if offset and (text[offset - 1].isalnum() or text[offset - 1] == "\u00ad"):
        # The page starts with the end of a word hyphenated on the previous page: mark after that word.
        end = re.search(r"\s", text[offset:])
        offset = len(text) if end is None else offset + end.end()
    return offset


def _insert(element, offset, marker):
    """Put marker at character offset of element's text, descending into inline children."""
    if offset <= len(element.text or ""):
        text = element.text or ""
        element.text, marker.tail = text[:offset] or None, text[offset:] or None
        element.insert(0, marker)
        return True
    offset -= len(element.text or "")
    for position, child in enumerate(element):
        length = len("".join(child.itertext()))
        if offset <= length and _insert(child, offset, marker):
            return True
        offset -= length
        tail = child.tail or ""
        if offset <= len(tail):
            child.tail, marker.tail = tail[:offset] or None, tail[offset:] or None
            element.insert(position + 1, marker)
            return True
        offset -= len(tail)
    element.append(marker)
    return True
