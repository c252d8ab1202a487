"""Plan, build what is not up to date, remember what was written: the one loop the command and watch mode share."""

from pathlib import Path

import yaml

from . import plan as cache
from ..errors import BuildError
from ..sources import languages
from ..sources.files import MANIFEST
from ..sources.load import read_pamphlet
from .output import staged, write_problem


def manifest_values(texts):
    """The manifest's language, translations, bilingual, slug and identifier, read cheaply (a no-op build reads
    the pamphlet once), {} for those that are not what they should be: the build reports its problems."""
    try:
        # Every value as text (no dates made, which can fail): the build reads the manifest properly
        values = yaml.load((Path(texts) / MANIFEST).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(values, dict):
        return {}
    kept = {key: values[key] for key in ("language", "slug", "identifier") if isinstance(values.get(key), str)}
    for key in ("translations", "bilingual"):
        if isinstance(values.get(key), list) and all(isinstance(tag, str) for tag in values[key]):
            kept[key] = values[key]
    return kept


def languages_of(texts, chosen=None):
    """[(tag, translation)] of the languages to build: every language of the pamphlet in texts, the source's
    first, or the chosen one (--lang); translation is the tag to build a translation, None for the source."""
    values = manifest_values(texts)
    tags = languages.of(values) or [None]
    if chosen is not None:
        if chosen not in tags:
            raise BuildError.single(f"{texts}/{MANIFEST}", f"--lang {chosen}: the pamphlet's languages are "
                                                           f"{', '.join(map(str, tags))}")
        tags = [chosen]
    tongues = [(tag, None if tag == values.get("language") else tag) for tag in tags]
    # Each translation's manifest and pieces read before any language is built, so that a translation's problem
    # (a piece it lacks, a key its manifest may not set) leaves every language's files as they were
    for _, translation in tongues:
        if translation:
            BuildError.raise_any(read_pamphlet(texts, language=translation).problems)
    return tongues


def in_step(texts, language=None):
    """(lines, problems) of instep.report for the translations being built (every one, or the chosen)."""
    from ..sources import instep
    tags = [translation for _, translation in languages_of(texts, language) if translation]
    return instep.report(texts, tags) if tags else ([], [])


def in_step_lines(texts, report, language=None):
    """Say, after a build, which paragraphs of each translation's source changed since it was marked."""
    try:
        lines, _ = in_step(texts, language)
    except BuildError as err:  # the build has read the texts; a record that cannot be read is said
        lines = [str(problem) for problem in err.problems]
    for line in lines:
        report.note(line)


def rebuild(texts, out, editions, options, report, memo=None, language=None, staging=None, **build_options):
    """Build the outputs that are not up to date; return {job id: paths written}; when every output was, None,
    or {} when outputs no edition makes any more were removed (the report says which; into a staging: None,
    and removed once it commits). Problems raise BuildError. memo: what watch mode keeps of the texts between
    builds; language: a translation's tag, or None for the source; staging: the Staging of a build of several
    languages, which commits them all at once and only then writes the up-to-date records (None: this
    language's own, under the output folder's lock); build_options go to build()."""
    if staging is None:
        removed = []
        with staged(out, report.note) as own:
            written = _rebuild(texts, out, editions, options, report, memo, language, own, removed, build_options)
        return {} if written is None and removed else written
    return _rebuild(texts, out, editions, options, report, memo, language, staging, [], build_options)


def _rebuild(texts, out, editions, options, report, memo, language, staging, removed, build_options):
    """rebuild() into staging; the outputs no edition makes any more, once removed, are added to removed."""
    try:
        plan = cache.plan(texts, out, editions, options, memo, language)
    except OSError as err:  # a file the plan cannot read: say so, then the build finds what it means
        report.note(f"{err.filename}: cannot be read ({err.strerror}), so every output is built again")
        plan = None
    fresh = plan.fresh() if plan else set()
    if plan and fresh == set(plan.keys):
        staging.then(lambda: removed.extend(report.removed(plan.remember({}))))
        return None
    from . import build as build_module  # WeasyPrint loads only when there is something to build
    try:
        with report:
            written = build_module.build(texts, out, editions, report=report, skip=fresh, language=language,
                                         staging=staging, **options, **build_options)
    except OSError as err:
        raise BuildError([write_problem(err, out)]) from None
    if plan:  # the record names only files that are in place: a build that fails after this one leaves it
        staging.then(lambda: report.removed(plan.remember(written)))
    return written
