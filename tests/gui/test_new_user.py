"""What a new user trips over (issue 12): keys that pan the view, settings kept between runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from graphviz_app import app, settings
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow


@pytest.fixture
def window(shown_window):
    state = AppState()
    state.load_example("circuit")
    return shown_window(state)


def _scroll(view) -> tuple[int, int]:
    return view.horizontalScrollBar().value(), view.verticalScrollBar().value()


@pytest.mark.parametrize("end, key", [("end", Qt.Key.Key_Right), ("start", Qt.Key.Key_Left)])
def test_arrow_keys_past_the_ends_of_the_trace_never_pan_the_view(qtbot, window, end, key):
    view = window.view
    view.scale(4, 4)  # zoomed in: the scene is larger than the viewport, so a scroll would show
    view.setFocus()
    if end == "end":
        window.state.run_to_end()
    else:
        window.state.reset()
    assert view.horizontalScrollBar().maximum() > 0
    before = _scroll(view)
    cursor = window.state.cursor
    for k in (key, key, Qt.Key.Key_Up, Qt.Key.Key_Down):
        qtbot.keyClick(view, k)
    assert _scroll(view) == before
    assert window.state.cursor == cursor


def test_saved_and_opened_sessions_are_listed_in_open_recent_and_open_from_it(qtbot, window, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    circuit = window.state.expression
    assert window.save_session_file(first)
    type_expression(qtbot, window, "x * y")
    assert window.save_session_file(second)
    window._fill_recent_menu()  # as when the menu opens
    entries = [a.text() for a in window.recent_menu.actions() if a.text() and a.isEnabled()]
    assert entries[:2] == ["&1  second.json  —  " + str(tmp_path), "&2  first.json  —  " + str(tmp_path)]
    assert settings.recent_files() == [str(second), str(first)]

    next(a for a in window.recent_menu.actions() if "first.json" in a.text()).trigger()
    qtbot.waitUntil(lambda: window.state.expression == circuit)
    assert settings.recent_files()[0] == str(first)  # opening moves it to the top


def test_a_recent_file_that_has_gone_is_said_so_and_dropped(qtbot, window, tmp_path):
    gone = tmp_path / "gone.json"
    assert window.save_session_file(gone)
    gone.unlink()
    before = window.state.expression
    assert not window.open_recent(gone)
    assert window.state.expression == before
    assert str(gone) not in settings.recent_files()
    assert any("no longer exists" in box.text() for box in window._dialogs)


def test_open_recent_asks_about_unsaved_work_first(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    assert window.save_session_file(path)
    type_expression(qtbot, window, "x * y")  # unsaved now
    monkeypatch.setattr(MainWindow, "ask_unsaved", lambda self, doing: QMessageBox.StandardButton.Cancel)
    assert not window.open_recent(path)
    assert window.state.expression == "x * y"


def test_closing_the_window_remembers_theme_tab_and_geometry(qtbot, window):
    window.state.set_dark(True)
    window.resize(760, 500)  # smaller than a new window's (restoreGeometry clamps to the offscreen screen)
    size = window.size()
    window.close()
    last = settings.remembered()
    assert last.dark is True and last.tab == "debugger" and last.geometry is not None
    again = MainWindow(AppState())
    qtbot.addWidget(again)
    assert again.height() != size.height()
    assert again.restoreGeometry(last.geometry)
    assert again.height() == size.height()  # (the width is held up by the widgets' minimum)


def test_full_screen_is_not_remembered_as_the_window_size(qtbot, window):
    window.set_presenting(True)
    window.close()
    assert settings.remembered().geometry is None


def test_a_damaged_settings_file_is_ignored(tmp_path, monkeypatch):
    bad = tmp_path / "bad.ini"
    bad.write_text("[view]\ndark=maybe\n[window]\ngeometry=garbage\ntab=\n[recent]\nfiles=7, , x.json\n")
    monkeypatch.setenv(settings.ENV, str(bad))
    assert settings.remembered() == settings.Remembered(dark=None, tab=None, geometry=None)
    assert settings.recent_files() == ["7", "x.json"]  # strings, the empty one dropped


@pytest.mark.parametrize(
    "argv, dark, tab, expected",
    [
        ([], True, "lab", (True, "lab")),  # nothing on the command line: the last run's theme and tab
        (["--light"], True, "lab", (False, "lab")),
        (["--dark", "--tab", "debugger"], False, "lab", (True, None)),  # flags win
        ([], None, None, (False, None)),  # a first run
        ([], False, "graph", (False, None)),  # the debugger's old name
    ],
)
def test_flags_win_over_what_the_last_run_left(argv, dark, tab, expected):
    assert app.remembered_choice(app.parser().parse_args(argv), dark, tab) == expected


def type_expression(qtbot, win, text):
    line = win.expression_bar.line
    line.clear()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_presentation_mode_shows_only_the_content_and_esc_leaves_it(qtbot, window):
    chrome = (window.menuBar(), window.tabs.tabBar(), window.expression_bar, window.statusBar())
    window.act_present.trigger()  # F11
    assert window.isFullScreen()
    assert not any(widget.isVisible() for widget in chrome)
    assert window.view.isVisible() and window.player.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)  # the player's keys still work without the menus
    assert window.state.cursor == 1
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and not window.act_present.isChecked()
    assert all(widget.isVisible() for widget in chrome)
    assert window.inspector_dock.isVisible()


def test_presentation_mode_works_on_another_tab(qtbot):
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)  # shortcuts answer in the active window
    win.open_tab("activations")
    page = win.tabs.currentWidget()
    win.act_present.trigger()
    assert win.isFullScreen() and not win.tabs.tabBar().isVisible() and page.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Escape)
    assert not win.isFullScreen() and win.tabs.tabBar().isVisible() and win.current_tab() == "activations"


def test_esc_outside_presentation_mode_still_reaches_the_graph_view(qtbot, window):
    assert not window.act_leave_present.isEnabled()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # nothing being built: nothing happens, no full screen
    assert not window.isFullScreen()


@pytest.mark.parametrize("argv", [["--expr", "x*x + x", "--step", "2"], ["--example", "sigmoid_neuron", "--step", "0"]])
def test_an_svg_export_has_no_empty_paths(tmp_path, argv):
    out = tmp_path / "graph.svg"
    assert app.main([*argv, "--export", str(out)]) == 0
    svg = out.read_text()
    assert "<path" in svg and 'd=""' not in svg  # Qt says "Invalid path data" when it renders d=""


@pytest.fixture
def normal_text_after(window):
    yield window
    window.set_text_scale(1.0)  # the application font is shared by every later test


def test_ctrl_equal_and_minus_size_the_text_of_the_widgets_the_inspector_and_the_graph(qtbot, normal_text_after):
    window = normal_text_after
    window.state.step_forward()
    label = window.view._edges[0].value
    before = (QApplication.font().pointSizeF(), window.inspector.font().pointSizeF(), label.scale())
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    larger = (QApplication.font().pointSizeF(), window.inspector.font().pointSizeF(), label.scale())
    assert all(a > b * 1.25 for a, b in zip(larger, before, strict=True))
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    smaller = (QApplication.font().pointSizeF(), window.inspector.font().pointSizeF(), label.scale())
    assert all(b < s < la for b, s, la in zip(before, smaller, larger, strict=True))
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert (QApplication.font().pointSizeF(), window.inspector.font().pointSizeF(), label.scale()) == before


def test_the_text_size_has_bounds(normal_text_after):
    window = normal_text_after
    for _ in range(20):
        window.set_text_scale(window.text_scale * 1.15)
    assert window.text_scale == 2.5
    for _ in range(40):
        window.set_text_scale(window.text_scale / 1.15)
    assert window.text_scale == 0.7


def test_plus_and_minus_zoom_the_graph_but_type_in_text_fields(qtbot, window):
    window.view.setFocus()
    zoom = window.view.transform().m11()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    assert window.view.transform().m11() > zoom
    qtbot.keyClick(window.view, Qt.Key.Key_Minus)
    assert window.view.transform().m11() == pytest.approx(zoom)
    line = window.expression_bar.line
    line.setFocus()
    line.clear()
    qtbot.keyClicks(line, "x-y+1=")
    assert line.text() == "x-y+1="
    assert window.view.transform().m11() == pytest.approx(zoom)


def test_presenting_the_inspector_can_stay_beside_the_graph(qtbot, window):
    window.act_present.trigger()
    assert not window.inspector_dock.isVisible()
    window.act_present_inspector.trigger()  # Ctrl+I
    assert window.inspector_dock.isVisible() and not window.inputs_dock.isVisible()
    assert not window.menuBar().isVisible()
    window.act_present_inspector.trigger()
    assert not window.inspector_dock.isVisible()
    window.act_present_inspector.trigger()
    window.act_present.trigger()  # leaving: both docks as before
    assert window.inspector_dock.isVisible() and window.inputs_dock.isVisible()


def test_a_graph_opened_from_another_tab_takes_the_keyboard(qtbot, window):
    from PySide6.QtWidgets import QLineEdit

    other = QLineEdit("typing here")
    window.add_tab(other, "Other")
    window.tabs.setCurrentWidget(other)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    other.setFocus()
    window.expression_bar.line.setFocus()  # where the focus was left before: End and → moved its text cursor
    window.state.show_in_debugger("a + b", {"a": 1, "b": 2})
    assert window.tabs.currentWidget() is window.graph_tab
    assert QApplication.focusWidget() is window.view
    qtbot.keyClick(window.view, Qt.Key.Key_End)
    assert window.state.cursor == window.state.last_step
