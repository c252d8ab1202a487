"""The Kobo edition, <slug>.kepub.epub: the EPUB with the markup Kobo's own reading engine needs (each sentence in a
numbered koboSpan, the body inside div#book-columns > div#book-inner), made from the EPUB's bytes as kepubify and
Standard Ebooks' tools make it, not by a second rendering."""

import re

from lxml import etree

from .ebook import entries, pack

XHTML = "{http://www.w3.org/1999/xhtml}"
# A sentence ends at . ! or ? (with a closing quote or bracket after it) and the space after it, as Kobo splits.
SENTENCE = re.compile(r".*?[.!?…][\"'”’»)\]]*\s+", re.S)
KEEP = {"script", "style", "pre", "audio", "video", "svg", "math"}  # their text stays as it is
BLOCKS = {"p", "ol", "ul", "table", "h1", "h2", "h3", "h4", "h5", "h6"}  # each starts a new number N of kobo.N.M
# Kobo's own books carry this: its pages are laid out on the wrappers, whose margins must not add to the book's.
STYLE = "div#book-inner { margin-top: 0; margin-bottom: 0; }"


def make(tools, job, epub):
    return kepub(epub)


def kepub(epub):
    """The kepub's bytes from the EPUB's: every XHTML document of the manifest given Kobo's markup."""
    files = entries(epub)
    opf_name = etree.fromstring(files["META-INF/container.xml"]).find(".//{*}rootfile").get("full-path")
    folder = opf_name.rpartition("/")[0]
    for item in etree.fromstring(files[opf_name]).iter("{*}item"):
        if item.get("media-type") == "application/xhtml+xml":
            name = f"{folder}/{item.get('href')}" if folder else item.get("href")
            files[name] = kobo_document(files[name])
    return pack(files)


def kobo_document(xhtml):
    """One XHTML document with Kobo's style, wrappers and spans."""
    root = etree.fromstring(xhtml)
    head, body = root.find(f"{XHTML}head"), root.find(f"{XHTML}body")
    style = etree.SubElement(head, f"{XHTML}style", {"type": "text/css", "class": "kobostylehacks"})
    style.text, style.tail = STYLE, "\n"
    columns = etree.Element(f"{XHTML}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{XHTML}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    inner.extend(list(body))
    body.append(columns)
    _Spans().element(inner)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")


class _Spans:
    """Numbers the text of a document as Kobo does: kobo.N.M, N counting blocks (and images), M the sentences
    in each."""

    def __init__(self):
        self.paragraph, self.segment, self.next_paragraph = 0, 0, False

    def span(self, text=None):
        if self.next_paragraph:
            self.paragraph, self.segment, self.next_paragraph = self.paragraph + 1, 0, False
        self.segment += 1
        span = etree.Element(f"{XHTML}span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.{self.segment}"})
        span.text = text
        return span

    def element(self, element):
        tag = etree.QName(element).localname
        if tag == "img":
            return  # wrapped by its parent, which can put the span in its place
        if tag in KEEP:
            return
        if tag in BLOCKS:
            self.next_paragraph = True
        children = list(element)  # before the spans of its text join them
        if element.text:
            text, element.text = element.text, None
            self.insert(element, 0, self.pieces(text, tag))
        for child in children:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            if etree.QName(child).localname == "img":
                self.next_paragraph = True
                wrapper = self.span()
                child.addprevious(wrapper)
                wrapper.append(child)  # moves the image, with its tail, into the span
                wrapper.tail, child.tail = child.tail, None
                child = wrapper
            else:
                self.element(child)
            if child.tail:
                text, child.tail = child.tail, None
                self.insert(element, element.index(child) + 1, self.pieces(text, tag), after=child)

    def pieces(self, text, parent):
        """The text's sentences as spans, and the bits left as they are (white space outside a paragraph)."""
        sentences = [match.group() for match in SENTENCE.finditer(text)]
        rest = text[sum(map(len, sentences)):]
        pieces = []
        for sentence in sentences + ([rest] if rest else []):
            pieces.append(sentence if not sentence.strip() and parent != "p" else self.span(sentence))
        return pieces

    @staticmethod
    def insert(parent, index, pieces, after=None):
        """Put pieces (strings and spans) into parent at index: a string becomes the text or tail before the next."""
        previous = after
        for piece in pieces:
            if isinstance(piece, str):
                if previous is None:
                    parent.text = (parent.text or "") + piece
                else:
                    previous.tail = (previous.tail or "") + piece
            else:
                parent.insert(index, piece)
                index += 1
                previous = piece
