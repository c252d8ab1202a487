"""The print edition as PDF/X-4 in CMYK, the screen editions in RGB, and the PDF/X preflight, each check
shown failing on a file made wrong on purpose."""

import io
import re
import shutil
import subprocess

import pikepdf
import pytest

from conftest import ROOT, print_file, run_here
from pamphlet.engine import pdfx
from pamphlet.preflight.layout import Findings
from pamphlet.preflight.pdfs import check_pdfx
from pamphlet.engine.pdf import PdfWriter

PROFILES = ROOT / "layouts" / "profiles"


def fill_colours(pdf):
    """(colour space, components) of every fill colour set before text is shown, over all pages."""
    colours = set()
    for page in pdf.pages:
        space, values = "/DeviceGray", (0,)
        for operands, operator in pikepdf.parse_content_stream(page):
            operator = str(operator)
            if operator == "cs":
                space = str(operands[0])
            elif operator == "scn":
                values = tuple(float(v) for v in operands)
            elif operator in ("Tj", "TJ"):
                colours.add((space, values))
    return colours


def test_print_pdf_is_pdfx4_with_the_fogra39_profile(print_pdf, manifest):
    assert check_pdfx(print_pdf.read_bytes(), print_pdf.name) == []
    with pikepdf.open(print_pdf) as pdf:
        assert pdf.pdf_version >= "1.6"
        intent, = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert intent.DestOutputProfile.N == 4
        assert intent.DestOutputProfile.read_bytes() == (PROFILES / "FOGRA39.icc").read_bytes()
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert re.search(r"<xmpMM:DocumentID>xmp\.did:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
        assert str(pdf.trailer.Info.Trapped) == "/False"
        assert str(pdf.trailer.Info.Title) == manifest["title"]
        assert len(pdf.trailer.ID) == 2
        for page in pdf.pages:
            media, bleed, trim = ([float(v) for v in page.obj[key]] for key in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert media[0] <= bleed[0] <= trim[0] and media[1] <= bleed[1] <= trim[1]
            assert trim[2] <= bleed[2] <= media[2] and trim[3] <= bleed[3] <= media[3]
    assert subprocess.run(["qpdf", "--check", str(print_pdf)], capture_output=True).returncode == 0


def test_print_text_is_black_ink_or_a_chosen_colour(print_pdf):
    """Body text, running heads and folios in black ink alone; the cover's white; the red chosen as CMYK."""
    with pikepdf.open(print_pdf) as pdf:
        colours = fill_colours(pdf)
    assert colours == {("/DeviceCMYK", (0, 0, 0, 1)), ("/DeviceCMYK", (0, 0, 0, 0)),
                       ("/DeviceCMYK", (0, 1, 0.85, 0.3))}


def test_folios_and_running_heads_are_black_ink(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        page = pdf.pages[8]  # a text page, with a running head and a folio
        ops = [(str(op), [str(o) for o in operands]) for operands, op in pikepdf.parse_content_stream(page)]
    # The last text shown on a page is its folio, drawn after the body: black ink alone.
    last_colour = [operands for op, operands in ops if op == "scn"][-1]
    assert last_colour == ["0", "0", "0", "1"]


def test_screen_and_leaflets_stay_rgb(dist, manifest):
    for path in [dist / f"{manifest['slug']}-screen.pdf", *dist.glob("*-leaflet-*.pdf")]:
        with pikepdf.open(path) as pdf:
            assert "/OutputIntents" not in pdf.Root, path.name
            operators = set()
            for page in pdf.pages:
                stack = [page.obj]
                while stack:
                    stream = stack.pop()
                    operators |= {(str(op), str(operands[0]) if str(op) == "cs" else "")
                                  for operands, op in pikepdf.parse_content_stream(stream)}
                    stack += [x for x in stream.get("/Resources", {}).get("/XObject", {}).values()
                              if x.get("/Subtype") == "/Form"]
        assert ("rg", "") in operators, path.name
        assert not {("k", ""), ("K", ""), ("cs", "/DeviceCMYK")} & operators, path.name


def test_screen_shows_the_print_red_as_the_rgb_red(dist, manifest):
    with pikepdf.open(dist / f"{manifest['slug']}-screen.pdf") as pdf:
        reds = {tuple(float(v) for v in operands) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])
                if str(op) == "rg"}
    assert (0.7, 0, 0.105) in reds  # 0 1 0.85 0.3 by CSS Color 5's naive conversion: #b3001b


# Each preflight check, on the good print PDF made wrong in one way.

def _drop_intent(pdf):
    del pdf.Root["/OutputIntents"]


def _rgb_profile(pdf):
    pdf.Root.OutputIntents[0].DestOutputProfile.N = 3


def _no_condition(pdf):
    del pdf.Root.OutputIntents[0]["/OutputConditionIdentifier"]


def _xmp_without(text):
    def mutate(pdf):
        xmp = pdf.Root.Metadata.read_bytes().decode()
        pdf.Root.Metadata.write(re.sub(text, "", xmp).encode())
    return mutate


def _info_without(key):
    def mutate(pdf):
        del pdf.trailer.Info[key]
    return mutate


def _content(number, before=b"", replace=None):
    def mutate(pdf):
        page = pdf.pages[number]
        data = page.obj.Contents.read_bytes() if not isinstance(page.obj.Contents, pikepdf.Array) else \
            b"\n".join(part.read_bytes() for part in page.obj.Contents)
        if replace:
            assert replace[0] in data
            data = data.replace(*replace)
        page.obj.Contents = pdf.make_stream(before + data)
    return mutate


def _form_in_rgb(pdf):
    page = pdf.pages[8]
    form = pdf.make_stream(b"0 0 1 rg 0 0 10 10 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 10, 10])
    page.obj.Resources.XObject[pikepdf.Name("/Wrong")] = form
    _content(8, b"q /Wrong Do Q\n")(pdf)


def _image_in_rgb(pdf):
    page = pdf.pages[8]
    image = pdf.make_stream(b"\xff\x00\x00", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1,
                            Height=1, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
    page.obj.Resources.XObject[pikepdf.Name("/Photo")] = image
    _content(8, b"q 10 0 0 10 0 0 cm /Photo Do Q\n")(pdf)


def _link(pdf):
    pdf.pages[4].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[50, 50, 100, 60], Border=[0, 0, 0]))]))


def _rgb_colour_space(pdf):
    pdf.pages[8].obj.Resources.ColorSpace = pikepdf.Dictionary({"/CS9": pikepdf.Name.DeviceRGB})


WRONG = {
    "PDF 1.3": (lambda pdf: None, "PDF 1.3; PDF/X-4 needs PDF 1.6"),
    "no output intent": (_drop_intent, "no PDF/X output intent"),
    "an RGB output profile": (_rgb_profile, "has no CMYK profile"),
    "no output condition": (_no_condition, "no /OutputConditionIdentifier"),
    "no PDF/X version": (_xmp_without(r"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"),
                         "does not name the PDF/X version"),
    "no document ID in XMP": (_xmp_without(r"<xmpMM:DocumentID>[^<]*</xmpMM:DocumentID>"), "no xmpMM:DocumentID"),
    "no /Trapped": (_info_without("/Trapped"), "/Trapped is not set"),
    "no title": (_info_without("/Title"), "has no /Title"),
    "a link": (_link, "page 5: annotations (links) on the page"),
    "rg in page content": (_content(8, b"1 0 0 rg 0 0 5 5 re f\n"), "page 9: draws in RGB (rg 1 0 0)"),
    "RG in page content": (_content(8, b"0 1 0 RG 0 0 m 5 5 l S\n"), "page 9: draws in RGB (RG 0 1 0)"),
    "/DeviceRGB cs": (_content(8, b"/DeviceRGB cs 1 0 0 scn 0 0 5 5 re f\n"), "page 9: draws in /DeviceRGB (cs)"),
    "RGB in a form XObject": (_form_in_rgb, "page 9: draws in RGB (rg 0 0 1)"),
    "an RGB image": (_image_in_rgb, "page 9: an image in /DeviceRGB"),
    "DeviceRGB among colour spaces": (_rgb_colour_space, "names /DeviceRGB among its colour spaces"),
    "rich black text": (_content(8, replace=(b"0 0 0 1 scn", b"0.6 0.4 0.4 1 scn")),
                        "page 9: black text in more inks than black (C 0.6 M 0.4 Y 0.4 K 1)"),
    "registration black text": (_content(8, replace=(b"0 0 0 1 scn", b"1 1 1 1 scn")),
                                "black text in more inks than black (C 1 M 1 Y 1 K 1)"),
}


@pytest.mark.parametrize("case", WRONG)
def test_preflight_fails_a_print_pdf_made_wrong(print_pdf, case):
    mutate, message = WRONG[case]
    with pikepdf.open(print_pdf) as pdf:
        mutate(pdf)
        out = io.BytesIO()
        pdf.save(out, force_version="1.3" if case == "PDF 1.3" else None)
    problems = [str(p) for p in check_pdfx(out.getvalue(), "wrong.pdf")]
    assert any(message in p for p in problems), problems


def test_preflight_fails_a_pdf_without_a_document_id(print_pdf):
    data = print_pdf.read_bytes()
    trailer = data.rindex(b"/ID")
    wrong = data[:trailer] + b"/XD" + data[trailer + 3:]  # same length: the cross-reference offsets hold
    assert "the trailer has no document /ID" in [p.message for p in check_pdfx(wrong, "wrong.pdf")]


def test_preflight_keeping_findings_parses_again_only_what_changed(print_pdf):
    """Watch mode keeps what the colour check found (layout.Findings): the same PDF checked again parses only the
    pages that draw an image or a form (their content does not say what those hold); a page made wrong since is
    still found, by its content (an RGB colour added) or by the colour spaces its resources name (which every
    page of the print PDF shares)."""
    findings, data = Findings(), print_pdf.read_bytes()
    with pikepdf.open(print_pdf) as pdf:
        draws = [any(str(op) == "Do" for _, op in pikepdf.parse_content_stream(page)) for page in pdf.pages]
    plain = draws.index(False)
    assert check_pdfx(data, "print.pdf", findings) == []
    assert len(draws) > findings.streams_parsed > sum(draws)  # blank pages alike: one parse for all
    assert check_pdfx(data, "print.pdf", findings) == []
    assert findings.streams_parsed == sum(draws)
    for mutate, message, parsed in ((_content(plain, b"1 0 0 rg 0 0 5 5 re f\n"),
                                     f"page {plain + 1}: draws in RGB (rg 1 0 0)", sum(draws) + 1),
                                    (_rgb_colour_space, f"page {len(draws)}: a page names /DeviceRGB", None)):
        with pikepdf.open(print_pdf) as pdf:
            mutate(pdf)
            out = io.BytesIO()
            pdf.save(out)
        check_pdfx(data, "print.pdf", findings)
        problems = [str(p) for p in check_pdfx(out.getvalue(), "wrong.pdf", findings)]
        assert any(message in p for p in problems), problems
        assert parsed is None or findings.streams_parsed == parsed


def test_red_text_is_not_taken_for_black(print_pdf):
    """The cover's and titles' red has black in it (K 0.3) but is a colour, not a black: it passes."""
    with pikepdf.open(print_pdf) as pdf:
        _content(8, replace=(b"0 0 0 1 scn", b"0 1 0.85 0.3 scn"))(pdf)
        out = io.BytesIO()
        pdf.save(out)
    assert check_pdfx(out.getvalue(), "red.pdf") == []


# The output profile: FOGRA39 by default, FOGRA29 or the print shop's own by the manifest (set in the scaffold's
# pamphlet, whose print build costs half of texts/').

def _with_profile(texts, value):
    manifest = texts / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"print_profile: {value}\n", encoding="utf-8")


def _intent_profile(out):
    with pikepdf.open(print_file(out)) as pdf:
        intent = pdf.Root.OutputIntents[0]
        return str(intent.OutputConditionIdentifier), intent.DestOutputProfile.read_bytes()


def test_uncoated_paper_profile_by_manifest(scaffold, tmp_path):
    _with_profile(scaffold, "FOGRA29")
    result = run_here("print", "--texts", scaffold, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert _intent_profile(tmp_path / "out") == ("FOGRA29", (PROFILES / "FOGRA29.icc").read_bytes())


def test_every_pdf_a_process_writes_embeds_the_profile_as_its_file():
    """LittleCMS writes a profile otherwise once its device model has been read, and WeasyPrint reads it to name
    the output intent: watch mode, writing print PDFs again from documents it keeps, must embed the same bytes."""
    writer = PdfWriter(ROOT / "layouts", roots=(ROOT / "layouts",))
    css = pdfx.color_profile_css(PROFILES / "FOGRA39.icc")
    first = writer.layout("<p>A first text.</p>", extra_css=css)
    for document in (first, writer.layout("<p>A second text.</p>", extra_css=css), first):
        data = writer.to_bytes(document, "test.pdf", pdf_variant="pdf/x-4")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            embedded = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        assert embedded == (PROFILES / "FOGRA39.icc").read_bytes()


def test_print_shops_own_profile_from_the_texts_folder(scaffold, tmp_path):
    shutil.copy(PROFILES / "FOGRA29.icc", scaffold / "Our Shop.icc")
    _with_profile(scaffold, "Our Shop.icc")
    result = run_here("print", "--texts", scaffold, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert _intent_profile(tmp_path / "out")[1] == (scaffold / "Our Shop.icc").read_bytes()


@pytest.mark.parametrize("name, content, message", [
    ("shop.icc", None, "print_profile 'shop.icc' is not a file in"),
    ("shop.icc", b"not a profile at all", "print_profile 'shop.icc' is not an ICC profile"),
    ("rgb.icc", (PROFILES / "sRGB.icc").read_bytes(), "print_profile 'rgb.icc' is an RGB display profile"),
    ("FOGRA51", None, "'print_profile' is 'FOGRA51'; it must be FOGRA39"),
])
def test_a_wrong_profile_is_refused_at_the_manifest(texts_copy, tmp_path, name, content, message):
    if content is not None:
        (texts_copy / name).write_bytes(content)
    _with_profile(texts_copy, name)
    out = tmp_path / "out"
    result = run_here("print", "--texts", texts_copy, "--out", out)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert "pamphlet.yml" in first and message in first, result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob("*.pdf"))


def test_print_pages_look_like_the_rgb_screen_pages(dist, print_pdf, manifest):
    """The CMYK print edition and the RGB screen edition come from one layout: rendered, each screen page
    matches its print page cut at the trim but for colour (pdfium shows CMYK its own way: the red comes out
    176 12 34 for the screen's 179 0 27): every character in the same place, and ink where there is ink."""
    import pypdfium2
    from PIL import ImageChops, ImageStat
    screen = pypdfium2.PdfDocument(str(dist / f"{manifest['slug']}-screen.pdf"))
    printed = pypdfium2.PdfDocument(str(print_pdf))
    labels = [screen.get_page_label(index) for index in range(len(screen))]
    assert len(labels) == len(screen) > 10
    for index, label in enumerate(labels):
        page = printed[int(label) - 1]
        left, bottom, right, top = page.get_trimbox()
        # The bleed, cut away, is 30 pixels; the screen page shows the same drawing through a box moved 2 mm
        # sideways (20 pixels) to centre its text block: both pages on one pixel grid.
        scale = 30 / left
        on_screen = screen[index].render(scale=scale).to_pil().convert("L")
        moved = round(screen[index].get_mediabox()[0] * scale)
        on_paper = page.render(scale=scale).to_pil().convert("L").crop((30 + moved, 30, 30 + moved + on_screen.width,
                                                                       30 + on_screen.height))
        ink = [image.point(lambda value: 255 if value < 128 else 0) for image in (on_paper, on_screen)]
        differing = ImageStat.Stat(ImageChops.difference(*ink)).mean[0] / 255
        assert differing < 0.03, (label, differing)  # CMYK glyph edges are anti-aliased a little differently
        text = [page.get_textpage(), screen[index].get_textpage()]
        assert text[0].get_text_range() == text[1].get_text_range(), label
        for char in range(text[0].count_chars()):
            on_paper, on_screen = text[0].get_charbox(char), text[1].get_charbox(char)
            assert on_paper[0] - left == pytest.approx(on_screen[0], abs=0.05), (label, char)
            assert on_paper[1] - bottom == pytest.approx(on_screen[1], abs=0.05), (label, char)


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_pictures_in_the_print_edition_pass_pdfx(scaffold, tmp_path, mode):
    """An RGB picture (a photo from a camera or the web) is tagged sRGB, as PDF/X-4 asks; a grey one stays grey. (The
    pamphlet is `build.py new`'s, a third of texts/: its own figure, placard.png, is another picture, 1500 px wide.)"""
    from PIL import Image
    Image.new(mode, (1400, 900), (200, 40, 40) if mode == "RGB" else 128).save(scaffold / "photo.png", dpi=(300, 300))
    piece = scaffold / "statement.md"
    piece.write_text(piece.read_text(encoding="utf-8") + "\n![A red square](photo.png)\n", encoding="utf-8")
    result = run_here("print", "--texts", scaffold, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(print_file(tmp_path)) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
                  and obj.Width == 1400]
        assert len(images) == 1
        space = images[0].ColorSpace
        if mode == "RGB":
            assert space[0] == "/ICCBased" and space[1].N == 3
            assert space[1].read_bytes() == (PROFILES / "sRGB.icc").read_bytes()
        else:
            assert space == "/DeviceGray"
