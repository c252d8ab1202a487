"""python build.py --bench: times this tool against Pandoc on texts/ and on a long text made from it, and the
daily loop (figures only)."""

import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from .editions import file_name
from .sources.load import read_pamphlet

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
LONG_RUNS = 3  # a cold build of the long text takes seconds: three runs give a median
COPIES = 10    # texts/ ten times over: about 170 print pages
FLOOR_RUNS = 3  # one-process builds of texts/ for (c)'s floor


def run_bench(texts="texts"):
    texts = Path(texts).resolve()
    try:
        import pypandoc
        pandoc = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        print("Pandoc is not installed: make bench (or pip install -e '.[bench]') installs pypandoc-binary",
              file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="pamphlet-bench-"))
    try:
        return _bench(texts, pandoc, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def long_pamphlet(texts, folder, copies=COPIES, slug="long", notes=False):
    """texts with every piece repeated copies times (leaflets off: each copy is as long as its original), as the
    pamphlet slug in folder; the bench and the tests of long texts use it. notes: notes as the political texts
    people bring have them, on most pages."""
    folder.mkdir()
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    pieces = []
    for copy in range(1, copies + 1):
        for name in manifest["pieces"]:
            _, front, body = (texts / name).read_text(encoding="utf-8").split("---\n", 2)
            data = yaml.safe_load(front)
            data["title"] = f"{copy}. {data['title']}"
            data.pop("leaflet", None)
            target = f"{copy:02d}-{name}"
            body = _with_notes(body) if notes else body
            (folder / target).write_text("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body,
                                         encoding="utf-8")
            pieces.append(target)
    for other in texts.iterdir():  # images and anything else the pieces use
        if other.is_file() and other.name != "pamphlet.yml" and other.suffix != ".md":
            shutil.copy(other, folder / other.name)
    manifest["pieces"] = pieces
    manifest["slug"] = slug
    (folder / "pamphlet.yml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return folder


# What the notes of a political text say: a source, a date, a figure questioned, a name explained (12 to 45 words).
NOTES = (
    "Reported by the regional news agency on the same day; the figure was not confirmed by the authorities.",
    "The statement was published in Russian on the movement's website and translated for this edition; the "
    "translation follows the original closely, including its headings.",
    "The region's official statistics give a lower figure, but they count only workers employed by the state "
    "companies themselves, not those of the contractors and service firms, who make up the larger part of the "
    "workforce in the oil fields.",
    "On the events of 2011 see the reports of the human rights organisations published the following year, which "
    "list the dead by name and the sentences passed on the strikers, and the testimony collected by the "
    "independent trade unions at the time.",
)


def _with_notes(body):
    """body with a note called at the end of two paragraphs of running text in three (one line beginning with a
    letter: not a heading, a list, a quotation, a table or inside a fenced block), its definition after the text."""
    blocks, notes, fenced, running = body.split("\n\n"), [], False, 0
    for index, block in enumerate(blocks):
        fences = sum(1 for line in block.splitlines() if line.lstrip().startswith(":::"))
        text = block.strip()
        if not fenced and not fences and text[:1].isalpha() and "\n" not in text:
            running += 1
            if running % 3:
                notes.append(f"[^bench{len(notes) + 1}]: {NOTES[len(notes) % len(NOTES)]}")
                blocks[index] = block.rstrip() + f"[^bench{len(notes)}]" + block[len(block.rstrip()):]
        fenced ^= fences % 2 == 1
    if not notes:
        return body
    return "\n\n".join(blocks).rstrip("\n") + "\n\n" + "\n\n".join(notes) + "\n"


def _bench(texts, pandoc, work):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    long = long_pamphlet(texts, work / "long", notes=True)
    print(f"Benchmark, {datetime.date.today()}: {platform.node() or 'this machine'}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.machine()}; texts: {texts}; long text: every piece "
          f"{COPIES} times, with notes on most pages; load average at the start {_load()}")
    short_cold, short_pandoc = _cold_against_pandoc(texts, pandoc, work, env, RUNS)
    floor = _floor(texts, work, env)
    long_cold, long_pandoc = _cold_against_pandoc(long, pandoc, work, env, LONG_RUNS)
    long_floor = _floor(long, work, env, runs=1)  # about 65 s of CPU
    out = work / "noop"
    subprocess.run(_ours(texts) + ["--out", str(out)], env=env, check=True)
    noop = statistics.median(_timed([_ours(texts) + ["--out", str(out)]], env) for _ in range(RUNS))
    short_watch = statistics.median(_watch_round_trips(texts, work / "watch-short", env))
    long_watch = statistics.median(_watch_round_trips(long, work / "watch-long", env))
    pss, rss = _peak_memory(_ours(long) + ["--out", str(Path(tempfile.mkdtemp(dir=work)))], env)
    pages = _print_pages(work, env, long)
    stages, cpu, wall = _stages(long, work, env)

    rows = [
        ("(a) watch mode, edit to new print PDF: long text", long_watch, None),
        ("                                       texts/", short_watch, None),
        ("    ratio long/texts/", long_watch / short_watch, 1.5),
        ("(b) long text: every edition, cold process, empty output", long_cold, None),
        ("    long text: Pandoc 3, one EPUB + one PDF (WeasyPrint)", long_pandoc, None),
        ("    ratio", long_cold / long_pandoc, 1.0),
        ("    floor: least CPU with this engine, over 2 cores", long_floor["floor"] / 2, None),
        ("    floor ratio: (b) cannot go below it", long_floor["floor"] / 2 / long_pandoc, 1.0),
        ("(c) texts/: every edition, cold process, empty output", short_cold, None),
        ("    texts/: Pandoc 3, one EPUB + one PDF (WeasyPrint)", short_pandoc, None),
        ("    ratio", short_cold / short_pandoc, 1.3),
        ("    floor: least CPU with this engine, over 2 cores", floor["floor"] / 2, None),
        ("    floor ratio: (c) cannot go below it", floor["floor"] / 2 / short_pandoc, 1.3),
        ("(d) peak memory of (b), all processes (sum of PSS), MB", pss, 300),
        ("    the same as a sum of RSS (counts shared pages twice), MB", rss, None),
        ("    no-op rebuild of texts/", noop, 0.3),
    ]
    print(f"medians of {RUNS} runs ({LONG_RUNS} for a cold build of the long text, {pages} print pages) after a "
          f"warm-up; load average at the end {_load()}")
    for label, value, target in rows:
        verdict = "" if target is None else ("  meets target" if value <= target else "  MISSES target") + \
            f" (at most {target:g})"
        unit = "" if "ratio" in label or "MB" in label else " s"
        print(f"  {label:58s} {value:8.2f}{unit}{verdict}")
    for name, found, runs in (("(b)", long_floor, "one one-process cold build"),
                              ("(c)", floor, f"median of {FLOOR_RUNS} one-process cold builds")):
        print(f"{name}'s floor ({runs}): {found['cpu']:.2f} s of CPU (start and imports {found['imports']:.2f}) "
              f"less {found['fitting']:.2f} s of fitting (the {found['layouts'] - found['kept']} of "
              f"{found['layouts']} layouts no file is written from, the checks choosing among them) = "
              f"{found['floor']:.2f} s, shared perfectly by 2 cores")
    print(f"(e) where the time of one cold build of the long text goes: {wall:.2f} s wall, {cpu:.2f} s of CPU "
          f"(user + system, every process: {cpu / wall:.2f} cores busy on average); seconds of each file, as the "
          "build's summary gives them (the print layout counted with the first file that needs it):")
    for edition, name, seconds in stages:
        print(f"  {edition:10s} {name:48s} {seconds:8.2f} s")
    return 0


def _stages(texts, work, env):
    """([(edition, file, seconds)] from the summary of one cold build of texts, its CPU seconds over every
    process, and its wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [*_ours(texts)[:-1], "--out", str(Path(tempfile.mkdtemp(dir=work)))]  # not --quiet: the summary
    result = subprocess.run(command, env={**env, "COLUMNS": "200"}, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = []
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) >= 3 and re.fullmatch(r"\d+\.\d+", cells[-1]):
            rows.append((cells[0], cells[1], float(cells[-1])))
    return rows, cpu, wall


def _floor(texts, work, env, runs=FLOOR_RUNS):
    """The median floor of runs one-process cold builds of texts (pamphlet.floor: each file's layouts only), with
    the figures of that run: {"cpu", "imports", "fitting", "layouts", "kept", "floor"}."""
    found = []
    for _ in range(runs):
        result = Path(tempfile.mkdtemp(dir=work)) / "floor.json"
        subprocess.run([sys.executable, "-m", "pamphlet.floor", str(texts), str(result.parent / "out"), str(result)],
                       env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        found.append(json.loads(result.read_text(encoding="utf-8")))
        found[-1]["floor"] = found[-1]["cpu"] - found[-1]["fitting"]
    return sorted(found, key=lambda run: run["floor"])[len(found) // 2]


def _ours(texts):
    return [sys.executable, str(ROOT / "build.py"), "--texts", str(texts), "--quiet"]


def _cold_against_pandoc(texts, pandoc, work, env, runs):
    """Medians of every edition from a cold process into an empty folder, and of Pandoc's EPUB and PDF."""
    sources = read_pamphlet(texts)
    pieces = [str(piece.path) for piece in sources.pieces]
    title = sources.values["title"]
    theirs = [[pandoc, *pieces, "--metadata", f"title={title}", "-o", "book.epub"],
              [pandoc, *pieces, "--metadata", f"title={title}", "--pdf-engine=weasyprint", "-o", "book.pdf"]]

    def full_build():
        out = Path(tempfile.mkdtemp(dir=work))  # empty: no cache, every edition built
        return _timed([_ours(texts) + ["--out", str(out)]], env)

    def pandoc_build():
        return _timed(theirs, env, cwd=Path(tempfile.mkdtemp(dir=work)))

    full_build(), pandoc_build()  # warm-up: disk caches, fontconfig caches
    ours, pandocs = [], []
    for _ in range(runs):  # alternately, so that both see the same machine
        ours.append(full_build())
        pandocs.append(pandoc_build())
    return statistics.median(ours), statistics.median(pandocs)


def _timed(commands, env, cwd=None):
    start = time.perf_counter()
    for command in commands:
        # WeasyPrint, under Pandoc, warns about Pandoc's own stylesheet: not ours to show.
        subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _watch_round_trips(texts, work, env):
    """Seconds from saving an edit (a few words added to a paragraph of the middle piece) to a new print PDF,
    with build.py --watch running."""
    copy, out = work / "texts", work / "out"
    shutil.copytree(texts, copy)
    sources = read_pamphlet(copy)
    target = out / file_name("print", sources.values["slug"])
    piece = sources.pieces[len(sources.pieces) // 2].path
    original = piece.read_text(encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), "--watch", "--texts", str(copy),
                                "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    times = []
    try:
        for line in process.stdout:
            if line.startswith("watching"):
                break
        for run in range(RUNS + 1):
            before = target.stat().st_mtime_ns
            time.sleep(0.5)
            start = time.perf_counter()
            # The end of the piece's first paragraph: words as an editor's correction adds them.
            head, _, body = original.partition("\n---\n")
            paragraph, _, rest = body.strip("\n").partition("\n\n")
            piece.write_text(f"{head}\n---\n\n{paragraph} (edit {run})\n\n{rest}\n", encoding="utf-8")
            while target.stat().st_mtime_ns == before:
                if time.perf_counter() - start > 60:
                    raise RuntimeError("watch mode did not rebuild the print PDF within 60 s")
                time.sleep(0.005)
            if run:  # the first round trip warms the process
                times.append(time.perf_counter() - start)
            for line in process.stdout:  # the rebuild, then the lint line watch mode prints after it
                if line.startswith("lint:") or line.startswith("build failed"):
                    break
    finally:
        process.terminate()
        process.wait()
    return times


def _print_pages(work, env, texts):
    out = Path(tempfile.mkdtemp(dir=work))
    subprocess.run(_ours(texts) + ["print", "--out", str(out)], env=env, check=True)
    from pypdf import PdfReader
    return len(PdfReader(out / file_name("print", read_pamphlet(texts).values["slug"])).pages)


def _peak_memory(command, env):
    """Peaks of the build's memory with all its processes, sampled every 10 ms, in MB: the sum of their
    proportional set sizes (PSS: a page shared by a forked process and its parent counts half in each, so
    the sum is the memory really used), and the sum of their resident sizes (RSS: shared pages count in
    each process, so a fork seems to double them)."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    pss = rss = 0
    while process.poll() is None:
        sizes = _tree_sizes(process.pid)
        pss, rss = max(pss, sizes[0]), max(rss, sizes[1])
        time.sleep(0.01)
    return pss / 1024, rss / 1024


def _tree_sizes(pid):
    pss = rss = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            pss += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
            rss += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Rss:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return pss, rss  # kB


def _load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
