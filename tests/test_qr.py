"""The manifest's url: a QR code on the back cover and on each leaflet, a link on the screen editions' imprint."""

import shutil
import subprocess
import sys

import pikepdf
import pypdf
import pypdfium2
import pytest
import segno
import zxingcpp
from PIL import ImageStat

from conftest import ROOT, TEXTS, epub_documents, print_file, run_build, run_here

URL = "https://example.org/pamphlets/kazakhstan-2022?from=leaflet"
DPI = 300
QUIET_ZONE = 4  # modules


@pytest.fixture(scope="module")
def with_url(tmp_path_factory):
    texts = tmp_path_factory.mktemp("qr") / "texts"
    shutil.copytree(TEXTS, texts)
    manifest = texts / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"url: {URL}\n", encoding="utf-8")
    out = texts.parent / "out"
    # The editions these tests read: the share images (a QR code each) are test_share's, on signed-ru.
    result = run_build("print", "leaflets", "screen", "epub", "--texts", texts, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def qr_codes(path, index):
    """The QR codes read from a rendered page, each with its symbol's width and quiet zone in the picture."""
    page = pypdfium2.PdfDocument(str(path))[index]
    image = page.render(scale=DPI / 72).to_pil().convert("L")
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        position = code.position
        xs = [position.top_left.x, position.top_right.x, position.bottom_right.x, position.bottom_left.x]
        ys = [position.top_left.y, position.top_right.y, position.bottom_right.y, position.bottom_left.y]
        width = max(xs) - min(xs)
        modules = 17 + 4 * segno.make(code.text, error="m", micro=False).version  # the symbol, in modules
        module = width / modules
        zone = (round(min(xs) - QUIET_ZONE * module), round(min(ys) - QUIET_ZONE * module),
                round(max(xs) + QUIET_ZONE * module), round(max(ys) + QUIET_ZONE * module))
        ring = [image.crop(box) for box in (
            (zone[0], zone[1], zone[2], round(min(ys) - module)),   # above
            (zone[0], round(max(ys) + 2 * module), zone[2], zone[3]),  # below
            (zone[0], zone[1], round(min(xs) - module), zone[3]),   # left
            (round(max(xs) + 2 * module), zone[1], zone[2], zone[3]))]  # right
        found.append((code.text, (zone[2] - zone[0]) / DPI * 25.4, min(ImageStat.Stat(r).extrema[0][0] for r in ring)))
    return found


def test_back_cover_qr_decodes_to_the_url_with_its_quiet_zone(with_url):
    pdf = print_file(with_url)
    count = len(pypdfium2.PdfDocument(str(pdf)))
    codes = qr_codes(pdf, count - 1)
    assert [text for text, _, _ in codes] == [URL]
    _, width_mm, darkest_in_quiet_zone = codes[0]
    assert width_mm >= 20
    assert darkest_in_quiet_zone > 200  # paper white all round, though the cover is red


def test_each_leaflet_carries_the_qr_code(with_url):
    leaflets = sorted(with_url.glob("*-leaflet-*.pdf"))
    assert len(leaflets) == 2
    for leaflet in leaflets:
        last = len(pypdf.PdfReader(leaflet).pages) - 1
        codes = qr_codes(leaflet, last)  # the sheet's last side: two leaflets side by side, each with its code
        assert [text for text, _, _ in codes] == [URL, URL], leaflet.name
        for _, width_mm, darkest in codes:
            assert width_mm >= 20 and darkest > 200


def _ink_and_images(stream, found):
    """The stroke colours set and the images drawn in a page or form, following forms."""
    for operands, op in pikepdf.parse_content_stream(stream):
        if str(op) in ("SCN", "SC", "K", "RG"):
            found["stroke"].add((str(op), tuple(float(v) for v in operands)))
    for xobject in stream.get("/Resources", {}).get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Image":
            found["images"] += 1
        else:
            _ink_and_images(xobject, found)
    return found


def test_print_qr_is_vector_in_black_ink(with_url):
    with pikepdf.open(print_file(with_url)) as pdf:
        found = _ink_and_images(pdf.pages[-1].obj, {"stroke": set(), "images": 0})
    assert found["images"] == 0  # drawn as paths, not a picture
    assert found["stroke"] == {("SCN", (0, 0, 0, 1))}  # the modules: black ink alone


def test_screen_pdf_and_epub_link_the_url_on_the_imprint(with_url):
    with pikepdf.open(next(with_url.glob("*-screen.pdf"))) as pdf:
        uris = [(number, str(annot.A.URI)) for number, page in enumerate(pdf.pages)
                for annot in page.obj.get("/Annots", []) if "/A" in annot and "/URI" in annot.A]
    assert [uri for _, uri in uris] == [URL]
    assert uris[0][0] == 2  # the imprint, third page of the screen PDF (cover, title page, imprint)
    epub = next(with_url.glob("*.epub"))
    links = [(name, a.get("href")) for name, doc in epub_documents(epub)
             for a in doc.iter("{*}a") if a.get("href", "").startswith("http")]
    assert len(links) == 1 and links[0][1] == URL
    imprint = next(doc for name, doc in epub_documents(epub) if doc.find(".//*[@id='imprint']") is not None)
    assert any(a.get("href") == URL for a in imprint.iter("{*}a"))


def test_no_url_no_qr_code(print_pdf):
    count = len(pypdfium2.PdfDocument(str(print_pdf)))
    assert qr_codes(print_pdf, count - 1) == []


@pytest.mark.parametrize("value", ["example.org", "ftp://example.org/x", "https://exa mple.org"])
def test_url_must_be_a_web_address(texts_copy, tmp_path, value):
    manifest = texts_copy / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"url: {value}\n", encoding="utf-8")
    result = run_here("print", "--texts", texts_copy, "--out", tmp_path)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert "pamphlet.yml" in first and "'url'" in first and "https://" in first, result.stderr


def test_new_scaffold_shows_openings_and_url(tmp_path):
    from pamphlet.sources.load import load_pamphlet
    folder = tmp_path / "next"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", str(folder)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    manifest = folder / "pamphlet.yml"
    text = manifest.read_text(encoding="utf-8")
    assert load_pamphlet(folder).openings == "auto" and "openings: auto" in text
    assert load_pamphlet(folder).url is None  # an example address stays commented out until the user gives theirs
    manifest.write_text(text.replace("# url: ", "url: "), encoding="utf-8")
    assert load_pamphlet(folder).url.startswith("https://")
