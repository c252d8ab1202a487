"""The Kobo edition (<slug>.kepub.epub), made from the EPUB: valid for EPUBCheck, Kobo's wrappers and numbered
sentence spans in every document and nothing else changed, notes where Kobo pops them up; for texts/ and the notes
fixtures (English with figures and a table, Russian)."""

import re
import zipfile

import pytest
from lxml import etree

from conftest import built_pamphlet, epub_documents, output

X = "{http://www.w3.org/1999/xhtml}"
OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
KOBO_ID = re.compile(r"kobo\.(\d+)\.(\d+)$")


@pytest.fixture(scope="module", params=("texts", "notes-en", "notes-ru"))
def books(request, tmp_path_factory):
    """(EPUB, kepub) of one pamphlet, from the builds the other tests share."""
    out, slug = built_pamphlet(tmp_path_factory, request.param)
    return output(out, "epub", slug=slug), output(out, "kobo", slug=slug)


def spans(doc):
    return [span for span in doc.iter(f"{X}span") if span.get("class") == "koboSpan"]


def test_valid_for_epubcheck(books, epubcheck):
    valid, messages = epubcheck(books[1])
    assert valid and messages == [], [str(m) for m in messages]


def test_every_document_has_kobos_wrappers_and_numbered_sentences(books):
    documents = epub_documents(books[1])
    for name, doc in documents:
        body = doc.find(f"{X}body")
        assert [(e.tag, e.get("id")) for e in body] == [(f"{X}div", "book-columns")], name
        assert [(e.tag, e.get("id")) for e in body[0]] == [(f"{X}div", "book-inner")], name
        assert doc.find(f"{X}head/{X}style[@class='kobostylehacks']") is not None, name
        numbers = [tuple(map(int, KOBO_ID.match(span.get("id")).groups())) for span in spans(doc)]
        assert numbers, name
        # kobo.N.M: N counts the blocks from 1, M the sentences of each from 1, in reading order.
        for (n0, m0), (n1, m1) in zip([(0, 0), *numbers[:-1]], numbers, strict=True):
            assert (n1, m1) in ((n0, m0 + 1), (n0 + 1, 1)), (name, (n0, m0), (n1, m1))
        for element in body.iter(f"{X}*"):
            inside = any(a.get("class") == "koboSpan" for a in element.iterancestors())
            kept = any(a.tag == f"{X}pre" for a in (element, *element.iterancestors()))  # code keeps its lines
            if element.tag == f"{X}img":
                assert element.getparent().get("class") == "koboSpan", name
            if element.get("class") != "koboSpan" and not inside and not kept:
                # Text outside a span is only the white space between blocks.
                assert not (element.text or "").strip() and not (element.tail or "").strip(), (name, element.text)
        # One sentence a span: none holds a sentence's end followed by more words.
        for span in spans(doc):
            assert not re.search(r"[.!?…][\"'”’»)\]]*\s+\S", span.text or ""), (name, span.text)
    assert sum(len(spans(doc)) for _, doc in documents) > 100


def _unkobo(doc):
    """The document without Kobo's markup: its style and wrappers removed, each span's text put in its place."""
    for style in list(doc.iter(f"{X}style")):
        style.getparent().remove(style)
    body = doc.find(f"{X}body")
    inner = body[0][0]
    body.text, body[:] = inner.text, list(inner)
    for span in spans(doc):
        parent, index = span.getparent(), span.getparent().index(span)
        _add_text(parent, index, span.text)
        children = list(span)
        for offset, child in enumerate(children):
            parent.insert(index + offset, child)  # with its tail
        _add_text(parent, index + len(children), span.tail)
        parent.remove(span)
    return etree.tostring(doc, method="c14n")


def _add_text(parent, index, text):
    """Add text where parent's child at index stands: to the tail of the child before it, or to parent's text."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        parent[index - 1].tail = (parent[index - 1].tail or "") + text


def test_made_from_the_epub_with_nothing_else_changed(books):
    epub, kobo = books
    with zipfile.ZipFile(epub) as a, zipfile.ZipFile(kobo) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if not name.endswith(".xhtml"):
                assert a.read(name) == b.read(name), name
    for (name, original), (same, made) in zip(epub_documents(epub), epub_documents(kobo), strict=True):
        assert name == same
        assert _unkobo(made) == etree.tostring(original, method="c14n"), name


def test_notes_pop_up_on_kobo(books):
    """Kobo pops up a note that is a footnote after its call in the same file, under about 5,000 characters."""
    count = 0
    for name, doc in epub_documents(books[1]):
        order = {element: number for number, element in enumerate(doc.iter())}
        for call in doc.iter(f"{X}a"):
            if call.get(OPS_TYPE) != "noteref":
                continue
            count += 1
            assert call.get("href").startswith("#"), (name, call.get("href"))
            note = doc.find(f".//*[@id='{call.get('href')[1:]}']")
            assert note.tag == f"{X}aside" and note.get(OPS_TYPE) == "footnote", name
            assert order[note] > order[call], name
            assert len("".join(note.itertext())) < 5000, name
            assert next(note.iter(f"{X}a")).get("href") == f"#{call.get('id')}", name
    assert count >= (0 if books[0].parent.name == "dist" else 3)
