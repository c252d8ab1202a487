"""Subsets the shipped fonts to the characters of the EPUB, renamed as the licences ask of modified fonts."""

import io
import re
from dataclasses import dataclass

from fontTools import subset
from fontTools.ttLib import TTFont
from lxml import html

FACE = re.compile(r"@font-face\s*{([^}]*)}")


@dataclass(frozen=True)
class EpubFonts:
    files: list        # (file name in the EPUB, font data)
    stylesheet: str    # @font-face rules pointing at them


@dataclass(frozen=True)
class Face:
    family: str
    path: object
    weight: str
    style: str

    @property
    def file_name(self):
        return f"fonts/{self.family.lower().replace(' ', '-')}-{self.weight}-{self.style}.ttf"


def faces(fonts_css):
    """The @font-face rules of layouts/fonts.css: the one list of fonts every edition uses."""
    found = []
    for block in FACE.findall(fonts_css.read_text(encoding="utf-8")):
        rule = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", block))
        url = re.search(r"url\(([^)]+)\)", rule["src"]).group(1).strip("'\"")
        found.append(Face(rule["font-family"].strip().strip("'\""), (fonts_css.parent / url).resolve(),
                          rule.get("font-weight", "normal").strip(), rule.get("font-style", "normal").strip()))
    return found


def subset_font(face, text, family):
    """The face cut down to the glyphs text needs, its names changed to family.

    Both licences (the OFL's Reserved Font Names, ParaType's) forbid a modified font under the original
    name, and a subset is a modified font.
    """
    font = TTFont(face.path, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # Charis carries Graphite tables, which no e-reader uses and fontTools cannot subset.
    options.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " ")
    subsetter.subset(font)
    style = {("normal", "normal"): "Regular", ("bold", "normal"): "Bold",
             ("normal", "italic"): "Italic", ("bold", "italic"): "Bold Italic"}[(face.weight, face.style)]
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 6, 16, 17, 3):
            names.removeNames(nameID=record.nameID)
    postscript = f"{family}-{style}".replace(" ", "")
    for name_id, value in ((1, family), (2, style), (3, postscript), (4, f"{family} {style}"), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def epub_fonts(renderer):
    """Subsets of every face in layouts/fonts.css, cut to the characters of the pamphlet and the layouts' words."""
    document = html.fromstring(renderer.render("print.html"))
    text = "".join(document.itertext()) + "".join(str(label) for label in renderer.locale["labels"].values())
    text += "0123456789"  # page numbers
    files, rules, families = [], [], []
    for face in faces(renderer.layouts / "fonts.css"):
        if face.family not in families:
            families.append(face.family)
        internal = f"Pamphlet Face {families.index(face.family) + 1}"
        files.append((face.file_name, subset_font(face, text, internal)))
        rules.append(f'@font-face {{ font-family: "{face.family}"; src: url(../{face.file_name}); '
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
    return EpubFonts(files, "/* Subsets of the shipped fonts (see fonts/README.md). */\n" + "\n".join(rules) + "\n")
