"""Tables set tighter to end pages level (preflight.balance): the space above and below their cells' text made
smaller, then their leading too, as a designer sets a long table tighter rather than leave a page short before a
row that does not split."""

from ..engine.pdf import boxes
from . import mending

# Each a step tighter than the layouts' cells (common.css: 0.2em above and below, leading 1.25), for every cell of a
# table: its rows stay apart by their rules' space and its lines by the text's.
STEPS = ("padding-top: 0.1em; padding-bottom: 0.1em",
         "padding-top: 0.05em; padding-bottom: 0.05em; line-height: 1.15")


def tighter(document, pages):
    """[{selector: declarations}]: every table with rows on the pages (indexes) of the laid-out document, its cells
    set by each of STEPS in turn, the least tight first; none for no table."""
    tables = []
    for index in pages:
        if 0 <= index < len(document.pages):
            for box in document.pages[index]._page_box.descendants():
                if isinstance(box, boxes.TableBox) and box.element is not None and box.element not in tables:
                    tables.append(box.element)
    paths = mending.selectors(document, [(table,) for table in tables])
    cells = ", ".join(f"{path[0]} {cell}" for path in paths for cell in ("td", "th"))
    return [{cells: step} for step in STEPS] if cells else []
