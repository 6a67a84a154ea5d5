"""A big graph's items grouped by where they are (tiles), so that a paint visits only the tiles in view.

The scene has no index (building one walks every item at once, see `GraphView`), so a paint, a
hover and a click used to visit all ~30,000 items of a 5,000-node graph: ~20 ms per paint even with
nothing in view, and ~80 ms for the first paint of a new scene. A tile promises Qt that its children
draw within its rect (`ItemContainsChildrenInShape`): a tile out of view is skipped with its
children. Tiles are per kind of item (edges, nodes, labels), at that kind's stacking order, so edges
stay under nodes and numbers over both.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

TILE_PX = 1500.0  # a tile's side, in scene units (about a screen of a big graph at its fitted zoom)
# Room around the items a tile holds: numbers grow with the zoom and the text size (up to 1.6 x 2.5)
# and get wider when relabelled; a tile drawn a little too often costs nothing.
TILE_MARGIN = 320.0


class GraphTile(QGraphicsRectItem):
    """One tile: paints nothing, takes no clicks; its rect holds its children's drawing."""

    def __init__(self, parent: QGraphicsItem, z: float) -> None:
        super().__init__(parent)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemContainsChildrenInShape)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(z)


class SceneTiles:
    """Puts items into tiles under `root` (`add`), then sizes each tile to hold its items (`close`)."""

    def __init__(self, root: QGraphicsItem) -> None:
        self.root = root
        self._tiles: dict[tuple[float, int, int], GraphTile] = {}
        self._rects: dict[tuple[float, int, int], QRectF] = {}

    def add(self, item: QGraphicsItem, z: float, rect: QRectF) -> None:
        """Make `item` (drawn at `rect` in the scene, stacked at `z`) a child of the tile it is in."""
        centre = rect.center()
        if rect.isEmpty():  # an empty rect would be left out of the tile's (QRectF.united skips it)
            rect = QRectF(centre.x() - 0.5, centre.y() - 0.5, 1.0, 1.0)
        key = (z, math.floor(centre.x() / TILE_PX), math.floor(centre.y() / TILE_PX))
        tile = self._tiles.get(key)
        if tile is None:
            tile = self._tiles[key] = GraphTile(self.root, z)
            self._rects[key] = QRectF(rect)
        else:
            self._rects[key] = self._rects[key].united(rect)
        item.setParentItem(tile)

    def close(self) -> None:
        for key, tile in self._tiles.items():
            tile.setRect(self._rects[key].adjusted(-TILE_MARGIN, -TILE_MARGIN, TILE_MARGIN, TILE_MARGIN))

    def __len__(self) -> int:
        return len(self._tiles)
