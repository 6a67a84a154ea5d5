"""The main window: assembles the debugger (expression bar, graph, player, docks) and the menus.

It does no work itself: every action calls an `AppState` method, a view method (`fit`, `export`)
or a `session` function. Other tabs (optimizer lab, activations, networks) are added with `add_tab`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
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
from graphviz_app import session, theme
from graphviz_app.debugger.expression_bar import ExpressionBar
from graphviz_app.debugger.gate_body import GateMarks
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inputs_panel import InputsPanel
from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.state import AppState
from graphviz_app.widgets.player import Player

SHORTCUTS = [
    ("Space", "play / pause"),
    ("→ / ←", "step forward / back"),
    ("Home", "reset to the start"),
    ("End", "run to the end"),
    ("F", "fit the graph in the view"),
    ("Ctrl + / Ctrl −", "zoom"),
    ("Enter", "build the expression (Ctrl+Enter in the multi-line editor)"),
    ("↑ / ↓", "recall earlier expressions (in the expression line)"),
    ("wheel / drag", "zoom / pan the graph"),
    ("Ctrl+D", "dark / light theme"),
    ("Ctrl+O / Ctrl+S", "open / save a session"),
    ("Ctrl+E", "export the graph as PNG"),
    ("Ctrl+Shift+C", "copy the expression as a PyTorch script"),
    ("F11", "presentation mode: full screen, graph only"),
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
        return self.page


def _import_all(modules: list[str]) -> None:
    """Import the tab modules (and so pyqtgraph) off the GUI thread; nothing Qt is created by an import."""
    for module in modules:
        with contextlib.suppress(Exception):  # a broken tab says so when it is opened
            importlib.import_module(module)


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
        self.player = Player(self.state)
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

        self.quiz_panel = QuizPanel(state)
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
        self.state.sig_show_debugger.connect(lambda: self.tabs.setCurrentWidget(self.graph_tab))
        self._docks_shown = {self.inspector_dock: True, self.inputs_dock: True}
        self._presenting = self._was_maximized = False
        self.tabs.currentChanged.connect(self._tab_changed)
        self.state.sig_theme_changed.connect(self._apply_theme)
        self._saved_work: tuple[str, tuple[tuple[str, float], ...]] | None = None
        self._take_saved_work = True  # on the next graph shown (a session that was opened)
        self.state.sig_error.connect(self._keep_saved_work)
        self._graph_changed()  # takes the first picture of the user's work: nothing is unsaved yet
        self.statusBar().showMessage("Enter builds · → steps · Space plays · F fits", 8000)

    def add_tab(self, widget: QWidget, title: str, name: str | None = None) -> int:
        """Add a page (optimizer lab, activations …) next to the Graph tab, found later by `name`."""
        self.pages[name or title.lower()] = widget
        return self.tabs.addTab(widget, title)

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
        self._action(file, "&Save session…", self.save_session, QKeySequence.StandardKey.Save)
        file.addSeparator()
        self._action(file, "Export &PNG…", lambda: self.export_dialog("png"), "Ctrl+E")
        self._action(file, "Export S&VG…", lambda: self.export_dialog("svg"), "Ctrl+Shift+E")
        self._action(file, "Export P&yTorch script…", self.export_pytorch_dialog)
        self._action(file, "Export &animation (GIF)…", self.export_animation_dialog)
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

        view = bar.addMenu("&View")
        self.act_fit = self._action(view, "&Fit graph", self.view.fit, "F")
        self._action(view, "Zoom &in", lambda: self.view.scale(1.25, 1.25), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "Zoom &out", lambda: self.view.scale(0.8, 0.8), QKeySequence.StandardKey.ZoomOut)
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

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, "&About", self.show_about)

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
        self._tab_changed(self.tabs.currentIndex())  # hides or restores the docks
        if self._presenting:
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif self._was_maximized:
            self.showMaximized()
        else:
            self.showNormal()
        QTimer.singleShot(0, self.view.fit)

    def _tab_changed(self, index: int) -> None:
        # The inspector and inputs belong to the debugger: other tabs get the whole width.
        on_graph = self.tabs.widget(index) is self.graph_tab and not self._presenting
        for dock in self._docks_shown:
            if on_graph:
                dock.setVisible(self._docks_shown[dock])
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

    def _apply_theme(self, dark: bool) -> None:
        app = QApplication.instance()
        if app is not None:
            theme.apply_theme(app, dark)
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
        if loaded.quiz:
            self.quiz_panel.apply_settings(QuizSettings.from_dict(loaded.quiz))
        if loaded.tab in self.pages:  # a session saved on a tab this installation lacks opens the debugger
            self.open_tab(loaded.tab)
        self.statusBar().showMessage(f"opened {path}", 5000)
        return True

    def save_session_file(self, path: str | Path) -> bool:
        try:
            quiz = self.quiz_panel.current_settings().to_dict()
            session.save_session(self.state, path, tab=self.current_tab(), quiz=quiz)
        except session.SessionError as error:
            self.show_message("Cannot save session", str(error), error=True)
            return False
        self._mark_saved()
        self.statusBar().showMessage(f"saved {path}", 5000)
        return True

    def export_file(self, path: str | Path) -> bool:
        try:
            self.view.export(str(path))
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

        try:
            write_pytorch_script(self.state, path)
        except (OSError, ValueError) as error:
            self.show_message("Cannot export", f"cannot export {path}: {error}", error=True)
            return False
        self.statusBar().showMessage(f"exported {path}", 5000)
        return True

    def export_animation_dialog(self) -> None:
        from graphviz_app.export.animation_dialog import ask_and_export

        self.watch_animation_export(ask_and_export(self, self.state))

    def watch_animation_export(self, export) -> None:
        """Status messages of a running animation export (kept alive by its parent, this window)."""
        if export is None:
            return
        export.finished.connect(lambda path: self.statusBar().showMessage(f"exported {path}", 5000))
        export.failed.connect(lambda text: self.show_message("Cannot export", f"cannot export: {text}", error=True))
        self.statusBar().showMessage("exporting the animation…")

    # ---- unsaved work ----

    def _work(self) -> tuple[str, tuple[tuple[str, float], ...]]:
        """What a session keeps of the user's work: the program and its inputs' values."""
        state = self.state
        return state.expression, tuple((name, state.inputs[name]) for name in state.graph.inputs)

    def _mark_saved(self) -> None:
        self._saved_work = self._work()

    def _keep_saved_work(self, message: str, *_: object) -> None:
        """An opened session's program failed to build: what was saved before still is."""
        if message:
            self._take_saved_work = False

    def has_unsaved_changes(self) -> bool:
        """The program or an input changed since the last save or open, or the expression line holds
        text that was never built."""
        saved = self._saved_work is not None and self._work() == self._saved_work
        return not saved or self.expression_bar.has_unbuilt_text()

    def ask_unsaved(self, doing: str) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel (a modal question: the user must answer before the work is lost)."""
        return QMessageBox.question(
            self,
            "Unsaved changes",
            f"The expression or its inputs changed since the session was last saved.\nSave them before {doing}?",
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
