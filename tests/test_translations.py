"""One pamphlet in several languages (tests/fixtures/translated: English, with Russian and Kazakh): every edition
of every language, each in its own typography; translations kept in step with their source; the bilingual
edition, pair by pair; watch mode rebuilding only the language an edit touched."""

import re
import shutil
import subprocess
import sys

import pyphen
import pytest
import yaml
from pypdf import PdfReader

from conftest import (ROOT, built_pamphlet, normalise, opf_text, output, pdf_pages, pdf_text, save,
                      read_until)
from pamphlet import cli, editions
from pamphlet.sources import instep

FIXTURE = ROOT / "tests" / "fixtures" / "translated"
SLUG = yaml.safe_load((FIXTURE / "pamphlet.yml").read_text(encoding="utf-8"))["slug"]
LANGUAGES = {"en": SLUG, "ru": f"{SLUG}-ru", "kk": f"{SLUG}-kk"}  # the source's names unchanged
PATTERNS = {"en": {"lang": "en_US"}, "ru": {"lang": "ru_RU"},
            "kk": {"filename": str(ROOT / "layouts" / "locales" / "hyph_kk.dic")}}
# The quoted words of the introduction's first paragraph, and a range of days, in each language's typography
QUOTED = {"en": "“a temporary measure”", "ru": "«временной мерой»", "kk": "«уақытша шара»"}
RANGE = {"en": "3–4 March", "ru": "3–4 марта", "kk": "3–4 наурыз"}
LINE = 10 * 1.3  # the bilingual edition's line, in points


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every edition of every language of the fixture, and its bilingual edition: one build for the module."""
    return built_pamphlet(tmp_path_factory, "translated")[0]


def test_every_edition_of_every_language(built):
    for language, slug in LANGUAGES.items():
        for edition in editions.EDITIONS:
            pieces = ["statement"] if edition.per_piece else [None]
            for piece in pieces:
                assert output(built, edition.name, piece, slug=slug).is_file(), (language, edition.name)
    assert (built / f"{SLUG}-kk-ru-print.pdf").is_file() and (built / f"{SLUG}-kk-ru-screen.pdf").is_file()
    # The chronology is not translated into Kazakh: left out there (missing_translations: leave out), not in Russian
    assert "Хронология" in pdf_text(output(built, "print", slug=LANGUAGES["ru"]))
    assert "Chronology" not in pdf_text(output(built, "print", slug=LANGUAGES["kk"]))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_language_in_its_own_typography(built, language):
    """Quotes, the dash in a range and every hyphenated line's break, read from the print PDF's pages in their
    order (pdfium: by position), and the PDF's language."""
    pdf = output(built, "print", slug=LANGUAGES[language])
    pages = [page.get_textpage().get_text_range() for page in pdf_pages(pdf)]
    text = " ".join(" ".join(re.sub(r"\ufffe", "", page).split()) for page in pages).replace("\xa0", " ")
    assert QUOTED[language] in text
    assert RANGE[language] in text
    breaks = [(left, right) for page in pages for left, right in re.findall(r"(\w+)\ufffe(\w+)", page)]
    assert len(breaks) >= 2, f"{language}: too few hyphenated lines to tell the patterns"
    patterns = pyphen.Pyphen(left=1, right=1, **PATTERNS[language])
    for left, right in breaks:
        assert len(left) in patterns.positions(left + right), f"{language}: '{left}-{right}' is not a break"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == language


def test_epubs_valid_and_pointing_to_each_other(built, epubcheck):
    identifiers = {}
    for language, slug in LANGUAGES.items():
        epub = output(built, "epub", slug=slug)
        valid, messages = epubcheck(epub)
        assert valid and messages == [], (language, messages)
        opf = opf_text(epub)
        assert f'xml:lang="{language}"' in opf
        identifiers[language] = re.search(r'<dc:identifier id="id">([^<]+)<', opf).group(1)
    assert len(set(identifiers.values())) == 3, "each language's EPUB has its own identifier"
    for language, slug in LANGUAGES.items():
        opf = opf_text(output(built, "epub", slug=slug))
        for other in set(LANGUAGES) - {language}:
            assert f"<dc:relation>{identifiers[other]}</dc:relation>" in opf
            assert f'<link rel="alternate" href="{identifiers[other]}" hreflang="{other}"' in opf


def test_web_editions_pointing_to_each_other(built):
    for language, slug in LANGUAGES.items():
        index = (built / f"{slug}-web" / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{language}"' in index
        for other in set(LANGUAGES) - {language}:
            target = f"../{LANGUAGES[other]}-web/index.html"
            assert f'<link rel="alternate" hreflang="{other}" href="{target}">' in index
            assert (built / f"{slug}-web" / target).resolve().is_file()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_language_s_epub_passes_ace(built, language, tmp_path, daisy_ace):
    status, stderr, violations, outcome = daisy_ace(output(built, "epub", slug=LANGUAGES[language]), tmp_path)
    assert status == 0 and violations == [] and outcome == "pass", (stderr, violations)


def _columns(pdf):
    """For each page, each column's text as normalise leaves it, with the top of each character (points)."""
    found = []
    for page in pdf_pages(pdf):
        textpage, middle = page.get_textpage(), page.get_width() / 2
        columns = [["", []], ["", []]]
        for index in range(textpage.count_chars()):
            char = normalise(textpage.get_text_range(index, 1))
            if char:
                left, _, _, top = textpage.get_charbox(index)
                column = columns[left >= middle]
                column[0] += char
                column[1] += [top] * len(char)
        found.append(columns)
    return found


def _where(columns, side, words):
    """(page, top) of where words start in a side's column."""
    for number, page in enumerate(columns):
        text, tops = page[side]
        at = text.find(words)
        if at >= 0:
            return number, tops[at]
    raise AssertionError(f"not found in column {side}: {words}")


def _ends(block):
    """The first and last words of a block (before a note's call, which the PDF prints as a number) as normalise
    leaves them, without Markdown's marks."""
    text = normalise(re.sub(r"^Table:\s*|^[-*]\s+|\*\*", "", block.text.strip()).split("[^")[0])
    return text[:24], text.rstrip(".,;:")[-24:]  # the typesetter sets a call before the full stop


def test_the_bilingual_edition_pair_by_pair(built):
    """Every pair of blocks (paragraphs, the demands, the note, the caption) starts on the same page at the
    same height within a line, and no pair is split so that one side runs ahead onto the next page."""
    columns = _columns(built / f"{SLUG}-kk-ru-print.pdf")
    assert len(columns) >= 2, "the fixture's bilingual edition should run over a page"
    pairs = 0
    for name in ("introduction.md", "statement.md"):
        sides = [[block for block in instep.blocks(FIXTURE / language / name)
                  if block.kind in ("paragraph", "caption", "demands paragraph", "note paragraph")]
                 for language in ("kk", "ru")]
        assert [b.kind for b in sides[0]] == [b.kind for b in sides[1]]
        for kk, ru in zip(*sides, strict=True):
            (kk_first, kk_last), (ru_first, ru_last) = _ends(kk), _ends(ru)
            kk_page, kk_top = _where(columns, 0, kk_first)
            ru_page, ru_top = _where(columns, 1, ru_first)
            assert kk_page == ru_page and abs(kk_top - ru_top) < LINE, (kk.text[:40], ru.text[:40])
            assert _where(columns, 0, kk_last)[0] == kk_page and _where(columns, 1, ru_last)[0] == ru_page, \
                f"a pair split over a page: {kk.text[:40]} / {ru.text[:40]}"
            pairs += 1
    assert pairs >= 12
    screen = pdf_pages(built / f"{SLUG}-kk-ru-screen.pdf")
    assert len(screen) == len(columns)


def test_the_bilingual_edition_never_hyphenates_a_demand(built):
    """As every other edition: a demand's words break at no soft hyphen, while the paragraphs' do."""
    breaks = [left + right for page in pdf_pages(built / f"{SLUG}-kk-ru-print.pdf")
              for left, right in re.findall(r"(\w+)\ufffe\s*(\w+)", page.get_textpage().get_text_range())]
    words = {True: set(), False: set()}  # the words of the demands' items, and of every other block
    for language in ("kk", "ru"):
        for name in ("introduction.md", "statement.md", "chronology.md"):
            if (FIXTURE / language / name).is_file():
                for block in instep.blocks(FIXTURE / language / name):
                    words[block.kind == "demands item"].update(re.findall(r"\w+", block.text))
    demanded = words[True] - words[False]
    assert len(breaks) >= 5, "the bilingual edition hyphenates its paragraphs"
    assert len(demanded) >= 20
    assert [word for word in breaks if word in demanded] == []


def test_a_source_edit_names_exactly_that_paragraph_in_each_translation(tmp_path, capsys):
    texts = tmp_path / "translated"
    shutil.copytree(FIXTURE, texts)
    assert cli.main(["translations", "--texts", str(texts)]) == 0
    source = texts / "introduction.md"
    source.write_text(source.read_text(encoding="utf-8").replace("once a week", "twice a month"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["translations", "--texts", str(texts)]) == 1
    said = capsys.readouterr().out
    stale = [line for line in said.splitlines() if ": stale: " in line]
    starts = ("Каждый бастующий", "Ереуілдегі әрбір")
    lines = {language: next(b.line for b in instep.blocks(texts / language / "introduction.md")
                            if b.text.startswith(starts)) for language in ("ru", "kk")}
    assert stale == [f"{texts}/{language}/introduction.md:{lines[language]}: stale: the source's paragraph "
                     f"(introduction.md:{_line_of(source, 'Every worker on strike')}) changed since the translation "
                     "was marked" for language in ("ru", "kk")]
    assert said.count("was: …") == 2 and said.count("once a week") == 2 and said.count("twice a month") == 2
    # --strict stops before anything is built; marking one translation clears it alone
    assert cli.main(["--texts", str(texts), "--out", str(tmp_path / "out"), "--strict"]) == 1
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))
    assert cli.main(["translations", "--texts", str(texts), "--mark", "ru"]) == 0
    capsys.readouterr()
    assert cli.main(["translations", "--texts", str(texts)]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines() if ": stale: " in line] == [
        f"{texts}/kk/introduction.md"]
    assert cli.main(["translations", "--texts", str(texts), "--mark", "kk"]) == 0
    assert cli.main(["translations", "--texts", str(texts)]) == 0


def _line_of(path, words):
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
                if words in line)


def test_a_piece_missing_in_a_translation_stops_the_build_when_the_manifest_says_so(tmp_path, capsys):
    texts = tmp_path / "translated"
    shutil.copytree(FIXTURE, texts)
    manifest = texts / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("missing_translations: leave out",
                                                                     "missing_translations: stop"), encoding="utf-8")
    assert cli.main(["--texts", str(texts), "--out", str(tmp_path / "out"), "--lang", "kk"]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (f"{manifest}:{_line_of(manifest, '- chronology.md')}: piece 'chronology.md' has no kk translation "
                     "(kk/chronology.md not found): translate it, or set 'missing_translations: leave out'")


def _files(folder):
    """{path in folder: bytes} of every output (editions may write folders), the build's hidden files aside."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)}


def test_watch_rebuilds_only_the_language_an_edit_touched(built, tmp_path):
    """Its first build (two processes and a fork) is byte for byte the cold build (the run's shared build: one
    process, conftest.ONE_CORE; another folder); an edit to a Russian piece rebuilds the Russian files and the
    bilingual edition, and no English or Kazakh file."""
    texts, out = tmp_path / "translated", tmp_path / "out"
    shutil.copytree(FIXTURE, texts)
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), "--watch", "--texts", str(texts),
                                "--out", str(out)], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        read_until(process, ("watching",), 300)
        made = _files(out)
        assert made == _files(built), "watch mode's first build is the cold build's bytes"
        piece = texts / "ru" / "statement.md"
        save(piece, piece.read_text(encoding="utf-8").replace("Мы призываем", "Мы настойчиво призываем"))
        lines = read_until(process, ("lint:",), 300)
        said = "".join(lines)
        assert "ru: rebuilt" in said and "en: rebuilt" not in said and "kk: rebuilt" not in said, said
        changed = {name for name, data in _files(out).items() if made.get(name) != data}
        assert changed and all(name.startswith((f"{SLUG}-ru", f"{SLUG}-kk-ru")) for name in changed), changed
        assert "настойчиво" in pdf_text(out / f"{SLUG}-ru-print.pdf")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_problem_found_building_a_later_language_leaves_every_language_as_it_was(built, tmp_path, capsys):
    """A character no font has in the Russian statement is found only while Russian is built (the glyphs are
    checked then), after English, edited, was made again: no language's new files are put in place, nor the
    up-to-date records, so that the build after the fix makes English again."""
    texts, out = tmp_path / "translated", tmp_path / "out"
    shutil.copytree(FIXTURE, texts)
    shutil.copytree(built, out)
    before = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    english, russian = texts / "statement.md", texts / "ru" / "statement.md"
    edited = english.read_text(encoding="utf-8").replace("The committee stands", "The committee firmly stands")
    english.write_text(edited, encoding="utf-8")
    russian.write_text(russian.read_text(encoding="utf-8") + "\nНаша эмблема: \u262d\n", encoding="utf-8")
    assert cli.main(["epub", "--texts", str(texts), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{russian}:{_line_of(russian, 'эмблема')}: U+262D HAMMER AND SICKLE"), err
    after = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert after.keys() == before.keys(), "no file added or removed"
    assert [name for name in before if after[name] != before[name]] == [], "every file, records included, as it was"
