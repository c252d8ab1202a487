"""The daily loop: a no-op rebuild writes nothing, an edit rebuilds what it affects, watch mode, new pamphlets."""

import os
import pty
import shutil
import subprocess
import sys


from conftest import ROOT, output, pdf_text, read_until, run_build, run_here, save


def snapshot(folder):
    """Every file in folder (through edition folders) by its name there: its time and inode."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()}


def test_noop_rebuild_writes_nothing(dist, tmp_path):
    """A build into a folder holding what the last build of the same texts wrote (the session's build of texts/,
    copied with its record) writes nothing."""
    out = tmp_path / "out"
    shutil.copytree(dist, out)
    before = snapshot(out)
    result = run_build("--out", out)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert "lint:" not in result.stdout + result.stderr, "a no-op build lints again the texts the last one linted"
    assert snapshot(out) == before


def test_an_edit_rebuilds_only_what_it_affects(dist, texts_copy, tmp_path):
    """What the run's build of texts/ wrote, with its record, is up to date for a copy of texts/ in another folder
    (the outputs are the same wherever it lies); after an edit to one statement, what that edit affects is made
    again, and only that."""
    texts, out = texts_copy, tmp_path / "out"
    shutil.copytree(dist, out)
    before = snapshot(out)
    up_to_date = run_here("--texts", texts, "--out", out)
    assert up_to_date.returncode == 0 and "every output is up to date" in up_to_date.stdout, up_to_date.stdout
    assert snapshot(out) == before
    piece = texts / "statement-rsd.md"
    piece.write_text(piece.read_text(encoding="utf-8").replace("for several days", "for many days"),
                     encoding="utf-8")
    result = run_here("--texts", texts, "--out", out)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    changed = {name for name in before if before[name] != after[name] and not name.startswith(".")}
    def name(*edition):
        return output(out, *edition).relative_to(out).as_posix()

    assert {name("print"), name("epub"), name("leaflets", "statement-rsd"), name("web"),
            name("share", "statement-rsd")} <= changed
    # The other statement's leaflet and share images, and the pamphlet's, are made from what did not change.
    assert {name("leaflets", "statement-smk"), name("share", "statement-smk"), name("share")}.isdisjoint(changed)
    assert "for many days" in pdf_text(output(out, "print"))


def test_a_deleted_or_altered_output_is_rebuilt(dist, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(dist, out)  # what the last build wrote, with its record
    screen = output(out, "screen")
    good = screen.read_bytes()
    screen.write_bytes(b"damaged")
    result = run_build("print", "screen", "--out", out)
    assert result.returncode == 0
    assert screen.read_bytes() == good


def test_watch_rebuilds_on_edit_and_keeps_the_good_output_on_a_broken_one(scaffold, tmp_path):
    """(The pamphlet is `build.py new`'s: its print edition costs a third of texts/' at each of the three builds.)"""
    texts, out = scaffold, tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), "print", "--watch",
                                "--texts", str(texts), "--out", str(out)], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        read_until(process, ("watching",))
        target = output(out, "print", slug="texts")
        first = target.read_bytes()
        piece = texts / "introduction.md"
        save(piece, piece.read_text(encoding="utf-8") + "\nA paragraph added while watching.\n")
        read_until(process, ("rebuilt", "build failed"))
        edited = target.read_bytes()
        assert edited != first
        assert "A paragraph added while watching." in pdf_text(target)
        save(piece, piece.read_text(encoding="utf-8").replace("kind: introduction", "kind: intro"))
        lines = read_until(process, ("build failed", "rebuilt"))
        assert any("introduction.md:2: 'kind' is 'intro'" in line for line in lines), "".join(lines)
        assert lines[-1].startswith("build failed")
        assert target.read_bytes() == edited
        assert process.poll() is None, "watch mode stopped after a broken edit"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_new_pamphlet_builds_and_passes_epubcheck(tmp_path, epubcheck):
    folder = tmp_path / "next-pamphlet"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", str(folder)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    manifest = (folder / "pamphlet.yml").read_text(encoding="utf-8")
    assert manifest.count("#") >= 12, "every field of the manifest is explained"
    result = run_build("--texts", folder, "--out", folder / "dist")
    assert result.returncode == 0, result.stderr
    epub = output(folder / "dist", "epub", slug="next-pamphlet")
    valid, messages = epubcheck(epub)
    assert valid and messages == []
    assert output(folder / "dist", "leaflets", "statement", slug="next-pamphlet").is_file()
    again = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", str(folder)], capture_output=True,
                           text=True, cwd=ROOT)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_weasyprint_loads_without_starting_programs():
    """Every cold build imports WeasyPrint; done naively, ctypes' library search starts ldconfig, gcc and ld
    for each library name WeasyPrint tries (a sixth of a second here). pamphlet.engine.pdf imports it without them."""
    probe = ("import subprocess, sys\n"
             "started = []\n"
             "real = subprocess.Popen.__init__\n"
             "def record(self, args, *rest, **options):\n"
             "    started.append(args)\n"
             "    real(self, args, *rest, **options)\n"
             "subprocess.Popen.__init__ = record\n"
             "import pamphlet.engine.pdf, weasyprint\n"
             "print(len(started), started[:3])\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.startswith("0 "), f"programs started while importing WeasyPrint: {result.stdout}"
    plain = subprocess.run([sys.executable, "-c", probe.replace("pamphlet.engine.pdf, ", "")], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    if sys.platform.startswith("linux"):  # the trap is real here, so the probe can see it
        assert not plain.stdout.startswith("0 "), plain.stdout


def test_watch_removes_the_leaflet_of_a_piece_no_longer_a_leaflet_or_no_longer_there(scaffold, tmp_path):
    """As a full build does: an output the pamphlet no longer makes is removed, and the watch says so."""
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), "leaflets", "--watch",
                                "--texts", str(scaffold), "--out", str(out)], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = ("removed", "rebuilt", "build failed", "every output")
    try:
        read_until(process, ("watching",))
        leaflet = output(out, "leaflets", "statement", slug="texts")
        assert leaflet.is_file()
        piece = scaffold / "statement.md"
        save(piece, piece.read_text(encoding="utf-8").replace("leaflet: true", "leaflet: false"))
        lines = read_until(process, done)
        assert lines[-1].startswith(f"removed {leaflet}"), "".join(lines)
        assert not leaflet.exists()
        save(piece, piece.read_text(encoding="utf-8").replace("leaflet: false", "leaflet: true"))
        lines = read_until(process, done)
        assert lines[-1].startswith("rebuilt") and leaflet.is_file(), "".join(lines)
        manifest = scaffold / "pamphlet.yml"
        text = manifest.read_text(encoding="utf-8")
        assert "\n  - statement.md" in text
        save(manifest, text.replace("\n  - statement.md", ""))
        lines = read_until(process, done)
        assert lines[-1].startswith(f"removed {leaflet}"), "".join(lines)
        assert not leaflet.exists()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_progress_inside_the_print_layout_on_a_terminal_only(scaffold, tmp_path):
    """On a terminal the live line says which page the layout has reached; in logs nothing of it appears."""
    command = [sys.executable, str(ROOT / "build.py"), "print", "--texts", str(scaffold)]
    pid, terminal = pty.fork()
    if pid == 0:  # the child, on the terminal
        os.execv(sys.executable, [*command, "--out", str(tmp_path / "tty")])
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child has ended and its terminal closed
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, shown.decode(errors="replace")
    shown = shown.decode(errors="replace")
    assert "the print edition: laying out page 1" in shown and "the print edition: laying out page 5" in shown
    assert "the print edition: writing the PDF" in shown
    logged = run_build("print", "--texts", scaffold, "--out", tmp_path / "log")
    assert logged.returncode == 0, logged.stderr
    assert "laying out the print edition" in logged.stdout
    assert "laying out page" not in logged.stdout + logged.stderr and "writing the PDF" not in logged.stdout
