"""Runs a build as a pipeline: load and check the sources, render, make each requested edition, commit."""

import contextlib
import datetime
import tempfile
from contextlib import nullcontext
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import editions as registry
from ..editions import sheets
from ..editions import BUILT_IN, FORKED, HERE, PRINT_LAYOUT, PRINT_MAKEUP, PRINT_PDF
from ..editions.print_edition import lay_out
from ..errors import BuildError, Problem
from ..shipped import FONTS, LAYOUTS
from .plan import layout_sources
from ..preflight.layout import Findings
from ..preflight import makeup
from ..preflight.lines import PageLines
from ..editions.subset import faces
from ..engine.parts import PartLayouts
from ..sources.load import MANIFEST, load_pamphlet, signed_line
from .memo import Memo, file_key
from .output import Staging, remove_stale
from .parallel import Background
from ..engine.pdf import PdfWriter, missing_libraries, progress
from ..render.templates import Renderer, locale_path
from .report import Report
from ..markup.glyphs import check_glyphs, check_svg_text, font_coverage
from ..render.references import check_layouts, layout_references



@dataclass
class Kept:
    """What a process that builds again and again (watch mode) keeps from one build to the next, so that a build
    after an edit redoes only what the edit changed; a build given nothing keeps nothing."""
    pdf: PdfWriter | None = None  # one font configuration for every layout; made when first needed
    parts: PartLayouts = field(default_factory=PartLayouts)  # the print layout's parts (see incremental)
    findings: Findings = field(default_factory=Findings)  # what the checks found in each page (see check)
    memo: Memo = field(default_factory=Memo)  # what was made of each text: its Markdown converted and checked
    lines: PageLines = field(default_factory=PageLines)  # the lines of each print page (see preflight.lines)


class Tools:
    """What every edition is made with: the rendered texts, the build's options, and what is kept from the last
    build (a PDF writer, the print layout's parts, what the checks found in its pages)."""

    def __init__(self, renderer, crop_marks=False, kept=None, strict=False):
        self.renderer = renderer
        self.crop_marks = crop_marks
        self.kept = kept if kept is not None else Kept()
        self.strict = strict  # lines at fault in a laid-out edition, or the print edition's page makeup, fail it
        self.lines = {}       # what preflight.lines measured in each laid-out file (Lines), by file name
        self.makeup = {}      # {kind: count} of page-makeup findings of an edition laid out on its own, by file name

    def measured(self, name, found):
        """Keep what lines.measure found in a file for the summary; with strict, any line at fault fails the build."""
        self.lines[name] = found
        if self.strict and found.total():
            BuildError.raise_any([Problem(name, None, f"{message} (--strict: lines a typesetter would not accept)")
                                  for message in found.messages()])

    def made_up(self, name, findings):
        """The print edition's page-makeup findings (preflight.makeup): with strict, any fails the build."""
        if self.strict and findings:
            BuildError.raise_any([Problem(problem.path, problem.line, f"{problem.message} (--strict: page makeup a "
                                                                      "designer would not sign off)")
                                  for problem in (finding.problem(name) for finding in findings)])

    def layout_sources(self):
        """Digest of what the print layout loads besides its HTML: layouts, fonts, the texts' images."""
        pamphlet = self.renderer.pamphlet
        profile = pamphlet.folder / pamphlet.print_profile if pamphlet.print_profile else None
        return layout_sources([LAYOUTS, FONTS], [*self.renderer.images.values(),
                                                 *([profile] if profile and profile.is_file() else [])])

    @property
    def pdf(self):
        """The process's PdfWriter, made when first needed: its font configuration is shared by every layout."""
        if self.kept.pdf is None:
            self.kept.pdf = pdf_writer(self.renderer.pamphlet.folder)
        return self.kept.pdf


def pdf_writer(texts):
    """A PdfWriter that loads files only from the pamphlet's folders (watch mode keeps one for every build)."""
    return PdfWriter(LAYOUTS, roots=(Path(texts), LAYOUTS, FONTS), texts=texts)


def build(texts, out, editions, crop_marks=False, report=None, skip=(), print_first=False, epoch=None, kept=None,
          strict=False, language=None, staging=None):
    """Build the named editions of the pamphlet in texts into out, leaving alone the jobs whose ids are in skip
    (up to date); return {job id: paths written}. epoch is SOURCE_DATE_EPOCH as the user set it (or None);
    print_first puts the print PDF in place as soon as it is made (watch mode: the page someone is looking
    at), the rest when all are done; kept is what the last build kept for this one (Kept); strict fails the
    build on lines a typesetter would not accept (preflight.lines) and on the print edition's page makeup
    (preflight.makeup); language: a translation's tag (None: the
    source's); staging: an output.Staging that the caller commits (None: the build commits its own)."""
    report = report or Report(quiet=True)
    report.step("reading and checking the texts")
    for note in missing_libraries():
        report.note(note)
    kept = kept if kept is not None else Kept()
    memo = kept.memo
    memo.begin()
    pamphlet = load_pamphlet(texts, memo, language)
    for name in pamphlet.left_out:
        report.note(f"{pamphlet.language}: '{name}' is not translated; left out (missing_translations: leave out)")
    for piece in pamphlet.pieces:
        if piece.signatories_file:
            report.note(signed_line(piece))
    renderer = Renderer(pamphlet, LAYOUTS, build_date(pamphlet, epoch), memo)
    _check_sources(pamphlet, renderer.images.values(), memo)
    out = Path(out)
    _prepare_out(out)
    own = staging is None  # else the caller's, shared by every language built: it commits them all at once
    if own:  # a shared staging's caller did before its first language: the earlier languages' files are staged
        remove_stale(out)
    pieces = [(piece["id"], piece) for piece in renderer.pieces]
    jobs = [job for job in registry.jobs(editions, pamphlet.slug, pieces) if job.id not in skip]
    tools = Tools(renderer, crop_marks, kept, strict)
    steps = registry.with_steps(jobs)
    BuildError.raise_any([problem for job in steps for problem in job.step.problems(tools, job)])
    with Staging(out) if own else nullcontext(staging) as staging, Background(tools) as background:
        work = _Work(steps, tools, background)
        work.make(report, staging, print_first)
        # the file from before shows the piece as it was: it must not be handed out
        stale = [out / name for job, _ in work.failed for name in job.files]
        staging.then(lambda: [path.unlink(missing_ok=True) for path in stale])
        if own:
            staging.commit()
    written = {job.id: [out / name for name in work.files.get(job.id, ())] for job in jobs}
    for job in jobs:
        for path in written[job.id]:
            report.wrote(path, job.step, work.seconds(job))
    report.lines.update(tools.lines)
    report.editions_makeup.update(tools.makeup)
    for job, err in work.failed:
        report.not_made(out / job.files[0], job.step, err.problems)
    return written


class _Work:
    """The jobs of one build, what each has made so far, and how long each took."""

    def __init__(self, jobs, tools, background):
        self.jobs, self.tools, self.background = jobs, tools, background
        self.values = {}    # what each job made, by job id; the print layout and PDF by their names
        self.futures = {}   # the jobs given to the second process, by id
        self.own = {}       # the seconds each took itself
        self.files = {}     # the files each edition's job wrote, by id
        self.failed = []    # (job, BuildError) of the editions of one piece that could not be made
        self.here = set()   # the jobs given to the second process and taken back, made here (_take_back)

    def make(self, report, staging, print_first):
        """The second process starts each of its jobs as soon as what it needs is there, while this one lays
        out the print edition (when a job needs it), then makes its own jobs in order. print_first: what needs the
        print layout starts once the print PDF is in place, not while it is written (forking a process that holds
        a long text's layout, and a third process on two cores, slow the writing someone is waiting for)."""
        self.start_ready()
        first = print_first and any(job.step.name == "print" for job in self.jobs)
        if any(need in BUILT_IN for job in self.jobs for need in job.step.needs):
            report.step("laying out the print edition")
            start = time.perf_counter()
            name = registry.file_name("print", self.tools.renderer.pamphlet.slug)
            with progress(report.progress("the print edition")):  # a long text takes a while: say how far
                self.values[PRINT_LAYOUT], self.values[PRINT_PDF] = lay_out(
                    self.tools, name, then=None if first else self.layout_made)
            self.own[PRINT_LAYOUT] = time.perf_counter() - start
            renderer = self.tools.renderer
            report.paper = sheets.count(self.values[PRINT_LAYOUT], [piece["id"] for piece in renderer.pieces],
                                        renderer.pamphlet.openings)
            findings = makeup.check_makeup(self.values[PRINT_LAYOUT])
            # What the proof sheet reads of the pages, which can be sent (the layout cannot): it is made in the second
            # process, not in a fork holding a copy of the layout (the long text's peak memory, a process less).
            self.values[PRINT_MAKEUP] = findings, report.paper.blank_pages
            report.makeup = makeup.counts(findings)
            report.makeup_fixes = [finding.problem(name) for finding in findings if finding.fix]
            # Only where the build prints these pages (print, booklet: "sheets"), not where it reads their numbers.
            if any(job.step.pages == "sheets" for job in self.jobs):
                self.tools.made_up(name, findings)
            if not first:
                self.start_ready()
        for job in sorted(self.jobs, key=lambda job: job.step.runs != HERE):  # this process's own jobs first
            if job.files:
                report.step(f"making {job.files[0]}")
                try:
                    result = self.value(job.id)
                except BuildError as err:
                    if job.piece is None:
                        raise
                    self.failed.append((job, err))  # one piece's leaflet: the other editions are still made
                    continue
                self.stage(job, result, staging)
                if first and job.step.name == "print":
                    staging.commit()
                    self.start_ready()

    def layout_made(self, layout):
        """What needs the print layout alone starts now, while this process writes the print PDF."""
        self.values[PRINT_LAYOUT] = layout
        self.start_ready()

    def start_ready(self):
        """Give the second process, or a process forked now, each of its jobs whose needs are all made."""
        for job in self.jobs:
            if job.step.runs != HERE and job.id not in self.futures and all(n in self.values for n in job.step.needs):
                start = self.background.fork if job.step.runs == FORKED else self.background.submit
                self.futures[job.id] = start(job, **self.needs(job))

    def needs(self, job):
        return {need: self.value(need) for need in job.step.needs}

    def value(self, job_id):
        """What the job made: made here now, or waited for from the second process, taken back from it when it has
        not started it (_take_back)."""
        if job_id not in self.values:
            if job_id in self.futures and job_id not in self.here and not self._take_back(job_id):
                while self.background.waiting(self.futures[job_id]) and self._take_back():
                    pass  # made one of the second process's later jobs here meanwhile
                self.values[job_id], self.own[job_id], (measured, made_up) = self.futures[job_id].result()
                self.tools.lines.update(measured)  # the leaflets' lines, measured in the other process
                self.tools.makeup.update(made_up)  # the large print's page makeup, checked there
            else:
                job = next(job for job in self.jobs if job.id == job_id)
                start = time.perf_counter()
                self.values[job_id] = job.step.function()(self.tools, job, **self.needs(job))
                self.own[job_id] = time.perf_counter() - start
        return self.values[job_id]

    def _take_back(self, job_id=None):
        """Whether a job given to the second process that it has not started (job_id's; None: the last given, as it
        works from the first) was taken back, and made here: this process would only wait for it. So a small text's
        cover for the EPUB, which needs the print PDF, is not left behind its share images there, and the two
        processes share out what is left. A job taken back that fails is made again, and reported, where the
        build asks for it."""
        ids = [job_id] if job_id else reversed(self.futures)  # the last given first
        taken = next((other for other in ids if other not in self.here and other not in self.values
                      and self.background.take_back(self.futures[other])), None)
        if taken is None:
            return False
        self.here.add(taken)
        if job_id is None:
            with contextlib.suppress(BuildError):
                self.value(taken)
        return True

    def stage(self, job, result, staging):
        """Hand the job's file, or files ({name: bytes}), to staging."""
        files = result if isinstance(result, dict) else {job.files[0]: result}
        for name, data in files.items():
            if not job.writes(name):
                raise ValueError(f"{job.id} made {name}, which its declaration does not name")
            staging.write(name, data)
        self.files[job.id] = list(files)

    def seconds(self, job):
        """Its own time, and that of each step it needs that no job before it needed (the print layout, which
        makes the print PDF too, counts once)."""
        def steps(job):
            return {PRINT_LAYOUT if need in BUILT_IN else need for need in job.step.needs}

        total = self.own.get(job.id, 0.0)
        for step in steps(job):
            if next(other for other in self.jobs if step in steps(other)) is job:
                total += self.own.get(step, 0.0)
        return total


def build_date(pamphlet, epoch=None):
    """The date stamped into every output: epoch (SOURCE_DATE_EPOCH as the user set it) or the manifest's date."""
    if epoch is not None:
        return datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return datetime.datetime.combine(pamphlet.date, datetime.time(), datetime.UTC)


def _check_sources(pamphlet, images, memo):
    """Layouts that refer only to files of the pamphlet, fonts that are fonts, and every character in them,
    the text of SVG images (images: the image files the texts show) included. Each check is kept in memo by
    the content of the text it reads and the stat of the font and layout files it depends on."""
    font_faces = faces(LAYOUTS / "fonts.css")
    fonts = tuple((str(face.path), face.family, file_key(face.path)) for face in font_faces)
    coverage, problems = memo.get(("font coverage", fonts), font_coverage, font_faces)
    layout_files = tuple((str(path), file_key(path)) for pattern in ("*.css", "*.html")
                         for path in sorted(LAYOUTS.glob(pattern)))
    references = memo.get(("layout references", layout_files), layout_references, LAYOUTS)
    problems = problems + check_layouts(references, roots=(LAYOUTS, FONTS))
    paths = [pamphlet.folder / MANIFEST, *(piece.path for piece in pamphlet.pieces)]
    locale = locale_path(pamphlet, LAYOUTS)
    for path in paths + ([locale] if locale else []):
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported when the file is loaded
        problems += memo.get(("glyphs", str(path), content, fonts), check_glyphs, path, content, coverage,
                             name=str(path))
    for piece in pamphlet.pieces:
        if piece.signatories_file:  # each name at its row, so that a character no font has is named there
            rows = [""] * max(piece.signatory_rows, default=0)
            for row, name in zip(piece.signatory_rows, piece.signatories, strict=True):
                rows[row - 1] = name
            problems += check_glyphs(pamphlet.folder / piece.signatories_file, "\n".join(rows), coverage)
    for path in sorted({path for path in images if path.suffix.lower() == ".svg"}):
        problems += memo.get(("svg text", str(path), file_key(path), fonts), check_svg_text, [path], coverage)
    BuildError.raise_any(problems)


def _prepare_out(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise BuildError.single(out, f"cannot write to the output folder ({err.strerror}); "
                                     "choose another with --out") from None
