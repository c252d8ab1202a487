"""Reads a pamphlet folder (manifest and Markdown pieces) and reports every problem in it at once."""

import dataclasses
import datetime
import difflib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import BuildError, Problem
from ..pipeline.memo import Memo
from ..render.qr import LONGEST_URL
from . import signatories
from .files import MANIFEST, parse_yaml, piece_ids, piece_path, read_text, referenced_control, split_front_matter

KINDS = ("introduction", "statement", "interview", "article", "appendix")
# The characters a running head may have above an A5 page: 98 of lower case fit on its line, no 120 do; one that
# wraps runs into the margin above the text. (Capitals are wider: 90 of them come within 0.4 mm of the safe
# zone, which the preflight then names, on the page rather than at the line.)
RUNNING_HEAD = 120


@dataclass(frozen=True)
class Field:
    kind: str  # text (plain), inline (a line of Markdown), markdown, date, bool, names, pieces, choice, millimetres
    required: bool = False
    pattern: str | None = None
    hint: str = ""
    longest: tuple | None = None  # (characters, in UTF-8 bytes, at most; why), checked after the pattern


MANIFEST_FIELDS = {
    "title": Field("text", True),
    "subtitle": Field("text"),
    "byline": Field("text", True),
    "publisher": Field("text", True),
    "language": Field("text", True, r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "a language tag such as en, ru or kk"),
    "date": Field("date", True),
    "identifier": Field("text", True, r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
                        "a stable urn:uuid:… (make one with: python -c 'import uuid; print(uuid.uuid4())')"),
    "slug": Field("text", True, r"[a-z0-9]+(-[a-z0-9]+)*",
                  "lower-case letters, digits and hyphens, used in file names",
                  longest=(60, "it begins the name of every file the build writes, and a file name has at most 255 "
                               "bytes: use a short name, such as kazakhstan-2022")),
    "keywords": Field("names"),
    "imprint": Field("markdown"),
    "blurb": Field("markdown"),
    "pieces": Field("pieces", True),
    "openings": Field("choice", hint="auto, right, any"),
    "paper_thickness": Field("millimetres", hint="the booklet's paper, in millimetres, more than 0 and at most 1 "
                                                 "(0.1 for 80 g/m² office paper)"),
    "url": Field("text", pattern=r"https?://[^\s<>\"'`\\]+\.[^\s<>\"'`\\]+",
                 hint="a web address starting with https://, e.g. https://example.org/pamphlet",
                 longest=(LONGEST_URL, "it is printed as a QR code, which must stay small for a phone to read it from "
                                       "the page: use a shorter address (the site's short link, or the page's "
                                       "address without what follows '?')")),
    "print_profile": Field("text", pattern=r"FOGRA39|FOGRA29|[^/\\]+\.(icc|icm|ICC|ICM)",
                           hint="FOGRA39 (coated paper, the default), FOGRA29 (uncoated) or the print shop's "
                                "own CMYK profile, a .icc file in the texts folder"),
}

PIECE_FIELDS = {
    "kind": Field("choice", True, hint=", ".join(KINDS)),
    "title": Field("text", True),
    "short_title": Field("text", hint="a shorter title for running heads"),
    "subtitle": Field("text"),
    "date": Field("date"),
    "authors": Field("names"),
    "signatories_intro": Field("text"),
    "signatories": Field("names"),
    "signatories_file": Field("text", hint="a CSV, XLSX or ODS file in the texts folder"),
    "signatories_columns": Field("columns", hint="name, role, organisation, place: each a column's header text, "
                                                 "letter or number"),
    "signatories_order": Field("choice", hint="entered, surname, name, organisation"),
    "signatories_as_of": Field("date"),
    "source": Field("inline"),
    "leaflet": Field("bool"),
}


@dataclass
class Piece:
    path: Path
    id: str  # safe and unique in the pamphlet: file names and anchors in every edition (sources.piece_ids)
    kind: str
    title: str
    body: str
    body_line: int
    short_title: str | None = None
    subtitle: str | None = None
    date: datetime.date | None = None
    authors: list = field(default_factory=list)
    signatories_intro: str | None = None
    signatories: list = field(default_factory=list)
    signatories_file: str | None = None
    signatories_columns: dict = field(default_factory=dict)
    signatories_order: str = "entered"
    signatories_as_of: datetime.date | None = None
    signatories_excluded: int = 0  # rows of signatories_file that signatories-excluded.csv leaves out
    signatory_rows: list = field(default_factory=list)  # the row of each of signatories in signatories_file
    signatory_organisations: list = field(default_factory=list)  # and its organisation (signatories_order)
    source: str | None = None
    leaflet: bool = False
    lines: dict = field(default_factory=dict)  # the line of each front matter value, for messages


@dataclass
class Pamphlet:
    folder: Path
    title: str
    byline: str
    publisher: str
    language: str
    date: datetime.date
    identifier: str
    slug: str
    pieces: list
    subtitle: str | None = None
    keywords: list = field(default_factory=list)
    imprint: str | None = None
    blurb: str | None = None
    print_profile: str | None = None
    openings: str = "auto"
    url: str | None = None
    paper_thickness: float | None = None  # None: impose's default for office paper
    lines: dict = field(default_factory=dict)  # the line of each manifest value, for messages


@dataclass
class Sources:
    """What read_pamphlet found: the manifest's values, the pieces that could be read, and every problem."""
    folder: Path
    values: dict
    lines: dict
    pieces: list
    problems: list


def read_pamphlet(folder, memo=None):
    """Read the manifest and every piece (front matter checked value by value, text split off), without
    checking the texts' Markdown: the one reading of the sources, light enough for the up-to-date check. memo
    (a memo.Memo) keeps what a piece's text makes for the next reading (watch mode)."""
    folder = Path(folder)
    memo = memo if memo is not None else Memo()
    problems = []
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        raise BuildError.single(folder, "no such folder: --texts must name a folder of texts with a pamphlet.yml "
                                        "manifest")
    if not manifest_path.is_file():
        raise BuildError.single(manifest_path, "manifest not found: a pamphlet folder needs a pamphlet.yml naming "
                                               "the title, language and pieces")
    node = parse_yaml(manifest_path, read_text(manifest_path), 0)  # without a manifest nothing else can be read
    if node is None:
        raise BuildError.single(manifest_path, "the manifest is empty", 1)
    lines = {}
    values = _check_mapping(manifest_path, node, 0, MANIFEST_FIELDS, problems, "the manifest", lines)
    found = {}
    for name, line in values.get("pieces", []):
        try:
            path = piece_path(folder, name, (manifest_path, line))
        except BuildError as err:
            problems.extend(err.problems)
            continue
        if path in found:
            problems.append(Problem(manifest_path, line, f"piece '{name}' is listed twice (first on line "
                                                         f"{found[path][1]}); list each piece once"))
        else:
            found[path] = (name, line)
    ids = piece_ids([name for name, _ in found.values()])
    pieces = [piece for path, (name, _) in found.items()
              if (piece := _load_piece(folder / name, ids[name], problems, memo)) is not None]
    return Sources(folder, values, lines, pieces, problems)


def load_pamphlet(folder, memo=None):
    """Read and check the manifest and every piece, Markdown included; raise BuildError listing all problems.
    memo (a memo.Memo) keeps each text's Markdown check for the next build (watch mode)."""
    # Markdown, nh3 and lxml load only when a build needs them
    from ..markup.validate import check_markdown, check_piece

    memo = memo if memo is not None else Memo()
    sources = read_pamphlet(folder, memo)
    problems = sources.problems
    manifest = sources.folder / MANIFEST
    for key in ("imprint", "blurb"):
        if key in sources.values:
            problems.extend(check_markdown(manifest, sources.values[key], sources.lines[key], sources.folder, memo))
    for index, piece in enumerate(sources.pieces):
        sources.pieces[index], found = with_signatories(piece, sources.folder)
        problems.extend(found)
    for piece in sources.pieces:
        problems.extend(check_piece(piece, sources.folder, memo))
        if piece.source:
            problems.extend(check_markdown(piece.path, piece.source, piece.lines["source"], sources.folder, memo))
    if problems:
        raise BuildError(problems)
    return Pamphlet(folder=sources.folder, lines=sources.lines, **{**sources.values, "pieces": sources.pieces})


def with_signatories(piece, folder):
    """(the piece with the signatories of its signatories_file, read and checked (signatories.py), the problems
    found in the file)."""
    if not piece.signatories_file:
        return piece, []
    line = piece.lines.get("signatories_file")
    if piece.signatories:
        return piece, [Problem(piece.path, line, "give the signatories either as a list ('signatories') or as a "
                                                 "file ('signatories_file'), not both")]
    path = (folder / piece.signatories_file).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return piece, [Problem(piece.path, line, f"'signatories_file' is '{piece.signatories_file}', which is not "
                                                 f"a file in {folder}; put the spreadsheet there")]
    try:
        signed = signatories.read(folder, path, piece.signatories_columns)
    except BuildError as err:
        return piece, err.problems
    return dataclasses.replace(piece, signatories=[signatory.shown() for signatory in signed.signatories],
                               signatory_rows=[signatory.row for signatory in signed.signatories],
                               signatory_organisations=[signatory.organisation for signatory in signed.signatories],
                               signatories_excluded=signed.excluded), signed.problems


def signed_line(piece):
    """What the build and 'build.py signatories' say of a piece's signatories file."""
    left_out = f", {piece.signatories_excluded} left out by the moderation file" if piece.signatories_excluded else ""
    return f"{piece.path.name}: {len(piece.signatories)} signatories in {piece.signatories_file}{left_out}"


def _load_piece(path, piece_id, problems, memo):
    try:
        text = read_text(path, line_separators=True)
    except BuildError as err:
        problems.extend(err.problems)
        return None
    piece, found = memo.get(("piece", str(path), text, piece_id), _parse_piece, path, text, piece_id, name=str(path))
    problems.extend(found)
    return piece


def _parse_piece(path, text, piece_id):
    """(the Piece, or None when it cannot be made, and the problems in its front matter), from its text alone."""
    problems = []
    return _piece(path, text, piece_id, problems), problems


def _piece(path, text, piece_id, problems):
    try:
        front, body, body_line = split_front_matter(path, text)
        node = parse_yaml(path, front, 1)
    except BuildError as err:
        problems.extend(err.problems)
        return None
    if node is None:
        problems.append(Problem(path, 2, "the front matter is empty: it needs at least kind and title"))
        return None
    lines = {}
    values = _check_mapping(path, node, 1, PIECE_FIELDS, problems, "the front matter", lines)
    if not body.strip():
        problems.append(Problem(path, body_line - 1, "the piece has no text after its front matter; "
                                                     "write the text or remove the piece from pamphlet.yml"))
        return None
    if any(f.required and name not in values for name, f in PIECE_FIELDS.items()):
        return None
    head = "short_title" if "short_title" in values else "title"
    if len(values[head]) > RUNNING_HEAD:
        problems.append(Problem(path, lines[head], f"'{head}' is {len(values[head])} characters long, too long for "
                                                   f"the running head above the pages (at most {RUNNING_HEAD}): "
                                                   + ("shorten it" if head == "short_title" else
                                                      f"add a short_title of at most {RUNNING_HEAD}")))
        return None
    return Piece(path=path, id=piece_id, body=body, body_line=body_line, lines=lines, **values)


def _check_mapping(path, node, offset, fields, problems, what, lines):
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, node.start_mark.line + 1 + offset,
                                f"{what} must be a list of 'key: value' lines"))
        return {}
    values = {}
    reported = set()  # keys already named in a problem: no second "lacks the required key" for them
    for key_node, value_node in node.value:
        key = key_node.value
        line = key_node.start_mark.line + 1 + offset
        spec = fields.get(key)
        if spec is None:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed keys: " + ", ".join(fields)
            shown = " ".join(str(key).split())  # a key may hold line breaks; the message stays one line
            problems.append(Problem(path, line, f"unknown key '{shown}' in {what}; {hint}"))
            reported.update(close)
            continue
        if key in values:
            problems.append(Problem(path, line, f"key '{key}' appears twice in {what}"))
            continue
        value = _convert(path, key, spec, value_node, offset, problems)
        # A block scalar ('imprint: |') starts on the line after its key.
        lines[key] = value_node.start_mark.line + 1 + offset + (getattr(value_node, "style", None) in ("|", ">"))
        if value is None:
            reported.add(key)
        else:
            values[key] = value
    for key, spec in fields.items():
        if spec.required and key not in values and key not in reported:
            problems.append(Problem(path, node.start_mark.line + 1 + offset,
                                    f"{what} lacks the required key '{key}'"))
    return values


def _convert(path, key, spec, node, offset, problems):
    line = node.start_mark.line + 1 + offset

    def bad(message):
        problems.append(Problem(path, line, f"'{key}' {message}"))

    try:
        value = yaml.SafeLoader(" ").construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        # A value YAML reads as a type but cannot make, such as the date 2026-02-30.
        if spec.kind == "date":
            return bad(f"is {node.value}, which is not a day of the calendar ({err}); write YYYY-MM-DD")
        return bad("must be a line of text (put it in quotes)")
    if spec.kind in ("text", "inline", "choice", "markdown"):
        if not isinstance(value, str) or not value.strip():
            return bad("must be a line of text" + (" (put it in quotes)" if value not in (None, "") else ""))
        if spec.kind == "markdown":
            return value.strip()
        value = " ".join(value.split())
        if spec.kind == "text":
            value = _plain(value, bad)
            if value is None:
                return None
        if spec.kind == "choice" and value not in spec.hint.split(", "):
            return bad(f"is '{value}'; it must be one of: {spec.hint}")
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            return bad(f"is '{value}'; it must be {spec.hint}")
        if spec.longest and len(value.encode()) > spec.longest[0]:
            return bad(f"is {len(value.encode())} characters long, more than {spec.longest[0]}: {spec.longest[1]}")
        return value
    if spec.kind == "date":
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if type(value) is not datetime.date:
            return bad("must be a date written YYYY-MM-DD, e.g. 2022-01-07")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            return bad("must be true or false")
        return value
    if spec.kind == "columns":
        if not isinstance(value, dict) or not value or any(k not in signatories.FIELDS or not str(v).strip()
                                                           for k, v in value.items()):
            return bad(f"must be lines of 'field: column' under it, the fields {spec.hint}")
        return {k: str(v).strip() for k, v in value.items()}
    if spec.kind == "millimetres":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            return bad(f"must be a number: {spec.hint}")
        return float(value)
    # names and pieces: a non-empty list of text lines
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        return bad("must be a list, one item per line starting with '- '")
    items = []
    for item in node.value:
        item_line = item.start_mark.line + 1 + offset
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            problems.append(Problem(path, item_line, f"each item of '{key}' must be a line of text"))
            continue
        if spec.kind == "pieces":
            items.append((item.value.strip(), item_line))  # a file name, spaces and all
            continue
        def refuse(message, line=item_line):
            problems.append(Problem(path, line, f"an item of '{key}' {message}"))

        text = _plain(" ".join(item.value.split()), refuse)
        if text is not None:
            items.append(text)
    return items


MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>|<!--")


def _plain(text, bad):
    """A plain text value: HTML tags refused (they would be printed as written), entities as characters."""
    tag = MARKUP.search(text)
    if tag:
        return bad(f"is plain text, so HTML such as {tag.group()[:40]} is not allowed in it; write the words "
                   "without tags")
    control = referenced_control(text)
    if control is not None:
        return bad(f"holds a character reference to U+{control:04X}, a control character or no character at all; "
                   "delete it")
    return html.unescape(text)
