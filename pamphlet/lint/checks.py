"""An editor's lint: points at names spelled two ways, stray characters, doubled words, spacing, unbalanced
quotes and brackets, and spelling, each as path:line:col: CODE message."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..errors import BuildError
from ..shipped import LAYOUTS
from ..sources import languages
from ..sources.load import Pamphlet, read_pamphlet
from .prose import read_prose
from ..render.templates import load_locale, locale_path
from .spelling import CYRILLIC, LATIN, WORDS_FILE, Speller, read_words, script_of

WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Words that may stand twice in a row in good prose ("he had had enough").
DOUBLES = {"en": {"had", "that"}}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


def lint(folder):
    """(findings, notes) for the pamphlet in folder, in every language it has; notes say what could not be
    checked and why."""
    sources = read_pamphlet(folder)  # the texts as the build reads them, without its Markdown checks
    findings, notes = [], []
    for language in [None, *languages.of(sources.values)[1:]]:
        read = sources if language is None else read_pamphlet(folder, language=language)
        BuildError.raise_any(read.problems)
        more, more_notes = _lint_language(read)
        findings += more
        notes += [note for note in more_notes if note not in notes]
    return sorted(set(findings)), notes


def _lint_language(sources):
    """(findings, notes) for one language's texts (a translation's with its own words.txt and dictionary)."""
    pamphlet = Pamphlet(folder=sources.folder, home=sources.home, **{**sources.values, "pieces": sources.pieces})
    speller = Speller(pamphlet.language, read_words(pamphlet.home / WORDS_FILE), names_of(pamphlet))
    blocks, ignored = read_prose(pamphlet)
    language = pamphlet.language.split("-")[0].lower()
    # The build refuses a language without layout words; lint still checks its texts, with English quotes.
    quotes = load_locale(pamphlet, LAYOUTS)["quotes"] if locale_path(pamphlet, LAYOUTS) else list("“”‘’")
    findings, strays = [], set()
    for block in blocks:
        findings += check_stray(block, strays) + check_doubled(block, language) + check_spacing(block)
        findings += check_linktext(block, language)
    findings += check_unbalanced(blocks, quotes)
    findings += check_words(blocks, speller)
    # A stray character inside a word is reported once, not again as unbalanced, misspelt or a variant.
    kept = [f for f in findings if not _ignored(f, ignored)
            and not (f.code in ("UNBALANCED", "SPELLING", "VARIANT") and (f.path, f.line, f.column) in strays)]
    return kept, list(speller.notes)


def count(findings):
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "no findings"


def build_line(texts):
    """The one line every build prints after its summary. It never fails: the editions are already written."""
    try:
        findings = lint(texts)[0]
    except Exception as err:  # noqa: BLE001 -- a failing check must not turn a finished build into a failed one
        return f"lint: could not check the texts ({type(err).__name__}: {err}); run build.py lint"
    return f"lint: {count(findings)}" + ("; run build.py lint" if findings else "")


def _ignored(finding, ignored):
    codes = ignored.get((finding.path, finding.line), False)
    return codes is None or codes is not False and finding.code in codes


def names_of(pamphlet):
    """The words of the pamphlet's own titles, bylines, authors and signatories: known to be spelled right."""
    texts = [pamphlet.title, pamphlet.subtitle, pamphlet.byline, pamphlet.publisher, *pamphlet.keywords]
    for piece in pamphlet.pieces:
        texts += [piece.title, piece.short_title, piece.subtitle, *piece.authors, *piece.signatories]
    return {word for text in texts if text for word in WORD.findall(text)}


def _finding(block, offset, code, message):
    line, column = block.where(offset)
    return Finding(str(block.path), line, column, code, message)


STRAY = re.compile(r"(?<=[^\W\d_])([\[\](){}<>\\|@#$%^&*+=~_\"“”«»„]+|\d+)(?=[^\W\d_])")
BRACKETS = {"(": ")", "[": "]", "{": "}"}


def check_stray(block, strays):
    """Stray characters inside words; the places of the words' letters go into strays."""
    findings, text = [], block.text
    for match in STRAY.finditer(text):
        start = text.rfind(" ", 0, match.start()) + 1
        end = min((i for i in (text.find(" ", match.end()), text.find("\n", match.end())) if i >= 0),
                  default=len(text))
        start = max(start, text.rfind("\n", 0, match.start()) + 1)
        word, stray = text[start:end], match.group()
        if stray[0] in "()[]{}" and all(word.count(o) == word.count(c) for o, c in BRACKETS.items()):
            continue  # worker(s), interest[s]: brackets closed inside the word
        if stray.isdigit() and not any(c.islower() for c in word):
            continue  # H2O, MH17
        findings.append(_finding(block, match.start(), "STRAY",
                                 f"'{stray}' inside the word '{word.strip('.,;:!?')}'; a stray keystroke?"))
        strays.update((str(block.path), *block.where(offset)) for offset in range(start, end))
    if LATIN.search(text) and CYRILLIC.search(text):
        for part in re.finditer(r"[^\W\d_]+", text):
            if script_of(part.group()) == "mixed":
                findings.append(_mixed_script(block, part.start(), part.group()))
                strays.update((str(block.path), *block.where(offset)) for offset in range(*part.span()))
    return findings


def _mixed_script(block, offset, word):
    latin = [i for i, c in enumerate(word) if script_of(c) == "latin"]
    cyrillic = [i for i, c in enumerate(word) if script_of(c) == "cyrillic"]
    odd, script = (latin, "Latin") if len(latin) < len(cyrillic) else (cyrillic, "Cyrillic")
    letters = ", ".join(f"'{word[i]}'" for i in odd)
    return _finding(block, offset + odd[0], "STRAY", f"'{word}' mixes Latin and Cyrillic letters: {letters} "
                                                    f"{'is' if len(odd) == 1 else 'are'} {script}; retype the word")


DOUBLED = re.compile(r"(?<![\w'’-])([^\W\d_]+)(\s+)(\1)(?![\w'’-])", re.IGNORECASE)


def check_doubled(block, language):
    findings = []
    for match in DOUBLED.finditer(block.text):
        if match.group(1).lower() in DOUBLES.get(language, ()):
            continue
        across = " (across a line break)" if "\n" in match.group(2) else ""
        findings.append(_finding(block, match.start(3), "DOUBLED",
                                 f"'{match.group(1)} {match.group(3)}': the word is doubled{across}; delete one"))
    return findings


SPACE_BEFORE = re.compile(r"(?<=[^\s.])([ \t\u00a0]+)([,;:!?]|\.(?![.\d]))")
NO_SPACE_AFTER = re.compile(r"(?:(?<=[^\W\d_]{2})|(?<=\d))([.!?])(?=[^\W\d_])|(?<=[^\W\d_])([,;])(?=[^\W\d_])")
# Two spaces after a full stop are a typewriter's habit, which every edition undoes; elsewhere they often
# mark a word deleted or left out.
DOUBLE_SPACE = re.compile(r"(?<=\S)(?<![.!?:])(?<![.!?:][\"”’»)])[ \u00a0]{2,}(?=\S)")


def check_spacing(block):
    text, findings = block.text, []
    for match in SPACE_BEFORE.finditer(text):
        if block.contiguous(match.start(), match.end()):
            findings.append(_finding(block, match.start(), "SPACING",
                                     f"space before '{match.group(2)}'; remove it"))
    for match in NO_SPACE_AFTER.finditer(text):
        mark = match.group(1) or match.group(2)
        if match.group(1) and not text[match.end()].isupper():
            continue  # a file name or a domain (pamphlet.yml), not the end of a sentence
        if block.contiguous(match.start() - 1, match.end() + 1):
            findings.append(_finding(block, match.start(), "SPACING", f"no space after '{mark}'"))
    for match in DOUBLE_SPACE.finditer(text):
        if block.contiguous(match.start(), match.end()):
            findings.append(_finding(block, match.start(), "SPACING",
                                     f"{len(match.group())} spaces in a row; leave one"))
    return findings


def check_unbalanced(blocks, quotes):
    """Quotation marks (the language's, « », straight ") and brackets opened and closed in each paragraph;
    a quotation may run on into paragraphs that each open with the same mark, as English prints them."""
    pairs = {"(": ")", "[": "]", "{": "}", "«": "»", quotes[0]: quotes[1], quotes[2]: quotes[3]}
    closers = {close: open_ for open_, close in pairs.items()}
    findings = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        findings += _balance(block, pairs, closers, following)
    return findings


ENUMERATION = re.compile(r"(?:^|\s)(?:[^\W\d_]|\d{1,2})$")


def _balance(block, pairs, closers, following):
    text, stack, findings = block.text, [], []
    marks = re.compile("[" + re.escape("".join(pairs) + "".join(closers)) + '"]')
    for match in marks.finditer(text):
        offset, char = match.start(), match.group()
        before = text[offset - 1] if offset else " "
        after = text[offset + 1] if offset + 1 < len(text) else " "
        if char == '"':
            char = '"open' if before.isspace() or before in "([{—–-/" or before in pairs else '"close'
        if char == ")" and not any(c == ")" for _, c in stack) and ENUMERATION.search(text, 0, offset):
            continue  # an enumeration: a) b) 1) 2)
        if char in pairs or char == '"open':
            if char in closers and stack and stack[-1][1] == char:  # “ closes „ in Russian
                stack.pop()
                continue
            stack.append((offset, pairs.get(char, '"close')))
        elif char in closers or char == '"close':
            if char == "’" and (after.isalpha() or not any(c == "’" for _, c in stack)):
                continue  # an apostrophe: didn’t, workers’
            if stack and stack[-1][1] == char:
                stack.pop()
            elif any(c == char for _, c in stack):
                while stack[-1][1] != char:
                    findings.append(_unclosed(block, *stack.pop()))
                stack.pop()
            else:
                shown = '"' if char == '"close' else char
                findings.append(_finding(block, offset, "UNBALANCED",
                                         f"'{shown}' closes nothing in this paragraph"))
    for offset, close in stack:
        opener = text[offset]
        if opener not in "([{" and following and following.path == block.path and following.text.startswith(opener):
            continue  # the quotation runs on into the next paragraph
        findings.append(_unclosed(block, offset, close))
    return findings


def _unclosed(block, offset, close):
    shown = '"' if close == '"close' else close
    return _finding(block, offset, "UNBALANCED",
                    f"'{block.text[offset]}' is not closed in this paragraph (no '{shown}' after it)")


LINK_WORDS = re.compile(r"\b(click here|read more|follow this link|at this link)\b", re.IGNORECASE)
WEB_CONTEXT = re.compile(r"\b(published|posted|available|read|download|website|site|online|link|sign|watch)\b",
                         re.IGNORECASE)


def check_linktext(block, language):
    """English words that were a web page's link text: on paper they point nowhere."""
    if language != "en":
        return []
    findings = [_finding(block, m.start(), "LINKTEXT", f"'{m.group()}' was a web link's text; on paper it points "
                                                       "nowhere: give the address or leave it out")
                for m in LINK_WORDS.finditer(block.text)]
    for match in re.finditer(r"\bhere(?=[.!]\s|[.!]?$)", block.text):
        sentence = re.split(r"[.!?]\s", block.text[:match.start()])[-1]
        if WEB_CONTEXT.search(sentence):
            findings.append(_finding(block, match.start(), "LINKTEXT",
                                     "'here' ends a sentence about a web page: it was probably a link's text, "
                                     "pointing nowhere on paper; give the address or leave it out"))
    return findings


def _form(token):
    """The form of a word counted in the pamphlet: case-folded, without a possessive ending."""
    return (_unpossessive(token) if token[-1:] in ("s", "'", "’") else token).casefold()


DOTTED = re.compile(r"\.[^\W\d_]")
DOTTED_BEFORE = re.compile(r"[^\W\d_]\.(?=[^\W\d_])")


def check_words(blocks, speller):
    """VARIANT and SPELLING: every word of the pamphlet, counted by form, checked against the others and the
    dictionaries; a word reported as a variant is not reported again as misspelt."""
    places = defaultdict(list)  # form: [(block, offset, token)]
    for block in blocks:
        for match in WORD.finditer(block.text):
            if DOTTED.match(block.text, match.end()) or DOTTED_BEFORE.match(block.text, max(match.start() - 2, 0)):
                continue  # a file name or web address: CORRECTIONS.md, example.org
            form = _form(match.group())
            if form:
                places[form].append((block, match.start(), match.group()))
    counts = Counter({form: len(found) for form, found in places.items()})
    by_start = defaultdict(list)  # the first four letters of each form: its inflections are found among them
    for form in counts:
        by_start[form[:4]].append(form)
    findings, variants = [], set()
    frequent = {form: form for form, count in counts.items() if count >= 2}
    keys = defaultdict(list)
    for form in frequent:
        keys[_transliteration(form)].append(form)
    for form, count in counts.items():
        if count > 2 or len(form) < 4:
            continue
        token = _usual(places[form])
        known = speller.known(token, names=False)
        if known or known is None and (token.isupper() or not token[0].isupper()):
            continue  # what no dictionary here can check is compared only if it is a name (capitalised)
        better = _variant_of(form, count, counts, frequent, keys, token[0].isupper())
        if better:
            variants.add(form)
            shown = _unpossessive(places[better][0][2])
            for block, offset, found in places[form]:
                findings.append(_finding(block, offset, "VARIANT",
                                         f"'{_unpossessive(found)}' ({_times(count)}) — '{shown}' appears "
                                         f"{_times(counts[better])}; if both are right, add "
                                         f"'{_unpossessive(found)}' to {WORDS_FILE}"))
    if not speller.active:
        return findings
    vocabulary = {places[f][0][2]: f for f in places if speller.known(places[f][0][2])}
    vocabulary.update({shown: folded for folded, shown in speller.words.items()})
    for form, found in places.items():
        if form in variants:
            continue
        token = _usual(found)
        word = _unpossessive(token)
        if speller.known(token) is not False:
            continue
        for part in ([word] if speller.known(word) is False and "-" not in word else
                     [p for p in word.split("-") if speller.known(p) is False]):
            block, offset, _ = found[0]
            offset += token.find(part)
            name = part[0].isupper()
            # A name is not in the dictionary: one used twice or more (in any of its cases: Токаев, Токаева) is
            # taken to be right, unless a known word the pamphlet uses more often is one edit away; a name gets
            # no suggestion from the dictionary.
            suggestion = speller.suggest(part, vocabulary, distance=1 if name else 2, dictionary=not name)
            uses = sum(counts[f] for f in by_start[form[:4]] if f == form or _inflection(form, f))
            if name and uses >= 2 and counts[_form(suggestion or "")] <= uses:
                continue
            hint = f"'{suggestion}'? " if suggestion else ""
            often = "" if len(found) == 1 else f" ({len(found)} times, reported at the first)"
            findings.append(_finding(block, offset, "SPELLING",
                                     f"'{part}' is not in the dictionary{often}; {hint}if it is "
                                     f"right, add it to {WORDS_FILE}"))
    return findings


def _variant_of(form, count, counts, frequent, keys, name):
    """The frequent form this rare one is likely a misspelling of, or None. A common word gets only one edit:
    the dictionary suggests better than a word two edits away ('goverment' is not 'movement')."""
    limit = 2 if name and len(form) >= 7 else 1
    candidates = [form2 for form2, _, _ in process.extract(form, frequent, scorer=OSA.distance,
                                                            score_cutoff=limit, limit=None)]
    candidates += keys.get(_transliteration(form), []) if len(form) >= 5 else []
    candidates = [c for c in candidates if c != form and counts[c] >= 2 * count and not _inflection(form, c)]
    return max(candidates, key=lambda c: (counts[c], c), default=None)


def _inflection(a, b):
    """Whether two forms differ only in their endings (plurals, Russian and Kazakh cases)."""
    common = len(next((a[:i] for i in range(min(len(a), len(b)), 0, -1) if a[:i] == b[:i]), ""))
    return common >= max(4, min(len(a), len(b)) - 1) and abs(len(a) - len(b)) <= 3


def _transliteration(form):
    """A key shared by the usual transliterations of one Russian or Kazakh name: Kh/H, y/i, -ov/-ev, Zh/J."""
    key = re.sub(r"[-'’]", "", form)
    for pattern, repl in ((r"dzh|dj|zh", "j"), (r"kh", "h"), (r"q", "k"), (r"ts|tz", "c"), (r"y", "i"),
                          (r"(\w)\1", r"\1"), (r"i?[eo]v(a|s)?$", r"ov\1")):
        key = re.sub(pattern, repl, key)
    return key


def _usual(found):
    """The word as the text usually writes it: lower case if it ever is, capitalised if ever, else in capitals."""
    if found[0][2].islower():
        return found[0][2]
    return min((token for _, _, token in found), key=lambda token: (token.isupper(), token[:1].isupper()))


def _unpossessive(token):
    return token[:-1] if token[-1:] in ("'", "’") else token[:-2] if token[-2:] in ("'s", "’s") else token


def _times(count):
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
