"""Turns Python-Markdown's notes into the shapes the editions need: a note at its call (print sets it at the foot
of the page) and, for the EPUB, a call with the notes listed at the end of the piece."""

import copy
from dataclasses import dataclass

from lxml import etree

OPS = "http://www.idpf.org/2007/ops"


@dataclass(frozen=True)
class Note:
    number: int
    id: str     # the note's own id
    ref: str    # the id of its call
    html: str   # its paragraphs as XHTML, the first opening with a back-link to the call (its name until then)


PUNCTUATION = ".,;:"


def shapes(root, prefix, sources=None, calls=None):
    """The piece for print (each note at its call), the piece for the EPUB (calls only), and the EPUB's notes.

    root is the converted piece under an element that declares the epub: prefix; sources maps a note's name
    to 'file:line', carried by the printed note so that the preflight can name a note it could not print;
    calls is the language's rule for a call next to a full stop, comma, semicolon or colon: 'after' it
    (English), 'before' it (Russian), or None to keep calls where they were written."""
    print_root, epub_root = copy.deepcopy(root), copy.deepcopy(root)
    print_shape(take_notes(print_root, prefix, calls), sources or {})
    return print_root, epub_root, epub_shape(take_notes(epub_root, prefix, calls))


def take_notes(tree, prefix, calls=None):
    """Renumber the calls in tree in reading order as <a class="noteref">, remove Python-Markdown's list of
    notes, and return each note's block elements, numbered like its call."""
    listing = tree.find(".//div[@class='footnote']")
    if listing is None:
        return []
    items = {item.get("id"): item for item in listing.iter("li")}
    listing.getparent().remove(listing)
    notes = []
    for call in tree.xpath(".//sup[a[@class='footnote-ref']]"):
        item = items.pop(call[0].get("href", "").lstrip("#"), None)
        if item is None:
            continue  # a second call of a note: refused by the checks, never printed twice
        number = len(notes) + 1
        note_id, ref = f"{prefix}-note-{number}", f"{prefix}-noteref-{number}"
        link = etree.Element("a", {"class": "noteref", "href": f"#{note_id}", "id": ref})
        link.text, link.tail = str(number), call.tail
        call.getparent().replace(call, link)
        _place(link, calls)
        for back in item.xpath(".//a[@class='footnote-backref']"):
            _remove_keeping_tail(back)
        blocks = list(item)
        back = etree.Element("a", {"class": "note-back", "href": f"#{ref}"})
        back.text = str(number)
        if blocks and blocks[0].tag == "p":
            back.tail = " " + (blocks[0].text or "")
            blocks[0].text = None
            blocks[0].insert(0, back)
        notes.append((Note(number, note_id, ref, item.get("id", "").partition(":")[2]), link, blocks))
    return notes


def _place(link, calls):
    """Move the punctuation next to a call to the side the language puts it on."""
    previous = link.getprevious()
    before = previous.tail if previous is not None else link.getparent().text
    before, after = before or "", link.tail or ""
    if calls == "after" and after[:1] in PUNCTUATION and after[:1]:
        marks = after[:len(after) - len(after.lstrip(PUNCTUATION))]
        before, after = before + marks, after[len(marks):]
    elif calls == "before" and before[-1:] in PUNCTUATION and before[-1:] and not before.endswith("..."):
        marks = before[len(before.rstrip(PUNCTUATION)):]
        before, after = before[:len(before) - len(marks)], marks + after
    else:
        return
    if previous is not None:
        previous.tail = before or None
    else:
        link.getparent().text = before or None
    link.tail = after or None


def _remove_keeping_tail(element):
    parent, tail = element.getparent(), (element.tail or "").rstrip("\u00a0 ")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = ((previous.tail or "") + tail).rstrip("\u00a0 ") or None
    else:
        parent.text = ((parent.text or "") + tail).rstrip("\u00a0 ") or None
    parent.remove(element)


def print_shape(notes, sources):
    """Each note right after its call, as a span the print layouts float to the foot of the page."""
    for note, link, blocks in notes:
        holder = etree.Element("span", {"class": "note", "id": note.id})
        if note.html in sources:
            holder.set("data-source", sources[note.html])
        for block in blocks:
            part = copy.deepcopy(block)
            part.tag, part.attrib["class"], part.tail = "span", "note-p", None
            for back in part.iter("a") if not len(holder) else ():
                if back.get("class") == "note-back" and back.tail:
                    back.tail = back.tail.lstrip()  # the number hangs in the note's indent (paged.css), spaced there
            holder.append(part)
        holder.tail, link.tail = link.tail, None
        link.addnext(holder)


def epub_shape(notes):
    """Calls marked as note references for reading systems; the notes as (Note, XHTML) for the layout."""
    result = []
    for note, link, blocks in notes:
        link.set(f"{{{OPS}}}type", "noteref")
        link.set("role", "doc-noteref")
        for back in blocks[0].iter("a") if blocks else ():
            if back.get("class") == "note-back":
                back.set("role", "doc-backlink")
        result.append(Note(note.number, note.id, note.ref, "".join(serialize(block) for block in blocks)))
    return result


def serialize(element):
    """An element as XHTML without its tail."""
    return etree.tostring(element, encoding="unicode", method="xml", with_tail=False)


def serialize_inside(root):
    """What root holds as XHTML, its epub: attributes written with the prefix the EPUB's pages declare."""
    text = etree.tostring(root, encoding="unicode", method="xml")
    return "" if text.endswith("/>") and "</" not in text else text[text.index(">") + 1:text.rindex("</")]
