"""Pages made to end level as a typesetter makes them: paragraphs on a page left short set a hair looser, to run a
line longer each, or a hair tighter, to run a line shorter and take back the lines that went on; the few last lines
of a piece pulled back onto the pages before by setting some of their paragraphs tighter."""

import math

from ..engine.pdf import boxes
from . import figures, lines, mending, runover, tables
from .makeup import (COST, body_lines, called_notes, check_makeup, cost, foot, levelled, line_height,
                     notes_areas, shortened)

# (letter-spacing, word-spacing) in ems, each too small to see at reading distance (a typesetter's justification
# allows tracking of ±2% and word spaces of 80-133%), the smallest first.
NUDGES = ((0.01, 0.0), (0.01, 0.03), (0.02, 0.04))
FULL, EMPTY = 0.6, 0.4  # the share of the measure a last line must fill to be run longer, or leave to run shorter
TIGHTEN = 3  # paragraphs a page may have set tighter, the emptiest last lines first
MORE = 2  # paragraphs set tighter beyond one a line to pull back onto the pages before: some will not run shorter
# A box kept whole (break-inside: avoid: the demands) of this many lines or more may break after a short page, as a
# designer lets a long box run over the page turn, with KEPT lines of it or more on either side.
LONG_BOX, KEPT = 5, 2
GRID_HEADINGS = {"h2", "h3"}  # with a piece's header: the space under them may take up a fraction of a line


def balanced(lay_out, html, document):
    """(document, html): html laid out, then, for each page a short page or an uneven spread finds (the higher
    page of a spread), with as many paragraphs set looser as lines it lacks, else with its paragraphs set tighter
    one more at a time (TIGHTEN at most), each by the least of NUDGES that can move its last line, while that makes
    the part's pages end more level (makeup.cost), its lines no worse (lines.measure) and its pages no more. Then
    facing pages a fraction of a line apart have the space under a heading made that much smaller on the lower
    page (or larger on the higher one), as a designer keeps the lines of facing pages on one grid. Last, a long box
    kept whole at the head of the page after a short page may break over the page turn, or the tables on the page
    and the next be set tighter (tables.tighter).
    First of all, a part that ends on a short last page has the paragraphs of its pages before set tighter (_pulls),
    else the figure before that page made a little smaller (figures.smaller), else the tables before it set tighter
    (tables.tighter), kept when that makes it a page shorter with no finding more frequent and its lines no worse."""
    last = [finding for finding in check_makeup(document) if finding.kind == "short last page"]
    if not cost(document) and not last:
        return document, html
    found, rules, tried, alone = lines.measure(document.pages), {}, set(), {}
    # A piece's last lines pulled back: paragraphs set tighter, else the figure or the tables before them.
    tries = [(html, plan) for plan in _pulls(document, last[0])] + [
        (changed, {}) for changed in figures.smaller(document, html, last[0].page)] + [
        (html, plan) for plan in tables.tighter(document, range(last[0].page))] if last else []
    for source, plan in tries:
        candidate = lay_out(mending.with_rules(source, plan, "balance"))
        candidate_found = lines.measure(candidate.pages)
        if shortened(candidate, document) and candidate_found.no_worse_than(found):
            document, found, rules, html = candidate, candidate_found, plan, source
            break
    while True:
        faults = [finding for finding in check_makeup(document) if finding.kind in COST and finding.page not in tried]
        current = mending.with_rules(html, rules, "balance")  # what document is laid out from
        if not faults:
            return document, current
        tried.add(faults[0].page)
        others = (_regridded(document, faults[0]) + _broken_boxes(document, faults[0])
                  + tables.tighter(document, (faults[0].page, faults[0].page + 1)))
        for source, plan, elements, judged in (
                [(html, *entry) for entry in _plans(document, faults[0])] + [(html, plan, (), False) for plan in others]
                + [(split, {}, (), False) for split in runover.split(document, html, faults[0])]):
            changed = mending.with_rules(source, {**rules, **plan}, "balance")
            judge = mending.Alone(lay_out, document, elements, alone) if elements else None
            # Paragraphs whose own lines (alone: a few hundredths of a second) are worse leave the part's worse.
            if judged and judge.worse(current, changed):
                continue
            if not judged and judge and _in_vain(document, faults[0], elements, judge, changed):
                continue
            candidate = lay_out(changed)
            candidate_found = lines.measure(candidate.pages)
            if (levelled(candidate, document) and candidate_found.no_worse_than(found)
                    and all(_kept(candidate, selector) for selector, rule in plan.items() if rule == BREAK)
                    and runover.printed(candidate, source)):
                document, found, rules, html = candidate, candidate_found, {**rules, **plan}, source
                tried.clear()  # the pages moved: each may be tried again
                break


def _plans(document, finding):
    """[({selector: declarations}, its elements, whether their lines are judged alone first)] to try on the finding's
    page:
    its fullest paragraphs, one for each line it lacks, set looser; then its 1, 2, … TIGHTEN emptiest set tighter.
    Paragraphs of two lines or more that end on the page, each with the least nudge that can move its last line;
    none that no nudge can move."""
    index = finding.page
    following = ({box.element for box, _ in lines.blocks(document.pages[index + 1]._page_box)}
                 if index + 1 < len(document.pages) else set())
    looser, tighter = [], []
    for box, in_notes in lines.blocks(document.pages[index]._page_box):
        laid = lines.lines_of(box, final=True)
        if in_notes or len(laid) < 2 or not laid[-1].justified or box.element in following | {None}:
            continue
        fill = laid[-1].natural / laid[-1].measure
        if fill >= FULL:
            looser.append((-fill, box.element, _least(laid, box, (1 - fill) * laid[-1].measure, 1)))
        if fill <= EMPTY:
            nudge = _least(laid, box, fill * laid[-1].measure, -1)
            tighter.append((fill, box.element, nudge, _shed(laid, box, nudge)))
    page_lines = body_lines(document.pages[index])
    lacking = max(1, math.floor(finding.box[3] / line_height(page_lines) + 0.25)) if page_lines else 1
    looser = sorted((entry for entry in looser if entry[2]), key=lambda entry: entry[0])[:lacking]
    tighter = sorted((entry for entry in tighter if entry[2]), key=lambda entry: entry[0])[:TIGHTEN]
    plans = [looser] if len(looser) == lacking else []
    if plans and any(nudge != NUDGES[-1] for _, _, nudge in looser):
        plans.append([(fill, element, NUDGES[-1]) for fill, element, _ in looser])
    # A short page's paragraphs set tighter take back nothing when the page after is headed by a box kept whole
    # (the demands) taller than the room they can make: the page would only end higher. Not laid out.
    kept, room = _kept_head(document, finding), finding.box[3]
    for count in range(1, len(tighter) + 1):
        room += max((line.height for line, _, _ in page_lines), default=0) * tighter[count - 1][3]
        if room >= kept:
            plans.append(tighter[:count])
    out = []
    for plan in plans:
        paths = [(mending.selectors(document, [(entry[1],)]), entry[2]) for entry in plan]
        if all(path for path, _ in paths):
            # Set looser, paragraphs often show a loose line (3 of the 4 looser plans that fail on the long text):
            # they are judged alone first (see balanced). Tighter plans fail otherwise: only their height is measured
            # alone, to leave out those that cannot take back anything (_in_vain).
            judged = plan[0][2][0] > 0 and all(entry[1].tag != "li" for entry in plan)
            out.append(({path[0][0]: _css(nudge) for path, nudge in paths}, tuple(entry[1] for entry in plan), judged))
    return out


def _pulls(document, finding):
    """[{selector: declarations}] to pull back the lines of the part's short last page (the finding's), and the notes
    they call, onto the pages before: the paragraphs of those pages, the emptiest last lines first, each set tighter
    by the least of NUDGES that can move its last line, one for each line's height the page before lacks to take
    them (its room at the foot counted), then MORE: some will not run shorter where their page breaks."""
    index, tighter = finding.page, []
    ends = {}  # each paragraph's first page, its last box and its lines on the part's pages, in order
    for number, page in enumerate(document.pages[:index + 1]):
        for box, in_notes in lines.blocks(page._page_box):
            if not in_notes and box.element is not None:
                first, _, laid = ends.get(box.element, (number, None, []))
                ends[box.element] = (first, box, laid + lines.lines_of(box, final=True))
    for element, (first, box, laid) in ends.items():
        if first >= index or len(laid) < 2 or not laid[-1].justified:
            continue  # on the last page alone, too short, or not justified (code, a table's cells, verse)
        fill = laid[-1].natural / laid[-1].measure
        nudge = _least(laid, box, fill * laid[-1].measure, -1)
        if nudge:
            tighter.append((fill, element, nudge))
    tighter.sort(key=lambda entry: entry[0])
    page, before = document.pages[index], body_lines(document.pages[index - 1])
    taken = body_lines(page)
    height = line_height(taken or before)
    notes = called_notes(page)
    areas = notes_areas(page)
    # The page's lines and its notes' area (when they call notes, or are all it holds: a note's rest, run over),
    # less the room at the foot of the page before.
    need = (taken[-1][0].position_y + taken[-1][0].height - taken[0][0].position_y if taken else 0) + sum(
        area.margin_height() for area in areas if notes or not taken) - (foot(document.pages[index - 1]) - (
            before[-1][0].position_y + before[-1][0].height) if before else 0)
    wanted = max(1, math.ceil(need / height - 0.25))
    out = []
    for plan in [tighter[:count] for count in range(wanted, wanted + MORE + 1) if count <= len(tighter)]:
        paths = mending.selectors(document, [(element,) for _, element, _ in plan])
        if len(paths) == len(plan):
            out.append({path[0]: _css(nudge) for path, (_, _, nudge) in zip(paths, plan, strict=True)})
    return out


def _least(laid, box, need, sign):
    """The least of NUDGES, looser (sign 1) or tighter (-1), that makes the text of a paragraph's laid lines wider or
    narrower by more than need (what its last line must gain, or lose, for it to run a line longer or shorter), or
    None."""
    text = "".join(line.text for line in laid)
    return next(((sign * ls, sign * ws) for ls, ws in NUDGES
                 if (ls * len(text) + ws * text.count(" ")) * box.style["font_size"] > need), None)


def _shed(laid, box, nudge):
    """At most how many lines a paragraph's laid lines can run shorter set tighter by nudge (None: 0), generously:
    as many as the measures its text narrows by, and two more for the slack of its lines' breaks."""
    if not nudge:
        return 0
    text, (letters, words) = "".join(line.text for line in laid), nudge
    narrower = -(letters * len(text) + words * text.count(" ")) * box.style["font_size"]
    return 2 + math.ceil(narrower / laid[-1].measure)


def _in_vain(document, finding, elements, judge, changed):
    """Whether paragraphs set tighter on the finding's page (each begun and ended there), changed html, leave less
    room at its foot than the least the page after can give back (_back): then nothing comes back, the pages after
    are as they were, and the page only ends higher, so no page ends more level (makeup.cost). The room their lines
    give up is measured on them laid out alone (judge, a mending.Alone), only when that can tell."""
    index, pages = finding.page, document.pages
    if index + 1 >= len(pages) or not (page_lines := body_lines(pages[index])):
        return False
    earlier = {box.element for box, _ in lines.blocks(pages[index - 1]._page_box)} if index else set()
    if earlier & set(elements):
        return False  # a paragraph begun on the page before changes that page's lines too
    last, need = page_lines[-1][0], _back(document, index + 1)
    room = foot(pages[index]) - (last.position_y + last.height)
    if room >= need:
        return False  # something may come back: only a layout tells
    # Their lines as they are, on the page (begun and ended there), and set tighter, alone.
    before, after = sum(line.height for line, element, _ in page_lines if element in elements), judge.height(changed)
    return after is not None and room + before - after < need


def _back(document, index):
    """The least height the page at index can give back to the page before, measured in its own lines: its first
    line, or all of its paragraph's lines there when that paragraph began on the page before and fewer would leave
    fewer than its widows; with the notes those lines call (unless it is the part's last page, where WeasyPrint may
    drop a note), and the rule and space above them when the page before has none."""
    page, following = document.pages[index], body_lines(document.pages[index])
    if not following:
        return 0  # a figure or a table alone: not known
    first = following[0][1]
    own = [line for line, element, _ in following if element is first]
    box = next((box for box, in_notes in lines.blocks(page._page_box) if not in_notes and box.element is first), None)
    begun = first in {element for _, element, _ in body_lines(document.pages[index - 1])}
    taken = own if begun and box is not None and len(own) <= box.style["widows"] else own[:1]
    need = sum(line.height for line in taken)
    if index + 1 < len(document.pages):
        called = {box.element for line in taken for box in line.descendants()
                  if box.element_tag.endswith("::footnote-call")}
        for area in notes_areas(page):
            # A note that may go on without its call (footnote-policy: auto, a note run over) asks no room.
            notes = [box.margin_height() for box in area.children
                     if box.element in called and box.style["footnote_policy"] == "line"]
            need += sum(notes)
            if notes and not notes_areas(document.pages[index - 1]):  # the area's rule and space come too
                need += area.margin_height() - sum(box.margin_height() for box in area.children)
    return need


def _kept_head(document, finding):
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


def _regridded(document, finding):
    """[{selector: margin-bottom}]: for an uneven spread less than a line apart, the space under the last heading (a
    piece's header, a section's heading) of the lower page made smaller by as much as the pages are apart (never
    below nothing), and of the higher page made larger, to move its lines onto the other page's."""
    if finding.kind != "uneven spread":
        return []
    higher, apart = finding.page, finding.box[3]
    lower = higher + (1 if document.pages[higher]._page_box.page_type.side == "left" else -1)
    higher_lines = body_lines(document.pages[higher])
    if not higher_lines or apart >= line_height(higher_lines):
        return []
    plans = []
    for index, change in ((lower, -apart), (higher, apart)):
        heads = [box for box in document.pages[index]._page_box.descendants() if isinstance(box, boxes.BlockBox)
                 and box.element is not None and (box.element.tag in GRID_HEADINGS
                                                  or "piece-header" in (box.element.get("class") or "").split())]
        if heads and heads[-1].margin_bottom + change >= 0:
            for path in mending.selectors(document, [(heads[-1].element,)]):
                plans.append({path[0]: f"margin-bottom: {heads[-1].margin_bottom + change:.2f}px"})
    return plans


BREAK = "break-inside: auto"


def _broken_boxes(document, finding):
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


def _kept(document, selector):
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


def _css(nudge):
    letters, words = nudge
    return f"letter-spacing: {letters}em" + (f"; word-spacing: {words}em" if words else "")
