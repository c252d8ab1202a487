"""Property-based: arbitrary front matter and Markdown bodies never crash the build; it either succeeds
or stops with 'file:line: message' problems."""

import contextlib
import datetime
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pamphlet.cli import main

from conftest import TEXTS

# More examples by hand: PAMPHLET_EXAMPLES=500 make test
EXAMPLES = int(os.environ.get("PAMPHLET_EXAMPLES", "25"))
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


def build_once(front, body, editions):
    folder = Path(tempfile.mkdtemp())
    try:
        texts = folder / "texts"
        shutil.copytree(TEXTS, texts)
        piece = texts / "introduction.md"
        piece.write_text("---\n" + (yaml.safe_dump(front, allow_unicode=True) if front else "") + "---\n" + body,
                         encoding="utf-8")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status = main([*editions, "--texts", str(texts), "--out", str(folder / "out"), "--quiet"])
        return status, stderr.getvalue()
    finally:
        shutil.rmtree(folder)


def assert_clear(status, stderr):
    assert status in (0, 1)
    if status == 1:
        lines = stderr.strip().split("\n")
        assert lines and all(PROBLEM.match(line) for line in lines), stderr
        assert lines[-1].startswith("build failed:")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matter)
def test_arbitrary_front_matter(front):
    assert_clear(*build_once(front, "Some text.\n", ["screen"]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_arbitrary_markdown_body(body):
    front = {"kind": "introduction", "title": "Introduction"}
    assert_clear(*build_once(front, body, ["print", "epub"]))
