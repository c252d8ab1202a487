"""Builds the bilingual edition after the languages: up to date when neither of its two languages changed,
written atomically, recorded beside the languages' own records."""

import hashlib
import json
from pathlib import Path

from . import plan as cache
from ..errors import BuildError
from ..sources import languages
from .memo import Memo
from .output import staged, write_problem
from .rebuild import manifest_values

RECORD = ".pamphlet-cache-bilingual.json"


def rebuild_bilingual(texts, out, options, report, staging=None):
    """Build the bilingual edition the manifest asks for (bilingual: [kk, ru]) unless it is up to date; return
    the paths written ([] when up to date, None when the pamphlet asks for none), their rows in the report.
    staging: the Staging of a build of every language, which commits them all at once and only then writes the
    record (None: its own, under the output folder's lock). Problems raise BuildError."""
    if staging is None:
        with staged(out, report.note) as own:
            paths = rebuild_bilingual(texts, out, options, report, own)
        return paths
    values = manifest_values(texts)
    pair = values.get("bilingual")
    if not pair or len(pair) != 2 or not set(pair) <= set(languages.of(values)) or "slug" not in values:
        return None  # none asked for, or a manifest whose problems the languages' builds reported
    source = values["language"]
    tags = [None if tag == source else tag for tag in pair]
    out = Path(out)
    from ..editions.bilingual import BILINGUAL, file_names
    names = file_names(values["slug"], pair)
    plans = [cache.plan(texts, out, ("print",), options, None, tag) for tag in tags]
    key = hashlib.sha256(json.dumps([plan.keys["print"] if plan else None for plan in plans]).encode()).hexdigest()
    record = _record(out)
    if all(plans) and record.get("key") == key and all((out / name).is_file() and cache.content_digest(out / name)
                                                       == sha for name, sha in record["files"].items()):
        return []
    report.begin(" and ".join(pair))
    report.step(f"making the bilingual edition ({' and '.join(pair)})")
    try:
        with report:
            files, seconds = _make(texts, tags, values, pair, names, options)
            for name, data in files.items():
                staging.write(name, data)
    except OSError as err:
        raise BuildError([write_problem(err, out)]) from None

    def remember():
        temp = out / f".{RECORD}.part"
        temp.write_text(json.dumps({"key": key, "files": {name: cache.content_digest(out / name) for name in names}},
                                   indent=1), encoding="utf-8")
        temp.replace(out / RECORD)
    staging.then(remember)
    for name in names:
        report.wrote(out / name, BILINGUAL, seconds[name])
    return [out / name for name in names]


def _make(texts, tags, values, pair, names, options):
    from ..editions import bilingual
    from ..render.templates import Renderer
    from ..shipped import LAYOUTS
    from ..sources.load import load_pamphlet
    from .build import build_date, pdf_writer
    memo = Memo()
    renderers = []
    for tag in tags:
        pamphlet = load_pamphlet(texts, memo, tag)
        renderers.append(Renderer(pamphlet, LAYOUTS, build_date(pamphlet, options.get("epoch")), memo))
    identifier = languages.identifier(values, "+".join(pair))
    return bilingual.make(pdf_writer(texts), *renderers, identifier, names)


def _record(out):
    try:
        return json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
