"""What a new user trips over (issue 12): keys that pan the view, settings kept between runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    state = AppState()
    state.load_example("circuit")
    win = MainWindow(state)
    win.view.set_animation_ms(0)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


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
