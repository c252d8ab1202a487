"""Build problems that name a file and a line, and the error that carries them to the user."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self):
        where = display_path(self.path)
        if self.line:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.message}"
        if len(text) > LONGEST:  # what was quoted from the file (a whole data: URI, say): its start and the advice
            head, tail = text[:LONGEST * 2 // 3 - 2], text[-(LONGEST - LONGEST * 2 // 3 - 1):]
            if " " in head[-30:]:  # cut between words where a word ends near the cut
                head = head.rsplit(" ", 1)[0]
            if " " in tail[:30]:
                tail = tail.split(" ", 1)[1]
            text = f"{head} … {tail}"
        return text


LONGEST = 300  # characters a message line may have: one a terminal and a reader take in


class BuildError(Exception):
    """One or more problems that stop the build; the command line prints them and exits 1."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Rebuilt from its problems when it crosses from the build's second process.
        return (BuildError, (self.problems,))

    @classmethod
    def single(cls, path, message, line=None):
        return cls([Problem(Path(path), line, message)])

    @classmethod
    def raise_any(cls, problems):
        """Raise one carrying problems, if there are any (a check's list of problems)."""
        if problems:
            raise cls(problems)


def source_at(source, default):
    """(file, line) from a data-source attribute 'file:line' the typesetter wrote, or default without one."""
    path, _, line = source.rpartition(":")
    return (Path(path), int(line)) if path and line.isdigit() else default


def display_path(path):
    """A path relative to the working folder when it lies inside it, so messages stay short."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def report_failure(err, out, stream, waiting=False):
    """Print every problem, then one closing line saying that the outputs were left alone."""
    for problem in err.problems:
        print(problem, file=stream)
    count = len(err.problems)
    then = "; waiting for the next change" if waiting else ""
    print(f"build failed: {count} problem{'s' if count != 1 else ''}; "
          f"the files already in {out} were left as they were{then}", file=stream, flush=True)
