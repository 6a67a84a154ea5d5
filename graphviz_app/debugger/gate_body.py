"""The program's own gates on screen: a gate whose derivative fails the check is ringed in red with
both numbers, and double-clicking one of the program's gates opens its body as a graph of its own.

`GateMarks` watches an `AppState` and its `GraphView` (it owns no engine logic: the numbers are
`core.gradcheck`'s `GateCheck`s, computed in the background as the inputs panel asks for them).
Its marks are child items of the node items, so they go when the view rebuilds its scene.
`GateBodyDialog` shows the body with the values the call received, in a `GraphView` and a `Player`
of its own: the body is an ordinary graph, stepped like any other.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

import core
from graphviz_app.debugger.graph_items import GateRing, NodeItem
from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.numbers import number
from graphviz_app.theme import colors
from graphviz_app.widgets.player import Player

RETRY_MS = 300  # the check, or the view's items, may not be there yet: look again
RETRIES = 40  # then give up until the graph or the values change (a check that keeps failing)


def verdict(check: core.GateCheck) -> str:
    """The wrong derivatives of one gate in words: "your derivative: 0.2689; finite differences: 0.1966"."""
    wrong = [(name, arg) for name, arg in check.arguments.items() if not arg.ok]
    several = len(check.arguments) > 1
    return "\n".join(
        (f"∂{check.name}/∂{name} — " if several else "")
        + f"your derivative: {number(arg.analytic)}; finite differences: {number(arg.numeric)}"
        for name, arg in wrong
    )


class _WrongMark(GateRing):
    """A red ring round a gate and, above it, what its derivative gave against finite differences."""

    def __init__(self, node: NodeItem, text: str, colour: str) -> None:
        super().__init__(node, colour, margin=7, width=4, dashed=False, z=5)
        self.text = text
        self.font = QFont()
        self.font.setPointSizeF(12)
        self.font.setBold(True)
        metrics = QFontMetricsF(self.font)
        lines = text.splitlines()
        width = max(metrics.horizontalAdvance(line) for line in lines) + 16
        height = metrics.height() * len(lines) + 8
        self.box = QRectF(-width / 2, self.ring.top() - 8 - height, width, height)
        self.setToolTip(f"the gate's derivative disagrees with finite differences of its body\n{text}")

    def boundingRect(self) -> QRectF:
        return super().boundingRect().united(self.box.adjusted(-4, -4, 4, 4))

    def paint(self, painter: QPainter, option: object, widget: QWidget | None = None) -> None:
        super().paint(painter, option, widget)
        background = QColor("white")
        background.setAlpha(235)
        painter.setPen(QPen(self.colour, 2))
        painter.setBrush(QBrush(background))
        painter.drawRoundedRect(self.box, 6, 6)
        painter.setFont(self.font)
        painter.setPen(QColor("#1b1f24"))
        painter.drawText(self.box, Qt.AlignmentFlag.AlignCenter, self.text)


class GateMarks(QObject):
    """Marks the wrong gates of `view`'s graph and opens a program gate's body on double-click."""

    def __init__(self, state: AppState, view: GraphView) -> None:
        super().__init__(view)
        self.state, self.view = state, view
        self.marks: dict[int, _WrongMark] = {}
        self.dialogs: list[GateBodyDialog] = []
        self._tries = 0
        self._retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self.show_marks)
        view.viewport().installEventFilter(self)
        view.sig_scene_rebuilt.connect(self._on_graph_changed)  # laid out again: new items to ring
        observe(
            self,
            [
                (state.sig_graph_changed, self._on_graph_changed),
                (state.sig_values_changed, self._on_values_changed),
                (state.sig_gradcheck_ready, self.show_marks),
                (state.sig_theme_changed, self._on_values_changed),
            ],
        )
        self._on_graph_changed()

    def _has_gates(self) -> bool:
        return any(node.fold is not None for node in self.state.graph.gates)

    def _on_graph_changed(self) -> None:
        self.marks.clear()  # the view disposes of the old items, ours with them
        self._look_again(fresh=True)

    def _on_values_changed(self, *_: object) -> None:
        self._clear()
        self._look_again(fresh=True)

    def _look_again(self, fresh: bool = False) -> None:
        self._tries = 0 if fresh else self._tries + 1
        if self._has_gates() and self._tries < RETRIES:
            self._retry.start()

    def _clear(self) -> None:
        for mark in self.marks.values():
            scene = mark.scene()
            if scene is not None:
                scene.removeItem(mark)
        self.marks.clear()

    def show_marks(self) -> None:
        """Ring every gate the current check finds wrong (asks for the check; comes back when it is there)."""
        if not self._has_gates():
            return
        check = self.state.gradcheck()
        items = self.view.node_items()
        if check is None or self.state.building or any(g.node not in items for g in check.gates):
            self._look_again()
            return
        self._clear()
        c = colors(self.state.dark)
        for gate in check.gates:
            if not gate.ok:
                self.marks[gate.node] = _WrongMark(items[gate.node], verdict(gate), c.bad)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick:
            node = self._gate_at(event.position().toPoint())  # type: ignore[attr-defined]
            if node is not None:
                self.open_body(node)
                return True
        return False

    def _gate_at(self, point: object) -> int | None:
        item = self.view.itemAt(point)  # type: ignore[call-overload]
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if item is None or item.node.fold is None or not item.node.fold.defined:
            return None
        return int(item.node.id)

    def open_body(self, node_id: int) -> GateBodyDialog:
        """Show the body of gate `node_id` with the values its call received."""
        check = self.state.gradcheck()
        gate_check = next((g for g in check.gates if g.node == node_id), None) if check is not None else None
        dialog = GateBodyDialog(self.state, node_id, gate_check, self.view.window())
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]
        dialog.show()
        return dialog


class GateBodyDialog(QDialog):
    """One call of a program's gate, opened: its body as a graph, with the values of this call."""

    def __init__(
        self, state: AppState, node_id: int, check: core.GateCheck | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        node = state.graph.nodes[node_id]
        fold = node.fold
        assert fold is not None
        body = fold.body
        values = state.result.values
        arguments = {name: float(values[a]) for name, a in zip(body.inputs, node.args)}
        self.setWindowTitle(f"Inside {fold.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.body_state = AppState("x", theme=state.theme)
        self.body_state.set_expression(body.source, arguments, graph=body)
        self.body_state.run_to_end()
        self.header = QLabel(self._header(fold, arguments, float(values[node_id]), check, state.dark))
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.view = GraphView(self.body_state)
        self.player = Player(self.body_state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.player)
        self.marks = GateMarks(self.body_state, self.view)  # a gate inside opens the same way
        self.resize(900, 560)

    @staticmethod
    def _header(
        fold: core.Fold, arguments: dict[str, float], out: float, check: core.GateCheck | None, dark: bool
    ) -> str:
        c = colors(dark)
        names = ", ".join(arguments)
        at = ", ".join(f"{name} = {number(v)}" for name, v in arguments.items())
        lines = [
            f"<b style='font-size:14pt'>{html.escape(f'{fold.name}({names}) = {fold.body.source}')}</b>",
            f"this call: {html.escape(at)} → out = {number(out)}",
        ]
        texts = fold.derivative_texts
        for name in arguments:
            given, d = texts.get(name), f"∂{fold.name}/∂{name}"
            rule = f"your derivative {d} = {given}" if given else f"{d} through the body"
            line = html.escape(rule)
            if check is not None and name in check.arguments:
                arg = check.arguments[name]
                colour = c.ok if arg.ok else c.bad
                mark = "✓" if arg.ok else "✗"
                line += (
                    f": <b style='color:{colour}'>{mark} {number(arg.analytic)}</b>; "
                    f"finite differences of the body: {number(arg.numeric)}"
                )
            lines.append(line)
        lines.append(f"<span style='color:{c.muted}'>the gradients below are ∂out/∂(each node of the body)</span>")
        return "<div style='font-size:12pt'>" + "<br>".join(lines) + "</div>"
