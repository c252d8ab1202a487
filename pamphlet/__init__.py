"""Builds a pamphlet's print PDF, booklet, leaflets, screen PDF and EPUB from Markdown texts."""

__version__ = "0.1.0"
