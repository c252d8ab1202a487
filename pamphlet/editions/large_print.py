"""The large-print edition: the pamphlet laid out again on A4 from its own layout (layouts/large-print.html and
.css: 17 pt, ragged right, no hyphenation, notes at the end of each piece), tagged (PDF/UA-1) as the screen PDF is."""

from ..engine.pdf import boxes, notes_tagged_as_notes
from ..preflight import figures
from ..preflight.lines import blocks
from ..preflight.makeup import LAST_LINES, body_lines, check_makeup, counts, is_heading, line_height, shows_text
from ..preflight.mending import selectors, tree, with_rules

SOFT_HYPHEN = "\u00ad"
SPLIT_LINES = 2  # a table row split at a page turn keeps at least this many lines of its text on the first page
# Not looked for: ragged right, paragraphs apart by space, and read a page at a time (on a screen; from an office
# printer's sheets, often printed on one side), large print keeps no baseline grid from page to page for facing pages
# to end level on: an uneven spread here is no fault.
LOOSE = {"uneven spread"}
# A page that ends short (the block after it too tall for the room at its foot: a demand of three lines, a list's
# heading kept with its first names) has the spaces between its paragraphs made wider, each by as much as itself at
# most, so that its last line stands at its foot: read a page at a time, with no grid to keep, large print is set
# down to the foot as a word processor justifies a page. A paragraph space is a gap of this many lines at least
# between two blocks (0.8 em is 0.53 lines), not the lines of a list set close (0.2).
SPACE = 0.4
NARROW = 0.25  # a short page's paragraph spaces made this much narrower, when wider ones cannot take its room
NOTES = "notes-title"  # the heading of a piece's notes, at its end (layouts/_piece.html)
SIGNED_BY = "signatories-intro"  # the heading of a piece's list of signatories (layouts/_piece.html)
SIGNED = 3  # names a list of signatories keeps on either side of a page turn, with its heading on the first


def make(tools, job):
    """Without the soft hyphens the typesetter put in: large print never breaks a word at a line's end. A table row
    split with too few of its lines at a page's foot is kept whole, and a piece's last lines alone on a page kept
    with what comes before them, by one more layout when there are any; then a page left short has its paragraphs
    spaced down to its foot, or closer to take back what went on (spread), by one more layout when there is one,
    kept when that leaves fewer findings in no more pages; when it does not, and a piece's last lines are left alone
    on its last page by what came back, those kept with what comes before them by one more.
    Its page makeup is counted for the summary (tools.makeup)."""
    html = tools.renderer.render("large-print.html").replace(SOFT_HYPHEN, "")
    document = tools.pdf.layout(html, source="large-print.html")
    findings = _made_up(document)
    rules = {path: "break-inside: avoid" for path, in selectors(document, [(row,) for row in split_badly(document)])}
    rules |= _rules(document, alone(document, findings))
    if rules:
        document = tools.pdf.layout(with_rules(html, rules, "makeup"), source="large-print.html")
        findings = _made_up(document)
    heights, moved = fitted(document, findings)
    spaced = spread(document, findings, moved)
    if spaced or heights:
        source = figures.with_heights(with_rules(with_rules(html, rules, "makeup"), spaced, "spaced"), heights)
        candidate = tools.pdf.layout(source, source="large-print.html")
        candidate_findings = _made_up(candidate)
        # Lines taken back may leave a piece's last lines alone on its last page: kept with what comes before them,
        # by one more layout, as the first layout's were.
        along = _rules(candidate, alone(candidate, candidate_findings))
        if along and not _better(candidate_findings, candidate, findings, document):
            candidate = tools.pdf.layout(with_rules(source, along, "along"), source="large-print.html")
            candidate_findings = _made_up(candidate)
        if _better(candidate_findings, candidate, findings, document):
            document, findings = candidate, candidate_findings
    found = counts(findings)
    tools.makeup[job.files[0]] = {kind: count for kind, count in found.items() if kind not in LOOSE}
    with notes_tagged_as_notes():
        return tools.pdf.to_bytes(document, job.files[0], pdf_variant="pdf/ua-1")


def _better(findings, document, before, laid_out):
    """Whether findings (of document) are fewer than before's (of laid_out), none more frequent, in no more pages;
    the kinds large print does not count (LOOSE) left out."""
    after, before = ({kind: count for kind, count in counts(found).items() if kind not in LOOSE}
                     for found in (findings, before))
    return len(document.pages) <= len(laid_out.pages) and sum(after.values()) < sum(before.values()) and all(
        after[kind] <= before[kind] for kind in before)


def _made_up(document):
    """The findings of the document's page makeup, as large print counts them: a page a line or two short that faces
    none of its piece (Finding.alone) is no fault here, read a page at a time; nor a page where its piece's text ends
    (_ends_text)."""
    return [finding for finding in check_makeup(document) if not finding.alone and not _ends_text(
        document, finding)]


def _ends_text(document, finding):
    """Whether the finding is a short page where its piece's text, or a part of it, ends: its next page opens with
    the heading of its notes (set at its end, as a book's endnotes), or with a heading or a section break too tall,
    with what a designer keeps with it (_kept), for the room the page leaves even with its paragraph spaces made
    NARROW narrower, and the page's spaces too few to take its room. A designer lets those begin on the next page
    rather than stretch the text down to its foot, strand a heading or split a list too short to split."""
    following = body_lines(document.pages[finding.page + 1]) if finding.kind == "short page" else []
    if not following:
        return False
    if NOTES in (following[0][1].get("class") or "").split():
        return True
    parents = tree(document)[1]
    kept = _kept(document.pages[finding.page + 1], following, parents)
    if kept is None:
        return False
    page = document.pages[finding.page]
    spaces = sum(gap for *_, gap in _spaces(page, parents))
    turned = sum(gap for *_, gap in _turned(document, finding.page, parents))
    (height, above), (margin, frames) = kept, _under(page._page_box)
    # The margins between the page's last block and what would come back collapse: the wider stands.
    return (finding.box[3] - margin - frames > spaces
            and height + max(above, margin) + frames > finding.box[3] + NARROW * (spaces + turned))


def _kept(page, lines, parents):
    """The height of what a designer keeps together at the head of a page that opens with a heading or a section
    break: a heading (or a break) with two lines under it; the heading of a list of signatories with SIGNED names,
    or the whole list when it is too short to leave that many on either side of a page turn: (its height, the space
    above it, which the page turn dropped); None when the page opens with none of them."""
    opener = lines[0][1]
    if not (is_heading(opener) or opener.tag == "hr"):
        return None
    if SIGNED_BY in (opener.get("class") or "").split():
        names = [line for line, element, _ in lines if element.tag == "li"]
        kept = names[SIGNED - 1] if len(names) >= 2 * SIGNED else names[-1] if names else None
    else:
        after = [(line, element) for line, element, _ in lines if not (is_heading(element) or element.tag == "hr")]
        first = [line for line, element in after if element is after[0][1]] if after else []
        kept = first[min(1, len(first) - 1)] if first else None
    if kept is None:
        return None
    holders = set(_enclosing(opener, parents, 0))  # the opener and each block it begins: their margins above collapse
    margins = [box.style["margin_top"] for box in page._page_box.descendants() if box.element in holders]
    above = max((margin.value for margin in margins if getattr(margin, "unit", None) == "px"), default=0)
    return kept.position_y + kept.height - lines[0][0].position_y, above


def split_badly(document):
    """The <tr> elements of the table rows split at a page turn with fewer than SPLIT_LINES lines at the page's
    foot of a cell that goes on (WeasyPrint leaves a cell empty there when its orphans do not fit, and sets its short
    cells, the pit's name and numbers, on the page before all of its text)."""
    pages = [_rows(page) for page in document.pages]
    found = []
    for here, there in zip(pages, pages[1:], strict=False):
        for element, cells in here.items():
            rest = there.get(element)
            if rest is not None and any(rest[i] and cells[i] < SPLIT_LINES for i in range(min(len(cells), len(rest)))):
                found.append(element)
    return found


def alone(document, findings):
    """{block: its declaration} to keep a piece's last page holding LAST_LINES lines or more rather than a few of
    blocks begun there (makeup's short last page: its source line, its last note alone): the page's first block,
    which takes two lines (widows) of a paragraph before it, and as many one-line blocks (the names of a list of
    signatories) or blocks too short to split as it needs, kept with what comes before them (break-before: avoid);
    or, when the page opens with the last lines of a block begun before (a note's), that block's widows raised to
    carry as many more of its lines. findings: the document's (check_makeup)."""
    found, parents = {}, None
    for finding in findings:
        if finding.kind != "short last page" or not finding.page:
            continue
        lines, before = (body_lines(document.pages[index]) for index in (finding.page, finding.page - 1))
        if not lines:
            continue
        carried, block = len(lines), lines[0][1]
        if block in {element for _, element, _ in before}:  # the last lines of a block begun before (its widows)
            found[block] = f"widows: {sum(1 for _, element, _ in lines if element is block) + LAST_LINES - carried}"
            continue
        parents = parents or tree(document)[1]
        blocks = list(dict.fromkeys(element for _, element, _ in reversed(before)))  # the page before's, last first
        for previous in blocks:
            found[_holding(block, parents)] = "break-before: avoid"
            count = sum(1 for _, element, _ in before if element is previous)
            carried += 2 if count >= 4 else count  # a block of four lines or more splits, two lines at least each side
            if carried >= LAST_LINES:
                break
            block = previous
    return found


def _rules(document, declared):
    """{selector: declarations} of {element: declarations}; {} when an element cannot be named (SVG's)."""
    paths = selectors(document, [(element,) for element in declared])
    return {path: declarations for (path,), declarations in zip(paths, declared.values(), strict=True)
            } if len(paths) == len(declared) else {}


def fitted(document, findings):
    """({figure's index: its picture's height}, {piece: the page from which its text moves}): each figure that went
    whole to the page after a short page, too tall for the room there by figures.FIT of its picture at most, made
    that much smaller to stay, as the print edition makes it (preflight/figures)."""
    short = {finding.page for finding in findings if finding.kind == "short page"}
    heights, moved = {}, {}
    for index, (page, over, picture) in figures.headed(document).items():
        if page - 1 in short and 0 < over <= (1 - figures.FIT) * picture.height:
            heights[index] = picture.height - over
            piece = body_lines(document.pages[page - 1])[-1][2]
            moved[piece] = min(moved.get(piece, page - 1), page - 1)
    return heights, moved


def spread(document, findings, moved=None):
    """{selector: declarations} for each short page: its paragraph spaces (not under a heading, not between a list's
    lines set close, not in a table) made wider to take the room at its foot, each by as much as itself at most;
    else, when they cannot, made NARROW narrower to bring back what went on to the next page (a demand of three lines
    that cannot split, a heading with its first lines), the space the page turn drops before it too (_turned), then
    nothing more on the pages of that piece after it (its
    text moves on them), nor from the page moved gives its piece on ({piece: page index}: a figure made smaller)."""
    parents, found, moved = tree(document)[1], {}, dict(moved or {})
    for finding in findings:
        page = document.pages[finding.page]
        piece = body_lines(page)[-1][2]
        if finding.kind != "short page" or finding.page >= moved.get(piece, len(document.pages)):
            continue
        spaces = _spaces(page, parents)
        # What stands below its last line must fit too (a box's frame, a margin), and a pixel to spare.
        room, total = finding.box[3] - sum(_under(page._page_box)) - 1, sum(gap for *_, gap in spaces)
        if spaces and room <= total:
            for _, holder, gap in spaces:
                found.setdefault(holder, []).append(f"padding-top: {room * gap / total:.2f}px")
            continue
        for ending, holder, gap in spaces + _turned(document, finding.page, parents) if spaces else ():
            if ending is not None:  # a space its margins alone make: both set to what it is made
                moved[piece] = finding.page + 1
                found.setdefault(ending, []).append(f"margin-bottom: {gap * (1 - NARROW):.2f}px")
                found.setdefault(holder, []).append(f"margin-top: {gap * (1 - NARROW):.2f}px")
    return _rules(document, {element: "; ".join(declarations) for element, declarations in found.items()})


def _turned(document, index, parents):
    """[(the element ending the page at index, the element holding the block heading the next, the space between
    them)]: the paragraph space the page turn drops, which the block brought back brings with it; [] when the next
    page opens with no block of text or its space is not their margins alone."""
    following = body_lines(document.pages[index + 1])
    if not following:
        return []
    ending, holder = _ending(body_lines(document.pages[index])[-1][1], parents), _holding(following[0][1], parents)
    below = [box.margin_bottom for box in document.pages[index]._page_box.descendants() if box.element is ending]
    above = [box.style["margin_top"] for box in document.pages[index + 1]._page_box.descendants()
             if box.element is holder]
    if not below or not above or getattr(above[0], "unit", None) != "px" or is_heading(holder):
        return []
    return [(ending, holder, max(below[-1], above[0].value))]


def _spaces(page, parents):
    """[(the element ending before a paragraph space of the page, when the space is its margin and the next's alone,
    else None; the element holding the block after the space; the space in px)], top to bottom."""
    height = line_height(body_lines(page))
    ends, starts = {}, {}
    for box in page._page_box.descendants():
        if isinstance(box, boxes.BlockBox) and box.element is not None:
            ends[box.element] = box  # the last of its boxes on the page
            starts.setdefault(box.element, box)
    spaces, previous, bottom = [], None, None
    for box, _ in blocks(page._page_box):
        shown = [line for line in box.children if isinstance(line, boxes.LineBox) and shows_text(line)]
        if not shown or box.element is None:
            continue
        holder = _holding(box.element, parents)
        gap = shown[0].position_y - bottom if bottom is not None else 0
        if gap >= SPACE * height and not (is_heading(previous) or holder.tag in TABLE):
            ending = _ending(previous, parents)
            margins = max(getattr(ends.get(ending), "margin_bottom", -1), getattr(starts.get(holder), "margin_top", -1))
            spaces.append((ending if abs(margins - gap) < 1 else None, holder, gap))
        previous, bottom = box.element, shown[-1].position_y + shown[-1].height
    return spaces


def _ending(block, parents):
    """The element that block ends (a list's last item, a box's last paragraph): the margin after a last child is
    its parent's too."""
    return _enclosing(block, parents, -1)[-1]


def _under(box):
    """(the widest margin under a page's last block in flow, its own or one of the blocks it ends; the padding and
    border below it and each block it ends: a box's frame)."""
    margins, frames = [], 0
    while children := [child for child in getattr(box, "children", ()) if isinstance(child, boxes.BlockBox)
                       and not isinstance(child, boxes.MarginBox) and child.is_in_normal_flow()]:
        box = children[-1]
        margins.append(box.margin_bottom or 0)
        frames += (box.padding_bottom or 0) + (box.border_bottom_width or 0)
    return max(margins, default=0), frames


TABLE = {"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th"}


def _holding(block, parents):
    """The element that holds block from its start (a source's <footer>, a note's <aside>): the break before a first
    child is its parent's."""
    return _enclosing(block, parents, 0)[-1]


def _enclosing(block, parents, end):
    """[block, and each element up to the piece's that it begins (end 0) or ends (end -1)], inner first."""
    chain = [block]
    while block in parents and parents[block][end] is block and "piece" not in (parents[block].get("class") or ""):
        block = parents[block]
        chain.append(block)
    return chain


def _rows(page):
    """{<tr>: the number of lines of each of its cells} of the body rows laid out on the page (not a repeated
    header or footer)."""
    rows = {}
    for group in page._page_box.descendants():
        if isinstance(group, boxes.TableRowGroupBox) and not (group.is_header or group.is_footer):
            for row in group.children:
                rows[row.element] = [sum(1 for line in cell.descendants()
                                         if isinstance(line, boxes.LineBox) and shows_text(line))
                                     for cell in row.children]
    return rows
