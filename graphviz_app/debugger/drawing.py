"""How a graph will be drawn, computed without Qt so that it can run on a worker thread.

`prepare_drawing(graph)` does the expensive, Qt-free part of showing a graph (the layered layout
today); the debugger state computes it off the GUI thread and hands it to the view in `state.drawing`.
"""

from __future__ import annotations

from dataclasses import dataclass

import core


@dataclass(frozen=True)
class Drawing:
    """Everything the graph view needs that does not depend on Qt."""

    positions: dict[int, tuple[float, float]]  # node id -> (layer, slot)


def prepare_drawing(graph: core.Graph) -> Drawing:
    return Drawing(core.layout(graph))
