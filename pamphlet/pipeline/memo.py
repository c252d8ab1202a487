"""Keeps what a build computed from a text alone (its Markdown converted and checked, its glyphs) for the next build."""

import os


class Memo:
    """Results by a key naming everything they are computed from: the text itself, and for a file (an image, a
    font) its stat. Watch mode keeps one from build to build, as it keeps the print layout's parts, so that an
    edit to one piece converts only that piece's Markdown again. A result is kept while one of the last two
    builds used it: memory stays that of two builds, and a build that stopped at a broken edit (its pieces
    checked but never typeset) does not make the next one convert every piece again."""

    def __init__(self):
        self._kept = {}   # what the last two builds used
        self._last = {}   # what the last build used
        self._used = {}   # what this build used
        self.made = []    # (kind, name) of each result this build computed afresh

    def begin(self):
        """A build starts: keep what the last two builds used, forget the rest."""
        self._kept = {**self._last, **self._used}
        self._last, self._used = self._used, {}
        self.made = []

    def get(self, key, make, *args, name=None):
        """The result for key (a tuple whose first item says what kind of result it is), made by make(*args)
        when neither this build nor the last two made it; name says what it was made of, for made."""
        if key in self._used:
            return self._used[key]
        if key in self._kept:
            value = self._kept[key]
        else:
            value = make(*args)
            self.made.append((key[0], name))
        self._used[key] = value
        return value

    def converted(self, kind):
        """The names of what this build made of kind afresh (the texts whose Markdown it converted)."""
        return [name for made, name in self.made if made == kind]


def file_key(path):
    """What says a file changed without reading it: its size, times and inode, or None when it cannot be read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino
