"""The moving part of a step: numbers travelling along edges as coloured dots.

Forward, each argument's value leaves its edge label and rides a green dot into the gate; the gate's
new value appears on its outgoing edges when the dots arrive. Backward, each contribution rides a red
dot from the gate back to its argument and lands as the edge's gradient label. Only the view's
items are touched; the numbers come from the `TraceState` the view already shows.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEasingCurve, QObject, QPointF, QVariantAnimation
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsScene

from graphviz_app.debugger.graph_items import EdgeLabel, Palette
from graphviz_app.numbers import edge as format_number

DOT_RADIUS = 9.0
TAG_OFFSET = 22.0  # the travelling number rides above (forward) or below (backward) its dot


class StepAnimation(QObject):
    """Plays one step's travelling dots; `finish()` ends it at once (new step, rebuild, export)."""

    def __init__(self, scene: QGraphicsScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self._animation: QVariantAnimation | None = None
        self._travellers: list[tuple[QGraphicsEllipseItem, QPainterPath, bool]] = []
        self._hidden: list[EdgeLabel] = []

    @property
    def running(self) -> bool:
        return self._animation is not None

    def hide_until_arrival(self, label: EdgeLabel) -> None:
        """A label that must not show while its number is still on the way."""
        label.setVisible(False)
        self._hidden.append(label)

    def add_traveller(self, path: QPainterPath, number: float, forward: bool, palette: Palette) -> None:
        """A dot carrying `number` along `path` (from its end back to its start when backward)."""
        colour = palette.value if forward else palette.grad
        dot = QGraphicsEllipseItem(-DOT_RADIUS, -DOT_RADIUS, 2 * DOT_RADIUS, 2 * DOT_RADIUS)
        dot.setBrush(colour)
        dot.setPen(QPen(palette.background, 2.5))  # a rim keeps the dot visible on top of its line
        dot.setZValue(4)
        tag = EdgeLabel(colour, palette)
        tag.setParentItem(dot)
        tag.set_text(format_number(number), colour if math.isfinite(number) else palette.warning)
        tag.setPos(QPointF(0, -TAG_OFFSET if forward else TAG_OFFSET))
        self.scene.addItem(dot)
        self._travellers.append((dot, path, not forward))

    def start(self, duration_ms: int) -> None:
        if not self._travellers:
            self.finish()
            return
        animation = QVariantAnimation(self)
        animation.setStartValue(0.0)
        animation.setEndValue(1.0)
        animation.setDuration(duration_ms)
        animation.setEasingCurve(QEasingCurve.InOutQuad)
        animation.valueChanged.connect(self._move)
        animation.finished.connect(self.finish)
        self._animation = animation
        self._move(0.0)
        animation.start()

    def _move(self, t: float) -> None:
        for dot, path, backwards in self._travellers:
            dot.setPos(path.pointAtPercent(1.0 - t if backwards else t))

    def finish(self) -> None:
        """Stop, remove the dots and show every label that was waiting for them."""
        if self._animation is not None:
            animation, self._animation = self._animation, None
            animation.stop()
            animation.deleteLater()
        for dot, _, _ in self._travellers:
            self.scene.removeItem(dot)
        self._travellers.clear()
        for label in self._hidden:
            label.show_if_text()
        self._hidden.clear()
