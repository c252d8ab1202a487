"""Installable as a tool: the wheel carries the package, its layouts and fonts and the pamphlet command, and
installed in a fresh virtual environment it makes a pamphlet from any folder."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, output

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "pamphlet", "layouts", "fonts")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built offline (no build isolation: the venv's setuptools) from a copy of the checkout."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "--no-index", "-w", str(folder / "wheels"), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    [built] = (folder / "wheels").glob("pamphlet-*.whl")
    return built


def _shipped(folder):
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_carries_the_package_layouts_fonts_and_command(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert {f"pamphlet/data/{name}" for name in _shipped("layouts") | _shipped("fonts")} <= names
    assert {name for name in _shipped("pamphlet") if name.endswith(".py")} <= names
    # Every kind of file a build loads: layouts, locales, colour profiles, fonts.
    for name in ("layouts/print.html", "layouts/locales/kk.yml", "layouts/profiles/FOGRA39.icc",
                 "fonts/CharisSIL-Regular.ttf"):
        assert f"pamphlet/data/{name}" in names, name
    assert "pamphlet = pamphlet.cli:command" in scripts
    assert not [name for name in names if name.startswith(("texts/", "tests/", "layouts/", "fonts/"))]


def test_installed_in_a_fresh_venv_it_builds_a_pamphlet_from_any_folder(wheel, tmp_path):
    """A venv of its own: the wheel installed without its dependencies (these machines are offline), which it
    finds in this test run's environment through a path file; nothing of the checkout is on its path."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                                "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run([str(python), "-c", "import pamphlet.shipped as s; print(s.HOME)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), f"the installed package found its files in {where}"
    command = venv / "bin" / "pamphlet"
    made = subprocess.run([str(command), "new", "leaflet"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert "pamphlet build --texts leaflet" in made.stdout
    built = subprocess.run([str(command), "build", "--texts", "leaflet", "--out", "out"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    for edition in ("print", "booklet", "screen", "epub"):
        assert output(elsewhere / "out", edition, slug="leaflet").stat().st_size > 10_000, edition
    assert output(elsewhere / "out", "leaflets", "statement", slug="leaflet").is_file()
