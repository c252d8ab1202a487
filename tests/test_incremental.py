"""Watch mode lays out again only the parts of the print layout that an edit changes, and every file it writes
is byte for byte what a cold full build of the same sources writes."""

import gc
import io
import queue
import re
import shutil
import subprocess
import sys
import threading

import pikepdf
import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from conftest import ROOT, TEXTS, BuildServer, output_files, print_file, save
from pamphlet.pipeline import build
from pamphlet.engine import pdfx
from pamphlet.pipeline.build import LAYOUTS, Tools, build_date
from pamphlet.errors import BuildError
from pamphlet.sources.load import load_pamphlet
from pamphlet.engine.pdf import boxes
from pamphlet.preflight import mending
from pamphlet.render.templates import Renderer
from pamphlet.scaffold import new_pamphlet

LAID_OUT = re.compile(r"print layout: (\d+) of (\d+) parts laid out again")


def _project(tmp_path):
    """A copy of the builder with its own layouts (so that a test may change them) and a pamphlet made by
    `build.py new` (notes, a table, a figure, a leaflet piece, right-hand openings where they cost no paper):
    every edition of it, built cold at each step, costs half of one of texts/."""
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("pamphlet", "layouts", "fonts"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignore)
    shutil.copy(ROOT / "build.py", project)
    new_pamphlet(project / "texts")
    return project


class Watch:
    """build.py --watch running on the project, its output lines read as they come."""

    def __init__(self, project, out):
        self.process = subprocess.Popen([sys.executable, "-u", str(project / "build.py"), "--watch",
                                         "--texts", str(project / "texts"), "--out", str(out)],
                                        cwd=project, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()
        self.wait(("watching",))

    def wait(self, starts, files=(), timeout=300):
        """Lines up to one starting with one of starts that comes after watch mode has said "changed:" of each of
        files (an edit of two files may be seen as one change or two, each rebuilt)."""
        seen, unseen = [], set(files)
        while not seen or unseen or not seen[-1].startswith(starts):
            try:
                seen.append(self.lines.get(timeout=timeout))
            except queue.Empty:
                raise AssertionError("watch mode did not answer: " + "".join(seen)) from None
            if seen[-1].startswith("changed: "):
                unseen -= set(seen[-1].removeprefix("changed: ").strip().split(", "))
        return seen

    def rebuilt(self, files):
        """(parts laid out again, parts) of the rebuild of the print edition after files changed."""
        lines = self.wait(("rebuilt", "build failed"), files)
        assert not any(line.startswith("build failed") for line in lines), "".join(lines)
        counts = [LAID_OUT.search(line) for line in lines if line.startswith("rebuilt")]
        assert counts[-1], "".join(lines)
        return int(counts[-1][1]), int(counts[-1][2])

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    save(path, text.replace(old, new, 1).encode())


def _outputs(folder):
    return {name: path.read_bytes() for name, path in output_files(folder).items()}


def _cold_build(builds, project, out):
    """A cold build of the project's texts into out by its own process (forked from builds, a BuildServer of the
    project's code: nothing built in it before), started now; the returned function waits for its outputs. It
    sees one core (what the second process and the fork make, it makes itself: ~12% less CPU), so that watch mode,
    in two processes and a fork, is compared with a build in one."""
    started = builds.start("--texts", project / "texts", "--out", out, "--quiet", cwd=project, cores=1)

    def outputs():
        result = started.wait()
        assert result.returncode == 0, result.stderr
        return _outputs(out)
    return outputs


def _piece_pages(folder):
    """The page each piece starts on, by the print PDF's bookmarks."""
    reader = PdfReader(print_file(folder))
    return [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]


PARAGRAPH = ("The strike spread from the oil fields of Zhanaozen to the mines and plants of the whole country, "
             "and with it the demands: lower prices, higher wages, the right to organise. ") * 12
NEW_PIECE = """---
kind: article
title: A new article on the strikes
date: 2022-01-20
authors: [An Author]
---

{paragraph}

## The second part

{paragraph}
"""


def test_watch_mode_writes_what_a_cold_build_writes_after_every_kind_of_edit(tmp_path):
    project = _project(tmp_path)
    texts, watched = project / "texts", tmp_path / "watched"
    manifest = texts / "pamphlet.yml"
    watch, builds = Watch(project, watched), BuildServer(project)
    try:
        steps = []

        def step(name, edit, *files):
            edit()
            cold = _cold_build(builds, project, tmp_path / f"cold-{len(steps)}")  # while watch mode rebuilds
            laid_out, parts = watch.rebuilt(files)
            cold = cold()
            outputs = _outputs(watched)
            assert set(cold) <= set(outputs), name  # (a removed piece's leaflet stays: not this test's matter)
            different = [file for file in cold if outputs[file] != cold[file]]
            assert not different, f"after {name}, watch mode wrote other bytes than a cold build: {different}"
            steps.append((name, laid_out, parts))
            return laid_out, parts

        starts = _piece_pages(watched)
        pieces = len(yaml.safe_load(manifest.read_text(encoding="utf-8"))["pieces"])
        # One word: that piece alone is laid out again, of the front matter, each piece and the back cover.
        assert step("a word", lambda: _edit(texts / "statement.md", "A closing paragraph", "A closing word"),
                    "statement.md") == (1, pieces + 2)
        # A paragraph that makes the introduction longer by pages: it and every part after it move.
        laid_out, parts = step("a paragraph", lambda: _edit(texts / "introduction.md", "\n\n",
                                                             f"\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n\n"),
                               "introduction.md")
        assert _piece_pages(watched)[1:] > starts[1:]  # every piece after it starts later
        assert laid_out >= parts - 1  # the title page, imprint and contents too: its page numbers changed

        def add_piece():
            save(texts / "new-article.md", NEW_PIECE.format(paragraph=PARAGRAPH).encode())
            _edit(manifest, "  - interview.md", "  - new-article.md\n  - interview.md")
        assert step("a new piece", add_piece, "new-article.md", "pamphlet.yml")[1] == pieces + 3
        assert step("a removed piece", lambda: _edit(manifest, "  - interview.md\n", ""),
                    "pamphlet.yml")[1] == pieces + 2
        # A changed layout: every part is laid out again.
        laid_out, parts = step("a changed layout", lambda: _edit(project / "layouts" / "print.css",
                                                                 "padding-top: 14mm", "padding-top: 30mm"),
                               "print.css")
        assert laid_out >= parts

        # What watch mode keeps of each text's Markdown (memo.Memo) goes stale on none of these: a figure and a
        # note added, the note's text alone changed, then the image file alone.
        def add_figure():
            save(texts / "march.png", (FIXTURES / "notes-en" / "march.png").read_bytes())
            piece = texts / "statement.md"
            save(piece, piece.read_bytes() + f"\n\n{FIGURE}\n".encode())
        step("a figure and a note", add_figure, "march.png", "statement.md")
        step("a note's text", lambda: _edit(texts / "statement.md", "kept in the union's", "kept in the lodge's"),
             "statement.md")
        def new_image():
            picture = io.BytesIO()
            Image.new("RGB", (1600, 1000), (200, 40, 40)).save(picture, format="PNG")
            save(texts / "march.png", picture.getvalue())
        step("an image file", new_image, "march.png")
    finally:
        watch.stop()
        builds.stop()
    assert len(steps) == 8, steps


FIGURE = """The march went on.[^march]

![Marchers with the lodge banner](march.png)

[^march]: The photograph is kept in the union's archive."""


FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize("texts", [TEXTS, FIXTURES / "notes-en", FIXTURES / "notes-ru", FIXTURES / "messy"],
                         ids=lambda path: path.name)
def test_the_print_layout_in_parts_is_the_whole_documents(texts, monkeypatch):
    """Laid out piece by piece (notes at the foot of their page, tables, figures, running heads, the contents'
    page numbers), and written keeping each page's drawing, then written again from the drawings kept, the
    print PDF has the bytes of the same HTML laid out as one document and drawn page by page."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pamphlet = load_pamphlet(texts)
    renderer = Renderer(pamphlet, LAYOUTS, build_date(pamphlet))
    tools = Tools(renderer)
    profile = pdfx.color_profile_css(pdfx.profile_path(pamphlet))
    html = renderer.render("print.html")
    whole = tools.pdf.layout(html, extra_css=profile)
    parts = tools.kept.parts.document(tools.pdf, html, [piece["id"] for piece in renderer.pieces],
                                 tools.layout_sources() + profile, extra_css=profile)
    assert tools.kept.parts.count == len(renderer.pieces) + 2

    def write(document, keep):
        return tools.pdf.to_bytes(document, "test.pdf", keep_drawings=keep, pdf_variant="pdf/x-4",
                                  pdf_identifier=b"test", finisher=pdfx.finisher(pamphlet.identifier, "print"))
    assert len(parts.pages) == len(whole.pages)
    drawn = write(whole, keep=False)
    assert write(parts, keep=True) == drawn
    assert tools.pdf.painted.drawn == len(parts.pages)
    assert write(parts.copy(), keep=True) == drawn
    # Only a page with a picture is drawn again (its image is a resource the whole PDF numbers): a figure, or a
    # background image. A page with notes is kept like any other (the rule above them is a border, not an image).
    assert tools.pdf.painted.drawn == sum(1 for page in parts.pages if _has_image(page._page_box))
    with_notes = [page for page in parts.pages if any(isinstance(child, boxes.FootnoteAreaBox) and child.children
                                                      for child in page._page_box.children)]
    assert with_notes or not texts.name.startswith("notes-")
    assert not any(_has_image(page._page_box) for page in with_notes if not _has_picture(page._page_box))


def _has_picture(box):
    return isinstance(box, boxes.ReplacedBox) or any(_has_picture(child) for child in getattr(box, "children", ()))


def test_the_front_matter_is_laid_out_once_after_the_pieces(monkeypatch):
    """A build lays the print edition out twice when the openings' plan changes. The second time the front matter,
    whose contents show page numbers known only once the pieces are laid out, is laid out once, after them (it was
    laid out with the numbers of the first layout, then again). The PDF has the bytes of that layout made from
    nothing."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pamphlet = load_pamphlet(TEXTS)
    renderer = Renderer(pamphlet, LAYOUTS, build_date(pamphlet))
    ids = [piece["id"] for piece in renderer.pieces]
    profile = pdfx.color_profile_css(pdfx.profile_path(pamphlet))

    def layout(tools, openings, settle=True):  # a new build's first layout
        tools.kept.parts.begin()
        return tools.kept.parts.document(tools.pdf, renderer.render("print.html", openings=openings), ids,
                                         tools.layout_sources() + profile, extra_css=profile, settle=settle)

    def write(tools, document):
        return tools.pdf.to_bytes(document, "test.pdf", pdf_variant="pdf/x-4", pdf_identifier=b"test",
                                  finisher=pdfx.finisher(pamphlet.identifier, "print"))
    anywhere, moved = dict.fromkeys(ids, "any"), {**dict.fromkeys(ids, "any"), ids[0]: "right"}
    fresh = Tools(renderer)
    expected = write(fresh, layout(fresh, moved))
    tools = Tools(renderer)
    first = layout(tools, anywhere, settle=False)  # then laid out again in the same build, as print_edition does
    parts = tools.kept.parts
    before = parts.laid_out
    second = parts.document(tools.pdf, renderer.render("print.html", openings=moved), ids,
                            tools.layout_sources() + profile, extra_css=profile)
    starts = [next(index for index, page in enumerate(document.pages) if ids[1] in page.anchors)
              for document in (first, second)]
    assert starts[0] != starts[1]  # the pieces after the first moved
    assert write(tools, second) == expected
    assert parts.laid_out - before == len(ids) + 2  # each part once, the front matter too, not twice


REPAIRED = object()  # what test_a_moved_part_is_not_mended_again's mending says it found


@pytest.mark.parametrize("pages", [2, 1])
def test_a_moved_part_is_not_mended_again(monkeypatch, pages):
    """A build after an edit that makes a piece longer lays out the parts after it again (their page numbers
    changed). Moved by two pages, each is laid out with what its mending found the last time, on a page of the same
    side, instead of being mended anew; moved by one, to the other side, its mending is told what it found there
    (print_edition then makes the same repairs of its lines again, without a search). The PDF has the bytes of the
    same sources laid out and mended from nothing."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pamphlet = load_pamphlet(FIXTURES / "lines-en")
    renderer = Renderer(pamphlet, LAYOUTS, build_date(pamphlet))
    ids = [piece["id"] for piece in renderer.pieces]
    profile = pdfx.color_profile_css(pdfx.profile_path(pamphlet))
    html = renderer.render("print.html", openings=dict.fromkeys(ids, "any"))
    at = html.index(">", html.index(f'id="{ids[0]}"')) + 1  # pages more at the start of the first piece
    longer = html[:at] + '<div style="break-after: page"></div>' * pages + html[at:]
    mended = []

    def mend(lay_out, html, repairs):  # a repair that changes every part's lines, as the real ones change a few
        mended.append(repairs)
        html = mending.with_rules(html, {"p": "letter-spacing: 0.01em"}, "test")
        return lay_out(html), html, REPAIRED

    def build(tools, html):
        tools.kept.parts.begin()
        document = tools.kept.parts.document(tools.pdf, html, ids, tools.layout_sources() + profile,
                                             extra_css=profile, mend=mend)
        return tools.pdf.to_bytes(document, "test.pdf", pdf_variant="pdf/x-4", pdf_identifier=b"test",
                                  finisher=pdfx.finisher(pamphlet.identifier, "print"))
    expected = build(Tools(renderer), longer)
    tools = Tools(renderer)
    build(tools, html)
    mended.clear()
    assert build(tools, longer) == expected
    assert tools.kept.parts.laid_out == len(ids) + 2  # every part moved or changed: each laid out again, once
    # Mended again: the piece made longer and the front matter, whose contents changed; moved by one page, the
    # parts after them too, told what their mending found on the other side.
    assert mended.count(None) == 2 and mended.count(REPAIRED) == (len(ids) if pages == 1 else 0), mended


def _has_image(box):
    background = any(kind != "none" for kind, _ in box.style["background_image"]) if box.style else False
    return isinstance(box, boxes.ReplacedBox) or background or \
        any(_has_image(child) for child in getattr(box, "children", ()))


def test_a_rebuild_checks_again_only_the_pages_an_edit_changed(tmp_path):
    """What the checks found is kept from one build to the next (layout.Findings, as watch mode keeps it): after a
    one-word edit the layout checks look through the pages of the piece laid out again (and the planned blank
    pages, laid out each time), the colour check parses the pages whose content changed or that draw an image.
    A problem an edit brings is found, and still found after an edit elsewhere, on the page kept."""
    texts, out = tmp_path / "texts", tmp_path / "out"
    shutil.copytree(TEXTS, texts)
    memory = build.Kept()  # what watch mode keeps
    parts, findings = memory.parts, memory.findings

    def rebuild():
        build.build(texts, out, ("print",), kept=memory)
        with pikepdf.open(out / "kazakhstan-2022-print.pdf") as written:
            return [(b"".join(part.read_bytes() for part in page.obj.Contents),
                     any(str(op) == "Do" for _, op in pikepdf.parse_content_stream(page))) for page in written.pages]

    before = rebuild()
    assert findings.pages_checked >= len(before) - 3  # the planned blanks are one page
    kept = set(parts.parts)
    _edit(texts / "statement-rsd.md", "for several days", "for many days")
    after = rebuild()
    # The piece alone, twice at most: under right-hand openings, from which the plan is made as a cold build makes
    # it, and where the plan opens it (after the first statement, which opens on a left-hand page).
    assert parts.laid_out <= 2 and len({key for key in parts.parts if key not in kept}) == parts.laid_out
    # (Its two layouts may differ in length: opening on the other side, its spreads are others, balanced otherwise.)
    pages = [len(part.pages) for key, part in parts.parts.items() if key not in kept]
    assert min(pages) <= findings.pages_checked <= max(pages) + 1 < len(after) / 4
    assert memory.lines.pages_read == findings.pages_checked  # the lines measured again on the same pages alone
    changed = {content for content, _ in after} - {content for content, _ in before}
    drawing = [content for content, draws in after if draws]
    assert changed and findings.streams_parsed == len(changed - set(drawing)) + len(drawing)
    # A line that cannot break, in a page with room for it (the statement's last): nothing after it moves.
    _edit(texts / "statement-rsd.md", "We call on the Kazakh left",
          "\u00a0".join(["0123456789"] * 30) + "\n\nWe call on the Kazakh left")
    with pytest.raises(BuildError) as broken:
        rebuild()
    found = [str(problem) for problem in broken.value.problems if "text outside the page's text area" in str(problem)]
    assert found and findings.pages_checked <= 4
    _edit(texts / "introduction.md", "liquified", "liquefied")
    with pytest.raises(BuildError) as still:
        rebuild()
    assert [str(problem) for problem in still.value.problems if "outside the page's text area" in str(problem)] == found


def test_a_build_leaves_nothing_held_from_garbage_collection(scaffold, tmp_path):
    """Objects are kept out of garbage collection while a build's children share them (parallel._share); a
    process that builds again and again (watch mode) collects them again after each build. (The pamphlet is
    `build.py new`'s: its screen PDF is forked and its booklet made in the second process as any one's are.)"""
    built = build.build(scaffold, tmp_path / "out", ("print", "screen", "booklet"))
    assert {"print", "screen", "booklet"} <= set(built)
    assert gc.get_freeze_count() == 0
