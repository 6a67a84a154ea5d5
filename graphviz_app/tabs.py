"""The window's tabs by name: the debugger first, the others built the first time they are shown.

Every tab has a name (the command line, screenshots and sessions use it, never a position);
`LazyTab` stands in for a tab until it is shown, so that the window opens fast.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import graphviz_app
from graphviz_app.debugger.state import AppState

DEBUGGER = "debugger"
# Other tabs, built the first time they are shown so that the window opens fast:
# name, title, module, and the callable that builds the page from the debugger's AppState.
EXTRA_TABS = [
    ("lab", "Optimizer lab", "graphviz_app.lab", "OptimizerLab"),
    ("activations", "Activations", "graphviz_app.activations.tab", "make_tab"),
    ("networks", "Tiny networks", "graphviz_app.networks.tab", "make_tab"),
]
TAB_NAMES = graphviz_app.TAB_NAMES
assert (DEBUGGER, *(name for name, *_ in EXTRA_TABS)) == TAB_NAMES, "graphviz_app.TAB_NAMES is the tab order"


class UnknownTab(ValueError):
    """A tab name that is not one of TAB_NAMES, or a tab this installation does not have."""


class LazyTab(QWidget):
    """A placeholder page that imports and builds `module.factory(state)` when it is first shown.

    Shown by a click, it paints "Loading …" first and builds on the next turn of the event loop;
    `build()` builds at once (for callers that need the page now, like `MainWindow.open_tab`).
    """

    def __init__(self, state: AppState, module: str, factory: str) -> None:
        super().__init__()
        self.state, self.module, self.factory = state, module, factory
        self.page: QWidget | None = None
        self.on_built: Callable[[], object] | None = None  # the window takes the fresh tab's settings as saved
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Loading …")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._loading)

    def ready(self) -> bool:
        """Built, and done with any building it spreads over later turns of the event loop."""
        ready = getattr(self.page, "ready", None)
        return self.page is not None and (ready() if callable(ready) else True)

    def showEvent(self, event: QShowEvent) -> None:
        if self.page is None:
            QTimer.singleShot(0, self.build)
        super().showEvent(event)

    def build(self) -> QWidget:
        if self.page is None:
            try:
                self.page = getattr(importlib.import_module(self.module), self.factory)(self.state)
            except Exception as error:  # a broken tab must not take the window down
                self.page = QLabel(f"This tab could not be loaded: {error}")
                self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._loading.hide()
            self.layout().addWidget(self.page)
            if self.on_built is not None:
                self.on_built()
        return self.page


def import_tab_modules(modules: list[str]) -> None:
    """Import the tab modules (and so pyqtgraph) off the GUI thread; nothing Qt is created by an import."""
    for module in modules:
        with contextlib.suppress(Exception):  # a broken tab says so when it is opened
            importlib.import_module(module)
