"""Watch mode (a build given the memo.Memo of the builds before it) converts again only the Markdown an edit changed,
writes what a cold build writes, and checks again every file a text refers to."""

import pytest

from pamphlet.pipeline.build import Kept, build
from pamphlet.errors import BuildError

# The pamphlet is `build.py new`'s (the scaffold fixture): notes, a table, a figure, source notes, an imprint and a
# blurb, in three short pieces, each of whose builds costs a third of one of notes-en.
EPOCH = 1700000000


def _build(texts, out, kept=None):
    """The EPUB (every text's Markdown typeset, the figure included) built into out, given what the builds before
    kept (as watch mode gives it: the print layout's parts too) or nothing; {file name: bytes}."""
    build(texts, out, ("epub",), epoch=EPOCH, kept=kept)
    return {path.name: path.read_bytes() for path in out.iterdir() if not path.name.startswith(".")}


def test_a_rebuild_converts_only_the_edited_piece_and_an_earlier_text_comes_back_right(scaffold, tmp_path):
    texts = scaffold
    pieces = sorted(str(path) for path in texts.glob("*.md"))
    kept = Kept()
    memo = kept.memo
    first = _build(texts, tmp_path / "watched", kept)
    assert sorted(memo.converted("typeset")) == pieces
    assert set(memo.converted("markdown check")) == {*pieces, str(texts / "pamphlet.yml")}

    # An edit to one note's text alone: that piece's Markdown is converted again (checked once, typeset once),
    # its front matter read and its glyphs checked again, and nothing else.
    piece = texts / "introduction.md"
    original = piece.read_text(encoding="utf-8")
    piece.write_text(original.replace("The text of the note.", "The words of the note."), encoding="utf-8")
    edited = _build(texts, tmp_path / "watched", kept)
    assert sorted(memo.made) == [(kind, str(piece)) for kind in ("glyphs", "long words", "markdown check", "piece",
                                                                       "typeset")]
    assert edited == _build(texts, tmp_path / "cold")
    assert edited != first

    # The edit undone: the earlier text's results are still kept (the last two builds'), and are right.
    piece.write_text(original, encoding="utf-8")
    assert _build(texts, tmp_path / "watched", kept) == first
    assert memo.made == []


def test_an_image_changed_after_a_build_is_checked_again(scaffold, tmp_path):
    """The memo keeps a text's conversion, never the check of a file it refers to that has changed since."""
    texts = scaffold
    image = texts / "placard.png"
    picture = image.read_bytes()
    kept = Kept()
    first = _build(texts, tmp_path / "watched", kept)
    image.write_bytes(picture[:len(picture) // 2])  # a file cut short, as by a copy that failed
    with pytest.raises(BuildError) as failed:
        _build(texts, tmp_path / "watched", kept)
    line = next(number for number, text in enumerate((texts / "introduction.md").read_text(encoding="utf-8").split(
        "\n"), 1) if "(placard.png)" in text)
    assert f"introduction.md:{line}: image 'placard.png' cannot be used: it is damaged" in \
        str(failed.value).split("\n")[0]
    image.write_bytes(picture)
    assert _build(texts, tmp_path / "watched", kept) == first
