"""Lengths and page sizes, in PDF points: the one place for millimetres, A5, A4 and the bleed."""

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
A4_LANDSCAPE = (297 * MM, 210 * MM)
BLEED = 3 * MM
# The print edition's text block (print.css's @page margins): the largest size a piece's image is printed at.
TEXT_BLOCK = (110 * MM, 178 * MM)
