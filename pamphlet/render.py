"""Renders the loaded pamphlet through the Jinja2 layouts into HTML for print and XHTML for the EPUB."""

from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from .errors import BuildError, Problem
from .load import MANIFEST
from .markup import Typesetter


def load_locale(pamphlet, layouts):
    """The layouts' words and typographic rules for the pamphlet's language (en-GB falls back to en)."""
    tag = pamphlet.language
    for name in (tag, tag.split("-")[0]):
        path = Path(layouts) / "locales" / f"{name}.yml"
        if path.is_file():
            return yaml.safe_load(path.read_text(encoding="utf-8"))
    raise BuildError([Problem(pamphlet.folder / MANIFEST, None,
                              f"no layout words for language '{tag}': add layouts/locales/{tag}.yml "
                              "(copy en.yml and translate it)")])


def format_date(date, locale):
    if date is None:
        return ""
    return locale["date"].format(day=date.day, month=locale["months"][date.month - 1], year=date.year)


class Renderer:
    """Typesets every piece once; the editions then render it through their own templates."""

    def __init__(self, pamphlet, layouts):
        self.pamphlet = pamphlet
        self.layouts = Path(layouts)
        self.locale = load_locale(pamphlet, layouts)
        typesetter = Typesetter(self.locale)

        def inline(text):
            return Markup(typesetter.inline(text)) if text else ""

        def block(text):
            return Markup(typesetter.block(text)[0]) if text else ""

        self.pieces = []
        for piece in pamphlet.pieces:
            body, headings = typesetter.block(piece.body, id_prefix=piece.id)
            self.pieces.append({
                "id": piece.id,
                "kind": piece.kind,
                "kind_label": self.locale["labels"][piece.kind],
                "title": inline(piece.title),
                "plain_title": piece.title,
                "running_head": piece.short_title or piece.title,
                "subtitle": inline(piece.subtitle),
                "date": format_date(piece.date, self.locale),
                "iso_date": piece.date.isoformat() if piece.date else "",
                "authors": [inline(a) for a in piece.authors],
                "signatories_intro": inline(piece.signatories_intro) or self.locale["labels"]["signed_by"],
                "signatories": [inline(s) for s in piece.signatories],
                "source": inline(piece.source),
                "leaflet": piece.leaflet,
                "body": Markup(body),
                "headings": headings,
            })
        self.front = {
            "title": inline(pamphlet.title),
            "plain_title": pamphlet.title,
            "subtitle": inline(pamphlet.subtitle),
            "byline": inline(pamphlet.byline),
            "publisher": inline(pamphlet.publisher),
            "date": format_date(pamphlet.date, self.locale),
            "iso_date": pamphlet.date.isoformat(),
            "imprint": block(pamphlet.imprint),
            "blurb": block(pamphlet.blurb),
        }
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.layouts)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template, **extra):
        """Render one layout template with the whole pamphlet in its context."""
        context = {
            "pamphlet": self.pamphlet,
            "front": self.front,
            "pieces": self.pieces,
            "labels": self.locale["labels"],
            "lang": self.pamphlet.language,
            **extra,
        }
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as err:
            raise BuildError([Problem(self.layouts / (err.name or template), err.lineno,
                                      f"layout error: {err.message}")]) from None
        except jinja2.TemplateNotFound as err:
            raise BuildError([Problem(self.layouts / err.name, None, "layout file not found")]) from None
        except jinja2.UndefinedError as err:
            raise BuildError([Problem(self.layouts / template, None,
                                      f"layout error: {err.message}")]) from None
