"""Lays out the print edition part by part (front matter, each piece, back cover) and keeps each part's pages, so
that a build after an edit lays out again only the parts whose layout the edit can change."""

import copy
import hashlib
from dataclasses import dataclass
from html import escape

import lxml.html
from lxml import etree

from ..pipeline import parallel

# Each part but the first is laid out as a document of its own that starts with a spacer page standing for the
# page before the part: it has that page's number and side, and sets the named strings (running heads) as the
# parts before left them, so the part's pages show what they would in one whole document. Page numbers a part
# shows of other parts (target-counter, as the contents do) come from stub pages after it, numbered as those
# parts are. Spacer and stub pages are laid out, then dropped.
_STYLE = '<style data-pamphlet-part>{}</style>'
_SPACER = '<div data-pamphlet-spacer style="break-after: page;{}"></div>'
_STUB = '<div data-pamphlet-stub style="page: pamphlet-stub-{n}; break-before: page">{spans}</div>'
# Spacer and stub pages are never seen: no margin boxes (running heads, folios) are laid out on them.
_MARGINS = " ".join(f"@{name} {{ content: none }}" for name in (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "right-top", "right-middle",
    "right-bottom", "bottom-right-corner", "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
    "left-bottom", "left-middle", "left-top"))
ROUNDS = 4  # page numbers shown across parts settle in one round when known, in two from nothing
AHEAD = 5  # parts at least for the later ones to be mended ahead in a child (PartLayouts._ahead)
# Characters of the parts' HTML at least for that child: below it the second process's own work (large print,
# leaflets, share images) takes as long as the print layout, so no core is free for the child, which only adds its
# CPU (texts/, 32,000: 0.5-1.3 s of CPU more, no wall saved; the long text's three copies, 129,000: 1.4-2.3 s of
# wall saved).
AHEAD_SIZE = 60_000


@dataclass
class Part:
    pages: list       # the part's own pages (WeasyPrint's), spacer and stubs left out
    anchors: dict     # id -> index among pages of the page it is on
    strings: dict     # named strings (string-set) as they stand after the part's last page
    document: object  # the WeasyPrint document the pages come from


class PartLayouts:
    """The parts of the last build's documents, by a key made of everything their layout depends on (their HTML
    with their first page number and side, the strings and page numbers they show from other parts written in,
    and the content of the layouts, fonts and images), and the page number of each id in its last document."""

    def __init__(self):
        self.parts = {}     # the parts the last document used, by key
        self.previous = {}  # the parts the last build used (a build may lay the document out twice)
        self.numbers = {}
        self.laid_out = 0  # parts laid out by the last build; the others were kept from the one before
        self.count = 0     # parts in the last build's document
        self.settled = True  # whether the page numbers parts show of each other are right in the last document
        self.shapes = []     # the parts of the last round, in order (see _round)
        self.mendings, self.previous_mendings = {}, {}  # (html as mended, its style placing it) by part (_mended)
        self.repairs, self.previous_repairs = {}, {}  # what mend found of a part's lines, by its unplaced HTML
        self.ahead = None  # (the first part mended ahead, its index; the parallel.Ahead mending it): _ahead

    def document(self, pdf, html, boundaries, sources, extra_css=None, mend=None, settle=True, unplaced=None,
                 ahead=False):
        """The whole document, html cut before each id of boundaries and after the last, each part laid out
        by pdf or kept from the last build, their pages together in order. sources: the digest of the files
        the HTML loads (stylesheets, fonts, images) and of extra_css, a stylesheet laid over the layouts'.
        mend(lay_out, html, repairs): the best layout of html by lay_out, which it may call again with html changed
        (preflight.mending.mended), the html it is laid out from, and what it found of the part's lines (repairs:
        what it found of them on a page of the other side, or None); a part is kept under its HTML as first written.
        unplaced(html): the part's HTML without what differs with where it opens, beyond its number and side (the
        lines break the same there: print_edition's opening of a piece).
        settle=False: one round only, the page numbers parts show of each other perhaps not yet right, for a layout
        that is only looked at for the length of each part (print_edition's openings).
        ahead: every piece opens on a right-hand page, so the later parts can be mended ahead, in a child (_ahead)."""
        slices = split(html, boundaries)
        used = self.parts
        self.ahead = self._ahead(pdf, slices, sources, extra_css, mend, unplaced) if ahead and mend else None
        try:
            for _ in range(ROUNDS):
                parts, numbers, settled = self._round(pdf, slices, sources, used, extra_css, mend, unplaced)
                self.numbers, self.settled = numbers, settled
                if settled or not settle:
                    break
            else:
                raise RuntimeError("the page numbers that parts show of each other do not settle")
        finally:
            if self.ahead:
                self.ahead[2].close()
            self.ahead = None
        self.count = len(parts)  # self.parts holds only what this build used: memory stays that of one layout
        return parts[0].document.copy([page for part in parts for page in part.pages])

    def begin(self):
        """A new build: what the last one used is kept for it to take from, nothing older."""
        self.previous, self.parts, self.laid_out = self.parts, {}, 0
        self.previous_mendings, self.mendings = self.mendings, {}
        self.previous_repairs, self.repairs = self.repairs, {}

    def _round(self, pdf, slices, sources, used, extra_css, mend, unplaced):
        """Each part laid out (or kept) from the page after the last one's: (the parts, the page number of each
        id, whether every part shows the page numbers it has here). A part showing page numbers of others (the
        contents) that is not kept as it would show them is laid out after the others, with the numbers this
        round gives, its last layout standing in for it meanwhile (its length, the strings it leaves, its ids):
        the front matter is laid out once, not once with the numbers of the round before and again."""
        number, strings, parts, numbers, later = 1, {}, [], {}, []
        for index, piece in enumerate(slices):
            shown = {t: self.numbers.get(t, 1) for t in piece.targets}
            standin = self.shapes[index] if piece.targets and index < len(self.shapes) else None
            part = self._part(pdf, piece, number, strings, shown, sources, used, extra_css, (mend, unplaced),
                              defer=standin is not None)
            if part is None:
                later.append((index, number, strings))
                part = standin
            parts.append(part)
            numbers.update({name: number + offset for name, offset in part.anchors.items()})
            strings, number = part.strings, number + len(part.pages)
        # Settled when each part shows the numbers this round gives, and each laid out last takes as much room
        # and leaves what its stand-in did (else the parts after it stand elsewhere: another round).
        deferred = {index for index, _, _ in later}
        settled = all(self.numbers.get(t, 1) == numbers.get(t, 1)
                      for index, piece in enumerate(slices) if index not in deferred for t in piece.targets)
        for index, number, strings in later:
            piece, standin = slices[index], parts[index]
            parts[index] = self._part(pdf, piece, number, strings, {t: numbers.get(t, 1) for t in piece.targets},
                                      sources, used, extra_css, (mend, unplaced))
            settled = settled and _shape(parts[index]) == _shape(standin)
        self.shapes = parts
        return parts, numbers, settled

    def _part(self, pdf, piece, number, strings, shown, sources, used, extra_css, mend, defer=False):
        """The part of piece starting on page number after strings, showing the page numbers shown: kept, or
        laid out (or None, with defer)."""
        html, stubs = piece.html(number, strings, shown)
        key = hashlib.sha256(f"{sources}\0{html}".encode()).hexdigest()
        part = used.get(key) or self.previous.get(key)
        if part is None and not defer:
            lay_out = _layer(pdf, piece, number, strings, shown, sources, extra_css)
            part = self._mended(piece, number, strings, shown, sources, lay_out, *mend) if mend[0] else lay_out(html)
            self.laid_out += 1
        if part is not None:
            used[key] = part
        return part


    def _mended(self, piece, number, strings, shown, sources, lay_out, mend, unplaced):
        """The part laid out by lay_out as mend leaves it; mended once for every first page number of one side:
        a part that moves by two pages (the openings planned, an edit before it) is laid out again with what its
        mending found there, not mended again. Its pages break where they did (the text block is the same on every
        page of a side, and only the margins show the page number), and so the mending would find the same."""
        html = piece.html(number, strings, shown)[0]
        style = piece.placed(number, strings, shown)[0]
        key, free = _keys(piece, number, strings, shown, sources, unplaced)
        # On a page of the other side, where the part's lines break the same (uneven spreads differ), what its
        # mending found of its lines, if any: mend does it again without trying anything else.
        repairs = self.repairs.get(free) or self.previous_repairs.get(free)
        known = self.mendings.get(key) or self.previous_mendings.get(key)
        if known is None and repairs is None and self.ahead:
            known, repairs = self._taken(piece, key)
            if repairs is not None:
                self.repairs[free] = repairs
        if known and known[0].count(known[1]) == 1:
            self.mendings[key] = known
            return lay_out(known[0].replace(known[1], style))
        part, mended, repairs = mend(lay_out, html, repairs)
        self.mendings[key] = (mended, style)
        if repairs is not None:
            self.repairs[free] = repairs
        return part

    def _ahead(self, pdf, slices, sources, extra_css, mend, unplaced):
        """(the index of the first part mended ahead, the slices, a parallel.Ahead): in a build with nothing laid out
        before, the parts of the later half of the text (by length) mended in a child as _mended would mend them on
        a right-hand page, each sent as (its key, the mending, its repairs), while this process mends the first half
        and then lays each of those out once (_taken). What their mending depends on is guessed: the page's side
        (right, every piece's opening) and the strings set before (as the part before leaves them); a part whose
        key is not the one guessed is mended here. None: nothing mended ahead."""
        sizes = [len(piece.content) for piece in slices]
        if self.previous or self.previous_mendings or self.mendings or len(slices) < AHEAD or sum(sizes) < AHEAD_SIZE:
            return None  # kept parts to take from, or a text too short for the child to pay
        first = next(index for index in range(1, len(slices)) if sum(sizes[:index + 1]) > sum(sizes) / 2)

        def work():
            number, before = 3, slices[first - 1]  # 3: any page on the right
            shown = dict.fromkeys(before.targets, 1)
            html, stubs = before.html(number, {}, shown)
            with pdf.fonts_apart():
                strings = _lay_out(pdf, html, stubs, {}, spacer=True, stylesheets=before.stylesheets,
                                   version=sources, extra_css=extra_css).strings
                for piece in slices[first:]:
                    if piece.targets:
                        return  # the page numbers it shows are not known here
                    lay_out = _layer(pdf, piece, number, strings, {}, sources, extra_css)
                    part = self._mended(piece, number, strings, {}, sources, lay_out, mend, unplaced)
                    key, free = _keys(piece, number, strings, {}, sources, unplaced)
                    yield key, self.mendings[key], self.repairs.get(free)
                    number, strings = number + len(part.pages), part.strings

        child = parallel.ahead(work)
        return (first, slices, child) if child else None

    def _taken(self, piece, key):
        """(the mending, the repairs) of piece the child of _ahead sent under key, waited for; (None, None) when it
        mends no such part."""
        first, slices, child = self.ahead
        index = next(index for index, other in enumerate(slices) if other is piece)
        if index < first:
            return None, None
        received = child.wait(index - first + 1)
        if len(received) > index - first and received[index - first][0] == key:
            return received[index - first][1:]
        return None, None


def _keys(piece, number, strings, shown, sources, unplaced):
    """(the key of the part's mending, for every first page of its side; that of its repairs, wherever it opens)."""
    html, style = piece.html(number, strings, shown)[0], piece.placed(number, strings, shown)[0]
    same = piece.html(_same_side(number), strings, shown)[0]
    return (hashlib.sha256(f"{sources}\0{same}".encode()).hexdigest(),
            hashlib.sha256(f"{sources}\0{(unplaced or str)(html.replace(style, '', 1))}".encode()).hexdigest())


def _layer(pdf, piece, number, strings, shown, sources, extra_css):
    """lay_out(html): the part of piece placed so (html, as placed and changed by its mending) laid out."""
    stubs = piece.html(number, strings, shown)[1]

    def lay_out(html):
        return _lay_out(pdf, html, stubs, strings, spacer=number > 1, stylesheets=piece.stylesheets,
                        version=sources, extra_css=extra_css)
    return lay_out


def _same_side(number):
    """The first page number that stands for number's side (the front matter's 1 for itself)."""
    return number if number == 1 else 2 + number % 2


def _shape(part):
    """What the parts after a part take from it."""
    return len(part.pages), part.strings, part.anchors


def _lay_out(pdf, html, stubs, strings, spacer, stylesheets, version, extra_css):
    document = pdf.layout(html, stylesheets=stylesheets, version=version, extra_css=extra_css)
    pages = document.pages[1 if spacer else 0:len(document.pages) - stubs]
    anchors = {}
    for index, page in enumerate(pages):
        for name in page.anchors:  # an element split across pages is an anchor on each: the first counts
            anchors.setdefault(name, index)
    return Part(pages, anchors, _strings_after(pages, strings), document)


@dataclass
class Slice:
    """One part of the whole document's HTML, to be laid out on its own."""
    head: str       # the doctype, the <html> start tag and the whole <head>
    content: str    # the part's <body>: its nodes and the ancestors they have in the whole document
    targets: list   # ids the part links to (href="#id") that lie in other parts
    stylesheets: list  # the stylesheets the whole document links to, in order

    def html(self, number, strings, numbers):
        """The part as a document of its own, starting on page number with strings as set before it;
        numbers: the page of each target. Also returns how many stub pages follow the part's own."""
        placed = self.placed(number, strings, numbers)
        return self.compose(placed), placed[2].count("<div data-pamphlet-stub")

    def placed(self, number, strings, numbers):
        """What places the part (see html): its style, its spacer and its stubs, each a string ('' for none)."""
        rules, spacer = [], ""
        if number > 1:
            side = "right" if (number - 1) % 2 else "left"
            rules.append(f"@page :first {{ counter-reset: page {number - 1}; {_MARGINS} }} "
                         f"html {{ break-before: {side} }}")
            sets = ", ".join(f"{name} {_css_string(value)}" for name, value in sorted(strings.items()))
            spacer = _SPACER.format(f" string-set: {escape(sets)}" if sets else "")
        pages = {}
        for target in self.targets:
            pages.setdefault(numbers[target], []).append(target)
        stubs = []
        for page, names in sorted(pages.items()):
            rules.append(f"@page pamphlet-stub-{page} {{ counter-reset: page {page}; {_MARGINS} }}")
            spans = "".join(f'<span id="{escape(name)}"></span>' for name in names)
            stubs.append(_STUB.format(n=page, spans=spans))
        return (_STYLE.format(" ".join(rules)) if rules else ""), spacer, "".join(stubs)

    def compose(self, placed):
        """The part's document with what placed gives put in: the style last in the head, the spacer first in the
        body, the stubs last."""
        style, spacer, stubs = placed
        opened, closed = self.content.index(">") + 1, self.content.rindex("</body>")  # the <body> tags
        body = self.content[:opened] + spacer + self.content[opened:closed] + stubs + self.content[closed:]
        return self.head.replace("</head>", style + "</head>", 1) + body + "</html>"


def split(html, boundaries):
    """The document cut before each boundary element (by id) and after the last one."""
    root = lxml.html.document_fromstring(html)
    body = root.body
    elements = list(body.iter())
    order = {element: index for index, element in enumerate(elements)}
    ends = {}
    for element in reversed(elements):
        ends[element] = max([order[element] + 1] + [ends[child] for child in element])
    first = {}  # each id's first element, as get_element_by_id finds it (one walk, not one for each boundary)
    for element in elements:
        first.setdefault(element.get("id"), element)
    cuts = [order[first[name]] for name in boundaries]
    if cuts:
        cuts.append(ends[first[boundaries[-1]]])
    cuts = [0, *cuts, len(elements)]
    shell = etree.Element(root.tag, root.attrib)
    shell.append(copy.deepcopy(root.head))
    # A <style> outside the head applies to the whole document: every part gets it in its head (the first part
    # may have it in its body as well, which changes nothing).
    for style in root.iter("style"):
        if root.head not in style.iterancestors():
            shell[0].append(copy.deepcopy(style))
    # The layouts' stylesheets are parsed once for every part, not once for each.
    links = [link for link in shell.iter("link") if link.get("rel") == "stylesheet"]
    stylesheets = [link.get("href") for link in links]
    for link in links:
        link.getparent().remove(link)
    head = "<!DOCTYPE html>\n" + lxml.html.tostring(shell, encoding="unicode").removesuffix("</html>")
    slices = []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        part = _copy_range(body, lo, hi, order, ends)
        ids = {element.get("id") for element in part.iter() if element.get("id")}
        targets = sorted({href[1:] for href in (a.get("href") for a in part.iter("a"))
                          if href and href.startswith("#") and href[1:] not in ids})
        slices.append(Slice(head, lxml.html.tostring(part, encoding="unicode"), targets, stylesheets))
    return slices


def _copy_range(element, lo, hi, order, ends):
    """A copy of element holding only the nodes from position lo to hi (in document order), with their
    ancestors."""
    new = etree.Element(element.tag, element.attrib)
    if order[element] >= lo:
        new.text = element.text
    for child in element:
        if ends[child] <= lo or order[child] >= hi:
            continue
        inside = lo <= order[child] and ends[child] <= hi
        kept = copy.deepcopy(child) if inside else _copy_range(child, lo, hi, order, ends)
        kept.tail = child.tail if lo <= ends[child] < hi else None
        new.append(kept)
    return new


def _strings_after(pages, strings):
    strings = dict(strings)
    for page in pages:
        for box in page._page_box.descendants():
            for name, text in box.string_set or ():
                strings[name] = text
    return strings


def _css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'
