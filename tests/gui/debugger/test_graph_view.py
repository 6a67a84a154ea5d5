"""The graph canvas: items per node, slide numbers on the edges, relabel without rebuild, warnings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState
from graphviz_app.numbers import edge as format_number

CIRCUIT = ("(x + y) * z", {"x": -2, "y": 5, "z": -4})
SIGMOID = ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})


def make_view(qtbot, expression: str, inputs: dict[str, float]) -> tuple[AppState, GraphView]:
    state = AppState(expression, inputs)
    view = GraphView(state)
    view.set_animation_ms(0)
    qtbot.addWidget(view)
    return state, view


def texts(view: GraphView, which: int) -> list[str]:
    return sorted(t[which] for t in view.edge_labels().values() if t[which])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-4.0, "-4"),
        (0.7310585786, "0.73"),
        (0.19661193, "0.20"),
        (-0.5344466, "-0.53"),
        (-0.0, "0"),
        (0.0012345, "0.0012"),
        (123456.7, "1.23e5"),
        (-8.3e-07, "-8.3e-7"),
        (float("nan"), "⚠ nan"),
        (float("-inf"), "⚠ -∞"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_one_item_per_node(qtbot):
    state, view = make_view(qtbot, *SIGMOID)
    assert len(view.node_items()) == len(state.graph.nodes) == 13
    # every graph edge is drawn once, plus the output's stub
    assert len(view.edge_labels()) == len(state.graph.to_networkx().edges) + 1


def test_labels_follow_the_cursor(qtbot):
    state, view = make_view(qtbot, *CIRCUIT)
    # before any step only the inputs' values are known
    assert texts(view, 0) == ["-2", "-4", "5"] and texts(view, 1) == []
    assert view.node_item(2).status == "pending"
    state.step_forward()  # q = x + y
    assert view.edge_labels()[(2, 4)] == ("3", "")
    assert view.node_item(2).status == "forward"
    state.step_forward()  # f = q * z
    assert view.edge_labels()[(4, None)] == ("-12", "")
    state.step_forward()  # backward through *: gradients into q and z
    assert view.edge_labels()[(4, None)] == ("-12", "1.00")
    assert view.edge_labels()[(2, 4)] == ("3", "-4") and view.edge_labels()[(3, 4)] == ("-4", "3")
    assert view.edge_labels()[(0, 2)] == ("-2", "")
    assert view.node_item(4).status == "backward"


def test_circuit_after_backward_matches_the_slide(qtbot):
    state, view = make_view(qtbot, *CIRCUIT)
    state.run_to_end()
    labels = view.edge_labels()
    assert [labels[e][0] for e in [(0, 2), (1, 2), (3, 4), (2, 4)]] == ["-2", "5", "-4", "3"]
    assert [labels[e][1] for e in [(0, 2), (1, 2), (3, 4), (2, 4)]] == ["-4", "-4", "3", "-4"]
    value, grad = view.edge_label_items()[(0, 2)]
    assert value.colour == view.scheme.value and grad.colour == view.scheme.grad


def test_sigmoid_neuron_after_backward_matches_the_slide(qtbot):
    state, view = make_view(qtbot, *SIGMOID)
    state.run_to_end()
    labels = view.edge_labels()
    assert [labels[e][0] for e in [(10, 11), (11, 12), (12, None)]] == ["0.37", "1.37", "0.73"]
    assert [labels[e][1] for e in [(10, 11), (11, 12), (12, None), (6, 8)]] == ["-0.53", "-0.53", "1.00", "0.20"]
    # input gradients: w0 -0.20, x0 0.39, w1 -0.39, x1 -0.59, w2 0.20
    assert [labels[e][1] for e in [(0, 2), (1, 2), (3, 5), (4, 5), (7, 8)]] == [
        "-0.20",
        "0.39",
        "-0.39",
        "-0.59",
        "0.20",
    ]


def test_relabel_keeps_items(qtbot):
    state, view = make_view(qtbot, *CIRCUIT)
    nodes, labels = view.node_items(), view.edge_label_items()
    state.run_to_end()
    state.set_input("x", 1.0)
    state.step_back()
    assert all(view.node_item(k) is item for k, item in nodes.items())
    assert all(view.edge_label_items()[k][i] is pair[i] for k, pair in labels.items() for i in (0, 1))
    assert view.edge_labels()[(0, 2)][0] == "1"


def test_new_expression_rebuilds(qtbot):
    state, view = make_view(qtbot, *CIRCUIT)
    old = view.node_item(0)
    state.set_expression("x * x + x", {"x": 3})
    assert len(view.node_items()) == 3 and view.node_item(0) is not old
    state.run_to_end()
    # fan-out: x*x sends 2·x = 6 back along its one drawn edge, the + sends 1 along the other
    assert view.edge_labels()[(0, 1)] == ("3", "6") and view.edge_labels()[(0, 2)] == ("3", "1")
    assert view.node_item(0).grad_sum == "Σ 7"  # the fan-out's total gradient, under the node
    assert view.edge_item(0, 1).uses == 2 and view.edge_item(0, 2).uses == 1  # x*x reads its edge twice
    # The badge says "2 uses" (a "×2" read like a gate multiplying by 2) and explains itself when hovered.
    badge = view.edge_item(0, 1)
    assert badge.badge_text == "2 uses"
    assert "2 times" in badge.tip_at(badge.badge.center()) and badge.tip_at(badge.badge.topLeft() - QPointF(9, 9)) == ""
    assert view.edge_item(0, 2).tip_at(view.edge_item(0, 2).badge.center()) == ""


def test_non_finite_value_shows_a_warning(qtbot):
    state, view = make_view(qtbot, "log(x) * y", {"x": -1, "y": 2})
    state.run_to_end()
    log_node = next(n.id for n in state.graph.nodes if n.op == "log")
    assert view.node_item(log_node).warning
    value, _ = view.edge_label_items()[(log_node, state.graph.output)]
    assert value.text == "⚠ nan" and value.colour == view.scheme.warning
    view.set_dark(True)
    assert value.colour == view.scheme.warning


def test_tooltip_has_full_precision_and_formula(qtbot):
    state, view = make_view(qtbot, *SIGMOID)
    state.run_to_end()
    tip = view.node_item(12).toolTip()
    assert "0.7310585786" in tip and "1/x" in tip and "−1/x²" in tip
    value, grad = view.edge_label_items()[(12, None)]
    # The number as everywhere else, its exact float on a second line only where the short form rounds.
    assert value.toolTip() == "value: 0.7311\nexact: 0.7310585786300049" and grad.toolTip() == "gradient: 1"
    assert "value: 0.7311\nexact: 0.7310585786300049" in tip


def test_step_animation_runs_and_cleans_up(qtbot):
    state, view = make_view(qtbot, *CIRCUIT)
    view.set_animation_ms(60)
    state.step_forward()
    value, _ = view.edge_label_items()[(2, 4)]
    assert not value.isVisible()  # the new value appears when the dots arrive
    qtbot.waitUntil(lambda: value.isVisible(), timeout=2000)
    assert value.text == "3"
    state.run_to_end()  # a jump: no animation
    assert not view._stepping.running


def test_fit_shows_every_node_and_wheel_zooms(qtbot):
    _state, view = make_view(qtbot, *SIGMOID)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    inside = view.viewport().rect()
    for item in view.node_items().values():
        assert inside.contains(view.mapFromScene(item.pos()))
    before = view.transform().m11()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        view.viewport().mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)  # two notches up: zoom in
    assert view.transform().m11() == pytest.approx(before * 1.0015**240)
    view.fit()
    assert view.transform().m11() == pytest.approx(before)


def test_backward_phase_start_highlights_no_node(qtbot):
    # Regression: switching to the backward phase kept the last forward gate glowing as "current".
    state, view = make_view(qtbot, "(x + y) * z", {"x": -2, "y": 5, "z": -4})
    state.set_cursor(state.forward_count)
    assert view.node_item(state.graph.output).status == "forward"
    state.set_phase("backward")
    assert all(item.status not in ("forward", "backward") for item in view.node_items().values())
    state.step_forward()
    assert view.node_item(state.graph.output).status == "backward"


def test_long_numbers_of_the_xor_unit_do_not_overlap(qtbot):
    # Regression: "-8.3e-07" and "8.3e-07" ran into each other; "8.3e-7" is a character shorter. Labels
    # may touch (a few pixels) on this crowded crossing, but none may cover another's text.
    state = AppState()
    state.load_example("xor_unit")
    view = GraphView(state)
    qtbot.addWidget(view)
    state.run_to_end()
    boxes = [label.sceneBoundingRect() for pair in view.edge_label_items().values() for label in pair if label.text]
    overlaps = [a.intersected(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.intersects(b)]
    assert all(min(o.width(), o.height()) <= 4 for o in overlaps)


def test_a_weight_reused_by_a_deep_chain_is_drawn_beside_each_use_and_hover_links_the_copies(qtbot):
    program = "\n".join(["h0 = x"] + [f"h{i} = tanh(h{i - 1} * w + b)" for i in range(1, 30)])
    state, view = make_view(qtbot, program, {})
    w = state.graph.input_ids["w"]
    copies = view._copies[w]
    assert len(copies) == 28 and all(c.node.symbol == "w" and c.copy_count == 28 for c in copies)
    assert view.node_item(w).linked == [view.node_item(w), *copies]
    copies[3].hoverEnterEvent(None)
    assert all(item.highlighted for item in view.node_item(w).linked)
    copies[3].hoverLeaveEvent(None)
    assert not any(item.highlighted for item in view.node_item(w).linked)


def test_a_big_graph_is_built_off_the_gui_thread_and_the_old_one_stays_meanwhile(qtbot):
    from graphviz_app.widgets.background import ThreadRunner

    state = AppState("(x + y) * z", {}, runner=ThreadRunner())
    view = GraphView(state)
    qtbot.addWidget(view)
    old = view.node_items()
    program = "\n".join(["v0 = x"] + [f"v{i} = v{i - 1} * x + c{i % 7}" for i in range(1, 400)])
    assert state.set_expression(program)
    assert state.building and view.node_items() == old  # the old graph is still on screen
    state.set_expression("a * b")  # a newer expression supersedes the big one
    qtbot.waitUntil(lambda: not state.building and not view.drawing_scene, timeout=20000)
    assert state.expression == "a * b" and len(view.node_items()) == 3
    state.set_expression(program)
    state.cancel_build()
    state.runner.wait()
    qtbot.wait(50)
    assert state.expression == "a * b" and not state.building


def test_the_fitted_view_of_a_long_chain_stays_legible_and_follows_the_steps(qtbot):
    program = "\n".join(["h0 = x"] + [f"h{i} = tanh(h{i - 1} * w + b)" for i in range(1, 120)])
    state, view = make_view(qtbot, program, {})
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view.drawing_scene)  # 360 nodes: the scene is made in slices
    view.fit()
    assert view.following() and view.transform().m11() >= 0.3
    state.set_cursor(200)
    node = view.node_item(state.state().step.node)
    assert view.viewport().rect().contains(view.mapFromScene(node.pos()))


def test_a_followed_graph_that_is_only_too_wide_stays_whole_in_height(qtbot):
    # Tall at its start (three products side by side), then a long thin chain.
    products = " + ".join(f"a{i}*b{i}" for i in range(3))
    state, view = make_view(qtbot, "sin(" * 60 + products + ")" * 60, {})
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    assert view.following()
    for cursor in (0, 40, state.step_count):
        state.set_cursor(cursor)
        shown = view.mapFromScene(view.graph_rect()).boundingRect()
        assert shown.height() < view.viewport().height()  # it is only too wide …
        assert shown.top() >= 0 and shown.bottom() <= view.viewport().height()  # … so none of its height is cut


def test_zoomed_far_out_the_numbers_are_hidden_and_come_back(qtbot):
    state, view = make_view(qtbot, *SIGMOID)
    state.run_to_end()
    value, _ = view.edge_label_items()[(12, None)]
    assert value.isVisible()
    view.scale(0.1, 0.1)  # as the menu's Zoom out does
    assert not value.isVisible() and value.text == "0.73"
    view.fit()
    assert value.isVisible()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: the tooltip window
def test_hovering_a_node_shows_its_tooltip_made_on_demand(qtbot):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtWidgets import QGraphicsSceneHelpEvent, QToolTip

    state, view = make_view(qtbot, *SIGMOID)
    state.run_to_end()
    item = view.node_item(12)
    event = QGraphicsSceneHelpEvent(QEvent.Type.GraphicsSceneHelp)
    event.setScenePos(item.scenePos())
    event.setScreenPos(view.mapToGlobal(QPoint(10, 10)))
    view.scene().helpEvent(event)
    assert event.isAccepted()
    assert "0.7310585786" in QToolTip.text() and "local derivative" in QToolTip.text()
    QToolTip.hideText()


# A program of ~900 nodes: its scene is made in chunks (and, over 400 nodes, in tiles).
BIG_CHAIN = "\n".join(["v0 = x"] + [f"v{i} = v{i - 1} * x + c{i % 7}" for i in range(1, 300)])


def test_a_chunked_build_shows_every_node_and_a_cursor_moved_meanwhile(qtbot):
    from graphviz_app.widgets.background import ThreadRunner

    state = AppState("(x + y) * z", {}, runner=ThreadRunner())
    view = GraphView(state)
    view.set_animation_ms(0)
    qtbot.addWidget(view)
    assert state.set_expression(BIG_CHAIN)
    # Once the new items have begun showing the cursor's numbers, the cursor moves: the complete
    # scene must show the new step (and not re-label everything when nothing moved, see _after_showing).
    qtbot.waitUntil(lambda: view.drawing_scene and view._chunk_labels != (), timeout=20000)
    state.set_cursor(5)
    qtbot.waitUntil(lambda: not view.drawing_scene, timeout=20000)
    assert len(view.node_items()) == len(state.graph.nodes) > 400
    done = state.state().values
    shown = {node_id: item.shown[2] for node_id, item in view.node_items().items()}
    assert {i for i, status in shown.items() if status != "pending"} == set(done)


def test_placing_the_labels_replays_the_trace_once_not_once_per_edge(qtbot, monkeypatch):
    # Each edge's boxes are sized for its final numbers; replaying the whole trace for every edge
    # made a 375-node build hold the window for 0.6 s.
    import core.trace

    replays = []
    original = core.trace.Trace.state

    def counting(self, k):
        replays.append(k)
        return original(self, k)

    monkeypatch.setattr(core.trace.Trace, "state", counting)
    _state, view = make_view(qtbot, " + ".join(f"a{i} * b{i}" for i in range(40)), {})
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view.drawing_scene)
    replays.clear()
    view._rebuild()
    qtbot.waitUntil(lambda: not view.drawing_scene)
    assert len(view.edge_label_items()) > 100
    assert len(replays) < 10, len(replays)


def shown_view_building_on_a_worker(qtbot) -> tuple[AppState, GraphView]:
    """A view on screen of a state that builds graphs on a worker thread, as in the window."""
    from graphviz_app.widgets.background import ThreadRunner

    state = AppState("(x + y) * z", {}, runner=ThreadRunner())
    view = GraphView(state)
    view.set_animation_ms(0)
    view.resize(900, 600)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return state, view


def test_while_a_big_scene_is_made_the_graph_on_screen_is_what_the_mouse_finds(qtbot):
    # The new scene is made unseen (transparent) over the old one; hovering or clicking meanwhile
    # must reach the old graph's nodes, never the half-made new ones.
    state, view = shown_view_building_on_a_worker(qtbot)
    old = view.node_items()
    assert state.set_expression(BIG_CHAIN)
    qtbot.waitUntil(lambda: view.drawing_scene and view._chunk_labels != (), timeout=20000)
    for node_id, item in old.items():
        found = [i for i in view.items(view.mapFromScene(item.scenePos())) if hasattr(i, "node")]
        assert found and all(i in old.values() for i in found), node_id
    qtbot.waitUntil(lambda: not view.drawing_scene, timeout=20000)
    shown = view.node_items()
    item = next(iter(shown.values()))
    view.centerOn(item)
    assert any(i is item for i in view.items(view.mapFromScene(item.scenePos())))


def test_a_big_graph_is_drawn_in_tiles_that_hold_their_items_and_clicks_still_find_nodes(qtbot):
    # A big scene's items are grouped by place (scene_tiles), so a paint skips the tiles out of view.
    # Each tile promises Qt its items draw within it (else they would vanish near a tile's edge), and
    # a tile is never what a click or the mouse finds: the node under it is.
    from graphviz_app.debugger.scene_tiles import GraphTile

    state, view = shown_view_building_on_a_worker(qtbot)
    assert state.set_expression(BIG_CHAIN)
    qtbot.waitUntil(lambda: not state.building and not view.drawing_scene, timeout=20000)
    nodes = view.node_items()
    assert len(nodes) == len(state.graph.nodes) > 400
    labels = [label for pair in view.edge_label_items().values() for label in pair]
    every = [*nodes.values(), *(view.edge_item(a, n) for a, n in view.edge_label_items()), *labels]
    tiles = {id(item.parentItem()): item.parentItem() for item in every}
    assert all(isinstance(tile, GraphTile) for tile in tiles.values()) and len(tiles) > 3
    for item in every:
        drawn, tile = item.sceneBoundingRect(), item.parentItem().sceneBoundingRect()
        assert tile.contains(drawn) if not drawn.isEmpty() else tile.contains(drawn.center()), item
    assert all(tile.zValue() == item.zValue() for item in every for tile in [item.parentItem()])
    for node_id in list(nodes)[::50]:
        view.centerOn(nodes[node_id])
        found = view.itemAt(view.mapFromScene(nodes[node_id].scenePos()))
        assert found is nodes[node_id] or found in labels, node_id  # a number may sit on a node's rim
