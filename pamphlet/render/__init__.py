"""The Jinja2 layouts, rendered into HTML for print and XHTML for the EPUB."""
