"""python build.py new DIR: writes a small pamphlet folder, commented field by field, that builds at once."""

import datetime
import re
import uuid
from pathlib import Path

from .sources.schema import KINDS

MANIFEST = """\
# The pamphlet's manifest. Every key is explained on its line; unknown keys are errors.
title: {title}                      # on the cover, the title page and in the metadata
subtitle: A statement, an interview and an introduction   # optional
byline: Our organisation            # the author line of the whole pamphlet
publisher: Our organisation         # printed on the imprint page
language: {language}                        # en, ru, kk, …: hyphenation, quotes and the layouts' words
date: {date}                        # YYYY-MM-DD; also the date stamped into every file
identifier: urn:uuid:{uuid}   # stable: keep it for every edition of this pamphlet
slug: {slug}                        # the start of every output's file name
keywords: [solidarity, statement]   # optional: for the metadata of the PDFs and the EPUB
imprint: |                          # optional Markdown for the imprint page
  Reproduce freely, with the source.
blurb: |                            # optional Markdown for the back cover
  Why this pamphlet matters, in two or three sentences.
openings: auto                      # auto: right-hand openings where they cost no paper; right: always; any: never
# url: https://example.org/our-pamphlet   # optional (remove the #): a QR code of it on the back cover and
#                                   # each leaflet, and a link on the imprint page of the screen PDF and EPUB
# print_profile: FOGRA29            # optional: FOGRA39 coated paper (default), FOGRA29 uncoated, or the print
#                                   # shop's own CMYK profile, a .icc file in this folder
pieces:                             # the pieces, in reading order: one Markdown file each
  - introduction.md
  - statement.md
  - interview.md
"""

INTRODUCTION = """\
---
kind: introduction        # {kinds}
title: Introduction
date: {date}
authors: [The editors]    # optional; a list
---

Write the introduction here, in Markdown. Straight "quotes" become curly quotes, and -- and ---
become dashes.

A blank line starts a new paragraph. A note is called like this,[^first] its text written
anywhere in the piece; a short one can be written where it is called.^[Like this one.] Print
sets each note at the foot of its page, the EPUB at the end of the piece.

| Town      | Members | Branches |
|:----------|--------:|---------:|
| Leeds     |   1,250 |        4 |
| Bristol   |     830 |        3 |

Table: A table: a header row, a rule line (colons set the alignment), and a caption.

![An image alone in its paragraph is a figure; this description is its caption](placard.png)

[^first]: The text of the note. Indent a second paragraph by four spaces.
"""

STATEMENT = """\
---
kind: statement
title: Statement of our organisation
short_title: Our statement              # optional: a shorter title for the running heads
date: {date}
authors: [Our organisation]
signatories_intro: "The statement was signed by:"   # optional; the layouts have a default
signatories:                            # optional: set apart after the text
  - Our organisation
  - A sister organisation
source: This statement was first published on our website.   # printed as an attribution
leaflet: true                           # also make a two-sided A5 leaflet of this piece
---

The text of the statement.

::: demands
We demand:

- The first demand!
- The second demand!
:::

A closing paragraph.
"""

INTERVIEW = """\
---
kind: interview
title: An interview
subtitle: Interview with a comrade      # optional
date: {date}
authors: [A comrade]
source: This interview was first published in our newspaper.
---

The interviewer's introduction.

## A section heading

> A passage in the interviewee's own words is a quotation.

::: postscript
P.S. A postscript, if there is one.
:::
"""


TRANSLATIONS = """\
translations: [{translations}]   # a folder each, with the pieces translated under the same names
missing_translations: leave out     # a piece a translation lacks: leave out (said by the build) or stop
bilingual: [{bilingual}]         # optional: two languages side by side, paragraph by paragraph (A4 PDFs)
"""

TRANSLATED_MANIFEST = """\
# The {language} translation's own values; every other key is the source's (pamphlet.yml above this folder).
# Translate each piece in this folder paragraph for paragraph (headings, lists, notes, demands in the same
# order), then run: build.py translations --texts {folder} --mark {language}
title: {title}
byline: Our organisation
publisher: Our organisation
imprint: |
  Reproduce freely, with the source.
blurb: |
  Why this pamphlet matters, in two or three sentences.
"""

WORDS = """\
# Names and terms the spelling dictionaries do not know, one a line: build.py lint takes them as right.
# A name used twice or more, spelled the same way each time, needs no line here.
"""


def new_pamphlet(folder, languages=("en",)):
    """Write the scaffold into folder (which must not exist or be empty); return the files written. languages:
    the source's first, then each translation's, which gets a folder with the pieces to translate."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; choose a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "pamphlet"
    values = {"kinds": f"{', '.join(KINDS[:-1])} or {KINDS[-1]}",
              "title": "A new pamphlet", "date": datetime.date.today().isoformat(), "uuid": uuid.uuid4(),
              "slug": slug, "language": languages[0], "translations": ", ".join(languages[1:]),
              "bilingual": ", ".join(languages[:2]), "folder": folder}
    pieces = {"introduction.md": INTRODUCTION, "statement.md": STATEMENT, "interview.md": INTERVIEW}
    files = {"pamphlet.yml": MANIFEST + (TRANSLATIONS if languages[1:] else ""), **pieces, "words.txt": WORDS}
    for language in languages[1:]:
        files[f"{language}/pamphlet.yml"] = TRANSLATED_MANIFEST.replace("{language}", language)
        for name, text in pieces.items():  # to translate: the source's text, said so in its front matter
            files[f"{language}/{name}"] = text.replace("---\n", f"---\n# Translate this piece into {language}, "
                                                                f"paragraph for paragraph\n", 1)
        files[f"{language}/words.txt"] = WORDS
    for name, text in files.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text.format(**values), encoding="utf-8")
    _placard(folder / "placard.png")
    return [folder / name for name in [*files, "placard.png"]]


def _placard(path):
    """A placard on a pole, drawn large enough to print at 300 dpi across the text block: the scaffold's figure."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1500, 900), (238, 233, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, 1500, 900), fill=(128, 120, 104))
    draw.rectangle((735, 380, 765, 760), fill=(90, 60, 30))
    draw.rectangle((360, 110, 1140, 420), fill=(179, 0, 27))
    draw.rectangle((390, 140, 1110, 390), outline=(255, 255, 255), width=14)
    for y in (200, 260, 320):
        draw.rectangle((460, y, 1040, y + 22), fill=(255, 255, 255))
    image.save(path, optimize=True)
