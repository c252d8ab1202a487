"""The line-level marks of Pandoc's Markdown, each defined once for all that reads them: the converter's
extensions (pandoc), the checks of a piece (validate, leftovers, markup) and build.py lint's reader (prose)."""

import re

# A code block's fence, ``` or ~~~ (or longer), indented by three spaces at most (four make it code itself).
FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
# A list item's mark, as (indentation, marker, the spaces after it); the item may be empty so far.
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")
# A thematic break (or a setext heading's underline of dashes): three or more of one of - * _, spaced or not.
RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
# The rule line under a pipe table's header, '|:---|---:|': a dash or more a column, as Python-Markdown's tables
# read it (Pandoc's examples use three), at any indentation (a table in a list item).
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# A fenced block's opening or closing line, '::: demands' or ':::', the block's name (if any) as group 1.
DIV_FENCE = re.compile(r"^:::\s*([A-Za-z][\w-]*)?\s*$")
# An ATX heading's mark, '#' to '######' then a space or the line's end.
HEADING = re.compile(r"^\s{0,3}#{1,6}(\s+|$)")
# A heading of marks alone, '##' or '### ###': no words.
EMPTY_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]*#*[ \t]*$")
# A setext heading's underline, of '=' or of '-', which turns the paragraph line above into a heading.
SETEXT = re.compile(r"^ {0,3}(-+|=+)[ \t]*$")
# A note's definition, '[^name]: text', the name (no spaces, as Pandoc has it) as group 1.
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:\s?")
