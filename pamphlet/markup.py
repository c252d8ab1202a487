"""Turns a piece's Markdown into XHTML with real quotes, dashes and no-break spaces."""

import html
import re
import xml.etree.ElementTree as etree

import markdown
import tinyhtml5
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

NBSP = "\u00a0"
ASSET = "asset:"  # prefix of a piece's image paths until an edition says where images live
FENCE = re.compile(r"^:::\s*([A-Za-z][\w-]*)?\s*$")
COMMENT = re.compile(r"\n?<!--.*?-->", re.DOTALL)
# Blocks a piece may wrap in ::: fences; the layouts style each one.
BLOCKS = ("demands", "postscript", "note")


class FencedBlocks(BlockProcessor):
    """Pandoc-style fenced blocks: '::: demands' … ':::' wraps its Markdown in <div class="demands">."""

    def test(self, parent, block):
        match = FENCE.match(block.split("\n", 1)[0])
        return bool(match and match.group(1))

    def run(self, parent, blocks):
        head, _, rest = blocks.pop(0).partition("\n")
        name = FENCE.match(head).group(1)
        if rest:
            blocks.insert(0, rest)
        content = []
        while blocks:
            lines = blocks.pop(0).split("\n")
            closing = [i for i, line in enumerate(lines) if line.strip() == ":::"]
            if closing:
                before, after = lines[:closing[0]], lines[closing[0] + 1:]
                if "".join(before).strip():
                    content.append("\n".join(before))
                if "".join(after).strip():
                    blocks.insert(0, "\n".join(after))
                break
            content.append("\n".join(lines))
        div = etree.SubElement(parent, "div", {"class": name})
        self.parser.parseBlocks(div, content)


class NoBreakSpaces(Treeprocessor):
    """Glues what must not be split across lines: '7 January', 'January 7', '3,000 Russian', ' —'."""

    def __init__(self, md, locale):
        super().__init__(md)
        months = "|".join(re.escape(m) for m in locale["months"])
        short = "|".join(re.escape(w) for w in locale.get("nbsp_after", []))
        rules = [
            (r"(?<=\d) +(?=\w)", NBSP),
            (rf"\b({months}) +(?=\d)", rf"\1{NBSP}"),
            (r" +(?=[—–](\s|$))", NBSP),
        ]
        if short:
            rules.append((rf"(?<![\w-])({short}) +", rf"\1{NBSP}"))
        self.rules = [(re.compile(pattern, re.IGNORECASE), repl) for pattern, repl in rules]

    def run(self, root):
        for element in root.iter():
            if element.tag in ("code", "pre"):
                continue
            element.text = self.glue(element.text)
            element.tail = self.glue(element.tail)

    def glue(self, text):
        if text:
            for pattern, repl in self.rules:
                text = pattern.sub(repl, text)
        return text


class HeadingIds(Treeprocessor):
    """Gives each heading an id unique in the pamphlet and records it for the contents (on the extension)."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        for number, element in enumerate(
                (e for e in root.iter() if e.tag in ("h2", "h3", "h4")), start=1):
            element.set("id", f"{self.extension.id_prefix}-{number}")
            text = "".join(element.itertext())
            self.extension.headings.append((int(element.tag[1]), element.get("id"), text))


class ImageAssets(Treeprocessor):
    """Marks the images a piece uses (listed on the extension); each edition puts them where its files are
    (render.ASSET)."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        for element in root.iter("img"):
            self.extension.images.append(element.get("src"))
            element.set("src", ASSET + element.get("src"))


class WellFormed(Postprocessor):
    """Raw HTML as people write it (already checked against the allowlist) made well-formed XHTML."""

    def run(self, text):
        return xhtml(text)


def xhtml(fragment):
    """An HTML fragment as XHTML, read by an HTML5 parser: entities become characters, void elements are
    closed (<br> and <br/> alike), tag names are lower case, and comments are dropped (whatever they hold)."""
    body = tinyhtml5.parse(f"<body>{fragment}", namespace_html_elements=False).find("body")
    for parent in list(body.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment or processing instruction
                _drop_keeping_tail(parent, child)
    return html.escape(body.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode") for child in body)


def _drop_keeping_tail(parent, child):
    index = list(parent).index(child)
    if child.tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


class PamphletMarkdown(Extension):
    """The pamphlet's Markdown; what a conversion found (headings, images) is kept here, not on Markdown's
    objects, and start() clears it for the next conversion."""

    def __init__(self, locale):
        super().__init__()
        self.locale = locale
        self.start("h")

    def start(self, id_prefix):
        self.id_prefix, self.headings, self.images = id_prefix, [], []

    def extendMarkdown(self, md):
        md.parser.blockprocessors.register(FencedBlocks(md.parser), "fenced_blocks", 105)
        # After inline patterns (priority 20), so that smart quotes are already characters.
        md.treeprocessors.register(NoBreakSpaces(md, self.locale), "nbsp", 5)
        md.treeprocessors.register(HeadingIds(md, self), "heading_ids", 4)
        md.treeprocessors.register(ImageAssets(md, self), "image_assets", 3)
        md.postprocessors.register(WellFormed(md), "well_formed", 0)


class Typesetter:
    """One configured Markdown converter per pamphlet language."""

    def __init__(self, locale):
        quotes = locale["quotes"]
        substitutions = {
            "left-double-quote": quotes[0], "right-double-quote": quotes[1],
            "left-single-quote": quotes[2], "right-single-quote": quotes[3],
            "ndash": "–", "mdash": "—", "ellipsis": "…",
            "left-angle-quote": "«", "right-angle-quote": "»",
        }
        self.found = PamphletMarkdown(locale)
        self.md = markdown.Markdown(
            extensions=["smarty", "sane_lists", self.found],
            extension_configs={"smarty": {"substitutions": substitutions, "smart_angled_quotes": True}},
            output_format="xhtml",
        )
        # Plain text fields (titles, names): the same typography, but nothing read as Markdown or HTML.
        self.plain_found = PamphletMarkdown(locale)
        self.plain_md = markdown.Markdown(
            extensions=["smarty", self.plain_found],
            extension_configs={"smarty": {"substitutions": substitutions, "smart_angled_quotes": True}},
            output_format="xhtml",
        )
        for registry, keep in ((self.plain_md.parser.blockprocessors, {"empty", "paragraph"}),
                               (self.plain_md.inlinePatterns, set()), (self.plain_md.preprocessors, set())):
            for name in [item.name for item in registry._priority if item.name not in keep]:
                registry.deregister(name)

    def block(self, text, id_prefix="h"):
        """A piece's body as XHTML, its headings as (level, id, text) for the contents, and its images."""
        self.md.reset()
        self.found.start(id_prefix)
        # Comments (such as build.py lint's "<!-- lint: ignore -->") are notes to the editor: not printed, not
        # carried into any edition. Code keeps its "<" escaped, so every "<!--" left here opens a comment.
        html = COMMENT.sub("", self.md.convert(text))
        return html, self.found.headings, self.found.images

    def inline(self, text):
        """A line of Markdown from the front matter (a source note) typeset like the body, without a <p>."""
        if not text:
            return text
        html = self.block(text.replace("\n", " "))[0]
        return html.removeprefix("<p>").removesuffix("</p>")

    def plain(self, text):
        """A plain text field (a title, a name) with real quotes and dashes; entities such as &nbsp; are
        characters, and anything else that looks like markup is printed as written."""
        if not text:
            return text
        self.plain_md.reset()
        self.plain_found.start("plain")
        return self.plain_md.convert(html.unescape(" ".join(text.split()))).removeprefix("<p>").removesuffix("</p>")
