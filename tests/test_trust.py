"""Reproducible and atomic builds: the same sources give the same bytes; a killed build leaves --out whole."""

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from pypdf import PdfReader

from conftest import (BUILDS, ROOT, built_pamphlet, notes_elsewhere, opf_text, output, output_files, processes_left,
                      run_here)
from pamphlet.engine import parts
from pamphlet.engine.parts import PartLayouts

PREVIOUS = b"previous good output"


def test_same_sources_same_bytes(tmp_path_factory):
    """The same sources give the same bytes, in one process as in two: the run's build of notes-en (one process:
    conftest.ONE_CORE; notes, tables, a figure, leaflets) and a build in a fresh interpreter, two processes and a
    fork (in another folder, HOME and TMPDIR empty: conftest.notes_elsewhere)."""
    shared, _ = built_pamphlet(tmp_path_factory, "notes-en")
    again = notes_elsewhere(tmp_path_factory).out
    first = sorted(output_files(shared))
    assert first == sorted(output_files(again))
    assert len(first) >= 6 and any(name.endswith("-web/index.html") for name in first), first
    for name in first:
        assert (shared / name).read_bytes() == (again / name).read_bytes(), f"{name}: one process, two differ"


def test_later_parts_mended_ahead_in_a_child(tmp_path_factory, tmp_path, monkeypatch):
    """A cold print layout of five parts or more (and parts.AHEAD_SIZE characters: lowered here for notes-en's 26,000)
    has the parts of its later half mended in a child (engine.parts: PartLayouts._ahead), each then laid out here
    once as the child mended it, and the print PDF has the bytes of a build in one process (the run's shared build
    of notes-en: conftest.ONE_CORE)."""
    taken, take = [], PartLayouts._taken

    def spied(self, piece, key):  # whether each part of the child's half was taken from it
        got = take(self, piece, key)
        if self.ahead[1].index(piece) >= self.ahead[0]:
            taken.append(got[0] is not None)
        return got

    monkeypatch.setattr(PartLayouts, "_taken", spied)
    monkeypatch.setattr(parts, "AHEAD_SIZE", 0)
    result = run_here("print", "--texts", ROOT / "tests" / "fixtures" / "notes-en", "--out", tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr
    assert len(taken) >= 3 and all(taken), taken  # notes-en: 7 parts, the later half's 4 mended there
    slug = "long-strike"
    one_process, _ = built_pamphlet(tmp_path_factory, "notes-en")
    assert output(tmp_path, "print", slug=slug).read_bytes() == output(one_process, "print", slug=slug).read_bytes()


def test_source_date_epoch_sets_the_dates(scaffold, tmp_path):
    """SOURCE_DATE_EPOCH, read from the environment of a fresh process, dates every file (the pamphlet is
    `build.py new`'s: small, and dated otherwise by its manifest)."""
    out = tmp_path / "dated"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14 22:13:20 UTC
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "print", "screen", "epub", "--texts",
                             str(scaffold), "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    for edition in ("print", "screen"):
        assert PdfReader(output(out, edition, slug="texts")).metadata["/CreationDate"].startswith("D:20231114221320")
    epub = output(out, "epub", slug="texts")
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf_text(epub)
    with zipfile.ZipFile(epub) as book:
        assert all(info.date_time == (2000, 1, 1, 0, 0, 0) for info in book.infolist())


PAUSED_BUILD = ROOT / "tests" / "tools" / "paused_build.py"


@pytest.mark.parametrize("moment, count", [("staged", 1), ("staged", 3), ("renamed", 0), ("renamed", 1),
                                           ("renamed", 3), ("renamed", -1)],
                         ids=["1 file staged", "3 files staged", "commit, none renamed", "commit, 1 renamed",
                              "commit, 3 renamed", "commit, all but 1 renamed"])
def test_killed_build_leaves_each_output_old_or_complete(scaffold_dist, tmp_path, moment, count):
    """Kill a build while it writes its temporary files and inside its commit, when some outputs are renamed into
    place and others not yet; every file in --out is then the old one or the complete new one. The pamphlet is
    the scaffold's (every edition, the web edition's folders too), whose builds are quick; the killed build in two
    processes and a fork, the complete files compared with the run's build in one (conftest.ONE_CORE)."""
    texts, dist = scaffold_dist
    out = tmp_path / "out"
    out.mkdir()
    names = sorted(output_files(dist))
    for name in names:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(PREVIOUS)
    signal_file, at = tmp_path / "paused", tmp_path / "at"
    at.mkdir()
    count = count % len(names)
    # Forked from the run's BuildServer (the killed build's start is not the matter): its processes are found by
    # their working folder, which each process it forks keeps.
    build = BUILDS.start(signal_file, moment, count, "--texts", texts, "--out", out, cwd=at, script=PAUSED_BUILD)
    deadline = time.monotonic() + 300
    while not signal_file.exists():
        assert not (build.files / "status").exists(), \
            f"the build ended before the point to kill it: {(build.files / 'stderr').read_text()}"
        assert time.monotonic() < deadline, "the build never reached the point to kill it"
        time.sleep(0.05)
    os.kill(int(signal_file.read_text() or build.pid), signal.SIGKILL)
    os.kill(build.pid, signal.SIGKILL)
    assert processes_left(at) == [], "the killed build left a process behind"  # the build itself gone too
    shutil.rmtree(build.files)
    old = [name for name in names if (out / name).read_bytes() == PREVIOUS]
    for name in set(names) - set(old):
        assert (out / name).read_bytes() == (dist / name).read_bytes(), f"{name} is neither old nor complete"
    # The kill landed where it was meant to: so many outputs already new, the others still old.
    assert len(names) - len(old) == (count if moment == "renamed" else 0), old
    visible = sorted(output_files(out))
    assert visible == names
    # The next build clears what the killed one left behind and completes (here: its process is not the matter).
    assert run_here("--texts", texts, "--out", out).returncode == 0
    assert sorted(output_files(out)) == names
    assert not [path for path in out.rglob(".*") if path.name != ".pamphlet-cache.json"], "a temporary file was left"
