"""The wheel carries the layouts and fonts, which stay at the checkout's top level for the designer."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("layouts", "fonts")  # pamphlet.shipped finds them in the package's data/ when installed


class BuildWithShipped(build_py):
    def run(self):
        super().run()
        for folder in SHIPPED:
            target = Path(self.build_lib) / "pamphlet" / "data" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(Path(__file__).parent / folder, target)


setup(cmdclass={"build_py": BuildWithShipped})
