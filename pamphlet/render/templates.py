"""Renders the loaded pamphlet through the Jinja2 layouts into HTML for print and XHTML for the EPUB."""

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import jinja2
import yaml
from markupsafe import Markup

from ..sources import images as image_files
from ..errors import BuildError, Problem
from ..sources.files import RESERVED_IDS
from ..sources.load import MANIFEST
from ..sources.schema import KINDS
from ..lint.spelling import WORDS_FILE, read_words
from ..markup.convert import ASSET, Typesetter
from ..markup.urls import breakable
from ..pipeline.memo import Memo
from .qr import qr_image
from . import signatories

PRINT_IMAGE = image_files.PRINT_IMAGE

IMAGE = re.compile(f'src="{ASSET}([^"]*)"')  # a text's image, as the typesetter marks it


ANCHOR_LINK = re.compile(r'href="#([^"]*)"')
ANCHOR = re.compile(r'\bid="([^"]*)"')


def missing_anchors(pamphlet, pieces):
    """Problems for links inside the pamphlet ('#…') to an anchor no part of it has (an author's own anchors are
    not kept: headings get theirs from the builder), at the line that writes them, before WeasyPrint would
    stop at them naming no line."""
    anchors = set(RESERVED_IDS) | {piece["id"] + end for piece in pieces for end in ("", "-title", "-signed")}
    for piece in pieces:
        anchors.update(ANCHOR.findall(piece["body"]))
    problems = []
    for source, piece in zip(pamphlet.pieces, pieces, strict=True):
        for target in dict.fromkeys(html.unescape(t) for t in ANCHOR_LINK.findall(piece["body"])):
            if target not in anchors:
                at = source.body.find(f"#{target}")
                line = source.body_line + source.body[:max(at, 0)].count("\n")
                problems.append(Problem(source.path, line, f"link '#{target}' points at no place in the pamphlet "
                                                           "(headings get their anchors from the builder); link "
                                                           "to a web address, or leave the link out"))
    return problems


def locale_path(pamphlet, layouts):
    """The locale file for the pamphlet's language (en-GB falls back to en, kk-Latn to kk only if kk.yml is
    written in the Latin script), or None."""
    tag = pamphlet.language
    subtags = tag.split("-")
    script = next((subtag.title() for subtag in subtags[1:] if len(subtag) == 4 and subtag.isalpha()), None)
    for name in dict.fromkeys((tag, f"{subtags[0]}-{script}" if script else tag, subtags[0])):
        path = Path(layouts) / "locales" / f"{name}.yml"
        if path.is_file() and (name == tag or not script or _script(path) == script):
            return path
    return None


def _script(path):
    try:
        return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("script")
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        return None


def load_locale(pamphlet, layouts):
    """The layouts' words and typographic rules for the pamphlet's language."""
    path = locale_path(pamphlet, layouts)
    if path is None:
        raise BuildError.single(pamphlet.folder / MANIFEST,
                                f"no layout words for language '{pamphlet.language}': add "
                                f"layouts/locales/{pamphlet.language}.yml (copy en.yml and translate it)",
                                pamphlet.lines.get("language"))
    try:
        locale = yaml.safe_load(path.read_text(encoding="utf-8"))
        missing = [key for key in LOCALE_KEYS if key not in locale] + [
            key for key in LABELS if key not in locale.get("labels", {})]
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError, TypeError) as err:
        raise BuildError.single(path, f"not a valid locale file ({err}); compare it with en.yml") from None
    if missing:
        raise BuildError.single(path, f"lacks {', '.join(missing)}; compare it with en.yml")
    patterns = (locale.get("hyphenation") or {}).get("patterns") or ""
    if patterns.endswith(".dic"):  # patterns the layouts ship, beside the locale file
        locale["hyphenation"]["patterns"] = str(path.parent / patterns)
    return locale


LOCALE_KEYS = ("months", "date", "quotes", "alphabet", "labels")
LABELS = ("contents", "published_by", "sources", "signed_by", "signatures", "signatures_as_of", "signatures_more",
          "signatories_organisations", "signatories_people",
          "pages", "landmarks", "accessibility_summary", "accessibility_text_only", "accessibility_images",
          "accessibility_tables", "accessibility_notes", "leaflet_from", "web_skip", "web_pamphlet", "web_notes",
          "web_pages", "web_previous", "web_next", "large_print", *KINDS)  # each kind's label too


def format_date(date, locale):
    if date is None:
        return ""
    return locale["date"].format(day=date.day, month=locale["months"][date.month - 1], year=date.year)


def css_string(text):
    """Text as a quoted CSS string, safe inside a <style> element: anything but letters, digits and spaces escaped."""
    return Markup('"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text)) + '"')


def _plain_text(typeset):
    """A plain field as typeset (real quotes and dashes) without its tags, as text: for what is not set as HTML (the
    EPUB's contents and titles, PDF metadata, labels), so that it reads as the heading does."""
    return Markup(typeset).striptags()


SENTENCE_END = re.compile(r"[.!?…][»”’\"')\]]*$")


def full_stop(text):
    """A sentence's last words with its full stop, which a title ending in '?' or '!' and a date such as
    '5 марта 2024 г.' already have (tags and closing quotes aside)."""
    return text if SENTENCE_END.search(Markup(text).striptags().rstrip()) else text + Markup(".")


class _Compiled(jinja2.BytecodeCache):
    """The layouts' templates as compiled, kept for every Renderer of this process: a build makes its own (its
    filters are the pamphlet's), and compiling the templates of every edition again took 0.08 s of CPU at each
    build of watch mode, of the tests and of the bilingual edition. Jinja2 keys each by its name and file and
    keeps the checksum of its source with it: a layout edited meanwhile is compiled anew."""

    def __init__(self):
        self.codes = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])  # resets the bucket if the source changed

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


class Renderer:
    """Typesets every piece once; the editions then render it through their own templates."""

    def __init__(self, pamphlet, layouts, stamp, memo=None):
        """memo (a memo.Memo) keeps each text as typeset for the next build (watch mode)."""
        self.pamphlet = pamphlet
        self.stamp = stamp
        self.layouts = Path(layouts)
        self.locale = load_locale(pamphlet, layouts)
        memo = memo if memo is not None else Memo()
        names = sorted(read_words(pamphlet.home / WORDS_FILE))  # never hyphenated
        # The typesetting's rules, in every key.
        words = json.dumps([self.locale, names], sort_keys=True, default=str)
        typesetter = memo.get(("typesetter", words), Typesetter, self.locale, names)

        def memoized(how, text, *args, name=None):
            """typesetter.how(text, *args), or what an earlier build made of the same text and arguments."""
            return memo.get((how, words, text, *args), getattr(typesetter, how), text, *args,
                            name=name or text)

        # The one markup policy: plain fields are escaped (typography only), Markdown fields were checked
        # against the pieces' allowlist when loaded.
        def plain(text):
            return Markup(memoized("plain", text)) if text else ""

        def inline(text):
            return Markup(memoized("inline", text)) if text else ""

        def block(text):
            return Markup(memoized("block", text)) if text else ""

        self.pieces = []
        for piece in pamphlet.pieces:
            typeset = memoized("typeset", piece.body, piece.id, str(piece.path), piece.body_line, name=str(piece.path))
            names, kinds = signatories.ordered(piece.signatories, piece.signatories_order, self.locale["alphabet"],
                                               piece.signatory_organisations, piece.signatory_kinds)
            names = [plain(name) for name in names]
            groups = signatories.grouped(names, kinds, self.locale["labels"], piece.signatories_groups)
            as_of = format_date(piece.signatories_as_of, self.locale)
            self.pieces.append({
                "id": piece.id,
                "kind": piece.kind,
                "kind_label": self.locale["labels"][piece.kind],
                "title": plain(piece.title),
                "plain_title": _plain_text(plain(piece.title)),
                "running_head": _plain_text(plain(piece.short_title or piece.title)),
                "subtitle": plain(piece.subtitle),
                "date": format_date(piece.date, self.locale),
                "iso_date": piece.date.isoformat() if piece.date else "",
                "authors": [plain(a) for a in piece.authors],
                "signatories_intro": plain(piece.signatories_intro) or self.locale["labels"]["signed_by"],
                "signatories": names,
                "signed": signatories.setting(groups, self.locale["labels"], as_of=as_of),
                "signed_on_leaflet": signatories.setting(groups, self.locale["labels"], pamphlet.url,
                                                         limit=signatories.LEAFLET, as_of=as_of),
                "source": inline(piece.source),
                "leaflet": piece.leaflet,
                "share_quote": plain(piece.share_quote),
                "body": Markup(typeset.body),
                "epub_body": Markup(typeset.epub_body),
                "notes": [{"number": note.number, "id": note.id, "ref": note.ref, "html": Markup(note.html)}
                          for note in typeset.notes],
                "headings": typeset.headings,
            })
        self.front = {
            "title": plain(pamphlet.title),
            "plain_title": _plain_text(plain(pamphlet.title)),
            "subtitle": plain(pamphlet.subtitle),
            "byline": plain(pamphlet.byline),
            "publisher": plain(pamphlet.publisher),
            "date": format_date(pamphlet.date, self.locale),
            "iso_date": pamphlet.date.isoformat(),
            "created": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "imprint": block(pamphlet.imprint),
            "blurb": block(pamphlet.blurb),
            "url": pamphlet.url,
            "share_quote": plain(pamphlet.share_quote),
        }
        # What a shop, a library or a link preview shows of the pamphlet: the back cover's words, else the subtitle.
        self.front["description"] = self.front["blurb"].striptags().replace("\u00ad", "") if pamphlet.blurb else \
            (pamphlet.subtitle or "")
        # Every image the texts show (pieces, source notes, imprint, blurb), by its reference, with its file.
        typeset_html = [self.front["imprint"], self.front["blurb"]] + [
            piece[key] for piece in self.pieces for key in ("body", "source")]
        references = dict.fromkeys(html.unescape(src) for text in typeset_html for src in IMAGE.findall(text))
        # Each checked when the pamphlet was loaded (markup.validate): none is refused here.
        self.images = {src: image_files.locate(pamphlet.folder, src, (pamphlet.folder, None)) for src in references}
        BuildError.raise_any(missing_anchors(pamphlet, self.pieces))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.layouts)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILED,
        )
        self.env.filters["css_string"] = css_string
        self.env.filters["qr_image"] = qr_image
        self.env.filters["breakable"] = breakable
        self.env.filters["full_stop"] = full_stop
        opening, closing = self.locale["quotes"][:2]
        self.env.filters["quoted"] = lambda text: Markup(opening) + text + Markup(closing)

    def pdf_metadata(self, title=None):
        """Document information for PDFs that pypdf writes (the imposed sheets)."""
        return {"/Title": title or self.front["plain_title"], "/Author": self.pamphlet.byline,
                "/Lang": self.pamphlet.language,
                "/CreationDate": self.stamp.strftime("D:%Y%m%d%H%M%SZ"),
                "/ModDate": self.stamp.strftime("D:%Y%m%d%H%M%SZ")}

    def print_images(self):
        """{reference: URL} of the images for the PDF editions: each file by its path in the texts folder, which
        the PDF writer's fetcher reads and makes printable (images.for_print). A URL made from where the folder
        lies would name the image in the PDF (WeasyPrint derives its resource names from the URL), so the same
        texts in another folder would give other bytes."""
        folder = self.pamphlet.folder.resolve()
        return {src: PRINT_IMAGE + quote(path.relative_to(folder).as_posix()) for src, path in self.images.items()}

    def render(self, template, images=None, **extra):
        """Render one layout template with the whole pamphlet in its context; images is {reference: URL} for
        the texts' images (by default, print_images)."""
        if images is None:
            images = self.print_images()
        context = {
            "pamphlet": self.pamphlet,
            "front": self.front,
            "pieces": self.pieces,
            "labels": self.locale["labels"],
            "lang": self.pamphlet.language,
            # Justified text needs hyphenation: without patterns for the language its lines would be loose.
            "ragged": not (self.locale.get("hyphenation") or {}).get("patterns"),
            **extra,
        }
        try:
            page = self.env.get_template(template).render(context)
            return IMAGE.sub(lambda match: f'src="{html.escape(images[html.unescape(match.group(1))])}"', page)
        except jinja2.TemplateSyntaxError as err:
            raise BuildError.single(self.layouts / (err.name or template), f"layout error: {err.message}",
                                    err.lineno) from None
        except jinja2.TemplateNotFound as err:
            raise BuildError.single(self.layouts / err.name, "layout file not found") from None
        except jinja2.UndefinedError as err:
            raise BuildError.single(self.layouts / template, f"layout error: {err.message}") from None
