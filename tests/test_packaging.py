"""The wheel holds the whole app: every module of core/ and graphviz_app/ and every resource file.

An editable install (what the suite runs on) cannot show a package missing from the wheel, so this
test builds the wheel from the source tree and compares the two file lists.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import graphviz_app

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("core", "graphviz_app", "resources")


def source_files() -> set[str]:
    tracked = subprocess.run(
        ["git", "ls-files", *SHIPPED], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:  # not a git checkout (e.g. an sdist): every file under the shipped folders
        tracked = [str(p.relative_to(ROOT)) for top in SHIPPED for p in (ROOT / top).rglob("*") if p.is_file()]
    return {name for name in tracked if "__pycache__" not in name}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        cwd=build,
        capture_output=True,
    )
    (found,) = out.glob("graphviz_app-*.whl")
    return found


def test_the_wheel_holds_every_module_and_resource_of_the_source_tree(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(source_files() - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "graphviz_app/lab/lab_tab.py" in names  # the package a hand-written list once left out


def test_the_wheel_carries_the_one_version_and_a_gui_entry_point(wheel: Path) -> None:
    assert wheel.name.startswith(f"graphviz_app-{graphviz_app.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = (n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        config = configparser.ConfigParser()
        config.read_string(archive.read(entry_points).decode())
    assert config["gui_scripts"]["graphviz-app"] == "graphviz_app.app:main"


def test_the_desktop_file_launches_the_app_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(ROOT / "resources" / "graphviz-app.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "graphviz-app"
    assert (ROOT / "resources" / "icons" / f"{desktop['Icon']}.svg").is_file()
