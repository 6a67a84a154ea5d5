"""Folding on the canvas: Ctrl+click and Shift+drag select gates, Fold into gate (σ suggested for a
sigmoid) gives one gate whose step the inspector and the player show, double-click unfolds, and a
program's own gate keeps its double-click (its body)."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QInputDialog

from graphviz_app.debugger.fold_tool import FoldTool
from graphviz_app.debugger.gate_body import GateMarks
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.state import AppState

SIGMOID = ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
SIGMOID_OPS = ("mul_const", "exp", "add_const", "recip")


@pytest.fixture
def canvas(qtbot):
    state = AppState(*SIGMOID)
    view = GraphView(state)
    view.set_animation_ms(0)
    view.resize(1000, 700)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    marks = GateMarks(state, view)
    tool = FoldTool(state, view)
    return state, view, tool, marks


def sigmoid_gates(state: AppState) -> set[int]:
    return {n.id for n in state.graph.nodes if n.op in SIGMOID_OPS}


def at(view: GraphView, node: int) -> QPoint:
    return view.mapFromScene(view.node_item(node).pos())


def test_ctrl_click_selects_and_the_fold_suggests_sigma(qtbot, canvas, monkeypatch):
    state, view, tool, _ = canvas
    gates = sigmoid_gates(state)
    for node in gates:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, at(view, node)
        )
    assert tool.selected == gates and set(tool.marks) == gates
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(k["text"]), (k["text"], True))[1])
    grads = dict(state.result.grad)
    assert tool.fold_selected()
    assert asked == ["σ"]
    sigma = [n for n in state.graph.nodes if n.fold is not None]
    assert len(sigma) == 1 and sigma[0].symbol == "σ" and len(state.graph.nodes) == 10
    assert state.result.grad == pytest.approx(grads)  # nothing outside changed
    assert view.node_item(sigma[0].id).node.symbol == "σ" and tool.selected == set()
    # The player and the inspector work on the folded graph: the σ step's local gradient is (1 − σ)σ.
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    backward = next(s for s in state.trace.backward if s.node == sigma[0].id)
    state.set_cursor(backward.index + 1)
    assert "Backward at gate σ" in inspector.toPlainText() and "0.1966" in inspector.toPlainText()
    assert "σ gate: ∂σ/∂g4 = σ(1 − σ) = 0.7311 · (1 − 0.7311) = 0.1966" in inspector.toPlainText()


def test_shift_drag_selects_the_gates_in_the_box(qtbot, canvas):
    state, view, tool, _ = canvas
    gates = sigmoid_gates(state)
    points = [at(view, n) for n in gates]
    left, right = min(p.x() for p in points) - 5, max(p.x() for p in points) + 5
    top, bottom = min(p.y() for p in points) - 5, max(p.y() for p in points) + 5
    inside = {
        n
        for n, item in view.node_items().items()
        if item.kind == "gate"
        and left <= view.mapFromScene(item.pos()).x() <= right
        and top <= view.mapFromScene(item.pos()).y() <= bottom
    }
    tool.select_in(QRect(left, top, right - left, bottom - top))
    assert tool.selected == inside and gates <= inside


def test_a_selection_that_is_not_one_gate_is_refused_with_why(qtbot, canvas):
    state, _view, tool, _ = canvas
    messages = []
    tool.sig_message.connect(messages.append)
    assert not tool.fold_selected("g")
    assert "Select gates first" in messages[-1]
    muls = {n.id for n in state.graph.nodes if n.op == "mul"}  # the two products: not connected
    tool.select(muls)
    before = state.graph
    assert not tool.fold_selected("g")
    assert "not connected" in messages[-1] and state.graph is before


def test_double_click_unfolds_a_fold_but_opens_a_program_gate(qtbot, canvas):
    state, view, _tool, marks = canvas
    state.fold(sigmoid_gates(state), "σ")
    sigma = next(n.id for n in state.graph.nodes if n.fold is not None)
    view.fit()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at(view, sigma))
    assert len(state.graph.nodes) == 13 and not any(n.fold for n in state.graph.nodes)
    state.set_expression("mysig(a) = 1 / (1 + exp(-a))\nf = mysig(w*x)", {"w": 1.0, "x": 2.0})
    gate = next(n.id for n in state.graph.nodes if n.fold is not None)
    view.fit()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at(view, gate))
    assert any(n.fold is not None for n in state.graph.nodes)  # not unfolded
    assert marks.dialogs and marks.dialogs[-1].isVisible()  # its body opened instead
    marks.dialogs[-1].close()


def test_inputs_keep_working_on_the_folded_graph():
    state = AppState(*SIGMOID)
    state.fold(sigmoid_gates(state), "σ")
    state.set_input("w2", 0.0)
    assert any(n.fold is not None for n in state.graph.nodes)
    assert state.result.value == pytest.approx(1 / (1 + math.exp(-(2 * -1 + -3 * -2 + 0))))
    assert state.fold_name({n.id for n in state.graph.nodes if n.op == "mul"}) == "g"


def test_a_session_keeps_the_folds_and_old_files_still_open(tmp_path):
    from graphviz_app.session import SessionError, load_session, parse_session, save_session

    state = AppState(*SIGMOID)
    state.fold(sigmoid_gates(state), "σ")
    sigma = next(n.id for n in state.graph.nodes if n.fold is not None)
    state.set_cursor(6)
    path = tmp_path / "folded.json"
    save_session(state, path)
    other = AppState("x")
    load_session(other, path)
    assert [n.symbol for n in other.graph.nodes if n.fold is not None] == ["σ"]
    assert len(other.graph.nodes) == 10 and other.cursor == 6
    assert other.result.grad == pytest.approx(state.result.grad)
    state.unfold(sigma)  # fold then unfold: both replayed
    save_session(state, path)
    load_session(other, path)
    assert len(other.graph.nodes) == 13 and other.folds == state.folds
    old = '{"format": "graphviz_app.session", "version": 1, "expression": "x * y", "inputs": {"x": 2, "y": 3}}'
    assert parse_session(old).folds == ()
    with pytest.raises(SessionError, match="fold"):
        parse_session(old[:-1] + ', "folds": [{"fold": "everything"}]}')
