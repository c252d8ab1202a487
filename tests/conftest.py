"""Shared fixtures: one real build of the pamphlet per test session, and a runner for the command line."""

import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "texts"
MM = 72 / 25.4


def run_build(*args, cwd=ROOT):
    """Run build.py as a user would, in a fresh process."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def manifest():
    return yaml.safe_load((TEXTS / "pamphlet.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dist(tmp_path_factory, manifest):
    """Every edition of the pamphlet in texts/, built once by the command line."""
    out = tmp_path_factory.mktemp("dist")
    result = run_build("--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def print_pdf(dist, manifest):
    return dist / f"{manifest['slug']}-print.pdf"


@pytest.fixture(scope="session")
def epub_path(dist, manifest):
    return dist / f"{manifest['slug']}.epub"


@pytest.fixture
def texts_copy(tmp_path):
    """A copy of texts/ that a test may break."""
    copy = tmp_path / "texts"
    shutil.copytree(TEXTS, copy)
    return copy


def normalise(text):
    """Compare text as a reader sees it: quotes unified; dashes, hyphenation and whitespace ignored."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[“”„«»\"]", '"', text)
    text = re.sub(r"[‘’‚']", "'", text)
    text = re.sub(r"[\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\-]", "", text)
    return re.sub(r"\s+", "", text)


def pdf_body_text(path, page=None, top_mm=17, bottom_mm=19):
    """The text of a PDF's pages (or one page) without running heads and folios, which lie in the margins."""
    chunks = []
    pages = PdfReader(path).pages
    for page in pages if page is None else [pages[page]]:
        box = page.trimbox
        low, high = float(box.bottom) + bottom_mm * MM, float(box.top) - top_mm * MM

        def visit(text, cm, tm, font, size):
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            if low < y < high:
                chunks.append(text)

        page.extract_text(visitor_text=visit)
        chunks.append("\n")
    return "".join(chunks)


def epub_documents(path):
    """The XHTML documents of an EPUB in spine order, parsed."""
    with zipfile.ZipFile(path) as book:
        opf_name = etree.fromstring(book.read("META-INF/container.xml")).find(
            ".//{*}rootfile").get("full-path")
        opf = etree.fromstring(book.read(opf_name))
        base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        hrefs = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        return [(hrefs[ref.get("idref")], etree.fromstring(book.read(base + hrefs[ref.get("idref")])))
                for ref in opf.iter("{*}itemref")]


def epub_text(path):
    return "\n".join("".join(doc.find("{*}body").itertext()) for _, doc in epub_documents(path))
