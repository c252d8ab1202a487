"""A bad input stops the build with 'file:line: message', exit status 1, no traceback, outputs untouched."""

import pytest

from conftest import run_build

PREVIOUS = b"previous good output"


@pytest.fixture
def out(tmp_path, manifest):
    """An output folder holding 'previous outputs' that a failed build must leave alone."""
    folder = tmp_path / "out"
    folder.mkdir()
    for name in (f"{manifest['slug']}-print.pdf", f"{manifest['slug']}.epub"):
        (folder / name).write_bytes(PREVIOUS)
    return folder


def assert_failed(result, out, *expected):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    for path in out.iterdir():
        assert path.read_bytes() == PREVIOUS, f"{path.name} was changed"


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_unknown_key_in_front_matter(texts_copy, out):
    piece = texts_copy / "statement-smk.md"
    edit(piece, "title:", "titel:")
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, f"statement-smk.md:{line_of(piece, 'titel:')}: unknown key 'titel'",
                  "did you mean 'title'?")


def test_unknown_key_in_manifest(texts_copy, out):
    manifest = texts_copy / "pamphlet.yml"
    edit(manifest, "publisher:", "publsher:")
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, f"pamphlet.yml:{line_of(manifest, 'publsher:')}: unknown key 'publsher'")


def test_missing_piece(texts_copy, out):
    (texts_copy / "statement-rsd.md").unlink()
    result = run_build("--texts", texts_copy, "--out", out)
    line = line_of(texts_copy / "pamphlet.yml", "statement-rsd.md")
    assert_failed(result, out, f"pamphlet.yml:{line}: piece 'statement-rsd.md' not found")


def test_malformed_yaml(texts_copy, out):
    piece = texts_copy / "interview-kurmanov.md"
    edit(piece, "subtitle: Interview with Ainur Kurmanov", "subtitle: [Interview with Ainur Kurmanov")
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, "interview-kurmanov.md:", "malformed YAML")


def test_undecodable_utf8(texts_copy, out):
    piece = texts_copy / "introduction.md"
    data = piece.read_bytes().replace("Kazakhstan’s largest".encode(), b"Kazakhstan\x92s largest")
    piece.write_bytes(data)
    line = data[:data.index(b"\x92")].count(b"\n") + 1
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, f"introduction.md:{line}: not valid UTF-8", "save the file as UTF-8")


def test_empty_piece(texts_copy, out):
    piece = texts_copy / "introduction.md"
    text = piece.read_text(encoding="utf-8")
    piece.write_text(text[:text.index("---", 3) + 4], encoding="utf-8")
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, "introduction.md:", "has no text after its front matter")


def test_every_problem_is_reported_at_once(texts_copy, out):
    edit(texts_copy / "statement-smk.md", "title:", "titel:")
    edit(texts_copy / "statement-rsd.md", "kind: statement", "kind: manifesto")
    edit(texts_copy / "pamphlet.yml", "language: en", "language: English")
    result = run_build("--texts", texts_copy, "--out", out)
    assert_failed(result, out, "statement-smk.md:", "statement-rsd.md:2: 'kind' is 'manifesto'",
                  "pamphlet.yml:6: 'language' is 'English'", "3 problems")


def test_unknown_edition_is_a_usage_error(out):
    result = run_build("posters", "--out", out)
    assert result.returncode == 2
    assert "unknown edition 'posters'" in result.stderr and "Traceback" not in result.stderr
