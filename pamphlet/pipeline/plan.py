"""Knows, from the content of every input, which outputs are already up to date, so they are not rebuilt.

Kept light (no WeasyPrint) so that a rebuild with nothing to do returns at once.
"""

import ctypes
import hashlib
import html
import json
import os
import re
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import quote

from .. import editions as registry
from ..shipped import FONTS, LAYOUTS, PACKAGE
from ..sources import languages
from ..sources.load import MANIFEST, read_pamphlet

RECORD = ".pamphlet-cache.json"


def record_name(language=None):
    """The up-to-date record of one language's outputs (a translation's beside the source's, each its own)."""
    return RECORD if language is None else f".pamphlet-cache-{language}.json"
# The libraries whose version shapes the outputs' bytes: an upgrade makes every output again.
SHAPING = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "markdown", "pymdown-extensions", "jinja2", "nh3",
           "ebooklib", "lxml", "pypdf", "pypdfium2", "pikepdf", "pillow", "fonttools", "uharfbuzz", "segno", "pyphen")


def environment():
    """What the outputs depend on besides the sources: the versions of the libraries that shape them and which
    font subsetter WeasyPrint uses (libharfbuzz-subset's cuts fonts otherwise than fontTools')."""
    versions = dict.fromkeys(SHAPING)
    # The installed distributions' folders name them with their versions: reading the names of the folders on
    # the import path takes a millisecond, importing importlib.metadata a tenth of a second.
    for folder in reversed([entry for entry in sys.path if os.path.isdir(entry or ".")]):
        for entry in os.listdir(folder or "."):
            name, _, version = entry.removesuffix(".dist-info").partition("-")
            name = re.sub(r"[-_.]+", "-", name).lower()
            if entry.endswith(".dist-info") and name in versions:
                versions[name] = version
    try:  # the name WeasyPrint loads it by on Linux
        ctypes.CDLL("libharfbuzz-subset.so.0")
        subsetter = "harfbuzz-subset"
    except OSError:
        subsetter = "fonttools"
    return {"versions": versions, "font subsetter": subsetter}


# Outputs are PDFs, EPUBs and the proof sheet's PNG, named as the editions declare; a pamphlet's sources are
# Markdown, YAML and images, never a PDF or an EPUB, and never an image named like the proof sheet.
OUTPUT_PATTERNS = tuple(pattern.format(slug="*", piece="*") for edition in registry.EDITIONS
                        for pattern in edition.files + edition.whole_files)


def _digest(paths, extra="", root=None):
    """Digest of the files' names (relative to root, when given) and contents, after extra."""
    sha = hashlib.sha256(extra.encode())
    for path in paths:
        sha.update((os.path.relpath(path, root) if root else str(path.relative_to(path.anchor))).encode() + b"\0")
        sha.update(content_digest(path).encode() + b"\0")
    return sha.hexdigest()


def layout_sources(folders, files):
    """Digest of the files a print layout loads besides its HTML: everything in folders (layouts, fonts) and
    the texts folder's files it uses (its images and print profile: the manifest and pieces reach it as HTML)."""
    return _digest([path for folder in folders for path in _files(folder)] + sorted(files))


def content_digest(path):
    """The file's SHA-256, read a block at a time: a file is never in memory whole."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def used_files(texts, out, sources):
    """The files of the texts folder a build may read: the manifest, the pieces, and the files whose name a
    piece or the manifest mentions (images, the print profile), inside the folder once symbolic links are
    resolved. Others (a video, a backup, an archive lying there) are never read, not even to be digested."""
    folder = Path(texts).resolve()
    home = Path(sources.home or texts).resolve()
    # Another language's folder, and for a translation the source's pieces, are that language's sources only
    others = [folder / tag for tag in languages.of(sources.values)[1:] if folder / tag != home]
    if home != folder:
        others += [folder / name for name, _ in sources.values.get("pieces", [])]
    named = "\n".join([json.dumps(sources.values, default=str, ensure_ascii=False)] + [
        f"{piece.body}\n{piece.source or ''}" for piece in sources.pieces])
    pieces = {piece.path.resolve() for piece in sources.pieces}
    return [path for path in _files(texts, out)
            if path.resolve().is_relative_to(folder) and not any(path.resolve().is_relative_to(o) for o in others)
            and (path.resolve() in (folder / MANIFEST, home / MANIFEST) or path.resolve() in pieces
                or path.name in named or quote(path.name) in named or html.escape(path.name) in named)]


def _files(folder, out=None):
    """Files under folder that a build may read: not caches, hidden files or outputs (the output folder may lie
    inside, equal or above the texts folder; what is in it may be a source only if it is not an output)."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and not is_output(p, out))


def is_output(path, out):
    """Hidden files anywhere (the build's record, lock and temporary files) and, in the output folder, the
    files a build writes (named as an edition's files are): never inputs."""
    path = Path(path)
    if path.name.startswith("."):
        return True
    if out is None:
        return False
    try:  # by its name in the output folder: an edition's folder (the web edition's) holds outputs only
        name = path.resolve().relative_to(Path(out).resolve()).as_posix()
    except ValueError:
        return False
    return any(fnmatchcase(name, pattern) for pattern in OUTPUT_PATTERNS)


class SourcesHaveProblems(Exception):
    """The sources have problems: the build reports them."""


class Plan:
    """The jobs a build of these editions will do, each with the key of everything it is made from.

    options are everything else its outputs depend on (the command line's options, SOURCE_DATE_EPOCH).
    """

    def __init__(self, texts, out, editions, options, memo=None, language=None):
        self.out = Path(out)
        self.editions = set(editions)
        self.record = record_name(language)
        sources = read_pamphlet(texts, memo, language)  # the same reading as the build's, so both agree on every name
        if sources.problems:
            raise SourcesHaveProblems
        pieces = {piece.id: piece.path for piece in sources.pieces}
        shared = _digest(_files(PACKAGE) + _files(LAYOUTS) + _files(FONTS),
                         json.dumps([options, environment()], sort_keys=True))
        text_files = used_files(texts, out, sources)
        # The texts' files by their names in the texts folder: the outputs are the same wherever it lies (a folder
        # moved or copied elsewhere is still up to date).
        everything = _digest(text_files, shared, texts)
        piece_files = {path.resolve() for path in pieces.values()}
        common = [path for path in text_files if path.resolve() not in piece_files]
        self.jobs = registry.jobs(editions, sources.values["slug"],
                                  [(piece.id, vars(piece)) for piece in sources.pieces])
        # A job for one piece depends on that piece and the files every piece shares, not on the other pieces; the
        # job of a per-piece edition for the pamphlet as a whole (its share image) on the shared files alone.
        self.keys = {job.id: _digest(sorted(common + ([pieces[job.piece]] if job.piece else [])), shared, texts)
                     if job.piece or job.step.per_piece else everything for job in self.jobs}

    def fresh(self):
        """Ids of the jobs whose files are all there, unchanged since they were written, from the same inputs."""
        record = self._record()
        fresh = set()
        for job_id, key in self.keys.items():
            entry = record.get(job_id, {})
            if entry.get("key") == key and entry.get("files") and all(
                    (self.out / name).is_file() and content_digest(self.out / name) == sha
                    for name, sha in entry["files"].items()):
                fresh.add(job_id)
        return fresh

    def remember(self, written):
        """Record the key and content of the files each job just wrote ({job id: paths}), and remove the files
        of these editions that no job makes any more (a piece no longer a leaflet, a renamed slug), unless
        someone changed them since; return the paths removed."""
        before = self._record()
        record = {job_id: entry for job_id, entry in before.items() if "files" in entry}
        names = {self._name(path) for paths in written.values() for path in paths}
        gone = {}
        for job_id, paths in written.items():
            gone.update(record.pop(job_id, {"files": {}})["files"])
            record[job_id] = {"edition": job_id.split(":")[0], "key": self.keys[job_id],
                              "files": {self._name(path): content_digest(Path(path)) for path in paths}}
        for job_id in [job_id for job_id, entry in record.items()
                       if entry["edition"] in self.editions and job_id not in self.keys]:
            gone.update(record.pop(job_id)["files"])
        removed = []
        for name, sha in sorted(gone.items()):
            path = self.out / name
            if name not in names and path.is_file() and content_digest(path) == sha:
                path.unlink()
                removed.append(path)
        if record != before:
            temp = self.out / f".{self.record}.part"
            temp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(temp, self.out / self.record)
        return removed

    def _name(self, path):
        return Path(path).relative_to(self.out).as_posix()

    def _record(self):
        try:
            return json.loads((self.out / self.record).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def plan(texts, out, editions, options, memo=None, language=None):
    """A Plan; None when the sources have problems, which the build then reports with the rest of what it finds.
    A source that cannot be read raises the OSError, a folder or manifest missing the BuildError the build would;
    memo and language as read_pamphlet's."""
    try:
        return Plan(texts, out, editions, options, memo, language)
    except SourcesHaveProblems:
        return None
