"""Runs a build as a list of named steps: load texts, render, write each edition, check."""

import tempfile
from pathlib import Path

from .epub import write_epub
from .errors import BuildError
from .load import load_pamphlet
from .output import atomic_path
from .pdf import PdfWriter
from .render import Renderer

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
FONTS = ROOT / "fonts"
EDITIONS = ("print", "epub")


def build(texts, out, editions=EDITIONS, log=print):
    """Build the named editions of the pamphlet in texts into out; return the paths written."""
    pamphlet = load_pamphlet(texts)
    renderer = Renderer(pamphlet, LAYOUTS)
    out = Path(out)
    _prepare_out(out)
    written = []
    if "print" in editions:
        pdf = PdfWriter(LAYOUTS)
        document = pdf.layout(renderer.render("print.html"))
        target = out / f"{pamphlet.slug}-print.pdf"
        with atomic_path(target) as temp:
            pdf.write(document, temp)
        written.append(target)
        log(f"wrote {target} ({len(document.pages)} pages)")
    if "epub" in editions:
        target = out / f"{pamphlet.slug}.epub"
        with atomic_path(target) as temp:
            write_epub(renderer, temp)
        written.append(target)
        log(f"wrote {target}")
    return written


def _prepare_out(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise BuildError.single(out, f"cannot write to the output folder ({err.strerror}); "
                                     "choose another with --out") from None
