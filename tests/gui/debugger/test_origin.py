"""Where a nan began, on screen: the origin marked apart from the ⚠ nodes after it, the way it went lit,
the inspector's words and numbers, and "Go to where it began" (Ctrl+G, the menu, the inspector's link)."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt, QUrl

from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inspector import ORIGIN_LINK, Inspector
from graphviz_app.debugger.origin import find_origin
from graphviz_app.debugger.state import AppState

# (expression, inputs, op of the gate where it began, where, words the usual cause must contain)
ORIGINS = [
    ("sqrt(x - 3) * y", {"x": 1, "y": 2}, "sqrt", "value", "below 0 by rounding"),
    ("log(x) * y + 1", {"x": 0, "y": 2}, "log", "value", "probability that became exactly 0"),
    ("exp(x) * y", {"x": 1000, "y": 2}, "exp", "value", "exp overflows"),
    ("y / (x - z) + 1", {"x": 2, "y": 1, "z": 2}, "div", "value", "difference that became 0"),
    ("(x * y) * z", {"x": 1e200, "y": 1e200, "z": 2}, "mul", "value", "learning rate too large"),
    ("sqrt(x) * y", {"x": 0, "y": 2}, "sqrt", "gradient", "slope of √ is infinite"),
    ("log(x) * y", {"x": -1, "y": 2}, "log", "value", "probability"),
]


def op_of(state: AppState, node: int) -> str:
    return state.graph.nodes[node].op


@pytest.mark.parametrize(("expression", "inputs", "op", "where", "cause"), ORIGINS)
def test_the_origin_is_the_step_of_the_first_problem_with_its_usual_cause(expression, inputs, op, where, cause):
    state = AppState(expression, inputs)
    origin = state.origin
    assert origin is not None and origin.problem == state.result.problems[0]
    assert op_of(state, origin.problem.node) == op and origin.problem.where == where
    assert cause in origin.cause
    assert state.go_to_origin()
    step = state.state().step
    assert step is not None and step.node == origin.problem.node
    assert step.phase == ("forward" if where == "value" else "backward")
    assert not step.finite  # the step that made the nan or ∞ is the one shown
    earlier = state.trace.steps[: origin.cursor - 1]
    assert all(s.finite for s in earlier)  # and nothing went wrong before it


def test_value_path_runs_to_the_output_and_gradient_path_back_to_the_inputs():
    state = AppState("sqrt(x - 3) * y + z", {"x": 1, "y": 2, "z": 0})
    origin = state.origin
    assert origin is not None and state.graph.output in origin.path
    assert state.graph.input_ids["z"] not in origin.path  # z only joins after: not on the nan's way
    assert all(a in origin.path and b in origin.path for a, b in origin.edges)
    grad = AppState("sqrt(x) * y", {"x": 0, "y": 2}).origin
    assert grad is not None
    graph = AppState("sqrt(x) * y", {"x": 0, "y": 2}).graph
    assert graph.input_ids["x"] in grad.path and graph.output not in grad.path


def test_nothing_to_find_when_everything_is_finite():
    state = AppState("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    assert state.origin is None and not state.go_to_origin() and state.cursor == 0
    assert find_origin(state.graph, state.result, state.trace) is None


def test_a_gradient_origin_is_reached_from_the_forward_phase():
    state = AppState("sqrt(x) * y", {"x": 0, "y": 2})
    state.set_phase("forward")
    assert state.go_to_origin() and state.phase == "both" and state.state().step.phase == "backward"


def test_the_origin_is_drawn_apart_from_the_nodes_it_made_nan(qtbot):
    state = AppState("sqrt(x - 3) * y + 1", {"x": 1, "y": 2})
    view = GraphView(state)
    view.set_animation_ms(0)
    qtbot.addWidget(view)
    origin = state.origin
    assert origin is not None
    items = view.node_items()
    state.set_cursor(origin.cursor - 1)  # before the sqrt step: nothing marked yet
    assert not any(item.origin for item in items.values())
    assert not any(view.edge_item(a, b).on_nan_path for a, b in origin.edges)
    state.run_to_end()
    marked = [node for node, item in items.items() if item.origin]
    warned = [node for node, item in items.items() if item.warning and not item.origin]
    assert marked == [origin.problem.node]
    assert state.graph.output in warned  # downstream nodes keep their plain ⚠
    assert {op_of(state, n) for n in warned} >= {"mul", "add_const"}
    assert all(view.edge_item(a, b).on_nan_path for a, b in origin.edges)
    off_path = [(a, n.id) for n in state.graph.nodes for a in n.args if (a, n.id) not in origin.edges]
    assert off_path and not any(view.edge_item(a, b).on_nan_path for a, b in off_path)
    assert "began here" in items[origin.problem.node].toolTip()
    state.set_input("x", 5.0)  # fixed: the marks go away
    assert not any(item.origin for item in items.values())
    assert not any(view.edge_item(a, b).on_nan_path for a, b in origin.edges)


def test_the_inspector_says_what_happened_and_why_and_links_to_it(qtbot):
    state = AppState("sqrt(x - 3) * y", {"x": 1, "y": 2})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(1)
    assert "began" not in inspector.toPlainText()  # not yet
    state.run_to_end()
    text = inspector.toPlainText()
    assert "The first nan/∞ began at gate sqrt" in text and "sqrt(-2): square root of a negative number is nan" in text
    assert "Go to where it began" in text and f'href="{ORIGIN_LINK}"' in inspector.toHtml()
    inspector.anchorClicked.emit(QUrl(ORIGIN_LINK))  # what a click on the link does
    origin = state.origin
    assert origin is not None and state.cursor == origin.cursor
    text = inspector.toPlainText()
    assert "The nan/∞ began here (its value" in text and "What usually causes it" in text
    assert "sqrt(-2)" in text and "Go to where it began" not in text


def test_a_finite_step_after_the_origin_does_not_repeat_it(qtbot):
    state = AppState("sqrt(x - 3) * y + z * 2", {"x": 1, "y": 2, "z": 1})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    origin = state.origin
    assert origin is not None
    later = [s for s in state.trace.forward if s.index >= origin.cursor and s.finite]
    assert later  # z * 2 is computed after the sqrt and is fine
    state.set_cursor(later[0].index + 1)
    assert "began" not in inspector.toPlainText()


@pytest.fixture
def window(shown_window):
    state = AppState("y / (x - z) + 1", {"x": 2, "y": 1, "z": 2})
    return shown_window(state)


def test_ctrl_g_and_the_play_menu_go_to_where_it_began(qtbot, window):
    state = window.state
    origin = state.origin
    assert origin is not None and op_of(state, origin.problem.node) == "div"
    play = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Play")
    entry = next(a for a in play.actions() if "where it began" in a.text())
    assert entry.shortcut().toString() == "Ctrl+G"
    state.run_to_end()
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert state.cursor == origin.cursor
    assert math.isinf(state.state().step.value)
    state.reset()
    entry.trigger()
    assert state.cursor == origin.cursor


def test_ctrl_g_on_a_finite_graph_says_so(qtbot, window):
    window.state.set_inputs({"z": 0.0})
    assert window.state.origin is None
    window.act_origin.trigger()
    assert window.state.cursor == 0 and "every value and gradient is finite" in window.statusBar().currentMessage()
