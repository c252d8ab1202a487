"""Where the files the builder ships are: layouts/ and fonts/ beside the package in a checkout, inside it installed."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# A wheel carries copies in the package (setup.py); a checkout keeps them at its top level, for the designer.
HOME = PACKAGE / "data" if (PACKAGE / "data").is_dir() else PACKAGE.parent
LAYOUTS = HOME / "layouts"
FONTS = HOME / "fonts"
PROFILES = LAYOUTS / "profiles"
