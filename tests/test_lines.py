"""Hyphenation and justification: where words may break, and the lines of the print PDF measured by position."""

import ctypes
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import weasyprint
import yaml

from conftest import (ROOT, build_log, built_pamphlet, epub_documents, flush_right_share, page_chars, pdf_lines,
                      pdf_pages, print_file, run_here)
from pamphlet.editions.bilingual import file_names
from pamphlet.markup.convert import Typesetter
from pamphlet.markup.hyphenate import SHY, Hyphenator
from pamphlet.preflight import lines, mending

FIXTURES = Path(__file__).with_name("fixtures")
LANGUAGES = ("lines-en", "lines-ru", "lines-kk")
PARAGRAPH = FIXTURES / "hyphen-paragraph-ru.html"


def locale(language):
    table = yaml.safe_load((ROOT / "layouts" / "locales" / f"{language}.yml").read_text(encoding="utf-8"))
    patterns = table["hyphenation"]["patterns"]
    if patterns.endswith(".dic"):
        table["hyphenation"]["patterns"] = str(ROOT / "layouts" / "locales" / patterns)
    return table


# --- Where a word may break -------------------------------------------------------------------------------------

def test_the_policy_of_breaks():
    hyphenator = Hyphenator(locale("en")["hyphenation"], names=["Ust-Kamenogorsk", "Tengizchevroil"])
    word = hyphenator.word
    assert SHY in word("internationalisation")
    assert word("https://example.org/internationalisation") == "https://example.org/internationalisation"
    assert word("solidarity@example.org") == "solidarity@example.org"
    assert word("1792–1866") == "1792–1866"
    assert word("COUNTERREVOLUTION") == "COUNTERREVOLUTION"
    assert word("B52bombers") == "B52bombers"
    assert word("Ust-Kamenogorsk") == "Ust-Kamenogorsk"          # breaks at its own hyphen only
    assert word("self-organisation") == "self-organisation"
    assert word("Tengizchevroil") == "Tengizchevroil"            # a name in words.txt
    assert word("ArcelorMittal") == "ArcelorMittal"              # a capital inside: a name
    assert word("officials").replace(SHY, "") == "officials" and "f\u00adf" not in word("officials")
    hyphenated = hyphenator.text("the uncompromisingly unconditional anyone inevitable", keep_last=True)
    assert SHY in hyphenated.split()[1] and len(hyphenated.split(SHY)[-1]) >= 6  # never "inevit-/able."
    last = hyphenator.text("uncompromisingly", keep_last=True).split(SHY)
    assert len(last) > 1 and len(last[-1]) >= 6


def test_minimums_come_from_the_locale():
    for language in ("en", "ru", "kk"):
        rules = locale(language)["hyphenation"]
        hyphenator = Hyphenator(rules)
        words = {"en": "representatives counterrevolutionary", "ru": "представители контрреволюционного",
                 "kk": "жекешелендірілген қызметкерлерінің"}[language].split()
        for word in words:
            parts = hyphenator.word(word).split(SHY)
            assert len(parts) > 2, (language, parts)
            assert len(parts[0]) >= rules["left"] and len(parts[-1]) >= rules["right"], (language, parts)
        assert hyphenator.word("а" * (rules["shortest"] - 1)) == "а" * (rules["shortest"] - 1)


def test_kazakh_patterns_are_shipped_with_their_header():
    dic = ROOT / "layouts" / "locales" / "hyph_kk.dic"
    head = dic.read_text(encoding="utf-8").splitlines()[:10]
    assert head[0] == "UTF-8" and any("public domain" in line for line in head)
    hyphenator = Hyphenator(locale("kk")["hyphenation"])
    assert hyphenator.word("жұмысшылар") == "жұ\u00adмыс\u00adшы\u00adлар"
    assert "\u00adс\u00ad" not in hyphenator.word("Қазақстандағы")  # no one-letter syllable


def test_a_paragraphs_last_word_and_headings_stay_whole():
    body = Typesetter(locale("ru")).typeset("## Интернационализация\n\nПредставители заявили о солидарности. "
                                            "Интернационализация **взаимозависимости**\n").body
    heading, paragraph = body.split("</h2>")
    assert SHY not in heading
    assert SHY in paragraph and paragraph.strip().removesuffix("</p>").endswith("симости</strong>")  # 6 letters


def test_soft_hyphens_take_nothing_away_from_the_text():
    text = PARAGRAPH.read_text(encoding="utf-8")
    rules = locale("ru")
    plain = Typesetter({**rules, "hyphenation": None}).typeset(text)
    hyphenated = Typesetter(rules).typeset(text)
    assert hyphenated.body.count(SHY) > 20
    assert hyphenated.body.replace(SHY, "") == plain.body
    assert hyphenated.epub_body.replace(SHY, "") == plain.epub_body


def test_number_ranges_and_russian_spaces():
    en = Typesetter(locale("en")).typeset("On 4-5 January, in 1792-1866, K. Marx; not 2022-01-05.").body
    assert "4–5" in en and "1792–1866" in en and "K.\u00a0Marx" in en and "2022-01-05" in en
    ru = Typesetter(locale("ru")).typeset("Это, т. е. в 1848 г., читал К. Маркс.").body
    assert "т.\u202fе." in ru and "1848\u00a0г." in ru and "К.\u00a0Маркс" in ru


# --- The lines of laid-out pages -------------------------------------------------------------------------------

def lay_out(paragraph, width_mm, hyphens="manual", lang="ru", height_mm=400):
    css = (f"@page {{ size: {width_mm}mm {height_mm}mm; margin: 5mm }}"
           f"p {{ font-family: serif; font-size: 10pt; text-align: justify; hyphens: {hyphens}; "
           "line-height: 1.4; hyphenate-character: '-' }")
    html = f'<html lang="{lang}"><body><p>{paragraph}</p></body></html>'
    return weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])


def test_a_paragraph_at_81_widths_has_no_broken_line():
    """The shared script's test: WeasyPrint's own hyphens: auto breaks lines next to bold words; the typesetter's
    soft hyphens with hyphens: manual do not."""
    paragraph = PARAGRAPH.read_text(encoding="utf-8").strip()
    hyphenated = Typesetter(locale("ru")).hyphenator.text(paragraph, keep_last=True)
    broken = {mode: 0 for mode in ("auto", "manual")}
    for width in range(70, 151):
        broken["manual"] += lines.measure(lay_out(hyphenated, width).pages).counts()["broken"]
        broken["auto"] += lines.measure(lay_out(paragraph, width, hyphens="auto").pages).counts()["broken"]
    assert broken["manual"] == 0
    assert broken["auto"] > 0  # the measurement sees what the engine's own hyphenation does


# --- Each check, shown failing on a page made wrong on purpose ---------------------------------------------------

EVERYWHERE = " ".join(SHY.join(word) for word in ("интернационализация взаимозависимость " * 12).split())


@pytest.fixture(scope="module")
def wrong_pdf(tmp_path_factory):
    """Pages made wrong on purpose: soft hyphens between every two letters (hyphens in a row, a word carried over
    the page turn, a paragraph ending in a fragment), a word spaced out loose, a broken line."""
    css = ("@page { size: 60mm 50mm; margin: 5mm } p { font-family: serif; font-size: 10pt; line-height: 1.4;"
           " text-align: justify; hyphens: manual; hyphenate-character: '-'; margin: 0 }")
    fragment = "да да взаимозависимос" + SHY + "ти."
    html = (f'<html lang="ru"><body><p>{EVERYWHERE}</p><p>{fragment}</p>'
            '<p>слово слово<br>широко</p><p>ааааааааааа ббббббббббббб ввввввв<br>в</p>'
            '<p>одно <b>интернационализации</b> интернационализации взаимозависимости</p></body></html>')
    document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])
    path = tmp_path_factory.mktemp("wrong") / "wrong.pdf"
    document.write_pdf(path)
    return document, path


def test_each_check_fails_on_a_page_made_wrong(wrong_pdf):
    document, path = wrong_pdf
    counts = lines.measure(document.pages).counts()
    assert counts["hyphen runs"] > 0 and counts["page-end hyphens"] > 0 and counts["fragment ends"] > 0, counts
    assert counts["loose"] > 0 and counts["broken"] > 0, counts
    from_pdf = measure_pdf(path)
    assert from_pdf["hyphen runs"] > 0 and from_pdf["page-end hyphens"] > 0, from_pdf
    assert loose_in_pdf(path), "the word spaced out loose is not seen in the PDF"


def test_a_line_the_author_ended_is_not_counted():
    """A line ended by <br> (a poem's, an address's) is set as a paragraph's last line, not justified: neither broken
    nor loose (messy's print PDF counted four broken lines of its 'Line breaks written three ways')."""
    css = "@page { size: 80mm 60mm; margin: 5mm } p { text-align: justify; font-family: 'Charis SIL' }"
    html = ("<html><body><p>The address is this: one<br>two<br>three, and then a long line of short words that "
            "runs on and on to the end of the paragraph as it is</p></body></html>")
    document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])
    assert lines.measure(document.pages).total() == 0, lines.measure(document.pages).messages()


def test_code_keeps_its_lines_and_is_not_counted():
    css = "@page { size: 80mm 60mm; margin: 5mm } body { text-align: justify } pre { white-space: pre-wrap }"
    code = "boxes = 0\nfor lodge in lodges:\n    boxes += lodge.boxes\nprint(boxes)"
    html = f"<html><body><pre>{code}</pre></body></html>"
    document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])
    assert lines.measure(document.pages).counts()["broken"] == 0


def test_a_repair_takes_back_the_hyphens_at_fault():
    """mending.repair, as the part-by-part layout uses it: the words whose breaks made a fourth hyphen in a row or
    carried a word over the page turn lose their soft hyphens, and laid out again the page has fewer faults."""
    css = ("@page { size: 60mm 50mm; margin: 5mm } p { font-family: serif; font-size: 10pt; line-height: 1.4;"
           " text-align: justify; hyphens: manual; hyphenate-character: '-'; margin: 0 }")
    source = f'<html lang="ru"><body><p>{EVERYWHERE}</p></body></html>'
    before = weasyprint.HTML(string=source).render(stylesheets=[weasyprint.CSS(string=css)])
    faults = lines.measure(before.pages).counts()
    found, repaired = mending.repair(before.pages, source)
    assert found.weight() > 0 and repaired is not None and repaired.count(SHY) < source.count(SHY)
    for _ in range(5):
        after = weasyprint.HTML(string=repaired).render(stylesheets=[weasyprint.CSS(string=css)])
        _, again = mending.repair(after.pages, repaired)
        if again is None:
            break
        repaired = again
    counts = lines.measure(after.pages).counts()
    assert counts["hyphen runs"] < faults["hyphen runs"] and counts["page-end hyphens"] == 0, (faults, counts)


def _loose_paragraph():
    """(html of a paragraph with a loose line, place names, which never break, and a paragraph after it; its layout
    function)."""
    css = weasyprint.CSS(string="@page { size: 84mm 200mm; margin: 5mm } p { font-family: 'Charis SIL'; margin: 0;"
                                " font-size: 10pt; line-height: 1.4; text-align: justify; hyphens: manual;"
                                " hyphenate-character: '-' }")
    names = ("Meanwhile, on Tuesday, open-ended strikes already started in Atyrau, Uralsk, Aktyubinsk, Kyzyl-Orda, "
             "Taraz, Taldykorgan, Turkestan, Shymkent, Ekibastuz, in towns of Almaty region and in Almaty itself, "
             "where barricading of streets during the night of 4–5 January led to the open clash of demonstrators.")
    other = "The second paragraph stays as it was, whatever the first one does: a repair is local to its paragraph."
    body = Typesetter(locale("en")).typeset(f"{names}\n\n{other}\n").body

    def lay_out_html(changed):
        return weasyprint.HTML(string=changed).render(stylesheets=[css])
    return f'<html lang="en"><head></head><body>{body}</body></html>', lay_out_html


def _paragraphs(document):
    return [box for box in document.pages[0]._page_box.descendants() if isinstance(box, lines.boxes.BlockBox)
            and box.element is not None and box.element.tag == "p"]


def test_a_loose_line_is_mended_in_its_paragraph_alone():
    """mending.mended, once the hyphens are done with: a paragraph with a loose line (place names, which never
    break) gets its spacing nudged until the line is gone; the paragraph after it is laid out as it was. What it
    did, made again (Repairs), gives the same HTML."""
    html, lay_out_html = _loose_paragraph()

    def second(document):
        return [(line.text, line.natural) for line in lines.lines_of(_paragraphs(document)[1], final=True)]

    before = lay_out_html(html)
    assert lines.measure(before.pages).counts()["loose"] > 0  # the width is chosen for it
    after, mended, repairs = mending.repaired(lay_out_html, html, before)
    assert lines.measure(after.pages).total() == 0, lines.measure(after.pages).messages()
    assert second(after) == second(before)
    assert repairs.rules and repairs.applied(html) == mended  # the same repairs made again, without a search


def test_a_nudge_is_judged_on_its_paragraph_alone():
    """mending.Alone: a nudge is judged on its paragraph laid out alone (the others emptied and hidden), before the
    whole is laid out for it: one that mends the loose line is better, one that loosens it more is not."""
    html, lay_out_html = _loose_paragraph()
    before = lay_out_html(html)
    element = _paragraphs(before)[0].element
    [(path,)] = mending.selectors(before, [(element,)])
    laid_out = []

    def recorded(changed):
        laid_out.append(lay_out_html(changed))
        return laid_out[-1]
    alone = mending.Alone(recorded, before, (element,))
    assert alone.better(html, mending.with_rules(html, {path: "letter-spacing: -0.01em"}))
    assert not alone.better(html, mending.with_rules(html, {path: "letter-spacing: 0.03em"}))
    assert len(laid_out) == 3  # the paragraph as it is, and with each nudge
    assert all(len(_paragraphs(document)) == 1 for document in laid_out)  # alone


# --- The fixtures, built --------------------------------------------------------------------------------------

@pytest.fixture(scope="session", params=LANGUAGES)
def built(request, tmp_path_factory):
    """Every edition of the fixture, the same build as test_fonts' (built once for the run)."""
    out, slug = built_pamphlet(tmp_path_factory, request.param)
    return {"out": out, "stdout": build_log(out).read_text(encoding="utf-8"), "print": out / f"{slug}-print.pdf",
            "screen": out / f"{slug}-screen.pdf", "epub": out / f"{slug}.epub"}


def test_the_summary_counts_the_lines(built):
    """The build's summary gives the counts of the print edition and of each leaflet: all are 0 (the repairs took
    back hyphens and nudged the spacing of paragraphs); the print and screen PDFs read back by position agree."""
    found = {line.split(": ", 1)[0]: dict((kind, int(n)) for n, kind in
                                          re.findall(r"(\d+) ([a-z -]+?)(?:,|$)", line.split(": ", 1)[1]))
             for line in built["stdout"].splitlines() if line.startswith("lines (")}
    assert any("print" in name for name in found) and any("leaflet" in name for name in found), found
    for name, counts in found.items():
        assert set(counts) == set(lines.KINDS)
        assert not any(counts.values()), (name, counts)
    for edition in ("print", "screen"):
        from_pdf = measure_pdf(built[edition])
        assert from_pdf["hyphens"] > 3, (edition, from_pdf)  # the text is hyphenated
        assert (from_pdf["hyphen runs"], from_pdf["page-end hyphens"]) == (0, 0), (edition, from_pdf)


def test_no_system_font_in_any_pdf(built):
    for pdf in sorted(built["out"].glob("*.pdf")):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "DejaVu" not in fonts and "Liberation" not in fonts, (pdf.name, fonts)


def test_the_epub_carries_the_same_soft_hyphens(built):
    text = "".join("".join(doc.find("{*}body").itertext()) for _, doc in epub_documents(built["epub"]))
    assert text.count(SHY) > 20
    assert not re.search(r"\d\u00ad|\u00ad\d|https?://\S*\u00ad", text)


# --- Lines read from a PDF by position (pdfium) ----------------------------------------------------------------

def measure_pdf(path):
    """Hyphenated lines, runs of more than 2 and hyphens on the last line of a page's body text."""
    counts = {"hyphens": 0, "hyphen runs": 0, "page-end hyphens": 0}
    for page in pdf_lines(path):
        sizes = [size for size, _ in page]
        body = max(sizes, key=sizes.count, default=0)  # the running text's size: most lines have it
        text_lines = [text for size, text in page if size >= body - 0.5]
        row = 0
        for number, text in enumerate(text_lines):
            # A paragraph's short last line ends a run: it is not left out of the rows, which would join two runs.
            hyphenated = len(text) > 12 and bool(re.search(r"\w[-\x02\u2010]$", text))
            counts["hyphens"] += hyphenated
            row = row + 1 if hyphenated else 0
            counts["hyphen runs"] += row > lines.HYPHENS_IN_A_ROW
            if hyphenated and number == len(text_lines) - 1:
                counts["page-end hyphens"] += 1
    return counts


def loose_in_pdf(path, across=1):
    """(page, text, its spaces in ems) of each loose line of a PDF, read by position (pdfium): a justified line (ending
    where most lines of its page end, within a point and a half, its spaces all alike: a row of table cells has them
    unlike), its spaces wider than lines.LOOSE ems and a little (a glyph's box, its advance, holds its side bearings,
    which the layout's measure does not), none over 5 ems. A note's call, raised, is read into its line; a sheet
    holding across pages side by side (a leaflet's, 2) is read page by page."""
    document = pypdfium2.PdfDocument(str(path))
    found = []
    for index in range(len(document)):
        page = document[index]
        width = page.get_width()
        glyphs = _glyphs(page.get_textpage())
        for column in range(across):
            side = [glyph for glyph in glyphs if min(max(int(glyph[0] * across / width), 0), across - 1) == column]
            found += [(index + 1, text, spaces) for text, spaces in _loose_rows(side)]
    return found


def _glyphs(textpage):
    """(left, right, baseline, text, size in points) of each glyph drawn, its box by its advance."""
    out = []
    for char in range(textpage.count_chars()):
        text = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, char))
        box, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, char, ctypes.byref(box))
        pdfium_c.FPDFText_GetMatrix(textpage.raw, char, ctypes.byref(matrix))
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, char, ctypes.byref(x), ctypes.byref(y))
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5  # the size as printed
        if box.right > box.left and not text.isspace():
            out.append((box.left, box.right, y.value, text, pdfium_c.FPDFText_GetFontSize(textpage.raw, char) * scale))
    return out


def _loose_rows(glyphs):
    """(text, spaces in ems) of each loose line among the glyphs of one page."""
    rows = {}
    for left, right, baseline, text, size in glyphs:
        rows.setdefault(round(baseline / 2) * 2, []).append((left, right, text, size))
    lines_ = []  # [baseline, em, glyphs], from the top
    for baseline in sorted(rows, reverse=True):
        em = max(size for *_, size in rows[baseline])
        if lines_ and lines_[-1][1] < 0.8 * em and lines_[-1][0] - baseline < 0.6 * em:
            rows[baseline] += lines_.pop()[2]  # raised and smaller, just above: a note's call
        lines_.append([baseline, em, sorted(rows[baseline])])
    ends = [round(row[-1][1]) for _, _, row in lines_ if len(row) > 12]
    edge = max(ends, key=ends.count, default=0)  # where most lines end (not a running head)
    found = []
    for _, em, row in lines_:
        spaces = [gap for gap in ((b[0] - a[1]) / em for a, b in zip(row, row[1:], strict=False)) if gap > 0.15]
        if (spaces and abs(row[-1][1] - edge) < 1.5 and max(spaces) - min(spaces) < 0.1
                and lines.LOOSE + 0.05 < min(spaces) and max(spaces) < 5):
            found.append(("".join(text for _, _, text, _ in row), round(min(spaces), 2)))
    return found


# The pamphlets test_fonts builds whole, once for the run (built_pamphlet): none is built again here.
PAMPHLETS = ("texts", "lines-en", "lines-ru", "lines-kk", "notes-en", "notes-ru", "signed-ru", "signed-kk", "messy",
             "translated")


@pytest.mark.parametrize("name", PAMPHLETS)
def test_no_loose_line_in_print_screen_or_leaflets(name, tmp_path_factory):
    """Every justified line of the print PDF, the screen PDF and each leaflet, read by position from the PDF, has its
    words no further apart than an em: texts/ had one loose line (a run of place names), lines-ru two in print and
    two in its leaflet, lines-kk one, signed-ru one in its run-on list of 300 names, translated two in Russian and
    one in a Kazakh leaflet, before the spacing of a paragraph (of a list's items) could be nudged."""
    folder, _ = built_pamphlet(tmp_path_factory, name)
    manifest = yaml.safe_load(((ROOT / "texts" if name == "texts" else FIXTURES / name) / "pamphlet.yml").read_text(
        encoding="utf-8"))
    # Every language's; not the bilingual edition's, whose two columns a line of either language would join.
    bilingual = set(file_names(manifest["slug"], manifest["bilingual"])) if manifest.get("bilingual") else set()
    pdfs = sorted(pdf for pdf in [print_file(folder), *folder.glob("*-print.pdf"), *folder.glob("*-screen.pdf"),
                                  *folder.glob("*-leaflet-*.pdf")]
                  if pdf.name not in bilingual and not pdf.name.endswith("-large-print.pdf"))
    assert any(pdf.name.endswith("-screen.pdf") for pdf in pdfs), pdfs
    for pdf in pdfs:
        assert loose_in_pdf(pdf, across=2 if "-leaflet-" in pdf.name else 1) == [], pdf.name


def test_strict_fails_on_a_line_left(tmp_path):
    """--strict: a line at fault left in a laid-out file fails the build (the message names the page and the line)
    (as a BuildError, raised before anything is staged); lines-en, with none left and no page-makeup finding (its
    opening page, a line or two short above its notes until grid.closed_up: test_makeup), passes."""
    from pamphlet.errors import BuildError
    from pamphlet.pipeline.build import Tools

    document = lay_out("да " * 40 + EVERYWHERE, 40)
    found = lines.measure(document.pages)
    assert found.total()
    with pytest.raises(BuildError) as raised:
        Tools(None, strict=True).measured("wrong.pdf", found)
    assert "page 1:" in str(raised.value) and "--strict" in str(raised.value)
    Tools(None).measured("wrong.pdf", found)  # without --strict: counted only
    out = tmp_path / "out"
    result = run_here("print", "leaflets", "--strict", "--texts", FIXTURES / "lines-en", "--out", out)
    assert result.returncode == 0 and "--strict" not in result.stderr, result.stderr


def test_a_language_without_hyphenation_patterns_is_set_ragged_right(tmp_path, tmp_path_factory):
    """kk-Latn has no patterns (the Kazakh ones are Cyrillic): its text is set ragged-right, never justified with
    loose lines; the same text as Cyrillic Kazakh, hyphenated, is justified."""
    texts = tmp_path / "texts"
    shutil.copytree(FIXTURES / "lines-kk", texts)
    manifest = texts / "pamphlet.yml"
    manifest.write_text(re.sub(r"^language: kk$", "language: kk-Latn", manifest.read_text(encoding="utf-8"),
                               flags=re.M), encoding="utf-8")
    result = run_here("print", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert re.search(r"lines \(.*-print\.pdf\): .* 0 loose", result.stdout), result.stdout
    slug = yaml.safe_load(manifest.read_text(encoding="utf-8"))["slug"]
    ragged = flush_right_share(tmp_path / "out" / f"{slug}-print.pdf")
    justified, _ = built_pamphlet(tmp_path_factory, "lines-kk")  # the run's build of the same text in Cyrillic
    # On 110 mm, 8 pages: 0.32 of the ragged lines end at the edge (each page's longest counts), 0.61 of the justified
    # ones (a paragraph's last line and a list's items do not).
    assert ragged < 0.4 < 0.55 < flush_right_share(justified / f"{slug}-print.pdf"), ragged


# --- The measure ------------------------------------------------------------------------------------------------

def full_lines(path):
    """(the text, the width from its page's left edge) of each full line of running text in a PDF, read by
    position: a line at the running text's size (the size of most lines of over 30 characters; notes, signatories
    and running heads are smaller, headings larger) that starts at its page's left edge or a paragraph's indent
    and ends at its right edge, as every justified line but a paragraph's last does (each page's edges: where nine
    lines in ten start and end no further in or out). Columns (two ems between words) are not lines."""
    rows = []  # (page, size, left, right, text)
    for number, page in enumerate(pdf_pages(path)):
        by_baseline = {}
        for char, (left, _, right, _), baseline, size in page_chars(page):
            if char not in "\r\n":
                by_baseline.setdefault(round(baseline / 2), []).append((left, right, char, size))
        for row in by_baseline.values():
            row.sort()
            ink = [glyph for glyph in row if glyph[1] > glyph[0]]
            text = " ".join("".join(char for _, _, char, _ in row).split())
            size = max((glyph[3] for glyph in ink), default=0)
            if len(text) > 30 and all(b[0] - a[1] < 2 * size for a, b in zip(ink, ink[1:], strict=False)):
                rows.append((number, size, ink[0][0], ink[-1][1], text))
    sizes = [size for _, size, *_ in rows]
    body = max(set(sizes), key=sizes.count)
    found = []
    for number in sorted({row[0] for row in rows}):
        page = [row for row in rows if row[0] == number and row[1] == body]
        if page:
            lefts, rights = sorted(row[2] for row in page), sorted(row[3] for row in page)
            left, right = lefts[len(lefts) // 10], rights[len(rights) * 9 // 10]
            found += [(text, end - left) for _, _, start, end, text in page
                      if left - 1 <= start <= left + 2 * body and abs(end - right) < 1.5]
    return found


def _measure(tmp_path_factory, name):
    """(the median characters, the median width in points) of the full lines of the pamphlet's print edition."""
    folder, _ = built_pamphlet(tmp_path_factory, name)
    found = full_lines(print_file(folder))
    assert len(found) > 12, found
    return (sorted(len(text) for text, _ in found)[len(found) // 2],
            sorted(width for _, width in found)[len(found) // 2])


@pytest.mark.parametrize("name", ["texts", "notes-en", "lines-en"])
def test_an_english_line_holds_60_to_66_characters(name, tmp_path_factory):
    """The print edition's full lines of English hold 60-66 characters, spaces and a line-end hyphen counted (the
    median): the measure that reads best on A5; 71-72 on 116 mm at 9.6 pt before (texts/, notes-en, lines-en)."""
    characters, _ = _measure(tmp_path_factory, name)
    assert 60 <= characters <= 66, f"{name}: a full line holds {characters} characters"


@pytest.mark.parametrize("name", ["notes-ru", "lines-ru", "lines-kk"])
def test_russian_and_kazakh_lines_have_the_measure_of_english_ones(name, tmp_path_factory):
    """One text block and one size for every language: Russian and Kazakh words are longer, so their full lines
    hold fewer characters (55-57), but they are as wide as texts/' English ones, within a point."""
    _, width = _measure(tmp_path_factory, name)
    _, english = _measure(tmp_path_factory, "texts")
    assert abs(width - english) < 1, (name, width, english)
