"""Where the numbers on the edges go: value above the line, gradient below, clear of everything.

A greedy placement in the spirit of graph drawing's label-placement heuristics: every edge tries
spots along its straight segments (the middle first) and takes the first one where both of its
labels clear the nodes, the labels already placed and the *other* edges' lines (a label touching
another line reads as that line's number). If no spot is clean, the least-bad one wins. Boxes are
sized for a typical text ("-0.00"), so the places hold while the texts change on every step.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont

from graphviz_app.debugger.graph_items import text_height, text_width

Segment = tuple[QPointF, QPointF]
Half = tuple[float, float]  # half the width and height of a label box
EdgeHalves = tuple[Half, Half]  # the value label's and the gradient label's

ALONG = tuple(i / 20 for i in range(2, 19))  # where along a segment to try (sorted by preference per edge)
SAMPLE_PX = 8.0  # spacing of the points that stand for other edges' lines
SHORTEST_TEXT = "-4"  # the narrowest box an edge gets when its numbers are known
TYPICAL_TEXT = "-0.00"  # most edge numbers are this wide or narrower ("-4", "0.73", "-0.53")
NODE_CLEARANCE = 4.0  # room kept between a label box and a node
LABEL_CLEARANCE = 7.0  # each side: labels of different edges sit visibly apart, not stacked like a pair
# Costs: a label covering a node hides its symbol, one covering a label hides a number; a line behind
# a label (each sample point costs 1, capped) only blurs it a little, thanks to the label's background.
NODE_OVERLAP_COST = 200.0
LABEL_OVERLAP_COST = 40.0
# Only within the clearance (a near miss) costs this much of the above: a crowded graph then still
# prefers labels that nearly touch to labels that cover each other.
NEAR_MISS_SHARE = 0.1
MAX_CROSSING_COST = 8.0
AWAY = (0.0, 7.0, 14.0, 24.0, 36.0)  # how far beyond touching its line a label may go (each step costs a little)
AMBIGUITY_PX = 10.0  # a label must be this much nearer its own line than any other line
MAX_SEARCHED_EDGES = 250  # ~0.3 s of search on this machine; larger graphs get the quick placement


def place_edge_labels(
    edges: list[list[Segment]],
    obstacles: list[QRectF],
    font: QFont | Half | list[EdgeHalves],
    preferred: list[float] | None = None,
    progress: Callable[[float], object] | None = None,
) -> list[tuple[QPointF, QPointF]]:
    """Centres of (value label, gradient label) for each edge, given as its straight segments.

    `preferred[i]` is where along its segments edge i would best carry its labels (0.5 = middle;
    less where edges converge on their target, so that their labels sit apart). Above
    MAX_SEARCHED_EDGES the search would keep the window frozen for seconds, and a graph that large
    is read zoomed out anyway: its labels simply go at the preferred spot of the longest segment.
    `font` may also be the half size of a label box (`label_half(font)`), or per edge the halves of
    its value's and its gradient's boxes (sized for their numbers): then no font is used and the
    search can run on a worker thread. `progress(fraction)` is called now and then (a job's
    `progress`, which raises `Cancelled` to stop a search that is no longer wanted).
    """
    if isinstance(font, list):
        halves = font
    else:
        half = font if isinstance(font, tuple) else label_half(font)
        halves = [(half, half)] * len(edges)
    if len(edges) > MAX_SEARCHED_EDGES:
        return [
            _quick_place(segments, preferred[i] if preferred else 0.5, *halves[i]) for i, segments in enumerate(edges)
        ]
    line_points = [_samples(segments) for segments in edges]
    owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(line_points)]) if edges else np.zeros(0)
    points = np.concatenate(line_points) if edges else np.zeros((0, 2))
    nodes = np.array([(r.left(), r.top(), r.right(), r.bottom()) for r in obstacles], dtype=float).reshape(-1, 4)
    clearance = np.array([-NODE_CLEARANCE, -NODE_CLEARANCE, NODE_CLEARANCE, NODE_CLEARANCE])
    nodes = np.r_[
        np.c_[nodes, np.full(len(nodes), NODE_OVERLAP_COST * (1 - NEAR_MISS_SHARE))],
        np.c_[nodes + clearance, np.full(len(nodes), NODE_OVERLAP_COST * NEAR_MISS_SHARE)],
    ]
    boxes: dict[int, list[tuple[float, ...]]] = {}  # edge -> its two label boxes, grown by the clearance
    result: list[tuple[QPointF, QPointF]] = [(QPointF(), QPointF())] * len(edges)
    costs = [0.0] * len(edges)

    report = progress or (lambda fraction: None)
    done = [0]

    def place(index: int) -> None:
        done[0] += 1
        if done[0] % 16 == 0:
            report(min(1.0, done[0] / len(edges)))
        # Only what lies near this edge can collide: filtering first keeps a 100-node graph fast.
        pair_half = halves[index]
        reach = _reach(edges[index], (max(h[0] for h in pair_half), max(h[1] for h in pair_half)))
        others = points[(owner != index) & _inside(points, reach)]
        labels = np.array([b for i, pair in boxes.items() if i != index for b in pair], dtype=float).reshape(-1, 5)
        placed = np.concatenate([nodes, labels])
        placed = placed[
            (placed[:, 0] < reach[2])
            & (placed[:, 2] > reach[0])
            & (placed[:, 1] < reach[3])
            & (placed[:, 3] > reach[1])
        ]
        best, best_cost = result[index], math.inf
        middle = preferred[index] if preferred else 0.5
        along = sorted(ALONG, key=lambda t: abs(t - middle))
        for away in AWAY:  # right beside the line first; a little further off only if nothing is clear there
            # Every spot at this distance, in the order of preference; the first cheapest one wins.
            pairs = [
                _label_pair(start + (end - start) * t, end - start, *pair_half, away=away)
                for t in along
                for start, end in edges[index]
            ]
            costs_here = away / AWAY[-1] + _costs(pairs, pair_half, placed, others)
            k = int(np.argmin(costs_here))
            if costs_here[k] < best_cost:
                best, best_cost = pairs[k], float(costs_here[k])
            if best_cost < LABEL_OVERLAP_COST * NEAR_MISS_SHARE:
                break
        result[index], costs[index] = best, best_cost
        m, near = LABEL_CLEARANCE, LABEL_OVERLAP_COST * NEAR_MISS_SHARE
        boxes[index] = [
            grown_box
            for b in (_box(c, h) for c, h in zip(best, pair_half))
            for grown_box in ((*b, LABEL_OVERLAP_COST - near), (b[0] - m, b[1] - m, b[2] + m, b[3] + m, near))
        ]

    # Short edges have the fewest choices: they pick first. Then a second round lets every edge
    # whose labels still collide move, now that it sees all the others.
    for index in sorted(range(len(edges)), key=lambda i: sum(_length(s) for s in edges[i])):
        place(index)
    for index in range(len(edges)):
        if costs[index] >= LABEL_OVERLAP_COST * NEAR_MISS_SHARE:
            place(index)
    return result


def label_half(font: QFont) -> tuple[float, float]:
    """Half the size of a label box for a typical text."""
    return (text_width(font, TYPICAL_TEXT) / 2 + 5, text_height(font) / 2 + 2)


def text_half(font: QFont, texts: list[str]) -> tuple[float, float]:
    """Half the size of a label box wide enough for each of `texts` (a short number at least; a
    wider one later makes the view place the labels again)."""
    width = max(text_width(font, text) for text in (SHORTEST_TEXT, *texts))
    return (width / 2 + 5, text_height(font) / 2 + 2)


def grown(half: tuple[float, float], scale: float) -> tuple[float, float]:
    """The half size of a label box for a label shown `scale` times its font size (zoom growth, text size)."""
    return (half[0] * scale, half[1] * scale)


def quick_place(segments: list[Segment], t: float, half: Half) -> tuple[QPointF, QPointF]:
    """The labels of one edge at `t` along its longest segment (big graphs: no search)."""
    return _quick_place(segments, t, half, half)


def _quick_place(segments: list[Segment], t: float, half: Half, grad_half: Half) -> tuple[QPointF, QPointF]:
    start, end = max(segments, key=_length)
    sx, sy = start.x(), start.y()
    dx, dy = end.x() - sx, end.y() - sy  # QPointF's arithmetic in floats: this runs for every edge of a build
    return _label_pair(QPointF(sx + dx * t, sy + dy * t), QPointF(dx, dy), half, grad_half)


def _length(segment: Segment) -> float:
    return math.hypot(segment[1].x() - segment[0].x(), segment[1].y() - segment[0].y())


def _reach(segments: list[Segment], half: tuple[float, float]) -> tuple[float, float, float, float]:
    """The area any label of these segments could cover (their bounds grown by a label's size)."""
    xs = [p.x() for segment in segments for p in segment]
    ys = [p.y() for segment in segments for p in segment]
    grow = 2 * (half[0] + half[1]) + LABEL_CLEARANCE + AMBIGUITY_PX + AWAY[-1]
    return (min(xs) - grow, min(ys) - grow, max(xs) + grow, max(ys) + grow)


def _inside(points: np.ndarray, area: tuple[float, float, float, float]) -> np.ndarray:
    return (points[:, 0] > area[0]) & (points[:, 0] < area[2]) & (points[:, 1] > area[1]) & (points[:, 1] < area[3])


def _samples(segments: list[Segment]) -> np.ndarray:
    """Points every SAMPLE_PX along the segments (ends left out: nodes are obstacles anyway)."""
    chunks = []
    for start, end in segments:
        n = max(2, int(math.hypot(end.x() - start.x(), end.y() - start.y()) / SAMPLE_PX))
        t = np.linspace(0.0, 1.0, n)[1:-1, None]
        chunks.append(np.array([start.x(), start.y()]) * (1 - t) + np.array([end.x(), end.y()]) * t)
    return np.concatenate(chunks) if chunks else np.zeros((0, 2))


def _costs(
    pairs: list[tuple[QPointF, QPointF]], halves: EdgeHalves, placed: np.ndarray, others: np.ndarray
) -> np.ndarray:
    """The cost of each candidate pair of label centres (value, gradient), all at once: for each of
    its two boxes, overlapping boxes count a lot, points of other lines inside the box a little, and
    a label nearer to another line than to its own (it would be read as that line's number) too."""
    centres = np.array([[(c.x(), c.y()) for c in pair] for pair in pairs], dtype=float)  # (n, 2, 2)
    own = np.hypot(*(centres[:, 0] - centres[:, 1]).T) / 2
    total = np.zeros(len(pairs))
    for side, (half_w, half_h) in enumerate(halves):
        x, y = centres[:, side, 0:1], centres[:, side, 1:2]
        left, right, top, bottom = x - half_w, x + half_w, y - half_h, y + half_h
        hits = (placed[:, 0] < right) & (placed[:, 2] > left) & (placed[:, 1] < bottom) & (placed[:, 3] > top)
        total += hits @ placed[:, 4]
        inside = (others[:, 0] > left) & (others[:, 0] < right) & (others[:, 1] > top) & (others[:, 1] < bottom)
        total += np.minimum(inside.sum(axis=1), MAX_CROSSING_COST)
        if len(others):
            nearest = np.hypot(others[:, 0] - x, others[:, 1] - y).min(axis=1)
            total += np.where(nearest < own + AMBIGUITY_PX, 3.0, 0.0)
    return total


def _label_pair(
    at: QPointF, direction: QPointF, half: Half, grad_half: Half | None = None, away: float = 0.0
) -> tuple[QPointF, QPointF]:
    """Label centres just clear of the line: pushed along its normal by the box's half extent."""
    length = math.hypot(direction.x(), direction.y()) or 1.0
    nx, ny = direction.y() / length, -direction.x() / length
    if ny > 0 or (ny == 0 and nx > 0):  # the value goes on the upper side
        nx, ny = -nx, -ny
    below = grad_half or half
    above = abs(nx) * half[0] + abs(ny) * half[1] + 3 + away
    under = abs(nx) * below[0] + abs(ny) * below[1] + 3 + away
    ax, ay = at.x(), at.y()
    return QPointF(ax + nx * above, ay + ny * above), QPointF(ax - nx * under, ay - ny * under)


def _box(centre: QPointF, half: tuple[float, float]) -> tuple[float, float, float, float]:
    return (centre.x() - half[0], centre.y() - half[1], centre.x() + half[0], centre.y() + half[1])
