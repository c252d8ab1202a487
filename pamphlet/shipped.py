"""Where the files the builder ships are: layouts/ and fonts/ beside the package in a checkout, inside it installed."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# A checkout keeps them at its top level, for the designer; a wheel carries copies in the package (setup.py).
_CHECKOUT = PACKAGE.parent
HOME = _CHECKOUT if (_CHECKOUT / "layouts" / "print.html").is_file() else PACKAGE / "data"
LAYOUTS = HOME / "layouts"
FONTS = HOME / "fonts"
PROFILES = LAYOUTS / "profiles"
