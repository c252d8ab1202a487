#!/usr/bin/env python3
"""Entry point: python build.py [EDITION ...] [--texts DIR] [--out DIR]; see README.md."""

import sys

from pamphlet.cli import main

if __name__ == "__main__":
    sys.exit(main())
