"""The program's own gates on the canvas: a wrong derivative is ringed in red with both numbers, a
right one is not, and double-clicking a program's gate opens its body with the values of that call."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

import core
from graphviz_app.debugger.gate_body import GateBodyDialog, GateMarks
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState
from graphviz_app.numbers import number

SIGMOID = "mysig(a) = 1 / (1 + exp(-a))\nd mysig / d a = {d}\nf = mysig(w*x + b)"
POINT = {"w": 2.0, "x": -1.0, "b": 0.5}


def make(qtbot, text: str, inputs: dict[str, float]) -> tuple[AppState, GraphView, GateMarks]:
    state = AppState(text, inputs)
    view = GraphView(state)
    view.set_animation_ms(0)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    marks = GateMarks(state, view)
    return state, view, marks


def gate_id(state: AppState, name: str) -> int:
    return next(n.id for n in state.graph.nodes if n.fold is not None and n.fold.name == name)


def test_a_wrong_derivative_is_marked_with_both_numbers(qtbot) -> None:
    state, view, marks = make(qtbot, SIGMOID.format(d="out * out"), POINT)
    qtbot.waitUntil(lambda: bool(marks.marks), timeout=3000)
    mysig = gate_id(state, "mysig")
    assert list(marks.marks) == [mysig]
    s = 1 / (1 + math.exp(1.5))
    mark = marks.marks[mysig]
    assert mark.text == f"your derivative: {number(s * s)}; finite differences: {number(s * (1 - s))}"
    assert mark.parentItem() is view.node_item(mysig)
    state.set_input("b", 1.5)  # new values: the old verdict goes, the new one comes
    assert marks.marks == {}
    qtbot.waitUntil(lambda: bool(marks.marks), timeout=3000)
    s = 1 / (1 + math.exp(0.5))  # w*x + b = -0.5 now
    assert marks.marks[mysig].text.startswith(f"your derivative: {number(s * s)};")
    state.set_expression(SIGMOID.format(d="out * (1 - out)"))
    qtbot.wait(800)
    assert marks.marks == {}


def test_double_click_opens_the_body_with_the_values_of_the_call(qtbot) -> None:
    state, view, marks = make(qtbot, "sq(a) = a*a\nnorm(a, b) = sqrt(sq(a) + sq(b))\nf = norm(x, y) * 2", {})
    state.set_inputs({"x": 3.0, "y": 4.0})
    norm = gate_id(state, "norm")
    item = view.node_item(norm)
    point = view.mapFromScene(item.scenePos())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    (dialog,) = marks.dialogs
    qtbot.addWidget(dialog)
    assert isinstance(dialog, GateBodyDialog) and dialog.windowTitle() == "Inside norm"
    body = dialog.body_state
    assert [n.symbol for n in body.graph.gates] == ["sq", "sq", "+", "sqrt"]
    assert body.inputs == {"a": 3.0, "b": 4.0}
    assert body.result.value == 5.0
    assert "a = 3, b = 4 → out = 5" in dialog.header.text()
    # a program's gate inside the body opens the same way
    inner = dialog.marks.open_body(gate_id(body, "sq"))
    qtbot.addWidget(inner)
    assert inner.body_state.inputs == {"a": 3.0} and inner.body_state.result.value == 9.0


def test_double_click_elsewhere_still_fits_and_a_fold_is_not_opened(qtbot) -> None:
    state, view, marks = make(qtbot, "(x + y) * z", {"x": 1.0, "y": 2.0, "z": 3.0})
    folded = core.collapse(state.graph, [n.id for n in state.graph.gates if n.op == "add"], name="s")
    state.set_expression("(x + y) * z", graph=folded)
    (fold,) = [n.id for n in state.graph.nodes if n.fold is not None]
    point = view.mapFromScene(view.node_item(fold).scenePos())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert marks.dialogs == []  # a fold of the graph's own gates is not one of the program's gates
