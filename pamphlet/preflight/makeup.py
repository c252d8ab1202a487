"""Page makeup as a designer checks it, counted from the laid-out print pages: headings stranded at a page's
foot, a paragraph's single line left alone at a page's foot (orphan) or head (widow), text pages that end
short of the foot while their piece goes on."""

from dataclasses import dataclass

from ..engine.pdf import boxes

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Set as headings: they belong to what follows.
HEADING_CLASSES = {"signatories-intro", "signatories-group", "kicker", "subtitle"}
SHORT = 2.5  # lines: a page that ends more than this short of its foot, its piece going on, is a short page

KINDS = {
    "stranded heading": "a heading at the foot of a page, its text on the next",
    "orphan": "a paragraph's first line alone at the foot of a page",
    "widow": "a paragraph's last line alone at the head of a page",
    "short page": "a page ending lines short of its foot while the text goes on",
}


@dataclass(frozen=True)
class Finding:
    """One thing a designer would not sign off: its kind (a key of KINDS), the page's index in the document, and
    where on the page (left, top, width, height, in CSS pixels from the page's top left corner)."""
    kind: str
    page: int
    box: tuple


def _lines(page):
    """The page's body lines in order (not running heads, folios or notes): (line box, the element of its block,
    the id of the piece it is in or None). The element, not the box: a paragraph split over two pages is two
    boxes of one element."""
    found = []

    def walk(box, element, piece):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        if isinstance(box, boxes.LineBox):
            if any(isinstance(t, boxes.TextBox) and t.text.strip() for t in box.descendants()):
                found.append((box, element, piece))
            return
        if isinstance(box, boxes.BlockBox) and box.element is not None:
            element = box.element
            if "piece" in (element.get("class") or "").split():
                piece = element.get("id")
        for child in getattr(box, "children", ()):
            walk(child, element, piece)

    walk(page._page_box, None, None)
    return found


def _is_heading(element):
    return element is not None and (element.tag in HEADINGS or
                                    bool(HEADING_CLASSES & set((element.get("class") or "").split())))


def _rect(line):
    return (line.position_x, line.position_y, line.width, line.height)


def check_makeup(document):
    """The findings of every page of a laid-out print document, in page order."""
    pages = [_lines(page) for page in document.pages]
    findings = []
    for index, lines in enumerate(pages):
        if not lines:
            continue
        following = pages[index + 1] if index + 1 < len(pages) else []
        last_line, last, piece = lines[-1]
        first_line, first, _ = lines[0]
        goes_on = bool(following) and piece is not None and following[0][2] == piece
        if _is_heading(last) and goes_on:
            findings.append(Finding("stranded heading", index, _rect(last_line)))
        elif goes_on and following[0][1] is last and sum(1 for _, e, _ in lines if e is last) == 1:
            findings.append(Finding("orphan", index, _rect(last_line)))
        before = pages[index - 1] if index else []
        if before and before[-1][1] is first and sum(1 for _, e, _ in lines if e is first) == 1:
            findings.append(Finding("widow", index, _rect(first_line)))
        if goes_on:
            page_box = document.pages[index]._page_box
            # The foot of the text: the page's, or the top of the notes printed there.
            bottom = min([page_box.content_box_y() + page_box.height] +
                         [area.position_y for area in page_box.children
                          if isinstance(area, boxes.FootnoteAreaBox) and area.children])
            gap = bottom - (last_line.position_y + last_line.height)
            height = sorted(line.height for line, _, _ in lines)[len(lines) // 2]
            if gap > SHORT * height:
                findings.append(Finding("short page", index, (last_line.position_x, bottom - gap,
                                                              last_line.width, gap)))
    return findings


def counts(findings):
    """{kind: how many} for every kind, none left out."""
    return {kind: sum(1 for finding in findings if finding.kind == kind) for kind in KINDS}
