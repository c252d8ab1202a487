"""Measures the lines of laid-out pages as a typesetter would (broken, loose and hyphenated lines of justified text);
preflight.mending mends them."""

import weakref
from dataclasses import dataclass, field

from ..engine.pdf import boxes

SHORT = 0.75         # a line of a justified paragraph, not its last, shorter than this share of the measure: broken
LOOSE = 1.0          # a gap between words wider than this many ems: loose
HYPHENS_IN_A_ROW = 2  # hyphenated lines in a row a typesetter allows
PREFORMATTED = ("pre", "pre-wrap", "pre-line", "break-spaces")
SPACE = 0.25         # a word space, in ems, before justification widens it (Charis SIL's is 0.23 em)
# The kinds of fault a paragraph's lines show whatever page they fall on: judged on the paragraph alone (mending.Alone).
OWN = ("broken", "hyphen runs", "fragment ends", "loose")
WEIGHTS = {"broken": 4, "hyphen runs": 2, "page-end hyphens": 2, "fragment ends": 2, "loose": 1}
KINDS = {
    "broken": "broken lines (a justified line under three quarters of the measure, the paragraph going on)",
    "hyphen runs": "hyphenated lines beyond 2 in a row",
    "page-end hyphens": "words hyphenated across a page turn",
    "fragment ends": "paragraphs ending in a word fragment (under 5 letters alone on the last line)",
    "loose": "loose lines (a gap between words wider than an em)",
}


@dataclass
class Lines:
    """What the measurement found, by kind: (page number, the line's text, (the word before, the word hyphenated at
    its end), both with their soft hyphens, or None, the elements a nudge of spacing would mend it by (its
    paragraph's, or a run-on list's items on it and the line before)) of each line at fault."""
    found: dict = field(default_factory=lambda: {kind: [] for kind in KINDS})

    def counts(self):
        return {kind: len(lines) for kind, lines in self.found.items()}

    def total(self):
        return sum(self.counts().values())

    def weight(self):
        """How bad the lines are, each kind weighed as a typesetter would: a repair that makes this no smaller is
        no repair."""
        return sum(WEIGHTS[kind] * count for kind, count in self.counts().items())

    def summary(self, name):
        """One line for the build's summary."""
        counts = self.counts()
        return f"lines ({name}): " + ", ".join(f"{counts[kind]} {kind}" for kind in KINDS)

    def messages(self):
        return [f"page {page}: {KINDS[kind]}: “{text}”" for kind, lines in self.found.items()
                for page, text, _, _ in lines]

    def nudged(self):
        """The elements whose spacing a nudge would mend a line at fault by, a tuple for each line, in the order of
        KINDS, each once."""
        return list(dict.fromkeys(elements for lines in self.found.values() for *_, elements in lines
                                  if None not in elements))

    def no_worse_than(self, other):
        """Whether no kind of fault is more frequent here than in other."""
        before, after = other.counts(), self.counts()
        return all(after[kind] <= before[kind] for kind in KINDS)

    def paragraphs(self, words):
        """The elements whose lines the hyphens of words put at fault, when each fault is of a kind their lines
        show alone (OWN) and none is a run-on list's; else None."""
        entries = [entry for lines in self.found.values() for entry in lines if entry[2] in words]
        elements = tuple(dict.fromkeys(element for *_, group in entries for element in group))
        return elements if entries and all(self.own(group) for *_, group in entries) else None

    def own(self, elements):
        """Whether every fault of elements is one their lines show wherever the page breaks (OWN), and they are
        whole blocks of lines (not a run-on list's items)."""
        return (all(element is not None and element.tag != "li" for element in elements)
                and not any(set(group) & set(elements) for kind, lines in self.found.items() if kind not in OWN
                            for *_, group in lines))

    def words(self):
        """The hyphenated words whose breaks put a line at fault (a broken line, a run too long, a page turn, a loose
        line after the word's break)."""
        return sorted({word for kind in ("broken", "hyphen runs", "page-end hyphens", "loose")
                       for _, _, word, _ in self.found[kind] if word})


@dataclass
class _Line:
    text: str         # as printed, without soft hyphens
    first: str        # its first word, with soft hyphens
    last: str         # its last word, with soft hyphens, without the hyphen drawn at the end
    before: str       # the word before its last, with soft hyphens ("" when there is none)
    natural: float    # the width its words take with unstretched spaces
    measure: float    # the width it was set in
    gap: float        # the gap between its words, in ems
    final: bool       # the last line of its paragraph, or one the author ended (<br>)
    justified: bool
    hyphenated: bool  # ends in a hyphen (soft or the word's own)
    element: object   # its paragraph's element in the laid-out document's tree
    items: tuple      # the elements of a run-on list's items (li set inline) on the line


class PageLines:
    """The lines of each laid-out page as measure read them, kept by watch mode so that a rebuild reads only the
    pages an edit changed (a laid-out page is never changed; the parts kept from the last build keep theirs)."""

    def __init__(self):
        self.pages = weakref.WeakKeyDictionary()  # page -> (its blocks, {(block's index, final): its lines})
        self.pages_read = 0  # pages the last measure read; the others' lines kept

    def of(self, page):
        kept = self.pages.get(page)
        if kept is None:
            kept = self.pages[page] = (list(blocks(page._page_box)), {})
            self.pages_read += 1
        return kept


def measure(pages, kept=None):
    """Every line at fault in laid-out pages (WeasyPrint's), by kind. kept: a PageLines of the pages measured
    before (watch mode), whose lines are not read again."""
    result = Lines()
    kept = kept if kept is not None else PageLines()
    kept.pages_read = 0
    pages = [kept.of(page) for page in pages]
    continued = _continued([paragraphs for paragraphs, _ in pages])
    flow = []  # (page number, line) of the main flow, page after page
    for number, (paragraphs, read) in enumerate(pages, start=1):
        for index, (box, in_notes) in enumerate(paragraphs):
            final = box not in continued
            lines = read.get((index, final))
            if lines is None:
                lines = read[index, final] = lines_of(box, final=final)
            if in_notes:
                _check_run([(number, line) for line in lines], result)  # a note's lines are a run of their own
            else:
                flow.extend((number, line) for line in lines)
            _check_paragraph(lines, number, result)
    _check_run(flow, result)
    for index, (number, line) in enumerate(flow):
        if line.hyphenated and (index + 1 == len(flow) or flow[index + 1][0] != number):
            result.found["page-end hyphens"].append((number, line.text, _word(flow, index), (line.element,)))
    return result


def _word(lines, index):
    """The word hyphenated at the end of lines[index], with its soft hyphens."""
    line = lines[index][1]
    if "\u00ad" not in line.last[-1:] or index + 1 == len(lines):
        return None  # broken at the word's own hyphen: nothing to take back
    return line.before, line.last + lines[index + 1][1].first


def _check_paragraph(lines, number, result):
    for index, line in enumerate(lines):
        if not line.justified:
            continue
        if not line.final and line.natural < SHORT * line.measure:
            # Ending in a soft hyphen, the line is WeasyPrint's mistake next to an inline box: the word whole mends it.
            result.found["broken"].append((number, line.text, _word([(number, each) for each in lines], index),
                                           (line.element,)))
        elif not line.final and line.gap > LOOSE:
            # Starting with the end of a word hyphenated on the line before, the word whole may set both better.
            after_break = index and lines[index - 1].hyphenated
            word = _word([(number, each) for each in lines], index - 1) if after_break else None
            # In a run-on list (a long one: signatories), its items on the line and the line before: a nudge of the
            # whole would set every line of it again.
            items = tuple(dict.fromkeys((lines[index - 1].items if index else ()) + line.items))
            result.found["loose"].append((number, line.text, word, items or (line.element,)))
        tail = line.text.split()
        if line.final and index and lines[index - 1].hyphenated and len(tail) == 1 and len(_letters(tail[0])) < 5:
            result.found["fragment ends"].append((number, lines[index - 1].text + line.text, None, (line.element,)))


def _letters(word):
    return [c for c in word if c.isalpha()]


def _check_run(lines, result):
    row = 0
    for index, (number, line) in enumerate(lines):
        row = row + 1 if line.hyphenated else 0
        if row > HYPHENS_IN_A_ROW:
            result.found["hyphen runs"].append((number, line.text, _word(lines, index), (line.element,)))


def blocks(page_box):
    """The page's blocks that hold lines of text, in reading order, each with whether it is in the notes area."""
    stack = [(child, isinstance(child, boxes.FootnoteAreaBox)) for child in reversed(page_box.children)
             if not isinstance(child, boxes.MarginBox)]
    while stack:
        box, in_notes = stack.pop()
        children = getattr(box, "children", [])
        if any(isinstance(child, boxes.LineBox) for child in children):
            yield box, in_notes
            continue
        stack.extend((child, in_notes or isinstance(child, boxes.FootnoteAreaBox)) for child in reversed(children))


def _continued(pages):
    """The blocks whose paragraph goes on on the next page (WeasyPrint's split boxes share an element)."""
    out = set()
    for here, there in zip(pages, pages[1:], strict=False):
        following = {box.element for box, _ in there if box.element is not None}
        for box, _ in here:
            if box.element is not None and box.element in following:
                out.add(box)
    return out


def lines_of(box, final):
    lines = [child for child in box.children if isinstance(child, boxes.LineBox)]
    # Preformatted text (code) keeps its author's lines: never justified, whatever it inherits.
    justified = box.style["text_align_all"] == "justify" and box.style["white_space"] not in PREFORMATTED
    out = []
    for index, line in enumerate(lines):
        texts = list(_text_boxes(line))
        raw = "".join(t.text for t in texts).strip()
        text = raw.replace("\u00ad", "")
        if not text:
            continue
        hyphenated = text.endswith(("-", "\u2010")) and len(text) > 1 and text[-2].isalpha()
        words = raw.split()
        font_size = box.style["font_size"]
        stretch = max((getattr(t, "justification_spacing", 0) or 0 for t in texts), default=0)
        spaces = sum(t.text.strip().count(" ") + t.text.count("\u00a0") for t in texts)
        right = max((t.position_x + t.margin_width() for t in texts), default=line.position_x)
        natural = right - box.content_box_x() - stretch * spaces
        out.append(_Line(text, words[0], words[-1][:-1] if hyphenated else words[-1],
                         words[-2] if len(words) > 1 else "", natural, box.width,
                         # A word-spacing of the paragraph's own (a repair's) narrows or widens every space.
                         (stretch + box.style["word_spacing"]) / font_size + SPACE if spaces else 0,
                         # A line the author ended (<br>) is set as a last line: WeasyPrint does not justify it.
                         final=final and index == len(lines) - 1 or _forced(line), justified=justified,
                         hyphenated=hyphenated, element=box.element,
                         items=tuple(child.element for child in line.children if isinstance(child, boxes.InlineBox)
                                     and child.element is not None and child.element.tag == "li")))
    return out


def _forced(line):
    """Whether the line ends in a line break the author wrote (<br>)."""
    return any(getattr(box, "element_tag", None) == "br" for box in line.descendants())


def _text_boxes(box):
    for child in getattr(box, "children", []):
        if isinstance(child, boxes.TextBox):
            yield child
        elif child.is_in_normal_flow():
            yield from _text_boxes(child)
