"""Relabeling the graph canvas: the values and gradients at the cursor, texts and colours only.

A mixin of `GraphView`: items whose numbers did not change are skipped, so a step of a 5,000-node
graph costs as little as one of a small graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from PySide6.QtGui import QColor

from graphviz_app import numbers
from graphviz_app.debugger.graph_items import DARK, EdgeLabel, NodeItem
from graphviz_app.debugger.scene_build import DrawnEdge
from graphviz_app.debugger.tangents import tangent_colour
from graphviz_app.numbers import edge as format_number


class Relabel:
    """The relabeling part of `GraphView` (see the module's docstring)."""

    def relabel(self) -> None:
        """Show the values and gradients at the cursor; items whose numbers did not change are skipped
        (a step changes a few nodes, so a 5,000-node graph steps as fast as a small one)."""
        if self._building is not None:
            return  # the items on screen belong to the old graph until the new scene is complete
        for _ in self._relabel_items(self._nodes, self._copies, self._edges):
            pass

    def _relabel_items(
        self, nodes: dict[int, NodeItem], copies: dict[int, list[NodeItem]], edges: list[DrawnEdge], chunk: int = 0
    ) -> Iterator[None]:
        """Relabel these items, yielding after every `chunk` of them (0: never)."""
        st = self.state.state()
        p, graph = self.scheme, self.state.graph
        # At the start of the backward phase no step has been played yet: nothing is "current".
        started = self.state.cursor > self.state.first_step or self.state.phase != "backward"
        current = st.step.node if st.step is not None and self.highlight_current and started else None
        values, grads, edge_grads = st.values, st.grads, st.edge_grads
        # Forward mode: the number under each edge is the tangent it carries, in the tangents' colour.
        forward_mode = self.state.trace.mode == "forward"
        tangent = QColor(tangent_colour(self.scheme is DARK))
        # Where a nan began is marked, and the way it went lit, once the step that made it is played.
        origin = self.state.origin
        began = origin is not None and self.state.cursor >= origin.cursor
        origins = origin.nodes if began and origin is not None else frozenset()
        path = origin.edges if began and origin is not None else frozenset()
        for count, node in enumerate(graph.nodes, 1):
            if chunk and count % chunk == 0:
                yield
            value, grad = values.get(node.id), grads.get(node.id)
            status = "pending" if value is None else "done"
            if node.id == current:
                status = st.step.phase
            item = nodes[node.id]
            shown = (value, grad, status, p, node.id in origins)
            if item.shown == shown:
                continue
            item.shown = shown
            bad = any(v is not None and not math.isfinite(v) for v in (value, grad))
            item.set_status(status, bad, "" if grad is None or not item.fans_out else "Σ " + format_number(grad))
            item.set_origin(node.id in origins)
            item.numbers = (value, grad)  # the tooltip is made from them when hovered
            for copy in copies.get(node.id, ()):
                copy.set_status(status, bad)
                copy.numbers = (value, grad)
        for count, edge in enumerate(edges, 1):
            if chunk and count % chunk == 0:
                yield
            value = values.get(edge.arg)
            if forward_mode:
                grad = st.tangents.get(edge.arg) if value is not None else None
            else:
                grad = grads.get(edge.arg) if edge.node is None else edge_grads.get((edge.arg, edge.node))
            pending = (edge.node if edge.node is not None else edge.arg) not in values
            # The way lights up as the nan travels it: a value once its edge carries it, a gradient likewise.
            carried = edge.arg in values if origin is not None and origin.problem.where == "value" else grad is not None
            on_path = (edge.arg, edge.node) in path and carried
            shown = (value, grad, pending, p, on_path, forward_mode)
            if edge.shown == shown:
                continue
            edge.shown = shown
            if edge.node is None:
                grad_text = "" if grad is None else numbers.seed(grad)
            else:
                grad_text = "" if grad is None else format_number(grad)
            edge.item.set_pending(pending)
            edge.item.set_on_nan_path(on_path)
            self._set_label(edge.value, value, "" if value is None else format_number(value), p.value, "value")
            if forward_mode:
                self._set_label(edge.grad, grad, "" if grad is None else format_number(grad), tangent, "tangent")
            else:
                self._set_label(edge.grad, grad, grad_text, p.grad, "gradient")
            if edge.value.half_width > edge.room[0] + 0.5 or edge.grad.half_width > edge.room[1] + 0.5:
                edge.room = (math.inf, math.inf)  # once: placed again below, for the new widths
                self._labels_outgrown = True
        if self._labels_outgrown and edges is self._edges:
            self._replace_timer.start()

    def _labels_key(self) -> tuple:
        """What the labels show depends on: a new trace (new inputs, mode), the cursor, the phase, the look."""
        st = self.state
        return (st.trace, st.cursor, st.phase, st.mode, self.scheme, self.highlight_current)

    def _set_label(self, label: EdgeLabel, number: float | None, text: str, colour, what: str) -> None:
        ok = number is None or math.isfinite(number)
        label.set_text(text, colour if ok else self.scheme.warning, number, what)
