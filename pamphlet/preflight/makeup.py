"""Page makeup as a designer checks it, counted from the laid-out print pages: headings stranded at a page's
foot, a paragraph's single line left alone at a page's foot (orphan) or head (widow), text pages that end
short of the foot while their piece goes on, facing pages that end on different lines, a piece's last page holding
only a few of its lines."""

from dataclasses import dataclass

from ..engine.pdf import boxes
from ..errors import Problem, source_at

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Set as headings: they belong to what follows.
HEADING_CLASSES = {"signatories-intro", "signatories-group", "kicker", "subtitle"}
SHORT = 2.5  # lines: a page that ends more than this short of its foot, its piece going on, is a short page
# lines: the same, for a page of running text that faces no page of its piece going on (a piece's opening page on
# the right, the left page beside a piece's last one): no facing page ends as short beside it, so a line or two
# missing above its notes or its foot shows. Not a page ending in a table's row or a figure, which end where they
# can (SHORT holds them).
LONE = 1.5
BLOCKS = {"table", "figure", "figcaption"}  # a page may end in them with a line or two to spare
ALONE = "a line or two, facing none of its piece"  # what is said of a short page that is alone (Finding.alone)
COST = {"short page": 3, "uneven spread": 1}  # a short page is lines short; an uneven spread, one
UNEVEN = 0.5  # lines: facing pages whose text ends further apart than this are uneven
LAST_LINES = 4  # lines: a piece's last page (not its only one) holding fewer of them is a short last page

KINDS = {
    "stranded heading": "a heading at the foot of a page, its text on the next",
    "orphan": "a paragraph's first line alone at the foot of a page",
    "widow": "a paragraph's last line alone at the head of a page",
    "short page": "a page ending lines short of its foot while the text goes on",
    "uneven spread": "facing pages whose text ends on different lines",
    "short last page": f"a piece's last page holding fewer than {LAST_LINES} of its lines",
}


@dataclass(frozen=True)
class Finding:
    """One thing a designer would not sign off: its kind (a key of KINDS), the page's index in the document, and
    where on the page (left, top, width, height, in CSS pixels from the page's top left corner); what more there
    is to say of it, if anything."""
    kind: str
    page: int
    box: tuple
    detail: str = ""
    # What only an editor can do about it, and where: 'file:line' in the texts (a note's data-source).
    fix: str = ""
    source: str = ""
    # A short page only a line or two short, facing none of its piece: it weighs as an uneven spread (cost), and
    # large print, read a page at a time, does not count it.
    alone: bool = False

    def describe(self):
        """What a reader is told of it: its kind, and its detail."""
        detail = ALONE if self.alone else self.detail
        return KINDS[self.kind] + (f" ({detail})" if detail else "")

    def problem(self, name):
        """The Problem a user is told of it: at its source with what an editor can do when it has one, else on its
        page of the file name."""
        if self.fix:
            return Problem(*source_at(self.source, (name, None)), f"page {self.page + 1} of {name} {self.fix}")
        return Problem(name, None, f"page {self.page + 1}: {self.describe()}")


def body_lines(page):
    """The page's body lines in order (not running heads, folios or notes): (line box, the element of its block,
    the id of the piece it is in or None). The element, not the box: a paragraph split over two pages is two
    boxes of one element."""
    found = []

    def walk(box, element, piece):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        if isinstance(box, boxes.LineBox):
            if shows_text(box):
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


def shows_text(line):
    """Whether a line box shows any text (not only spaces, a rule or an image)."""
    return any(isinstance(text, boxes.TextBox) and text.text.strip() for text in line.descendants())


def is_heading(element):
    return element is not None and (element.tag in HEADINGS or
                                    bool(HEADING_CLASSES & set((element.get("class") or "").split())))


def _rect(line):
    return (line.position_x, line.position_y, line.width, line.height)


def check_makeup(document):
    """The findings of every page of a laid-out print document, in page order."""
    pages = [body_lines(page) for page in document.pages]
    findings = []
    for index, lines in enumerate(pages):
        if not lines:
            if index and pages[index - 1] and pages[index - 1][-1][2] is not None:
                findings += _note_alone(document.pages[index], index)
            continue
        following = pages[index + 1] if index + 1 < len(pages) else []
        last_line, last, piece = lines[-1]
        first_line, first, _ = lines[0]
        goes_on = bool(following) and piece is not None and following[0][2] == piece
        if is_heading(last) and goes_on:
            findings.append(Finding("stranded heading", index, _rect(last_line)))
        elif goes_on and following[0][1] is last and sum(1 for _, e, _ in lines if e is last) == 1:
            findings.append(Finding("orphan", index, _rect(last_line)))
        before = pages[index - 1] if index else []
        if before and before[-1][1] is first and sum(1 for _, e, _ in lines if e is first) == 1:
            findings.append(Finding("widow", index, _rect(first_line)))
        if goes_on:
            bottom = foot(document.pages[index])
            gap = bottom - (last_line.position_y + last_line.height)
            # Facing pages with notes both end at their notes' foot: an uneven spread cannot show a hole above them.
            alone = getattr(last, "tag", None) not in BLOCKS and (
                not _faced(document, pages, index) or bool(notes_areas(document.pages[index])))
            if gap > (LONE if alone else SHORT) * line_height(lines):
                findings.append(Finding("short page", index, (last_line.position_x, bottom - gap,
                                                              last_line.width, gap),
                                        alone=gap <= SHORT * line_height(lines)))
        elif len(lines) < LAST_LINES and _last_of_many(pages, index):
            findings.append(_short_last(document.pages[index], index, lines))
    return findings + _uneven(document, pages, {finding.page for finding in findings if finding.kind == "short page"})


def _faced(document, pages, index):
    """Whether the page at index faces a page of its piece that its piece goes on past (a spread to end level with)."""
    other = index + (1 if document.pages[index]._page_box.page_type.side == "left" else -1)
    piece = pages[index][-1][2]
    return (0 <= other < len(pages) - 1 and bool(pages[other]) and bool(pages[other + 1])
            and pages[other][-1][2] == piece and pages[other + 1][0][2] == piece)


def _last_of_many(pages, index):
    """Whether pages[index] holds only the last lines of a piece that began on a page before."""
    piece = pages[index][0][2]
    return (piece is not None and index > 0 and pages[index - 1] and pages[index - 1][-1][2] == piece
            and all(line[2] == piece for line in pages[index]))


def _short_last(page, index, lines):
    """The finding round a piece's last page's few lines: a designer pulls them back onto the pages before, and
    with them the notes they call, which its detail counts."""
    top, bottom = lines[0][0].position_y, max(line.position_y + line.height for line, _, _ in lines)
    left = min(line.position_x for line, _, _ in lines)
    width = max(line.position_x + line.width for line, _, _ in lines) - left
    notes = called_notes(page)
    # The notes go back with their calls, or the calls stay: what stops these lines going back, often.
    detail = (f"{len(lines)} line{'s' * (len(lines) > 1)} to pull back with {len(notes)} "
              f"note{'s' * (len(notes) > 1)} of {sum(notes.values())} lines called on them") if notes else ""
    return Finding("short last page", index, (left, top, width, bottom - top), detail)


def _note_alone(page, index):
    """[the finding] of a page that holds none of its piece's lines, only the rest of a note run over from the page
    before (preflight/runover): a short last page, the lines of its note being all there is on it; else []."""
    for area in page._page_box.children:
        if isinstance(area, boxes.FootnoteAreaBox):
            lines = [line for line in area.descendants() if isinstance(line, boxes.LineBox)]
            if lines and any(box.element is not None and "note-continued" in (box.element.get("class") or "")
                             for box in area.descendants()):
                left, top = min(line.position_x for line in lines), min(line.position_y for line in lines)
                box = (left, top, max(line.position_x + line.width for line in lines) - left,
                       max(line.position_y + line.height for line in lines) - top)
                count = len({round(line.position_y, 1) for line in lines})
                # The builder has tried to pull it back (balance): a note too long for where it is called.
                source = next((box.element.get("data-source") for box in area.descendants()
                               if box.element is not None and box.element.get("data-source")), "")
                return [Finding("short last page", index, box, f"the rest of a note alone, {count} lines",
                                f"holds only the last {count} lines of this note: an editor's fix: shorten it by "
                                f"{count} lines or more", source)]
    return []


def called_notes(page):
    """{id: its lines} of each note printed at the page's foot whose call is on the page."""
    called = {box.element.get("href", "").lstrip("#") for box in page._page_box.descendants()
              if box.element is not None and box.element.get("class") == "noteref"}
    return {note: len(lines) for note, lines in note_lines(page).items() if note in called}


def note_lines(page):
    """{id: {the top of each of its lines: the line's text}} of each note printed at the page's foot."""
    found = {}
    for area in page._page_box.children:
        if isinstance(area, boxes.FootnoteAreaBox):
            for box in area.descendants():
                element = box.element
                if element is not None and element.get("class") == "note" and element.get("id") not in found:
                    texts = found[element.get("id")] = {}  # the note's own box comes before its lines
                    for line in box.descendants():
                        if isinstance(line, boxes.LineBox):
                            text = "".join(text.text for text in line.descendants() if isinstance(text, boxes.TextBox))
                            # Lines nest (the note's, its number's): the outer one holds the inner one's text.
                            if text.strip() and len(text) > len(texts.get(round(line.position_y, 1), "")):
                                texts[round(line.position_y, 1)] = text
    return found


def _uneven(document, pages, short):
    """A finding on the shorter page of each spread (a left page and the right page it faces) of one piece that goes
    on past it, whose text (notes included) ends on different lines: a designer has facing pages end level. A
    spread with a short page is counted once, as that."""
    findings = []
    for left, page in enumerate(document.pages[:-1]):
        if page._page_box.page_type.side != "left":
            continue
        right = left + 1
        if (not pages[left] or not pages[right] or short & {left, right} or right + 1 == len(pages)
                or not pages[right + 1] or len({pages[left][-1][2], pages[right][-1][2], pages[right + 1][0][2]}) != 1
                or pages[right][-1][2] is None):
            continue
        ends = {index: _end(document.pages[index], pages[index]) for index in (left, right)}
        higher = min(ends, key=ends.get)
        if abs(ends[left] - ends[right]) > UNEVEN * line_height(pages[higher]):
            line = pages[higher][-1][0]
            findings.append(Finding("uneven spread", higher, (line.position_x, ends[higher], line.width,
                                                              abs(ends[left] - ends[right]))))
    return findings


def _end(page, lines):
    """Where the page's text ends: the foot of its last line, or of its notes' last line."""
    last = lines[-1][0]
    notes = [line for area in page._page_box.children if isinstance(area, boxes.FootnoteAreaBox)
             for line in area.descendants() if isinstance(line, boxes.LineBox)]
    return max(line.position_y + line.height for line in [last] + notes)


def notes_areas(page):
    """The page's notes area, in a list, if it holds notes."""
    return [area for area in page._page_box.children if isinstance(area, boxes.FootnoteAreaBox) and area.children]


def foot(page):
    """Where the page's text must end: the foot of its text block, or the top of the notes printed there."""
    page_box = page._page_box
    return min([page_box.content_box_y() + page_box.height] + [area.position_y for area in notes_areas(page)])


def line_height(lines):
    """The median height of lines (body_lines' entries): that of the running text."""
    return sorted(line.height for line, _, _ in lines)[len(lines) // 2]


def cost(document):
    """How far a document's pages are from ending level: a short page weighs as much as COST uneven spreads."""
    return sum(COST["uneven spread"] if finding.alone else COST.get(finding.kind, 0)
               for finding in check_makeup(document))


def levelled(candidate, document):
    """Whether candidate's pages end more level than document's (cost), in no more pages: a repair worth keeping."""
    return len(candidate.pages) <= len(document.pages) and cost(candidate) < cost(document)


def shortened(candidate, document):
    """Whether candidate is a page shorter than document with no kind of finding more frequent: a piece's last lines
    pulled back worth keeping."""
    before, after = counts(check_makeup(document)), counts(check_makeup(candidate))
    return (len(candidate.pages) < len(document.pages) and all(after[kind] <= before[kind] for kind in KINDS)
            and _notes(candidate) == _notes(document))  # WeasyPrint may lose a note at a page turn: a page less


def _notes(document):
    """The ids of the notes printed at the pages' feet."""
    return {box.element.get("id") for page in document.pages for area in page._page_box.children
            if isinstance(area, boxes.FootnoteAreaBox) for box in area.descendants()
            if box.element is not None and box.element.get("class") == "note"}


def counts(findings):
    """{kind: how many} for every kind, none left out."""
    return {kind: sum(1 for finding in findings if finding.kind == kind) for kind in KINDS}
