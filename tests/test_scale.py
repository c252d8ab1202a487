"""A pamphlet ten times this one's length builds every edition without error."""

import yaml
from pypdf import PdfReader

from conftest import TEXTS, run_build

COPIES = 10


def make_long_pamphlet(texts, folder):
    """texts/ with every piece repeated COPIES times (leaflets off: each copy is as long as its original)."""
    folder.mkdir()
    manifest = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))
    pieces = []
    for copy in range(1, COPIES + 1):
        for name in manifest["pieces"]:
            _, front, body = (texts / name).read_text(encoding="utf-8").split("---\n", 2)
            data = yaml.safe_load(front)
            data["title"] = f"{copy}. {data['title']}"
            data.pop("leaflet", None)
            target = f"{copy:02d}-{name}"
            (folder / target).write_text("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body,
                                         encoding="utf-8")
            pieces.append(target)
    manifest["pieces"] = pieces
    manifest["slug"] = "long"
    (folder / "pamphlet.yml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return folder


def test_ten_times_longer_builds(tmp_path, print_pdf):
    texts = make_long_pamphlet(TEXTS, tmp_path / "long")
    result = run_build("--texts", texts, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    def text_length(path):
        return sum(len(page.extract_text()) for page in PdfReader(path).pages)

    # The covers and front matter are there once, the pieces ten times.
    assert text_length(tmp_path / "out" / "long-print.pdf") >= 0.85 * COPIES * text_length(print_pdf)
    assert (tmp_path / "out" / "long.epub").stat().st_size > 0
