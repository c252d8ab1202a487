"""Checks an EPUB against what Send to Kindle rejects (error E999) or mangles: '--' in comments, CSS custom
properties, selectors Kindle's engines do not read, fonts whose licence bits forbid embedding them, a cover
without the metadata Kindle reads, notes Kindle would not pop up."""

import io
import posixpath
import re
import zipfile
from urllib.parse import unquote

import tinycss2
from fontTools.ttLib import TTFont, TTLibError
from lxml import etree
from PIL import Image

from ..errors import Problem

OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
XHTML = "{http://www.w3.org/1999/xhtml}"
# What Kindle's engines (KF8 and Enhanced Typesetting) read of CSS selectors: CSS 2.1's and these few of CSS 3. A rule
# whose selector names anything else is dropped whole by a reader that does not know it, every selector of a
# group with it.
PSEUDO_CLASSES = {"first-child", "last-child", "link", "visited"}
PSEUDO_ELEMENTS = {"before", "after", "first-letter", "first-line"}
NOTES = {"footnote", "endnote", "rearnote"}  # what Kindle shows as a pop-up at a noteref
# OS/2 fsType bits that forbid what an e-book does with a font: embed it (restricted licence), cut it to a subset,
# draw its outlines (bitmap embedding only).
FORBIDDING = {0x0002: "restricted licence embedding", 0x0100: "no subsetting", 0x0200: "bitmap embedding only"}
COVER_MIN = (625, 1000)  # pixels, short and long side: the least Amazon accepts for a cover
COMMENT = re.compile(rb"<!--(.*?)-->", re.S)


def check_kindle(epub, name):
    """Problems that would make Send to Kindle refuse the EPUB (its bytes) or show it wrong; name is its file's."""
    problems = []

    def problem(entry, message):
        problems.append(_problem(name, entry, message))

    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        entries = {info.filename: book.read(info) for info in book.infolist()}
    opf_name = etree.fromstring(entries["META-INF/container.xml"]).find(".//{*}rootfile").get("full-path")
    opf = etree.fromstring(entries[opf_name])
    base = posixpath.dirname(opf_name)
    items = {item.get("id"): item for item in opf.iter("{*}item")}

    def entry(href):
        return posixpath.normpath(posixpath.join(base, unquote(href)))

    for path, data in sorted(entries.items()):
        if path.endswith((".xhtml", ".html", ".opf", ".ncx", ".svg", ".xml")):
            for comment in COMMENT.findall(data):
                if b"--" in comment or comment.endswith(b"-"):
                    problem(path, "an XML comment holds '--'; Send to Kindle refuses the book (E999)")
    for item in items.values():
        path, media = entry(item.get("href")), item.get("media-type", "")
        if path not in entries:
            continue
        if media == "text/css":
            problems += stylesheet_problems(path, entries[path].decode("utf-8"), name)
        elif media.startswith("font/") or media in ("application/vnd.ms-opentype", "application/font-woff",
                                                    "application/x-font-ttf", "application/x-font-truetype"):
            message = font_problem(entries[path])
            if message:
                problem(path, message)
        elif media == "application/xhtml+xml":
            try:
                document = etree.fromstring(entries[path])
            except etree.XMLSyntaxError as err:
                problem(path, f"not well-formed XML ({err}); Send to Kindle refuses the book (E999)")
                continue
            for message in document_problems(document, entries, posixpath.dirname(path)):
                problem(path, message)
    problems += [_problem(name, opf_name, message) for message in cover_problems(opf, items, entries, entry)]
    return problems


def _problem(name, entry, message):
    """A problem of the EPUB named name, in its entry (a file inside it)."""
    return Problem(name, None, f"{entry}: {message} (Send to Kindle)")


def stylesheet_problems(entry, css, name):
    """What Kindle refuses in a stylesheet that is the entry of the EPUB named name."""
    return [_problem(name, entry, message) for message in css_problems(css)]


def css_problems(css, inline=False):
    """What Kindle cannot read in a stylesheet (or, inline, in a style attribute's declarations)."""
    found = []
    if inline:
        nodes = tinycss2.parse_declaration_list(css, skip_comments=False)
    else:
        nodes = tinycss2.parse_stylesheet(css, skip_comments=False)
    for node in nodes:
        found += _node_problems(node)
    return list(dict.fromkeys(found))


def _node_problems(node):
    found = []
    if node.type == "comment":
        if "--" in node.value:
            found.append("a CSS comment holds '--', which Send to Kindle takes for a custom property (E999)")
    elif node.type == "declaration":
        if node.name.startswith("--"):
            found.append(f"the custom property '{node.name}': Send to Kindle refuses CSS variables (E999)")
        if _functions(node.value, "var"):
            found.append(f"'{node.name}' uses var(): Send to Kindle refuses CSS variables (E999)")
        found += _comments(node.value)
    elif node.type == "qualified-rule":
        selector = tinycss2.serialize(node.prelude).strip()
        for double, pseudo in _pseudos(node.prelude):
            if pseudo not in PSEUDO_ELEMENTS and (double or pseudo not in PSEUDO_CLASSES):
                found.append(f"the selector '{selector}' uses '{'::' if double else ':'}{pseudo}', which Kindle does "
                             "not read: the whole rule is dropped")
        found += _comments(node.prelude)
        for inner in tinycss2.parse_declaration_list(node.content or [], skip_comments=False):
            found += _node_problems(inner)
    elif node.type == "at-rule" and node.content is not None:
        inner = (tinycss2.parse_declaration_list if node.lower_at_keyword in ("font-face", "page")
                 else tinycss2.parse_rule_list)(node.content, skip_comments=False)
        for child in inner:
            found += _node_problems(child)
    return found


def _comments(tokens):
    return ["a CSS comment holds '--', which Send to Kindle takes for a custom property (E999)"
            for token in _walk(tokens) if token.type == "comment" and "--" in token.value]


def _walk(tokens):
    for token in tokens:
        yield token
        if getattr(token, "content", None) is not None and token.type in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)
        if token.type == "function":
            yield from _walk(token.arguments)


def _functions(tokens, name):
    return [token for token in _walk(tokens) if token.type == "function" and token.lower_name == name]


def _pseudos(prelude):
    """(double colon, name) of each pseudo-class and pseudo-element a selector names."""
    tokens = [token for token in prelude if token.type != "comment"]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "literal" and token.value == ":":
            double = index + 1 < len(tokens) and tokens[index + 1].type == "literal" and tokens[index + 1].value == ":"
            index += 2 if double else 1
            if index < len(tokens):
                after = tokens[index]
                yield double, after.lower_value if after.type == "ident" else getattr(after, "lower_name", "?")
        index += 1


def font_problem(data):
    """Why Kindle may not embed the font, or None."""
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        bits = font["OS/2"].fsType
    except (TTLibError, KeyError, AssertionError) as err:
        return f"a font Kindle cannot read its licence bits from ({err})"
    forbidden = [what for bit, what in FORBIDDING.items() if bits & bit]
    return f"the font's licence bits (OS/2 fsType {bits:#06x}) say {', '.join(forbidden)}" if forbidden else None


def document_problems(document, entries, folder):
    """Style attributes Kindle refuses, and notes it would not pop up: a noteref must point at a footnote, endnote
    or rearnote whose first link leads back to the call (Kindle runs notes together otherwise)."""
    found = []
    for element in document.iter(f"{XHTML}*"):
        if element.get("style"):
            found += css_problems(element.get("style"), inline=True)
        if element.tag == f"{XHTML}style" and element.text:
            found += css_problems(element.text)
    ids = {element.get("id"): element for element in document.iter() if element.get("id")}
    for call in document.iter():
        if "noteref" not in (call.get(OPS_TYPE) or "").split():
            continue
        label = "".join(call.itertext()).strip()
        href = call.get("href") or ""
        if call.tag != f"{XHTML}a" or not href:
            found.append(f"note call '{label}' is no link; Kindle shows no pop-up")
            continue
        file, _, anchor = href.partition("#")
        if file:
            other = entries.get(posixpath.normpath(posixpath.join(folder, unquote(file))))
            targets = {e.get("id"): e for e in etree.fromstring(other).iter() if e.get("id")} if other else {}
        else:
            targets = ids
        note = targets.get(anchor)
        if note is None:
            found.append(f"note call '{label}' points at '{href}', which is not there")
            continue
        if not NOTES & set((note.get(OPS_TYPE) or "").split()):
            found.append(f"note '{anchor}' is not marked epub:type footnote, endnote or rearnote; Kindle shows no "
                         "pop-up")
        back = next(note.iter(f"{XHTML}a"), None)
        if back is None or back.get("href", "").rpartition("#")[2] != call.get("id"):
            found.append(f"note '{anchor}' does not start with a link back to its call; Kindle runs it into the next")
    return list(dict.fromkeys(found))


def cover_problems(opf, items, entries, entry):
    """The cover as Kindle finds it: <meta name="cover"> naming the manifest's cover-image, large enough."""
    meta = next((m for m in opf.iter("{*}meta") if m.get("name") == "cover"), None)
    if meta is None:
        return ["no <meta name=\"cover\" content=\"…\"/>: Kindle shows no cover"]
    item = items.get(meta.get("content"))
    if item is None or "cover-image" not in (item.get("properties") or "").split():
        return [f"the cover meta names '{meta.get('content')}', which is not the manifest's cover-image"]
    data = entries.get(entry(item.get("href")))
    if data is None or item.get("media-type") not in ("image/jpeg", "image/png", "image/gif"):
        return ["the cover image is missing or not a JPEG, PNG or GIF"]
    size = sorted(Image.open(io.BytesIO(data)).size)
    if size[0] < COVER_MIN[0] or size[1] < COVER_MIN[1]:
        return [f"the cover is {size[1]}×{size[0]} pixels; Amazon asks for at least {COVER_MIN[1]}×{COVER_MIN[0]}"]
    return []
