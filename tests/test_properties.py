"""Property-based: arbitrary front matter and Markdown bodies never crash the build; it either succeeds
or stops with 'file:line: message' problems. The pamphlet is `build.py new`'s (an introduction, a statement with
notes, a table, a figure and a leaflet, an interview): an example that builds costs a third of one of texts/,
whose other pieces no example changes."""

import contextlib
import datetime
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from pamphlet.cli import main
from pamphlet.scaffold import new_pamphlet

KEYS = ["kind", "title", "short_title", "subtitle", "date", "authors", "signatories_intro", "signatories",
        "source", "leaflet"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40), st.dates(min_value=datetime.date(1, 1, 1)),
                    st.sampled_from(["introduction", "statement", "interview", "2022-01-07", "true", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                             max_size=3),
                      max_leaves=8)
front_matter = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), values, max_size=8)
markdown_pieces = st.sampled_from(["# ", "## ", "> ", "- ", "1. ", "::: demands\n", "::: postscript\n", ":::\n",
                                   "**", "*", "_", "`", "[link](#x)", "![img](a.png)", "<em>", "</em>",
                                   "<script>", "<p onclick='x'>", "&amp;", "&", "\n", "\n\n", "---", "--",
                                   "\"", "'", "<", ">", "Kazakhstan ", "Қазақстан ", "Казахстан ", "7 January ",
                                   "    code\n", "\t", "\\", "|", "{{ x }}", "{% if %}", "\u00a0", "\ufeff"])
bodies = st.lists(st.one_of(markdown_pieces, st.text(max_size=20)), max_size=30).map("".join)

PROBLEM = re.compile(r"^(\S.*?)(:\d+)?: .+$|^build failed: \d+ problems?; .+$")


@pytest.fixture(scope="module")
def pamphlet(tmp_path_factory):
    """A pamphlet made by `build.py new`, which each example copies."""
    texts = tmp_path_factory.mktemp("properties") / "texts"
    new_pamphlet(texts)
    return texts


def build_once(pamphlet, front, body, editions, raw_front=None):
    """Build the pamphlet with its introduction replaced; front is dumped as YAML, or raw_front written as is.
    With an EPUB among the editions, every XHTML document of a successful build must be well-formed XML."""
    folder = Path(tempfile.mkdtemp())
    try:
        texts = folder / "texts"
        shutil.copytree(pamphlet, texts)
        piece = texts / "introduction.md"
        dumped = yaml.safe_dump(front, allow_unicode=True) if front else ""
        front_text = raw_front if raw_front is not None else dumped
        piece.write_text("---\n" + front_text + "---\n" + body, encoding="utf-8")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status = main([*editions, "--texts", str(texts), "--out", str(folder / "out"), "--quiet"])
        if status == 0 and "epub" in editions:
            with zipfile.ZipFile(next((folder / "out").glob("*.epub"))) as book:
                for name in book.namelist():
                    if name.endswith(".xhtml"):
                        etree.fromstring(book.read(name))  # raises on anything not well-formed
        return status, stderr.getvalue()
    finally:
        shutil.rmtree(folder)


def assert_clear(status, stderr):
    assert status in (0, 1)
    if status == 1:
        lines = stderr.strip().split("\n")
        assert lines and all(PROBLEM.match(line) for line in lines), stderr
        assert lines[-1].startswith("build failed:")


@given(front=front_matter)
def test_arbitrary_front_matter(pamphlet, front):
    assert_clear(*build_once(pamphlet, front, "Some text.\n", ["screen"]))


@given(body=bodies)
@example(body="<![img](a.png)")  # a stray "<" before an image: Python's HTML parser asserted on "<![" (found here)
def test_arbitrary_markdown_body(pamphlet, body):
    front = {"kind": "introduction", "title": "Introduction"}
    assert_clear(*build_once(pamphlet, front, body, ["print", "epub"]))


# Raw HTML as people paste it: tags in any case, with or without the slash, attributes good and bad,
# entities named, numeric and broken, comments, and control characters.
html_pieces = st.sampled_from([
    "<em>", "</em>", "<EM>", "</EM>", "<strong>", "</strong>", "<span class='x'>", "</span>", "<Span CLASS=x>",
    "<br>", "<br/>", "<BR />", "<hr>", "<wbr>", "<img src='a.png'>", "<p>", "</p>", "<div>", "</div>",
    "<script>alert(1)</script>", "<style>p{}</style>", "<iframe>", "<p onclick='x'>", "<a href='javascript:x'>",
    "<a href='https://example.org'>", "</a>", "<span style='font-family: x'>", "<span style='color: red'>",
    "&nbsp;", "&amp;", "&lt;", "&mdash;", "&#8212;", "&#x2014;", "&#0;", "&#7;", "&#x1b;", "&#xD800;",
    "&#1114112;", "&bogus;", "&", "&#", "<!-- a -- b -->", "<!--", "-->", "<![CDATA[x]]>", "<?php x ?>",
    "\x00", "\x0b", "\x1b", "\x85", "\u2028", "\u2029", "\ufeff", "\r", "\r\n",
    "\n", "\n\n", "text ", "Қазақстан ", "`code <em>` ", "    indented\n", "## ", "- ", "-\n",
])
html_bodies = st.lists(html_pieces, min_size=1, max_size=25).map("".join)


@given(body=html_bodies)
def test_arbitrary_raw_html(pamphlet, body):
    front = {"kind": "introduction", "title": "Introduction"}
    assert_clear(*build_once(pamphlet, front, "Some text.\n\n" + body, ["epub"]))


# Front matter written by hand: values YAML reads as dates, tags, aliases, complex keys, markup and entities.
raw_values = st.one_of(st.sampled_from([
    "2026-02-30", "2022-01-07", "2022-01-07 10:00:00", "!important x", "!!python/object:os.system x", "!!str 12",
    "&a x", "*a", "[a, b]", "{a: 1}", "? [a, b]", "'unclosed", "\"a\"", "1917", "true", "null", "~", "",
    "Our pamphlet<style>p{display:none}</style>", "<script>x</script>", "<em>x</em>", "x &nbsp; y", "&#x1b;",
    "&#8212;", "First published --- please share it.", "a: b", "- a", "|", ">", "\u2028", "\x0b", "---",
]), st.text(max_size=15))
raw_front = st.lists(st.tuples(st.sampled_from(KEYS), raw_values), max_size=8).map(
    lambda pairs: "kind: introduction\ntitle: Introduction\n" + "".join(f"{key}: {value}\n" for key, value in pairs))


@given(front=raw_front)
def test_arbitrary_front_matter_text(pamphlet, front):
    assert_clear(*build_once(pamphlet, None, "Some text.\n", ["epub"], raw_front=front))
