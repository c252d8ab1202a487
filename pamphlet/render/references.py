"""Checks what the layouts load (stylesheets' url() and @import, templates' src and href): files inside layouts/ and
fonts/ that exist, nothing from the network."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2

from ..errors import Problem

TEMPLATE_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")


def layout_references(layouts):
    """(file, line, url) of each file the layouts load: stylesheets' url() and @import, templates' src and href."""
    references = []
    for css in sorted(Path(layouts).glob("*.css")):
        references += [(css, line, url) for line, url in _css_urls(css)]
    # The web edition's pages link to the files of its own folder (editions/web.py writes them), never loaded here.
    for template in sorted(t for t in Path(layouts).glob("*.html") if not t.name.startswith("web-")):
        for number, line in enumerate(template.read_text(encoding="utf-8").split("\n"), start=1):
            references += [(template, number, url) for url in TEMPLATE_URL.findall(line)
                           if "{" not in url and not url.startswith("#")]
    return references


def check_layouts(references, roots):
    """Files the layouts load (layout_references) must be files inside layouts/ or fonts/, and exist; nothing
    may come from the network."""
    roots = [Path(root).resolve() for root in roots]
    return [problem for source, line, url in references
            for problem in _check_layout_reference(source, line, url, roots)]


def _css_urls(css):
    """(line, url) of every url() and @import in a stylesheet, read by a CSS tokenizer."""
    rules = tinycss2.parse_stylesheet(css.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    stack = list(rules)
    while stack:
        node = stack.pop()
        if node.type == "url":
            yield node.source_line, node.value
        elif node.type == "function" and node.lower_name == "url":
            yield node.source_line, "".join(getattr(arg, "value", "") for arg in node.arguments)
        elif node.type == "at-rule" and node.lower_at_keyword == "import":
            for token in node.prelude:
                if token.type == "string":
                    yield token.source_line, token.value
        for attribute in ("prelude", "content", "arguments"):
            stack.extend(getattr(node, attribute, None) or [])


def _check_layout_reference(source, line, url, roots):
    parts = urlsplit(url)
    if parts.scheme == "data":
        return []
    if parts.scheme or parts.netloc:
        return [Problem(source, line, f"'{url}' is not a file of the pamphlet; layouts may load only files in "
                                      "layouts/ and fonts/, nothing from the network")]
    path = (source.parent / unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        return [Problem(source, line, f"'{url}' lies outside layouts/ and fonts/")]
    if not path.is_file():
        return [Problem(source, line, f"'{url}' not found")]
    return []
