"""Forward mode on screen: the mode switch and its seed, tangents on the edges in their own colour,
the inspector's tangent rule with numbers, and the line that counts each mode's passes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

import core
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.mode_bar import ModeBar
from graphviz_app.debugger.state import AppState
from graphviz_app.debugger.tangents import TANGENT_DARK, TANGENT_LIGHT, dotted
from graphviz_app.main_window import MainWindow
from graphviz_app.numbers import edge as format_number

CIRCUIT = ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})


def test_forward_mode_plays_one_tangent_step_per_gate_and_ends_on_the_derivative():
    state = AppState(*CIRCUIT)
    state.set_mode("forward", "z")
    assert state.mode == "forward" and state.seed == "z" and state.trace.mode == "forward"
    assert state.step_count == len(state.graph.gates)  # no backward pass
    state.run_to_end()
    grad = core.parse(CIRCUIT[0]).evaluate(CIRCUIT[1]).grad
    assert state.state().tangents[state.graph.output] == pytest.approx(grad["z"])  # = 3
    state.set_input("x", 1.0)  # still forward mode after an edit, with the new numbers
    assert state.trace.mode == "forward" and state.state().tangents[state.graph.output] == pytest.approx(6.0)
    state.set_mode("reverse")
    assert state.trace.mode == "reverse" and state.step_count == 2 * len(state.graph.gates)
    with pytest.raises(ValueError, match="no input 'w'"):
        state.set_mode("forward", "w")


def test_a_new_graph_keeps_forward_mode_and_seeds_an_input_it_has():
    state = AppState(*CIRCUIT)
    state.set_mode("forward", "y")
    state.set_expression("a * exp(b)", {"a": 2.0, "b": 0.0})
    assert state.mode == "forward" and state.seed == "a" and state.trace.mode == "forward"


def test_the_inspector_writes_the_tangent_rule_with_numbers(qtbot):
    state = AppState(*CIRCUIT)
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_mode("forward", "x")
    state.set_cursor(1)
    assert f"{dotted('g1')} = ẋ + ẏ = 1 + 0 = 1" in inspector.toPlainText()
    state.set_cursor(2)
    text = inspector.toPlainText()
    assert "ḟ = ∂f/∂g1·ġ1 + ∂f/∂z·ż = (-4)·1 + 3·0 = -4" in text
    assert "Forward mode done" in text and "= ∂f/∂x" in text and "∂f/∂y, ∂f/∂z need one more" in text
    assert "forward mode 3 passes (one per input) · reverse mode 1 (one per output)" in text


def test_tangents_are_drawn_on_the_edges_in_their_own_colour(qtbot):
    state = AppState(*CIRCUIT)
    view = GraphView(state)
    view.set_animation_ms(0)
    qtbot.addWidget(view)
    state.set_mode("forward", "x")
    state.run_to_end()
    labels = view.edge_label_items()
    x, g1 = state.graph.input_ids["x"], state.graph.users[state.graph.input_ids["x"]][0]
    _, tangent_label = labels[(x, g1)]
    assert tangent_label.text == "1" and tangent_label.colour == QColor(TANGENT_LIGHT)
    _, out = labels[(state.graph.output, None)]
    assert out.text == format_number(-4.0) and "tangent" in out.toolTip()
    assert QColor(TANGENT_LIGHT) not in (view.scheme.value, view.scheme.grad)
    view.set_dark(True)  # what the window does when the theme changes
    assert labels[(x, g1)][1].colour == QColor(TANGENT_DARK)
    state.set_mode("reverse")
    state.run_to_end()
    assert view.edge_label_items()[(x, g1)][1].colour == view.scheme.grad


def test_the_mode_bar_switches_and_counts_passes(qtbot):
    state = AppState(*CIRCUIT)
    bar = ModeBar(state)
    qtbot.addWidget(bar)
    bar.show()
    assert not bar.seed.isVisible() and "forward mode 3 passes" in bar.toolTip()
    bar.mode.setCurrentIndex(bar.mode.findData("forward"))
    bar.mode.activated.emit(bar.mode.currentIndex())
    assert state.mode == "forward" and bar.seed.isVisible() and bar.seed.currentText() == "x"
    bar.seed.setCurrentText("y")
    bar.seed.activated.emit(bar.seed.currentIndex())
    assert state.seed == "y"
    state.set_expression("a * b", {"a": 1.0, "b": 2.0})
    assert [bar.seed.itemText(i) for i in range(bar.seed.count())] == ["a", "b"]
    assert "forward mode 2 passes (one per input)" in bar.toolTip()


def test_the_window_has_the_mode_switch_beside_the_player(qtbot):
    win = MainWindow(AppState(*CIRCUIT))
    qtbot.addWidget(win)
    assert win.player.isAncestorOf(win.mode_bar)


def test_the_inspector_counts_the_passes_in_reverse_mode_too(qtbot):
    state = AppState(*CIRCUIT)
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    assert "forward mode 3 passes (one per input) · reverse mode 1 (one per output)" in inspector.toPlainText()
    state.run_to_end()
    assert "Backward pass complete" in inspector.toPlainText() and "reverse mode 1" in inspector.toPlainText()


def test_forward_mode_disables_the_backward_phase_button_and_says_why(qtbot):
    from graphviz_app.widgets.player import Player

    state = AppState(*CIRCUIT)
    player = Player(state)
    qtbot.addWidget(player)
    backward = player.phase_buttons["backward"]
    assert backward.isEnabled()
    state.set_mode("forward", "x")
    assert not backward.isEnabled()
    assert "no backward pass" in backward.toolTip()
    state.set_phase("backward")  # a key or a session asking for it: refused, the steps stay playable
    assert state.phase != "backward" and state.last_step > state.first_step
    state.set_mode("reverse")
    assert backward.isEnabled()
    backward.click()
    assert state.phase == "backward" and state.last_step > state.first_step
