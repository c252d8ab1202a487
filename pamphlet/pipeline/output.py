"""Writes outputs atomically: each to a temporary file beside its target, all renamed once every one is done."""

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .. import editions as registry
from ..errors import BuildError, Problem

SUFFIX = ".part"
LOCK = ".pamphlet.lock"


@contextmanager
def build_lock(out, note):
    """Hold the output folder's lock while a build reads its record and writes: a second build into the same
    folder waits for the first (saying so through note). The lock is the kernel's (flock): it ends with the
    process that holds it, so a lock file left by a killed build is never taken for a running one."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = _locked(out / LOCK, note)
    except OSError as err:
        raise BuildError.single(out, f"cannot write to the output folder ({err.strerror}); "
                                     "choose another with --out") from None
    try:
        yield
    finally:
        (out / LOCK).unlink(missing_ok=True)
        handle.close()


def _locked(path, note):
    while True:
        handle = open(path, "a")  # noqa: SIM115 -- held open for the whole build: the lock lives on it
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            note(f"another build is writing to {path.parent}; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        # The build before may have removed the file as it finished: hold the lock of the file that is there.
        if path.exists() and os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
            return handle
        handle.close()


@contextmanager
def staged(out, note):
    """The output folder's lock and one Staging for a whole build (every language of a pamphlet, its bilingual
    edition): committed when the block ends without an error, so that every file staged in it is put in place,
    or none."""
    with build_lock(out, note), Staging(out) as staging:
        remove_stale(out)
        yield staging
        try:
            staging.commit()
        except OSError as err:
            raise BuildError([write_problem(err, out)]) from None


def write_problem(err, out):
    """An OS error while writing (a full disk, a read-only file in the way) as a problem naming the output."""
    path = Path(err.filename or out)
    match = re.fullmatch(rf"\.(.+)\.[^.]+{re.escape(SUFFIX)}", path.name)  # a temporary file: name its target
    target = path.with_name(match.group(1)) if match else path
    return Problem(target, None, f"cannot write the file ({err.strerror}); free some space, or make the folder "
                                 "writable, or choose another with --out")


# The folders editions write into inside the output folder (the web edition's), as glob patterns.
FOLDERS = sorted({pattern.format(slug="*", piece="*").split("/")[0] for edition in registry.EDITIONS
                  for pattern in edition.files + edition.whole_files if "/" in pattern})


def remove_stale(out):
    """Remove temporary files a killed build left behind (they are never outputs), in the output folder and in
    the editions' folders in it."""
    out = Path(out)
    for temp in [*out.glob(f".*{SUFFIX}"), *(t for folder in FOLDERS for t in out.glob(f"{folder}/**/.*{SUFFIX}"))]:
        temp.unlink(missing_ok=True)


class Staging:
    """Hands out temporary paths in the output folder; commit() renames them into place, discard() removes them.

    A build that fails or is killed before commit() leaves every earlier output as it was.
    """

    def __init__(self, out):
        self.out = Path(out)
        self.staged = []
        self.committed = []
        self.made = []  # folders made for staged files: removed again if nothing is committed into them
        self.actions = []  # what follows the commit: the up-to-date records, stale files removed

    def then(self, action):
        """Call action once the staged files are in place (never if they are discarded): a record of what was
        written is true only of files that are there."""
        self.actions.append(action)

    def path(self, name):
        """A temporary file beside the target out/name (name may hold folders: an edition's assets)."""
        target = self.out / name
        self.made += [folder for folder in reversed(target.parents) if folder.is_relative_to(self.out)
                      and folder != self.out and not folder.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=SUFFIX, dir=target.parent)
        os.close(fd)
        self.staged.append((Path(temp), target))
        return Path(temp)

    def write(self, name, data):
        temp = self.path(name)
        try:
            temp.write_bytes(data)
        except OSError as err:  # a full disk names no file: name the one being written
            raise OSError(err.errno, err.strerror, str(temp)) from None

    def commit(self):
        for temp, target in self.staged:
            os.chmod(temp, 0o644)
            os.replace(temp, target)
            self.committed.append(target)
        self.staged = []
        self.made = []
        actions, self.actions = self.actions, []
        for action in actions:
            action()

    def discard(self):
        self.actions = []
        for temp, _ in self.staged:
            temp.unlink(missing_ok=True)
        self.staged = []
        for folder in reversed(self.made):  # a failed build leaves no new folder behind, only the files it found
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        self.made = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.discard()
