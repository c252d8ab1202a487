"""Mends the lines preflight.lines finds at fault, as a typesetter would: the hyphens at fault taken back, a
paragraph's spacing nudged; a repair's later candidates judged first on their paragraphs laid out alone."""

import re
from dataclasses import dataclass

import lxml.html

from ..engine.pdf import boxes
from .lines import OWN, Lines, measure
from .makeup import body_lines

REPAIRS = 3          # rounds of repairs at most to mend a document's lines: a repair can move a fault on
SINGLE_TRIES = 3     # words tried one at a time when taking back all the hyphens at fault makes things worse
# The nudges a typesetter gives a paragraph whose lines will not come right, each too small to see, the likeliest to
# help first: its tracking by a hundredth of an em (letter-spacing: a word comes back onto a line or leaves it), with
# or without its word spacing a little narrower or wider (which a justified line shows only in where it breaks); last,
# when a hundredth will not do (three long Russian words on a line of 55 characters), a fiftieth, the tracking a
# typesetter allows a paragraph.
SPACINGS = ("letter-spacing: -0.01em", "letter-spacing: -0.01em; word-spacing: -0.03em", "word-spacing: -0.03em",
            "letter-spacing: 0.01em", "letter-spacing: 0.01em; word-spacing: 0.03em", "word-spacing: 0.03em",
            "letter-spacing: -0.005em", "letter-spacing: 0.005em", "letter-spacing: 0.02em",
            "letter-spacing: -0.02em")


def repair(pages, html):
    """What measure finds in pages, and html (of the document laid out in pages) with the soft hyphens taken back
    from each word whose break puts a line at fault (a broken line, a third hyphen in a row, a word carried over a
    page turn), or None when none does."""
    found = measure(pages)
    words = found.words()
    return found, _taken_back(html, words) if words else None


def _taken_back(html, words):
    for before, word in words:
        # The word where the line at fault has it (after the word before it, across a space or a no-break space),
        # else wherever it is.
        at = re.compile(re.escape(before) + r"(\s|\u00a0)+" + re.escape(word)) if before else None
        match = at.search(html) if at else None
        if match:
            html = html[:match.end() - len(word)] + word.replace("\u00ad", "") + html[match.end():]
        else:
            html = html.replace(word, word.replace("\u00ad", ""))
    return html


@dataclass(frozen=True)
class Repairs:
    """What mended did to a document's HTML: the hyphens it took back (each choice of words, in order) and the
    spacing it gave paragraphs; to do again where the same lines break in the same places (a part laid out on a
    page of the other side)."""
    words: tuple = ()
    rules: tuple = ()  # (selector, declarations)

    def applied(self, html):
        for choice in self.words:
            html = _taken_back(html, choice)
        return with_rules(html, dict(self.rules))


def mended(lay_out, html, document=None):
    """html laid out by lay_out(html) (anything with WeasyPrint's pages: a document, a part; or document, when it
    is already), then again with the hyphens at fault taken back (all of them, else one word at a time, the first
    few) while that makes its lines better and breaks no line (REPAIRS rounds at most), then with the spacing of
    each paragraph still at fault nudged (_respaced): the best layout, and the html it is laid out from."""
    return repaired(lay_out, html, document)[:2]


def repaired(lay_out, html, document=None):
    """mended's (layout, html), and the Repairs that made that html of the one given."""
    document = document if document is not None else lay_out(html)
    found, taken = measure(document.pages), []
    for _ in range(REPAIRS):
        words = found.words()
        choices = [words] + ([[word] for word in words[:SINGLE_TRIES]] if len(words) > 1 else [])
        for index, choice in enumerate(choices if words else []):
            changed = _taken_back(html, choice)
            # The likeliest choice is laid out whole at once (most repairs are made at the first try); the others
            # only when their paragraphs alone are better.
            if index and not Alone(lay_out, document, found.paragraphs(choice)).better(html, changed, "broken"):
                continue
            candidate = lay_out(changed)
            candidate_found = measure(candidate.pages)
            if (candidate_found.weight() < found.weight()
                    and candidate_found.counts()["broken"] <= found.counts()["broken"]):
                document, found, html = candidate, candidate_found, changed
                taken.append(tuple(choice))
                break
        else:
            break  # nothing made it better: the layout before stands
    document, rules = _respaced(lay_out, html, document, found)
    return document, with_rules(html, rules), Repairs(tuple(taken), tuple(rules.items()))


def _respaced(lay_out, html, document, found):
    """(document, rules): document (html laid out) with the spacing of each paragraph holding a line still at fault
    (of a run-on list's items about the line) set to one of SPACINGS, the first that makes the lines better, no
    kind of fault more frequent and the document no longer: its words then break elsewhere. A paragraph is tried
    again while a nudge leaves it at fault, never once none helps."""
    rules, given_up = {}, set()
    if "</head>" not in html:
        return document, rules
    while targets := [(elements, paths[0]) for elements in found.nudged()
                      if (paths := selectors(document, [elements])) and paths[0] not in given_up]:
        elements, paths = targets[0]
        alone, tried = Alone(lay_out, document, elements if found.own(elements) else None), 0
        for spacing in SPACINGS:
            if all(rules.get(path) == spacing for path in paths):
                continue
            nudged = {**rules, **dict.fromkeys(paths, spacing)}
            # The likeliest nudge is laid out whole at once; the others only when the paragraph alone is better.
            if tried and not alone.better(with_rules(html, rules), with_rules(html, nudged)):
                continue
            tried += 1
            candidate = lay_out(with_rules(html, nudged))
            candidate_found = measure(candidate.pages)
            if (candidate_found.weight() < found.weight() and candidate_found.no_worse_than(found)
                    and len(candidate.pages) <= len(document.pages)):
                document, found, rules = candidate, candidate_found, nudged
                break
        else:
            given_up.add(paths)
    return document, rules


class Alone:
    """A repair judged first on the paragraphs it concerns alone: html with every other element emptied and hidden
    (kept in the tree, so that every selector matches as before) laid out (a few hundredths of a second, not a
    layout of the whole) and their lines measured for the faults they show wherever the page breaks (OWN). A
    candidate their lines alone show no better is not worth a layout of the whole; one they show better is laid out
    whole and judged there (pages, page turns, widows). elements None: nothing to judge alone, every candidate is
    laid out whole."""

    def __init__(self, lay_out, document, elements, found=None):
        """found: what judges of other paragraphs of the same part measured, to share (by paragraphs and HTML)."""
        paths = selectors(document, [elements]) if elements else []
        self.lay_out, self.paths = lay_out, paths[0] if paths else None
        self.found = {} if found is None else found
        self.texts = [_text(element) for element in elements] if paths else None

    def better(self, html, changed, kind=None):
        """Whether changed's paragraphs alone weigh less than html's, with kind no more frequent (every kind,
        without one); True when they cannot be told alone."""
        before, after = self._measure(html), self._measure(changed)
        if before is None or after is None:
            return True
        if after.weight() >= before.weight():
            return False
        return after.counts()[kind] <= before.counts()[kind] if kind else after.no_worse_than(before)

    def worse(self, html, changed):
        """Whether changed's paragraphs alone show some kind of fault more often than html's: then so do the whole
        part's lines, the other paragraphs' being the same (False when they cannot be told alone)."""
        before, after = self._measure(html), self._measure(changed)
        return before is not None and after is not None and not after.no_worse_than(before)

    def height(self, html):
        """The height of the paragraphs' own lines laid out alone from html (None when they cannot be told alone):
        the room they take on a page, whatever page."""
        laid = self._laid(html)
        return laid and laid[1]

    def each(self, html):
        """{selector: (the height of its lines, how many lines at fault of a kind they show alone it holds)} of each
        paragraph laid out alone from html (None when they cannot be told alone): one layout judges them all, as
        their lines break alone whatever the others' spacing."""
        laid = self._laid(html)
        return laid and laid[2]

    def seed(self, html, document, found):
        """Takes what the paragraphs' lines show where they stand in document (laid out from html; found: what
        measure finds in its pages) for what they would show alone: the same lines, broken on a text block of the
        same width, so the judge lays out alone only what it changes."""
        key = (self.paths, html)
        if self.paths is None or key in self.found:
            return
        own = self._own(document)
        kept = Lines({kind: [entry for entry in lines if kind in OWN and set(entry[3]) & set(own)]
                      for kind, lines in found.found.items()})
        self.found[key] = self._read(document, own, kept)

    def _measure(self, html):
        laid = self._laid(html)
        return laid and laid[0]

    def _laid(self, html):
        """(what measure finds in the paragraphs' lines alone, of the kinds they show alone, their height, each's
        (height, lines at fault)) or None."""
        if self.paths is None:
            return None
        key = (self.paths, html)
        if key not in self.found:
            alone = _alone(html, self.paths, self.texts)
            laid = None
            if alone:
                laid_out = self.lay_out(alone)
                found = measure(laid_out.pages)
                found.found = {kind: lines if kind in OWN else [] for kind, lines in found.found.items()}
                laid = self._read(laid_out, self._own(laid_out), found)
            self.found[key] = laid
        return self.found[key]

    def _own(self, document):
        """{element of the document's tree: its path} of the paragraphs judged."""
        root = _root(document)
        return {_found(root, path): path for path in self.paths}

    def _read(self, document, own, found):
        """(found, the paragraphs' height, {path: (its height, lines at fault it holds)}) of the paragraphs (own, as
        _own gives them) as they stand in document, whose lines measure found (of the kinds they show alone)."""
        heights = dict.fromkeys(self.paths, 0)
        for page in document.pages:
            for line, element, _ in body_lines(page):
                if element in own:
                    heights[own[element]] += line.height
        faults = {path: sum(1 for lines in found.found.values() for *_, elements in lines if element in elements)
                  for element, path in own.items()}
        return found, sum(heights.values()), {path: (heights[path], faults[path]) for path in self.paths}


def _text(element):
    return " ".join("".join(element.itertext()).replace("\u00ad", "").split())


def _alone(html, paths, texts):
    """html with every element but those of paths (CSS selectors from the root, as selectors gives them), their
    ancestors and descendants, and a part's spacer and stub pages, emptied and hidden; None when html's tree does
    not have those elements, with those texts, there."""
    root = lxml.html.document_fromstring(html)
    targets = [_found(root, path) for path in paths]
    if None in targets or [_text(element) for element in targets] != texts:
        return None
    ancestors = {ancestor for element in targets for ancestor in element.iterancestors()}
    for parent in ancestors - {root}:
        for child in parent:
            if child not in ancestors and child not in targets and isinstance(child.tag, str) and not (
                    child.get("data-pamphlet-spacer") is not None or child.get("data-pamphlet-stub") is not None):
                child.text = None
                child[:] = []
                child.set("style", "display: none")
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode")


def _found(root, path):
    """The element under root that path (a CSS selector from the root, as selectors gives it) names, or None."""
    element = root
    for step in path.split(" > ")[1:]:
        tag, nth = re.fullmatch(r"([a-z][a-z0-9-]*):nth-of-type\((\d+)\)", step).groups()
        same = [child for child in element if child.tag == tag]
        if len(same) < int(nth):
            return None
        element = same[int(nth) - 1]
    return element


def selectors(document, targets):
    """For each tuple of elements, a tuple of CSS selectors naming each by its place in the document's tree (no
    element needs an id); none for a tuple holding an element of another namespace (SVG's)."""
    if not targets:
        return []
    _, parents = tree(document)

    def selector(element):
        steps = []
        while element in parents:
            parent = parents[element]
            same = [child for child in parent if child.tag == element.tag]
            steps.append(f"{element.tag}:nth-of-type({same.index(element) + 1})")
            element = parent
        return " > ".join([element.tag, *reversed(steps)])

    return [tuple(selector(element) for element in elements) for elements in targets
            if all(isinstance(element.tag, str) and re.fullmatch(r"[a-z][a-z0-9-]*", element.tag)
                   for element in elements)]


def tree(document):
    """(the root element of a laid-out document, {element: its parent}): the engine's elements know no parent."""
    root = _root(document)
    return root, {child: parent for parent in root.iter() for child in parent}


def _root(document):
    return next(box.element for box in document.pages[0]._page_box.children if not isinstance(box, boxes.MarginBox))


def with_rules(html, rules, name="lines"):
    """html with a stylesheet giving each selector of rules its declarations, last in its head (a repair's own,
    data-pamphlet-<name>); html itself for no rules."""
    if not rules:
        return html
    style = "".join(f"{selector} {{ {declarations} }}" for selector, declarations in rules.items())
    at = html.find("</head>")
    return html[:at] + f"<style data-pamphlet-{name}>{style}</style>" + html[at:]
