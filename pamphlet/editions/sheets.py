"""Counts the print edition's pages, blank pages and A4 sheets per copy, and plans where pieces open: on a
right-hand page where that adds no sheet to a copy (openings: auto)."""

from dataclasses import dataclass

from ..preflight.layout import is_blank

PAGES_PER_SHEET = 4  # an A4 sheet printed on both sides and folded once carries four A5 pages


def sheets(pages):
    return -(-pages // PAGES_PER_SHEET)


@dataclass(frozen=True)
class Paper:
    pages: int
    blank_pages: tuple  # whether each page is blank (nothing on it but perhaps running heads): the proof sheet's too
    pages_if_any: int | None = None  # what openings: any would give; None when the pamphlet has it already
    left_openings: int = 0           # pieces opening on a left-hand page, so that no sheet is added (auto)

    @property
    def blank(self):
        return sum(self.blank_pages)

    @property
    def sheets(self):
        return sheets(self.pages)

    def saving(self):
        """One line when openings: any would save paper, or when auto opened pieces on the left to save it."""
        if self.left_openings:
            return (f"{self.left_openings} piece{'s open' if self.left_openings > 1 else ' opens'} on a left-hand "
                    f"page: a right-hand page would add an A4 sheet to each copy ('openings: right' in "
                    f"pamphlet.yml to have them all the same)")
        if self.pages_if_any is None or sheets(self.pages_if_any) >= self.sheets:
            return None
        saved = self.sheets - sheets(self.pages_if_any)
        return (f"'openings: any' in pamphlet.yml would print {self.pages_if_any} pages, not {self.pages}: "
                f"{saved} A4 sheet{'s' if saved > 1 else ''} less a copy; pieces would open on either side")


def _with_back_cover(pages_before):
    """Pages of the whole edition: the back cover on a left-hand (even) page, padded to a multiple of 4."""
    before_back = pages_before + (pages_before % 2 == 0)
    return sheets(before_back + 1) * PAGES_PER_SHEET


def _shape(pages, piece_ids):
    """The front matter's pages and each piece's own pages, without the blank pages that end them (a
    right-hand opening's, the padding before the back cover). Left and right pages have text blocks of the
    same width, so a piece takes as many pages whichever side it opens on."""
    blank = [is_blank(page) for page in pages]
    starts = [next(index for index, page in enumerate(pages) if piece_id in page.anchors) for piece_id in piece_ids]
    bounds = [0, *starts, len(pages) - 1]
    counts = []
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        while end > start and blank[end - 1]:
            end -= 1
        counts.append(end - start)
    return counts[0], counts[1:], blank, starts


def plan_openings(pages, piece_ids):
    """{piece id: 'right' or 'any'} for the laid-out pages (laid out with right-hand openings): each piece in
    order opens on a right-hand page unless the blank page before it would add a sheet to every copy, the
    pieces after it opening on the next page."""
    front, counts, _, _ = _shape(pages, piece_ids)
    target = _with_back_cover(front + sum(counts))
    plan, used = {}, front
    for index, piece_id in enumerate(piece_ids):
        needs_blank = used % 2 == 1  # it would start on an even, left-hand, page
        if needs_blank and _with_back_cover(used + 1 + sum(counts[index:])) > target:
            plan[piece_id] = "any"
        else:
            plan[piece_id] = "right"
            used += needs_blank
        used += counts[index]
    return plan


def count(document, piece_ids, openings):
    """The paper of a laid-out print edition (covers last page included, padded to a multiple of 4)."""
    pages = document.pages
    front, counts, blank, starts = _shape(pages, piece_ids)
    if openings == "any":
        return Paper(len(pages), tuple(blank))
    if openings == "auto":
        return Paper(len(pages), tuple(blank), left_openings=sum(1 for start in starts if start % 2))
    return Paper(len(pages), tuple(blank), _with_back_cover(front + sum(counts)))
