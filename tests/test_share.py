"""Share images of texts/ and of signed-ru (Russian, with a url): their sizes, every inked pixel and every line of
text inside the safe area, text large enough for a phone, the QR code read back, the alt text beside each."""

import json
import shutil

import pytest
import zxingcpp
import yaml
from PIL import Image, ImageChops

from pamphlet.editions import share
from pamphlet.sources.load import read_pamphlet
from conftest import ROOT, TEXTS, built_pamphlet, output, run_here

SIGNED = ROOT / "tests" / "fixtures" / "signed-ru"
# Pixels: the least line box (the font's ascent and descent) of any character drawn, about 1.3 times its type size:
# a link preview shown 360 px wide on a phone still sets it at 11 px.
SMALLEST = 36


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{pamphlet: (texts, output folder, manifest)} from the builds the run shares."""
    return {"texts": (TEXTS, built_pamphlet(tmp_path_factory, "texts")[0]),
            "signed-ru": (SIGNED, built_pamphlet(tmp_path_factory, "signed-ru")[0])}


def images_of(texts, out):
    """[(piece id or None, size, path)] of every share image the pamphlet should have."""
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    pieces = [None] + [piece.id for piece in read_pamphlet(texts).pieces if piece.leaflet]
    web = output(out, "web", slug=manifest["slug"]).parent
    return [(piece, size, web / share.image_name(manifest["slug"], piece, size)) for piece in pieces
            for size in share.SIZES], manifest


def inked(image):
    """The box of every pixel that differs from the background (the corner's colour) by more than antialiasing."""
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    return ImageChops.difference(image.convert("RGB"), background).convert("L").point(
        lambda value: 255 if value > 12 else 0).getbbox()


def test_every_image_in_its_size_with_everything_inside_the_safe_area(built):
    for texts, out in built.values():
        found, manifest = images_of(texts, out)
        assert len(found) >= 4
        for piece, size, path in found:
            with Image.open(path) as image:
                assert image.size == size, path.name
                left, top, right, bottom = json.loads(image.text["safe-area"])
                inset = share.INSETS[size]
                assert (left, top, right, bottom) == (inset, inset, size[0] - inset, size[1] - inset)
                ink = inked(image)
                assert left <= ink[0] and top <= ink[1] and ink[2] <= right and ink[3] <= bottom, (path.name, ink)
                lines = json.loads(image.text["lines"])
                words = " ".join(line["text"] for line in lines)
                for line in lines:
                    x0, y0, x1, y1 = line["box"]
                    assert left <= x0 and top <= y0 and x1 <= right and y1 <= bottom, (path.name, line)
                assert int(image.text["smallest-text"]) >= SMALLEST, (path.name, image.text["smallest-text"])
            alt = path.with_suffix(".txt").read_text(encoding="utf-8")
            title = manifest["title"] if piece is None else next(
                p.title for p in read_pamphlet(texts).pieces if p.id == piece)
            # The title is drawn (perhaps over several lines) and starts the alt text after the organisation.
            assert all(word in words for word in title.split()), (path.name, title, words)
            assert title in alt and alt.endswith((manifest.get("url") or ".") + "\n"), (path.name, alt)


def test_the_demands_shown_are_the_first_and_the_alt_text_says_what_is_shown(built):
    texts, out = built["texts"]
    found, _ = images_of(texts, out)
    smk = {size: path for piece, size, path in found if piece == "statement-smk"}
    portrait = smk[share.SIZES[0]].with_suffix(".txt").read_text(encoding="utf-8")
    assert "The socialist movement in Kazakhstan demands: An immediate cessation of hostilities" in portrait
    with Image.open(smk[share.SIZES[0]]) as image:
        drawn = " ".join(line["text"] for line in json.loads(image.text["lines"]))
    for demand in ("immediate cessation", "immediate resignation", "political prisoners"):
        assert demand in drawn and demand in portrait, demand
    assert "Legalisation" not in portrait, "the alt text holds only the demands the picture shows"


def test_the_qr_code_reads_as_the_url(built):
    texts, out = built["signed-ru"]
    found, manifest = images_of(texts, out)
    for _, _, path in found:
        with Image.open(path) as image:
            codes = zxingcpp.read_barcodes(image)
        assert [code.text for code in codes] == [manifest["url"]], path.name
        assert manifest["url"] in path.with_suffix(".txt").read_text(encoding="utf-8")


def test_a_long_address_wraps_beside_the_date_without_touching_it(tmp_path):
    """A pamphlet's address as long as people's are (a path and a query) wraps at its slashes and query marks under
    the code, inside the safe area, and no line of text touches another (it ran over the date, in 26 s of CPU for
    twelve pictures, when it could break anywhere)."""
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS, texts)
    url = "https://example.org/pamphlets/kazakhstan-2022?from=leaflet&lang=en"
    manifest = texts / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"url: {url}\n", encoding="utf-8")
    # The pamphlet's own pictures: its leaflet pieces' show the same foot, and would triple the build.
    for piece in texts.glob("*.md"):
        piece.write_text(piece.read_text(encoding="utf-8").replace("leaflet: true", "leaflet: false"), encoding="utf-8")
    result = run_here("share", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    found, _ = images_of(texts, tmp_path / "out")
    assert [piece for piece, _, _ in found] == [None] * len(share.SIZES)
    for _, _, path in found:
        with Image.open(path) as image:
            left, top, right, bottom = json.loads(image.text["safe-area"])
            lines = json.loads(image.text["lines"])
        assert "".join(line["text"] for line in lines).replace(" ", "").count(url) == 1, path.name
        boxes = [line["box"] for line in lines]
        for index, (x0, y0, x1, y1) in enumerate(boxes):
            assert left <= x0 and top <= y0 and x1 <= right and y1 <= bottom, (path.name, lines[index])
            for a0, b0, a1, b1 in boxes[index + 1:]:
                assert x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0, (path.name, "lines overlap", lines[index])


def test_a_trial_stops_at_its_first_page_too_many():
    """A picture's trials at the larger scales are laid out only to learn that they run past one page: pages_at_most
    stops at the first page too many (one page laid out, not three); a document that fits is laid out in full,
    as without it, and so is one whose pages look up a page number (laying it out again might shorten it)."""
    import logging
    from pamphlet.engine.pdf import PdfWriter
    from pamphlet.pipeline.build import LAYOUTS
    writer = PdfWriter(LAYOUTS, roots=(LAYOUTS,))
    pages = "".join(f'<p style="break-after: page">{n}</p>' for n in range(3))
    made, handler = [], logging.Handler()
    handler.emit = lambda record: made.append(record.getMessage())
    logger = logging.getLogger("weasyprint.progress")
    logger.addHandler(handler)
    level, _ = logger.level, logger.setLevel(logging.INFO)
    try:
        assert writer.layout(pages, pages_at_most=1) is None
        assert sum("Creating layout - Page" in message for message in made) == 1, made
        assert len(writer.layout(pages, pages_at_most=3).pages) == 3
        counted = pages.replace("<p ", '<p class="n" ', 1) + "<style>.n::after { content: counter(pages) }</style>"
        assert len(writer.layout(counted, pages_at_most=1).pages) == 3
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
