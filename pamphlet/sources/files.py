"""Reads the pamphlet's source files one way for every user (loading, the up-to-date check, watch, bench, lint):
decoded text, front matter split from the text, YAML as nodes, piece files inside the folder, safe piece ids.
What cannot be read raises BuildError with its problems; the reading of a whole pamphlet collects them."""

import re
import unicodedata
from pathlib import Path

import yaml

from ..errors import BuildError, Problem

MANIFEST = "pamphlet.yml"
# Names the book's own parts use for files and anchors; a piece never gets one of them as its id.
# (A piece 'x' owns the anchors 'x', 'x-title', 'x-signed' and 'x-1', 'x-2', … for its headings.)
RESERVED_IDS = {"cover", "title", "title-page", "imprint", "nav", "toc", "toc-title", "ncx", "contents",
                "contents-title", "landmarks", "page", "images", "css", "fonts"}
RESERVED_PATTERN = re.compile(r"(page|toc|fn|fnref)-.*")
# YAML tags a value may have: the plain types a YAML file spells without any tag.
PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                        "seq", "map")}
# Characters a text never carries to the layouts: what they mean is unclear or they break the XHTML.
CONTROL_HINT = {"\u2029": "a paragraph separator: leave a blank line instead",
                "\u000b": "a vertical tab (from a word processor's line break): start a new line instead",
                "\u000c": "a form feed: leave a blank line instead",
                "\u0000": "a NUL byte: the file is damaged or not text"}


# The largest text file the build reads (a manifest, a piece, words.txt), in bytes: a 12,000-word text is about
# 80 KB, a whole book under 2 MB; a larger file is not a text (a video renamed .md, a database dump) and would
# take the build's memory.
LARGEST_TEXT = 8 * 1024 * 1024


def too_large(path, largest, what):
    """Why a file is too large to be read (its size, the limit, what to do), or None; it is not opened."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return None  # reading it says why it cannot be read
    if size <= largest:
        return None
    return (f"{what} is {size / 1024 / 1024:.0f} MB, more than the {largest // 1024 // 1024} MB the build reads "
            "for one file; split it, or make it smaller")


# What _is_control finds, but for the line ends: every character of Unicode's category Cc but tab and line feed.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def read_text(path, line_separators=False):
    """A file's text as the build reads it: UTF-8 without a byte-order mark, lines ending in '\\n' only.

    Control characters are refused at their line and column; with line_separators, U+2028 LINE SEPARATOR is
    let through for the caller to turn into what it means in a piece's text (a line break).
    """
    large = too_large(path, LARGEST_TEXT, "the file")
    if large:
        raise BuildError.single(path, large)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise BuildError.single(path, f"cannot read the file ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise BuildError.single(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8 in "
                                      "your editor", line) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not CONTROL.search(text):  # one search instead of a look at each character (a long text has 300,000)
        return text
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for column, char in enumerate(line, start=1):
            if _is_control(char) and not (line_separators and char == "\u2028"):
                name = unicodedata.name(char, "(a control character)")
                hint = CONTROL_HINT.get(char, "delete it (it was probably pasted in by accident)")
                problems.append(Problem(path, number, f"U+{ord(char):04X} {name} at column {column}: {hint}"))
                break
    BuildError.raise_any(problems)
    return text


CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")


def referenced_control(text):
    """The first code point that a numeric character reference (&#7;, &#x1b;) in text names and that no
    edition can carry (a control character, a surrogate, beyond Unicode), or None."""
    for match in CHARACTER_REFERENCE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0 or (_is_control(chr(code)) and code not in (9, 10)):
            return code
    return None


def _is_control(char):
    if char == "\t":
        return False
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def split_front_matter(path, text):
    """(front matter text, text after it, line of that text): the front matter lies between a first line '---'
    and the next line that is exactly '---' (so '---' inside a value is part of the value)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise BuildError.single(path, "no front matter: a piece starts with a line '---', then YAML (kind, title, "
                                      "…), then another '---', then the text", 1)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise BuildError.single(path, "the front matter is not closed: add a line '---' after it", 1)
    front = "\n".join(lines[1:end])
    if "\u2028" in front:
        number = next(i for i in range(1, end) if "\u2028" in lines[i])
        column = lines[number].index("\u2028") + 1
        raise BuildError.single(path, f"U+2028 LINE SEPARATOR at column {column}: front matter values are one "
                                      "line; write a space instead", number + 1)
    # In the text a line separator means a line break, which the allowlist lets through as <br />.
    return front, "\n".join(lines[end + 1:]).replace("\u2028", "<br />"), end + 2


def parse_yaml(path, text, offset):
    """YAML composed into nodes (not plain values) so every problem can name its line (None for no YAML at all);
    tags, anchors and keys that are not plain text are refused, so every value is one the schema can check."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 + offset if mark else None
        reason = getattr(err, "problem", None) or str(err)
        raise BuildError.single(path, f"malformed YAML: {reason}; check quotes, colons and indentation",
                                line) from None
    if node is None:
        return None
    found = []
    _check_nodes(path, node, offset, found, set())
    BuildError.raise_any(found)
    return node


def _check_nodes(path, node, offset, found, seen):
    line = node.start_mark.line + 1 + offset
    if id(node) in seen:
        found.append(Problem(path, line, "YAML anchors and aliases (& and *) are not allowed; write the value out"))
        return
    seen.add(id(node))
    if node.tag not in PLAIN_TAGS:
        found.append(Problem(path, line, f"the YAML tag '{node.tag}' is not allowed; if the value starts with "
                                         "'!', put it in quotes"))
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
                found.append(Problem(path, key.start_mark.line + 1 + offset,
                                     "a key must be a plain word such as 'title:', not a list, a number or a "
                                     "'?' complex key"))
                continue
            _check_nodes(path, value, offset, found, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_nodes(path, item, offset, found, seen)


def piece_path(folder, name, where):
    """The piece file a manifest names at where (the manifest, the line); BuildError saying why it may not be used.

    A piece is a file inside the texts folder, named relative to it, after symbolic links are resolved: a
    manifest cannot publish a file from elsewhere. Nothing is opened here."""
    folder = Path(folder).resolve()
    if Path(name).is_absolute() or name.startswith("~") or "\\" in name:
        raise BuildError.single(where[0], f"piece '{name}' must be named relative to the texts folder (like "
                                          "'statement.md'); copy the file into the folder", where[1])
    try:
        path = (folder / name).resolve()
        found = path.is_file()
    except OSError as err:  # a name longer than the file system takes, a loop of links
        raise BuildError.single(where[0], f"piece '{name}' cannot be found ({err.strerror}); check the name",
                                where[1]) from None
    if not path.is_relative_to(folder) or path == folder:
        through = " (through a symbolic link)" if ".." not in name else ""
        raise BuildError.single(where[0], f"piece '{name}' lies outside the texts folder{through}; copy the file "
                                          "into the folder and name it from there", where[1])
    if not found:
        raise BuildError.single(where[0], f"piece '{name}' not found in {folder}; check the file name or remove it "
                                          "from 'pieces'", where[1])
    large = too_large(path, LARGEST_TEXT, f"piece '{name}'")
    if large:
        raise BuildError.single(where[0], large, where[1])
    return path


def piece_ids(names):
    """For each piece name (a path relative to the texts folder), an id safe and unique as a file name and
    an anchor in every edition: lower-case ASCII letters, digits and hyphens, never one of the book's parts."""
    ids = {}
    taken = set()
    for number, name in enumerate(names, start=1):
        stem = Path(name).with_suffix("")
        candidates = [_slug(stem.name), _slug("-".join(stem.parts))]
        candidates = [c for c in candidates if c] + [f"{c}-piece" for c in candidates[:1] if c] + [f"piece-{number}"]
        chosen = next((c for c in candidates if _free(c, taken)), None)
        suffix = 2
        while chosen is None:
            chosen = candidates[0] + f"-x{suffix}" if _free(candidates[0] + f"-x{suffix}", taken) else None
            suffix += 1
        ids[name] = chosen
        taken.add(chosen)
    return ids


def _slug(text):
    ascii_text = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return f"piece-{slug}" if slug[:1].isdigit() else slug  # an XML id starts with a letter


def _free(candidate, taken):
    """Not a part of the book, and none of its anchors is another piece's: 'x-1' is piece x's first heading."""
    if RESERVED_PATTERN.fullmatch(candidate):
        return False
    return not any(_clash(candidate, other) or _clash(other, candidate) for other in taken | RESERVED_IDS)


def _clash(a, b):
    return a == b or re.fullmatch(re.escape(b) + r"-(title|signed|\d+)", a) is not None
