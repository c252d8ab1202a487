"""Checks every character the pamphlet prints against the fonts that print it: the texts' and the SVG images' text;
the private-use characters Word pastes for its Symbol font are named with the character they stand for."""

import unicodedata
from html import unescape

from fontTools.ttLib import TTFont, TTLibError

from ..errors import Problem
from ..sources import svg


# Word pastes a character of its Symbol font as U+F020-U+F0FF, U+F000 plus the character's code in that font
# (Adobe's Symbol encoding): what each stands for, from U+F020 on; a space where there is no such character.
SYMBOL_FONT = (
    " !∀#∃%&∍()∗+,−./0123456789:;<=>?"
    "≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_"
    " αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼ "
    "                                "
    "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈… ⎯↵"
    "ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓"
    "⋄〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪ 〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭ "
)


# What to type for the Symbol-font characters that have a plain twin, where the fonts lack the character itself.
PLAIN = {"∗": "*", "−": "-", "∼": "~", "′": "'", "″": '"', "⁄": "/", "⋅": "·", "∍": "∋"}


def symbol_font(char, coverage):
    """What a character Word pasted from its Symbol font stands for and what to type, as a message, or None for
    any other character."""
    code = ord(char) - 0xF020
    if not 0 <= code < len(SYMBOL_FONT):
        return None
    meant = SYMBOL_FONT[code]
    pasted = f"U+{ord(char):04X} is Word's Symbol-font"
    if meant == " ":
        return (f"{pasted} character {code + 0x20:#04x}, pasted as a private-use character that no font shows; "
                "write the character itself, chosen in Word with a font other than Symbol")
    missing = [family for family, cmap in coverage.items() if ord(meant) not in cmap]
    plain = PLAIN.get(meant)
    if not missing:
        advice = f"type '{meant}' instead"
    elif plain:
        advice = f"type '{plain}' instead ('{meant}' itself is not in the font {missing[0]})"
    else:
        advice = f"'{meant}' is not in the font {missing[0]} either: write it out in words"
    return (f"{pasted} '{meant}' (U+{ord(meant):04X} {unicodedata.name(meant, 'unnamed character')}), pasted as "
            f"a private-use character that no font shows; {advice}")


def font_coverage(faces):
    """For each font family of the layouts, the characters every one of its files has, and problems."""
    coverage, problems = {}, []
    for face in faces:
        try:
            cmap = set(TTFont(face.path, lazy=True).getBestCmap())
        except (TTLibError, OSError, AssertionError, KeyError) as err:
            problems.append(Problem(face.path, None, f"not a usable font file ({err or type(err).__name__}); "
                                                     "replace it with the font from its source"))
            continue
        coverage[face.family] = coverage.get(face.family, cmap) & cmap
    return coverage, problems


def check_glyphs(path, content, coverage):
    """Every character of a file's text (content) must be in every font family, or print shows a fallback box."""
    problems = []
    reported = set()
    for number, line in enumerate(content.split("\n"), start=1):
        # Characters as written and as HTML entities write them (&#x262D; is a hammer and sickle too).
        text = line + unescape(line)
        for char in sorted(set(text), key=text.index):
            if char in reported or (char.isspace() and char != "\u00a0") or unicodedata.category(char) == "Cc":
                continue
            pasted = symbol_font(char, coverage)
            if pasted:
                reported.add(char)
                problems.append(Problem(path, number, pasted))
                continue
            for family, cmap in coverage.items():
                if ord(char) not in cmap:
                    reported.add(char)
                    name = unicodedata.name(char, "unnamed character")
                    problems.append(Problem(path, number, f"U+{ord(char):04X} {name} ('{char}') is not in the "
                                                          f"font {family}; replace the character or add a "
                                                          "font that has it"))
                    break
    return problems


def check_svg_text(paths, coverage):
    """Text that SVG images draw: in a font family of the pamphlet, named by the SVG (WeasyPrint would take a
    system font for any other, or for none), and every character of it in that family."""
    problems = []
    families = {family.lower(): family for family in coverage}
    advice = (f"only the pamphlet's fonts are used: write font-family=\"{next(iter(coverage), '')}\" on the text, "
              "or turn the text into paths in the drawing program")
    for path in paths:
        texts, styles = svg.text(path)
        for line, family in styles:
            if family.lower() not in families:
                problems.append(Problem(path, line, f"this SVG's style names the font '{family}'; {advice}"))
        for line, text, family in texts:
            if family is None or family.lower() not in families:
                named = f"the font '{family}'" if family else "no font (so a system font)"
                problems.append(Problem(path, line, f"text in this SVG is set in {named}; {advice}"))
                continue
            cmap = coverage[families[family.lower()]]
            for char in dict.fromkeys(text):
                if not char.isspace() and ord(char) not in cmap:
                    name = unicodedata.name(char, "unnamed character")
                    problems.append(Problem(path, line, f"U+{ord(char):04X} {name} ('{char}') is not in the font "
                                                        f"{families[family.lower()]}; replace the character"))
    return problems
