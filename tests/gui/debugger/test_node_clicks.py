"""Click a node to inspect it: value, gradient, local derivative and the steps that compute them;
the graph names each gate as the inspector does."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QUrl

from graphviz_app.debugger.node_card import computed_at


def sigmoid_window(shown_window):
    from graphviz_app.debugger.state import AppState

    state = AppState()
    state.load_example("sigmoid_neuron")
    return state, shown_window(state)


def click_node(qtbot, win, node_id: int) -> None:
    item = win.view.node_item(node_id)
    point = win.view.mapFromScene(item.scenePos())
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_clicking_a_gate_shows_its_numbers_and_steps_in_the_inspector(qtbot, shown_window):
    state, win = sigmoid_window(shown_window)
    exp = next(n for n in state.graph.nodes if n.op == "exp")
    value_at, grad_at = computed_at(state.trace, exp.id)
    assert 0 < value_at <= state.forward_count < grad_at <= state.step_count
    click_node(qtbot, win, exp.id)
    text = win.inspector.toPlainText()
    name = win.view.node_item(exp.id).caption  # the graph writes the name the inspector uses
    assert name.startswith("g") and f"Node: gate exp ({name}, op exp)" in text
    assert f"value: not computed yet (step {value_at} computes it)" in text
    state.run_to_end()  # a step: the inspector follows the step again
    assert "Node:" not in win.inspector.toPlainText()
    click_node(qtbot, win, exp.id)
    text = win.inspector.toPlainText()
    assert f"value = 0.3679 (computed at step {value_at})" in text
    assert f"gradient ∂f/∂{name} = -0.5344 (computed at step {grad_at})" in text
    assert f"∂{name}/∂" in text and "= 0.3679" in text.split("local derivative")[1]  # e^x evaluated


def test_a_step_link_moves_the_cursor_and_a_click_beside_the_nodes_goes_back(qtbot, shown_window):
    state, win = sigmoid_window(shown_window)
    exp = next(n for n in state.graph.nodes if n.op == "exp")
    click_node(qtbot, win, exp.id)
    value_at, _ = computed_at(state.trace, exp.id)
    win.inspector.anchorClicked.emit(QUrl(f"step:{value_at}"))
    assert state.cursor == value_at and "Forward" in win.inspector.toPlainText()
    click_node(qtbot, win, exp.id)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))  # empty canvas
    assert "Node:" not in win.inspector.toPlainText()


def test_an_input_is_known_from_the_start_and_its_gradient_when_its_last_user_is_done(qtbot, shown_window):
    state, win = sigmoid_window(shown_window)
    w0 = state.graph.input_ids["w0"]
    value_at, grad_at = computed_at(state.trace, w0)
    assert value_at == 0 and grad_at is not None and grad_at > state.forward_count
    click_node(qtbot, win, w0)
    text = win.inspector.toPlainText()
    assert "Node: input w0" in text and "value = 2" in text and "not computed yet" in text
