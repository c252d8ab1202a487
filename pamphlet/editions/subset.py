"""Subsets the shipped fonts to the characters of the EPUB, renamed as the licences ask of modified fonts."""

import io
import re
from dataclasses import dataclass

import uharfbuzz as hb
from fontTools.ttLib import TTFont
from lxml import html

FACE = re.compile(r"@font-face\s*{([^}]*)}")
GRAPHITE = ("Silf", "Silt", "Sill", "Glat", "Gloc", "Feat")


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
    """The face cut down to the glyphs text needs, with every layout feature, its names changed to family.

    Both licences (the OFL's Reserved Font Names, ParaType's) forbid a modified font under the original
    name, and a subset is a modified font.
    """
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(char) for char in set(text + " "))
    # The default keeps only the features HarfBuzz applies by itself; the layouts may ask for others.
    wanted.layout_feature_tag_set.clear()
    wanted.layout_feature_tag_set.invert()
    wanted.name_id_set.clear()
    wanted.name_id_set.invert()
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    # Charis carries Graphite tables, which no e-reader uses.
    for tag in GRAPHITE:
        wanted.drop_table_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    cut = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path))), wanted)
    # Only the name table is rewritten: the rest is copied as HarfBuzz made it.
    font = TTFont(io.BytesIO(cut.blob.data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
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
