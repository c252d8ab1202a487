"""Writes outputs atomically: each to a temporary file beside its target, all renamed once every one is done."""

import os
import tempfile
from pathlib import Path


SUFFIX = ".part"


def remove_stale(out):
    """Remove temporary files a killed build left behind (they are never outputs)."""
    for temp in Path(out).glob(f".*{SUFFIX}"):
        temp.unlink(missing_ok=True)


class Staging:
    """Hands out temporary paths in the output folder; commit() renames them into place, discard() removes them.

    A build that fails or is killed before commit() leaves every earlier output as it was.
    """

    def __init__(self, out):
        self.out = Path(out)
        self.staged = []
        self.committed = []

    def path(self, name):
        """A temporary file beside the target out/name (name may hold folders: an edition's assets)."""
        target = self.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=SUFFIX, dir=target.parent)
        os.close(fd)
        self.staged.append((Path(temp), target))
        return Path(temp)

    def write(self, name, data):
        self.path(name).write_bytes(data)

    def commit(self):
        for temp, target in self.staged:
            os.chmod(temp, 0o644)
            os.replace(temp, target)
            self.committed.append(target)
        self.staged = []

    def discard(self):
        for temp, _ in self.staged:
            temp.unlink(missing_ok=True)
        self.staged = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.discard()
