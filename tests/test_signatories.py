"""Signatories from the form's spreadsheet: CSV in UTF-8, Windows-1251 and UTF-16, XLSX and ODS read alike, each
row checked, moderated, sorted as Kazakh and Russian sort, counted and dated, in every edition."""

import csv
import io
import random
import re
import shutil
import zipfile
from xml.sax.saxutils import escape

import pytest
import yaml

from conftest import ROOT, epub_documents, output, pdf_body_text, pdf_pages, run_here
from pamphlet.editions.impose import saddle_stitch_order
from pamphlet.render.signatories import LEAFLET, count_label, layout
from pamphlet.sources.signatories import identity, sort_key

FIXTURES = ROOT / "tests" / "fixtures"
KK_GIVEN = ("Айгүл Әлия Бауыржан Ғалым Дәурен Ерлан Жанар Інкәр Қайрат Мәди Нұрлан Өмірзақ Сәуле Талғат Ұлан "
            "Үміт").split()
KK_SURNAMES = ("Абаев Әлиев Бекқожин Ғабитов Дәулетов Есенов Жұмабаев Ибраев Қасымов Қонаев Мұратов Нұрланов Оспанов "
               "Өтепов Сәрсенов Тоқаев Ұлықбеков Үсенов Шәріпов Іскаков Һашимов Ыбыраев Иманов Яхин").split()
RU_GIVEN = "Алексей Андрей Борис Виктор Дмитрий Евгений Иван Игорь Кирилл Максим Михаил Олег Павел Роман Сергей".split()
RU_SURNAMES = ("Иванов Петров Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов Волков Алексеев Семёнов "
               "Егоров Павлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев "
               "Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Ёлкин "
               "Киселёв Ильин Максимов").split()
ROLES = ["учитель", "шахтёр", "врач", "инженер", "студент"]


def names(given, surnames, count, seed):
    """count names that are all different people (no two with the same words)."""
    rnd, found = random.Random(seed), {}
    while len(found) < count:
        name = f"{rnd.choice(given)} {rnd.choice(surnames)}"
        found.setdefault(identity(name), name)
    listed = list(found.values())
    rnd.shuffle(listed)
    return listed


KK = names(KK_GIVEN, KK_SURNAMES, 60, 1)
RU = names(RU_GIVEN, RU_SURNAMES, 400, 2)
HEADER = ["Отметка времени", "Ваше полное имя (как оно должно быть напечатано)", "Род занятий"]


def table(listed):
    return [HEADER] + [[f"2026-12-0{1 + i % 5} 10:{i % 60:02d}", name, ROLES[i % len(ROLES)] if i % 4 == 0 else ""]
                       for i, name in enumerate(listed)]


def write(path, rows, how):
    """rows written as a spreadsheet program saves them: csv (UTF-8), cp1251, utf-16 (Excel's 'Unicode text'
    with its mark), xlsx (openpyxl), ods (OpenDocument, written as LibreOffice lays it out)."""
    if how in ("csv", "cp1251", "utf-16"):
        text = io.StringIO()
        csv.writer(text, delimiter=";" if how == "cp1251" else ",").writerows(rows)
        path.write_bytes(text.getvalue().encode({"csv": "utf-8", "cp1251": "cp1251", "utf-16": "utf-16"}[how]))
    elif how == "xlsx":
        import openpyxl
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    else:
        cells = "".join("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(c))}</text:p></table:table-cell>'
            for c in row) + "</table:table-row>" for row in rows)
        content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
                   f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{cells}</table:table>'
                   '</office:spreadsheet></office:body></office:document-content>')
        manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                    '<manifest:file-entry manifest:full-path="/" '
                    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                    '</manifest:manifest>')
        with zipfile.ZipFile(path, "w") as book:
            book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
            book.writestr("content.xml", content)
            book.writestr("META-INF/manifest.xml", manifest)


SUFFIX = {"csv": ".csv", "cp1251": ".csv", "utf-16": ".csv", "xlsx": ".xlsx", "ods": ".ods"}


def pamphlet(tmp_path, fixture, listed, how, order="surname", extra=""):
    """A copy of a fixture whose piece takes listed from a spreadsheet written how."""
    texts = tmp_path / "texts"
    shutil.copytree(FIXTURES / fixture, texts)
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    piece = texts / manifest["pieces"][0]
    sheet = f"signatures{SUFFIX[how]}"
    write(texts / sheet, table(listed), how)
    _, head, body = piece.read_text(encoding="utf-8").split("---\n", 2)
    head = re.sub(r"signatories:\n(- .*\n)+", "", head)
    head += (f"signatories_file: {sheet}\nsignatories_columns:\n  name: Ваше полное имя\n  role: C\n"
             f"signatories_order: {order}\nsignatories_as_of: 2026-12-05\n{extra}")
    piece.write_text(f"---\n{head}---\n{body}", encoding="utf-8")
    return texts, manifest, piece


def shown(name, index):
    return f"{name}, {ROLES[index % len(ROLES)]}" if index % 4 == 0 else name


def test_the_collation_is_the_alphabets_not_the_code_points():
    alphabet = yaml.safe_load((ROOT / "layouts" / "locales" / "kk.yml").read_text(encoding="utf-8"))["alphabet"]
    ordered = sorted(["Үміт", "Ұлан", "Ыбыраев", "Іскаков", "Әлия", "Айгүл", "Ғалым", "Бауыржан", "Һашимов", "Яхин"],
                     key=sort_key(alphabet))
    assert ordered == ["Айгүл", "Әлия", "Бауыржан", "Ғалым", "Ұлан", "Үміт", "Һашимов", "Ыбыраев", "Іскаков", "Яхин"]
    assert sorted(ordered) != ordered, "code points put Ә, Ғ, Ұ, Ү, Һ and І after Я"
    russian = yaml.safe_load((ROOT / "layouts" / "locales" / "ru.yml").read_text(encoding="utf-8"))["alphabet"]
    assert sorted(["Ёлкин", "Жуков", "Егоров", "Яковлев"], key=sort_key(russian)) == \
        ["Егоров", "Ёлкин", "Жуков", "Яковлев"]


@pytest.fixture(scope="module")
def kazakh_builds(tmp_path_factory):
    """The Kazakh list of 60 in every format that can hold Kazakh letters (Windows-1251 cannot), each built."""
    built = {}
    for how in ("csv", "utf-16", "xlsx", "ods"):
        every = how == "xlsx"  # built in every edition, to follow the list through all of them
        texts, manifest, piece = pamphlet(tmp_path_factory.mktemp(how), "signed-kk", KK, how)
        result = run_here(*(() if every else ("print", "epub")), "--texts", texts, "--out", texts.parent / "out")
        assert result.returncode == 0, result.stderr
        built[how] = (texts.parent / "out", manifest)
    return built


def _epub_names(out, manifest):
    documents = dict(epub_documents(output(out, "epub", slug=manifest["slug"])))
    doc = documents[manifest["pieces"][0].replace(".md", ".xhtml")]
    return [" ".join("".join(li.itertext()).replace("\u00ad", "").split()) for li in doc.iter("{*}li")
            if "signatory-list" in li.getparent().get("class", "")]


def test_every_format_gives_the_same_list_sorted_by_surname_in_every_edition(kazakh_builds):
    alphabet = yaml.safe_load((ROOT / "layouts" / "locales" / "kk.yml").read_text(encoding="utf-8"))["alphabet"]
    key = sort_key(alphabet)
    expected = [shown(name, index) for index, name in enumerate(KK)]
    expected.sort(key=lambda line: key(" ".join(line.split(",")[0].split()[::-1])))
    lists = {how: _epub_names(out, manifest) for how, (out, manifest) in kazakh_builds.items()}
    assert all(found == expected for found in lists.values()), {how: found[:3] for how, found in lists.items()}
    out, manifest = kazakh_builds["xlsx"]
    text = pdf_body_text(output(out, "print", slug=manifest["slug"]))  # no running heads: a name may run over a page
    squeezed = re.sub(r"[\s\u00ad\ufffe•-]+", "", text)  # the demands' bullets are read after the page's text
    positions = [squeezed.find(re.sub(r"[\s-]+", "", line.split(",")[0])) for line in expected]
    assert -1 not in positions and positions == sorted(positions), "the print edition keeps the same order"
    assert "60 қолтаңба" in " ".join(text.split()) and "2026 жылғы 5 желтоқсан" in " ".join(text.split())


def places(path, names):
    """Where each name's first letter is set in a PDF, as (page index, x, y) in points, or None if it is not. A name
    that a run-on list carries over a page turn is where its first words end the page."""
    pages, found = pdf_pages(path), []
    for name in names:
        place = None
        for index, page in enumerate(pages):
            match = page.get_textpage().search(name).get_next()
            if match:
                left, bottom, _, _ = page.get_textpage().get_charbox(match[0])
                place = (index, round(left), round(bottom))
                break
        words = name.split()
        for index, page in enumerate(pages[:-1] if place is None else []):
            for cut in range(1, len(words)):
                head, tail = " ".join(words[:cut]), " ".join(words[cut:])
                hits, searcher = [], page.get_textpage().search(head)
                while (hit := searcher.get_next()) is not None:
                    hits.append(hit)
                if hits and pages[index + 1].get_textpage().search(tail).get_next():
                    left, bottom, _, _ = page.get_textpage().get_charbox(hits[-1][0])
                    place = place or (index, round(left), round(bottom))
        found.append(place)
    return found


def reading_order(found, setting):
    """The places sorted as a reader reads the list: in columns, down each column then across (columns told apart
    by where their lines start); run on or one a line, line by line, left to right."""
    if setting.startswith("columns"):
        starts = sorted({x for _, x, _ in found})
        edges = [x for x in starts if not any(0 < x - other < 20 for other in starts)]  # a column's left edge
        column = {x: max(edge for edge in edges if edge <= x) for x in starts}
        return sorted(found, key=lambda place: (place[0], column[place[1]], -place[2]))
    heights = sorted({y for _, _, y in found}, reverse=True)
    line, number = {}, 0
    for above, y in zip([heights[0], *heights[:-1]], heights, strict=True):
        number += above - y > 4  # letters of one line sit within a few points of each other (accents, descenders)
        line[y] = number
    return sorted(found, key=lambda place: (place[0], line[place[2]], place[1]))


def test_the_list_is_in_the_same_order_by_position_in_every_pdf(kazakh_builds):
    """Print, screen, booklet and leaflet set the sorted list in the same order, read by where each name is."""
    out, manifest = kazakh_builds["xlsx"]
    key = sort_key(yaml.safe_load((ROOT / "layouts" / "locales" / "kk.yml").read_text(encoding="utf-8"))["alphabet"])
    expected = sorted(KK, key=lambda name: key(" ".join(name.split()[::-1])))
    setting = layout([shown(name, KK.index(name)) for name in expected])
    slug = manifest["slug"]
    print_places = places(output(out, "print", slug=slug), expected)
    assert None not in print_places and reading_order(print_places, setting) == print_places, setting
    for edition, piece in (("screen", None), ("leaflets", manifest["pieces"][0][:-3])):
        path = output(out, edition, piece, slug=slug)
        found = places(path, expected)
        shown_names = [place for place in found if place]
        assert shown_names == found[:len(shown_names)], f"{edition}: the names it shows are the first ones"
        assert len(shown_names) >= min(len(expected), LEAFLET), edition
        assert reading_order(shown_names, setting) == shown_names, edition
    # The booklet: each name on the sheet half that carries its print page, in the same order on it.
    booklet = pdf_pages(output(out, "booklet", slug=slug))
    sides = saddle_stitch_order(len(pdf_pages(output(out, "print", slug=slug))))
    printed = pdf_pages(output(out, "print", slug=slug))
    for name, (page, _, _) in zip(expected, print_places, strict=True):
        side = next(index for index, halves in enumerate(sides) if page + 1 in halves)
        # A name run over a page turn: its first words, which end the page.
        shown_here = next(" ".join(name.split()[:cut]) for cut in range(len(name.split()), 0, -1)
                          if printed[page].get_textpage().search(" ".join(name.split()[:cut])).get_next())
        match = booklet[side].get_textpage().search(shown_here).get_next()
        assert match, f"{name} is not on the booklet's side {side + 1}, which carries print page {page + 1}"
        left, _, _, _ = booklet[side].get_textpage().get_charbox(match[0])
        half = sides[side].index(page + 1)
        assert (left >= booklet[side].get_width() / 2) == bool(half), f"{name} on the wrong half of side {side + 1}"


BAD_ROWS = [
    ("an empty name", lambda rows: rows.insert(5, ["2026-12-01", "", "врач"]), r":6: the name is empty"),
    ("a test row", lambda rows: rows.insert(3, ["2026-12-01", "тест", ""]), r":4: 'тест' looks like a test entry"),
    ("one letter", lambda rows: rows.insert(3, ["2026-12-01", "Ж.", ""]), r":4: 'Ж\.' looks like a test entry"),
    ("capitals", lambda rows: rows.insert(3, ["2026-12-01", "ИВАН СИДОРЕНКО", ""]),
     r":4: 'ИВАН СИДОРЕНКО' is in capitals only: write it as 'Иван Сидоренко'"),
    ("the same name twice", lambda rows: rows.append(["2026-12-05", rows[2][1], ""]),
     rf":{len(RU) + 2}: '.+' is the same name as '.+' in row 3"),
    ("surname first", lambda rows: rows.append(["2026-12-05", " ".join(rows[2][1].split()[::-1]), ""]),
     rf":{len(RU) + 2}: '.+' is the same name as '.+' in row 3"),
    ("Ё for Е and spaces", lambda rows: rows.append(["2026-12-05", "  " + rows[RU.index(next(
        n for n in RU if "ё" in n)) + 1][1].replace("ё", "е").upper().title() + " ", ""]),
     rf":{len(RU) + 2}: '.+' is the same name as '.+' in row \d+"),
    ("a Latin letter", lambda rows: rows.append(["2026-12-05", rows[2][1].replace("о", "o").replace("а", "a"), ""]),
     rf":{len(RU) + 2}: '.+' is the same name as '.+' in row 3"),
]


@pytest.mark.parametrize("case, damage, message", BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_each_bad_row_is_named_at_its_row(tmp_path, case, damage, message):
    texts, manifest, piece = pamphlet(tmp_path, "signed-ru", RU, "cp1251")
    rows = table(RU)
    damage(rows)
    write(texts / "signatures.csv", rows, "cp1251")
    result = run_here("epub", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert re.match(r".*signatures\.csv" + message, first), first
    check = run_here("signatories", "--texts", texts)
    assert check.returncode == 1 and check.stderr.splitlines()[0] == first


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 not really a spreadsheet", r"cannot read the spreadsheet .*: open it and save it again"),
    (b"", r"cannot read the spreadsheet .*: open it and save it again"),
    ([HEADER], r"the spreadsheet has no signatories"),
    ("password", r"the spreadsheet is protected by a password: save a copy without one \(or as CSV\)"),
], ids=["damaged", "empty file", "a header alone", "password-protected"])
def test_an_unreadable_spreadsheet_is_refused_at_its_file(tmp_path, content, message):
    texts, _, _ = pamphlet(tmp_path, "signed-ru", RU, "xlsx")
    if isinstance(content, bytes):
        (texts / "signatures.xlsx").write_bytes(content)
    elif content == "password":  # as Excel saves with File > Info > Protect Workbook > Encrypt with Password
        from msoffcrypto.format.ooxml import OOXMLFile
        plain = tmp_path / "plain.xlsx"
        write(plain, table(RU), "xlsx")
        with plain.open("rb") as source, (texts / "signatures.xlsx").open("wb") as locked:
            OOXMLFile(source).encrypt("secret", locked)
    else:
        write(texts / "signatures.xlsx", content, "xlsx")
    result = run_here("epub", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.match(r".*signatures\.xlsx: " + message, result.stderr.splitlines()[0]), result.stderr


def test_the_moderation_file_leaves_a_row_out_and_the_count_says_so(tmp_path):
    texts, manifest, _ = pamphlet(tmp_path, "signed-ru", RU, "utf-16")
    left_out = RU[7]
    (texts / "signatories-excluded.csv").write_text(f"name,reason\n{left_out},asked to be removed\n",
                                                    encoding="utf-8")
    result = run_here("epub", "print", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    listed = _epub_names(tmp_path / "out", manifest)
    assert len(listed) == len(RU) - 1 and left_out not in [line.split(",")[0] for line in listed]
    text = " ".join("".join(p.get_textpage().get_text_range() for p in
                            pdf_pages(output(tmp_path / "out", "print", slug=manifest["slug"]))).split())
    forms = yaml.safe_load((ROOT / "layouts" / "locales" / "ru.yml").read_text(encoding="utf-8"))["labels"]
    assert f"{count_label(len(RU) - 1, forms['signatures'])} на 5 декабря 2026 г." in text
    check = run_here("signatories", "--texts", texts)
    assert check.returncode == 0, check.stderr
    assert f"{len(RU) - 1} signatories in signatures.csv, 1 left out by the moderation file" in check.stdout


def test_a_character_no_shipped_font_has_is_named_at_its_row(tmp_path):
    texts, _, _ = pamphlet(tmp_path, "signed-ru", RU, "csv")
    rows = table(RU)
    rows.insert(3, ["2026-12-01", "Ли Вэй 王伟", ""])
    write(texts / "signatures.csv", rows, "csv")
    result = run_here("epub", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.match(r".*signatures\.csv:4: U\+738B CJK UNIFIED IDEOGRAPH-738B \('王'\) is not in the font",
                    result.stderr.splitlines()[0]), result.stderr


def test_sorted_by_organisation_then_surname_those_without_one_last(tmp_path):
    texts, manifest, piece = pamphlet(tmp_path, "signed-kk", KK, "csv", order="organisation")
    rows = [["Аты-жөні", "Ұйым"], ["Үміт Үсенов", ""], ["Ерлан Әлиев", "Ұстаздар одағы"], ["Айгүл Қасымов", ""],
            ["Бауыржан Абаев", "Ұстаздар одағы"], ["Ғалым Иманов", "Әділет"], ["Жанар Жұмабаев", "Әділет"]]
    write(texts / "signatures.csv", rows, "csv")
    text = piece.read_text(encoding="utf-8").replace("role: C", "organisation: B").replace("name: Ваше полное имя",
                                                                                           "name: A")
    piece.write_text(text, encoding="utf-8")
    result = run_here("epub", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert _epub_names(tmp_path / "out", manifest) == [
        "Жанар Жұмабаев, Әділет", "Ғалым Иманов, Әділет",                  # Ә after А: the first; Ж before И
        "Бауыржан Абаев, Ұстаздар одағы", "Ерлан Әлиев, Ұстаздар одағы",  # Абаев before Әлиев
        "Айгүл Қасымов", "Үміт Үсенов"]                                    # no organisation: last, Қ before Ү


def test_a_spreadsheet_or_moderation_file_too_large_is_refused_unread(tmp_path):
    texts, _, _ = pamphlet(tmp_path, "signed-ru", RU, "csv")
    for name in ("signatures.csv", "signatories-excluded.csv"):
        with (texts / name).open("r+b" if (texts / name).exists() else "wb") as sheet:
            sheet.truncate(21 * 1024 * 1024)  # sparse: nothing is written
        result = run_here("epub", "--texts", texts, "--out", tmp_path / "out")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert re.match(rf".*{name}: '{name}' is 21 MB, more than the 20 MB", result.stderr.splitlines()[0]), \
            result.stderr
        write(texts / "signatures.csv", table(RU), "csv")


def test_organisations_and_people_in_groups_of_their_own(tmp_path):
    """A row with an organisation and no name is the organisation's signature (an acronym in capitals is no
    shouting); signatories_groups sets the organisations, by their whole names, apart from the people, by surname,
    each group under its heading, in the EPUB and in print."""
    texts, manifest, piece = pamphlet(tmp_path, "signed-ru", RU, "csv", extra="signatories_groups: true\n")
    rows = [["ФИО", "Организация"], ["Олег Яковлев", ""], ["", "Союз учителей"], ["Андрей Борисов", "КПРФ"],
            ["", "КПРФ"], ["Ёлкин Егор", ""], ["", "Авангард"]]
    write(texts / "signatures.csv", rows, "csv")
    text = piece.read_text(encoding="utf-8").replace("role: C", "organisation: B").replace(
        "name: Ваше полное имя", "name: A")
    piece.write_text(text, encoding="utf-8")
    result = run_here("epub", "print", "--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    labels = yaml.safe_load((ROOT / "layouts" / "locales" / "ru.yml").read_text(encoding="utf-8"))["labels"]
    documents = dict(epub_documents(output(tmp_path / "out", "epub", slug=manifest["slug"])))
    section = next(s for s in documents[manifest["pieces"][0].replace(".md", ".xhtml")].iter("{*}section")
                   if "signatories" in s.get("class", "").split())
    found = [(element.get("class"), " ".join("".join(element.itertext()).replace("\u00ad", "").split()))
             for element in section if element.get("class") != "signatories-intro"]
    lists = [[" ".join("".join(li.itertext()).split()) for li in ul.iter("{*}li")] for ul in section.iter("{*}ul")]
    assert [text for kind, text in found if kind == "signatories-group"] == [
        labels["signatories_organisations"], labels["signatories_people"]]
    assert lists == [["Авангард", "КПРФ", "Союз учителей"], ["Андрей Борисов, КПРФ", "Ёлкин Егор", "Олег Яковлев"]]
    text = " ".join("".join(p.get_textpage().get_text_range() for p in
                            pdf_pages(output(tmp_path / "out", "print", slug=manifest["slug"]))).split())
    assert text.index(labels["signatories_organisations"]) < text.index("Авангард") < text.index(
        labels["signatories_people"]) < text.index("Борисов")
    check = run_here("signatories", "--texts", texts)
    assert "6 signatories (3 of them organisations) in signatures.csv" in check.stdout, check.stdout
