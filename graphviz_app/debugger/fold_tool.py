"""Fold gates into one on the canvas, and unfold them: Ctrl+click or Shift+drag selects gates,
"Fold into gate" (Ctrl+K) asks for a name (σ is suggested when the selection computes a sigmoid),
double-click on a folded gate puts its gates back.

The folding itself is `AppState.fold` / `unfold` (`core.collapse` / `core.expand`); this object only
turns mouse gestures into a selection and the selection into that call. A program's own gate
(`mysig(a) = …`) keeps its double-click: it opens the gate's body (`gate_body.GateMarks`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QRubberBand

from graphviz_app.debugger.graph_items import GateRing, NodeItem
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.theme import colors


class _SelectedMark(GateRing):
    """A dashed ring round a selected gate."""

    def __init__(self, node: NodeItem, colour: str) -> None:
        super().__init__(node, colour, margin=9, width=3.5, dashed=True, z=4)


class FoldTool(QObject):
    """The canvas's gate selection, and folding it into one gate."""

    sig_message = Signal(str)  # what went wrong or what happened, for the status bar

    def __init__(self, state: AppState, view: GraphView) -> None:
        super().__init__(view)
        self.state, self.view = state, view
        self.selected: set[int] = set()
        self.marks: dict[int, _SelectedMark] = {}
        self._band: QRubberBand | None = None
        self._band_start = QPoint()
        self._pressed = False
        view.viewport().installEventFilter(self)  # installed after GateMarks: sees events first
        view.sig_scene_rebuilt.connect(self._forget)  # the rings went with the old items
        observe(self, [(state.sig_graph_changed, self._forget)])

    # ---- the selection ----

    def select(self, node_ids: set[int]) -> None:
        """Select these gates (inputs and constants are not gates: they are left out)."""
        items = self.view.node_items()
        self.clear_selection()
        colour = colors(self.state.dark).value
        for node in sorted(node_ids):
            item = items.get(node)
            if item is not None and item.kind == "gate":
                self.selected.add(node)
                self.marks[node] = _SelectedMark(item, colour)

    def toggle(self, node_id: int) -> None:
        self.select(self.selected ^ {node_id})

    def clear_selection(self) -> None:
        for mark in self.marks.values():
            scene = mark.scene()
            if scene is not None:
                scene.removeItem(mark)
        self.selected.clear()
        self.marks.clear()

    def _forget(self) -> None:
        self.selected.clear()  # the view disposes of the old items, the rings with them
        self.marks.clear()

    # ---- folding ----

    def fold_selected(self, name: str | None = None) -> bool:
        """Fold the selection into one gate; `name` None asks for it (σ suggested for a sigmoid)."""
        if not self.selected:
            self.sig_message.emit("Select gates first: Ctrl+click them, or Shift+drag a box round them")
            return False
        if name is None:
            suggested = self.state.fold_name(self.selected)
            name, ok = QInputDialog.getText(
                self.view.window(), "Fold into gate", "Name of the new gate:", text=suggested
            )
            if not ok:
                return False
        try:
            self.state.fold(set(self.selected), name)
        except ValueError as error:
            self.sig_message.emit(f"Cannot fold these gates: {error}")
            return False
        self.sig_message.emit(f"Folded into one gate '{name.strip() or 'g'}': double-click it to unfold")
        return True

    def unfold(self, node_id: int) -> None:
        self.state.unfold(node_id)
        self.sig_message.emit("Unfolded: the gate's body is back in the graph")

    # ---- mouse ----

    def _item_at(self, point: QPoint) -> NodeItem | None:
        item = self.view.itemAt(point)
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        return item

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            point = event.position().toPoint()  # type: ignore[attr-defined]
            modifiers = event.modifiers()  # type: ignore[attr-defined]
            if modifiers & Qt.KeyboardModifier.ControlModifier:
                item = self._item_at(point)
                if item is not None and item.kind == "gate":
                    self.toggle(int(item.node.id))
                    self._pressed = True  # its release is ours too
                    return True
            if modifiers & Qt.KeyboardModifier.ShiftModifier:
                self._band_start = point
                self._band = self._band or QRubberBand(QRubberBand.Shape.Rectangle, self.view.viewport())
                self._band.setGeometry(QRect(point, QSize()))
                self._band.show()
                return True
        elif kind == QEvent.Type.MouseMove and self._band is not None and self._band.isVisible():
            self._band.setGeometry(QRect(self._band_start, event.position().toPoint()).normalized())  # type: ignore[attr-defined]
            return True
        elif kind == QEvent.Type.MouseButtonRelease and self._pressed:
            self._pressed = False
            event.accept()
            return True
        elif kind == QEvent.Type.MouseButtonRelease and self._band is not None and self._band.isVisible():
            event.accept()
            self._band.hide()
            self.select_in(QRect(self._band_start, event.position().toPoint()).normalized())  # type: ignore[attr-defined]
            return True
        elif kind == QEvent.Type.MouseButtonDblClick:
            item = self._item_at(event.position().toPoint())  # type: ignore[attr-defined]
            fold = item.node.fold if item is not None else None
            if item is not None and fold is not None and not fold.defined:  # a program's gate opens its body
                self.unfold(int(item.node.id))
                return True
        return False

    def select_in(self, rect: QRect) -> None:
        """Select the gates whose centre lies in `rect` (viewport pixels)."""
        area = self.view.mapToScene(rect).boundingRect()
        self.select({node for node, item in self.view.node_items().items() if area.contains(item.pos())})
