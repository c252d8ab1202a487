"""The manifest's and the front matter's declared fields, and the checking of a YAML mapping against them."""

import datetime
import difflib
import html
import re
from dataclasses import dataclass

import yaml

from ..errors import Problem
from ..render.qr import LONGEST_URL
from . import signatories
from .files import referenced_control

KINDS = ("introduction", "statement", "interview", "article", "appendix")


@dataclass(frozen=True)
class Field:
    kind: str  # text (plain), inline (a line of Markdown), markdown, date, bool, names, pieces, choice, millimetres
    required: bool = False
    pattern: str | None = None
    hint: str = ""
    longest: tuple | None = None  # (characters, in UTF-8 bytes, at most; why), checked after the pattern


LANGUAGE_TAG = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"

MANIFEST_FIELDS = {
    "title": Field("text", True),
    "subtitle": Field("text"),
    "byline": Field("text", True),
    "publisher": Field("text", True),
    "language": Field("text", True, LANGUAGE_TAG, "a language tag such as en, ru or kk"),
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
    "share_quote": Field("text"),
    "print_profile": Field("text", pattern=r"FOGRA39|FOGRA29|[^/\\]+\.(icc|icm|ICC|ICM)",
                           hint="FOGRA39 (coated paper, the default), FOGRA29 (uncoated) or the print shop's "
                                "own CMYK profile, a .icc file in the texts folder"),
    # Translations (sources/languages.py): a folder per language beside the source's pieces.
    "translations": Field("names", pattern=LANGUAGE_TAG, hint="a list of language tags, such as [ru, kk], each "
                                                              "the name of a folder holding that translation"),
    "missing_translations": Field("choice", hint="leave out, stop"),
    "bilingual": Field("names", pattern=LANGUAGE_TAG, hint="two of the pamphlet's languages, such as [kk, ru]"),
}

# What a translation's own pamphlet.yml may say differently from the source's; the rest is the source's.
TRANSLATED_FIELDS = {key: Field(spec.kind, False, spec.pattern, spec.hint, spec.longest)
                     for key, spec in MANIFEST_FIELDS.items()
                     if key in ("title", "subtitle", "byline", "publisher", "date", "keywords", "imprint", "blurb",
                                "url")}

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
    "signatories_groups": Field("bool", hint="true sets the organisations that signed apart from the people"),
    "source": Field("inline"),
    "leaflet": Field("bool"),
    "share_quote": Field("text"),
}


def check_mapping(path, node, offset, fields, problems, what, lines):
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
        if text is not None and spec.pattern and not re.fullmatch(spec.pattern, text):
            refuse(f"is '{text}'; it must be {spec.hint}")
        elif text is not None:
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
