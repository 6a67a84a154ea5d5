"""The label placement on its own: plain geometry in (segments, node rects, box halves), places out."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from graphviz_app.debugger.label_placement import grown, place_edge_labels, quick_place


def box(centre: QPointF, half: tuple[float, float]) -> QRectF:
    return QRectF(centre.x() - half[0], centre.y() - half[1], 2 * half[0], 2 * half[1])


def fan_in(count: int, spacing: float) -> list[list[tuple[QPointF, QPointF]]]:
    """`count` edges from a column of sources converging on one node, as a neuron's inputs do."""
    target = QPointF(300.0, 0.0)
    return [[(QPointF(0.0, (i - count / 2) * spacing), target)] for i in range(count)]


def test_every_label_clears_the_nodes_and_the_other_labels_with_its_own_width():
    edges = fan_in(5, 90.0)
    nodes = [QRectF(270, -30, 60, 60)] + [QRectF(-30, s[0][0].y() - 20, 60, 40) for s in edges]
    # A long gradient and a short value: each box as wide as its own number.
    halves = [((14.0, 12.0), (40.0, 12.0))] * len(edges)
    places = place_edge_labels(edges, nodes, halves)
    boxes = [box(c, h) for (value, grad), pair in zip(places, halves) for c, h in zip((value, grad), pair)]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert not any(b.intersects(n) for b in boxes for n in nodes)


def test_the_value_sits_above_its_line_and_the_gradient_below():
    edge = [(QPointF(0, 0), QPointF(200, 0))]
    ((value, grad),) = place_edge_labels([edge], [], [((20.0, 10.0), (30.0, 10.0))])
    assert value.y() < 0 < grad.y() and 0 < value.x() < 200


def test_grown_boxes_are_placed_further_apart():
    edge = [(QPointF(0, 0), QPointF(200, 0))]
    small = quick_place(edge, 0.5, (20.0, 10.0))
    large = quick_place(edge, 0.5, grown((20.0, 10.0), 1.6))
    assert large[1].y() - large[0].y() > small[1].y() - small[0].y()
