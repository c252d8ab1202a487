"""python build.py --bench: times this tool against Pandoc on the same texts, and the daily loop (figures only)."""

import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .editions import file_name
from .load import read_pamphlet

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


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


def _bench(texts, pandoc, work):
    sources = read_pamphlet(texts)
    pieces = [str(piece.path) for piece in sources.pieces]
    title = sources.values["title"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    ours = [sys.executable, str(ROOT / "build.py"), "--texts", str(texts), "--quiet"]
    theirs = [[pandoc, *pieces, "--metadata", f"title={title}", "-o", "book.epub"],
              [pandoc, *pieces, "--metadata", f"title={title}", "--pdf-engine=weasyprint",
               "-o", "book.pdf"]]

    def full_build(*editions):
        out = Path(tempfile.mkdtemp(dir=work))  # empty: no cache, every edition built
        return _timed([ours + [*editions, "--out", str(out)]], env)

    def pandoc_build():
        out = Path(tempfile.mkdtemp(dir=work))
        return _timed(theirs, env, cwd=out)

    print(f"Benchmark, {datetime.date.today()}: {platform.node() or 'this machine'}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.machine()}; texts: {texts}")
    full_build(), pandoc_build()  # warm-up: disk caches, fontconfig caches
    ours_times, pandoc_times, print_times = [], [], []
    for _ in range(RUNS):  # alternately, so that both see the same machine
        ours_times.append(full_build())
        pandoc_times.append(pandoc_build())
        print_times.append(full_build("print"))  # what every other edition is made from

    out = work / "noop"
    subprocess.run(ours + ["--out", str(out)], env=env, check=True)
    noop_times = [_timed([ours + ["--out", str(out)]], env) for _ in range(RUNS)]
    watch_times = _watch_round_trips(texts, work, env)
    peak = _peak_memory(ours + ["--out", str(Path(tempfile.mkdtemp(dir=work)))], env)

    full, base = statistics.median(ours_times), statistics.median(pandoc_times)
    rows = [
        ("(a) every edition, cold process, empty output folder", full, None),
        ("(b) Pandoc 3: one EPUB + one PDF (--pdf-engine=weasyprint)", base, None),
        ("    ratio (a)/(b)", full / base, 0.8),
        ("    the print edition alone, cold process", statistics.median(print_times), None),
        ("(c) no-op rebuild", statistics.median(noop_times), 0.3),
        ("(d) watch mode: edit to new print PDF", statistics.median(watch_times), 1.0),
        ("(e) peak memory of (a), all processes, MB", peak, 300),
    ]
    print(f"medians of {RUNS} runs after a warm-up")
    for label, value, target in rows:
        verdict = "" if target is None else ("  meets target" if value <= target else "  MISSES target") + \
            f" (at most {target:g})"
        unit = "" if "ratio" in label or "MB" in label else " s"
        print(f"  {label:58s} {value:8.2f}{unit}{verdict}")
    return 0


def _timed(commands, env, cwd=None):
    start = time.perf_counter()
    for command in commands:
        # WeasyPrint, under Pandoc, warns about Pandoc's own stylesheet: not ours to show.
        subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _watch_round_trips(texts, work, env):
    """Seconds from saving an edit to a new print PDF, with build.py --watch running."""
    copy, out = work / "watched", work / "watched-out"
    shutil.copytree(texts, copy)
    sources = read_pamphlet(copy)
    target = out / file_name("print", sources.values["slug"])
    piece = sources.pieces[-1].path
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
            piece.write_text(original + f"\nAn added paragraph, number {run}.\n", encoding="utf-8")
            while target.stat().st_mtime_ns == before:
                if time.perf_counter() - start > 30:
                    raise RuntimeError("watch mode did not rebuild the print PDF within 30 s")
                time.sleep(0.005)
            if run:  # the first round trip warms the process
                times.append(time.perf_counter() - start)
            for line in process.stdout:
                if line.startswith("rebuilt") or line.startswith("build failed"):
                    break
    finally:
        process.terminate()
        process.wait()
    return times


def _peak_memory(command, env):
    """Peak of the summed resident memory of the build and its second process, sampled every 5 ms."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.005)
    return peak / 1024


def _tree_rss(pid):
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total  # kB
