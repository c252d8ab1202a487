"""Lengths and page sizes, in PDF points: the one place for millimetres, A5, A4 and the bleed."""

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
A4_LANDSCAPE = (297 * MM, 210 * MM)
BLEED = 3 * MM
