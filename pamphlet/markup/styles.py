"""The one policy for the CSS a text carries (a style attribute in a piece's raw HTML, an SVG's style attribute
or <style> element): read by a CSS parser (tinycss2, so escapes such as 'u\\72 l(' are resolved as a browser
resolves them), it never loads anything and names no font; in a piece, only the properties of an allowlist are
kept (the colours and sizes pasted from Google Docs or Word are dropped: the layouts set them)."""

import html
import re

import tinycss2

# What a piece's own style may still say: emphasis and alignment, which the text means; nothing of colour, size,
# spacing or font, which the layouts own (and a colour in RGB would be refused by the print preflight).
KEPT = {"font-weight", "font-style", "font-variant", "font-variant-caps", "text-decoration",
        "text-decoration-line", "text-transform", "text-align"}
FONT = {"font", "font-family"}
# CSS functions that fetch a resource (url() itself may also come as a url token).
LOADING = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element"}


def _declarations(css):
    return [node for node in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True)
            if node.type == "declaration"]


def _nodes(nodes):
    """Every token inside nodes, nested blocks and functions' arguments included."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for attribute in ("prelude", "content", "arguments", "value"):
            inner = getattr(node, attribute, None)
            if isinstance(inner, list):
                stack.extend(inner)


def loaded(css, stylesheet=False, allowed=lambda target: False):
    """The first thing CSS (a style attribute's declarations, or a whole stylesheet) would load that allowed
    does not let through, as written, or None: a url, a loading function, an @import or any at-rule that fetches."""
    nodes = tinycss2.parse_stylesheet(css, skip_comments=True) if stylesheet else \
        tinycss2.parse_blocks_contents(css, skip_comments=True)
    for node in _nodes(nodes):
        if node.type == "url" and not allowed(node.value):
            return f"url({node.value})"
        if node.type == "function" and node.lower_name in LOADING:
            target = "".join(getattr(argument, "value", "") or "" for argument in node.arguments
                             if argument.type in ("string", "ident", "url")).strip()
            if node.lower_name != "url" or not allowed(target):
                return f"{node.lower_name}({target})"
        if node.type == "at-rule" and node.lower_at_keyword in ("import", "font-face", "namespace"):
            return f"@{node.lower_at_keyword}"
    return None


def names_font(css):
    """Whether a style attribute's declarations set a font (only the shipped fonts are ever used)."""
    return any(declaration.lower_name in FONT for declaration in _declarations(css))


def kept(css):
    """A piece's style attribute with only the declarations of the allowlist, or '' when none is left."""
    if loaded(css) or names_font(css):
        return ""  # refused when the piece is checked; never printed
    return "; ".join(f"{declaration.lower_name}: {tinycss2.serialize(declaration.value).strip()}"
                     + (" !important" if declaration.important else "")
                     for declaration in _declarations(css) if declaration.lower_name in KEPT)


TAG = re.compile(r"<[A-Za-z][^<>]*>")
STYLE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def kept_in_tags(fragment):
    """Raw HTML as an author wrote it, each style attribute of its tags cut down to what kept() keeps (or
    removed when nothing is left); text between the tags, code included, is left as it is."""
    def style(match):
        value = kept(html.unescape(next(group for group in match.groups() if group is not None)))
        return f' style="{html.escape(value)}"' if value else ""
    return TAG.sub(lambda tag: STYLE.sub(style, tag.group(0)), fragment)
