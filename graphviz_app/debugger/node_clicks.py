"""Click a node to inspect it: a plain left click (no drag, no modifier) on a node of the graph asks
the state to show that node in the inspector. Dragging still pans; Ctrl/Shift stay the fold tool's."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt

from graphviz_app.debugger.graph_items import NodeItem
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState

CLICK_PX = 4  # a press and release this close together are a click, not a drag


class NodeClicks(QObject):
    """Turns clicks on the canvas's nodes into `state.inspect_node`."""

    def __init__(self, state: AppState, view: GraphView) -> None:
        super().__init__(view)
        self.state, self.view = state, view
        self._pressed: QPoint | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            plain = event.modifiers() == Qt.KeyboardModifier.NoModifier  # type: ignore[attr-defined]
            left = event.button() == Qt.MouseButton.LeftButton  # type: ignore[attr-defined]
            self._pressed = event.position().toPoint() if plain and left else None  # type: ignore[attr-defined]
        elif kind == QEvent.Type.MouseButtonRelease and self._pressed is not None:
            pressed, self._pressed = self._pressed, None
            point = event.position().toPoint()  # type: ignore[attr-defined]
            if (point - pressed).manhattanLength() <= CLICK_PX:
                self.click(point)
        return False  # the view still gets the events (its drag to pan)

    def click(self, point: QPoint) -> None:
        """A click at `point` (viewport pixels): its node is inspected; elsewhere, the step again."""
        item = self.view.itemAt(point)
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        self.state.inspect_node(int(item.node.id) if item is not None else None)
