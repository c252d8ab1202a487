"""Lays out the print HTML with WeasyPrint, using the shipped fonts only, and writes the PDF."""

import logging

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


class PdfWriter:
    """Shares one font configuration between the PDF editions of a build."""

    def __init__(self, layouts):
        self.layouts = layouts
        self.fonts = FontConfiguration()

    def layout(self, html):
        """Lay out a whole HTML document whose relative links resolve in layouts/."""
        document = HTML(string=html, base_url=str(self.layouts) + "/")
        return document.render(font_config=self.fonts)

    def write(self, rendered, path, **options):
        rendered.write_pdf(str(path), **options)


def quiet_weasyprint():
    """WeasyPrint logs CSS it ignores at WARNING; the check stage reports what matters instead."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
