"""Print production: press PDF boxes and page count, the office booklet, the leaflets, crop marks, preflight."""

import io
import re
import zipfile

import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from pamphlet.units import A4_LANDSCAPE, A5, BLEED, MM

from conftest import ROOT, SLUG, epub_documents, opf_name, output, pdf_pages, print_file, run_here, text_in


def close(a, b, tolerance=0.05):
    return abs(float(a) - float(b)) < tolerance


def leaflet_pieces():
    pieces = []
    for path in sorted((ROOT / "texts").glob("*.md")):
        if re.search(r"^leaflet: true$", path.read_text(encoding="utf-8"), re.M):
            pieces.append(path.stem)
    return pieces


def half_texts(side):
    """The text of the left and the right half of an imposed sheet side, and of each half's folio area."""
    width, height = side.get_size()
    halves = {"left": (0, width / 2), "right": (width / 2, width)}
    return ({name: text_in(side, left, 0, right, height) for name, (left, right) in halves.items()},
            {name: text_in(side, left, 0, right, 19 * MM).strip() for name, (left, right) in halves.items()})


def test_print_edition_boxes_on_every_page(print_pdf):
    pages = PdfReader(print_pdf).pages
    assert len(pages) % 4 == 0
    for number, page in enumerate(pages, start=1):
        for box in (page.mediabox, page.bleedbox):
            assert [float(v) for v in box] == pytest.approx([0, 0, A5[0] + 2 * BLEED, A5[1] + 2 * BLEED], abs=0.05), \
                f"page {number}"
        assert [float(v) for v in page.trimbox] == pytest.approx(
            [BLEED, BLEED, BLEED + A5[0], BLEED + A5[1]], abs=0.05), f"page {number}"


def test_print_edition_opens_and_closes_with_the_covers(print_pdf, manifest):
    pages = PdfReader(print_pdf).pages
    assert manifest["title"] in " ".join(pages[0].extract_text().split())
    back = " ".join(pages[-1].extract_text().split())
    assert " ".join(manifest["blurb"].split()[:8]) in back


def test_booklet_is_saddle_stitched_on_a4(dist, print_pdf, manifest):
    count = len(PdfReader(print_pdf).pages)
    booklet = output(dist, "booklet")
    assert len(PdfReader(booklet).pages) == count // 2
    checked = 0
    for index, side in enumerate(pdf_pages(booklet)):
        assert side.get_size() == pytest.approx(A4_LANDSCAPE, abs=0.05)
        sheet, back = divmod(index, 2)
        expected = (2 * sheet + 2, count - 2 * sheet - 1) if back else (count - 2 * sheet, 2 * sheet + 1)
        _, folios = half_texts(side)
        for side_name, page_number in zip(("left", "right"), expected, strict=True):
            if folios[side_name].isdigit():
                assert folios[side_name] == str(page_number), f"side {index + 1} {side_name}"
                checked += 1
    assert checked >= count // 2, "too few folios to prove the order"


def test_booklet_first_sheet_carries_the_covers(dist, print_pdf, manifest):
    halves, _ = half_texts(pdf_pages(output(dist, "booklet"))[0])
    assert manifest["title"] in " ".join(halves["right"].split())      # front cover, page 1
    assert " ".join(manifest["blurb"].split()[:6]) in " ".join(halves["left"].split())  # back cover


def test_leaflets_two_identical_copies_per_side(dist, manifest):
    pieces = leaflet_pieces()
    assert pieces, "no piece is marked leaflet: true"
    made = sorted(p.name for p in dist.glob(f"{SLUG}-leaflet-*.pdf"))
    assert made == sorted(output(dist, "leaflets", piece).name for piece in pieces)
    for name in made:
        sides = pdf_pages(dist / name)
        assert len(sides) in (1, 2), name
        lengths = []
        for side in sides:
            assert side.get_size() == pytest.approx(A4_LANDSCAPE, abs=0.05)
            halves, _ = half_texts(side)
            lengths.append(len(halves["left"].strip()))
            assert halves["left"].split() == halves["right"].split()
        assert lengths[0] > 100
        # On one side, or on two full ones: never a back with a couple of lines (it would fit on the front).
        assert len(lengths) == 1 or lengths[1] > lengths[0] / 2, (name, lengths)


def test_leaflet_carries_title_demands_and_origin(dist, manifest):
    sides = pdf_pages(output(dist, "leaflets", "statement-rsd"))
    text = " ".join("".join(half_texts(side)[0]["left"] for side in sides).split())
    assert "Stop the intervention, release the detainees!" in text
    assert "Stop the military intervention of the CSTO member states." in text
    assert "Marxist Tendency" in text
    assert f"From the pamphlet “{manifest['title']}”" in text


def test_too_long_leaflet_fails_with_its_name_and_how_far(texts_copy, tmp_path):
    piece = texts_copy / "statement-rsd.md"
    text = piece.read_text(encoding="utf-8")
    head, body = text.split("---\n", 2)[1:]
    piece.write_text(f"---\n{head}---\n" + body * 6, encoding="utf-8")
    result = run_here("leaflets", "--texts", texts_copy, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"statement-rsd\.md: too long for a leaflet: at 8\.5 pt it needs \d+ A5 sides, "
                     r"about \d+ lines more", result.stderr), result.stderr


def test_epub_cover_is_the_print_front_cover(epub_path, print_pdf):
    with zipfile.ZipFile(epub_path) as book:
        name = opf_name(book)
        href = re.search(r'<item href="([^"]+)"[^>]*properties="cover-image"', book.read(name).decode()).group(1)
        cover = Image.open(io.BytesIO(book.read(name.rsplit("/", 1)[0] + "/" + href))).convert("RGB")
    assert max(cover.size) >= 1600
    assert cover.width / cover.height == pytest.approx(148 / 210, abs=0.01)
    page = pypdfium2.PdfDocument(str(print_pdf))[0]
    crop = (BLEED, BLEED, BLEED, BLEED)
    rendered = page.render(scale=cover.height / (A5[1]), crop=crop).to_pil().convert("RGB").resize(cover.size)
    difference = ImageStat.Stat(ImageChops.difference(rendered, cover)).mean
    assert max(difference) < 3, difference
    names = [name for name, _ in epub_documents(epub_path)]
    assert names[0] == "cover.xhtml"


def test_crop_marks_lie_outside_the_bleed(tmp_path):
    out = tmp_path / "marks"
    result = run_here("print", "--crop-marks", "--out", out)
    assert result.returncode == 0, result.stderr
    page = PdfReader(print_file(out)).pages[0]
    media, bleed, trim = page.mediabox, page.bleedbox, page.trimbox
    assert (float(trim.width), float(trim.height)) == pytest.approx(A5, abs=0.05)
    assert float(trim.left) - float(bleed.left) == pytest.approx(BLEED, abs=0.05)
    assert float(bleed.left) - float(media.left) > 5 * MM
    assert (float(media.left), float(media.bottom)) == (0, 0)
    assert_bookmarks_at_their_headings(print_file(out))


def test_print_pdf_bookmarks_point_at_their_headings(print_pdf):
    assert_bookmarks_at_their_headings(print_pdf)


def test_print_pdf_has_no_annotations(print_pdf):
    """Links mean nothing on paper and PDF/X allows none in the bleed: none on a page, none left in the file."""
    with pikepdf.open(print_pdf) as pdf:
        assert not [number for number, page in enumerate(pdf.pages, start=1) if "/Annots" in page.obj]
        assert not [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Annot"]


def test_print_pdf_content_streams_join_between_operators(print_pdf):
    """A page's content is several streams (the page as drawn, wrapped in a move to the zero origin, and crop
    marks); read as one, as PDF reads them, every operator stays whole."""
    with pikepdf.open(print_pdf) as pdf:
        for page in pdf.pages:
            joined = pdf.make_stream(b"".join(part.read_bytes() for part in page.obj.Contents))
            assert [str(op) for _, op in pikepdf.parse_content_stream(joined)] == \
                [str(op) for _, op in pikepdf.parse_content_stream(page)]


def assert_bookmarks_at_their_headings(path):
    """Each bookmark's destination (moved with its page to the zero origin, and past the crop marks' slug) is the
    top-left corner of its heading: the first letter of its title is printed just below and right of it."""
    document = pypdfium2.PdfDocument(str(path))
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        index = {page.objgen: number for number, page in enumerate(pdf.pages)}
        items = list(outline.root)
        assert len(items) >= 4
        while items:
            item = items.pop()
            items += item.children
            page, _, x, y = list(item.destination)[:4]
            text = text_in(document[index[page.objgen]], float(x) - 1, float(y) - 40, float(x) + 4, float(y) + 1)
            assert text.strip()[:1] == item.title[:1], (item.title, float(x), float(y), text)


def test_preflight_rejects_text_outside_the_page(scaffold, tmp_path):
    """(The pamphlet is `build.py new`'s, a third of texts/ to lay out.)"""
    piece = scaffold / "introduction.md"
    # Groups of digits joined by no-break spaces: no word too long for the check of the text (markup.measure),
    # no place to break either.
    piece.write_text(piece.read_text(encoding="utf-8") + "\n" + "\u00a0".join(["0123456789"] * 30) + "\n",
                     encoding="utf-8")
    result = run_here("print", "--texts", scaffold, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert re.search(r"-print\.pdf: page \d+: text outside the page's text area by \d+\.\d mm", result.stderr), \
        result.stderr


def test_cover_colour_runs_into_the_bleed(print_pdf):
    """The cover's background reaches the edge of the bleed on both covers, and is the same colour as at the
    middle of the cover (no white hairline where the trim might fall a little outside)."""
    document = pypdfium2.PdfDocument(str(print_pdf))
    for index in (0, len(document) - 1):
        image = document[index].render(scale=1).to_pil().convert("RGB")
        width, height = image.size
        middle = image.getpixel((width // 2, height // 2 + height // 8))
        assert middle[0] > 120 and middle[1] < 60, f"page {index + 1}: the cover is not coloured ({middle})"
        for corner in ((1, 1), (width - 2, 1), (1, height - 2), (width - 2, height - 2)):
            assert image.getpixel(corner) == middle, f"page {index + 1}: corner {corner} is not in the cover colour"
