"""Translations kept in step: what state of its source each translated piece translates, and what changed since.

A piece is cut into blocks by structure, not language: its front matter's text values (title, signatories, …)
by key, then its text's headings, paragraphs, list items, notes, tables and captions in order, each named by its
kind and the fenced block it is in (demands, note, postscript). `build.py translations --mark ru` records, for
each Russian piece, every block of its source as it is now (kind, digest and text) in ru/translated-from.yml;
the build then compares the source with that record, block by block in order (difflib on the digests, so an
inserted paragraph does not make every later one stale), and names each source block changed since, with its
old and new text, at the place of the translation's block in the same position.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from ..errors import BuildError, Problem
from ..markup.syntax import DIV_FENCE, HEADING, LIST_ITEM, NOTE_DEFINITION, TABLE_RULE
from .files import read_text, split_front_matter
from .load import read_pamphlet

RECORD = "translated-from.yml"
# The front matter's values a translation translates, compared by key.
FRONT = ("title", "short_title", "subtitle", "authors", "signatories_intro", "signatories", "source")
SHOWN = 120  # characters of a block's text shown in a message, cut in the middle beyond


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "paragraph", "demands item", "note", …
    text: str
    line: int  # in its file

    @property
    def digest(self):
        return hashlib.sha256(" ".join(self.text.split()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Stale:
    """A source block changed since the translation was marked: where it is in the source and the translation."""
    source: Path
    source_line: int | None  # None: the block is no longer in the source
    translation: Path
    translation_line: int | None
    kind: str
    old: str | None  # None: a block the source did not have when marked
    new: str | None

    def __str__(self):
        at = f"{self.translation}:{self.translation_line}" if self.translation_line else str(self.translation)
        source = f"{self.source.name}:{self.source_line}" if self.source_line else self.source.name
        old, new = _shown(self.old, self.new)
        return (f"{at}: stale: the source's {self.kind} ({source}) changed since the translation was marked\n"
                f"    was: {old}\n    now: {new}")


def _shown(old, new):
    """The old and the new text, each cut to the part around what changed when it is long."""
    old, new = (" ".join(text.split()) if text is not None else None for text in (old, new))
    if old is None or new is None or max(len(old), len(new)) <= SHOWN:
        return old or "(nothing)", new or "(nothing)"
    start = len(os.path.commonprefix([old, new]))
    end = len(os.path.commonprefix([old[::-1], new[::-1]]))
    around = SHOWN // 3

    def window(text):
        left, right = max(0, start - around), min(len(text), max(len(text) - end, start) + around)
        return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")

    return window(old), window(new)


def blocks(path):
    """The piece's blocks in order: its front matter's text values, then its text's, by structure."""
    text = read_text(path, line_separators=True)
    front, body, body_line = split_front_matter(path, text)
    found = []
    try:  # every value as written (a date as text): what the translation translates
        values = yaml.load(front, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        raise BuildError.single(path, "its front matter cannot be read (build the pamphlet to see why)") from None
    values = values if isinstance(values, dict) else {}
    for key in FRONT:
        value = values.get(key)
        if value:
            found.append(Block(key, "\n".join(map(str, value)) if isinstance(value, list) else str(value), 1))
    return found + _body_blocks(body, body_line)


def _body_blocks(body, first_line):
    found, fence, current = [], None, None

    def close():
        nonlocal current
        if current is not None:
            kind, lines, line = current
            found.append(Block(kind if fence is None else f"{fence} {kind}", "\n".join(lines), line))
            current = None

    for number, line in enumerate(body.split("\n"), start=first_line):
        fenced = DIV_FENCE.match(line)
        if fenced:
            close()
            fence = fenced.group(1) if fenced.group(1) else None
            continue
        if not line.strip():
            if current is not None and current[0] not in ("note",):
                close()
            continue
        if current is not None and current[0] == "note" and not line.startswith("    "):
            close()
        if NOTE_DEFINITION.match(line):
            close()
            current = ("note", [line], number)
        elif HEADING.match(line):
            close()
            found.append(Block("heading" if fence is None else f"{fence} heading", line, number))
        elif LIST_ITEM.match(line) and not TABLE_RULE.match(line) and not (current and current[0] == "table"):
            close()
            current = ("item", [line], number)
        elif line.lstrip().startswith("|") and (current is None or current[0] == "table"):
            if current is None:
                current = ("table", [], number)
            current[1].append(line)
        elif re.match(r"(Table)?:\s", line) and current is None:
            current = ("caption", [line], number)
        elif current is None:
            current = ("paragraph", [line], number)
        else:
            current[1].append(line)
    close()
    return found


def mark(folder, language, names=()):
    """Record, for each piece of the translation (or those named), its source's blocks as they are now; return
    the pieces marked."""
    folder = Path(folder)
    translated = _translated(folder, language)
    record_path = folder / language / RECORD
    record = _record(record_path)
    marked = []
    for name in names or list(translated):
        if name not in translated:
            raise BuildError.single(folder / language, f"no translated piece '{name}' in {folder / language}")
        record[name] = [{"kind": block.kind, "digest": block.digest, "text": block.text}
                        for block in blocks(folder / name)]
        marked.append(name)
    temp = record_path.with_name(f".{RECORD}.part")
    temp.write_text("# Which state of its source each piece translates: written by build.py translations --mark; "
                    "do not edit\n" + yaml.safe_dump(record, allow_unicode=True, sort_keys=True, width=1000),
                    encoding="utf-8")
    temp.replace(record_path)
    return marked


def stale(folder, language):
    """(Stale blocks of the translation, the names of its pieces never marked)."""
    folder = Path(folder)
    record = _record(folder / language / RECORD)
    found, unmarked = [], []
    for name in _translated(folder, language):
        if name not in record:
            unmarked.append(name)
            continue
        old = [Block(entry["kind"], entry["text"], 0) for entry in record[name]]
        new = blocks(folder / name)
        mine = blocks(folder / language / name)
        matcher = SequenceMatcher(a=[(b.kind, b.digest) for b in old], b=[(b.kind, b.digest) for b in new],
                                  autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                was = old[i1 + k] if i1 + k < i2 else None
                now = new[j1 + k] if j1 + k < j2 else None
                # The translation's block in the place the source's had when marked (by position and kind)
                place = i1 + k if was is not None else min(i1, len(old))
                theirs = mine[place] if place < len(mine) else None
                found.append(Stale(folder / name, now.line if now else None, folder / language / name,
                                   theirs.line if theirs else None, (now or was).kind,
                                   was.text if was else None, now.text if now else None))
    return found, unmarked


def report(folder, languages_to_check):
    """The lines the build prints for the translations (each stale block, each piece never marked) and the
    Problems --strict fails on."""
    lines, problems = [], []
    for language in languages_to_check:
        found, unmarked = stale(folder, language)
        lines += [str(block) for block in found]
        problems += [Problem(block.translation, block.translation_line,
                             f"stale: the source's {block.kind} changed since the translation was marked "
                             f"(build.py translations shows how; mark it with --mark {language} when done)")
                     for block in found]
        lines += [f"{folder}/{language}/{name}: never marked as in step with its source; run build.py translations "
                  f"--texts {folder} --mark {language} when it is done" for name in unmarked]
        if not found and not unmarked:
            lines.append(f"{language}: every translated piece is in step with its source")
    return lines, problems


def _translated(folder, language):
    """The pieces the translation has, by their names in the manifest."""
    sources = read_pamphlet(folder, language=language)
    BuildError.raise_any(sources.problems)
    return {piece.path.relative_to(sources.home).as_posix(): piece for piece in sources.pieces}


def _record(path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as err:
        raise BuildError.single(path, f"cannot read the record of the translation ({err}); mark it again with "
                                      "build.py translations --mark") from None
