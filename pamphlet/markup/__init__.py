"""A piece's Markdown: converted to XHTML with its typography and notes, and checked before typesetting."""
