"""How a graph will be drawn, computed without Qt so that it can run on a worker thread.

`prepare_drawing(graph)` does the expensive, Qt-free part of showing a graph: the layered layout,
with its bend points and the leaf copies (an input reused far apart is drawn again next to each
group of its users). The debugger state builds it in the runner and hands it to the view in
`state.drawing`; the view only scales it to pixels and makes the items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import core
from core.layout import layered_drawing

Point = tuple[float, float]
MAX_DRAWN_NODES = 5000  # laid out in about a second off the GUI thread; the scene is built in chunks


@dataclass(frozen=True)
class Drawing:
    """Everything the graph view needs that does not depend on Qt (in layers and slots, not pixels)."""

    positions: dict[int, Point]  # node id -> (layer, slot)
    bends: dict[tuple[int, int], list[Point]] = field(default_factory=dict)  # (arg, user) -> points between
    copies: dict[tuple[int, int], Point] = field(default_factory=dict)  # (leaf, user) -> its copy for that user

    def copies_of(self) -> dict[int, list[Point]]:
        """Each copied leaf's copies, in the order of their layers."""
        found: dict[int, set[Point]] = {}
        for (leaf, _user), at in self.copies.items():
            found.setdefault(leaf, set()).add(at)
        return {leaf: sorted(points) for leaf, points in found.items()}


def prepare_drawing(graph: core.Graph) -> Drawing:
    drawing = layered_drawing(graph.to_networkx())
    return Drawing(dict(drawing.positions), dict(drawing.bends), dict(drawing.copies))
