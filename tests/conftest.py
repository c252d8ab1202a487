"""Shared helpers: one real build of the pamphlet per test run (shared by the pytest-xdist workers), one EPUBCheck
JVM per run, a runner for the command line, output names from the edition declarations, and readers for PDF
text and the EPUB's package document."""

import ctypes
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from fnmatch import fnmatch
from pathlib import Path
from types import SimpleNamespace

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from filelock import FileLock
from hypothesis import HealthCheck, settings
from lxml import etree
from pypdf import PdfReader

from pamphlet import editions
from validators import JAVA, AceServer, EpubCheckJVM  # noqa: F401 (the tests import them from here)
from pamphlet.units import MM

# The property tests' examples (tests/test_properties.py): each builds the pamphlet, so the suite tries 10 of each
# besides the known ones (@example, always tried first); more by hand: PAMPHLET_EXAMPLES=500 make test.
settings.register_profile("pamphlet", max_examples=int(os.environ.get("PAMPHLET_EXAMPLES", "10")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pamphlet")

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "texts"
SLUG = yaml.safe_load((TEXTS / "pamphlet.yml").read_text(encoding="utf-8"))["slug"]


def output(folder, edition, piece=None, slug=SLUG):
    """The path of an edition's file (a leaflet's: with piece) in folder, named as the edition declares."""
    return Path(folder) / editions.file_name(edition, slug, piece)


def output_files(folder):
    """{name relative to folder: path} of every output in it, through edition folders (the web edition's), without
    hidden files (the record, the lock)."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)}


class BuildServer:
    """tests/tools/build_server.py for the builder in root: each build in a process forked from one that has
    imported the builder (~0.7 s of CPU a fresh interpreter spends before each build). Started at its first build;
    stop() waits for it and its children."""

    def __init__(self, root=ROOT):
        self.root, self.process = Path(root), None

    def start(self, *args, cwd=ROOT, script=None, cores=None):
        """A Started build of root's build.py (or of script, a tool wrapping it) with args, in cwd, with this
        process's environment as it is now (seeing cores cores, if given)."""
        if self.process is None:
            self.process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "tools" / "build_server.py"),
                                             str(self.root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        files = Path(tempfile.mkdtemp(prefix="build-"))
        request = {"argv": [str(arg) for arg in args], "cwd": str(Path(cwd).resolve()), "env": dict(os.environ),
                   **{name: str(files / name) for name in ("stdout", "stderr", "status")},
                   **({"script": str(script)} if script else {}), **({"cores": cores} if cores else {})}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return Started(args, int(self.process.stdout.readline()), files)

    def stop(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=600)
            self.process = None


class Started:
    """A build a BuildServer runs: its pid, and wait() for what it gave (as subprocess.run gives it)."""

    def __init__(self, args, pid, files):
        self.args, self.pid, self.files = args, pid, files

    def wait(self, seconds=600):
        status, deadline = self.files / "status", time.monotonic() + seconds
        while not status.exists():
            assert time.monotonic() < deadline, f"build.py {self.args} took more than {seconds} s"
            time.sleep(0.02)
        result = subprocess.CompletedProcess(self.args, int(status.read_text()),
                                             *((self.files / name).read_text(encoding="utf-8")
                                               for name in ("stdout", "stderr")))
        shutil.rmtree(self.files)
        return result


BUILDS = BuildServer()  # this process's, for run_build: stopped at the end of the run (pytest_sessionfinish)


def run_build(*args, cwd=ROOT, cores=None):
    """Run build.py as a user would (its own process, working folder, arguments and streams), in a process forked
    from BUILDS's (that sees cores cores, if given); the tests whose matter is the interpreter's start run it in a
    fresh one (watch mode, a terminal, SOURCE_DATE_EPOCH, HOME and TMPDIR)."""
    return BUILDS.start(*args, cwd=cwd, cores=cores).wait()


def run_here(*args, cwd=ROOT):
    """build.py's command line with args run in this process through cli.main, as run_build gives it (exit status,
    what it printed): 0.03 s against 0.8 s for a fresh interpreter, for the many cases of one kind (bad inputs,
    lint findings); a few of each kind stay in a fresh process (run_build), as a user runs it."""
    from pamphlet import cli
    stdout, stderr = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                status = cli.main([str(arg) for arg in args])
            except SystemExit as stop:  # argparse's usage errors
                status = stop.code
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(args, status, stdout.getvalue(), stderr.getvalue())


# The test files that take longest, longest first (wall seconds of each on the suite's two workers, 2026-12-05, load
# 7-12: test_incremental 163, test_trust 159, test_lines 123, ... test_paper 16); the others follow in their own order.
# make test runs the files in this order (--dist loadfile --no-loadscope-reorder): a worker that finishes a file takes
# the next, so the short files come last and the two workers end together, not one with a long file while the other
# idles.
LONGEST_FIRST = ("test_incremental.py", "test_trust.py", "test_lines.py", "test_scale.py", "test_translations.py",
                 "test_bad_input.py", "test_daily_loop.py", "test_real.py", "test_markdown.py", "test_properties.py",
                 "test_web.py", "test_signatories.py", "test_pdfx.py", "test_images.py", "test_memo.py",
                 "test_stale.py", "test_booklet.py", "test_meeting.py", "test_makeup.py", "test_preview.py",
                 "test_print_production.py", "test_languages.py", "test_qr.py", "test_install.py", "test_lint.py",
                 "test_paper.py")


def pytest_configure(config):
    """With PAMPHLET_CPU_LOG=FILE, each test's CPU and each build's written to FILE (tests/cpu_log.py)."""
    if os.environ.get("PAMPHLET_CPU_LOG"):
        import cpu_log
        config.pluginmanager.register(cpu_log, "cpu_log")


def pytest_collection_modifyitems(items):
    """The files in LONGEST_FIRST's order, each file's tests in their own."""
    gone = [name for name in LONGEST_FIRST if not (ROOT / "tests" / name).is_file()]
    if gone:
        raise pytest.UsageError(f"conftest.LONGEST_FIRST names test files that are not there: {gone}")
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def manifest():
    return yaml.safe_load((TEXTS / "pamphlet.yml").read_text(encoding="utf-8"))


def made_once(tmp_path_factory, name, make):
    """The folder name, made by make(folder) once for the whole run: the pytest-xdist workers share it, the first
    to ask makes it while the other waits on a file lock (a build made twice would cost each worker its time)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's own folder, which every worker's lies in
    folder = root / "made-once" / name
    done = folder.with_name(name + ".done")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.with_name(name + ".lock"))):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def build_into(*args, cores=None):
    """make for made_once: a build by the command line with args (seeing cores cores, if given), into the folder;
    what it printed is kept beside the folder (build_log)."""
    def make(out):
        result = run_build(*args, "--out", out, cores=cores)
        assert result.returncode == 0, result.stderr
        build_log(out).write_text(result.stdout, encoding="utf-8")
    return make


def build_log(out):
    """What the build by build_into into out printed (its summary)."""
    return Path(out).with_name(Path(out).name + ".log")


def print_file(folder):
    """The print edition's file in folder, whatever the pamphlet's slug: not the large-print edition's, whose name
    ends in -print.pdf too."""
    pattern, large = (editions.file_name(name, "*") for name in ("print", "large-print"))
    return next(path for path in sorted(Path(folder).glob(pattern)) if not fnmatch(path.name, large))


# The editions of each shared build (built_pamphlet): every PDF (test_fonts reads each), and of the others those a
# test reads. The web edition, the share images, the proof sheet and the Kobo book of a pamphlet whose tests read
# none of them cost a fifth of its build. Every edition of texts/ (test_trust compares them all), of the
# translations (test_translations lists them) and of the notes fixtures (test_web, test_kobo). A test reading a
# file left out here fails on its absence: add its edition here.
PDF_EDITIONS = ("print", "booklet", "leaflets", "screen", "large-print")
SHARED_EDITIONS = {
    "signed-ru": (*PDF_EDITIONS, "epub", "proof", "share"),  # test_makeup, test_share
    "signed-kk": (*PDF_EDITIONS, "epub", "proof"),  # test_makeup
    "lines-en": (*PDF_EDITIONS, "epub"),  # test_lines
    "lines-ru": (*PDF_EDITIONS, "epub"),
    "lines-kk": (*PDF_EDITIONS, "epub"),
    "messy": (*PDF_EDITIONS, "epub"),  # test_messy
}
# The shared builds made in one process (pipeline.parallel sees one core, and makes there what the second process
# and the screen PDF's fork make: ~12% less CPU than two processes on two busy cores), each compared byte for byte
# with a build of the same sources in two processes and a fork: notes-en's with notes_elsewhere (test_trust),
# translated's with watch mode's first build (test_translations); the scaffold's (scaffold_dist) with the killed
# builds' files (test_trust).
ONE_CORE = {"notes-en", "translated"}


def built_pamphlet(tmp_path_factory, name):
    """(folder, slug) of texts/ (name "texts") or of the fixture pamphlet name, built once for the run in the
    editions SHARED_EDITIONS gives (every edition when it names none): every test of a pamphlet shares this build."""
    texts = TEXTS if name == "texts" else ROOT / "tests" / "fixtures" / name
    folder = made_once(tmp_path_factory, "dist" if name == "texts" else name,
                       build_into(*SHARED_EDITIONS.get(name, ()), *(() if name == "texts" else ("--texts", texts)),
                                  cores=1 if name in ONE_CORE else None))
    return folder, yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))["slug"]


def environment(**changes):
    """This process's environment without its XDG_ folders (a user's machine may have none), with changes."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env.update({key: str(value) for key, value in changes.items()})
    return env


# A build whose every process (they are forked) writes to AUDIT_REPORT each file it opens whose path holds
# AUDIT_WATCHED: no such file, nothing of the kind was opened.
AUDIT = """
import os, sys
watched, report = os.environ["AUDIT_WATCHED"], os.environ["AUDIT_REPORT"]

def hook(event, args):
    if event == "open" and watched in str(args[0]):
        with open(report, "a") as file:
            file.write(str(args[0]) + "\\n")

sys.addaudithook(hook)
output = os.environ.get("AUDIT_OUTPUT")  # a file for what it prints, its exit status beside it (bench's sampling
if output:                               # of its memory keeps neither)
    printed = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(printed, 1)
    os.dup2(printed, 2)
from pamphlet.cli import main
status = main(sys.argv[1:])
if output:
    sys.stdout.flush()
    with open(output + ".status", "w") as file:
        file.write(str(status))
sys.exit(status)
"""


def audited(folder, watched, *arguments):
    """A command running build.py with arguments, the file its processes list what they open of watched in (in
    folder), and its environment."""
    report = Path(folder) / "opened.txt"
    command = [sys.executable, "-c", AUDIT, *map(str, arguments)]
    return command, report, environment(AUDIT_WATCHED=watched, AUDIT_REPORT=report)


def notes_elsewhere(tmp_path_factory):
    """Every edition of tests/fixtures/notes-en built once for the run as unlike the run's shared build of it (one
    process, forked from the BuildServer: ONE_CORE) as a user's machine may be: by a fresh interpreter, in two
    processes and a fork, from a copy in a folder whose path has a space, with an organiser's video no piece names
    beside the pieces (sparse: a gigabyte that takes no disk), HOME and TMPDIR empty folders, each file its processes
    open of the video listed (audited) and its memory sampled. test_trust compares its outputs with the shared
    build's (one process or two), test_real with them (wherever the folder lies) and reads each condition. A
    namespace: out, texts, home, tmp, printed (what the build printed), status, pss (its peak memory in MB, all its
    processes), command and env (to run it again)."""
    def command_of(folder):
        texts = folder / "somewhere else" / "notes-en"
        command, _, env = audited(folder, "meeting.mp4", "--texts", texts, "--out", folder / "out")
        env.update(HOME=str(folder / "home"), TMPDIR=str(folder / "tmp"))
        return texts, command, env

    def make(folder):
        from pamphlet.bench import _peak_memory
        texts, command, env = command_of(folder)
        shutil.copytree(ROOT / "tests" / "fixtures" / "notes-en", texts)
        with open(texts / "meeting.mp4", "wb") as video:
            video.truncate(1024 ** 3)
        (folder / "home").mkdir()
        (folder / "tmp").mkdir()
        pss, _ = _peak_memory(command, {**env, "AUDIT_OUTPUT": str(folder / "printed.txt")})
        (folder / "pss.txt").write_text(str(pss), encoding="utf-8")
    folder = made_once(tmp_path_factory, "notes-en-elsewhere", make)
    texts, command, env = command_of(folder)
    return SimpleNamespace(out=folder / "out", texts=texts, home=folder / "home", tmp=folder / "tmp",
                           printed=(folder / "printed.txt").read_text(encoding="utf-8"),
                           status=int((folder / "printed.txt.status").read_text()),
                           pss=float((folder / "pss.txt").read_text()), command=command, env=env,
                           opened=folder / "opened.txt")


@pytest.fixture(scope="session")
def dist(tmp_path_factory, manifest):
    """Every edition of the pamphlet in texts/, built once by the command line."""
    return built_pamphlet(tmp_path_factory, "texts")[0]


COPIES = 10  # the long text's: texts/' pieces ten times over (bench.long_pamphlet)


@pytest.fixture(scope="session")
def long_out(tmp_path_factory):
    """The editions of the long text the tests read (print, booklet, EPUB: test_scale, test_booklet), built once for
    the run: the others (large print, screen, proof, web, share, Kobo) cost half as much again and are tested on the
    shorter texts."""
    from pamphlet.bench import long_pamphlet

    def make(folder):
        texts = long_pamphlet(TEXTS, folder / "long", copies=COPIES)
        build_into("print", "booklet", "epub", "--texts", texts)(folder / "out")
    return made_once(tmp_path_factory, "long", make) / "out"


@pytest.fixture(scope="session")
def epubcheck(tmp_path_factory):
    """check(epub) -> (valid, messages), by the run's one EPUBCheck JVM."""
    return EpubCheckJVM(made_once(tmp_path_factory, "epubcheck", EpubCheckJVM.start)).check


@pytest.fixture(scope="session")
def daisy_ace(tmp_path_factory):
    """check(epub, report folder) -> (exit status, stderr, violations, outcome), by the run's one DAISY Ace process
    (validators.AceServer); without Ace, the test skips (fails under PAMPHLET_REQUIRE_ACE=1), saying why."""
    missing = AceServer.missing()
    if missing:
        if os.environ.get("PAMPHLET_REQUIRE_ACE") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    return AceServer(made_once(tmp_path_factory, "ace", AceServer.start)).check


def pytest_sessionfinish(session):
    """At the end of the run, each process's BuildServer stops; in its main process (after the workers'), the
    EPUBCheck JVM and the Ace server stop, if they started."""
    BUILDS.stop()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    folders = [session.config._tmp_path_factory.getbasetemp() / "made-once" / name for name in ("epubcheck", "ace")]
    for folder in folders:
        if folder.is_dir():
            (folder / "stop").touch()
    deadline = time.monotonic() + 30
    while any(folder.is_dir() and not (folder / "cpu").exists() for folder in folders) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def print_pdf(dist):
    return output(dist, "print")


@pytest.fixture(scope="session")
def epub_path(dist):
    return output(dist, "epub")


@pytest.fixture
def texts_copy(tmp_path):
    """A copy of texts/ that a test may break."""
    copy = tmp_path / "texts"
    shutil.copytree(TEXTS, copy)
    return copy


def pdf_text(path):
    """All the text of a PDF, page after page (pypdf's extraction: reading order, words whole)."""
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def opf_name(book):
    """The package document's name in an open EPUB zip, as META-INF/container.xml gives it."""
    return etree.fromstring(book.read("META-INF/container.xml")).find(".//{*}rootfile").get("full-path")


def opf_text(path):
    """The EPUB's package document (OPF), as text."""
    with zipfile.ZipFile(path) as book:
        return book.read(opf_name(book)).decode("utf-8")


def opf_properties(path):
    """The EPUB package document's <meta property="…"> values, by property, in the order written."""
    properties = {}
    for meta in etree.fromstring(opf_text(path).encode("utf-8")).iter("{*}meta"):
        if meta.get("property"):
            properties.setdefault(meta.get("property"), []).append(meta.text)
    return properties

def normalise(text):
    """Compare text as a reader sees it: quotes unified; dashes, hyphenation and whitespace ignored."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[“”„«»\"]", '"', text)
    text = re.sub(r"[‘’‚']", "'", text)
    # \x02 is how pdfium reports a hyphen that ends a line, \ufffe a soft hyphen inside one.
    text = re.sub(r"[\x02\ufffe\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\-]", "", text)
    return re.sub(r"\s+", "", text)


def pdf_pages(path):
    """A PDF's pages as pypdfium2 pages, which give text by position (also text drawn through forms)."""
    document = pypdfium2.PdfDocument(str(path))
    return [document[index] for index in range(len(document))]


def text_in(page, left, bottom, right, top):
    """The text a pypdfium2 page shows inside a rectangle, in PDF points."""
    return page.get_textpage().get_text_bounded(left, bottom, right, top)


def pdf_body_text(path, page=None, top_mm=15, bottom_mm=17):
    """The text of a PDF's pages (or one page) without running heads and folios, which lie in the margins."""
    pages = pdf_pages(path)
    chunks = []
    for current in pages if page is None else [pages[page]]:
        left, bottom, right, top = current.get_trimbox()
        chunks.append(text_in(current, left, bottom + bottom_mm * MM, right, top - top_mm * MM) + "\n")
    return "".join(chunks)


def epub_documents(path):
    """The XHTML documents of an EPUB in spine order, parsed."""
    with zipfile.ZipFile(path) as book:
        name = opf_name(book)
        opf = etree.fromstring(book.read(name))
        base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        hrefs = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        return [(hrefs[ref.get("idref")], etree.fromstring(book.read(base + hrefs[ref.get("idref")])))
                for ref in opf.iter("{*}itemref")]


def epub_text(path):
    """The EPUB's text as a reader sees it: without the soft hyphens that say where a word may break."""
    return "\n".join("".join(doc.find("{*}body").itertext()) for _, doc in epub_documents(path)).replace("\u00ad", "")


def booklet_halves(print_path, booklet_path):
    """For each side of an imposed booklet, the print pages that could be on its left and right halves, found
    by their text (a blank half could be any blank page)."""
    pages = {}
    for number, page in enumerate(pdf_pages(print_path), start=1):
        left, bottom, right, top = page.get_trimbox()
        pages.setdefault("".join(text_in(page, left, bottom, right, top).split()), set()).add(number)
    sides = []
    for side in pdf_pages(booklet_path):
        width, height = side.get_size()
        sides.append(tuple(pages.get("".join(text_in(side, x, 0, x + width / 2, height).split()), set())
                           for x in (0, width / 2)))
    return sides


def collating_marks(booklet_path):
    """{sheet side index: top of the mark} for the black marks drawn across the fold of a booklet's sheets."""
    import pikepdf
    marks = {}
    with pikepdf.open(booklet_path) as pdf:
        for index, page in enumerate(pdf.pages):
            width = float(page.mediabox[2])
            colour, rect = None, None
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op == "k":
                    colour = tuple(float(v) for v in operands)
                elif op == "re":
                    rect = [float(v) for v in operands]
                elif op == "f" and colour == (0, 0, 0, 1) and rect and rect[0] < width / 2 < rect[0] + rect[2]:
                    marks[index] = rect[1] + rect[3]
    return marks


@pytest.fixture
def scaffold(tmp_path):
    """A pamphlet made by `build.py new` in tmp_path/texts (slug 'texts'): small, so builds are quick. The
    command runs in a fresh process in test_daily_loop; here its function writes the folder."""
    from pamphlet.scaffold import new_pamphlet
    texts = tmp_path / "texts"
    new_pamphlet(texts)
    return texts


@pytest.fixture(scope="session")
def scaffold_dist(tmp_path_factory):
    """(texts, out): a pamphlet made by `build.py new` and every edition of it, built once for the run; tests
    that only read them share them, and a whole build of it costs half of one of texts/."""
    from pamphlet.scaffold import new_pamphlet

    def make(folder):
        new_pamphlet(folder / "texts")
        build_into("--texts", folder / "texts", cores=1)(folder / "out")  # in one process: ONE_CORE
    folder = made_once(tmp_path_factory, "scaffold", make)
    return folder / "texts", folder / "out"


def processes_left(text, seconds=30):
    """The processes whose command line mentions text, or whose working folder is the folder text (read from
    /proc; a build forked from a BuildServer has the server's command line, and every process it forks its working
    folder), once they had seconds to end: a killed build's workers may take a moment to follow it, more on a busy
    machine. A process ended and not yet waited for (a zombie) has neither."""
    deadline, folder = time.monotonic() + seconds, os.path.realpath(text)
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and (str(text).encode() in (proc / "cmdline").read_bytes()
                                            or os.readlink(proc / "cwd") == folder):
                    found.append(int(proc.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def read_until(process, prefixes, seconds=120):
    """The lines a running build (watch mode) prints, up to and including the first that starts with one of
    prefixes; fails if it takes longer than seconds or the process stops."""
    deadline = time.monotonic() + seconds
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(prefixes):
            return lines
        assert time.monotonic() < deadline, "".join(lines)
    raise AssertionError("watch mode stopped: " + "".join(lines))


def save(path, data):
    """Write a file whole at once, as an editor saves it (to a hidden file renamed into place): a watching build
    sees one change, never the file emptied and not yet written (which a loaded machine can show it, 20 ms apart)."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.saving")
    temp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(temp, path)


def page_chars(page):
    """Each character a pypdfium2 page shows: (the character, its box (left, bottom, right, top), its baseline and its
    font size as pdfium gives it), in points from the page's foot."""
    textpage = page.get_textpage()
    for char in range(textpage.count_chars()):
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, char, ctypes.byref(x), ctypes.byref(y))
        yield (chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, char)), textpage.get_charbox(char), y.value,
               round(pdfium_c.FPDFText_GetFontSize(textpage.raw, char), 1))


def pdf_lines(path):
    """For each page, its lines of text in the order printed: (font size, text) — pdfium reads a soft hyphen that
    ends a line as \\x02."""
    pages = []
    for page in pdf_pages(path):
        rows = {}
        for char, box, baseline, size in page_chars(page):
            if char not in "\n\r":
                rows.setdefault(round(baseline / 2), []).append((box[0], char, size))  # by baseline
        lines_ = []
        for key in sorted(rows, reverse=True):
            row = sorted(rows[key])
            lines_.append((max(size for _, _, size in row), "".join(c for _, c, _ in row).strip()))
        pages.append([line for line in lines_ if line[1]])
    return pages


def flush_right_share(path):
    """The share of a PDF's body lines (the running text's size, more than a few words) that end at the text
    block's right edge, as justified lines do; ragged-right lines end where their last word does."""
    ends = []
    for page in pdf_pages(path):
        rows = {}
        for _, (left, _, right, _), baseline, size in page_chars(page):
            if right > left:
                rows.setdefault(round(baseline / 2), []).append((size, right))  # by baseline
        sizes = [size for row in rows.values() for size, _ in row]
        body = max(sizes, key=sizes.count, default=0)
        lines_ = [max(right for _, right in row) for row in rows.values()
                  if len(row) > 30 and max(size for size, _ in row) == body]
        ends += [edge - max(lines_) for edge in lines_]  # each page's own: the margins are mirrored
    return sum(1 for gap in ends if gap > -0.5) / len(ends)
