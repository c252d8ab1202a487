"""Plan, build what is not up to date, remember what was written: the one loop the command and watch mode share."""

from . import plan as cache
from ..errors import BuildError
from .output import build_lock, write_problem


def rebuild(texts, out, editions, options, report, memo=None, **build_options):
    """Build, holding the output folder's lock, the outputs that are not up to date; return {job id: paths
    written}; when every output was, None, or {} when outputs no edition makes any more were removed (the report
    says which). Problems raise BuildError. memo: what watch mode keeps of the texts between builds;
    build_options go to build()."""
    with build_lock(out, report.note):
        try:
            plan = cache.plan(texts, out, editions, options, memo)
        except OSError as err:  # a file the plan cannot read: say so, then the build finds what it means
            report.note(f"{err.filename}: cannot be read ({err.strerror}), so every output is built again")
            plan = None
        fresh = plan.fresh() if plan else set()
        if plan and fresh == set(plan.keys):
            return {} if report.removed(plan.remember({})) else None
        from . import build as build_module  # WeasyPrint loads only when there is something to build
        try:
            with report:
                written = build_module.build(texts, out, editions, report=report, skip=fresh, **options,
                                             **build_options)
            if plan:
                report.removed(plan.remember(written))
        except OSError as err:
            raise BuildError([write_problem(err, out)]) from None
        return written
