"""Watch mode: rebuilds what an edit affects each time a file of the pamphlet changes, and keeps watching."""

import re
import sys
import time

from watchfiles import watch

from . import plan as cache
from ..errors import BuildError, report_failure
from ..lint.checks import build_line
from .bilingual import rebuild_bilingual
from .rebuild import in_step_lines, languages_of, rebuild

# What editors write beside the file being edited (backups, autosaves, swap files; hidden ones are left out
# already): never a source, so never a reason to build.
EDITOR_FILES = re.compile(r"(~|\.swp|\.swx|\.bak|\.tmp)$|^#.*#$")


def watch_and_build(texts, out, editions, options, report, stop=None, language=None, on_build=None):
    """Build once, then after every change to the texts, layouts or fonts; a broken edit prints its problems
    and leaves the last good outputs in place. A pamphlet with translations is built in every language (or the
    one chosen), each keeping its own layouts and texts, so that an edit rebuilds only its language.
    on_build(problems) is told when each build ends, with its problems (the live preview)."""
    on_build = on_build or (lambda problems: None)
    from . import build as build_module
    kept = {}  # by language: so that each rebuild redoes only what an edit changed

    def rebuild_and_say():
        try:
            tongues = languages_of(texts, language)
        except BuildError as err:
            report_failure(err, out, sys.stderr, waiting=True)
            on_build(err.problems)
            return
        built, problems = False, []
        for tag, translation in tongues:
            built = rebuild_language(tag, translation, len(tongues) > 1, problems) or built
        if language is None:
            try:
                if rebuild_bilingual(texts, out, options, report):
                    report.note(f"{report.language}: rebuilt the bilingual edition in "
                                f"{sum(seconds for _, _, seconds in report.rows):.2f} s")
                    built = True
            except BuildError as err:
                report_failure(err, out, sys.stderr, waiting=True)
                problems += err.problems
        in_step_lines(texts, report, language)
        if built:
            report.note(build_line(texts))
        on_build(problems)

    def rebuild_language(tag, translation, several, problems):
        start = time.perf_counter()
        mine = kept.setdefault(translation, build_module.Kept())
        try:
            written = rebuild(texts, out, editions, options, report, memo=mine.memo, language=translation,
                              print_first=True, kept=mine)
        except BuildError as err:
            report_failure(err, out, sys.stderr, waiting=True)
            problems += err.problems
            return False
        which = f"{tag}: " if several else ""
        if not written:
            if written is None:
                report.note(f"{which}every output is up to date")
            return False
        count = sum(len(paths) for paths in written.values())
        parts = mine.parts
        laid_out = f" (print layout: {parts.laid_out} of {parts.count} parts laid out again)" if parts.count else ""
        report.note(f"{which}rebuilt {count} file{'s' if count != 1 else ''} "
                    f"in {time.perf_counter() - start:.2f} s{laid_out}")
        problems += report.problems  # one piece's leaflet not made: the rest was written
        report.tell_not_made(out, sys.stderr)
        return True

    rebuild_and_say()
    folders = [str(texts), str(build_module.LAYOUTS), str(build_module.FONTS)]
    announced = False
    try:
        def is_source(change, path):
            return not cache.is_output(path, out) and not EDITOR_FILES.search(path.rsplit("/", 1)[-1])

        # yield_on_timeout: the first, empty, yield says the watcher is running; only then say so.
        for changes in watch(*folders, watch_filter=is_source, step=20, debounce=300, stop_event=stop,
                             raise_interrupt=False, yield_on_timeout=True, rust_timeout=200):
            if not changes:
                if not announced:
                    report.note(f"watching {', '.join(folders)} (Ctrl-C to stop)")
                    sys.stdout.flush()
                    announced = True
                continue
            names = sorted({path.rsplit("/", 1)[-1] for _, path in changes})
            report.note(f"changed: {', '.join(names)}")
            rebuild_and_say()
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    return 0
