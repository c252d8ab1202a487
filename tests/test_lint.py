"""build.py lint: every planted error reported at its file and line with its code, nothing in the same texts
without them, the source document's typing errors reported, and the build's one line and --strict."""

import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, TEXTS, normalise, pdf_pages, read_until, run_build, run_here, save
from test_fidelity import SEED, corrections

FIXTURES = Path(__file__).with_name("fixtures")

# (file, planted error, its correction, code): the fixture carries the errors; its clean twin, made by the
# corrections, must give no finding at all. A finding is expected on the line where the planted text ends.
PLANTED_EN = [
    ("pamphlet.yml", "on the the uprising", "on the uprising", "DOUBLED"),
    ("pamphlet.yml", "within days , and", "within days, and", "SPACING"),
    ("statement.md", "was publised on", "was published on", "VARIANT"),
    ("statement.md", "spread to the the mines", "spread to the mines", "DOUBLED"),
    ("statement.md", "In Zhanoazen itself", "In Zhanaozen itself", "VARIANT"),
    ("statement.md", "In the Mangastau region", "In the Mangistau region", "VARIANT"),
    ("statement.md", "demonstrators.Later", "demonstrators. Later", "SPACING"),
    ("statement.md", "Later, Takayev called", "Later, Tokayev called", "VARIANT"),
    ("statement.md", "(in Almaty, Aktau and Zhanaozen!", "(in Almaty, Aktau and Zhanaozen)!", "UNBALANCED"),
    ("statement.md", "The full text was published on our website here.", "", "LINKTEXT"),
    ("statement.md", "2011 in the the oil field", "2011 in the oil field", "DOUBLED"),  # in a note ^[…]
    ("statement.md", "seven monthes.", "seven months.", "SPELLING"),  # a note's second paragraph
    ("interview.md", "We we asked", "We asked", "DOUBLED"),
    ("interview.md", "the goverment’s policy", "the government’s policy", "SPELLING"),
    ("interview.md", "the workers  lost", "the workers lost", "SPACING"),
    ("interview.md", "Kasym-Zhomart Tokayev", "Kassym-Jomart Tokayev", "VARIANT"),
    ("interview.md", "Click here to read the Russian original.", "", "LINKTEXT"),
    ("interview.md", "act ‘as tough as possible. At", "act ‘as tough as possible’. At", "UNBALANCED"),
    ("interview.md", "banks and wor4kers in", "banks and workers in", "STRAY"),
    ("interview.md", "line above are are ignored", "line above are ignored", "DOUBLED"),
    ("interview.md", "comment; teh next", "comment; the next", "SPELLING"),
    ("interview.md", "We recieve letters", "We receive letters", "SPELLING"),
    ("interview.md", "are of\nof the whole", "are of\nthe whole", "DOUBLED"),
    ("interview.md", "Read more on our website.", "", "LINKTEXT"),
    ("interview.md", "Viewp[oint hall", "Viewpoint hall", "STRAY"),
    ("interview.md", "a seperate union)", "a separate union", "SPELLING"),
    ("interview.md", "union) and", "union and", "UNBALANCED"),
    ("interview.md", "experts ” to speak", "experts to speak", "UNBALANCED"),
    ("interview.md", "In Kazаkhstan", "In Kazakhstan", "STRAY"),  # a Cyrillic а
]
PLANTED_RU = [
    ("zayavlenie.md", "и и Такаев", "и Такаев", "DOUBLED"),
    ("zayavlenie.md", "Такаев ввёл", "Токаев ввёл", "VARIANT"),
    ("zayavlenie.md", "«миротворческой операцией ОДКБ ,", "«миротворческой операцией ОДКБ»,", "UNBALANCED"),
    ("zayavlenie.md", "ОДКБ ,", "ОДКБ»,", "SPACING"),
    ("zayavlenie.md", "не было.Войска", "не было. Войска", "SPACING"),
    ("zayavlenie.md", "(по разным данным, погибли десятки человек.", "По разным данным, погибли десятки человек.",
     "UNBALANCED"),
    ("zayavlenie.md", "Правительсво", "Правительство", "SPELLING"),
    ("zayavlenie.md", "Каз[ахстана", "Казахстана", "STRAY"),
    ("zayavlenie.md", "национализации  недр", "национализации недр", "SPACING"),
]


def lint(texts, cwd):
    """build.py lint in this process (conftest.run_here); test_the_kazakhstan_texts_… runs it as a user does."""
    return run_here("lint", "--texts", texts, cwd=cwd)


def findings(result):
    """(file name, line, code) of each finding line, in the order printed."""
    found = []
    for line in result.stdout.splitlines():
        match = re.fullmatch(r"(.+?):(\d+):(\d+): ([A-Z]+) .+", line)
        assert match, f"not a finding line: {line!r}"
        found.append((Path(match.group(1)).name, int(match.group(2)), match.group(4)))
    return found


def expected(folder, planted):
    """How many findings of each code each line of the planted fixture must have."""
    places = Counter()
    for name, wrong, _, code in planted:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.count(wrong) == 1, f"planted text not unique in {name}: {wrong!r}"
        places[(name, text[:text.index(wrong) + len(wrong)].count("\n") + 1, code)] += 1
    return places


def clean_twin(folder, planted, tmp_path):
    twin = tmp_path / f"{folder.name}-clean"
    shutil.copytree(folder, twin)
    for name, wrong, right, _ in planted:
        path = twin / name
        path.write_text(path.read_text(encoding="utf-8").replace(wrong, right, 1), encoding="utf-8")
    return twin


def needs_dictionaries(result):
    missing = re.search(r"^lint: (spelling not checked|no \S+ dictionary).*", result.stderr, re.MULTILINE)
    if missing:
        pytest.skip(f"spelling dictionaries missing here: {missing.group()}")


@pytest.mark.parametrize("fixture, planted", [("lint-en", PLANTED_EN), ("lint-ru", PLANTED_RU)])
def test_every_planted_error_is_reported_at_its_line_with_its_code(fixture, planted, tmp_path):
    folder = FIXTURES / fixture
    result = lint(folder, tmp_path)
    needs_dictionaries(result)
    assert result.returncode == 1, result.stderr
    assert Counter(findings(result)) == expected(folder, planted)
    kinds = Counter(code for *_, code in planted)
    if fixture == "lint-en":
        assert all(kinds[code] >= 3 for code in ("VARIANT", "STRAY", "DOUBLED", "SPACING", "UNBALANCED",
                                                 "SPELLING", "LINKTEXT")), kinds


@pytest.mark.parametrize("fixture, planted", [("lint-en", PLANTED_EN), ("lint-ru", PLANTED_RU)])
def test_the_clean_twin_has_no_findings(fixture, planted, tmp_path):
    """URLs, code, HTML tags and comments, note markers, tables, front-matter keys, names from words.txt and the
    signatory lists, enumerations, multi-paragraph quotations, worker(s): none of it is reported."""
    result = lint(clean_twin(FIXTURES / fixture, planted, tmp_path), tmp_path)
    needs_dictionaries(result)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout
    assert result.stderr.strip() == "lint: no findings"


def test_findings_are_sorted_by_file_line_and_column(tmp_path):
    result = lint(FIXTURES / "lint-en", tmp_path)
    lines = [re.match(r"(.+?):(\d+):(\d+):", line).groups() for line in result.stdout.splitlines()]
    keys = [(path, int(line), int(column)) for path, line, column in lines]
    assert keys == sorted(keys) and len({path for path, _, _ in keys}) == 3


def test_an_ignore_comment_drops_only_its_own_line(tmp_path):
    """The fixture's ignore comments hide a planted error on their line (Markdown and YAML); without them the
    error is reported."""
    twin = clean_twin(FIXTURES / "lint-en", PLANTED_EN, tmp_path)
    for name, comment in (("interview.md", " <!-- lint: ignore -->"), ("interview.md", "   # lint: ignore")):
        path = twin / name
        path.write_text(path.read_text(encoding="utf-8").replace(comment, "", 1), encoding="utf-8")
    found = findings(lint(twin, tmp_path))
    assert [(name, code) for name, _, code in found] == [("interview.md", "SPACING"), ("interview.md", "SPACING")]


def test_words_file_and_names_count_as_known(tmp_path):
    twin = clean_twin(FIXTURES / "lint-en", PLANTED_EN, tmp_path)
    (twin / "words.txt").write_text("# nothing\n", encoding="utf-8")
    result = lint(twin, tmp_path)
    needs_dictionaries(result)
    reported = {re.search(r"SPELLING '([^']+)'", line).group(1) for line in result.stdout.splitlines()}
    assert reported == {"Ozenmunaigas", "Kazmunaigaz", "Ekibastuz", "Nursultan", "Atyrau"}
    # Seitkali and Qazaq are in the authors and the signatories: known without words.txt; Aksakals is used
    # twice, so taken for a name.


def seed_pamphlet(folder):
    """The source document of the Kazakhstan pamphlet as a pamphlet folder: its title and byline in the manifest,
    the rest as one piece, and the editor's word list of texts/."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    folder.mkdir()
    (folder / "pamphlet.yml").write_text(
        f'title: "{lines[0]}"\nbyline: "{lines[2]}"\npublisher: Socialist Movement of Kazakhstan\nlanguage: en\n'
        "date: 2022-01-21\nidentifier: urn:uuid:be50f567-67a3-4bcf-b5a2-bc2feba5a8e7\nslug: seed\n"
        "pieces: [seed.md]\n", encoding="utf-8")
    (folder / "seed.md").write_text("---\nkind: article\ntitle: The source document\n---\n" + "\n".join(lines[4:]),
                                    encoding="utf-8")
    shutil.copy(TEXTS / "words.txt", folder / "words.txt")
    return folder


# A missing word is a matter of grammar, which no check here reads.
NOT_CAUGHT = {"The causes the current protests"}


def test_the_source_documents_typing_errors_are_reported(tmp_path):
    folder = seed_pamphlet(tmp_path / "seed")
    result = lint(folder, tmp_path)
    needs_dictionaries(result)
    places = {}
    for line in result.stdout.splitlines():
        path, number, column = re.match(r"(.+?):(\d+):(\d+):", line).groups()
        places.setdefault(Path(path).name, []).append((int(number), int(column)))
    rows = [original for original, corrected in corrections() if corrected]
    assert len(rows) == 12
    caught = set()
    for original in rows:
        for name in ("pamphlet.yml", "seed.md"):
            text = (folder / name).read_text(encoding="utf-8")
            start = text.find(original)
            if start < 0:
                continue
            line = text[:start].count("\n") + 1
            column = start - text.rfind("\n", 0, start)
            if any(n == line and column <= c < column + len(original) for n, c in places.get(name, [])):
                caught.add(original)
    assert caught == set(rows) - NOT_CAUGHT


def test_bad_command_line_exits_2(tmp_path):
    result = run_build("lint", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2 and "usage: build.py lint" in result.stderr


def test_texts_that_cannot_be_read_exit_1_with_the_problem(tmp_path):
    result = lint(tmp_path / "missing", tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].endswith("no such folder: --texts must name a folder of texts with a "
                                                  "pamphlet.yml manifest")


def test_the_kazakhstan_texts_report_only_what_is_worth_a_look():
    """texts/ as published: only 'liquified' beside 'liquefied', a spelling the source itself mixes."""
    result = run_build("lint", "--texts", TEXTS, cwd=ROOT)  # in a fresh process, as a user runs it
    needs_dictionaries(result)
    assert findings(result) == [("introduction.md", 9, "VARIANT")]


def test_every_build_ends_with_the_lint_line_and_drops_ignore_comments(tmp_path):
    out = tmp_path / "out"
    result = run_here("print", "epub", "--texts", FIXTURES / "lint-en", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    count = sum(expected(FIXTURES / "lint-en", PLANTED_EN).values())
    assert result.stdout.strip().splitlines()[-1] == f"lint: {count} findings; run build.py lint"
    # The fixture's "<!-- lint: ignore -->" reaches no edition, as text or as a comment.
    assert "<!-- lint: ignore -->" in (FIXTURES / "lint-en" / "interview.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "lint-en.epub") as book:
        assert not [name for name in book.namelist() if b"lint:" in book.read(name)]
    printed = "".join(page.get_textpage().get_text_range() for page in pdf_pages(out / "lint-en-print.pdf"))
    assert normalise("and the workers,students and pensioners pay the bill.") in normalise(printed)
    assert "lint" not in printed


def test_a_quiet_build_does_not_lint(tmp_path):
    """--quiet prints only errors, so the texts are not linted for a line it would not print (0.3 s of CPU of a
    cold build of texts/): the build runs here with the lint checks impossible to import."""
    result = subprocess.run([sys.executable, "-c", "import sys; sys.modules['pamphlet.lint.checks'] = None; "
                             "from pamphlet.cli import main; sys.exit(main(sys.argv[1:]))", "epub", "--quiet",
                             "--texts", str(FIXTURES / "lint-en"), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), result.stderr
    assert (tmp_path / "out" / "lint-en.epub").is_file()


def test_strict_stops_the_build_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    result = run_here("epub", "--strict", "--texts", FIXTURES / "lint-en", "--out", out, cwd=tmp_path)
    assert result.returncode == 1
    assert "interview.md:10:44: DOUBLED 'We we'" in result.stderr
    count = sum(expected(FIXTURES / "lint-en", PLANTED_EN).values())
    assert result.stderr.strip().splitlines()[-1].startswith(f"build stopped (--strict): lint: {count} findings")
    assert not out.exists() or not list(out.iterdir())
    twin = clean_twin(FIXTURES / "lint-en", PLANTED_EN, tmp_path)
    result = run_here("epub", "--strict", "--texts", twin, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "lint: no findings"
    assert (out / "lint-en.epub").is_file()



def test_new_pamphlet_has_a_words_file_and_nothing_to_report(tmp_path):
    folder = tmp_path / "next"
    assert run_build("new", folder, cwd=tmp_path).returncode == 0
    assert (folder / "words.txt").is_file()
    result = lint(folder, tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_watch_mode_prints_the_lint_line_after_each_rebuild(tmp_path):
    twin, out = clean_twin(FIXTURES / "lint-en", PLANTED_EN, tmp_path), tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-u", str(ROOT / "build.py"), "epub", "--watch", "--texts", str(twin),
                                "--out", str(out)], cwd=tmp_path, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    stop = threading.Timer(300, process.kill)  # a watch that never answers fails the test, not the suite
    stop.start()
    try:
        assert read_until(process, ("lint:",))[-1].strip() == "lint: no findings"
        read_until(process, ("watching",))  # an edit made before the watcher runs would go unseen
        piece = twin / "statement.md"
        save(piece, piece.read_text(encoding="utf-8").replace("a real popular", "a real real popular"))
        assert read_until(process, ("lint:",))[-1].strip() == "lint: 1 finding; run build.py lint"
    finally:
        stop.cancel()
        process.terminate()
        process.wait(timeout=30)


def test_a_missing_dictionary_or_enchant_is_one_line_naming_the_package(tmp_path):
    twin = clean_twin(FIXTURES / "lint-en", PLANTED_EN, tmp_path)
    manifest = twin / "pamphlet.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("language: en", "language: eo"),
                        encoding="utf-8")  # Esperanto: no layout words and no dictionary here
    result = lint(twin, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lint: no eo dictionary; install hunspell-eo (apt-get install hunspell-eo)" in result.stderr
    without = subprocess.run([sys.executable, "-c", "import sys; sys.modules['enchant'] = None; "
                              "from pamphlet.cli import main; sys.exit(main(sys.argv[1:]))",
                              "lint", "--texts", str(FIXTURES / "lint-en")],
                             cwd=ROOT, capture_output=True, text=True)
    assert without.returncode == 1  # the other checks still find what was planted
    assert "lint: spelling not checked: the Enchant library is missing; install libenchant-2-2" in without.stderr
    assert "DOUBLED" in without.stdout and "SPELLING" not in without.stdout and "Traceback" not in without.stderr


KAZAKH = ("---\nkind: statement\ntitle: Мәлімдеме\n---\n\n"
          "Жаңаөзен мұнайшылары 2022 жылғы 2 қаңтарда ереуілге шықты. Жұмысшылар газ бағасын төмендетуді талап\n"
          "етті. Үкімет отставкаға кетті, бірақ наразылық тоқтаған жоқ. Жаңаөзен жұмысшылары «бостандық» деді.\n")


def test_kazakh_case_endings_are_not_misspellings(tmp_path):
    """бағасын, төмендетуді: case forms the Kazakh dictionary lacks; a letter typed wrong inside a word is still
    found (жұмысщылар for жұмысшылар)."""
    folder = tmp_path / "kk"
    folder.mkdir()
    (folder / "pamphlet.yml").write_text(
        "title: Демократиялық және социалистік Қазақстан үшін!\nbyline: Қазақстан социалистік қозғалысы\n"
        "publisher: Қазақстан социалистік қозғалысы\nlanguage: kk\ndate: 2022-01-21\n"
        "identifier: urn:uuid:8d2b6f40-1c3e-4a9f-b7d5-2e0f9a6c4b12\nslug: kk\npieces: [m.md]\n", encoding="utf-8")
    (folder / "m.md").write_text(KAZAKH, encoding="utf-8")
    result = lint(folder, tmp_path)
    needs_dictionaries(result)
    assert (result.returncode, result.stdout) == (0, "")
    (folder / "m.md").write_text(KAZAKH.replace("Жұмысшылар газ", "Жұмысщылар газ"), encoding="utf-8")
    assert findings(lint(folder, tmp_path)) == [("m.md", 6, "SPELLING")]
