"""Counts the print edition's pages, blank pages and A4 sheets per copy, and what `openings: any` would save."""

from dataclasses import dataclass

from ..preflight.layout import is_blank

PAGES_PER_SHEET = 4  # an A4 sheet printed on both sides and folded once carries four A5 pages


def sheets(pages):
    return -(-pages // PAGES_PER_SHEET)


@dataclass(frozen=True)
class Paper:
    pages: int
    blank: int
    pages_if_any: int | None = None  # what openings: any would give; None when the pamphlet has it already

    @property
    def sheets(self):
        return sheets(self.pages)

    def saving(self):
        """One line when openings: any would save paper, else None."""
        if self.pages_if_any is None or sheets(self.pages_if_any) >= self.sheets:
            return None
        saved = self.sheets - sheets(self.pages_if_any)
        return (f"'openings: any' in pamphlet.yml would print {self.pages_if_any} pages, not {self.pages}: "
                f"{saved} A4 sheet{'s' if saved > 1 else ''} less a copy; pieces would open on either side")


def count(document, piece_ids, openings):
    """The paper of a laid-out print edition (covers last page included, padded to a multiple of 4)."""
    pages = document.pages
    blank = [is_blank(page) for page in pages]
    if openings == "any":
        return Paper(len(pages), sum(blank))
    # With openings: any a piece starts on the next page, so the blank pages before each opening go; so do the
    # blank pages before the back cover (its left-hand break and the padding), which are counted again below.
    # Left and right pages have text blocks of the same width, so no page's text would move to another.
    opening = {index for index, page in enumerate(pages) if set(page.anchors) & set(piece_ids)}
    back = len(pages) - 1
    kept = [index for index in range(back)
            if not (blank[index] and (index + 1 in opening or all(blank[index:back])))]
    before_back = len(kept) + (len(kept) % 2 == 0)  # the back cover is a left-hand page: an even page number
    return Paper(len(pages), sum(blank), -(-(before_back + 1) // PAGES_PER_SHEET) * PAGES_PER_SHEET)
