"""Builds that meet each other or a hostile machine: two at once, a lock left by a killed build, a full disk, a
folder in an output's way, a missing optional library; and the small things (--version, --help)."""

import logging
import os
import re
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_build

from pamphlet import __version__
from pamphlet.errors import BuildError
from pamphlet.pipeline.output import LOCK
from pamphlet.engine.pdf import _weasyprint_problems

PREVIOUS = b"previous good output"


def test_version_and_help():
    version = run_build("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"build.py {__version__}"
    help_text = run_build("--help").stdout
    assert "build.py new DIR" in help_text and "build.py lint" in help_text and "--version" in help_text


def test_two_builds_at_once_into_one_folder(scaffold, tmp_path):
    """The second build starts while the first is writing its files (held there), waits, then finds them made."""
    out = tmp_path / "out"
    arguments = ["print", "epub", "--texts", str(scaffold), "--out", str(out)]
    held = tmp_path / "held"
    first = subprocess.Popen([sys.executable, str(ROOT / "tests" / "tools" / "paused_build.py"), str(held), "staged",
                              "1", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not held.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    second = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), *arguments], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    waiting = second.stdout.readline()  # its first words, said while the first still holds the folder
    held.unlink()
    results = [process.communicate(timeout=600) + (process.returncode,) for process in (first, second)]
    results[1] = (waiting + results[1][0], *results[1][1:])
    for _, stderr, status in results:
        assert status == 0 and "Traceback" not in stderr, stderr
    assert any("waiting for it to finish" in stdout for stdout, _, _ in results), "the second did not wait"
    assert sorted(p.name for p in out.iterdir()) == [".pamphlet-cache.json", "texts-print.pdf", "texts.epub"]


def test_a_lock_left_by_a_killed_build_is_not_waited_for(scaffold, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK).write_text("12345\n")
    result = run_build("print", "--texts", scaffold, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stdout and not (out / LOCK).exists()


def test_a_folder_in_the_way_of_an_output(scaffold, tmp_path):
    out = tmp_path / "out"
    (out / "texts-print.pdf").mkdir(parents=True)
    (out / "texts.epub").write_bytes(PREVIOUS)
    result = run_build("print", "epub", "--texts", scaffold, "--out", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    first = result.stderr.splitlines()[0]
    assert re.fullmatch(r"\S*out/texts-print\.pdf: cannot write the file \(Is a directory\); .+", first), first
    assert (out / "texts.epub").read_bytes() == PREVIOUS
    assert sorted(p.name for p in out.iterdir()) == ["texts-print.pdf", "texts.epub"], "a temporary file was left"


def test_a_full_disk(scaffold, tmp_path):
    """A small tmpfs as the output folder (mounting needs root; skipped otherwise)."""
    out = tmp_path / "small"
    out.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24k", "tmpfs", str(out)], capture_output=True,
                           text=True, check=False)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        (out / "texts-print.pdf").write_bytes(PREVIOUS)
        result = run_build("print", "--texts", scaffold, "--out", out)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        first = result.stderr.splitlines()[0]
        assert re.fullmatch(r"\S*small/texts-print\.pdf: cannot write the file \(No space left on device\); .+",
                            first), first
        assert (out / "texts-print.pdf").read_bytes() == PREVIOUS
        assert sorted(p.name for p in out.iterdir()) == ["texts-print.pdf"], "a temporary file was left"
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_fonttools_fallback_is_not_a_problem_but_other_warnings_are():
    """Without libharfbuzz-subset0 WeasyPrint warns once per font that it uses fontTools: the PDF is fine."""
    logger = logging.getLogger("weasyprint")
    with _weasyprint_problems("print.html"):
        logger.warning('Using fontTools instead of HarfBuzz-Subset for font "%s". This will be unsupported in '
                       'future versions of WeasyPrint. Please install HarfBuzz-Subset.', "Charis SIL")
    with pytest.raises(BuildError, match="WeasyPrint: Ignored"), _weasyprint_problems("print.html"):
        logger.warning("Ignored `display: fancy` at 1:1, invalid value.")
