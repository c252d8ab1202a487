"""Preflight of the laid-out pages: lines inside the text area, images at 300 dpi, tables within the text block,
notes on their call's page; what it found in each page is kept for watch mode's next check."""

import weakref
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path
from urllib.parse import unquote

from ..sources.images import PRINT_IMAGE
from ..engine.pdf import boxes
from ..errors import Problem, source_at
from ..units import MM

PX = 0.75                  # CSS px to PDF points
SAFE_ZONE = 5 * MM         # no text this close to the trim edge
MIN_DPI = 300
TOLERANCE = 0.5            # points


class Findings:
    """What the checks found in each page of the last build, kept by watch mode so that a rebuild checks only the
    pages an edit changed: a laid-out page's findings by the page itself (WeasyPrint's page, which nothing changes
    once laid out; the parts kept from the last build keep their pages), a PDF page's colour problems by a digest of
    its content and of the colour spaces that content names."""

    def __init__(self):
        self.pages = weakref.WeakKeyDictionary()
        self.colours = {}
        self.pages_checked = 0   # laid-out pages the last check_layout looked through; the others' findings kept
        self.streams_parsed = 0  # PDF pages whose content the last check_pdfx parsed; the others' problems kept

    def page(self, page):
        facts = self.pages.get(page)
        if facts is None:
            facts = self.pages[page] = _page_facts(page)
            self.pages_checked += 1
        return facts


@dataclass
class _PageFacts:
    """What the layout checks find on one laid-out page, without its number (the document it is in gives that)."""
    lines: list = field(default_factory=list)     # (where, by how many points, its text) of each line out of place
    images: list = field(default_factory=list)    # (data-source, file name, mm wide, dpi) of each image under 300 dpi
    tables: list = field(default_factory=list)    # (data-source, mm too wide) of each table too wide for the page
    called: list = field(default_factory=list)    # notes called in the text, in order
    sources: dict = field(default_factory=dict)   # data-source of each note set in the text
    printed: list = field(default_factory=list)   # notes printed at the foot of the page
    too_long: set = field(default_factory=set)    # those of them that run off the page


def check_layout(document, name, findings=None):
    """Lines of text inside their page's text area (running heads and folios: outside the 5 mm safe zone);
    images at 300 dpi or more at their printed size; tables no wider than the text block; notes on their call's
    page or the next. findings: what was found in pages checked before (watch mode), which are not looked
    through again."""
    findings = findings or Findings()
    findings.pages_checked = 0
    facts = [findings.page(page) for page in document.pages]
    problems, seen = [], set()
    for page in facts:
        for source, over in page.tables:
            if source not in seen:
                seen.add(source)
                problems.append(Problem(*source_at(source, (Path("?"), None)),
                                        f"this table is {over:.1f} mm too wide for the page even in its smallest "
                                        "type; give it fewer columns, shorten the longest words or numbers in its "
                                        "cells, or split it in two"))
    for number, page in enumerate(facts, start=1):
        for what, over, line in page.lines:
            problems.append(Problem(name, None, f"page {number}: text {what} by {over / MM:.1f} mm: “{line}”; "
                                                "shorten it or let it break"))
        for source, src, wide, dpi in page.images:
            problems.append(Problem(*source_at(source, (name, None)),
                                    f"image '{unquote(src)}' prints {wide:.0f} mm wide at {dpi:.0f} dpi (page "
                                    f"{number}); a print shop needs {MIN_DPI} dpi: use a version at least "
                                    f"{ceil(wide / 25.4 * MIN_DPI)} pixels wide"))
    return problems + _note_problems(facts, name)


def _page_facts(page):
    """One walk through a page's boxes for everything check_layout looks for."""
    facts, page_box = _PageFacts(), page._page_box
    safe = SAFE_ZONE / PX
    left, top = page_box.content_box_x(), page_box.content_box_y()
    text_area = (left, top, left + page_box.width, top + page_box.height)
    right = left + page_box.width
    reported = set()
    for table in _wide_tables(page_box):
        facts.tables.append((_data_source(table), (table.position_x + table.margin_width() - right) * PX / MM))
        reported.update(id(box) for box in table.descendants())  # named by its file and line instead
    for child in page_box.children:
        in_notes = isinstance(child, boxes.FootnoteAreaBox)
        if isinstance(child, boxes.MarginBox):
            bounds, what = (safe, safe, page.width - safe, page.height - safe), \
                "within 5 mm of the trim edge (the safe zone)"
        else:
            bounds, what = text_area, "outside the page's text area"
        for box in child.descendants():
            _note_facts(box, in_notes, text_area, facts)
            if in_notes or id(box) in reported:
                continue  # notes that do not fit are named by the notes' check
            if isinstance(box, boxes.LineBox):
                texts = [t for t in box.descendants() if isinstance(t, boxes.TextBox) and t.text.strip()]
                if not texts:
                    continue
                # Horizontally the glyphs count; vertically the line box (glyph boxes may be taller).
                x1 = min(t.position_x for t in texts)
                x2 = max(t.position_x + t.width for t in texts)
                y1, y2 = box.position_y, box.position_y + box.height
                over = max(bounds[0] - x1, bounds[1] - y1, x2 - bounds[2], y2 - bounds[3]) * PX
                if over > TOLERANCE:
                    facts.lines.append((what, over, " ".join(t.text.strip() for t in texts)[:40]))
            elif isinstance(box, (boxes.InlineReplacedBox, boxes.BlockReplacedBox)):
                facts.images += _low_resolution(box)
    return facts


def _low_resolution(box):
    """An image printed at less than 300 dpi: (its data-source, its file name, mm wide, dpi)."""
    pixels = getattr(box.replacement, "width", None)
    if not pixels or not box.width or pixels / (box.width / 96) >= MIN_DPI - 1:
        return []
    src = (box.element.get("src", "") if box.element is not None else "").removeprefix(PRINT_IMAGE).rpartition("/")[2]
    return [(_data_source(box), src, box.width * PX / MM, pixels / (box.width / 96))]


def _data_source(box):
    return box.element.get("data-source", "") if box.element is not None else ""


def _wide_tables(page_box):
    """Tables that stick out of their page's text block (by more than the tolerance)."""
    right = page_box.content_box_x() + page_box.width
    for box in page_box.descendants():
        if isinstance(box, boxes.TableBox) and box.position_x + box.margin_width() - right > TOLERANCE / PX:
            yield box


def _note_facts(box, in_notes, text_area, facts):
    """A note's call, a note set in the text, or a note printed at the foot of the page (and whether it runs off)."""
    element = box.element
    if element is None or element.get("class") not in ("noteref", "note"):
        return
    if element.get("class") == "noteref" and not in_notes:
        facts.called.append(element.get("href", "").lstrip("#"))
    elif element.get("class") == "note" and not in_notes:
        facts.sources[element.get("id")] = element.get("data-source", "")
    elif element.get("class") == "note" and in_notes:
        facts.printed.append(element.get("id"))
        top, bottom = text_area[1], text_area[3]
        lines = [line for line in box.descendants() if isinstance(line, boxes.LineBox)]
        if any(line.position_y < top - TOLERANCE / PX
               or line.position_y + line.height - bottom > TOLERANCE / PX for line in lines):
            facts.too_long.add(element.get("id"))  # WeasyPrint let it run off the page


def _note_problems(facts, name):
    """Every note called on a page is printed once, at the foot of that page or of the next."""
    called, printed, sources, too_long = {}, {}, {}, set()
    for number, page in enumerate(facts, start=1):
        for note in page.called:
            called.setdefault(note, number)
        sources.update(page.sources)
        for note in page.printed:
            printed.setdefault(note, set()).add(number)
        too_long |= page.too_long
    problems = []
    for note, page in called.items():
        pages = printed.get(note, set())
        where = source_at(sources.get(note, ""), (name, None))
        label = note.rpartition("-note-")[2]
        if not pages or note in too_long:
            problems.append(Problem(*where, f"note {label} is missing from {name} (called on page {page}): it is "
                                            "too long to fit at the foot of a page; shorten it or make it two notes"))
        elif pages - {page, page + 1}:
            problems.append(Problem(*where, f"note {label} is printed on page {max(pages)} of {name}, not on its "
                                            f"call's page ({page}) or the next; shorten it or the notes before it"))
    return problems


def is_blank(page):
    """A page with nothing on it but, perhaps, running heads: no line of text, no image."""
    return not any(isinstance(box, (boxes.LineBox, boxes.ReplacedBox))
                   for child in page._page_box.children if not isinstance(child, boxes.MarginBox)
                   for box in child.descendants())
