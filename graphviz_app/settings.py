"""What the app remembers between runs: the theme, the window's geometry, the last tab and the
recently opened or saved session files (File → Open Recent).

One ini file through QSettings: `$GRAPHVIZ_APP_SETTINGS` when it is set (the GUI tests point it at a
temporary file, so a test never reads or changes the user's settings), else the platform's per-user
location. The window writes the theme, geometry and tab when it closes; the recent files are written
when a session is opened or saved. A run that is killed (the screenshot tool) writes nothing.
A damaged or hand-edited file never stops the app: a value of the wrong type is ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ENV = "GRAPHVIZ_APP_SETTINGS"
MAX_RECENT = 8


def store() -> QSettings:
    """The settings file (read and written at once: QSettings syncs on destruction and every few seconds)."""
    path = os.environ.get(ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "graphviz-app", "graphviz-app")


@dataclass(frozen=True)
class Remembered:
    """What the last run left: None where it left nothing (or something unreadable)."""

    dark: bool | None
    tab: str | None
    geometry: QByteArray | None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def remembered() -> Remembered:
    s = store()
    tab = s.value("window/tab")
    geometry = s.value("window/geometry")
    return Remembered(
        dark=_flag(s.value("view/dark")),
        tab=tab if isinstance(tab, str) and tab else None,
        geometry=geometry if isinstance(geometry, QByteArray) and not geometry.isEmpty() else None,
    )


def remember_window(dark: bool, tab: str, geometry: QByteArray | None) -> None:
    """The window is closing: keep its theme, tab and (unless it was full screen) its geometry."""
    s = store()
    s.setValue("view/dark", bool(dark))
    s.setValue("window/tab", tab)
    if geometry is not None:
        s.setValue("window/geometry", geometry)
    s.sync()


def recent_files() -> list[str]:
    """Most recent first; at most MAX_RECENT."""
    value = store().value("recent/files")
    if isinstance(value, str):  # an ini list of one item reads back as a plain string
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item][:MAX_RECENT]


def _write_recent(files: list[str]) -> None:
    s = store()
    s.setValue("recent/files", files[:MAX_RECENT])
    s.sync()


def add_recent(path: str | Path) -> list[str]:
    """Put `path` (made absolute) first in the list and return the list."""
    name = str(Path(path).expanduser().absolute())
    files = [name] + [item for item in recent_files() if item != name]
    _write_recent(files)
    return files[:MAX_RECENT]


def forget_recent(path: str | Path | None = None) -> None:
    """Drop `path` from the list (a file that has gone), or clear the whole list."""
    if path is None:
        _write_recent([])
        return
    name = str(Path(path).expanduser().absolute())
    _write_recent([item for item in recent_files() if item != name])
