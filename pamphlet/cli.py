"""The command line: python build.py [EDITION ...] [--texts DIR] [--out DIR] [--watch [--serve]] [--strict],
build.py new DIR and build.py lint; installed, the same as pamphlet build, pamphlet new and pamphlet lint."""

import argparse
import os
import re
import sys
from contextlib import contextmanager

from . import __version__
from .editions import NAMES as EDITIONS
from .errors import BuildError, report_failure
from .pipeline.report import Report


def parse_args(argv, prog="build.py"):
    command = prog.split()[0]
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build a pamphlet's editions from its texts. With no edition named, builds every edition.",
        epilog="other commands:\n"
               f"  {command} new DIR{' ' * (23 - len(command))}write a small pamphlet folder to start from\n"
               f"  {command} lint [--texts DIR]{' ' * (12 - len(command))}point at names spelled two ways, "
               "doubled words, spelling, …\n"
               f"  {command} signatories [--texts DIR]{' ' * max(1, 5 - len(command))}check the signatories' "
               "spreadsheets, count them\n"
               f"  {command} translations [--texts DIR] [--mark TAG [--piece NAME ...]]\n"
               f"{' ' * 33}name what changed in the source since each translation was marked",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("editions", nargs="*", metavar="EDITION",
                        help=f"edition to build: {', '.join(EDITIONS)}")
    parser.add_argument("--texts", default="texts", help="folder with pamphlet.yml and the pieces (default: texts)")
    parser.add_argument("--out", default="dist", help="folder for the outputs (default: dist)")
    parser.add_argument("--crop-marks", action="store_true",
                        help="add crop marks outside the bleed of the print edition, for print shops that ask")
    parser.add_argument("--watch", action="store_true",
                        help="build, then rebuild what each edit affects until stopped with Ctrl-C")
    parser.add_argument("--serve", action="store_true",
                        help="with --watch: show the web edition and the print pages in a browser on this computer, "
                             "reloaded after each rebuild, with the build's problems")
    parser.add_argument("--port", type=int, default=8000, help="the live preview's port (default: 8000; 0: any free)")
    parser.add_argument("--bench", action="store_true",
                        help="time every edition against Pandoc and the daily loop; print the figures")
    parser.add_argument("--lang", metavar="TAG", help="build only this language of a pamphlet with translations "
                                                       "(default: every language)")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    parser.add_argument("--strict", action="store_true",
                        help=f"stop before building if '{command} lint' finds anything in the texts or a "
                             "translation is out of step with its source; fail the build on a line at fault or on "
                             "the page makeup of the print edition or booklet it builds")
    args = parser.parse_args(argv)
    if args.serve and not args.watch:
        parser.error("--serve shows what watch mode builds: use it with --watch")
    unknown = [e for e in args.editions if e not in EDITIONS]
    if unknown:
        parser.error(f"unknown edition {', '.join(map(repr, unknown))}; choose from: {', '.join(EDITIONS)}")
    return args


def new(argv, command="build.py"):
    """python build.py new DIR"""
    parser = argparse.ArgumentParser(
        prog=f"{command} new", description="Write a small pamphlet folder to start from, commented field by field.")
    parser.add_argument("folder", metavar="DIR", help="a new or empty folder")
    parser.add_argument("--languages", metavar="TAGS", default="en",
                        help="the source's language, then its translations', each a folder of pieces to translate "
                             "(default: en; e.g. en,ru)")
    args = parser.parse_args(argv)
    tags = [tag.strip() for tag in args.languages.split(",")]
    from .sources.schema import LANGUAGE_TAG
    if any(not re.fullmatch(LANGUAGE_TAG, tag) for tag in tags) or len(set(tags)) != len(tags):
        parser.error(f"--languages {args.languages}: give distinct language tags separated by commas, e.g. en,ru")
    from .scaffold import new_pamphlet
    try:
        files = new_pamphlet(args.folder, tags)
    except (FileExistsError, OSError) as err:
        parser.error(str(err))
    for path in files:
        print(f"wrote {path}")
    build = "python build.py" if command == "build.py" else f"{command} build"
    print(f"build it with: {build} --texts {args.folder} --out {args.folder}/dist")
    return 0


def _texts_only(argv, prog, description):
    """The arguments of a command that reads the texts and builds nothing: --texts alone."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--texts", default="texts", help="folder with pamphlet.yml and the pieces (default: texts)")
    return parser.parse_args(argv)


def lint(argv, command="build.py"):
    """python build.py lint [--texts DIR]"""
    args = _texts_only(argv, f"{command} lint", "Point at what an editor should look at twice before printing: "
                       "names spelled two ways, stray characters, doubled words, spacing, unbalanced quotes and "
                       "brackets, spelling. Exit status 1 when there are findings, 0 when there are none.")
    findings = _lint(args.texts, sys.stdout)
    if findings is None:
        return 1
    from .lint.checks import count
    print(f"lint: {count(findings)}", file=sys.stderr)
    return 1 if findings else 0


def signatories(argv, command="build.py"):
    """python build.py signatories [--texts DIR]"""
    args = _texts_only(argv, f"{command} signatories", "Read each piece's signatories file (CSV, XLSX or ODS) and "
                       "check it as a build would, without building: the count, the rows left out, and every "
                       "problem (empty names, names entered twice, test rows, names in capitals). Exit status 1 "
                       "when there are problems.")
    from .sources.load import read_pamphlet, signed_line, with_signatories
    try:
        sources = read_pamphlet(args.texts)
    except BuildError as err:
        sources = None
        problems = err.problems
    else:
        problems = sources.problems
        for piece in sources.pieces:
            piece, found = with_signatories(piece, sources.folder)
            problems.extend(found)
            if piece.signatories_file:
                print(signed_line(piece))
    for problem in problems:
        print(problem, file=sys.stderr)
    if sources is not None and not any(piece.signatories_file for piece in sources.pieces):
        print("no piece takes its signatories from a file ('signatories_file' in its front matter)")
    return 1 if problems else 0


def translations(argv, command="build.py"):
    """python build.py translations [--texts DIR] [--mark TAG [--piece NAME ...]]"""
    parser = argparse.ArgumentParser(
        prog=f"{command} translations",
        description="Name, for every translation, each paragraph (heading, list item, note, …) of its source that "
                    "changed since the translation was marked, with the old and the new text; with --mark, record "
                    "that a translation is in step with its source as it is now. Exit status 1 when a translation "
                    "is stale.")
    parser.add_argument("--texts", default="texts", help="folder with pamphlet.yml and the pieces (default: texts)")
    parser.add_argument("--mark", metavar="TAG", help="record the translation TAG as in step with its source")
    parser.add_argument("--piece", metavar="NAME", action="append", default=[],
                        help="with --mark: only this piece (as pamphlet.yml names it); repeat for more")
    args = parser.parse_args(argv)
    if args.piece and not args.mark:
        parser.error("--piece needs --mark")
    from .sources import instep, languages
    from .sources.load import read_pamphlet
    try:
        tags = languages.of(read_pamphlet(args.texts).values)[1:]
        if args.mark:
            if args.mark not in tags:
                parser.error(f"--mark {args.mark}: the pamphlet's translations are {', '.join(tags) or 'none'}")
            for name in instep.mark(args.texts, args.mark, args.piece):
                print(f"{args.texts}/{args.mark}/{name}: marked as in step with {name}")
            return 0
        lines, problems = instep.report(args.texts, tags)
    except BuildError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 1 if problems else 0


def _lint(texts, stream):
    """Lint the texts, printing each finding to stream and what could not be checked to stderr; None if the
    texts cannot be read (the problems are printed)."""
    from .lint.checks import lint as lint_texts
    try:
        findings, notes = lint_texts(texts)
    except BuildError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return None
    for finding in findings:
        print(finding, file=stream)
    for note in notes:
        print(note, file=sys.stderr)
    return findings


def _strict(texts, out, language=None):
    """--strict: lint first, and look for translations out of step with their source; with findings or a stale
    translation the build stops before writing anything. True to go on."""
    findings = _lint(texts, sys.stderr)
    if findings == []:
        try:
            from .pipeline.rebuild import in_step
            _, problems = in_step(texts, language)
        except BuildError as err:
            problems = err.problems
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            return True
        print(f"build stopped (--strict): {len(problems)} stale paragraph{'s' if len(problems) != 1 else ''} in "
              f"the translations (build.py translations shows them); the files already in {out} were left as "
              "they were", file=sys.stderr)
        return False
    from .lint.checks import count
    what = "the texts cannot be read" if findings is None else f"lint: {count(findings)}"
    print(f"build stopped (--strict): {what}; the files already in {out} were left as they were", file=sys.stderr)
    return False


def _lint_line(texts, report, checked=False):
    """The one line every build prints after its summary (none found if --strict already checked). A quiet build
    prints only errors, so it does not lint for a line it would not show (texts/: 0.3 s of CPU, the spelling
    dictionaries opened and every word checked, a twentieth of a cold build's; the bench's builds are quiet)."""
    if report.quiet:
        return
    from .lint.checks import build_line
    report.note("lint: no findings" if checked else build_line(texts))


def source_date_epoch(environ):
    """SOURCE_DATE_EPOCH as the user set it, or None: the one place the build reads the environment."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


@contextmanager
def fixed_font_time(epoch):
    """While the command runs, SOURCE_DATE_EPOCH is set (to epoch, or 0): fontTools, WeasyPrint's fallback
    font subsetter, stamps the current time into every font it writes unless it is. The build itself takes
    its date as a value (build.build_date), never from here."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch or 0)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def command():
    """The installed command: pamphlet build|new|lint, with build.py's options (pamphlet alone builds)."""
    argv = sys.argv[1:]
    if argv[:1] == ["build"]:
        return main(argv[1:], prog="pamphlet build")
    return main(argv, prog="pamphlet")


def main(argv=None, prog="build.py"):
    try:
        return _main(sys.argv[1:] if argv is None else argv, prog)
    except KeyboardInterrupt:  # Ctrl-C outside a build (lint, the summary): nothing is half-written
        print("interrupted", file=sys.stderr, flush=True)
        return 130


def _main(argv, prog):
    if argv[:1] == ["new"]:
        return new(argv[1:], prog.split()[0])
    if argv[:1] == ["lint"]:
        return lint(argv[1:], prog.split()[0])
    if argv[:1] == ["signatories"]:
        return signatories(argv[1:], prog.split()[0])
    if argv[:1] == ["translations"]:
        return translations(argv[1:], prog.split()[0])
    args = parse_args(argv, prog)
    editions = tuple(args.editions) or EDITIONS
    if args.bench:
        from .bench import run_bench
        return run_bench(args.texts)
    if args.strict and not _strict(args.texts, args.out, args.lang):
        return 1
    options = {"crop_marks": args.crop_marks, "epoch": source_date_epoch(os.environ)}
    with fixed_font_time(options["epoch"]):
        if args.watch:
            from .pipeline.watch import watch_and_build
            report = Report(quiet=args.quiet, live=False)
            if not args.serve:
                return watch_and_build(args.texts, args.out, editions, options, report, language=args.lang)
            from .pipeline.serve import Preview
            preview = Preview(args.out, args.texts)
            try:
                address = preview.start(args.port)
            except OSError as err:
                print(f"cannot serve the preview on port {args.port} ({err.strerror}); choose another with --port",
                      file=sys.stderr)
                return 2
            print(f"preview at {address} (this computer only)", flush=True)
            try:
                return watch_and_build(args.texts, args.out, editions, options, report, language=args.lang,
                                       on_build=preview.built)
            finally:
                preview.stop()
        return build_once(args.texts, args.out, editions, options, Report(quiet=args.quiet), linted=args.strict,
                          language=args.lang)


def build_once(texts, out, editions, options, report, linted=False, language=None):
    """Build what is not up to date, in every language of the pamphlet (or the one chosen), one language after
    the other; print problems or each language's summary, then the lint line; return the exit status. A no-op
    build prints no lint line: the texts are those the last build linted, and linting them again would cost
    most of a no-op's time."""
    from .pipeline.bilingual import rebuild_bilingual
    from .pipeline.output import staged
    from .pipeline.rebuild import in_step_lines, languages_of, rebuild
    held = []  # each language's report, summed up once every language's files are in place
    try:
        # One staging for every language and the bilingual edition: a problem found in any leaves all as they were
        with staged(out, report.note) as staging:
            for tag, translation in languages_of(texts, language):
                report.begin(tag if translation or language else None)
                written = rebuild(texts, out, editions, options, report, strict=linted, language=translation,
                                  staging=staging)
                if written is None:
                    report.note(f"{out}: every output{f' in {tag}' if translation else ''} is up to date; nothing "
                                "to rebuild")
                elif written:
                    held.append(report.held())
            if language is None and rebuild_bilingual(texts, out, options, report, staging):
                held.append(report.held())
    except BuildError as err:
        report_failure(err, out, sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the staged files are discarded on the way out, the old ones stay
        print(f"interrupted; the files already in {out} were left as they were", file=sys.stderr, flush=True)
        return 130
    status = 0
    for done in held:
        done.summary()
        status = max(status, 1 if done.tell_not_made(out, sys.stderr) else 0)
    built = bool(held)
    in_step_lines(texts, report, language)
    if built:
        _lint_line(texts, report, checked=linted)
    return status
