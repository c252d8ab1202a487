"""Editions as data: the declarations drive the command line, the README's table, the up-to-date record
(one file or several per job) and the removal of outputs no edition makes any more."""

import re

import pytest

from pamphlet import cli, editions
from pamphlet.pipeline.plan import Plan
from pamphlet.editions import EDITIONS, FORKED, HERE, PRINT_LAYOUT, SECOND, Job, Step
from pamphlet.pipeline.output import Staging

from conftest import ROOT, run_here


def test_every_declaration_can_be_made():
    for step in editions.STEPS.values():
        assert callable(step.function()), step.name
        assert step.runs in (HERE, SECOND, FORKED), step.name
        # The layout is WeasyPrint's objects: it cannot cross to the second process.
        assert not (step.runs == SECOND and PRINT_LAYOUT in step.needs), step.name
        for need in step.needs:
            assert need in editions.BUILT_IN or need in editions.STEPS, (step.name, need)
    for edition in EDITIONS:
        assert edition.files and edition.purpose and edition.pages in ("pdf", "spine", "sheets", None)


def test_the_command_line_offers_the_declared_editions():
    assert cli.parse_args(["booklet"]).editions == ["booklet"]
    with pytest.raises(SystemExit):
        cli.parse_args(["no-such-edition"])
    assert cli.EDITIONS == tuple(edition.name for edition in EDITIONS)


def test_the_readme_table_of_outputs_is_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| file | what it is for |")[1].split("\n\n")[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", table, re.M)
    # One row an edition, naming its first file (an edition of several files says what the others are).
    declared = [(edition.files[0].replace("{slug}", "<slug>").replace("{piece}", "<piece>"), edition.purpose)
                for edition in EDITIONS]
    expected = "\n".join(f"| `{name}` | {purpose} |" for name, purpose in declared)
    assert rows == declared, f"README.md's table of outputs should read, from the declarations:\n{expected}"
    choices = re.search(r"^- `EDITION` is (.+); with none named", readme, re.M).group(1)
    assert re.findall(r"`([^`]+)`", choices) == list(editions.NAMES), "README's list of EDITION choices"


def test_jobs_follow_the_declarations():
    pieces = [("intro", {}), ("one", {"leaflet": True}), ("two", {"leaflet": False}), ("three", {"leaflet": True})]
    jobs = editions.jobs(("leaflets", "epub"), "s", pieces)
    assert [(job.id, job.files) for job in jobs] == [
        ("leaflets:one", ("s-leaflet-one.pdf",)), ("leaflets:three", ("s-leaflet-three.pdf",)),
        ("epub", ("s.epub",))]
    order = [job.id for job in editions.with_steps(jobs)]
    assert order == ["leaflets:one", "leaflets:three", "epub_fonts", "epub_cover", "epub"]


def test_a_job_may_write_several_files_and_the_record_follows(texts_copy, tmp_path):
    """An edition that writes several files (here, by hand, a job of two files in a folder and then of one):
    staged and committed together, recorded together, and the file it no longer writes removed."""
    out = tmp_path / "out"
    out.mkdir()
    plan = Plan(texts_copy, out, ["print"], {})
    job = Job(Step("print", "print_edition:make"), ("s-*.html", "assets/*"))
    files = {"s-1.html": b"one", "s-2.html": b"two", "assets/a.css": b"css"}
    with Staging(out) as staging:
        for name, data in files.items():
            assert job.writes(name)
            staging.write(name, data)
        assert not list(out.rglob("s-*.html")), "nothing in place before commit"
        staging.commit()
    plan.remember({"print": [out / name for name in files]})
    assert plan.fresh() == {"print"}
    (out / "s-2.html").write_bytes(b"changed by hand")
    assert plan.fresh() == set()
    removed = plan.remember({"print": [out / "s-1.html"]})
    assert removed == [out / "assets/a.css"]
    assert (out / "s-2.html").read_bytes() == b"changed by hand", "a file someone changed is never removed"
    assert plan.fresh() == {"print"}


def test_a_leaflet_no_longer_asked_for_is_removed(texts_copy, tmp_path, manifest):
    out = tmp_path / "out"
    assert run_here("leaflets", "--texts", texts_copy, "--out", out).returncode == 0
    leaflet = out / editions.file_name("leaflets", manifest["slug"], "statement-rsd")
    kept = out / editions.file_name("leaflets", manifest["slug"], "statement-smk")
    assert leaflet.is_file() and kept.is_file()
    piece = texts_copy / "statement-rsd.md"
    piece.write_text(piece.read_text(encoding="utf-8").replace("leaflet: true", "leaflet: false"), encoding="utf-8")
    result = run_here("leaflets", "--texts", texts_copy, "--out", out)
    assert result.returncode == 0, result.stderr
    assert not leaflet.exists()
    assert kept.is_file()
    assert f"removed {leaflet.relative_to(tmp_path)}" in result.stdout.replace(str(tmp_path) + "/", "")
