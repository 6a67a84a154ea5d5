"""The optimizer lab: race SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam on a loss surface.

    lab = OptimizerLab(app_state)          # the tab; lab.lab is its LabState
    render_lab_png("/tmp/lab.png")         # the README picture, headless

All numbers come from `core` (surfaces, grids, trajectories); this package only shows them.
`LabState` is Qt-free: importing it (or this package) loads no Qt; `OptimizerLab` loads the views
when first asked for.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import TYPE_CHECKING, Any

from graphviz_app.lab.lab_state import EXPRESSION, LabState

if TYPE_CHECKING:
    from graphviz_app.lab.lab_tab import OptimizerLab

__all__ = ["EXPRESSION", "LabState", "OptimizerLab", "preload", "render_lab_png"]


def __getattr__(name: str) -> Any:
    if name == "OptimizerLab":
        from graphviz_app.lab.lab_tab import OptimizerLab

        return OptimizerLab
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _import_views() -> None:
    importlib.import_module("graphviz_app.lab.lab_tab")
    importlib.import_module("numpy.random")  # the regression data set's points (25 ms on first use)


def preload() -> threading.Thread:
    """Import the lab's views (and pyqtgraph, ~0.3 s) on a background thread, so that opening the tab
    later does not wait for imports. The window calls it once it is on screen."""
    thread = threading.Thread(target=_import_views, daemon=True)
    thread.start()
    return thread


def render_lab_png(
    path: str,
    surface: str = "rosenbrock",
    size: tuple[int, int] = (1600, 950),
    dark: bool = False,
    step: int | None = None,
) -> str:
    """Render the lab with every optimizer from the surface's default start to a PNG, without a window.

    Creates an offscreen QApplication (with the app's theme) when none exists. `step` cuts the paths
    at that step; by default every step is shown. Returns `path`.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from graphviz_app.debugger.state import AppState
    from graphviz_app.lab.lab_tab import OptimizerLab

    app = QApplication.instance()
    if app is None:
        from graphviz_app.theme import apply_theme

        app = QApplication([])
        apply_theme(app, dark)
    state = AppState()
    state.set_dark(dark)
    widget = OptimizerLab(state)
    widget.lab.set_surface(surface)
    widget.resize(*size)
    widget.show()
    app.processEvents()
    if step is None:
        widget.lab.show_all()
    else:
        widget.lab.set_cursor(step)
    app.processEvents()
    widget.grab().save(path)
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return path
