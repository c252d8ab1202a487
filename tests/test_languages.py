"""Nothing is hard-wired to English: a pamphlet in Russian or Kazakh builds, valid, with its own typography."""

import re
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, opf_text, output, pdf_text, run_here

LOCALES = sorted((ROOT / "layouts" / "locales").glob("*.yml"))
TEXT = {
    "ru": ("За демократический и социалистический Казахстан!",
           'Нефтяники Жанаозена начали забастовку 4 января 2022 года -- "за наши права".'),
    "kk": ("Демократиялық және социалистік Қазақстан үшін!",
           'Жаңаөзен мұнайшылары 2022 жылғы 4 қаңтарда ереуілге шықты -- "құқықтарымыз үшін".'),
    # Kazakh in the Latin alphabet gets its own layout words, never kk.yml's Cyrillic ones.
    "kk-Latn": ("Demokratiialyq jäne sotsialistık Qazaqstan üşın!",
                'Jañaözen mūnaişylary 2022 jylğy 4 qañtarda ereuılge şyqty -- "qūqyqtarymyz üşın".'),
}


@pytest.mark.parametrize("path", LOCALES, ids=[p.stem for p in LOCALES])
def test_locale_files_are_complete(path):
    english = yaml.safe_load((ROOT / "layouts" / "locales" / "en.yml").read_text(encoding="utf-8"))
    locale = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(locale) >= set(english) - {"nbsp_after"}
    assert set(locale["labels"]) == set(english["labels"])
    assert len(locale["months"]) == 12 and len(locale["quotes"]) == 4


@pytest.mark.parametrize("language", sorted(TEXT))
def test_pamphlet_in_another_language(tmp_path, language, epubcheck):
    folder = tmp_path / language.lower()
    assert subprocess.run([sys.executable, str(ROOT / "build.py"), "new", str(folder)], cwd=ROOT,
                          capture_output=True).returncode == 0
    title, sentence = TEXT[language]
    manifest = folder / "pamphlet.yml"
    text = re.sub(r"^language: en", f"language: {language}", manifest.read_text(encoding="utf-8"), flags=re.M)
    manifest.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M), encoding="utf-8")
    statement = folder / "statement.md"
    statement.write_text(statement.read_text(encoding="utf-8").replace("The text of the statement.", sentence),
                         encoding="utf-8")
    result = run_here("--texts", folder, "--out", folder / "dist")
    assert result.returncode == 0, result.stderr
    locale = yaml.safe_load((ROOT / "layouts" / "locales" / f"{language}.yml").read_text(encoding="utf-8"))
    pdf = " ".join(pdf_text(output(folder / "dist", "print", slug=language.lower())).split())
    assert title in pdf
    assert locale["labels"]["contents"] in pdf
    opening, closing = locale["quotes"][:2]
    assert re.search(re.escape(opening) + r"[^" + re.escape(closing) + r"]+" + re.escape(closing), pdf)
    date = yaml.safe_load(manifest.read_text(encoding="utf-8"))["date"]
    assert locale["months"][date.month - 1] in pdf  # the date, in the language's own words
    epub = output(folder / "dist", "epub", slug=language.lower())
    valid, messages = epubcheck(epub)
    assert valid and messages == []
    opf = opf_text(epub)
    assert f'xml:lang="{language}"' in opf and f"<dc:language>{language}</dc:language>" in opf
