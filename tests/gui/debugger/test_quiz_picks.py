"""'Picked gates': a click on a gate of the graph picks it for the quiz (a ? badge, the dock's count),
a second click unpicks it, and the quiz then asks exactly the picked gates' steps."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.quiz import questions
from graphviz_app.debugger.quiz_picks import PickedBadge
from graphviz_app.debugger.state import AppState


def click_gate(qtbot, win, node: int) -> None:
    view = win.view
    point = view.mapFromScene(view.node_item(node).pos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def badges(win) -> set[int]:
    return {int(item.parentItem().node.id) for item in win.view.scene().items() if isinstance(item, PickedBadge)}


def test_clicking_gates_picks_them_and_the_quiz_asks_exactly_those(shown_window, qtbot):
    state = AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})
    win = shown_window(state)
    win.view.fit()
    panel = win.quiz_panel
    panel.mode.setCurrentIndex(panel.mode.findData("picked"))
    assert not panel.start_button.isEnabled()  # nothing picked yet: nothing to ask
    add = next(node.id for node in state.graph.gates if node.op == "add")
    mul = state.graph.output
    click_gate(qtbot, win, add)
    click_gate(qtbot, win, mul)
    assert panel.quiz_state.picked == {add, mul}
    assert badges(win) == {add, mul}
    assert "2 gates picked" in panel.picked.text()
    click_gate(qtbot, win, mul)  # again: unpicked
    assert panel.quiz_state.picked == {add}
    assert badges(win) == {add}
    assert "1 gate picked" in panel.picked.text()
    panel.start()
    asked = panel.quiz.questions
    assert asked and {q.node for q in asked} == {add}
    assert asked == questions(state.trace, panel.quiz.settings)
    assert {q.phase for q in asked} == {"forward", "backward"}


def test_clicks_pick_nothing_in_another_mode_or_on_an_input(shown_window, qtbot):
    state = AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})
    win = shown_window(state)
    win.view.fit()
    panel = win.quiz_panel
    click_gate(qtbot, win, state.graph.output)  # "every step": a click is only a click
    assert panel.quiz_state.picked == frozenset() and not badges(win)
    panel.mode.setCurrentIndex(panel.mode.findData("picked"))
    x = next(node.id for node in state.graph.nodes if node.name == "x" and not node.args)
    click_gate(qtbot, win, x)
    assert panel.quiz_state.picked == frozenset()


def test_picks_are_kept_by_a_session(shown_window, qtbot, tmp_path):
    from core.quiz import QuizSettings
    from graphviz_app import session

    state = AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})
    win = shown_window(state)
    win.view.fit()
    win.quiz_panel.mode.setCurrentIndex(win.quiz_panel.mode.findData("picked"))
    click_gate(qtbot, win, state.graph.output)
    path = tmp_path / "picked.json"
    assert win.save_session_file(path)
    assert QuizSettings.from_dict(session.read_session(path).quiz).picked == {state.graph.output}
