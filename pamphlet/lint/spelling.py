"""Spelling against the Hunspell dictionaries of the pamphlet's language (through pyenchant), the texts folder's
words.txt and the names the pamphlet itself prints in its titles, bylines and signatory lists."""

import codecs
import os
import re
import threading

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..errors import BuildError
from ..sources.files import LARGEST_TEXT, too_large

WORDS_FILE = "words.txt"
# The dictionaries each language is checked against: a word is right if any of them knows it (translated
# texts mix British and American spellings). A language not listed uses the one dictionary of its name.
DICTIONARIES = {"en": ("en_US", "en_GB"), "ru": ("ru_RU",), "kk": ("kk_KZ",)}
PACKAGES = {"en_US": "hunspell-en-us", "en_GB": "hunspell-en-gb", "ru_RU": "hunspell-ru", "kk_KZ": "hunspell-kk"}
# Words in another script are not checked (a Kazakh name in Cyrillic in an English text): no dictionary here
# knows them.
SCRIPTS = {"en": "latin", "ru": "cyrillic", "kk": "cyrillic"}
# Languages whose dictionary here lacks many case endings (Kazakh's agglutinated suffixes: бағасын, the
# accusative of бағасы): a word is taken as right if a known word of four letters or more remains once up to
# three letters are cut from its end.
ENDINGS = {"kk": 3}
# Hunspell's own suggestions take about a tenth of a second each; after this many the rest go without.
MOST_SUGGESTIONS = 40
# Dictionaries read in this process, by tag: reading one takes a tenth of a second and freeing it nearly as
# long, so each is read once (watch mode lints after every build) and left to the end of the process.
_OPENED = {}


LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
CYRILLIC = re.compile(r"[\u0400-\u052f]")


def script_of(word):
    latin, cyrillic = LATIN.search(word), CYRILLIC.search(word)
    return "mixed" if latin and cyrillic else "latin" if latin else "cyrillic" if cyrillic else "other"


def read_words(path):
    """The words of a words file, one a line; '#' starts a comment. Read in the encodings Notepad writes and
    names: UTF-8 (with its byte-order mark or without) and UTF-16 ('Unicode', with its mark); its 'ANSI', a
    Windows code page the file does not name (Windows-1251 lacks Kazakh's letters), is refused at its line."""
    if not path.is_file():
        return set()
    large = too_large(path, LARGEST_TEXT, "the file")
    if large:
        raise BuildError.single(path, large)
    data = path.read_bytes()
    codec = next((codec for mark, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                                            (codecs.BOM_UTF16_BE, "utf-16")) if data.startswith(mark)), "utf-8")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n" if codec != "utf-16" else "\n".encode("utf-16-le")) + 1
        raise BuildError.single(path, f"not valid {codec.upper().removesuffix('-SIG')} (byte 0x{data[err.start]:02x}):"
                                      " Notepad's 'ANSI' perhaps; save the file as UTF-8 (in Notepad: File, Save "
                                      "as, Encoding: UTF-8)", line) from None
    words = set()
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return words


class Speller:
    """Which words the dictionaries, words.txt and the pamphlet's names know; notes say what is missing."""

    def __init__(self, language, words=(), names=()):
        self.language = language.split("-")[0].lower()
        self.script = SCRIPTS.get(self.language)
        self.words = {w.casefold(): w for w in words}  # as written in words.txt, for suggestions
        self.names = {w.casefold() for w in names}
        self.notes = []
        self.suggested = 0
        self._known = {}
        # Hunspell takes a tenth of a second or more to read a dictionary; it reads while the caller works
        # (Enchant's calls through ctypes let other Python threads run).
        self._dictionaries = []
        self._opening = threading.Thread(target=lambda: self._dictionaries.extend(self._open(language)))
        self._opening.start()

    @property
    def dictionaries(self):
        self._opening.join()
        return self._dictionaries

    def _open(self, language):
        # Enchant keeps a personal word list for each dictionary in ~/.config/enchant and makes the files when a
        # dictionary is opened; the pamphlet's own list is words.txt, so Enchant is given a configuration folder
        # that cannot exist (below /dev/null, a file) and writes nothing.
        os.environ["ENCHANT_CONFIG_DIR"] = "/dev/null/enchant"
        try:
            import enchant
        except ImportError:
            self.notes.append("lint: spelling not checked: the Enchant library is missing; install libenchant-2-2 "
                              "(apt-get install libenchant-2-2)")
            return []
        tags = self._tags(language)
        broker = enchant.Broker()
        found = []
        for tag in tags:
            # Debian's Enchant prefers Aspell for English; Hunspell's dictionaries are the ones named here.
            broker.set_ordering(tag, "hunspell,nuspell,aspell")
            if tag in _OPENED:
                found.append(_OPENED[tag])
            elif broker.dict_exists(tag):
                found.append(_OPENED.setdefault(tag, broker.request_dict(tag)))
            else:
                package = PACKAGES.get(tag, f"hunspell-{tag.split('_')[0].lower()}")
                self.notes.append(f"lint: no {tag} dictionary; install {package} (apt-get install {package}) "
                                  "to check the spelling against it")
        if not found and tags:
            self.notes.append("lint: spelling not checked: no dictionary for the pamphlet's language")
        return found

    def _tags(self, language):
        parts = re.split(r"[-_]", language)
        if len(parts) > 1 and len(parts[1]) == 2:
            return (f"{parts[0].lower()}_{parts[1].upper()}",)
        return DICTIONARIES.get(self.language, (self.language,))

    @property
    def active(self):
        return bool(self.dictionaries)

    def known(self, word, names=True):
        """True if the word is right, False if no dictionary knows it, None if it cannot be checked here."""
        folded = word.casefold()
        if folded in self.words or names and folded in self.names:
            return True
        if folded not in self._known:
            self._known[folded] = self._check(word)
        return self._known[folded]

    def _check(self, word):
        if not self.dictionaries or script_of(word) != self.script or len(word) < 2:
            return None
        plain = word.replace("’", "'")
        candidates = [plain, re.sub(r"'s?$", "", plain)]
        if any(d.check(c) for c in candidates if c for d in self.dictionaries):
            return True
        if word.isupper():
            # Hunspell knows words set in capitals (RISK); what it does not know is an abbreviation (CSTO) if short.
            return None if len(word) <= 6 else False
        if "-" in plain:
            parts = [self.known(part) for part in re.sub(r"'s?$", "", plain).split("-") if part]
            return all(part is not False for part in parts)
        cut = min(ENDINGS.get(self.language, 0), len(plain) - 4)
        return any(d.check(plain[:-n]) for n in range(1, cut + 1) for d in self.dictionaries)

    def suggest(self, word, vocabulary, distance=2, dictionary=True):
        """A likely right spelling: a known word of the pamphlet or words.txt at most distance edits away
        (vocabulary maps each word as printed to its case-folded form), else the dictionary's first suggestion
        if it is that close; None when there is none."""
        folded = word.casefold()
        for _, _, shown in process.extract(folded, vocabulary, scorer=OSA.distance, score_cutoff=distance,
                                           limit=3):
            if shown.casefold() != folded:
                return shown
        if not dictionary or not self.dictionaries or self.suggested >= MOST_SUGGESTIONS:
            return None
        self.suggested += 1
        for suggestion in self.dictionaries[0].suggest(word.replace("’", "'"))[:3]:
            if OSA.distance(folded, suggestion.casefold()) <= distance:
                return suggestion
        return None
