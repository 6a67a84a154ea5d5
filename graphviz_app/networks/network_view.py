"""The network drawn as layers of units, dead hidden units crossed out, with a sentence on why.

A view of `NetworkState`: it redraws from the snapshot's `inactive` masks (computed on the worker by
`core.networks.inactive_units`) whenever `sig_trained` arrives. A unit whose weighted sum is ≤ 0 on
every training point is grey and crossed; for ReLU that unit is dead (no gradient reaches its
weights), for leaky ReLU it is only quiet (the slope still lets a little gradient through).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.activations import ACTIVATIONS
from graphviz_app.networks.snapshot import TrainingSnapshot
from graphviz_app.networks.state import NetworkState
from graphviz_app.widgets.plot_style import FONT_PT
from graphviz_app.widgets.text_size import TextSizer

UNIT_RADIUS = 9.0
DEAD_GREY = "#9aa0a6"


def dead_sentence(snapshot: TrainingSnapshot) -> str:
    """Why the crossed-out units matter for this activation (plain words for the projector)."""
    count = snapshot.inactive_count
    activation = snapshot.model.activation
    if not snapshot.model.hidden:
        return "logistic regression: no hidden units"
    if count == 0:
        return f"no {ACTIVATIONS[activation].display_name} unit is off on every training point"
    units = "1 hidden unit is" if count == 1 else f"{count} hidden units are"
    if activation == "relu":
        return (
            f"<b>{units} dead</b>: its sum a ≤ 0 on every point, ReLU′(a) = 0 there, so no gradient "
            "reaches its weights and it never learns again. Leaky ReLU lets slope·gradient through."
        )
    if activation in ("leaky_relu", "prelu"):
        return (
            f"{units} off on every point, but not dead: leaky ReLU′(a) = slope &gt; 0, "
            "so a small gradient still moves its weights."
        )
    return f"{units} negative on every point; {ACTIVATIONS[activation].display_name} still has a gradient there."


class NetworkDiagram(QWidget):
    """Inputs, hidden layers and the output as circles joined layer to layer; dead units crossed."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.activation = state.activation
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def layers(self) -> list[list[bool]]:
        """Per layer, per unit: is it off on every point, for ReLU or leaky ReLU (inputs and output never are)."""
        snapshot = self.state.snapshot
        model = snapshot.model if snapshot is not None else self.state.model()
        inputs = 3 if model.product_feature else 2
        # Only ReLU's and leaky ReLU's flat side makes "off everywhere" matter; tanh and sigmoid keep a gradient.
        self.activation = model.activation
        marked = model.activation in ("relu", "leaky_relu", "prelu")
        hidden = [
            [bool(d) and marked for d in snapshot.inactive[k]] if snapshot is not None else [False] * width
            for k, width in enumerate(model.hidden)
        ]
        return [[False] * inputs, *hidden, [False]]

    def paintEvent(self, _event: QPaintEvent) -> None:
        layers = self.layers()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = self.state.theme
        text = QColor(theme.colors.text)
        area = QRectF(self.rect()).adjusted(UNIT_RADIUS + 4, UNIT_RADIUS + 4, -UNIT_RADIUS - 4, -UNIT_RADIUS - 4)
        spots = []
        for k, units in enumerate(layers):
            x = area.left() + area.width() * k / max(len(layers) - 1, 1)
            spacing = min(area.height() / max(len(units) - 1, 1), 3.2 * UNIT_RADIUS)
            top = area.center().y() - spacing * (len(units) - 1) / 2
            spots.append([QPointF(x, top + spacing * j) for j in range(len(units))])
        edge = QColor(theme.colors.muted)
        edge.setAlpha(110)
        for k in range(len(spots) - 1):
            for j, end in enumerate(spots[k + 1]):
                dead_end = layers[k + 1][j]
                for i, start in enumerate(spots[k]):
                    dead = dead_end or layers[k][i]
                    painter.setPen(QPen(edge, 1.0, Qt.PenStyle.DotLine if dead else Qt.PenStyle.SolidLine))
                    painter.drawLine(start, end)
        live = QColor(theme.activation_color(self.activation))
        for k, units in enumerate(layers):
            hidden = 0 < k < len(layers) - 1
            for j, dead in enumerate(units):
                center = spots[k][j]
                fill = QColor(DEAD_GREY) if dead else (live if hidden else QColor(theme.colors.muted))
                painter.setPen(QPen(text, 1.5))
                painter.setBrush(fill)
                painter.drawEllipse(center, UNIT_RADIUS, UNIT_RADIUS)
                if dead and self.activation == "relu":  # leaky ReLU's quiet units stay grey, uncrossed
                    painter.setPen(QPen(QColor(theme.colors.bad), 2.5))
                    r = UNIT_RADIUS * 0.75
                    painter.drawLine(center + QPointF(-r, -r), center + QPointF(r, r))
                    painter.drawLine(center + QPointF(-r, r), center + QPointF(r, -r))
        painter.end()


class NetworkView(QWidget):
    """The diagram and, under it, how many hidden units are dead and why that matters."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.diagram = NetworkDiagram(state)
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the sentence under the diagram
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.RichText)
        self.sizer.style(self.sentence, f"font-size: {FONT_PT}pt")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.diagram, 1)
        layout.addWidget(self.sentence)
        state.sig_trained.connect(self.redraw)
        state.sig_setup_changed.connect(self.redraw)
        state.theme.changed.connect(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        snapshot = self.state.snapshot
        self.sentence.setText("" if snapshot is None else dead_sentence(snapshot))
        self.diagram.update()
