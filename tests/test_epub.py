"""The EPUB passes EPUBCheck without a single message and carries the pamphlet's structure."""

import io
import zipfile

import yaml
from fontTools.ttLib import TTFont
from lxml import etree
from pypdf import PdfReader

from conftest import (ROOT, epub_documents, epub_text, normalise, opf_name, opf_properties, opf_text,
                      pdf_body_text)

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def test_epubcheck_reports_nothing(epub_path, epubcheck):
    valid, messages = epubcheck(epub_path)
    assert valid and [f"{m.level} {m.id} {m.location}: {m.message}" for m in messages] == []


def test_every_document_declares_its_language(epub_path, manifest):
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for name, doc in epub_documents(epub_path):
        assert doc.get(lang) == manifest["language"], name


def test_pieces_in_manifest_order_with_semantics(epub_path, manifest):
    names = [name for name, _ in epub_documents(epub_path)]
    piece_docs = [name for name in names if name.removesuffix(".xhtml") + ".md" in manifest["pieces"]]
    assert piece_docs == [piece.removesuffix(".md") + ".xhtml" for piece in manifest["pieces"]]
    docs = dict(epub_documents(epub_path))
    statement = docs["statement-rsd.xhtml"]
    assert statement.find(".//{*}div[@class='demands']//{*}li") is not None
    assert len(statement.findall(".//{*}ul[@class='signatory-list list']/{*}li")) == 5
    interview = docs["interview-kurmanov.xhtml"]
    assert len(interview.findall(".//{*}blockquote")) >= 4
    assert len(interview.findall(".//{*}h2")) == 3
    assert interview.find(".//{*}div[@class='postscript']") is not None


def test_zip_layout(epub_path):
    with zipfile.ZipFile(epub_path) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"


def opf(epub_path):
    return etree.fromstring(opf_text(epub_path).encode("utf-8"))


def test_accessibility_metadata(epub_path, manifest):
    """A pamphlet of text alone (texts/: no image but the cover, no table, no note); tests/test_markdown.py
    checks one with figures, tables and notes."""
    properties = opf_properties(epub_path)
    assert properties["schema:accessMode"] == ["textual"]
    assert properties["schema:accessModeSufficient"] == ["textual"]
    features = set(properties["schema:accessibilityFeature"])
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers",
            "alternativeText"} <= features
    assert properties["schema:accessibilityHazard"] == ["none"]
    assert properties["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    labels = yaml.safe_load((ROOT / "layouts" / "locales" / f"{manifest['language']}.yml").read_text("utf-8"))["labels"]
    [summary] = properties["schema:accessibilitySummary"]
    assert summary.startswith(labels["accessibility_text_only"]) and labels["accessibility_summary"] in summary
    assert not any(labels[key] in summary for key in ("accessibility_images", "accessibility_tables",
                                                      "accessibility_notes"))


def test_navigation_landmarks_and_ncx(epub_path):
    docs = dict(epub_documents(epub_path))
    nav = docs["nav.xhtml"]
    kinds = {nav_el.get(EPUB_TYPE): nav_el for nav_el in nav.iter("{*}nav")}
    assert {"toc", "landmarks", "page-list"} <= set(kinds)
    landmarks = {a.get(EPUB_TYPE) for a in kinds["landmarks"].iter("{*}a")}
    assert {"cover", "toc", "bodymatter"} <= landmarks
    with zipfile.ZipFile(epub_path) as book:
        assert any(name.endswith(".ncx") for name in book.namelist())


def test_semantics_with_aria_roles(epub_path):
    kinds = ("chapter", "introduction", "pagebreak", "credit")
    seen = set()
    for name, doc in epub_documents(epub_path):
        for element in doc.iter():
            kind = element.get(EPUB_TYPE)
            if kind in kinds:
                assert element.get("role") == f"doc-{kind}", f"{name}: {kind} without its ARIA role"
                seen.add(kind)
    assert seen == set(kinds), f"no element marked {sorted(set(kinds) - seen)}: the roles of those went unchecked"


def test_fonts_are_subset_renamed_and_cover_the_text(epub_path):
    with zipfile.ZipFile(epub_path) as book:
        root = opf(epub_path)
        fonts = [item for item in root.iter("{*}item") if item.get("media-type") == "font/ttf"]
        assert len(fonts) == len(list((ROOT / "fonts").glob("*.ttf")))
        text = set(epub_text(epub_path)) - set(" \n\t\u00a0")
        base = opf_name(book).rsplit("/", 1)[0]
        for item in fonts:
            data = book.read(f"{base}/{item.get('href')}")
            font = TTFont(io.BytesIO(data))
            assert len(data) < 120_000, f"{item.get('href')} is not a subset"
            names = " ".join(record.toUnicode() for record in font["name"].names if record.nameID in (1, 4, 6, 16))
            assert "Charis" not in names and "PT Sans" not in names, "a modified font keeps its reserved name"
            if "charis" in item.get("href") and "normal-normal" in item.get("href"):
                missing = {ch for ch in text if ord(ch) not in font.getBestCmap()}
                assert not missing, missing


def test_page_markers_match_the_print_edition(epub_path, print_pdf):
    """Each page-break marker stands where that page of the print edition starts."""
    pages = PdfReader(print_pdf).pages
    checked = 0
    for name, doc in epub_documents(epub_path):
        for marker in doc.iter("{*}span"):
            if marker.get(EPUB_TYPE) != "pagebreak":
                continue
            number = int(marker.get("aria-label"))
            assert marker.get("id") == f"page-{number}"
            following = normalise("".join(_text_after(doc, marker))).casefold()[:25]
            if not following:
                continue  # the cover: an image in the EPUB
            start = normalise(pdf_body_text(print_pdf, page=number - 1)).casefold()[:120]
            assert following in start, \
                f"{name}: marker {number} is followed by {following!r}; page {number} starts {start!r}"
            checked += 1
    assert checked >= 10 and checked >= len(pages) // 2


def _text_after(doc, marker):
    """Text of the document after an element, in reading order."""
    seen = False
    for element in doc.find("{*}body").iter():
        if element is marker:
            seen = True
            yield marker.tail or ""
            continue
        if seen:
            yield element.text or ""
            yield element.tail or ""


def test_daisy_ace_passes(epub_path, tmp_path, daisy_ace):
    status, stderr, violations, outcome = daisy_ace(epub_path, tmp_path / "report")
    assert status == 0, stderr
    assert outcome == "pass", violations
    assert violations == []


def test_font_subsets_keep_the_features_and_glyphs_fonttools_would(epub_path):
    """HarfBuzz cuts the EPUB's fonts; fontTools' subsetter, cutting the same face to the same text, is the
    referee: the subset must keep every layout feature and glyph it keeps (ligatures, small caps, marks)."""
    from fontTools import subset

    from pamphlet.editions.subset import GRAPHITE

    with zipfile.ZipFile(epub_path) as book:
        name = next(n for n in book.namelist() if n.endswith("charis-sil-normal-normal.ttf"))
        ours = TTFont(io.BytesIO(book.read(name)))
    original = ROOT / "fonts" / "CharisSIL-Regular.ttf"
    options = subset.Options(layout_features=["*"], notdef_outline=True)
    options.drop_tables += list(GRAPHITE)  # fontTools cannot subset Graphite tables
    referee = TTFont(original)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=ours.getBestCmap().keys())
    subsetter.subset(referee)

    def features(font):
        return {(table, record.FeatureTag) for table in ("GSUB", "GPOS") if table in font
                for record in font[table].table.FeatureList.FeatureRecord}

    assert features(referee) <= features(ours)
    assert len(ours.getGlyphOrder()) >= len(referee.getGlyphOrder())
    assert features(referee), "the referee kept no features: the comparison would prove nothing"
