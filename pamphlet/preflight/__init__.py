"""Checks of what was laid out and written, as a print shop would check them."""
