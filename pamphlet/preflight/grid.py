"""Pages made to end level by the spaces and boxes of the text, not its words (preflight.balance): facing pages
brought onto one grid by the space under a heading or above a break in the text, a long box kept whole let run over a
page turn; what the page after a short page can give back."""

from ..engine.pdf import boxes
from . import lines, mending
from .makeup import body_lines, foot, line_height, notes_areas

# A box kept whole (break-inside: avoid: the demands) of this many lines or more may break after a short page, as a
# designer lets a long box run over the page turn, with KEPT lines of it or more on either side.
LONG_BOX, KEPT = 5, 2
GRID_HEADINGS = {"h2", "h3"}  # with a piece's header: the space under them may take up a fraction of a line
GRID_BREAKS = {"hr", "postscript"}  # a section break, a postscript's rule: the space above them may too
HAIR = 0.1  # px: what a space is made smaller by beyond what a line lacks, for the line to fit
# A short page may take this share at most of the widest space above a heading or a break on it, for the lines the
# page after must give back to fit: 3 px of a heading's 23 go unseen on a page no page of its piece faces.
GIVE = 0.25
LISTS = {"ul", "ol"}  # kept with what comes before them (WeasyPrint's ol, ul { break-before: avoid })
LEADS = (":", "\uff1a")  # a paragraph ending so introduces the list after it: they stay together


def kept_head(document, finding):
    """The height of the box kept whole (break-inside: avoid) that the first line of the page after a short page is
    in, when that page holds all of it (the outermost such box; 0 for none): what a short page must make room for
    to take back anything."""
    if finding.kind != "short page" or finding.page + 1 >= len(document.pages):
        return 0
    following, above = body_lines(document.pages[finding.page + 1]), _ancestry(document)
    if not following:
        return 0
    elsewhere = {box.element for page in document.pages[:finding.page + 1] + document.pages[finding.page + 2:]
                 for box in page._page_box.descendants() if isinstance(box, boxes.BlockBox)}
    heights = [box.border_height() for box in document.pages[finding.page + 1]._page_box.descendants()
               if isinstance(box, boxes.BlockBox) and box.style["break_inside"] == "avoid"
               and box.element in above(following[0][1]) and box.element not in elsewhere]
    return max(heights, default=0)


def regridded(document, finding):
    """[{selector: margin}]: for an uneven spread less than a line apart, the space under the last heading (a
    piece's header, a section's heading) of the lower page made smaller by as much as the pages are apart (never
    below nothing), and of the higher page made larger, to move its lines onto the other page's. Then, as a designer
    lets the space at a break in the text give (GRID_BREAKS: a postscript's rule, a section break), the last such
    space or heading's of the lower page made smaller by as much as the pages are apart, of the higher page by what it
    lacks for the first line of the page after, to take that line, else larger by as much as the pages are apart.
    For a short page, closed_up's."""
    if finding.kind == "short page":
        return closed_up(document, finding)
    if finding.kind != "uneven spread":
        return []
    higher, apart = finding.page, finding.box[3]
    lower = higher + (1 if document.pages[higher]._page_box.page_type.side == "left" else -1)
    higher_lines = body_lines(document.pages[higher])
    if not higher_lines or apart >= line_height(higher_lines):
        return []
    plans, after = [], body_lines(document.pages[higher + 1]) if higher + 1 < len(document.pages) else []
    last = higher_lines[-1][0]
    # What the higher page lacks for the first line of the page after it to fit at its foot (when that line may
    # come alone).
    lacks = (after[0][0].height - (foot(document.pages[higher]) - last.position_y - last.height)
             if after and _comes_alone(document, higher + 1, after) else 0)
    for index, change, kinds in ((lower, -apart, ("bottom",)), (higher, apart, ("bottom",)),
                                 (lower, -apart, ("bottom", "top"))) + (
                                     ((higher, -lacks - HAIR, ("bottom", "top")),) if lacks > 0 else ()) + (
                                     (higher, apart - HAIR, ("bottom", "top")),):
        spaces = [(box, side) for box, side in _spaces(document.pages[index]) if side in kinds]
        margin = getattr(spaces[-1][0], f"margin_{spaces[-1][1]}") if spaces else -1
        for path in mending.selectors(document, [(spaces[-1][0].element,)]) if spaces and margin + change >= 0 else ():
            plan = {path[0]: f"margin-{spaces[-1][1]}: {margin + change:.2f}px"}
            plans += [plan] if plan not in plans else []
    return plans


def closed_up(document, finding):
    """[{selector: declarations}] for a short page that lacks a little room for what the page after must give back
    (back): the widest space above a heading or a break on it made smaller by what it lacks, GIVE of itself at most.
    When the page after opens with the last lines of a paragraph that a list follows there, held by the list
    (WeasyPrint keeps a list with what comes before it), and the paragraph does not introduce the list (LEADS), the
    list is let go to the page after alone, and the paragraph's lines come back whole, the space made smaller if
    they lack room: a designer keeps a list with its lead-in, not with any paragraph before it."""
    index = finding.page
    page_lines = body_lines(document.pages[index]) if index + 1 < len(document.pages) else []
    if not page_lines:
        return []
    last = page_lines[-1][0]
    room = foot(document.pages[index]) - (last.position_y + last.height)
    listed = _listed(document, index + 1)
    needs = [(sum(giving(document, index + 1, whole=True)), {path[0]: "break-before: auto" for path in
                                                            mending.selectors(document, [(listed,)])})] if listed else [
        (back(document, index + 1), {})]
    above = max(_above(document.pages[index]), key=lambda box: box.margin_top, default=None)
    plans = []
    for need, released in needs:
        lacks = need - room
        if lacks <= 0 and released:
            plans.append(released)
        elif lacks > 0 and above is not None and lacks + HAIR <= GIVE * above.margin_top:
            plans += [{path[0]: f"margin-top: {above.margin_top - lacks - HAIR:.2f}px", **released}
                      for path in mending.selectors(document, [(above.element,)])]
    return plans


def _listed(document, index):
    """The list that holds the last lines of a paragraph at the head of the page at index there: the paragraph ends on
    the page, the list follows it at once with its break before avoided, and the paragraph does not end in a colon
    (LEADS). None when there is no such list."""
    following = body_lines(document.pages[index])
    if not following:
        return None
    first = following[0][1]
    own = [line for line, element, _ in following if element is first]
    parent = mending.tree(document)[1].get(first)
    siblings = list(parent) if parent is not None else []
    after = siblings[siblings.index(first) + 1] if first in siblings[:-1] else None
    held = next((box for box in document.pages[index]._page_box.descendants()
                 if isinstance(box, boxes.BlockBox) and after is not None and box.element is after), None)
    text = "".join(box.text for box in own[-1].descendants() if isinstance(box, boxes.TextBox)).rstrip()
    if (held is None or after.tag not in LISTS or held.style["break_before"] not in ("avoid", "avoid-page")
            or first.tag != "p" or text.endswith(LEADS)):
        return None
    return after


def _above(page):
    """The boxes of the page with a space above them a designer lets give: a heading (GRID_HEADINGS), a break in the
    text (GRID_BREAKS); not at the page's head, where the space is dropped."""
    top = page._page_box.content_box_y()
    return [box for box in page._page_box.descendants() if isinstance(box, boxes.BlockBox)
            and box.element is not None and box.margin_top and box.position_y > top + 1
            and (box.element.tag in GRID_HEADINGS | GRID_BREAKS or GRID_BREAKS & set(
                (box.element.get("class") or "").split()))]


def _comes_alone(document, index, following):
    """Whether the first line of the page at index (following: its body lines) may go back alone to the page before:
    its paragraph's widows stay behind, or it is a block of one line (no orphan)."""
    own, box, begun = _head(document, index, following)
    if box is None:
        return False
    return (len(own) - 1 >= box.style["widows"] if begun
            else (len(own) == 1 and len(following) > 1) or box.style["orphans"] <= 1)


def _head(document, index, following):
    """(the lines of the first block of the page at index, following: its body lines; that block's box there, None
    when it is not one in flow; whether the block began on the page before)."""
    first = following[0][1]
    own = [line for line, element, _ in following if element is first]
    box = next((box for box, in_notes in lines.blocks(document.pages[index]._page_box)
                if not in_notes and box.element is first), None)
    return own, box, first in {element for _, element, _ in body_lines(document.pages[index - 1])}


def back(document, index):
    """The least height the page at index can give back to the page before, measured in its own lines: its first
    line, or all of its paragraph's lines there when that paragraph began on the page before and fewer would leave
    fewer than its widows; with the notes those lines call (unless it is the part's last page, where WeasyPrint may
    drop a note), and the rule and space above them when the page before has none."""
    return sum(giving(document, index))


def giving(document, index, whole=False):
    """(the height of the lines back counts, that of the notes they bring with them, rule and space included);
    whole: of all the lines of the page's first block there."""
    page, following = document.pages[index], body_lines(document.pages[index])
    if not following:
        return 0, 0  # a figure or a table alone: not known
    own, box, begun = _head(document, index, following)
    taken = own if whole or begun and box is not None and len(own) <= box.style["widows"] else own[:1]
    need, brought = sum(line.height for line in taken), 0
    if index + 1 < len(document.pages):
        called = {box.element for line in taken for box in line.descendants()
                  if box.element_tag.endswith("::footnote-call")}
        for area in notes_areas(page):
            # A note that may go on without its call (footnote-policy: auto, a note run over) asks no room.
            notes = [box.margin_height() for box in area.children
                     if box.element in called and box.style["footnote_policy"] == "line"]
            brought += sum(notes)
            if notes and not notes_areas(document.pages[index - 1]):  # the area's rule and space come too
                brought += area.margin_height() - sum(box.margin_height() for box in area.children)
    return need, brought


def _spaces(page):
    """[(box, 'top' or 'bottom')]: the spaces of the page a designer lets give, in order: under a heading
    (GRID_HEADINGS, a piece's header), above a break in the text (GRID_BREAKS)."""
    found = []
    for box in page._page_box.descendants():
        if isinstance(box, boxes.BlockBox) and box.element is not None:
            classes = set((box.element.get("class") or "").split())
            if box.element.tag in GRID_HEADINGS or "piece-header" in classes:
                found.append((box, "bottom"))
            elif box.element.tag in GRID_BREAKS or GRID_BREAKS & classes:
                found.append((box, "top"))
    return found


BREAK = "break-inside: auto"


def broken_boxes(document, finding):
    """[{selector: BREAK}] for the long box kept whole that heads the page after a short page, if there is one."""
    if finding.kind != "short page" or finding.page + 1 >= len(document.pages):
        return []
    following, above = body_lines(document.pages[finding.page + 1]), _ancestry(document)
    whole = {box.element for box in document.pages[finding.page + 1]._page_box.descendants()
             if isinstance(box, boxes.BlockBox) and box.style["break_inside"] == "avoid"}
    box = next((element for element in above(following[0][1]) if element.tag == "div" and element in whole),
               None) if following else None
    if box is None or sum(1 for _, element, _ in following if box in above(element)) < LONG_BOX:
        return []
    return [{path[0]: BREAK} for path in mending.selectors(document, [(box,)])]


def kept(document, selector):
    """Whether the div the selector names has KEPT lines or more on each page it is on (or is on one page)."""
    above = _ancestry(document)
    divs = [element for element in above.root.iter("div")]
    box = next((div for div, path in zip(divs, mending.selectors(document, [(div,) for div in divs]), strict=True)
                if path == (selector,)), None)
    counts = [sum(1 for _, element, _ in body_lines(page) if box in above(element)) for page in document.pages]
    return box is not None and all(count >= KEPT for count in counts if count)


class _ancestry:
    """For a laid-out document, a function of an element giving it and its ancestors (none for None)."""

    def __init__(self, document):
        self.root, self.parents = mending.tree(document)

    def __call__(self, element):
        found = []
        while element is not None:
            found.append(element)
            element = self.parents.get(element)
        return found
