"""Reads a pamphlet folder (manifest and Markdown pieces) and reports every problem in it at once."""

import dataclasses
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, Problem
from ..pipeline.memo import Memo
from . import languages, signatories
from .files import MANIFEST, parse_yaml, piece_ids, piece_path, read_text, split_front_matter
from .schema import MANIFEST_FIELDS, PIECE_FIELDS, check_mapping

# The characters a running head may have above an A5 page: 98 of lower case fit on its line, no 120 do; one that
# wraps runs into the margin above the text. (Capitals are wider: 90 of them come within 0.4 mm of the safe
# zone, which the preflight then names, on the page rather than at the line.)
RUNNING_HEAD = 120


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
    signatory_kinds: list = field(default_factory=list)  # and its kind: a person's or an organisation's name
    signatories_groups: bool = False
    source: str | None = None
    leaflet: bool = False
    share_quote: str | None = None  # the words its share images quote (else its first demands, or its opening)
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
    share_quote: str | None = None  # the words the pamphlet's share images quote (else its subtitle)
    paper_thickness: float | None = None  # None: impose's default for office paper
    translations: list = field(default_factory=list)  # the translations' languages (sources/languages.py)
    missing_translations: str = "stop"  # a piece a translation lacks: "leave out" or "stop"
    bilingual: list | None = None  # the two languages of the bilingual edition
    home: Path | None = None  # this language's folder: its pieces and words.txt (the texts folder for the source)
    left_out: list = field(default_factory=list)  # the pieces this translation lacks, left out
    siblings: list = field(default_factory=list)  # (tag, slug, identifier) of the pamphlet's other languages
    lines: dict = field(default_factory=dict)  # the line of each manifest value, for messages


@dataclass
class Sources:
    """What read_pamphlet found: the manifest's values, the pieces that could be read, and every problem."""
    folder: Path
    values: dict
    lines: dict
    pieces: list
    problems: list
    home: Path = None  # the language's folder (the texts folder for the source)
    left_out: list = field(default_factory=list)  # the pieces a translation lacks, left out as the manifest asks
    origin: dict = field(default_factory=dict)  # {key: the translation's manifest} for the values it gave


def read_pamphlet(folder, memo=None, language=None):
    """Read the manifest and every piece (front matter checked value by value, text split off), without
    checking the texts' Markdown: the one reading of the sources, light enough for the up-to-date check. memo
    (a memo.Memo) keeps what a piece's text makes for the next reading (watch mode); language: a translation's
    (its folder's pieces, its manifest's values over the source's), or None for the source."""
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
    values = check_mapping(manifest_path, node, 0, MANIFEST_FIELDS, problems, "the manifest", lines)
    languages.check(folder, values, lines, problems)
    home, origin, left_out = folder, {}, []
    others = languages.siblings(values, language or values.get("language")) if "slug" in values else []
    if language is not None and language != values.get("language"):
        values, origin = languages.translation(folder, values, lines, language, problems)
        home = folder / language
    values["siblings"] = others
    found = {}
    for name, line in values.get("pieces", []):
        if home != folder and not (home / name).exists():
            if values.get("missing_translations") == "leave out":
                left_out.append(name)
            else:
                problems.append(Problem(manifest_path, line, f"piece '{name}' has no {language} translation "
                                                             f"({language}/{name} not found): translate it, or set "
                                                             "'missing_translations: leave out'"))
            continue
        try:
            path = piece_path(home, name, (manifest_path, line))
        except BuildError as err:
            problems.extend(err.problems)
            continue
        if path in found:
            problems.append(Problem(manifest_path, line, f"piece '{name}' is listed twice (first on line "
                                                         f"{found[path][1]}); list each piece once"))
        else:
            found[path] = (name, line)
    # Ids from every piece the manifest lists, so that a piece has the same id in every language
    ids = piece_ids(list(dict.fromkeys(name for name, _ in values.get("pieces", []))))
    pieces = [piece for path, (name, _) in found.items()
              if (piece := _load_piece(home / name, ids[name], problems, memo)) is not None]
    return Sources(folder, values, lines, pieces, problems, home, left_out, origin)


def load_pamphlet(folder, memo=None, language=None):
    """Read and check the manifest and every piece, Markdown included; raise BuildError listing all problems.
    memo (a memo.Memo) keeps each text's Markdown check for the next build (watch mode); language as
    read_pamphlet's."""
    # Markdown, nh3 and lxml load only when a build needs them
    from ..markup.validate import check_markdown, check_piece

    memo = memo if memo is not None else Memo()
    sources = read_pamphlet(folder, memo, language)
    problems = sources.problems
    manifest = sources.folder / MANIFEST
    for key in ("imprint", "blurb"):
        if key in sources.values:
            problems.extend(check_markdown(sources.origin.get(key, manifest), sources.values[key], sources.lines[key],
                                           sources.folder, memo))
    for index, piece in enumerate(sources.pieces):
        sources.pieces[index], found = with_signatories(piece, sources.folder)
        problems.extend(found)
    for piece in sources.pieces:
        problems.extend(check_piece(piece, sources.folder, memo))
        if piece.source:
            problems.extend(check_markdown(piece.path, piece.source, piece.lines["source"], sources.folder, memo))
    if problems:
        raise BuildError(problems)
    return Pamphlet(folder=sources.folder, lines=sources.lines, home=sources.home, left_out=sources.left_out,
                    **{**sources.values, "pieces": sources.pieces})


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
                               signatory_kinds=[signatory.kind for signatory in signed.signatories],
                               signatories_excluded=signed.excluded), signed.problems


def signed_line(piece):
    """What the build and 'build.py signatories' say of a piece's signatories file."""
    left_out = f", {piece.signatories_excluded} left out by the moderation file" if piece.signatories_excluded else ""
    organisations = piece.signatory_kinds.count(signatories.ORGANISATION)
    among = f" ({organisations} of them organisations)" if organisations else ""
    return f"{piece.path.name}: {len(piece.signatories)} signatories{among} in {piece.signatories_file}{left_out}"


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
    values = check_mapping(path, node, 1, PIECE_FIELDS, problems, "the front matter", lines)
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
