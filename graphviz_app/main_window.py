"""The main window: assembles the debugger (expression bar, graph, player, docks) and the menus.

It does no work itself: every action calls an `AppState` method, a view method (`fit`, `export`)
or a `session` function. Other tabs (optimizer lab, activations, networks) are added with `add_tab`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import core
import graphviz_app
from core.quiz import QuizSettings
from graphviz_app import session, settings, theme
from graphviz_app.debugger.expression_bar import ExpressionBar
from graphviz_app.debugger.fold_tool import FoldTool
from graphviz_app.debugger.gate_body import GateMarks
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inputs_panel import InputsPanel
from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.mode_bar import ModeBar
from graphviz_app.debugger.node_clicks import NodeClicks
from graphviz_app.debugger.state import AppState
from graphviz_app.networks.saved import SavedNetworks, networks_of
from graphviz_app.widgets.player import Player

SHORTCUTS = [
    ("Space", "play / pause"),
    ("→ / ←", "step forward / back"),
    ("Home", "reset to the start"),
    ("End", "run to the end"),
    ("Ctrl+G", "go to the step where the first nan or ∞ began"),
    ("Ctrl+click / Shift+drag, Ctrl+K", "select gates, fold them into one (double-click unfolds)"),
    ("F", "fit the graph in the view"),
    ("+ / −", "zoom the graph"),
    ("Ctrl+= / Ctrl+− / Ctrl+0", "larger / smaller / normal text (every tab; for presenting)"),
    ("Ctrl+I", "presentation mode: the inspector beside the graph, or not"),
    ("Enter", "build the expression (Ctrl+Enter in the multi-line editor)"),
    ("↑ / ↓", "recall earlier expressions (in the expression line)"),
    ("wheel / drag", "zoom / pan the graph"),
    ("Ctrl+D", "dark / light theme"),
    ("Ctrl+O / Ctrl+S", "open / save a session"),
    ("Ctrl+E", "export the graph as PNG"),
    ("Ctrl+Shift+C", "copy the expression as a PyTorch script"),
    ("F11", "presentation mode: full screen, graph only (Esc leaves it)"),
    ("F1", "this list"),
    ("Ctrl+Q", "quit"),
]


# Every tab has a name (the command line, screenshots and sessions use it, never a position).
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


def _import_all(modules: list[str]) -> None:
    """Import the tab modules (and so pyqtgraph) off the GUI thread; nothing Qt is created by an import."""
    for module in modules:
        with contextlib.suppress(Exception):  # a broken tab says so when it is opened
            importlib.import_module(module)


TEXT_STEP = 1.15  # one Ctrl+= / Ctrl+−
TEXT_SCALES = (0.7, 2.5)  # the text size control's range


class MainWindow(QMainWindow):
    """Tabs in the middle (the first is the debugger); inputs and inspector stacked on the right."""

    def __init__(self, state: AppState | None = None, extra_tabs: bool = False, preload: bool = False) -> None:
        """`preload`: import the other tabs' modules (pyqtgraph: half a second) on a thread right away,
        so that a first click on one of them does not wait for the import."""
        super().__init__()
        self.state = state or AppState()
        screen = QApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen else None
        if available is not None and available.width() > 0:
            # Nearly the whole screen: on a projector every pixel of graph counts.
            self.resize(int(available.width() * 0.96), int(available.height() * 0.94))
        else:
            self.resize(1400, 900)
        self.tabs = QTabWidget(documentMode=True)
        self.setCentralWidget(self.tabs)

        self.expression_bar = ExpressionBar(self.state)
        self.view = GraphView(self.state)
        self.gate_marks = GateMarks(self.state, self.view)  # wrong derivatives in red; double-click opens a gate
        self.fold_tool = FoldTool(self.state, self.view)  # Ctrl+click / Shift+drag, Ctrl+K folds
        self.node_clicks = NodeClicks(self.state, self.view)  # a click on a node shows it in the inspector
        self.fold_tool.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.player = Player(self.state)
        self.mode_bar = ModeBar(self.state)  # reverse | forward mode, beside the step counter
        transport = self.player.transport.layout()
        transport.insertWidget(transport.count() - 1, self.mode_bar)
        debugger = QWidget()
        column = QVBoxLayout(debugger)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.expression_bar)
        column.addWidget(self.view, 1)
        column.addWidget(self.player)
        self.graph_tab = debugger
        self.pages: dict[str, QWidget] = {}  # tab name → the page in self.tabs
        self.add_tab(debugger, "Graph", DEBUGGER)
        if extra_tabs:
            for name, title, module, factory in EXTRA_TABS:
                if importlib.util.find_spec(module) is not None:  # a wheel without the lab still opens
                    self.add_tab(LazyTab(self.state, module, factory), title, name)
        self.preloading: threading.Thread | None = None
        if extra_tabs and preload:
            modules = [module for _, _, module, _ in EXTRA_TABS]
            self.preloading = threading.Thread(target=_import_all, args=(modules,), name="preload", daemon=True)
            self.preloading.start()

        self.inspector = Inspector(self.state)
        self.inputs_panel = InputsPanel(self.state)
        # Both docks share one column on the right, inputs above the inspector: graphs are wide and
        # short, so the canvas gets the full remaining width (on a 1280 px projector that is the
        # difference between readable and tiny numbers).
        self.inputs_dock = self._dock("Inputs", self.inputs_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.inputs_dock, self.inspector_dock, Qt.Orientation.Vertical)
        from graphviz_app.debugger.quiz_panel import QuizPanel
        from graphviz_app.debugger.quiz_picks import QuizPicks

        self.quiz_panel = QuizPanel(self.state)
        self.quiz_picks = QuizPicks(self.quiz_panel.quiz_state, self.view)  # "picked gates": click them
        self.quiz_dock = self._dock("Quiz", self.quiz_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.inspector_dock, self.quiz_dock)
        self.inspector_dock.raise_()
        width, height = self.width(), self.height()
        self.resizeDocks([self.inputs_dock], [max(340, int(width * 0.25))], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.inputs_dock, self.inspector_dock], [int(height * 0.46), int(height * 0.54)], Qt.Orientation.Vertical
        )

        # A step's travelling-dot animation must finish before the next step starts.
        self.player.sig_interval_changed.connect(lambda ms: self.view.set_animation_ms(min(400, int(ms * 0.8))))
        # After Enter, → must step the new graph (as the status bar says), not move the text cursor.
        self.expression_bar.sig_built.connect(lambda: self.view.setFocus(Qt.FocusReason.OtherFocusReason))
        self._build_menus()
        self._dialogs: list[QMessageBox] = []  # non-modal dialogs kept alive until closed
        self.state.sig_graph_changed.connect(self._graph_changed)
        self.state.sig_show_debugger.connect(self._show_debugger)
        self._docks_shown = {self.inspector_dock: True, self.inputs_dock: True}
        self._presenting = self._was_maximized = False
        self.text_scale = 1.0
        self._normal_fonts: tuple[QFont, QFont] | None = None
        self.tabs.currentChanged.connect(self._tab_changed)
        self.state.sig_theme_changed.connect(self._apply_theme)
        self._saved_work: tuple[Any, dict[str, str]] | None = None
        self._take_saved_work = True  # on the next graph shown (a session that was opened)
        self.state.sig_error.connect(self._keep_saved_work)
        self._graph_changed()  # takes the first picture of the user's work: nothing is unsaved yet
        self.statusBar().showMessage("Enter builds · → steps · Space plays · F fits", 8000)

    def add_tab(self, widget: QWidget, title: str, name: str | None = None) -> int:
        """Add a page (optimizer lab, activations …) next to the Graph tab, found later by `name`."""
        self.pages[name or title.lower()] = widget
        if isinstance(widget, LazyTab):
            widget.on_built = lambda: self._tab_built(name or title.lower())
        return self.tabs.addTab(widget, title)

    def _tab_built(self, name: str) -> None:
        """A tab built after the last save shows its defaults: they are not unsaved work."""
        current = self._work()[1]
        if self._saved_work is not None and name in current:
            self._saved_work[1].setdefault(name, current[name])

    def open_tab(self, name: str) -> QWidget:
        """Bring the tab called `name` forward and return its page (built if it was not yet)."""
        if name not in self.pages:
            if name in TAB_NAMES:
                raise UnknownTab(f"the {name} tab is not available in this installation")
            raise UnknownTab(f"unknown tab {name!r}; valid: {', '.join(TAB_NAMES)}")
        page = self.pages[name]
        self.tabs.setCurrentWidget(page)
        return page.build() if isinstance(page, LazyTab) else page

    def tab_page(self, name: str) -> QWidget:
        """The page of tab `name`: the built tab itself (for a lazy tab: once it has been shown)."""
        page = self.pages[name]
        return page.page if isinstance(page, LazyTab) and page.page is not None else page

    def current_tab(self) -> str:
        """The name of the tab in front."""
        widget = self.tabs.currentWidget()
        return next(name for name, page in self.pages.items() if page is widget)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before unsaved work is lost; then stop the tabs' background work (a training run) so
        that the window closes at once."""
        if not self.confirm_discard("quitting"):
            event.ignore()
            return
        for name in self.pages:
            stop = getattr(self.tab_page(name), "stop_work", None)
            if callable(stop):
                stop()
        # Full screen is not a size to come back to: the geometry is kept only from a normal window.
        settings.remember_window(self.state.dark, self.current_tab(), None if self._presenting else self.saveGeometry())
        super().closeEvent(event)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    # ---- menus ----

    def _action(self, menu, text: str, slot, keys: str | QKeySequence | None = None) -> QAction:
        act = QAction(text, self)
        if keys is not None:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)  # window-wide shortcut even when the menu bar is hidden
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open session…", self.open_session, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self._action(file, "&Save session…", self.save_session, QKeySequence.StandardKey.Save)
        file.addSeparator()
        self._action(file, "Export &PNG…", lambda: self.export_dialog("png"), "Ctrl+E")
        self._action(file, "Export S&VG…", lambda: self.export_dialog("svg"), "Ctrl+Shift+E")
        self._action(file, "Export P&yTorch script…", self.export_pytorch_dialog)
        act = self._action(file, "Export &animation (GIF/MP4)…", self.export_animation_dialog)
        act.setToolTip("the debugger's steps, the optimizer race or a network's training: the tab in front")
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")  # StandardKey.Quit is empty without a desktop

        edit = bar.addMenu("&Edit")
        copy = self._action(edit, "Copy as &PyTorch", self.copy_pytorch, "Ctrl+Shift+C")
        copy.setToolTip("the expression as a PyTorch script that prints the same gradients")

        examples = bar.addMenu("&Examples")
        for example in core.examples():
            self._action(examples, example.title, lambda _=False, n=example.name: self.state.load_example(n))

        play = bar.addMenu("&Play")
        for act in (
            self.player.act_play,
            self.player.act_forward,
            self.player.act_back,
            self.player.act_reset,
            self.player.act_end,
        ):
            # A twin that only shows the key: the player's own action keeps the shortcut, so it stays
            # inactive on other tabs (the optimizer lab uses Space/→/Home/End itself).
            key = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            twin = play.addAction(f"{act.text()}\t{key}")
            twin.triggered.connect(act.trigger)
        play.addSeparator()
        self.act_origin = self._action(play, "&Go to where it began", self.go_to_origin, "Ctrl+G")
        self.act_origin.setToolTip("Move the player to the step where the first nan or ∞ began")

        view = bar.addMenu("&View")
        self.act_fit = self._action(view, "&Fit graph", self.view.fit, "F")
        # + / − zoom the graph (like F, a plain key: text fields keep it); Ctrl+= / Ctrl+− size the text.
        zoom_in = self._action(view, "Zoom &in", lambda: self.view.scale(1.25, 1.25), "+")
        zoom_in.setShortcuts([QKeySequence("+"), QKeySequence("=")])
        self._action(view, "Zoom &out", lambda: self.view.scale(0.8, 0.8), "-")
        larger = self._action(view, "&Larger text", lambda: self.set_text_scale(self.text_scale * TEXT_STEP), "Ctrl+=")
        larger.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self._action(view, "&Smaller text", lambda: self.set_text_scale(self.text_scale / TEXT_STEP), "Ctrl+-")
        self._action(view, "&Normal text size", lambda: self.set_text_scale(1.0), "Ctrl+0")
        view.addSeparator()
        self.act_fold = self._action(
            view, "Fold selected gates into &one…", lambda: self.fold_tool.fold_selected(), "Ctrl+K"
        )
        self.act_fold.setToolTip("Ctrl+click gates or Shift+drag a box round them, then fold; double-click to unfold")
        view.addSeparator()
        themes = QActionGroup(self)
        self.act_light = self._action(view, "&Light theme", lambda: self.state.set_dark(False))
        # Ctrl+D toggles, so the same key brings the light theme back (a projector in a bright room).
        self.act_dark = self._action(view, "&Dark theme", lambda: self.state.set_dark(not self.state.dark), "Ctrl+D")
        for act in (self.act_light, self.act_dark):
            act.setCheckable(True)
            themes.addAction(act)
        self.act_light.setChecked(not self.state.dark)
        self.act_dark.setChecked(self.state.dark)
        view.addSeparator()
        view.addAction(self.inputs_dock.toggleViewAction())
        view.addAction(self.inspector_dock.toggleViewAction())
        view.addAction(self.quiz_dock.toggleViewAction())
        self.act_present = self._action(view, "&Presentation mode", self.set_presenting, "F11")
        self.act_present.setCheckable(True)
        # Esc leaves presentation mode (a window shortcut that exists only while presenting, so that
        # Esc still cancels a build or closes a popup otherwise).
        self.act_leave_present = QAction("Leave presentation mode", self)
        self.act_leave_present.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.act_leave_present.setEnabled(False)
        self.act_leave_present.triggered.connect(lambda: self.set_presenting(False))
        self.addAction(self.act_leave_present)
        self.act_present_inspector = self._action(
            view, "&Inspector while presenting", self._present_inspector_toggled, "Ctrl+I"
        )
        self.act_present_inspector.setCheckable(True)
        self.act_present_inspector.setToolTip("In presentation mode, keep the inspector beside the graph")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, "&About", self.show_about)

    def go_to_origin(self) -> None:
        """Ctrl+G: the player moves to the step where the first nan or ∞ began (or says there is none)."""
        if self.state.go_to_origin():
            self.tabs.setCurrentWidget(self.graph_tab)
        else:
            self.statusBar().showMessage("No nan or ∞ here: every value and gradient is finite", 5000)

    # ---- reactions ----

    def _graph_changed(self) -> None:
        if self._take_saved_work:
            self._take_saved_work = False
            self._mark_saved()
        first = self.state.expression.splitlines()[0] if self.state.expression else ""
        more = " …" if "\n" in self.state.expression.strip() else ""
        self.setWindowTitle(f"{first}{more} — graphviz-app")
        QTimer.singleShot(0, self.view.fit)  # after the view has rebuilt and the layout settled

    def set_presenting(self, on: bool) -> None:
        """Full screen with the docks hidden: on a projector the graph's numbers need every pixel."""
        self._presenting = bool(on)
        self.act_present.setChecked(self._presenting)
        self.act_leave_present.setEnabled(self._presenting)
        self._tab_changed(self.tabs.currentIndex())  # hides or restores the docks
        # Only the content on a projector: no menus, tab bar, expression line or status bar (every
        # action keeps its shortcut: they are on the window, not only in the menus).
        for chrome in (self.menuBar(), self.tabs.tabBar(), self.expression_bar, self.statusBar()):
            chrome.setVisible(not self._presenting)
        if self._presenting:
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif self._was_maximized:
            self.showMaximized()
        else:
            self.showNormal()
        QTimer.singleShot(0, self.view.fit)

    def set_text_scale(self, scale: float) -> None:
        """Every widget's text, the inspector's and the graph's numbers `scale` times their normal size
        (within TEXT_SCALES): on a projector the back row must read them, on every tab."""
        self.text_scale = min(TEXT_SCALES[1], max(TEXT_SCALES[0], round(scale, 3)))
        if self._normal_fonts is None:  # the sizes that 100 % means, taken before the first change
            self._normal_fonts = (QApplication.font(), self.inspector.font())
        app_font, inspector_font = (QFont(font) for font in self._normal_fonts)
        app_font.setPointSizeF(app_font.pointSizeF() * self.text_scale)
        inspector_font.setPointSizeF(inspector_font.pointSizeF() * self.text_scale)
        QApplication.setFont(app_font)
        self.inspector.setFont(inspector_font)
        self.view.set_text_scale(self.text_scale)
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.styleSheet():  # the style sheet's sizes beat the app font
            app.setStyleSheet(theme.style_sheet(self.state.dark, self.text_scale))
        self.state.theme.set_text_scale(self.text_scale)  # every view sizing its own texts follows
        self.statusBar().showMessage(f"text size {self.text_scale:.0%}", 3000)

    def _show_debugger(self) -> None:
        """Another tab opened a graph: the Graph tab in front, the keyboard on the graph (→ steps it,
        End runs it, rather than moving a text cursor)."""
        self.tabs.setCurrentWidget(self.graph_tab)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _present_inspector_toggled(self) -> None:
        self._tab_changed(self.tabs.currentIndex())
        QTimer.singleShot(0, self.view.fit)  # the graph's room changed

    def _tab_changed(self, index: int) -> None:
        # The inspector and inputs belong to the debugger: other tabs get the whole width.
        graph = self.tabs.widget(index) is self.graph_tab
        on_graph = graph and not self._presenting
        # Presenting, the inspector may stay beside the graph (View → Inspector while presenting).
        beside = graph and self._presenting and self.act_present_inspector.isChecked()
        for dock in self._docks_shown:
            if on_graph:
                dock.setVisible(self._docks_shown[dock])
            elif beside and dock is self.inspector_dock:
                dock.show()
                self.resizeDocks([dock], [int(self.width() * 0.36)], Qt.Orientation.Horizontal)
            elif dock.isVisible() or not dock.isHidden():
                self._docks_shown[dock] = dock.isVisible()
                dock.hide()
        # The quiz belongs to the debugger; in presentation mode it stays while a quiz runs, in large type.
        quizzing = self.quiz_panel.quiz is not None and not self.quiz_panel.quiz.finished
        on_debugger = self.tabs.widget(index) is self.graph_tab
        self.quiz_panel.set_large(self._presenting)
        if not on_debugger or (self._presenting and not quizzing):
            self.quiz_dock.hide()
        elif self._presenting:
            self.quiz_dock.show()
            self.quiz_dock.raise_()
            width = max(self.quiz_panel.minimumWidth(), int(self.width() * 0.34))  # large type needs room
            self.resizeDocks([self.quiz_dock], [width], Qt.Orientation.Horizontal)

    def _apply_theme(self, dark: bool) -> None:
        app = QApplication.instance()
        if app is not None:
            theme.apply_theme(app, dark, self.text_scale)
        self.view.set_dark(dark)
        self.act_dark.setChecked(dark)
        self.act_light.setChecked(not dark)

    def show_message(self, title: str, text: str, error: bool = False, rich: bool = False) -> QMessageBox:
        """Status bar + a non-modal box (tests never block on it).

        Plain text unless `rich`: messages quote user data (a session's fields, file names), which must
        never be rendered as HTML. Only the app's own help texts are rich.
        """
        if not rich:
            self.statusBar().showMessage(" ".join(text.split()), 15000)
        box = QMessageBox(
            QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _=0, b=box: self._dialog_closed(b))
        self._dialogs.append(box)
        box.show()
        return box

    def _dialog_closed(self, box: QMessageBox) -> None:
        if box in self._dialogs:
            self._dialogs.remove(box)
        if self.tabs.currentWidget() is self.graph_tab:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)  # → and Space step the graph again at once

    def _raise_open(self, title: str) -> QMessageBox | None:
        """The box called `title` if it is open (F1 twice brings it forward rather than opening a second)."""
        for box in self._dialogs:
            if box.windowTitle() == title and box.isVisible():
                box.raise_()
                box.activateWindow()
                return box
        return None

    # ---- file ----

    def open_session_file(self, path: str | Path) -> bool:
        """Read and parse the file on the state's runner (off the GUI thread: a big program takes
        seconds), then show it. False when it failed at once (an InlineRunner); errors found later
        are shown as a message. On any error the debugger keeps what it showed."""
        outcome: list[bool] = []

        def done(loaded: session.Session) -> None:
            outcome.append(self._show_session(loaded, path))

        def failed(error: Exception) -> None:
            if not isinstance(error, session.SessionError):
                raise error
            self.show_message("Cannot open session", str(error), error=True)
            outcome.append(False)

        self.statusBar().showMessage(f"opening {path} …")
        self.state.runner.submit("session", lambda _job: session.read_session(path), done, failed, f"opening {path}")
        return outcome[0] if outcome else True

    def _show_session(self, loaded: session.Session, path: str | Path) -> bool:
        self._take_saved_work = True  # the opened work is the saved one, once its graph is shown
        try:
            session.apply_session(self.state, loaded)
        except session.SessionError as error:
            self._take_saved_work = False
            self.show_message("Cannot open session", str(error), error=True)
            return False
        notes = [*loaded.notes, *self._restore_tabs(loaded)]
        if not self._take_saved_work:  # the graph was shown at once: what is saved includes the tabs
            self._mark_saved()
        if loaded.quiz:
            self.quiz_panel.apply_settings(QuizSettings.from_dict(loaded.quiz))
        if loaded.tab in self.pages:  # a session saved on a tab this installation lacks opens the debugger
            self.open_tab(loaded.tab)
        settings.add_recent(path)
        self.statusBar().showMessage(f"opened {path}", 5000)
        if notes:
            shown = "\n".join(f"• {note}" for note in notes[:12]) + ("\n…" if len(notes) > 12 else "")
            self.show_message("Session opened with defaults", f"Some values in {path} could not be used:\n{shown}")
        return True

    def save_session_file(self, path: str | Path) -> bool:
        try:
            quiz = self.quiz_panel.current_settings().to_dict()
            session.save_session(
                self.state,
                path,
                tab=self.current_tab(),
                networks=self._saved_networks(),
                quiz=quiz,
                tabs={name: state.to_dict() for name, state in self._tab_states().items()},
            )
        except session.SessionError as error:
            self.show_message("Cannot save session", str(error), error=True)
            return False
        self._mark_saved()
        settings.add_recent(path)
        self.statusBar().showMessage(f"saved {path}", 5000)
        return True

    def _saved_networks(self) -> SavedNetworks | None:
        """The tiny-networks tab's data set and own points, if that tab was built."""
        page = self.tab_page("networks") if "networks" in self.pages else None
        state = getattr(page, "state", None)
        return networks_of(state) if hasattr(state, "points") else None

    def _tab_states(self, build: tuple[str, ...] = ()) -> dict[str, Any]:
        """The Qt-free state of every tab with a part in sessions (session.TAB_PARTS) that is built;
        the tabs named in `build` are built first."""
        states = {}
        for name in session.TAB_PARTS:
            page = self.pages.get(name)
            if isinstance(page, LazyTab):
                page = page.build() if name in build else page.page
            state = getattr(page, "lab", None) or getattr(page, "state", None)  # the lab's is .lab
            if callable(getattr(state, "to_dict", None)):
                states[name] = state
        return states

    def _restore_tabs(self, loaded: session.Session) -> list[str]:
        """Put the session's tabs back (built first if need be); the values left out, as messages."""
        parts = dict(loaded.tabs)
        if loaded.networks is not None and "networks" not in parts:
            parts["networks"] = loaded.networks.as_json()  # a version 1 file: the data set and points
        notes: list[str] = []
        for name, state in self._tab_states(build=tuple(parts)).items():
            if name in parts:
                notes += state.from_dict(parts[name])
        return notes

    def export_file(self, path: str | Path) -> bool:
        return self._export(path, lambda: self.view.export(str(path)))

    def _export(self, path: str | Path, write: Callable[[], object]) -> bool:
        """Run `write`; a failure is a message naming `path`, success a line in the status bar."""
        try:
            write()
        except (OSError, ValueError) as error:
            self.show_message("Cannot export", f"cannot export {path}: {error}", error=True)
            return False
        self.statusBar().showMessage(f"exported {path}", 5000)
        return True

    # ---- the same in PyTorch ----

    def copy_pytorch(self) -> None:
        from graphviz_app.export.pytorch_script import pytorch_script

        QApplication.clipboard().setText(pytorch_script(self.state))
        self.statusBar().showMessage("copied the PyTorch script: paste it into a .py file or a notebook", 5000)

    def export_pytorch_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export PyTorch script", "graph.py", "Python (*.py)")
        if path:
            self.export_pytorch_file(path if path.lower().endswith(".py") else f"{path}.py")

    def export_pytorch_file(self, path: str | Path) -> bool:
        from graphviz_app.export.pytorch_script import write_pytorch_script

        return self._export(path, lambda: write_pytorch_script(self.state, path))

    def export_animation_dialog(self) -> None:
        """File → Export animation…: of the tab in front (the debugger's steps, the race, a training)."""
        from graphviz_app.export import animation_dialog as dialog

        tab, page = self.current_tab(), self.tab_page(self.current_tab())
        try:
            if tab == "lab" and hasattr(page, "lab"):
                export = dialog.ask_and_export_race(self, page.lab, self.state.runner)
            elif tab == "networks" and hasattr(page, "state"):
                export = dialog.ask_and_export_training(self, page.state, self.state.runner)
            elif tab == DEBUGGER:
                export = dialog.ask_and_export(self, self.state)
            else:
                self.statusBar().showMessage(
                    "Export animation: on the Graph, Optimizer lab and Tiny networks tabs", 6000
                )
                return
        except ValueError as error:
            self.show_message("Cannot export", f"cannot export: {error}", error=True)
            return
        self.watch_animation_export(export)

    def watch_animation_export(self, export) -> None:
        """Status messages of a running animation export (kept alive by its parent, this window)."""
        if export is None:
            return
        export.finished.connect(lambda path: self.statusBar().showMessage(f"exported {path}", 5000))
        export.failed.connect(lambda text: self.show_message("Cannot export", f"cannot export: {text}", error=True))
        self.statusBar().showMessage("exporting the animation…")

    # ---- unsaved work ----

    def _work(self) -> tuple[Any, dict[str, str]]:
        """What a session keeps of the user's work: the program, its inputs' values and the folds, and
        every built tab's settings (the lab's step aside: like the debugger's, it is not work)."""
        state = self.state
        tabs = {}
        for name, tab in self._tab_states().items():
            part = tab.to_dict()
            part.pop("cursor" if name == "lab" else "weights", None)  # steps, not positions; weights follow steps
            tabs[name] = json.dumps(part, sort_keys=True)
        inputs = tuple((name, state.inputs[name]) for name in state.graph.inputs)
        return (state.expression, inputs, tuple(state.folds)), tabs

    def _mark_saved(self) -> None:
        self._saved_work = self._work()

    def _keep_saved_work(self, message: str, *_: object) -> None:
        """An opened session's program failed to build: what was saved before still is."""
        if message:
            self._take_saved_work = False

    def has_unsaved_changes(self) -> bool:
        """The program or an input changed since the last save or open, or the expression line holds
        text that was never built."""
        if self._saved_work is None:
            return True
        (debugger, tabs), (saved_debugger, saved_tabs) = self._work(), self._saved_work
        changed_tabs = [name for name, part in tabs.items() if saved_tabs.get(name, part) != part]
        return debugger != saved_debugger or bool(changed_tabs) or self.expression_bar.has_unbuilt_text()

    def ask_unsaved(self, doing: str) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel (a modal question: the user must answer before the work is lost)."""
        return QMessageBox.question(
            self,
            "Unsaved changes",
            "Your work (the expression, its inputs or a tab's settings) changed since the session was last "
            f"saved.\nSave it before {doing}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def confirm_discard(self, doing: str) -> bool:
        """True when the work may be replaced: nothing unsaved, saved now, or the user said discard."""
        if not self.has_unsaved_changes():
            return True
        answer = self.ask_unsaved(doing)
        if answer == QMessageBox.StandardButton.Save:
            self.save_session()
            return not self.has_unsaved_changes()
        return answer == QMessageBox.StandardButton.Discard

    def open_session(self) -> None:
        if not self.confirm_discard("opening another session"):
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", "Sessions (*.json);;All files (*)")
        if path:
            self.open_session_file(path)

    def _fill_recent_menu(self) -> None:
        """File → Open Recent: the remembered sessions, most recent first (Alt+1 … Alt+8 in the menu)."""
        menu = self.recent_menu
        menu.clear()
        files = settings.recent_files()
        for number, name in enumerate(files, 1):
            path = Path(name)
            act = menu.addAction(f"&{number}  {path.name}  —  {path.parent}")
            act.setToolTip(name)
            act.triggered.connect(lambda _=False, n=name: self.open_recent(n))
        if files:
            menu.addSeparator()
            menu.addAction("Clear list", lambda: settings.forget_recent())
        else:
            menu.addAction("(no recent sessions)").setEnabled(False)

    def open_recent(self, path: str | Path) -> bool:
        """Open a remembered session (asking first about unsaved work); a file that has gone is said so
        and dropped from the list."""
        if not self.confirm_discard("opening another session"):
            return False
        if not Path(path).is_file():
            settings.forget_recent(path)
            self.show_message("Cannot open session", f"{path} no longer exists; it was removed from Open Recent.")
            return False
        return self.open_session_file(path)

    def save_session(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", "session.json", "Sessions (*.json)")
        if path:
            self.save_session_file(path)

    def export_dialog(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {kind.upper()}", f"graph.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.export_file(path if path.lower().endswith(f".{kind}") else f"{path}.{kind}")

    # ---- help ----

    def show_shortcuts(self) -> None:
        if self._raise_open("Keyboard shortcuts") is None:
            rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS)
            self.show_message("Keyboard shortcuts", f"<table>{rows}</table>", rich=True)

    def show_about(self) -> QMessageBox:
        return self._raise_open("About graphviz-app") or self.show_message(
            "About graphviz-app",
            f"<h2>graphviz-app {graphviz_app.__version__}</h2>"
            "<p>Type an expression, see its computational graph, and step through the forward and "
            "backward pass node by node.</p><p>Optimizer lab, activations and tiny networks: "
            "every number comes from the same engine.</p>",
            rich=True,
        )
