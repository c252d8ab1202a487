"""Knows, from the content of every input, which outputs are already up to date, so they are not rebuilt.

Kept light (no WeasyPrint) so that a rebuild with nothing to do returns at once.
"""

import hashlib
import json
import os
from pathlib import Path

import yaml

CODE = Path(__file__).resolve().parent
ROOT = CODE.parent
RECORD = ".pamphlet-cache.json"
# As the user set it when the command started (a build sets it too, for fontTools).
USER_EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
MAIN = {"print": "{slug}-print.pdf", "booklet": "{slug}-booklet.pdf", "screen": "{slug}-screen.pdf",
        "epub": "{slug}.epub"}


def output_name(edition, slug, piece=None):
    """The one place that names outputs: an edition's file, or with piece, that piece's leaflet."""
    return f"{slug}-leaflet-{piece}.pdf" if edition == "leaflets" else MAIN[edition].format(slug=slug)


def _digest(paths, extra=""):
    sha = hashlib.sha256(extra.encode())
    for path in paths:
        sha.update(str(path.relative_to(path.anchor)).encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()


def _content(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder, leave_out=None):
    """Files under folder, but for caches, hidden files and the output folder (which may lie inside it)."""
    leave_out = Path(leave_out).resolve() if leave_out else None
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
                  and not (leave_out and p.resolve().is_relative_to(leave_out)))


class Plan:
    """The outputs a build of these editions will write, each with the key of everything it is made from."""

    def __init__(self, texts, out, editions, options):
        self.out = Path(out)
        texts = Path(texts)
        manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
        slug, pieces = manifest["slug"], list(manifest["pieces"])
        shared = _digest(_files(CODE) + _files(ROOT / "layouts") + _files(ROOT / "fonts"),
                         json.dumps([options, USER_EPOCH]))
        text_files = _files(texts, leave_out=out)
        everything = _digest(text_files, shared)
        self.keys = {output_name(e, slug): everything for e in editions if e in MAIN}
        if "leaflets" in editions:
            others = {texts / p for p in pieces}
            common = [p for p in text_files if p not in others]
            for piece in pieces:
                text = (texts / piece).read_text(encoding="utf-8")
                front = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
                if isinstance(front, dict) and front.get("leaflet") is True:
                    name = output_name("leaflets", slug, Path(piece).stem)
                    self.keys[name] = _digest(sorted(common + [texts / piece]), shared)

    def fresh(self):
        """Outputs whose file is there, unchanged since it was written, from the same inputs."""
        record = self._record()
        fresh = set()
        for name, key in self.keys.items():
            entry = record.get(name)
            path = self.out / name
            if entry and entry["key"] == key and path.is_file() and _content(path) == entry["sha256"]:
                fresh.add(name)
        return fresh

    def remember(self, written):
        """Record the key and content of every output just written."""
        record = self._record()
        for path in written:
            path = Path(path)
            if path.name in self.keys:
                record[path.name] = {"key": self.keys[path.name], "sha256": _content(path)}
        temp = self.out / f".{RECORD}.part"
        temp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temp, self.out / RECORD)

    def _record(self):
        try:
            return json.loads((self.out / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def plan(texts, out, editions, options):
    """A Plan, or None when the sources cannot even be read that far (the build then reports why)."""
    try:
        return Plan(texts, out, editions, options)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, yaml.YAMLError):
        return None
