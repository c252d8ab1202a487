"""Notes run over to the next page as a book's long notes do (preflight.balance): a note too long for the room left
on its call's page, which took its call's line on to the next page and left the page short, is split at a word
between its lines: its first lines at the foot of its call's page, the rest continued at the foot of the next, before
that page's own notes. WeasyPrint never splits a note, so the note is printed as two: the first keeps its call's
line (footnote-policy: line), the rest (span.note-continued, with no call of its own) goes on (footnote-policy:
auto, paged.css)."""

import math
import re

import lxml.html

from ..engine.pdf import boxes
from .layout import is_blank
from .makeup import body_lines, line_height, note_lines, notes_areas

KEPT = 2  # lines of a note at least on either page
WORD = re.compile(r"[^ \n\t\r]+")  # what lies between spaces a line may break at (not no-break spaces)
TRIES = 3  # splits tried, from the most lines that the room left can take down


def split(document, html, finding):
    """[html]: the first note called on the page after a short page (the finding's) split after as many of its lines
    as the room at the page's foot can take (less the lines that go back with its call), then one, two lines fewer
    (TRIES in all, KEPT lines at least on each page, never after a line ending in a broken word); none for no such
    note."""
    if finding.kind != "short page" or finding.page + 1 >= len(document.pages):
        return []
    following, lines = document.pages[finding.page + 1], body_lines(document.pages[finding.page])
    calls, laid = _calls(following), note_lines(following)
    note_id = next(iter(calls), None)  # its call's line is what went on
    if not lines or note_id not in laid or len(laid[note_id]) < 2 * KEPT:
        return []
    tops = sorted(laid[note_id])
    texts = [laid[note_id][top] for top in tops]
    back = sum(1 for line, _, _ in body_lines(following) if line.position_y <= calls[note_id])  # go back with it
    # The rule and space above the notes, when the page has none yet.
    rule = 0 if notes_areas(document.pages[finding.page]) else max(area.margin_height() - area.height
                                                                   for area in notes_areas(following))
    room = finding.box[3] - back * line_height(lines) - rule
    most = min(len(tops) - KEPT, math.floor(room / ((tops[-1] - tops[0]) / (len(tops) - 1))))
    out = []
    for first in range(most, max(KEPT, most - TRIES + 1) - 1, -1):
        if texts[first - 1].endswith(("-", "\u2010")):
            continue
        changed = _split_html(html, note_id, len(WORD.findall(" ".join(texts[:first]))))
        if changed:
            # The piece may end on the call's page: the rest then needs a page of the piece's own (one WeasyPrint
            # makes for a note alone is a blank page, which shows no folio).
            out += [changed] + ([_with_page_after(changed)] if finding.page + 2 == len(document.pages) else [])
    return out


def _calls(page):
    """{note id: the top of the line its call is on} for each call in the page's text."""
    found = {}

    def walk(box, line):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        if isinstance(box, boxes.LineBox):
            line = box
        element = box.element
        if line is not None and element is not None and element.get("class") == "noteref":
            found.setdefault(element.get("href", "").lstrip("#"), line.position_y)
        for child in getattr(box, "children", ()):
            walk(child, line)

    walk(page._page_box, None)
    return found


def _split_html(html, note_id, at):
    """html with the note of note_id split after its at-th word (a word of its paragraphs' own text, not inside
    emphasis or a link), the rest in a span.note-continued right after it; None when there is no such word."""
    start = html.find(f'<span class="note" id="{note_id}"')
    if start < 0:
        return None
    end = _closing(html, start)
    note = lxml.html.fragment_fromstring(html[start:end])
    rest = _cut(note, at)
    if rest is None:
        return None
    continued = lxml.html.Element("span", {"class": "note note-continued"})
    if note.get("data-source"):
        continued.set("data-source", note.get("data-source"))
    continued.extend(rest)
    return (html[:start] + lxml.html.tostring(note, encoding="unicode")
            + lxml.html.tostring(continued, encoding="unicode") + html[end:])


def _with_page_after(html):
    """html with an empty block after its last piece's text, on a page of its own: the page a note continued after
    the piece's last line goes to."""
    at = html.rfind("</section>")
    return html[:at] + '<div class="note-runover"></div>' + html[at:]


def _closing(html, start):
    """The index after the </span> closing the span that opens at start."""
    depth = 0
    for match in re.finditer(r"<(/?)span\b[^>]*>", html[start:]):
        depth += -1 if match[1] else 1
        if not depth:
            return start + match.end()
    return len(html)


def _cut(note, at):
    """Cuts note (span.note, its paragraphs span.note-p) after its at-th word: returns the paragraphs taken out of it
    (the rest of the one cut, then those after), or None when the word is inside an inline element (emphasis, a
    link, the note's number) or the last of the note."""
    words = list(WORD.finditer(note.text_content()))
    if not 0 < at < len(words):
        return None
    cut, offset = words[at - 1].end(), len(note.text or "")
    paragraphs = list(note)
    for number, paragraph in enumerate(paragraphs):
        pieces = [(paragraph, "text")] + [(child, "tail") for child in paragraph]
        for index, (owner, where) in enumerate(pieces):
            if where == "tail":
                offset += len(owner.text_content())  # an inline element's words: never cut inside
                if offset >= cut:
                    return None
            text = getattr(owner, where) or ""
            if offset + len(text) < cut:
                offset += len(text)
                continue
            head, rest = text[:cut - offset], text[cut - offset:].lstrip(" \n\t\r")
            if not rest and index == len(pieces) - 1:  # a paragraph's last word: cut between paragraphs
                return _taken(note, paragraphs[number + 1:])
            setattr(owner, where, head)
            paragraph.set("class", "note-p runs-over")  # its last line is full: justified as it was
            continued = lxml.html.Element("span", {"class": "note-p"})
            continued.text = rest
            for child, _ in pieces[index + 1:]:
                continued.append(child)  # with its tail
            return [continued] + _taken(note, paragraphs[number + 1:])
        offset += len(paragraph.tail or "")
    return None


def _taken(note, paragraphs):
    for paragraph in paragraphs:
        note.remove(paragraph)
    return paragraphs


def printed(document, html):
    """Whether every note of html (a note continued counted apart) is printed at a page's foot: WeasyPrint drops a
    note it moved on past the document's last page."""
    shown = {box.element for page in document.pages for area in page._page_box.children
             if isinstance(area, boxes.FootnoteAreaBox) for box in area.descendants()
             if box.element is not None and box.element.get("class") in ("note", "note note-continued")}
    return (len(shown) == html.count('<span class="note"') + html.count('<span class="note note-continued"')
            and not any(page._page_box.page_type.blank and not is_blank(page) for page in document.pages))
