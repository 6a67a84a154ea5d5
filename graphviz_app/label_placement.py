"""Where the numbers on the edges go: value above the line, gradient below, clear of everything.

A greedy placement in the spirit of graph drawing's label-placement heuristics: every edge tries
spots along its straight segments (the middle first) and takes the first one where both of its
labels clear the nodes, the labels already placed and the *other* edges' lines (a label touching
another line reads as that line's number). If no spot is clean, the least-bad one wins. Boxes are
sized for a typical text ("-0.000"), so the places hold while the texts change on every step.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF

Segment = tuple[QPointF, QPointF]

ALONG = (0.5, 0.4, 0.6, 0.32, 0.68, 0.25, 0.75, 0.18, 0.82)  # where along a segment to try, best first
SAMPLE_PX = 8.0  # spacing of the points that stand for other edges' lines
CLEARANCE = 4.0  # extra room around each label box when testing collisions


def place_edge_labels(edges: list[list[Segment]], obstacles: list[QRectF],
                      font: QFont) -> list[tuple[QPointF, QPointF]]:
    """Centres of (value label, gradient label) for each edge, given as its straight segments."""
    metrics = QFontMetricsF(font)
    half = (metrics.horizontalAdvance("-0.000") / 2 + 6, metrics.height() / 2 + 2)
    line_points = [_samples(segments) for segments in edges]
    owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(line_points)]) if edges else np.zeros(0)
    points = np.concatenate(line_points) if edges else np.zeros((0, 2))
    boxes = [(r.left(), r.top(), r.right(), r.bottom()) for r in obstacles]
    result: list[tuple[QPointF, QPointF]] = [(QPointF(), QPointF())] * len(edges)
    # Edges with one segment have the fewest choices: they pick first.
    for index in sorted(range(len(edges)), key=lambda i: len(edges[i])):
        others = points[owner != index]
        placed = np.array(boxes, dtype=float).reshape(-1, 4)
        best, best_cost = None, math.inf
        for t in ALONG:
            for start, end in edges[index]:
                pair = _label_pair(start + (end - start) * t, end - start, half)
                cost = sum(_cost(_box(c, half), placed, others) for c in pair)
                if cost < best_cost:
                    best, best_cost = pair, cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        result[index] = best
        boxes.extend(_box(c, half) for c in best)
    return result


def _samples(segments: list[Segment]) -> np.ndarray:
    """Points every SAMPLE_PX along the segments (ends left out: nodes are obstacles anyway)."""
    chunks = []
    for start, end in segments:
        n = max(2, int(math.hypot(end.x() - start.x(), end.y() - start.y()) / SAMPLE_PX))
        t = np.linspace(0.0, 1.0, n)[1:-1, None]
        chunks.append(np.array([start.x(), start.y()]) * (1 - t) + np.array([end.x(), end.y()]) * t)
    return np.concatenate(chunks) if chunks else np.zeros((0, 2))


def _cost(box: tuple[float, float, float, float], placed: np.ndarray, others: np.ndarray) -> float:
    """Overlapping boxes count a lot; each point of another line inside the box counts a little."""
    left, top, right, bottom = box[0] - CLEARANCE, box[1] - CLEARANCE, box[2] + CLEARANCE, box[3] + CLEARANCE
    overlaps = np.count_nonzero((placed[:, 0] < right) & (placed[:, 2] > left)
                                & (placed[:, 1] < bottom) & (placed[:, 3] > top))
    crossed = np.count_nonzero((others[:, 0] > left) & (others[:, 0] < right)
                               & (others[:, 1] > top) & (others[:, 1] < bottom))
    return 10.0 * overlaps + crossed


def _label_pair(at: QPointF, direction: QPointF, half: tuple[float, float]) -> tuple[QPointF, QPointF]:
    """Label centres just clear of the line: pushed along its normal by the box's half extent."""
    length = math.hypot(direction.x(), direction.y()) or 1.0
    nx, ny = direction.y() / length, -direction.x() / length
    if ny > 0 or (ny == 0 and nx > 0):  # the value goes on the upper side
        nx, ny = -nx, -ny
    distance = abs(nx) * half[0] + abs(ny) * half[1] + 3
    return at + QPointF(nx, ny) * distance, at - QPointF(nx, ny) * distance


def _box(centre: QPointF, half: tuple[float, float]) -> tuple[float, float, float, float]:
    return (centre.x() - half[0], centre.y() - half[1], centre.x() + half[0], centre.y() + half[1])
