"""Figures placed as a designer places them: one that would leave a short page is made a little smaller to stay,
or set after the text that follows it, which fills the page, while it heads the next; one made a little smaller to
take back a piece's last few lines (preflight.balance)."""

import re

import lxml.html

from ..engine.pdf import boxes
from .makeup import COST, HEADINGS, body_lines, check_makeup, foot, levelled

FIT = 0.8    # a figure that goes whole to the next page may be made this much of its height to stay
FIT_ROUNDS = 2
SHRINK = 4   # steps by which a figure on a short page is made smaller, to FIT at most
DEFER = 6    # blocks of text a figure may be set after, to fill the page before the one it heads


def fitted(lay_out, html):
    """(document, html): html laid out by lay_out, and again with each figure that went whole to the next page,
    leaving its page short, made small enough to stay (by FIT of its picture's height at most), while that
    leaves fewer short pages; then a figure that still leaves a short page set after as few of the blocks that
    follow it as fill that page (DEFER at most), as a page float goes to the head of the next page in a book;
    last, a short page that holds a figure has it made a little smaller (by FIT at most), to take back the text
    that went on to the next page."""
    document = lay_out(html)
    if none_in(html):  # most parts have none: no walk of their pages
        return document, html
    for _ in range(FIT_ROUNDS):
        heights = {index: picture.height - over for index, (_, over, picture) in headed(document).items()
                   if 0 < over <= (1 - FIT) * picture.height}
        if not heights:
            break
        changed = with_heights(html, heights)
        candidate = lay_out(changed)
        if _short_pages(candidate) >= _short_pages(document):
            break
        document, html = candidate, changed
    return _pulled(lay_out, *_deferred(lay_out, document, html))


def none_in(html):
    """Whether html has no figure: fitted leaves it as it is laid out."""
    return not re.search(r"<figure\b", html)


def _short_pages(document):
    return sum(1 for finding in check_makeup(document) if finding.kind == "short page")


def headed(document):
    """{index of a figure among the document's figures: (the index of the page it heads, how much too tall it is
    for the room at the foot of the page before, in CSS px, its picture box)} for each figure at the head of a
    page whose page before has text and room to spare."""
    found = {}
    pages, figures = _figures(document)
    for index, page in enumerate(document.pages[1:], start=1):
        if not pages[index]:
            continue
        figure = pages[index][0]
        inside = set(figure.descendants())
        lines_before = body_lines(document.pages[index - 1])
        if not lines_before or any(line.position_y < figure.position_y for line, _, _ in body_lines(page)
                                   if line not in inside):
            continue  # text before the figure on its page
        picture = next((box for box in figure.descendants() if isinstance(box, boxes.ReplacedBox)), None)
        last = lines_before[-1][0]
        # At the head of a page the figure's top margin is dropped; at the foot of the page before it is not.
        margin = figure.style["margin_top"]
        top = margin.value if getattr(margin, "unit", None) == "px" else 0  # 'auto' counts as nothing
        room = foot(document.pages[index - 1]) - (last.position_y + last.height) - top
        if picture is not None:
            found[figures.index(figure.element)] = (index, figure.margin_height() - figure.margin_top - room + 1,
                                                    picture)
    return found


def _figures(document):
    """({page index: the figure boxes on it}, the figures' elements in the document's order)."""
    pages = {index: [box for box in page._page_box.descendants()
                     if isinstance(box, boxes.BlockBox) and box.element is not None and box.element.tag == "figure"]
             for index, page in enumerate(document.pages)}
    return pages, list(dict.fromkeys(box.element for index in pages for box in pages[index]))


def with_heights(html, heights):
    """html with the picture of each figure (by its index among html's figures) kept to its height."""
    starts = [match.start() for match in re.finditer(r"<figure\b", html)]
    for index in sorted(heights, reverse=True):  # from the end: earlier offsets stay true
        picture = html.find("<img", starts[index])
        at = picture + len("<img")
        html = html[:at] + f' style="max-height: {heights[index]:.2f}px"' + html[at:]
    return html


def _deferred(lay_out, document, html):
    """(document, html) with each figure that heads a page after a short page set after the fewest blocks that
    follow it (never straight after a heading, never past another figure or out of its section) that leave the
    part fewer short pages and no more pages; as laid out when no such place is found."""
    tried = set()
    while True:
        short = {finding.page for finding in check_makeup(document) if finding.kind == "short page"}
        waiting = sorted(index for index, (page, _, _) in headed(document).items()
                         if page - 1 in short and index not in tried)
        if not waiting:
            return document, html
        figure = waiting[0]
        tried.add(figure)
        for after in range(1, DEFER + 1):
            changed = _moved(html, figure, after)
            if changed is None:
                break
            if changed is False:
                continue  # a heading there: the next place
            candidate = lay_out(changed)
            if levelled(candidate, document):
                document, html = candidate, changed
                break


def _moved(html, index, after):
    """html with its figure of that index set after the `after` elements that follow it; False when the last of
    them is a heading, None when there are not that many before the section's end or the next figure."""
    root = lxml.html.document_fromstring(html)
    figure = list(root.iter("figure"))[index]
    last = figure
    for _ in range(after):
        last = last.getnext()
        if last is None or last.tag == "figure" or last.find(".//figure") is not None:
            return None
    if last.tag in HEADINGS:  # a heading belongs to what follows it: never a figure straight after one
        return False
    parent, tail = figure.getparent(), figure.tail
    previous = figure.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (tail or "")
    else:
        parent.text = (parent.text or "") + (tail or "")
    figure.tail = last.tail
    last.tail = None
    last.addnext(figure)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode")


def smaller(document, html, page):
    """html with the last figure before the page (a piece's short last page) made smaller, by each of SHRINK steps
    to FIT, the least first: room made for the piece's last lines on the pages before (none without a figure)."""
    pages, figures = _figures(document)
    nearest = next((box for index in range(page - 1, -1, -1) for box in reversed(pages[index])), None)
    picture = nearest and next((box for box in nearest.descendants() if isinstance(box, boxes.ReplacedBox)), None)
    if picture is None:
        return []
    figure = figures.index(nearest.element)
    return [with_heights(html, {figure: picture.height * (1 - (1 - FIT) * step / SHRINK)})
            for step in range(1, SHRINK + 1)]


def _pulled(lay_out, document, html):
    """(document, html) with the first figure of each short page (or the higher page of an uneven spread) made
    smaller by the least of SHRINK (FIT at most) that leaves the part fewer such pages and no more pages."""
    tried = set()
    while True:
        short = {finding.page for finding in check_makeup(document) if finding.kind in COST}
        pages, figures = _figures(document)
        waiting = [(page, figures.index(pages[page][0].element)) for page in sorted(short)
                   if pages.get(page) and figures.index(pages[page][0].element) not in tried]
        if not waiting:
            return document, html
        page, figure = waiting[0]
        tried.add(figure)
        picture = next((box for box in pages[page][0].descendants() if isinstance(box, boxes.ReplacedBox)), None)
        for step in range(1, SHRINK + 1) if picture is not None else ():
            changed = with_heights(html, {figure: picture.height * (1 - (1 - FIT) * step / SHRINK)})
            candidate = lay_out(changed)
            if levelled(candidate, document):
                document, html = candidate, changed
                break
