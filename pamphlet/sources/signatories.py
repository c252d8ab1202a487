"""A piece's signatories from the form's spreadsheet in the texts folder (CSV, XLSX or ODS): read in the encoding
it was saved in, checked row by row, moderated, sorted as the pamphlet's language sorts, and counted."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, Problem
from .files import too_large

EXCLUDED = "signatories-excluded.csv"  # name, reason: rows kept out of every edition
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
FIELDS = ("name", "role", "organisation", "place")
ORGANISATION = "organisation"  # a Signatory's kind when an organisation signs, not a person
PERSON = "person"
MAX_BYTES = 20 * 1024 * 1024
# What people type to try a form, in the languages the pamphlets are written in.
TEST_ENTRIES = {"test", "testing", "тест", "проверка", "сынақ", "asdf", "qwerty", "йцукен", "xxx", "aaa", "abc",
                "sample", "пример", "name", "имя", "фио", "аты-жөні"}
# Latin letters that look like Cyrillic ones, typed by mistake inside a Cyrillic word.
LOOKALIKES = str.maketrans("aceopxyiABCEHKMOPTXY", "асеорхуіАВСЕНКМОРТХУ")


@dataclass(frozen=True)
class Signatory:
    row: int          # the row's number in the spreadsheet, as its program shows it
    name: str
    role: str = ""
    organisation: str = ""
    place: str = ""
    kind: str = PERSON  # or ORGANISATION: a row with an organisation and no name is the organisation's

    def shown(self):
        """The line printed: the name, then what else the form asked, separated by commas."""
        return ", ".join(value for value in (self.name, self.role, self.organisation, self.place) if value)


@dataclass
class Signed:
    """What a piece's spreadsheet gave: the signatories kept, how many rows moderation left out, and what is
    wrong with the rows (each named by its row, with what to do)."""
    signatories: list
    excluded: int = 0
    problems: list = field(default_factory=list)


def read(folder, path, columns):
    """The Signed of the spreadsheet at path (in folder); a file that cannot be read raises BuildError."""
    rows = _rows(path)
    if len(rows) < 2:
        raise BuildError.single(path, "the spreadsheet has no signatories: it needs a header row (the form's "
                                      "questions) and one row a signatory")
    where = _columns(path, rows[0], columns or {})
    excluded = _excluded(folder)
    signed, seen = Signed([]), {}
    for number, row in enumerate(rows[1:], start=2):
        values = {key: _clean(row[index]) if index < len(row) else "" for key, index in where.items()}
        if not any(_clean(cell) for cell in row):
            continue  # an empty row between entries, as spreadsheets often have
        signatory = Signatory(number, **{key: values.get(key, "") for key in FIELDS})
        if not signatory.name and signatory.organisation:  # an organisation signs in its own name
            signatory = Signatory(number, signatory.organisation, signatory.role, "", signatory.place, ORGANISATION)
        key = identity(signatory.name)
        if key in excluded:
            signed.excluded += 1
            continue
        problem = _check(path, signatory, seen.get(key))
        if problem is None:
            seen.setdefault(key, signatory)
            signed.signatories.append(signatory)
        else:
            signed.problems.append(problem)
    return signed


def identity(name):
    """What two ways of typing one name share: case, spaces, Ё and Е, Latin look-alikes inside Cyrillic words,
    and the order of its words ("Surname Name" and "Name Surname") make no difference."""
    words = []
    for word in unicodedata.normalize("NFC", name).casefold().replace("ё", "е").split():
        if re.search("[а-яәғқңөұүһі]", word):
            word = word.translate(LOOKALIKES)
        words.append(word.strip(".,;"))
    return tuple(sorted(word for word in words if word))


def _check(path, signatory, earlier):
    """What is wrong with a row, with what to do (a Problem), or None when it is kept."""
    name, row = signatory.name, signatory.row
    letters = [c for c in name if c.isalpha()]
    if not name:
        return Problem(path, row, "the name is empty: fill it in or delete the row")
    if name.casefold().strip(" .!") in TEST_ENTRIES or len(letters) <= 1:
        return Problem(path, row, f"'{name}' looks like a test entry, not a name: delete the row, or add it to "
                                  f"{EXCLUDED} with the reason")
    if earlier is not None:
        return Problem(path, row, f"'{name}' is the same name as '{earlier.name}' in row {earlier.row}: delete one "
                                  f"of the two rows, or add this one to {EXCLUDED}")
    if len(letters) > 3 and name.upper() == name and signatory.kind != ORGANISATION:  # "КПРФ" is in capitals
        return Problem(path, row, f"'{name}' is in capitals only: write it as '{_normal_case(name)}' (names are "
                                  "set in normal case)")
    return None


def _normal_case(name):
    return " ".join("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")) for word in name.split())


def _clean(cell):
    text = "" if cell is None else str(cell)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # a number the spreadsheet stored as a float
    return " ".join(text.split())


def _rows(path):
    """Every row as a list of cells; a file that cannot be read raises BuildError, with what to do."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix not in SPREADSHEETS:
        raise BuildError.single(path, f"'{path.name}' is not a spreadsheet this builder reads: save it as CSV, "
                                      "XLSX or ODS")
    _refuse_if_too_large(path)
    import python_calamine  # loads only for a pamphlet that has a spreadsheet
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except python_calamine.PasswordError:
        message = "the spreadsheet is protected by a password: save a copy without one (or as CSV) and name that"
    except Exception as err:  # noqa: BLE001 (calamine's errors have no common base but Exception)
        message = (f"cannot read the spreadsheet ({' '.join(str(err).split())[:120]}): open it and save it again "
                   "as XLSX, ODS or CSV")
    raise BuildError.single(path, message)


def _refuse_if_too_large(path):
    large = too_large(path, MAX_BYTES, f"'{path.name}'")
    if large:
        raise BuildError.single(path, large)


def _csv_rows(path):
    _refuse_if_too_large(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BuildError.single(path, f"cannot read the file ({err.strerror})") from None
    text = decode(data)
    if text is None:
        raise BuildError.single(path, "cannot tell the CSV file's encoding: save it again as 'CSV UTF-8'")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def decode(data):
    """The text of a file saved by a spreadsheet program or Notepad: UTF-8 (with or without its mark), UTF-16
    (with its mark, or without it when every other byte is zero) or Windows-1251; None if none of them fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    # Windows-1251 decodes any byte; Cyrillic text in it is mostly letters from А to я.
    letters = sum(1 for c in text if c.isalpha())
    return text if letters and sum(1 for c in text if "А" <= c <= "я" or c in "Ёё") > letters / 3 else None


def _columns(path, header, wanted):
    """{field: column index} from the front matter's signatories_columns: a column named by its header text
    (the form's question, or a part of it), its letter (A, B…) or its number (1, 2…); the name's is the first
    column unless named."""
    headers = [_clean(cell).casefold() for cell in header]
    where = {}
    for key in FIELDS:
        named = wanted.get(key)
        if named is None:
            if key == "name":
                where[key] = 0
            continue
        named = str(named).strip()
        if re.fullmatch(r"[A-Za-z]", named):
            index = ord(named.upper()) - ord("A")
        elif named.isdigit():
            index = int(named) - 1
        else:
            index = next((i for i, text in enumerate(headers) if text == named.casefold()), None)
            if index is None:
                index = next((i for i, text in enumerate(headers) if named.casefold() in text), None)
        if index is None or not 0 <= index < max(len(headers), 1):
            raise BuildError.single(path, f"no column '{named}' for the {key}: the columns are "
                                          f"{', '.join(repr(_clean(c)) for c in header) or 'none'}", 1)
        where[key] = index
    return where


def _excluded(folder):
    """The identities of the names in the moderation file, if there is one."""
    path = Path(folder) / EXCLUDED
    if not path.is_file():
        return set()
    rows = _csv_rows(path)
    return {identity(row[0]) for row in rows[1:] if row and _clean(row[0])}


def sort_key(alphabet):
    """A sort key for names in a language whose letters come in the order alphabet gives (a list of strings, each
    one letter or several letters that sort alike, such as Russian 'е ё'): letters by their place in it, then
    those two told apart; letters outside it after every letter of it, by code point."""
    rank = {}
    for place, letters in enumerate(alphabet):
        for letter in str(letters).split():
            rank[letter.casefold()] = place
    after = len(rank) + 1

    def key(text):
        folded = unicodedata.normalize("NFC", text).casefold()
        primary = tuple(rank.get(c, after + ord(c)) for c in folded if c.isalnum())
        return primary, folded, text
    return key


def surname_first(shown):
    """The words a list sorted by surname compares first: the name's last word (the part before any comma)."""
    words = shown.split(",")[0].split()
    return " ".join(words[-1:] + words[:-1])
