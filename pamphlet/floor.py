"""The floor of a cold build with this engine, for the bench: what a build of every edition would cost if each
document were laid out once (no trial of a size or a scale, no mending, no balancing), everything else as it is.

Run as `python -m pamphlet.floor TEXTS OUT RESULT [EDITION ...]`: one cold build of TEXTS (the editions named, else
every one) into OUT in this one process (no second process, no child: os.cpu_count is made 1, so nothing is done
twice), which writes to RESULT (JSON) the CPU seconds of the whole process (the interpreter, the imports, reading,
checking, typesetting, every layout and every file written) and of the fitting: what the steps that fit a document
(the print layout, large print, leaflets, share images: FITTING) spend besides the layouts their files are written
from and the writing (to PDF, to pictures, to sheets), i.e. the layouts no file is written from (trials, mending and
balancing not kept, paragraphs laid out alone, parts laid out for their length) and the checks that chose among
them. The difference is the floor: the layouts the files are written from stand in for first layouts (each is a
first layout with a few lines set otherwise). It is a lower bound: the checks of the documents written, made in
the same steps, are left out with the fitting."""

import importlib
import json
import os
import resource
import sys
import time
import weakref


# (module, function) of each step that fits a document, and of the work inside them that any build does.
FITTING = (("pipeline.build", "lay_out"), ("editions.large_print", "make"), ("editions.leaflets", "make"),
           ("editions.share", "make"))
WRITING = (("editions.share", "_png"), ("editions.impose", "two_copies"))


def measure(texts, out, editions=()):
    """{"cpu": seconds of this process, "imports": of its start and imports, "fitting": of the fitting (above),
    "layouts": how many there were, "kept": how many a file was written from} of a cold build of texts into out."""
    os.cpu_count = lambda: 1  # before the build asks: one process, as parallel._can_fork reads it
    from .cli import main
    from .engine.pdf import PdfWriter
    from .pipeline import build  # noqa: F401 (imported here to be timed: WeasyPrint and most of the rest)
    imports = time.process_time()

    layouts = []                           # [CPU seconds, kept, whether made while fitting] of each layout
    made_by = weakref.WeakKeyDictionary()  # each page still in use: the layout that made it
    fitting = [0, 0.0, 0.0]                # steps fitting now (nested), their CPU seconds, those spent writing

    def timed(function, what):
        def timed_function(*args, **kwargs):
            start = time.process_time()
            fitting[0] += what == "fitting"
            try:
                return function(*args, **kwargs)
            finally:
                fitting[0] -= what == "fitting"
                spent = time.process_time() - start
                if what == "fitting" and not fitting[0]:
                    fitting[1] += spent
                elif what == "writing" and fitting[0]:
                    fitting[2] += spent
        return timed_function

    def timed_layout(self, *args, **kwargs):
        start = time.process_time()
        document = layout(self, *args, **kwargs)
        layouts.append([time.process_time() - start, False, bool(fitting[0])])
        for page in document.pages if document is not None else ():
            made_by[page] = layouts[-1]
        return document

    def marking_to_bytes(self, document, *args, **kwargs):
        for page in document.pages:  # a part's pages, copied into the whole document, are its layout's own
            if page in made_by:
                made_by[page][1] = True
        return writing(self, document, *args, **kwargs)

    layout, to_bytes = PdfWriter.layout, PdfWriter.to_bytes
    writing = timed(to_bytes, "writing")
    replaced = [(importlib.import_module(f"{__package__}.{module}"), name, what)
                for steps, what in ((FITTING, "fitting"), (WRITING, "writing")) for module, name in steps]
    replaced = [(module, name, getattr(module, name), what) for module, name, what in replaced]
    for module, name, function, what in replaced:
        setattr(module, name, timed(function, what))
    PdfWriter.layout, PdfWriter.to_bytes = timed_layout, marking_to_bytes
    try:
        status = main([*editions, "--texts", str(texts), "--out", str(out), "--quiet"])
    finally:
        PdfWriter.layout, PdfWriter.to_bytes = layout, to_bytes
        for module, name, function, _ in replaced:
            setattr(module, name, function)
    if status:
        raise SystemExit(f"the build of {texts} failed ({status})")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    kept = sum(cpu for cpu, was_kept, while_fitting in layouts if was_kept and while_fitting)
    return {"cpu": usage.ru_utime + usage.ru_stime, "imports": imports, "fitting": fitting[1] - fitting[2] - kept,
            "layouts": len(layouts), "kept": sum(1 for _, was_kept, _ in layouts if was_kept)}


if __name__ == "__main__":
    texts, out, result, *editions = sys.argv[1:]
    with open(result, "w", encoding="utf-8") as file:
        json.dump(measure(texts, out, editions), file)
