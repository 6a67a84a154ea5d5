"""Pick the quiz's gates by clicking them on the graph, and see which are picked.

While the quiz dock's "what is asked" is "picked gates" (and no quiz runs), a plain click on a gate
(press and release without dragging: a drag still pans the view) toggles it in `QuizState`'s picked
set. Every picked gate wears a "?" badge for as long as that mode is chosen, also while the quiz runs
(the class sees which numbers will be asked). The badges are child items of the view's node items,
so they go when the view rebuilds its scene.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from graphviz_app.debugger.graph_items import GateRing, NodeItem
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.quiz_state import QuizState
from graphviz_app.theme import colors

CLICK_SLOP = 5  # pixels a click may move and still be a click, not a drag
RETRY_MS = 200  # a big graph's items are made over several event-loop turns: look again


class PickedBadge(GateRing):
    """A filled circle with "?" at a picked gate's upper right, and a dashed ring round the gate."""

    RADIUS = 13.0

    def __init__(self, node: NodeItem, colour: str) -> None:
        super().__init__(node, colour, margin=5, width=3, dashed=True, z=6)
        r = self.RADIUS
        self.badge = QRectF(self.ring.right() - r, self.ring.top() - r, 2 * r, 2 * r)
        self.font = QFont()
        self.font.setPointSizeF(13)
        self.font.setBold(True)
        self.setToolTip("picked for the quiz: its numbers are asked (click to unpick)")

    def boundingRect(self) -> QRectF:
        return super().boundingRect().united(self.badge.adjusted(-3, -3, 3, 3))

    def paint(self, painter: QPainter, option: object, widget: QWidget | None = None) -> None:
        super().paint(painter, option, widget)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(QBrush(self.colour))
        painter.drawEllipse(self.badge)
        painter.setFont(self.font)
        painter.drawText(self.badge, Qt.AlignmentFlag.AlignCenter, "?")


class QuizPicks(QObject):
    """Turns clicks on gates into picks of `quiz` and draws the picked gates' badges on `view`."""

    def __init__(self, quiz: QuizState, view: GraphView) -> None:
        super().__init__(view)
        self.quiz, self.view = quiz, view
        self.badges: dict[int, PickedBadge] = {}
        self._pressed: tuple[QPoint, int] | None = None
        self._retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self.show_badges)
        view.viewport().installEventFilter(self)
        app = quiz.app
        observe(
            self,
            [
                (quiz.sig_settings_changed, self.show_badges),
                (app.sig_graph_changed, self._on_graph_changed),
                (app.sig_theme_changed, self.show_badges),
            ],
        )
        self.show_badges()

    def _on_graph_changed(self) -> None:
        self.badges.clear()  # the view disposes of the old items, the badges with them
        self.show_badges()

    def _clear(self) -> None:
        for badge in self.badges.values():
            scene = badge.scene()
            if scene is not None:
                scene.removeItem(badge)
        self.badges.clear()

    def show_badges(self, *_: object) -> None:
        self._clear()
        if self.quiz.settings.mode != "picked":
            return
        items = self.view.node_items()
        picked = self.quiz.picked
        if any(node not in items for node in picked):
            self._retry.start()  # the view is still making this graph's items
        colour = colors(self.quiz.app.dark).value
        for node in sorted(picked):
            if node in items:
                self.badges[node] = PickedBadge(items[node], colour)

    def _gate_at(self, point: QPoint) -> int | None:
        item = self.view.itemAt(point)
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        return int(item.node.id) if item is not None and item.kind == "gate" else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            plain = event.modifiers() == Qt.KeyboardModifier.NoModifier  # type: ignore[attr-defined]
            left = event.button() == Qt.MouseButton.LeftButton  # type: ignore[attr-defined]
            point = event.position().toPoint()  # type: ignore[attr-defined]
            node = self._gate_at(point) if plain and left and self.quiz.picking else None
            self._pressed = None if node is None else (point, node)
        elif kind == QEvent.Type.MouseButtonRelease and self._pressed is not None:
            start, node = self._pressed
            self._pressed = None
            moved = (event.position().toPoint() - start).manhattanLength()  # type: ignore[attr-defined]
            if moved <= CLICK_SLOP and self._gate_at(start) == node:
                self.quiz.toggle(node)
        return False  # the view still gets every event: a drag pans it as before
