"""Real folders (issue 22): a build reads only the files the pamphlet uses, never a file a link leads out to,
writes nothing outside --out (not in HOME, not in TMPDIR), gives the same bytes wherever the folder lies, stops
on Ctrl-C with one line and the old outputs untouched, and stays in bounded memory beside a 1 GB file."""

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from PIL import Image

from conftest import (ROOT, audited, built_pamphlet, environment, notes_elsewhere, processes_left, run_build,
                      run_here)
from pamphlet.pipeline.watch import EDITOR_FILES

NOTES = ROOT / "tests" / "fixtures" / "notes-en"
PRINT, EPUB = "long-strike-print.pdf", "long-strike.epub"
OLD = b"the last good build's file"


def texts_at(folder):
    shutil.copytree(NOTES, folder)
    return folder


def test_nothing_is_written_in_home_or_the_temporary_folder(tmp_path_factory):
    """Every edition (the second process and the forked one included) and lint, with HOME and TMPDIR empty (the
    run's build of notes-en as a user's machine may build it: conftest.notes_elsewhere)."""
    bare = notes_elsewhere(tmp_path_factory)
    assert bare.status == 0, bare.printed
    assert "lint:" in bare.printed  # the spelling check ran (Enchant's word lists)
    subprocess.run([sys.executable, ROOT / "build.py", "lint", "--texts", bare.texts], env=bare.env,
                   capture_output=True, timeout=600)
    assert list(bare.home.rglob("*")) == [] and list(bare.tmp.rglob("*")) == []


def test_the_same_bytes_wherever_the_folder_lies(tmp_path_factory):
    """The print PDF names its images after the image, not after where the texts folder lies: the run's build of
    tests/fixtures/notes-en and a build of a copy of it in another folder (conftest.notes_elsewhere) give the same
    bytes."""
    first, _ = built_pamphlet(tmp_path_factory, "notes-en")
    second = notes_elsewhere(tmp_path_factory).out
    for name in (PRINT, EPUB):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_ctrl_c_prints_one_line_and_leaves_the_old_outputs(tmp_path):
    texts, out, temp = texts_at(tmp_path / "texts"), tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    temp.mkdir()
    for name in (PRINT, EPUB):
        (out / name).write_bytes(OLD)
    process = subprocess.Popen([sys.executable, ROOT / "build.py", "--texts", texts, "--out", out],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env=environment(TMPDIR=temp))
    for line in process.stdout:
        if line.startswith("laying out the print edition"):
            break
    # The second process (forked: the same command line) at work too, not a fixed time later: the whole group
    # gets the signal.
    deadline = time.monotonic() + 120
    while len(processes_left(texts, seconds=0)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "the build's second process never started"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == [f"interrupted; the files already in {out} were left as they were"], stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([PRINT, EPUB])
    assert all((out / name).read_bytes() == OLD for name in (PRINT, EPUB))
    assert list(temp.iterdir()) == []
    assert processes_left(texts) == [], "a process of the build is still running"


def test_a_1_gb_file_in_the_folder_is_never_read_and_memory_stays_bounded(tmp_path_factory):
    """An organiser's video no piece names lies in the texts folder: the up-to-date check and the build never
    read it; the whole build (all processes, PSS) stays under 300 MB (conftest.notes_elsewhere)."""
    bare = notes_elsewhere(tmp_path_factory)
    assert (bare.out / PRINT).is_file()
    assert bare.pss < 300, f"peak memory {bare.pss:.0f} MB"
    # And a second build finds every output up to date without opening the video either.
    again = subprocess.run(bare.command, cwd=ROOT, env=bare.env, capture_output=True, text=True, timeout=600)
    assert "every output is up to date" in again.stdout + again.stderr
    assert not bare.opened.exists(), f"the video was opened: {bare.opened.read_text()}"


def test_an_editors_backup_file_is_not_a_source(tmp_path_factory, tmp_path):
    texts = texts_at(tmp_path / "texts")
    # The run's build of notes-en, with its record: up to date for this copy (the same sources, elsewhere).
    shutil.copytree(built_pamphlet(tmp_path_factory, "notes-en")[0], tmp_path / "out")
    first = run_here("--texts", texts, "--out", tmp_path / "out")
    assert "every output is up to date" in first.stdout + first.stderr, first.stdout
    shutil.copy(texts / "pits.md", texts / "pits.md~")
    (texts / "#pits.md#").write_text("autosave", encoding="utf-8")
    again = run_here("--texts", texts, "--out", tmp_path / "out")
    assert "every output is up to date" in again.stdout + again.stderr, again.stdout
    # Watch mode does not even start a build for them.
    assert all(EDITOR_FILES.search(name) for name in ("pits.md~", "#pits.md#", "pits.md.swp"))
    assert not any(EDITOR_FILES.search(name) for name in ("pits.md", "march.png", "pamphlet.yml", "words.txt"))


@pytest.mark.parametrize("link", ["image", "print profile"])
def test_a_link_out_of_the_folder_is_refused_before_it_is_opened(tmp_path, link):
    texts = texts_at(tmp_path / "texts")
    if link == "image":
        shutil.copy(NOTES / "march.png", tmp_path / "outside.png")
        (texts / "banner.png").symlink_to(tmp_path / "outside.png")
        with open(texts / "pits.md", "a", encoding="utf-8") as piece:
            piece.write("\n![The lodge banner](banner.png)\n")
    else:
        shutil.copy(ROOT / "layouts" / "profiles" / "FOGRA29.icc", tmp_path / "outside.icc")
        (texts / "shop.icc").symlink_to(tmp_path / "outside.icc")
        with open(texts / "pamphlet.yml", "a", encoding="utf-8") as manifest:
            manifest.write("print_profile: shop.icc\n")
    command, report, env = audited(tmp_path, "outside", "--texts", texts, "--out", tmp_path / "out")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr
    assert re.search(r"lies outside the texts folder", result.stderr.splitlines()[0]), result.stderr
    assert not report.exists(), report.read_text()


def _scan(value):
    """A scanner's 16-bit greyscale PNG (mode I;16), every pixel value (of 65535)."""
    image = Image.new("I;16", (1600, 1000), value)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _map(megabytes):
    """An SVG map of about megabytes MB, as drawing programs write them: mostly metadata, then the drawing."""
    paths = "".join(f'<path d="M{x} 10 L{x + 5} 90 L{x + 9} 40 Z" fill="#3a6"/>' for x in range(0, 190, 10))
    layer = '<layer id="l{}" name="contour line" visible="false"/>\n'
    metadata = "<metadata>" + "".join(layer.format(n) for n in range(megabytes * 1024 * 1024 // 56)) + "</metadata>"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">{metadata}'
            f'{paths}<text x="10" y="60" font-family="Charis SIL" font-size="9">Coalfield map</text></svg>')


@pytest.fixture(scope="module")
def as_found(tmp_path_factory):
    """(out, texts): notes-en with what users' own files hold added to its pits.md (a scanner's 16-bit PNG, a 10 MB
    SVG, text pasted from Google Docs), its print edition and EPUB built once by the command line for the tests
    that read them."""
    folder = tmp_path_factory.mktemp("as-found")
    texts = texts_at(folder / "texts")
    (texts / "scan.png").write_bytes(_scan(0x8080))
    (texts / "map.svg").write_text(_map(10), encoding="utf-8")
    assert (texts / "map.svg").stat().st_size > 10 * 1024 * 1024
    with open(texts / "pits.md", "a", encoding="utf-8") as piece:
        piece.write("\n![The strike leaflet, scanned](scan.png)\n\n![The coalfield](map.svg)\n")
        piece.write('\n<span style="color:#000000;font-weight:700;font-size:11pt;background-color:#ffff00;'
                    'font-variant:normal">Pasted from Google Docs</span> and <span style="color:rgb(17,85,204);'
                    'text-decoration:underline">a link\'s words</span>.\n')
    out = folder / "out"
    result = run_build("print", "epub", "--texts", texts, "--out", out)
    assert result.returncode == 0, result.stderr
    return out, texts


def test_a_scanners_16_bit_png_and_a_10_mb_svg_are_printed(as_found, tmp_path):
    out, _ = as_found
    listing = subprocess.run(["pdfimages", "-list", out / PRINT], capture_output=True, text=True, check=True).stdout
    grey = [line.split() for line in listing.splitlines()[2:] if line.split()[3:6] == ["1600", "1000", "gray"]]
    assert grey and grey[0][7] == "8", listing  # 8 bits a pixel, as PDF/X and every viewer take it
    subprocess.run(["pdfimages", "-png", "-f", grey[0][0], "-l", grey[0][0], out / PRINT, tmp_path / "img"], check=True)
    values = [Image.open(p).convert("L").getpixel((800, 500)) for p in tmp_path.glob("img-*.png")
              if Image.open(p).size == (1600, 1000)]
    assert values and all(abs(value - 128) <= 1 for value in values), values  # scaled, not clipped to white
    text = subprocess.run(["pdftotext", out / PRINT, "-"], capture_output=True, text=True, check=True).stdout
    assert "Coalfield map" in text


WORDS = "Whitwood\nVane\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_words_txt_in_notepads_encodings_is_read(tmp_path, encoding):
    texts = texts_at(tmp_path / "texts")
    plain = run_here("lint", "--texts", texts)
    assert "'Whitwood'" in plain.stdout  # without words.txt the name is a finding
    (texts / "words.txt").write_bytes(WORDS.encode(encoding))
    result = run_here("lint", "--texts", texts)
    assert "Traceback" not in result.stderr and "'Whitwood'" not in result.stdout, result.stdout + result.stderr


def test_words_txt_in_windows_1251_is_refused_at_its_line(tmp_path):
    texts = texts_at(tmp_path / "texts")
    (texts / "words.txt").write_bytes("Whitwood\nКурманов\n".encode("cp1251"))
    result = run_here("lint", "--texts", texts)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.match(r"\S*words\.txt:2: not valid UTF-8 \(byte 0xca\)", result.stderr.splitlines()[0]), result.stderr
    built = run_here("--texts", texts, "--out", tmp_path / "out")  # the build reads it too (words never broken)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert re.match(r"\S*words\.txt:2: not valid UTF-8", built.stderr.splitlines()[0]), built.stderr


def test_text_pasted_from_google_docs_builds_without_its_colours(as_found):
    """Google Docs pastes every run of text as <span style="color:#000000;font-weight:700;…">: the colours and
    sizes are dropped (the layouts own them; RGB would fail the print preflight), the emphasis is kept."""
    out, _ = as_found
    with zipfile.ZipFile(out / EPUB) as book:
        pits = book.read("EPUB/pits.xhtml").decode()
    styles = re.findall(r'<span style="([^"]*)">(?:Pasted|a link)', pits)
    assert styles == ["font-weight: 700; font-variant: normal", "text-decoration: underline"], styles


def test_no_message_line_is_longer_than_300_characters(tmp_path):
    """A reference of 5,000 characters (a data: URI pasted as an image, say) is quoted cut in the middle."""
    texts = texts_at(tmp_path / "texts")
    with open(texts / "pits.md", "a", encoding="utf-8") as piece:
        piece.write("\n![A map](" + "map" * 1700 + ".png)\n\n")
        piece.write('<span style="background: url(' + "x" * 3000 + ')">x</span>\n')
    result = run_here("--texts", texts, "--out", tmp_path / "out", cwd=tmp_path)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 3, result.stderr[:2000]
    image = next(line for line in lines if "image 'mapmap" in line)
    assert image.startswith("texts/pits.md:") and " … " in image, image
    assert image.endswith("check the reference")  # the end of the message, with what to do, is kept
    assert max(len(line) for line in lines) <= 300, [len(line) for line in lines]
