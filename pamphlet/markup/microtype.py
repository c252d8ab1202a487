"""A language's micro-typography, from its locale's 'typography' table: dashes in ranges, no-break and thin spaces."""

import re

NBSP, THIN_NBSP = "\u00a0", "\u202f"
CAPITALS = "A-ZÀ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ"


def rules(locale):
    """(pattern, replacement) pairs for the locale's typography table, applied to the text after quotes and dashes
    are characters; each says what it is for."""
    table = (locale or {}).get("typography") or {}
    out = []
    dash = table.get("range_dash")
    if dash:
        # A range of numbers or years ("4-5 January", "1792-1866"), not a date written 2022-01-05, a code or an
        # address: digits alone on each side.
        out.append((r"(?<![\w/.\-–])(\d{1,4}) ?- ?(\d{1,4})(?![\w/\-–]|\.\d)", rf"\1{dash}\2"))
    abbreviations = table.get("abbreviations") or []
    for abbreviation in sorted(abbreviations, key=len, reverse=True):
        # "т. е.": its parts kept together by a thin no-break space.
        parts = [re.escape(part) for part in abbreviation.split()]
        out.append((r"(?<!\w)" + r" +".join(f"({part})" for part in parts),
                    THIN_NBSP.join(rf"\{i}" for i in range(1, len(parts) + 1))))
    if table.get("initials"):
        # An initial kept with what follows it: "К. Маркс", "В. И. Ленин".
        out.append((rf"(?<![\w.])([{CAPITALS}])\. +(?=[^\W\d_])", rf"\1.{NBSP}"))
    return out
