"""The main window's sessions: open, save, Open Recent, and the guard that asks before unsaved work is lost.

A mixin of `MainWindow` (it uses the window's state, pages, quiz panel and messages); what a session
holds is `graphviz_app.session`'s business, each tab's part its state's `to_dict` / `from_dict`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.quiz import QuizSettings
from graphviz_app import session, settings
from graphviz_app.networks.saved import SavedNetworks, networks_of
from graphviz_app.tabs import LazyTab


class SessionFiles:
    """File → Open / Save / Open Recent, and "unsaved changes?" before work is replaced."""

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
