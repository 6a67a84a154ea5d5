"""The main window: assembles the debugger (expression bar, graph, player, docks) and the menus.

It does no work itself: every action calls an `AppState` method, a view method (`fit`, `export`)
or a `session` function. Other tabs (optimizer lab, activations, networks) are added with `add_tab`.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import core
import graphviz_app
from graphviz_app import settings, theme
from graphviz_app.debugger.expression_bar import ExpressionBar
from graphviz_app.debugger.fold_tool import FoldTool
from graphviz_app.debugger.gate_body import GateMarks
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inputs_panel import InputsPanel
from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.mode_bar import ModeBar
from graphviz_app.debugger.node_clicks import NodeClicks
from graphviz_app.debugger.state import AppState
from graphviz_app.tabs import DEBUGGER, EXTRA_TABS, TAB_NAMES, LazyTab, UnknownTab, import_tab_modules
from graphviz_app.widgets.player import Player
from graphviz_app.window_exports import Exports
from graphviz_app.window_sessions import SessionFiles

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


TEXT_STEP = 1.15  # one Ctrl+= / Ctrl+−
TEXT_SCALES = (0.7, 2.5)  # the text size control's range


class MainWindow(SessionFiles, Exports, QMainWindow):
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
            self.preloading = threading.Thread(target=import_tab_modules, args=(modules,), name="preload", daemon=True)
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
