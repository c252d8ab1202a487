"""How a list of signatories is set: one name a line for a few, columns for short names, run on for many; in the
order the piece asks, sorted as its language sorts."""

import math

from ..sources.signatories import ORGANISATION, PERSON, sort_key, surname_first

MEASURE = 66   # characters of a signatory list's line on an A5 text block, at the list's smaller size
GUTTER = 3     # characters a column gap takes
FEW = 8        # up to this many names, one a line reads best and takes little room
COUNTED = 20   # from this many names on, the list says how many there are
LEAFLET = 40   # a leaflet prints at most this many names, then how many more there are and where to read them


def layout(names):
    """'list' (one name a line), 'columns-2', 'columns-3' (names short enough for a column each), or 'run-on'
    (names one after another, separated by semicolons): the fewest lines, columns preferred when they cost at
    most half as many lines again as running on (a column is quicker to scan for one's own name)."""
    if len(names) <= FEW:
        return "list"
    longest = max(len(name) for name in names)
    run_on = math.ceil(sum(len(name) + 2 for name in names) / MEASURE)
    for columns in (3, 2):
        width = (MEASURE - GUTTER * (columns - 1)) // columns
        if longest <= width:
            return f"columns-{columns}" if math.ceil(len(names) / columns) <= run_on * 1.5 else "run-on"
    return "run-on"


def count_label(count, forms):
    """'312 signatures' in the language's plural forms: one form (Kazakh), two (English: one, other) or three
    (Russian: one, few, many)."""
    if len(forms) == 1:
        form = forms[0]
    elif len(forms) == 2:
        form = forms[0] if count == 1 else forms[1]
    else:
        if count % 10 == 1 and count % 100 != 11:
            form = forms[0]
        elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            form = forms[1]
        else:
            form = forms[2]
    return form.format(n=f"{count:,}".replace(",", "\u202f"))


def setting(groups, labels, url=None, limit=None, as_of=""):
    """What a layout needs to set a list of names (typeset), given as groups, [(heading or "", names)]: each
    group's heading, the names shown (the first limit of them over all groups) and how they are set, the count
    line (dated as_of, when the manifest gives the day the list was read), and the line that says how many more
    there are (and where, with url)."""
    total = sum(len(names) for _, names in groups)
    shown, room = [], limit if limit else total
    for heading, names in groups:
        if names[:room]:
            shown.append({"heading": heading, "names": names[:room],
                          "layout": layout([name.striptags() for name in names[:room]])})
        room -= len(names[:room])
    more = total - sum(len(group["names"]) for group in shown)
    count = count_label(total, labels["signatures"])
    if as_of:
        count = labels["signatures_as_of"].format(count=count, date=as_of)
    return {
        "groups": shown,
        "long": any(group["layout"] != "list" for group in shown),
        "count": count if total >= COUNTED or as_of else "",
        "more": (labels["signatures_more"].format(n=more) + (f" {url}" if url else "")) if more else "",
    }


def grouped(names, kinds, labels, apart):
    """[(heading, names)]: with apart, the organisations that signed, then the people, each under its heading
    when there are both; else one group without a heading."""
    kinds = list(kinds) or [PERSON] * len(names)
    if not apart or len(set(kinds)) < 2:
        return [("", list(names))]
    return [(labels[heading], [name for name, kind in zip(names, kinds, strict=True) if kind == wanted])
            for wanted, heading in ((ORGANISATION, "signatories_organisations"), (PERSON, "signatories_people"))]


def ordered(names, order, alphabet, organisations=(), kinds=()):
    """(names, kinds) as entered, or sorted by surname (the name's last word), by the whole line, or by
    organisation (organisations: each name's, from the spreadsheet; those without one last) and then surname, as
    a language whose letters come in alphabet's order sorts them (sources.signatories.sort_key); a name that is
    an organisation's (kinds) sorts by its whole line."""
    kinds = list(kinds) or [PERSON] * len(names)
    if order == "entered":
        return list(names), kinds
    key = sort_key(alphabet)
    organisations = list(organisations) or [""] * len(names)

    def by(row):
        name, organisation, kind = row
        person = kind != ORGANISATION
        line = key(surname_first(name) if order in ("surname", "organisation") and person else name)
        if order == "organisation":
            organisation = organisation if person else name
            return (not organisation, key(organisation), line)
        return (line,)
    rows = sorted(zip(names, organisations, kinds, strict=True), key=by)
    return [name for name, _, _ in rows], [kind for _, _, kind in rows]
