"""The command line: python build.py [EDITION ...] [--texts DIR] [--out DIR]."""

import argparse
import sys

from . import cache
from .errors import BuildError
from .report import Report

EDITIONS = ("print", "booklet", "leaflets", "screen", "epub")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build a pamphlet's editions from its texts. With no edition named, builds every edition.",
    )
    parser.add_argument("editions", nargs="*", metavar="EDITION",
                        help=f"edition to build: {', '.join(EDITIONS)}")
    parser.add_argument("--texts", default="texts", help="folder with pamphlet.yml and the pieces (default: texts)")
    parser.add_argument("--out", default="dist", help="folder for the outputs (default: dist)")
    parser.add_argument("--crop-marks", action="store_true",
                        help="add crop marks outside the bleed of the print edition, for print shops that ask")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    unknown = [e for e in args.editions if e not in EDITIONS]
    if unknown:
        parser.error(f"unknown edition {', '.join(map(repr, unknown))}; choose from: {', '.join(EDITIONS)}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    editions = tuple(args.editions) or EDITIONS
    report = Report(quiet=args.quiet)
    plan = cache.plan(args.texts, args.out, editions, {"crop_marks": args.crop_marks})
    fresh = plan.fresh() if plan else set()
    if plan and fresh == set(plan.keys):
        report.note(f"{args.out}: every output is up to date; nothing to rebuild")
        return 0
    from . import build as build_module  # WeasyPrint loads only when there is something to build
    try:
        with report:
            written = build_module.build(args.texts, args.out, editions, crop_marks=args.crop_marks,
                                         report=report, skip=fresh)
    except BuildError as err:
        count = len(err.problems)
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; "
              f"the files already in {args.out} were left as they were", file=sys.stderr)
        return 1
    if plan:
        plan.remember(written)
    report.summary()
    return 0
