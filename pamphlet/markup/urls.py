"""Web addresses in a text, printed as written: each in a <span class="url"> that the layouts never hyphenate,
with a line-break opportunity (<wbr/>) after each '/', '.', '?', '&' and '=', so a long address breaks only there
or after a '-', and never gains a hyphen it does not have."""

import re
import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

# A web address as people write it in running text; what ends a sentence after it is not part of it.
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"“”«»]*[^\s<>\"“”«».,;:!?’)\]]")
# Where the address may break: after a slash, a dot, or what joins a query's parts ('?', '&', '='), followed by
# more of the address (not after 'https://').
BREAK = re.compile(r"(?<=[/.?&=])(?=[^/])")
SKIPPED = {"code", "pre", "kbd", "script", "style"}


class BreakableUrls(Treeprocessor):
    def run(self, root):
        for element in list(root.iter()):
            if element.tag in SKIPPED or element.get("class") == "url":
                continue
            if element.text and URL.search(element.text):
                nodes = _split(element.text)
                element.text = nodes[0]
                for index, node in enumerate(nodes[1:]):
                    element.insert(index, node)
            for index, child in reversed(list(enumerate(element))):
                if child.tail and URL.search(child.tail) and child.tag not in SKIPPED:
                    nodes = _split(child.tail)
                    child.tail = nodes[0]
                    for offset, node in enumerate(nodes[1:], start=1):
                        element.insert(index + offset, node)
        return root


def _split(text):
    """text (which holds an address) as [the text before the first address, then a span for each address, the
    text after it as its tail]."""
    head, spans, last = "", [], 0
    for match in URL.finditer(text):
        if spans:
            spans[-1].tail = text[last:match.start()]
        else:
            head = text[:match.start()]
        spans.append(url_span(match.group(0)))
        last = match.end()
    spans[-1].tail = text[last:]
    return [head, *spans]


def url_span(url):
    """<span class="url"> holding url with a <wbr/> at each place it may break."""
    span = etree.Element("span", {"class": "url"})
    pieces = BREAK.split(url)
    span.text = pieces[0]
    for piece in pieces[1:]:
        etree.SubElement(span, "wbr").tail = piece
    return span


def breakable(url):
    """url as HTML for a layout, with a <wbr> at each place it may break (what url_span holds, for templates)."""
    return Markup("<wbr>").join(BREAK.split(url))
