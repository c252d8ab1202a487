"""Never a stale output with exit 0: wherever the output folder lies and however a piece is saved, an edit
reaches every output it affects, and outputs are never taken for sources. The builds run in this process
(conftest.run_here) but the one whose record a fresh process must read as this one would."""

import pytest
from conftest import run_build, run_here
from pypdf import PdfReader


def pdf_text(path):
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def replace(path, old, new, encoding="utf-8"):
    text = path.read_text(encoding=encoding)
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding=encoding)


@pytest.mark.parametrize("where", ["parent", "inside", "same"])
def test_an_edit_reaches_the_print_edition_wherever_the_output_folder_is(scaffold, where):
    """--out . (the texts folder inside the output folder), --out texts/dist, and --out texts."""
    out = {"parent": scaffold.parent, "inside": scaffold / "dist", "same": scaffold}[where]
    result = run_here("print", "--texts", scaffold, "--out", out)
    assert result.returncode == 0, result.stderr
    again = run_here("print", "--texts", scaffold, "--out", out)
    assert "up to date" in again.stdout, "the output just written was taken for a source"
    replace(scaffold / "interview.md", "The interviewer's introduction.", "Zanzibar came first.")
    result = run_here("print", "--texts", scaffold, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Zanzibar" in pdf_text(out / "texts-print.pdf")


@pytest.mark.parametrize("saved", ["with a byte-order mark", "with Windows line endings",
                                   "with '---' inside a value", "with old Mac line endings"])
def test_a_leaflet_piece_however_saved_is_built_and_rebuilt(scaffold, saved):
    statement = scaffold / "statement.md"
    text = statement.read_text(encoding="utf-8")
    if saved == "with a byte-order mark":
        statement.write_bytes(b"\xef\xbb\xbf" + text.encode())
    elif saved == "with Windows line endings":
        statement.write_bytes(text.replace("\n", "\r\n").encode())
    elif saved == "with old Mac line endings":
        statement.write_bytes(text.replace("\n", "\r").encode())
    else:
        replace(statement, "source: This statement was first published on our website.",
                "source: First published --- please share it.")
    out = scaffold.parent / "out"
    leaflet = out / "texts-leaflet-statement.pdf"
    result = run_here("leaflets", "--texts", scaffold, "--out", out)
    assert result.returncode == 0, result.stderr
    assert leaflet.is_file(), result.stdout
    data = statement.read_bytes().replace(b"The text of the statement.", b"Zanzibar rises.")
    statement.write_bytes(data)
    result = run_here("leaflets", "--texts", scaffold, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "up to date" not in result.stdout
    assert "Zanzibar" in pdf_text(leaflet)


def test_a_library_upgrade_or_another_font_subsetter_makes_the_outputs_again(scaffold, tmp_path, monkeypatch):
    """The up-to-date key holds the versions of the libraries that shape the outputs and which font subsetter
    WeasyPrint uses: after either changes, a no-op build would keep files a fresh build makes otherwise."""
    import copy
    import os
    from importlib import metadata

    from pamphlet.cli import source_date_epoch
    from pamphlet.pipeline import plan

    out = tmp_path / "out"
    assert run_build("print", "--texts", scaffold, "--out", out).returncode == 0
    options = {"crop_marks": False, "epoch": source_date_epoch(os.environ)}
    here = plan.environment()
    assert here["versions"] == {name: metadata.version(name) for name in plan.SHAPING}
    assert here["font subsetter"] in ("harfbuzz-subset", "fonttools")
    fresh = plan.Plan(scaffold, out, ("print",), options)
    assert fresh.fresh() == set(fresh.keys)
    other_subsetter = {"harfbuzz-subset": "fonttools", "fonttools": "harfbuzz-subset"}[here["font subsetter"]]
    for change in ({"versions": {**here["versions"], "weasyprint": "71.0"}}, {"font subsetter": other_subsetter}):
        elsewhere = {**copy.deepcopy(here), **change}
        monkeypatch.setattr(plan, "environment", lambda elsewhere=elsewhere: elsewhere)
        assert plan.Plan(scaffold, out, ("print",), options).fresh() == set(), change
