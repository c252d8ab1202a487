"""What cannot fit on a line of the page, found in the source before layout: a word, or a run of characters in
code, longer than a line holds (the page would show it running off the paper), at its line."""

import re

from ..errors import Problem

# The longest run of characters, without a space or a place to break, that a piece may hold. A line of the
# print edition's text block holds about 60 characters of body text, a heading's line about 35; the longest
# words of English, Russian and Kazakh have under 30 letters (человеконенавистничество, 24). Words joined by
# no-break spaces are measured one by one: the print preflight names a line they push out of the page.
LONGEST_WORD = 32
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
NOT_PRINTED = re.compile(r"\]\([^)]*\)|\[\^[^\]]*\]|\{[^}]*\}|<[^>]*>")
MARKS = re.compile(r"[`*~^]")  # code, emphasis, strikeout, sub- and superscript marks: not printed
# Where a line may break inside a word: after a hyphen or a dash, and in a web address after '/' and '.'.
BREAKS = re.compile(r"[-‐–—/.]+")


def check_long_words(path, body, first_line):
    """A problem for each line holding a word longer than LONGEST_WORD characters."""
    problems = []
    for number, line in enumerate(body.split("\n"), start=first_line):
        printed = NOT_PRINTED.sub(" ", AUTOLINK.sub(r" \1 ", line))
        for word in printed.split():
            part = max(BREAKS.split(MARKS.sub("", word)), key=len)
            if len(part) > LONGEST_WORD:
                shown = part if len(part) <= 40 else f"{part[:30]}…{part[-6:]}"
                problems.append(Problem(path, number, f"a word of {len(part)} characters without a place to break "
                                                      f"(“{shown}”) is longer than a line of the page holds (at "
                                                      f"most {LONGEST_WORD}); break it with spaces or shorten it"))
                break
    return problems
