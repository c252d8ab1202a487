"""Draws the pamphlet's web address as a QR code: a vector SVG image for the layouts, in the edition's ink."""

import base64
import io

import segno
from markupsafe import Markup, escape

QUIET_ZONE = 4         # modules of light margin on every side, as ISO/IEC 18004 asks
MIN_WIDTH_MM = 22      # with the quiet zone: at least 20 mm, so that a phone reads it at arm's length
MODULE_MM = 0.5        # and no module smaller than this, for long addresses
# The longest address (in UTF-8 bytes) a code of version 10 holds at level M: 57 modules, 32.5 mm wide with its
# quiet zone, still a small square a phone reads from the page; the manifest refuses a longer one.
LONGEST_URL = 213
# Black ink alone on paper white; on a coloured page the light square knocks the colour out.
INKS = {"cmyk": ("device-cmyk(0 0 0 1)", "device-cmyk(0 0 0 0)"), "rgb": ("#000", "#fff")}


def qr_image(url, ink="rgb"):
    """An <img> of the QR code for url, with its quiet zone, drawn as paths (segno) in ink: 'cmyk' for print."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", dark="#000", light="#fff", border=QUIET_ZONE, xmldecl=False, svgclass=None,
              lineclass=None, omitsize=True)
    # segno accepts only colours it knows; WeasyPrint reads device-cmyk() in SVG as in CSS.
    dark, light = INKS[ink]
    # The dark modules are stroked lines: fill none, or WeasyPrint sets its default fill, black in RGB.
    svg = buffer.getvalue().decode().replace('stroke="#000"', f'fill="none" stroke="{dark}"')
    svg = svg.replace('fill="#fff"', f'fill="{light}"')
    width = max(MIN_WIDTH_MM, code.symbol_size(border=QUIET_ZONE)[0] * MODULE_MM)
    data = base64.b64encode(svg.encode()).decode()
    return Markup(f'<img class="qr" src="data:image/svg+xml;base64,{data}" style="width: {width:g}mm" '
                  f'alt="QR code: {escape(url)}">')
