"""Puts soft hyphens where a word may break at a line's end: the one place that decides it, for every edition."""

import re
import pyphen

SHY = "\u00ad"
# Elements whose words are never broken: headings, code, tables (narrow ragged cells), line blocks (their lines
# are the author's), links (often an address) and the soft hyphens' own opposite, a word kept whole on purpose.
WHOLE = {"h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "kbd", "samp", "table", "a", "script", "style"}
WHOLE_CLASSES = {"line-block", "url"}
# Elements that hold a paragraph's text: the last word of each is never broken (no paragraph ends in a fragment).
BLOCKS = {"p", "li", "dd", "dt", "blockquote", "figcaption", "div", "section", "aside", "ul", "ol", "dl"}
TOKEN = re.compile(r"[^\s\u00a0\u2009\u202f]+")
LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
ADDRESS = re.compile(r"@|://|^www\.|\.(?:com|org|net|ru|kz|info)\b", re.IGNORECASE)
HYPHENS = "-\u2010\u2011"
LIGATURE_AFTER_F = "fijlt"
# Letters a paragraph's last word keeps on the last line when it breaks: a broken line above is worse than a
# last line of one long word, a last line holding "one." or "able." worse than either.
LAST_RIGHT = 6


class Hyphenator:
    """Breaks allowed in a language's words: rules is the locale's 'hyphenation' table (patterns: a pyphen
    language or the path of a .dic file; left, right: letters kept before and after a break; shortest:
    the shortest word broken), names: words never broken (words.txt, the locale's nobreak list)."""

    def __init__(self, rules, names=()):
        rules = rules or {}
        self.left, self.right = rules.get("left", 2), rules.get("right", 3)
        self.shortest = rules.get("shortest", 6)
        self.names = {name.casefold() for name in [*names, *rules.get("nobreak", [])]}
        patterns = rules.get("patterns")
        if not patterns:
            self.dictionary = None
        elif patterns.endswith(".dic"):
            self.dictionary = pyphen.Pyphen(filename=patterns, left=self.left, right=self.right)
        else:
            self.dictionary = pyphen.Pyphen(lang=patterns, left=self.left, right=self.right)
        self._words = {}

    def word(self, token, right=None):
        """token (a run of text between spaces) with soft hyphens where it may break, with at least right letters
        (by default the language's minimum) after a break."""
        if self.dictionary is None or any(c.isdigit() for c in token) or ADDRESS.search(token):
            return token
        if any(h in token for h in HYPHENS) or SHY in token:
            return token  # it breaks at its own hyphen (or where its author put one), and only there
        return LETTERS.sub(lambda match: self._letters(match.group(0), max(right or 0, self.right)), token)

    def _letters(self, word, right):
        if (len(word) < self.shortest or word.isupper() or any(c.isupper() for c in word[1:])
                or word.casefold() in self.names or re.split("['’]", word)[0].casefold() in self.names):
            return word
        if (word, right) not in self._words:
            # No break inside a ligature (ff, fi, fl, ffi, ffl): the font shapes one across a soft hyphen, and the
            # PDF's text then reads a wrong character for it ("o˧cials").
            positions = [p for p in self.dictionary.positions(word) if p >= self.left and len(word) - p >= right
                         and not (word[p - 1] in "fF" and word[p] in LIGATURE_AFTER_F)]
            # A one-letter syllable between two breaks ("Қа-зақ-с-тан") is no place to break: keep it with the
            # syllable before it.
            kept = [p for i, p in enumerate(positions) if i + 1 >= len(positions) or positions[i + 1] - p > 1]
            self._words[word, right] = "".join(
                SHY + word[a:b] if a else word[a:b] for a, b in zip([0, *kept], [*kept, len(word)], strict=True))
        return self._words[word, right]

    def text(self, text, keep_last=False):
        """A run of text with its words hyphenated; keep_last: it ends a paragraph, whose last word breaks only
        where a whole syllable run of LAST_RIGHT letters goes to the last line (never "any-/one.")."""
        if not text or self.dictionary is None:
            return text
        tokens = list(TOKEN.finditer(text))
        out, at = [], 0
        for index, match in enumerate(tokens):
            out.append(text[at:match.start()])
            last = keep_last and index == len(tokens) - 1
            out.append(self.word(match.group(0), LAST_RIGHT if last else None))
            at = match.end()
        out.append(text[at:])
        return "".join(out)

    def tree(self, root):
        """Every word in root's paragraphs hyphenated in place (an lxml tree), each paragraph's last word as
        text(keep_last=True) says."""
        if self.dictionary is not None:
            self._paragraphs(_paragraphs(root))

    def cells(self, root):
        """Every word in root's table cells hyphenated in place, as a paragraph's: for a reading system, whose
        screen may be narrower than a table of long words (on paper a table is set to fit, its cells ragged and
        whole); numbers hold no letters, so they never break."""
        if self.dictionary is not None:
            self._paragraphs(slots for cell in root.iter("td", "th") for slots in _paragraphs(cell))

    def _paragraphs(self, paragraphs):
        for slots in paragraphs:
            last = next((i for i in range(len(slots) - 1, -1, -1) if _has_word(slots[i])), None)
            for i, slot in enumerate(slots):
                if isinstance(slot, tuple):
                    setattr(*slot, self.text(getattr(*slot), keep_last=i == last))


def _paragraphs(root):
    """The text slots ((element, 'text' or 'tail')) of each paragraph in root, in reading order; an element
    whose words are never broken stands in its paragraph as its text (it may hold the paragraph's last word)."""
    out = []

    def walk(element, slots):
        whole = (not isinstance(element.tag, str) or element.tag in WHOLE
                 or WHOLE_CLASSES & set((element.get("class") or "").split()))
        if whole:
            if isinstance(element.tag, str) and slots is not None:
                slots.append("".join(element.itertext()))
            return
        if element.tag in BLOCKS or slots is None:
            slots = []
            out.append(slots)
        slots.append((element, "text"))
        for child in element:
            walk(child, slots)
            slots.append((child, "tail"))

    walk(root, None)
    return out


def _has_word(slot):
    text = getattr(*slot) if isinstance(slot, tuple) else slot
    return bool(text and LETTERS.search(text))
