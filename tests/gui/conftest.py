"""GUI tests never block on the modal "Unsaved changes" question: a window closed at a test's end
discards (tests of the question itself replace this answer)."""

import pytest
from PySide6.QtWidgets import QMessageBox

from graphviz_app.main_window import MainWindow


@pytest.fixture(autouse=True)
def discard_unsaved_work(monkeypatch):
    monkeypatch.setattr(MainWindow, "ask_unsaved", lambda self, doing: QMessageBox.StandardButton.Discard)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch, tmp_path):
    """Every test remembers its settings (theme, geometry, recent files) in its own file, never the user's."""
    from graphviz_app import settings

    monkeypatch.setenv(settings.ENV, str(tmp_path / "settings.ini"))


@pytest.fixture
def shown_window(qtbot):
    """Makes the debugger's window on a state, on screen with the keyboard, without the step
    animation (tests check labels, not the travelling dots)."""

    def make(state) -> MainWindow:
        win = MainWindow(state)
        win.view.set_animation_ms(0)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        return win

    return make
