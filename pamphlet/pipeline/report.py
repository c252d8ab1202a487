"""Shows a build as it goes and sums it up: a live line on a terminal, plain lines in logs, a table at the end."""

import copy
import zipfile
from pathlib import Path


class Report:
    def __init__(self, quiet=False, live=True):
        self.quiet = quiet
        self._console = None
        self.live = live and not quiet and self.console.is_terminal  # quiet: rich is not imported at all
        self.status = None  # the live line: a spinner and what the build is doing
        self.spinner = None
        self.problems = []  # why the files of the editions of one piece that could not be made were not made
        self.begin(None)

    def begin(self, language):
        """Start the report of one language's build (a pamphlet with translations builds each in turn)."""
        self.rows = []
        self.paper = None  # the print edition's sheets.Paper, for the editions whose pages are counted as "sheets"
        self.lines = {}    # preflight.lines.Lines by file name: what the line measurement found
        self.makeup = None  # {kind: count} of the print edition's page-makeup findings (preflight.makeup)
        self.makeup_fixes = []  # Problems: its page-makeup findings only an editor can fix, at their source
        self.editions_makeup = {}  # the same of each edition laid out on its own (large print), by file name
        self.language = language  # the language being built, when the pamphlet has several

    def held(self):
        """This language's report as it is, to sum up once its files are in place (a build of several languages
        puts them all in place at its end); the problems of its files not made go with it."""
        held = copy.copy(self)
        self.problems = []
        return held

    @property
    def console(self):
        """rich's console, imported when first needed: a build with nothing to show (a no-op with --quiet) starts
        faster without it."""
        if self._console is None:
            from rich.console import Console
            self._console = Console(highlight=False)
            if not self._console.is_terminal:
                self._console.width = 120  # logs have no terminal width; keep file names whole
        return self._console

    def __enter__(self):
        if self.live:
            from rich.live import Live
            from rich.spinner import Spinner
            self.spinner = Spinner("dots", "starting…")
            self.status = Live(self.spinner, console=self.console, transient=True, refresh_per_second=12.5)
            self.status.start()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.stop()

    def step(self, text):
        """What the build is doing now."""
        if self.status is not None:
            self.spinner.update(text=text)
            self.status.refresh()  # shown now, not at the next tick: a step may be short
        elif not self.quiet:
            self.console.print(text, soft_wrap=True)

    def progress(self, subject):
        """How far a long step has got, shown on the live line as 'subject: detail' by the function returned;
        None when there is no live line (logs and pipes), so that they hold each step once."""
        if self.status is None:
            return None
        return lambda detail: self.step(f"{subject}: {detail}")

    def wrote(self, path, edition, seconds):
        """A file written by edition (its declaration: its name, and how its pages are counted)."""
        self.rows.append((Path(path), edition, seconds))

    def not_made(self, path, edition, problems):
        """A file of one piece's edition that could not be made (the others were): a row, and its problems."""
        self.rows.append((Path(path), edition, None))
        self.problems += problems

    def tell_not_made(self, out, stream):
        """Print the problems of the files not made and one closing line; forget them; return how many."""
        count = len(self.problems)
        for problem in self.problems:
            print(problem, file=stream)
        if count:
            print(f"build incomplete: {count} problem{'s' if count != 1 else ''}; the files named 'not made' were "
                  f"not written, and every other file in {out} was built", file=stream, flush=True)
        self.problems = []
        return count

    def removed(self, paths):
        """Say which outputs were removed because no edition makes them any more; return them."""
        for path in paths:
            self.note(f"removed {path}: no edition makes it any more")
        return paths

    def note(self, text):
        if not self.quiet:
            self.console.print(text, soft_wrap=True)  # a line of any length whole: file names are never split

    def summary(self):
        """Edition, file, pages, size and seconds of every output written."""
        if self.quiet or not self.rows:
            return
        from rich.table import Table
        out = min((path.parent for path, _, _ in self.rows), key=lambda folder: len(folder.parts))
        language = f" ({self.language})" if self.language else ""
        table = Table(title=f"Built in {out}{language}", title_justify="left")
        for column, justify in (("edition", "left"), ("file", "left"), ("pages", "right"), ("blank", "right"),
                                ("A4 sheets", "right"), ("size", "right"), ("seconds", "right")):
            table.add_column(column, justify=justify)
        # The files an edition writes into a folder of its own (the web edition's) make one row: the folder.
        folders = {}
        for path, edition, seconds in self.rows:
            if seconds is not None and path.parent != out and path.is_relative_to(out):
                folder = path.relative_to(out).parts[0]
                count, size, longest = folders.get((edition.name, folder), (0, 0, 0.0))
                folders[(edition.name, folder)] = (count + 1, size + path.stat().st_size, max(longest, seconds))
        for (name, folder), (count, size, seconds) in folders.items():
            table.add_row(name, f"{folder}/ ({count} files)", "", "", "", f"{size / 1024:.0f} KB", f"{seconds:.2f}")
        for path, edition, seconds in self.rows:
            if seconds is not None and path.parent != out and path.is_relative_to(out):
                continue
            if seconds is None:
                table.add_row(edition.name, path.name, "not made: see below", "", "", "", "")
                continue
            paper = self.paper if edition.pages == "sheets" else None
            table.add_row(edition.name, path.name, str(paper.pages) if paper else pages_of(path, edition.pages),
                          str(paper.blank) if paper else "", f"{paper.sheets} per copy" if paper else "",
                          f"{path.stat().st_size / 1024:.0f} KB", f"{seconds:.2f}")
        self.console.print(table)
        for name, found in sorted(self.lines.items()):
            self.console.print(found.summary(name))
        saving = self.paper and self.paper.saving()
        if saving:
            self.console.print(saving)
        if self.makeup is not None:
            self.console.print(makeup_line("page makeup: ", self.makeup, " (the proof sheet marks them)"))
        for problem in self.makeup_fixes:
            self.console.print(str(problem), markup=False, soft_wrap=True)  # one line, as lint prints its own
        for name, counts in sorted(self.editions_makeup.items()):
            self.console.print(makeup_line(f"page makeup ({name}): ", counts))


def makeup_line(label, counts, marked=""):
    """The summary's line of {kind: count} of page-makeup findings: those found, or every kind looked for."""
    found = [f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in counts.items() if count]
    kinds = list(counts)
    return label + (", ".join(found) + marked if found else f"no {', '.join(kinds[:-1])} or {kinds[-1]}")


def pages_of(path, how):
    """Counted as the edition declares: "pdf", a PDF's pages (sheet sides for imposed files); "spine", the
    documents of an EPUB's spine; anything else, nothing."""
    if how in ("pdf", "sheets"):
        # pdfium reads the page tree alone: texts/' six PDFs in a hundredth of the 0.1-0.2 s pypdf took to parse
        # every object of each, after the build, in every summary.
        import pypdfium2
        document = pypdfium2.PdfDocument(path)
        try:
            return str(len(document))
        finally:
            document.close()
    if how == "spine":
        with zipfile.ZipFile(path) as book:
            opf = next((n for n in book.namelist() if n.endswith(".opf")), None)
            return f"{book.read(opf).count(b'<itemref')} docs" if opf else ""
    return ""
