"""SVG drawings: refused when they could run or load anything, the text they draw and its fonts, their colours in
CMYK for print."""

import re

import tinycss2
from lxml import etree
from tinycss2.color4 import parse_color

from ..markup import styles

SVG = "{http://www.w3.org/2000/svg}"
# Elements that run, embed or load something: an image is a picture, nothing more.
SVG_REFUSED = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener", "audio", "video"}
# Pictures an SVG may carry inside itself (data: URIs); anything else it points at is another file.
EMBEDDED = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
COLOUR_PROPERTIES = ("fill", "stroke", "stop-color", "flood-color", "lighting-color", "color")
TEXT_ELEMENTS = {"text", "tspan", "textPath"}


def _read(path):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.parse(str(path), parser)


def problem(path):
    """Why the SVG cannot go into the editions (not well-formed, a DOCTYPE, scripts, files it loads), or None."""
    try:
        tree = _read(path)
    except etree.XMLSyntaxError as err:
        return f"it is not well-formed XML ({err.msg}, line {err.lineno} of the SVG); export it again"
    except OSError as err:
        return f"it cannot be read ({getattr(err, 'strerror', None) or err})"
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return "it has a DOCTYPE, whose entities can load other files; remove the <!DOCTYPE …> line"
    root = tree.getroot()
    if root.tag != f"{SVG}svg":
        return "it is not an SVG image (its first element is not <svg> in the SVG namespace)"
    for node in tree.getroot().iter():
        what = _unsafe(node)
        if what:
            return (f"it holds {what} (line {node.sourceline} of the SVG); an image may only draw: remove it, "
                    "or save the drawing as plain SVG or PNG")
    for previous in root.itersiblings(preceding=True):
        if isinstance(previous, etree._ProcessingInstruction) and previous.target == "xml-stylesheet":
            return "it holds a processing instruction that loads a stylesheet; remove the <?xml-stylesheet …?> line"
    return None


def _unsafe(node):
    """What in this node runs or loads something, or None."""
    if isinstance(node, etree._Entity):
        return f"an entity reference &{node.name};"
    if not isinstance(node.tag, str):
        return None
    name = etree.QName(node).localname
    if name in SVG_REFUSED:
        return f"a <{name}>"
    for attribute, value in node.attrib.items():
        local = etree.QName(attribute).localname
        if local.lower().startswith("on"):
            return f"an event handler ({local}=\"{value[:30]}\")"
        if local == "href" and not value.startswith("#") and not EMBEDDED.match(value):
            return f"a reference to another file or the network ('{value[:40]}')"
        if local == "attributeName" and value.lower().removeprefix("xlink:") == "href":
            return f"an animation of {value}"
        if local == "style" and _loads(value):
            return "a style that loads a file"
    if name == "style" and _loads(node.text or "", stylesheet=True):
        return "a stylesheet that loads a file"
    return None


def _loads(css, stylesheet=False):
    """Whether CSS loads anything but a fragment of its own document or an embedded picture (styles.loaded: read
    by a CSS parser, so no escape hides a url)."""
    return styles.loaded(css, stylesheet, allowed=lambda target: target.startswith("#") or bool(EMBEDDED.match(target)))


def text(path):
    """The text an SVG draws, as (line in the SVG, text, the first font family it asks for, or None), and
    (line, family) for each font family its <style> elements name."""
    root = _read(path).getroot()
    styles = style_families(root)
    styled = next((family for _, family in styles), None)
    found = []
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname in TEXT_ELEMENTS:
            text = (node.text or "") + "".join(child.tail or "" for child in node)
            if text.strip():
                found.append((node.sourceline, text, _family(node) or styled))
    return found, styles


def _family(node):
    """The first font family this node or an ancestor names in a font-family attribute or style."""
    while node is not None:
        style = node.get("style", "")
        declared = node.get("font-family") or _declared(style, "font-family") or _shorthand(style)
        if declared:
            return _first_family(declared)
        node = node.getparent()
    return None


def style_families(root):
    """(line, first family) of every font-family its <style> elements declare (their rules are not matched to
    elements: every family named there must be a shipped one)."""
    families = []
    for style in root.iter(f"{SVG}style"):
        for rule in tinycss2.parse_stylesheet(style.text or "", skip_comments=True, skip_whitespace=True):
            if rule.type == "qualified-rule":
                css = tinycss2.serialize(rule.content)
                declared = _declared(css, "font-family") or _shorthand(css)
                if declared:
                    families.append((style.sourceline, _first_family(declared)))
    return families


def _declared(css, prop):
    for declaration in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if declaration.type == "declaration" and declaration.lower_name == prop:
            return tinycss2.serialize(declaration.value).strip()
    return None


def _shorthand(css):
    """The families of a 'font' shorthand (what follows its size, 'bold 12px Arial' names Arial), or None."""
    value = _declared(css, "font")
    match = re.search(r"[\d.]+[a-z%]*(\s*/\s*\S+)?\s+(.+)$", value or "")
    return match.group(2) if match else None


def _first_family(declared):
    return declared.split(",")[0].strip().strip("'\"").strip()


def for_print(path):
    """The SVG with every colour in device-cmyk(), by the naive conversion CSS Color 5 defines (the one the screen
    edition reverses, so screens show the colours as drawn): black is black ink alone, and nothing is drawn in
    RGB, which the print preflight refuses. Unset fill and stop colours (black by default) are set in black ink; its
    metadata left out."""
    tree = _read(path)
    root = tree.getroot()
    # Metadata is never drawn, and WeasyPrint walks the tree many times: a drawing program's 10 MB of it took 17 s.
    # (strip_elements frees it: removing it element by element moves it to a document of its own, 6 s.)
    etree.strip_elements(root, f"{SVG}metadata", with_tail=False)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for prop in COLOUR_PROPERTIES:
            if node.get(prop):
                node.set(prop, _cmyk(node.get(prop)))
        if node.get("style"):
            node.set("style", _cmyk_css(node.get("style")))
        if etree.QName(node).localname == "style" and node.text:
            node.text = _cmyk_css(node.text)
        if etree.QName(node).localname == "stop" and not node.get("stop-color") and "stop-color" not in node.get(
                "style", ""):
            node.set("stop-color", "device-cmyk(0 0 0 1)")
    for prop in ("fill", "color"):
        if not root.get(prop) and prop not in root.get("style", ""):
            root.set(prop, "device-cmyk(0 0 0 1)")
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def _cmyk(value):
    """A colour value in device-cmyk(), or the value as it was (none, url(#gradient), currentColor)."""
    color = parse_color(value.strip())
    if color is None or not hasattr(color, "to"):
        return value
    r, g, b = (min(1.0, max(0.0, channel)) for channel in color.to("srgb").coordinates)
    k = 1 - max(r, g, b)
    c, m, y = ((0.0, 0.0, 0.0) if k == 1 else ((1 - channel - k) / (1 - k) for channel in (r, g, b)))
    alpha = f" / {color.alpha:g}" if color.alpha < 1 else ""
    return f"device-cmyk({c:.4g} {m:.4g} {y:.4g} {k:.4g}{alpha})"


def _cmyk_css(css):
    """Colour declarations of CSS (a style attribute or a <style> element) in device-cmyk()."""
    names = "|".join(COLOUR_PROPERTIES)
    return re.sub(rf"(?<![\w-])({names})(\s*:\s*)([^;}}!]+)",
                  lambda m: m.group(1) + m.group(2) + _cmyk(m.group(3)), css, flags=re.IGNORECASE)
