"""The floor of a cold build with this engine, for the bench: what a build of every edition would cost if each
document were laid out once (no trial of a size or a scale, no mending, no balancing), everything else as it is.

Run as `python -m pamphlet.floor TEXTS OUT RESULT [EDITION ...]`: one cold build of TEXTS (the editions named, else
every one) into OUT in this one process (no second process, no child: os.cpu_count is made 1, so nothing is done
twice), which writes to RESULT (JSON) the CPU seconds of the whole process (the interpreter, the imports, reading,
checking, typesetting, every layout and every file written) and of the WeasyPrint layouts whose pages no file was
written from (trials, mendings and balancings not kept, paragraphs laid out alone, parts laid out for their length).
Their difference is the floor: the layouts the files are written from stand in for the first layouts (each is a
first layout with a few lines set otherwise)."""

import json
import os
import resource
import sys
import time
import weakref


def measure(texts, out, editions=()):
    """{"cpu": seconds of this process, "imports": of its start and imports, "unkept": of the layouts no file was
    written from, "layouts": how many there were, "kept": how many a file was written from} of a cold build of
    texts into out."""
    os.cpu_count = lambda: 1  # before the build asks: one process, as parallel._can_fork reads it
    from .cli import main
    from .engine.pdf import PdfWriter
    from .pipeline import build  # noqa: F401 (imported here to be timed: WeasyPrint and most of the rest)
    imports = time.process_time()

    layouts = []                           # [CPU seconds, kept] of each layout, in order
    made_by = weakref.WeakKeyDictionary()  # each page still in use: the layout that made it
    layout, to_bytes = PdfWriter.layout, PdfWriter.to_bytes

    def timed_layout(self, *args, **kwargs):
        start = time.process_time()
        document = layout(self, *args, **kwargs)
        layouts.append([time.process_time() - start, False])
        for page in document.pages if document is not None else ():
            made_by[page] = layouts[-1]
        return document

    def marking_to_bytes(self, document, *args, **kwargs):
        for page in document.pages:  # a part's pages, copied into the whole document, are its layout's own
            if page in made_by:
                made_by[page][1] = True
        return to_bytes(self, document, *args, **kwargs)

    PdfWriter.layout, PdfWriter.to_bytes = timed_layout, marking_to_bytes
    try:
        status = main([*editions, "--texts", str(texts), "--out", str(out), "--quiet"])
    finally:
        PdfWriter.layout, PdfWriter.to_bytes = layout, to_bytes
    if status:
        raise SystemExit(f"the build of {texts} failed ({status})")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": usage.ru_utime + usage.ru_stime, "imports": imports,
            "unkept": sum(cpu for cpu, kept in layouts if not kept), "layouts": len(layouts),
            "kept": sum(1 for _, kept in layouts if kept)}


if __name__ == "__main__":
    texts, out, result, *editions = sys.argv[1:]
    with open(result, "w", encoding="utf-8") as file:
        json.dump(measure(texts, out, editions), file)
