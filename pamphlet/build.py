"""Runs a build as a list of named steps: load texts, render, write each edition, check."""

import tempfile
from pathlib import Path

from .epub import write_epub
from .errors import BuildError
from .load import load_pamphlet
from .output import Staging
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
    with Staging(out) as staging:
        if "print" in editions:
            pdf = PdfWriter(LAYOUTS)
            document = pdf.layout(renderer.render("print.html"))
            pdf.write(document, staging.path(f"{pamphlet.slug}-print.pdf"))
        if "epub" in editions:
            write_epub(renderer, staging.path(f"{pamphlet.slug}.epub"))
        written = [target for _, target in staging.staged]
        staging.commit()
    for target in written:
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
