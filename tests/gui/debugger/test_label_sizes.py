"""Lecture-size graphs at 1280×800 with the docks shown: every number >= 12 px on screen, and no number
covering another number or a node (what a student at the back of the room reads off the projector)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

import core
from core.datasets import dataset
from core.networks import Model, sample_program
from graphviz_app import theme
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState

MIN_PX = 12.0
SCREEN = (1280, 800)
LECTURE_GATES = 30


def window_at(shown_window, size: tuple[int, int] = SCREEN):
    state = AppState()
    win = shown_window(state)
    # What the app makes of a 1280×800 screen (MainWindow: 96 % × 94 % of it), docks shown, with the
    # app's style (its 12 pt panels and 14 pt expression line take room from the graph) and its tabs.
    win.setStyleSheet(theme.style_sheet(False))
    win.tabs.tabBar().show()
    win.resize(round(size[0] * 0.96), round(size[1] * 0.94))
    QApplication.processEvents()
    assert win.inputs_dock.isVisible() and win.view.viewport().width() < 0.8 * size[0]
    return state, win


def settle(view: GraphView) -> None:
    for _ in range(4):
        QApplication.processEvents()
    view.fit()
    QApplication.processEvents()


def label_problems(view: GraphView) -> list[str]:
    """What is wrong with the numbers in view, in view (screen pixel) coordinates."""
    zoom = view.transform().m11()
    area = QRectF(view.viewport().rect())
    labels, problems = [], []
    for (arg, node), pair in view.edge_label_items().items():
        for label in pair:
            rect = view.mapFromScene(label.sceneBoundingRect()).boundingRect()
            if not label.text or not label.isVisible() or not area.intersects(QRectF(rect)):
                continue
            px = label.font.pixelSize() * label.scale() * zoom
            if px < MIN_PX:
                problems.append(f"{label.text!r} on {arg}→{node} is {px:.1f} px")
            labels.append((label.text, QRectF(rect)))
    nodes = [
        (item.node.symbol, QRectF(view.mapFromScene(item.mapRectToScene(item.body_rect())).boundingRect()))
        for item in view.node_items().values()
    ]
    for i, (text, rect) in enumerate(labels):
        for other, other_rect in labels[i + 1 :]:
            if rect.intersects(other_rect):
                problems.append(f"{text!r} overlaps {other!r}")
        for symbol, node_rect in nodes:
            if rect.intersects(node_rect):
                problems.append(f"{text!r} covers the node {symbol!r}")
    assert labels, "no number is shown"
    return problems


LECTURE_EXAMPLES = [e.name for e in core.examples() if len(e.graph().gates) <= LECTURE_GATES]


@pytest.mark.parametrize("name", LECTURE_EXAMPLES)
def test_an_example_reads_at_1280x800_with_the_docks(shown_window, name):
    state, win = window_at(shown_window)
    state.load_example(name)
    for cursor in (state.forward_count, state.step_count):  # values alone, then every number
        state.set_cursor(cursor)
        settle(win.view)
        assert label_problems(win.view) == [], f"{name} at step {cursor}"


def tiny_network_sample() -> tuple[str, dict[str, float]]:
    model = Model(hidden=(2,), activation="tanh")
    return sample_program(model, model.initial_weights(0), dataset("xor"), 0)


def neuron(state: AppState, name: str) -> set[int]:
    """The gates of one hidden unit: its weighted sum and its activation."""
    graph = state.graph
    top = next(n for n in graph.nodes if n.name == name)
    found, todo = set(), [top.id]
    while todo:
        node = graph.nodes[todo.pop()]
        if node.args and node.id not in found:
            found.add(node.id)
            todo += node.args
    return found


@pytest.mark.parametrize("folded", [False, True])
def test_the_tiny_network_sample_reads_folded_or_not(shown_window, folded):
    state, win = window_at(shown_window)
    state.set_expression(*tiny_network_sample())
    if folded:  # issue 9: both neurons folded, the numbers near the folds must not overlap
        for name in ("h1_1", "h1_2"):
            state.fold(neuron(state, name), name.replace("h1_", "n"))
        assert sum(1 for n in state.graph.gates if n.fold is not None) == 2
    state.run_to_end()
    settle(win.view)
    assert label_problems(win.view) == []


def test_the_19_layer_chain_from_the_activations_tab_is_readable_and_followed(shown_window):
    # "Open in graph view" on a 19-layer chain drew a hair-thin line when fitted: it is shown at a
    # readable zoom instead, and the view follows the current gate.
    from core.activations import gradient_chain

    state, win = window_at(shown_window)
    chain = gradient_chain("sigmoid", 19, weight=1.0, bias=0.5, start=1.0)
    state.show_in_debugger(chain.program, dict(chain.inputs))
    settle(win.view)
    assert win.view.following()
    for cursor in (5, 30, state.forward_count, state.step_count - 3):
        state.set_cursor(cursor)
        QApplication.processEvents()
        node = win.view.node_item(state.state().step.node)
        assert win.view.viewport().rect().contains(win.view.mapFromScene(node.scenePos()))
        assert label_problems(win.view) == [], f"at step {cursor}"


def test_the_folded_tiny_network_sample_fits_whole_at_a_readable_zoom(shown_window):
    # Issue 9: "folding a whole neuron makes that graph readable at lecture size". Its inputs' column was
    # too tall to fit above MIN_FIT_ZOOM: the view showed a part and followed the steps (core.layout).
    from graphviz_app.debugger.graph_view import MIN_FIT_ZOOM

    state, win = window_at(shown_window)
    state.set_expression(*tiny_network_sample())
    for name in ("h1_1", "h1_2"):
        state.fold(neuron(state, name), name.replace("h1_", "n"))
    state.run_to_end()
    settle(win.view)
    assert not win.view.following()
    assert win.view.transform().m11() >= MIN_FIT_ZOOM
    shown = win.view.mapFromScene(win.view.graph_rect()).boundingRect()
    assert win.view.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown)
    assert label_problems(win.view) == []
