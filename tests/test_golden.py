"""Golden files: the EPUB's package document, navigation and XHTML documents of texts/, as they should be.

When a change to them is intended (a layout, a locale, the texts), update them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

import difflib
import os
import zipfile
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "epub"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
HOW = "if the change is intended: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py, then review git diff"


def deterministic_entries(epub_path):
    """The EPUB's text entries that are the same for every build of texts/: OPF, NCX, nav and XHTML."""
    with zipfile.ZipFile(epub_path) as book:
        return {name: book.read(name).decode("utf-8") for name in book.namelist()
                if name.endswith((".opf", ".ncx", ".xhtml"))}


def test_epub_matches_the_golden_files(epub_path):
    made = deterministic_entries(epub_path)
    assert any(name.endswith(".opf") for name in made) and any(name.endswith("nav.xhtml") for name in made)
    if UPDATE:
        for old in GOLDEN.rglob("*"):
            if old.is_file() and old.relative_to(GOLDEN).as_posix() not in made:
                old.unlink()
        for name, text in made.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
        pytest.skip(f"golden files updated in {GOLDEN}; review them with git diff")
    kept = sorted(path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*") if path.is_file())
    assert sorted(made) == kept, f"the EPUB's documents changed; {HOW}"
    for name, text in made.items():
        golden = (GOLDEN / name).read_text(encoding="utf-8")
        if text != golden:
            diff = difflib.unified_diff(golden.splitlines(), text.splitlines(), f"golden/{name}", f"built/{name}",
                                        n=1, lineterm="")
            pytest.fail("\n".join(list(diff)[:20]) + f"\n{name} differs from its golden file; {HOW}")
