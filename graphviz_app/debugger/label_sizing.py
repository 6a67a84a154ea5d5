"""How big the graph canvas's edge numbers are and where they go: room between layers, slot height,
and the search for clear spots (label_placement, on a worker).

A mixin of `GraphView`: the gaps between layers hold the widest number of an edge joining them at
the size it is shown (grown by the fit's zoom, times the text size).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from core.trace import TraceState
from graphviz_app.debugger.canvas_metrics import (
    CHUNK_ITEMS,
    FIT_MARGIN,
    LABEL_ROOM,
    LABELS_KEY,
    LAYER_PX,
    MIN_FIT_ZOOM,
    PLACE_ROOM,
    REPLACE_RATIO,
    SLOT_PX,
    STUB_PX,
)
from graphviz_app.debugger.graph_items import NodeItem, label_font
from graphviz_app.debugger.label_placement import NODE_CLEARANCE, grown, place_edge_labels, text_half
from graphviz_app.jobs import InlineRunner
from graphviz_app.numbers import edge as format_number


class LabelSizing:
    """The label-sizing half of `GraphView` (see the module's docstring)."""

    def _label_gaps(
        self, nodes: dict[int, NodeItem], positions: dict[int, tuple[float, float]]
    ) -> tuple[dict[int, float], float]:
        """{layer: room between it and the next layer for the widest number of an edge joining them},
        and the pixels between slots: more than SLOT_PX (as much as the labels grow) where the view
        has height to spare, since a fitted graph is usually as wide as the view, not as high.

        An edge between neighbouring layers has nowhere else for its numbers: the gap must hold them at
        the size they are shown (grown by the fit's zoom, times the text size), which depends on the
        graph's width, so the sizes are settled in a few rounds. Big graphs keep LAYER_PX (speed)."""
        drawing = self.state.drawing
        assert drawing is not None
        if len(nodes) > CHUNK_ITEMS:
            return {}, SLOT_PX
        font, widest, final = label_font(), {0: 0.0}, self._final_state()
        for (arg, user), points in drawing.bends.items():
            at = drawing.copies.get((arg, user))
            start = round((at or positions[arg])[0])
            if points or round(positions[user][0]) != start + 1:
                continue
            texts = [format_number(x) for x in self._final_numbers(final, arg, user) if x is not None]
            width = 2 * text_half(font, texts)[0]
            widest[start] = max(widest.get(start, 0.0), width)
        ys = [y for _, y in positions.values()]
        rows, fixed = max(ys) - min(ys), 2 * (NodeItem.GATE_RADIUS + 48 + FIT_MARGIN)
        scale, slot = self.text_scale, SLOT_PX
        view = self.viewport().rect()
        self._laid_out_unseen = not self.isVisible()  # sized for a view not on screen yet: done again then
        for _ in range(3):
            gaps = {layer: width * scale for layer, width in widest.items()}
            xs = self._layer_x(nodes, positions, gaps).values()
            width = max(xs) - min(xs) + 2 * (NodeItem.GATE_RADIUS + FIT_MARGIN) + STUB_PX + LABEL_ROOM.x()
            spare = view.height() * width / max(view.width(), 1) - fixed  # the height the width's zoom shows
            slot = min(max(SLOT_PX, spare / rows if rows else SLOT_PX), SLOT_PX * max(1.0, scale))
            zoom = self._fit_zoom(QRectF(0, 0, width, rows * slot + fixed))
            if zoom <= MIN_FIT_ZOOM:  # shown in part anyway (following the steps): room costs no size
                slot = SLOT_PX * max(1.0, scale)
            scale = self._label_look(zoom)[0] * self.text_scale
        return {layer: width * scale for layer, width in widest.items()}, slot

    def _layer_x(
        self,
        nodes: dict[int, NodeItem],
        positions: dict[int, tuple[float, float]],
        label_gaps: dict[int, float] | None = None,
    ) -> dict[int, float]:
        """Pixel x of each layer: LAYER_PX apart, plus room for wide nodes (pills like `softplus`) and
        for wide numbers between neighbouring layers (`label_gaps`)."""
        label_gaps = label_gaps or {}
        free = LAYER_PX - 2 * NodeItem.GATE_RADIUS - 2 * NODE_CLEARANCE - 6  # what a gap holds already
        extra: dict[int, float] = {}
        for node_id, (x, _) in positions.items():
            excess = max(0.0, nodes[node_id].half.x() - NodeItem.GATE_RADIUS)
            extra[round(x)] = max(extra.get(round(x), 0.0), excess)
        layers = range(min(extra, default=0) - 1, max(extra, default=0) + 1)  # copies may sit left of 0
        xs, x = {}, 0.0
        for layer in layers:
            x += extra.get(layer, 0.0) if xs else 0.0
            xs[layer] = x
            x += extra.get(layer, 0.0) + LAYER_PX + max(0.0, label_gaps.get(layer, 0.0) - free)
        return xs

    @staticmethod
    def _items_rect(shapes: QRectF) -> QRectF:
        """Roughly what graph_rect() will be, before the labels have their places, from where the
        nodes and edges are (`SceneBuild._union`)."""
        room = LABEL_ROOM.y() + FIT_MARGIN
        return shapes.adjusted(-room, -room, room, room)

    def _place_labels(self, scale: float) -> None:
        """Search spots for the edge numbers shown `scale` times their size, clear of each other and the
        nodes (in the runner: label_placement is plain geometry); they move there when found."""
        if self._labels_input is None:
            return
        edges, segments, obstacles, preferred = self._labels_input
        scale *= PLACE_ROOM
        self._placed_scale = scale
        # Each edge's boxes are as wide as the widest of its numbers (a typical one at least), as
        # shown at the end of the trace: every number is on screen then.
        font, halves, final = label_font(), [], self._final_state()
        for edge in edges:
            numbers = self._final_numbers(final, edge.arg, edge.node)
            pair = []
            for label, number in zip((edge.value, edge.grad), numbers):
                pair.append(text_half(font, [label.text] + ([format_number(number)] if number is not None else [])))
            edge.room = (pair[0][0], pair[1][0])
            halves.append((grown(pair[0], scale), grown(pair[1], scale)))
        generation = self._generation

        def placed(places: list[tuple[QPointF, QPointF]]) -> None:
            if generation != self._generation:
                return  # a newer graph replaced these edges
            for edge, (value_pos, grad_pos) in zip(edges, places):
                edge.value.setPos(value_pos)
                edge.grad.setPos(grad_pos)
            if edges is self._edges:  # already on screen: its frame may have changed a little
                self._graph_rect = None
                if self._auto_fit:
                    self.fit()

        def search() -> None:
            if generation != self._generation:
                return
            self.state.runner.submit(
                LABELS_KEY,
                lambda job: place_edge_labels(segments, obstacles, halves, preferred, job.progress),
                placed,
                lambda e: None,
            )

        if isinstance(self.state.runner, InlineRunner) or edges is self._edges:
            search()  # nothing runs beside it, or the scene is on screen already
        else:
            self._label_search = search  # a new scene: started once it is painted (`paintEvent`)

    def _place_labels_again(self) -> None:
        """The labels are shown at a size far from the one they were placed for (the window was
        resized, the text size changed, the wheel zoomed far out): place them for this size."""
        shown = self._label_growth * self.text_scale
        if (
            self._labels_input is not None
            and self._labels_input[0] is self._edges
            and (self._off_size(shown) or self._labels_outgrown)
        ):
            self._labels_outgrown = False
            self._place_labels(shown)

    def _off_size(self, shown: float) -> bool:
        return shown > 0 and not self._placed_scale / REPLACE_RATIO <= shown <= self._placed_scale

    def _final_state(self) -> TraceState:
        """The trace played to its end (every number is on screen then): made once per trace, since
        `trace.state(k)` replays k steps and the sizing asks twice per build."""
        trace = self.state.trace
        if self._final is None or self._final[0] is not trace:
            self._final = (trace, trace.state(self.state.step_count))
        return self._final[1]

    def _final_numbers(self, final: TraceState, arg: int, node: int | None) -> list[float | None]:
        """The numbers an edge carries in `final`, the trace played to its end (value, and gradient or
        tangent). `final` is made once by the caller: `trace.state(k)` replays k steps."""
        if self.state.trace.mode == "forward":
            second = final.tangents.get(arg)
        else:
            second = final.grads.get(arg) if node is None else final.edge_grads.get((arg, node))
        return [final.values.get(arg), second]

    def _cancel_label_search(self) -> None:
        self._label_search = None
        self.state.runner.cancel(LABELS_KEY)
