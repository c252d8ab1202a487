"""Finds what a piece's author wrote as Markdown but the converter could not read: notes without a call or a text,
images without a description, and syntax left raw on the page."""

import re

from lxml import html

from ..errors import Problem
from .convert import ASSET
from .pandoc import INLINE_NOTE, SPAN_CLASSES
from .syntax import FENCE, NOTE_DEFINITION

CALL = re.compile(r"\[\^([^\]\s]+)\]")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")

# Markdown that survives conversion as text means the converter did not read it: (pattern, what, how to write it).
RAW = [
    (re.compile(r"\[\^[^\]]*\]"), "a note call",
     "write the note's text on its own line as '[^name]: text', or the note inline as ^[text]"),
    (re.compile(r"\^\["), "an inline note '^[' never closed", "close it with ']' in the same paragraph"),
    (re.compile(r"~~"), "a strikeout '~~' never closed", "write ~~old words~~ within one paragraph"),
    (re.compile(r"\]\{[^}]*\}?"), "a bracketed span", "write [text]{." + "} or [text]{.".join(SPAN_CLASSES)
     + "} or [text]{lang=ru}: the layouts know no other"),
    # Pandoc's attributes after a heading, an image or a link ({#id}, {.class}, {width=50%}): not read (README).
    (re.compile(r"\{[#.][^}]*\}|\{\s*[A-Za-z][\w:-]*=[^}]*\}"), "attributes in braces",
     "only spans take them, [text]{.smallcaps}; remove them (headings get their ids from the builder, images their "
     "size from the layouts)"),
    (re.compile(r"\]\("), "a link or image not read", "write [text](https://…) or ![description](file.jpg), "
                                                      "with no space between ] and ("),
    (re.compile(r":::"), "a ':::' fence not read", "put '::: name' and the closing ':::' each on a line of its own, "
                                                   "with a blank line before"),
    (re.compile(r"\|? *:?(-{3,}|[–—]-*):? *\|"), "a table's rule line",  # smart dashes turn --- into —
     "start the table after a blank line with a header row, then a rule line like |---|---:|, one row per line"),
    # TeX's math, as Pandoc reads it (the builder does not): $x^2$, $$…$$, but never a price ($5 and $10).
    (re.compile(r"\$\$|\$(?=\S)[^$\n]*[\\^_{}][^$\n]*(?<=\S)\$"), "TeX math",
     "the editions do not typeset TeX: write x^2^ for a superscript (x²), H~2~O for a subscript (H₂O), the "
     "symbols themselves (×, −, ≤, π) or the formula in words"),
    (re.compile(r"\*\*|__|(?<![\w*])\*(?=\w)|(?<=\w)\*(?![\w*])"), "an emphasis marker never closed",
     "close it in the same paragraph: *emphasis*, **strong**"),
]


def check(piece, converted):
    """Problems in a piece whose Markdown was converted (by markup.converter) into the XHTML converted."""
    lines = _without_code(piece.body)
    problems = _check_notes(piece, lines)
    tree = html.fragment_fromstring(converted, create_parent="div") if converted.strip() else None
    if tree is None:
        return problems
    for item in tree.xpath(".//div[@class='footnote']//li"):
        blocks = {child.tag for child in item if child.tag != "p"}
        if blocks:
            name = item.get("id", "").partition(":")[2]
            problems.append(Problem(piece.path, _line(piece, lines, f"[^{name}]:"),
                                    f"the note [^{name}] holds a {'/'.join(sorted(blocks))}; a note may hold only "
                                    "paragraphs (it is printed at the foot of a page)"))
    for image in tree.iter("img"):
        if not image.get("alt", "").strip():
            problems.append(Problem(piece.path, _line(piece, lines, f"]({image.get('src', '').removeprefix(ASSET)}"),
                                    "this image has no description: write what it shows between the brackets, "
                                    "![A march on Republic Square](photo.jpg); it is the caption and what screen "
                                    "readers say"))
    for text in _texts(tree):
        for pattern, what, how in RAW:
            match = pattern.search(text)
            if match:
                token = match.group(0)
                # On one line, as every message is (the text around it may span several).
                snippet = " ".join(text[max(0, match.start() - 20):match.end() + 20].split())
                # As the author typed it: smart dashes and quotes back to what they came from.
                typed = token.replace("—", "---").replace("–", "--").translate(str.maketrans("“”‘’«»", "\"\"''\"\""))
                problems.append(Problem(piece.path, _line(piece, lines, typed, token, token.strip(" |")),
                                        f"{what} left as written (“…{snippet}…”); {how}"))
                break
    return problems


def _check_notes(piece, lines):
    """Every note called once, defined once; every definition called."""
    calls, definitions, problems = {}, {}, []
    note = None  # the note whose text this line is (its definition line, or a line indented under it)
    for number, line in enumerate(lines, start=piece.body_line):
        definition = NOTE_DEFINITION.match(line)
        if definition:
            name = note = definition.group(1)
            if name in definitions:
                problems.append(Problem(piece.path, number, f"a second note [^{name}] (the first is on line "
                                                            f"{definitions[name]}); give each note its own name"))
            definitions.setdefault(name, number)
            line = line[definition.end():]
        elif line.strip() and not line.startswith(("    ", "\t")):
            note = None
        for call in CALL.finditer(line):
            name = call.group(1)
            if note is not None:
                problems.append(Problem(piece.path, number, f"the note [^{name}] is called inside the note "
                                                            f"[^{note}]; a note cannot hold a note: write its "
                                                            f"text into [^{note}], or call it from the text"))
            if name in calls:
                problems.append(Problem(piece.path, number, f"the note [^{name}] is called a second time (first on "
                                                            f"line {calls[name]}); a note is printed once, at its "
                                                            "call: write a second note"))
            calls.setdefault(name, number)
    for name, number in calls.items():
        if name not in definitions and not name.startswith(INLINE_NOTE):
            problems.append(Problem(piece.path, number, f"the note [^{name}] is called but never written; add a "
                                                        f"line '[^{name}]: the note's text' after the paragraph"))
    for name, number in definitions.items():
        if name not in calls:
            problems.append(Problem(piece.path, number, f"the note [^{name}] is written but never called; put "
                                                        f"[^{name}] in the text where the note belongs, or delete it"))
    return problems


def _without_code(body):
    """The body's lines with code blocks and code spans blanked, so that syntax shown as code is not read."""
    lines, fenced = [], False
    for line in body.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            lines.append("")
            continue
        lines.append("" if fenced else CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return lines


def _line(piece, lines, *needles):
    """The line where the first needle found first appears outside code, else the first line of the body."""
    for needle in needles:
        for number, line in enumerate(lines, start=piece.body_line):
            if needle in line:
                return number
    return piece.body_line


def _texts(tree):
    """The text of every element outside code, each text node on its own."""
    for element in tree.iter():
        if not isinstance(element.tag, str):  # a comment: only the text after it is the piece's
            if element.tail:
                yield element.tail
            continue
        inside_code = any(a.tag in ("code", "pre") for a in element.iterancestors()) or element.tag in ("code", "pre")
        if element.text and not inside_code:
            yield element.text
        parent_code = any(a.tag in ("code", "pre") for a in element.iterancestors())
        if element.tail and not parent_code:
            yield element.tail
