"""Pages made to end level as a typesetter makes them: paragraphs on a page left short set a hair looser, to run a
line longer each, or a hair tighter, to run a line shorter and take back the lines that went on; the few last lines
of a piece pulled back onto the pages before by setting some of their paragraphs tighter."""

import math
from dataclasses import dataclass

from ..engine.pdf import boxes
from . import figures, grid, lines, mending, runover, tables
from .makeup import (COST, body_lines, called_notes, check_makeup, cost, foot, levelled, line_height,
                     notes_areas, shortened)

# (letter-spacing, word-spacing) in ems, each too small to see at reading distance (a typesetter's justification
# allows tracking of ±2% and word spaces of 80-133%), the smallest first.
NUDGES = ((0.01, 0.0), (0.01, 0.03), (0.02, 0.04))
# Looser, the smallest first, tried on a paragraph laid out alone until one runs it a line longer (_measured): a
# word space wider (a hair of tracking with it) often runs a line longer where tracking alone shows a loose line.
LOOSER = ((0.01, 0.0), (0.005, 0.03), (0.01, 0.03), (0.02, 0.04))
CLOSER = 2  # px: how much closer to level a plan not kept must leave the pages to be tried on from (_closer)
MEASURED = 2  # paragraphs measured alone beyond one for each line a page lacks: some run no line longer
FULL, EMPTY = 0.6, 0.4  # the share of the measure a last line must fill to be run longer, or leave to run shorter
TIGHTEN = 3  # paragraphs a page may have set tighter, the emptiest last lines first
MORE = 2  # paragraphs set tighter beyond one a line to pull back onto the pages before: some will not run shorter


def balanced(lay_out, html, document):
    """(document, html): html laid out, then, for each page a short page or an uneven spread finds (the higher
    page of a spread), with as many paragraphs set looser as lines it lacks, else with its paragraphs set tighter
    one more at a time (TIGHTEN at most), each by the least of NUDGES that can move its last line, while that makes
    the part's pages end more level (makeup.cost), its lines no worse (lines.measure) and its pages no more. Then
    facing pages a fraction of a line apart have the space under a heading made that much smaller on the lower
    page (or larger on the higher one), as a designer keeps the lines of facing pages on one grid, or the space
    above a break in the text (grid.regridded). Then a long box kept whole at the head of the page after a short page
    may break over the page turn, or the tables on the page and the next be set tighter (tables.tighter), or a note
    run over (runover.split). Last, paragraphs chosen by their lines laid out alone fill a short page (_measured).
    A plan whose paragraphs alone take as many lines as before is not laid out (it moves nothing); after a plan is
    kept, the faults of the pages before the first it changed are not tried again (their plans failed there).
    First of all, a part that ends on a short last page has the paragraphs of its pages before set tighter (_pulls),
    else the figure before that page made a little smaller (figures.smaller), else the tables before it set tighter
    (tables.tighter), kept when that makes it a page shorter with no finding more frequent and its lines no worse."""
    last = [finding for finding in check_makeup(document) if finding.kind == "short last page"]
    if not cost(document) and not last:
        return document, html
    found, rules, alone = lines.measure(document.pages), {}, {}
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
    levelled_state = _level(lay_out, _State(document, html, rules, found), alone)
    return levelled_state.document, mending.with_rules(levelled_state.html, levelled_state.rules, "balance")


@dataclass
class _State:
    """A layout of the part and what it is laid out from: html with rules; found: what lines.measure finds in it."""
    document: object
    html: str
    rules: dict
    found: object


def _level(lay_out, state, alone, deeper=True):
    """The state (a _State) with each fault of the part's pages tried in turn, a plan kept when it makes them end
    more level. A fault no plan levels may have one that leaves the pages as far from level but closer (less of a
    line apart, say), opening the way to a plan that levels them (a heading's space then takes up the rest): the
    pages are levelled again from the closest such layout (deeper: once, not from one found there), and that kept
    when it ends more level."""
    document, html, rules, found = state.document, state.html, state.rules, state.found
    tried = set()
    while True:
        faults = [finding for finding in check_makeup(document) if finding.kind in COST and finding.page not in tried]
        current = mending.with_rules(html, rules, "balance")  # what document is laid out from
        if not faults:
            return _State(document, html, rules, found)
        tried.add(faults[0].page)
        closer = None
        for source, plan, elements, judged in _candidates(lay_out, document, html, faults[0], current, alone, found):
            changed = mending.with_rules(source, {**rules, **plan}, "balance")
            judge = mending.Alone(lay_out, document, elements, alone) if elements else None
            if judge:
                judge.seed(current, document, found)  # their lines as they stand: no layout of them alone
            # Paragraphs whose lines, laid out alone, are as many as before move no line: the pages are as they were.
            if judge and _moves_nothing(judge, current, changed):
                continue
            # Paragraphs whose own lines (alone: a few hundredths of a second) are worse leave the part's worse.
            if judged and judge.worse(current, changed):
                continue
            if not judged and judge and _in_vain(document, faults[0], elements, judge, changed):
                continue
            candidate = lay_out(changed)
            candidate_found = lines.measure(candidate.pages)
            sound = (candidate_found.no_worse_than(found)
                     and all(grid.kept(candidate, selector) for selector, rule in plan.items() if rule == grid.BREAK)
                     and runover.printed(candidate, source))
            if sound and levelled(candidate, document):
                # The pages moved from the first that changed on: each of those may be tried again.
                tried = {page for page in tried if page < _first_changed(document, candidate)}
                document, found, rules, html = candidate, candidate_found, {**rules, **plan}, source
                break
            if sound and _closer(candidate, document, closer):
                closer = _State(candidate, source, {**rules, **plan}, candidate_found)
        else:
            if closer is not None and deeper:
                again = _level(lay_out, closer, alone, deeper=False)
                if cost(again.document) < cost(document):
                    return again


def _closer(candidate, document, closer):
    """Whether candidate's pages are as far from level as document's (makeup.cost), in no more pages, but end closer
    to level (their faults' distances less by a tenth of a line or more), and closer than closer's (a _State)."""
    def apart(laid):
        found = [finding for finding in check_makeup(laid) if finding.kind in COST]
        return sum(finding.box[3] for finding in found)

    return (len(candidate.pages) <= len(document.pages) and cost(candidate) == cost(document)
            and apart(candidate) < apart(document) - CLOSER and (closer is None or apart(candidate) < apart(
                closer.document)))


def _candidates(lay_out, document, html, finding, current, alone, found):
    """(html, {selector: declarations}, elements, judged) of each plan to try on the finding, in order: _plans',
    the spaces on a grid, a long box broken, tables set tighter, a note run over, then _measured's (made only when
    the others fail: it lays paragraphs out alone to choose). A short page whose next lines would come back with
    the notes they call is filled first (_plans' looser plans, the grid, boxes and tables, _measured), then its
    paragraphs set tighter: in a text with notes on most pages the lines taken back bring their notes, and the
    next page is left short in turn."""
    planned = _plans(document, finding)
    others = [(html, plan, (), False) for plan in grid.regridded(document, finding) + grid.broken_boxes(
        document, finding) + tables.tighter(document, (finding.page, finding.page + 1))]
    looser, tighter = [(html, *entry) for entry in planned if entry[2]], [
        (html, *entry) for entry in planned if not entry[2]]  # the looser plans are judged alone first (_plans)
    if finding.kind == "short page" and finding.page + 1 < len(document.pages) and grid.giving(
            document, finding.page + 1)[1]:
        yield from looser + others
        yield from [(html, *entry) for entry in _measured(lay_out, document, finding, current, alone, planned, found)]
        yield from tighter
        yield from [(split, {}, (), False) for split in runover.split(document, html, finding)]
        return
    yield from looser + tighter + others
    yield from [(split, {}, (), False) for split in runover.split(document, html, finding)]
    yield from [(html, *entry) for entry in _measured(lay_out, document, finding, current, alone, planned, found)]


def _plans(document, finding):
    """[({selector: declarations}, its elements, whether their lines are judged alone first)] to try on the finding's
    page:
    its fullest paragraphs, one for each line it lacks, set looser; then its 1, 2, … TIGHTEN emptiest set tighter.
    Paragraphs of two lines or more that end on the page, each with the least nudge that can move its last line;
    none that no nudge can move."""
    index = finding.page
    page_lines = body_lines(document.pages[index])
    if _full(document, finding):
        return []
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
    lacking = max(1, math.floor(finding.box[3] / line_height(page_lines) + 0.25)) if page_lines else 1
    looser = sorted((entry for entry in looser if entry[2]), key=lambda entry: entry[0])[:lacking]
    tighter = sorted((entry for entry in tighter if entry[2]), key=lambda entry: entry[0])[:TIGHTEN]
    plans = [looser] if len(looser) == lacking else []
    if plans and any(nudge != NUDGES[-1] for _, _, nudge in looser):
        plans.append([(fill, element, NUDGES[-1]) for fill, element, _ in looser])
    # A short page's paragraphs set tighter take back nothing when the page after is headed by a box kept whole
    # (the demands) taller than the room they can make: the page would only end higher. Not laid out.
    kept, room = grid.kept_head(document, finding), finding.box[3]
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


def _measured(lay_out, document, finding, current, alone, planned, found):
    """[({selector: declarations}, (), False)]: a short page's paragraphs (of two lines or more, justified, the
    fullest last lines first), then its page before's (lines it sends on fill the short page), one for each
    line the page lacks and MEASURED more at most, each set looser by the least of LOOSER that, laid out alone from
    current (a mending.Alone, sharing alone; one layout for every paragraph a nudge is tried on), runs it a line
    longer with no more lines at fault; one paragraph for each line the page lacks, none when fewer can or when
    _plans gives the same plan. Chosen by measure, not by the fill of a last line: _plans' looser plans fail when one
    paragraph's nudge shows a loose line or runs it no longer, or when the page's own paragraphs are too few."""
    index = finding.page
    page_lines = body_lines(document.pages[index])
    if not page_lines or finding.kind != "short page":
        return []  # an uneven spread lacks a line at most: _plans' plans of one paragraph are as good
    height = line_height(page_lines)
    lacking = max(1, math.floor(finding.box[3] / height + 0.25))
    # A short page is filled by lines of its own paragraphs run longer, else by lines the full page before sends on.
    pages = [index] + ([index - 1] if index else [])
    laid = {}  # each paragraph's boxes and lines, on the pages and the page after, in order
    for number in range(pages[-1], min(index + 2, len(document.pages))):
        for box, in_notes in lines.blocks(document.pages[number]._page_box):
            if not in_notes and box.element is not None:
                boxes_of, lines_of = laid.get(box.element, ([], []))
                laid[box.element] = (boxes_of + [(number, box)], lines_of + lines.lines_of(box, final=True))
    entries = []
    for element, (boxes_of, laid_lines) in laid.items():
        rank = min((pages.index(number) for number, _ in boxes_of if number in pages), default=None)
        if rank is None or len(laid_lines) < 2 or not laid_lines[-1].justified:
            continue
        # Not only those whose last line has room for what a nudge widens them by: their lines may break anew.
        entries.append(((rank, -laid_lines[-1].natural / laid_lines[-1].measure), element, LOOSER))
    if len(entries) < lacking:
        return []
    entries = sorted(entries, key=lambda entry: entry[0])[:lacking + MEASURED]
    paths = mending.selectors(document, [tuple(element for _, element, _ in entries)])
    judge = mending.Alone(lay_out, document, tuple(element for _, element, _ in entries), alone)
    judge.seed(current, document, found)
    before, chosen = judge.each(current), {}
    for nudge in LOOSER if paths and before is not None else ():
        # One layout alone sets every paragraph not yet chosen that the nudge can run a line longer.
        trying = [path for path, (_, _, nudges) in zip(paths[0], entries, strict=True)
                  if path not in chosen and nudge in nudges]
        after = judge.each(mending.with_rules(current, dict.fromkeys(trying, _css(nudge)), "balance")) if trying else {}
        for path in trying:
            if after and after[path][0] - before[path][0] > height / 2 and after[path][1] <= before[path][1]:
                chosen[path] = _css(nudge)
        if len(chosen) >= lacking:
            break
    plan = {path: chosen[path] for path in (paths[0] if paths else ()) if path in chosen}
    plan = dict(list(plan.items())[:lacking])  # the fullest last lines first
    if len(plan) < lacking or any(plan == other for other, _, _ in planned):
        return []
    return [(plan, (), False)]  # already measured alone: laid out whole at once


def _full(document, finding):
    """Whether the higher page of an uneven spread has no room for a line at its foot: a paragraph on it a line
    longer or shorter leaves it ending where it ends (only the spaces on a grid may move it)."""
    page = document.pages[finding.page]
    page_lines = body_lines(page)
    return bool(finding.kind == "uneven spread" and page_lines and foot(page) - (
        page_lines[-1][0].position_y + page_lines[-1][0].height) < line_height(page_lines))


def _first_changed(document, candidate):
    """The index of the first page whose lines (body and notes) stand or read otherwise in candidate than in
    document: the pages before it broke as they did, and their faults' plans would fail as they failed."""
    def lines_of(page):
        return [(round(line.position_y, 2), "".join(text.text for text in line.descendants()
                                                      if isinstance(text, boxes.TextBox)))
                for line in page._page_box.descendants() if isinstance(line, boxes.LineBox)]

    pairs = zip(document.pages, candidate.pages, strict=False)
    return next((index for index, (page, other) in enumerate(pairs) if lines_of(page) != lines_of(other)),
                min(len(document.pages), len(candidate.pages)))


def _moves_nothing(judge, current, changed):
    """Whether the paragraphs judge lays out alone take as much height set as changed as set as current: as many
    lines, which break the pages where they broke."""
    before, after = judge.height(current), judge.height(changed)
    return before is not None and after is not None and abs(after - before) < 0.01


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
    return next(((sign * ls, sign * ws) for ls, ws in NUDGES if _widening(laid, box, (ls, ws)) > need), None)


def _widening(laid, box, nudge):
    """How much wider (in px) a nudge (letter-spacing, word-spacing in ems) makes the text of a paragraph's lines."""
    text, (letters, words) = "".join(line.text for line in laid), nudge
    return (letters * len(text) + words * text.count(" ")) * box.style["font_size"]


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
    room at its foot than the least the page after can give back (grid.back): then nothing comes back, the pages after
    are as they were, and the page only ends higher, so no page ends more level (makeup.cost). The room their lines
    give up is measured on them laid out alone (judge, a mending.Alone), only when that can tell."""
    index, pages = finding.page, document.pages
    if index + 1 >= len(pages) or not (page_lines := body_lines(pages[index])):
        return False
    earlier = {box.element for box, _ in lines.blocks(pages[index - 1]._page_box)} if index else set()
    if earlier & set(elements):
        return False  # a paragraph begun on the page before changes that page's lines too
    last, need = page_lines[-1][0], grid.back(document, index + 1)
    room = foot(pages[index]) - (last.position_y + last.height)
    if room >= need:
        return False  # something may come back: only a layout tells
    # Their lines as they are, on the page (begun and ended there), and set tighter, alone.
    before, after = sum(line.height for line, element, _ in page_lines if element in elements), judge.height(changed)
    return after is not None and room + before - after < need


def _css(nudge):
    letters, words = nudge
    return f"letter-spacing: {letters}em" + (f"; word-spacing: {words}em" if words else "")
