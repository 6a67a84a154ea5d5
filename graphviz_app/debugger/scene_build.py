"""Making the graph canvas's scene: items for a new graph, under a hidden root swapped in when complete.

A mixin of `GraphView` (it uses the view's state and fields): a small graph is made at once, a big
one a slice per event-loop turn while the old graph stays on screen; old scenes are disposed of
in slices too.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsItem

from graphviz_app.debugger import collector
from graphviz_app.debugger.canvas_metrics import (
    AFTER_SHOWING_MS,
    CHUNK_ITEMS,
    DISPOSE_AFTER_MS,
    FIT_MARGIN,
    LABEL_ROOM,
    LAYER_PX,
    MAX_LABEL_GROWTH,
    SLICE_ITEMS,
    SLICE_S,
    SLOT_PX,
    STUB_PX,
    SYNC_ITEMS,
)
from graphviz_app.debugger.gate_names import graph_caption, node_names
from graphviz_app.debugger.graph_items import EdgeItem, EdgeLabel, GraphRoot, NodeItem, label_font
from graphviz_app.debugger.label_placement import MAX_SEARCHED_EDGES, grown, label_half, quick_place
from graphviz_app.debugger.scene_tiles import SceneTiles

_NEXT_TURN = object()  # yielded by a scene being made: the rest in a turn of its own


class DrawnEdge:
    """One drawn edge (arg → node, or the output's stub when node is None) and its two labels."""

    def __init__(self, arg: int, node: int | None, item: EdgeItem, value: EdgeLabel, grad: EdgeLabel) -> None:
        self.arg, self.node, self.item, self.value, self.grad = arg, node, item, value, grad
        self.room = (0.0, 0.0)  # the half widths its labels' places were searched for (at text size 1)
        self.shown: tuple | None = None  # the numbers the labels show, so unchanged edges are skipped


class SceneBuild:
    """The scene-making half of `GraphView` (see the module's docstring)."""

    def _rebuild(self) -> None:
        """A new graph: new items, placed from the state's drawing scaled to pixels.

        They go under a new hidden root item and replace the old graph's root when complete. A small
        graph is made at once; a big one a slice per event-loop turn while the old graph stays on
        screen, so the window never stalls.
        """
        self._finish_animation()
        self._chunk_timer.stop()
        self._generation += 1
        self._cancel_label_search()
        if self._building is not None:  # a newer graph replaces one still being drawn
            self._building = None
            collector.resume()
            self._dispose(self._pending_root)
        # A fixed rect while items arrive: without one the scene measures all its items again on every
        # event-loop turn to grow its rect.
        self._scene.setSceneRect(self._scene.sceneRect().united(self._expected_rect()))
        root = GraphRoot()
        # Unseen until complete by its opacity, not its visibility: showing a hidden root walks all its
        # children through Python (two virtual calls each), ~60 ms for a 5,000-node graph; a fully
        # transparent one is skipped by paints and by the scene's item lookups alike.
        root.setOpacity(0.0)
        nodes: dict[int, NodeItem] = {}
        copies: dict[int, list[NodeItem]] = {}
        edges: list[DrawnEdge] = []
        steps = self._make_items(root, nodes, copies, edges)
        if len(self.state.graph.nodes) <= SYNC_ITEMS:
            for _ in steps:
                pass
            self._scene.addItem(root)  # with all its items at once: a third cheaper than one by one
            self._show_root(root, nodes, copies, edges)
            return
        self._scene.addItem(root)
        collector.pause()  # until the scene is complete (see collector)
        self._pending_root = root
        self._building = self._chunks(steps, root, nodes, copies, edges)
        self._busy = (f"drawing {len(self.state.graph.nodes):,} nodes", 0.0)
        self._busy_timer.start()
        self._chunk_timer.start()

    def _expected_rect(self) -> QRectF:
        """Roughly where the items will be (wide pills not counted), from the layers and slots alone."""
        drawing = self.state.drawing
        assert drawing is not None
        points = [*drawing.positions.values(), *drawing.copies.values()]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        left, right = (min(xs) - 1) * LAYER_PX, (max(xs) + 1) * LAYER_PX * 1.2 + STUB_PX
        return QRectF(left, (min(ys) - 1) * SLOT_PX, right - left, (max(ys) - min(ys) + 2) * SLOT_PX)

    def _chunks(self, steps, root, nodes, copies, edges) -> Iterator[object]:
        yield from steps
        self._chunk_labels = self._labels_key()
        yield from self._relabel_items(nodes, copies, edges, chunk=SLICE_ITEMS)
        rect = QRectF()
        every = [*nodes.values(), *(c for group in copies.values() for c in group), *(e.item for e in edges)]
        for start in range(0, len(every), 10 * SLICE_ITEMS):
            for item in every[start : start + 10 * SLICE_ITEMS]:
                rect = rect.united(item.sceneBoundingRect())
            yield
        for count, edge in enumerate(edges, 1):
            for label in (edge.value, edge.grad):
                rect = rect.united(QRectF(label.pos() - LABEL_ROOM / 2, label.pos() + LABEL_ROOM / 2))
            if count % (5 * SLICE_ITEMS) == 0:
                yield
        self._graph_rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        yield
        # The labels' size for the zoom fit() will choose, set now in slices rather than all at once then.
        zoom = self._fit_zoom(self._graph_rect)
        growth, shown = self._label_look(zoom)
        for count, edge in enumerate(edges, 1):
            for label in (edge.value, edge.grad):
                label.setScale(growth * self.text_scale)
                label.set_zoomed_out(not shown)
            if count % (5 * SLICE_ITEMS) == 0:
                yield
        self._label_growth, self._labels_shown = growth, shown
        old_items = self._top_level_items()
        yield _NEXT_TURN  # showing is followed by the new graph's first paint, its dearest: a turn of its own
        self._show_root(root, nodes, copies, edges, old_items)

    def _build_chunk(self) -> None:
        if self._building is None:
            return
        deadline = time.perf_counter() + SLICE_S
        try:
            while time.perf_counter() < deadline and self._building is not None:
                if next(self._building) is _NEXT_TURN:
                    break
        except StopIteration:
            self._busy_timer.stop()
            self.progress.hide()
            return
        self._chunk_timer.start()

    @property
    def drawing_scene(self) -> bool:
        """Whether a new scene is still being made (the old graph is on screen meanwhile)."""
        return self._building is not None

    def _dispose(self, old: QGraphicsItem, items: list[QGraphicsItem] | None = None) -> None:
        """Delete an old graph's root item; a big graph item by item over several event-loop turns (at
        once it would freeze the window as long as making it did). `items`: its children, if known."""
        if items is None:  # a big graph's children are its tiles: their items go one by one too
            items = [c for child in old.childItems() for c in (child, *child.childItems())]  # from the end
        if len(items) <= 4 * CHUNK_ITEMS:
            self._scene.removeItem(old)  # back to Python: deleted with its children when dropped
            return
        old.setOpacity(0.0)
        self._old_roots.append((old, items))
        if not self._dispose_timer.isActive():
            # Not in the turn that paints the new graph first (its dearest paint): a little later.
            self._dispose_timer.start(DISPOSE_AFTER_MS)

    def _top_level_items(self) -> list[QGraphicsItem]:
        """The shown graph's items (the root's children)."""
        items: list[QGraphicsItem] = [*self._nodes.values(), *(c for group in self._copies.values() for c in group)]
        for edge in self._edges:
            items += (edge.item, edge.value, edge.grad)
        return items

    def _dispose_chunk(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        while self._old_roots and time.perf_counter() < deadline:
            root, items = self._old_roots[0]
            for item in items[-SLICE_ITEMS:]:
                self._scene.removeItem(item)  # back to Python, which deletes it with the last reference
            del items[-SLICE_ITEMS:]
            if not items:
                self._old_roots.pop(0)
                self._scene.removeItem(root)
        if self._old_roots:
            self._dispose_timer.start(0)

    def _show_root(self, root: QGraphicsItem, nodes, copies, edges, old_items: list | None = None) -> None:
        old = self._root
        old_items = self._top_level_items() if old_items is None else old_items
        self._root, self._nodes, self._copies, self._edges = root, nodes, copies, edges
        self._overview, self._overview_shown = None, False
        chunked = self._building is not None
        if not chunked:
            shapes = self._shapes_rect[1] if self._shapes_rect and self._shapes_rect[0] is edges else None
            self._graph_rect = self._measure(nodes, copies, edges, shapes)
            self._label_growth, self._labels_shown = -1.0, True  # new labels: fit() sizes them
        old.setOpacity(0.0)
        root.setOpacity(1.0)
        # The whole view changes: say so (a null rect). Then the scene drops its queued walk over every
        # item of both roots to find what changed where (a virtual call into Python per item: ~90 ms
        # for a 5,000-node graph) and simply repaints the view.
        self._scene.update()
        self._dispose(old, old_items)
        self._scene.setSceneRect(self.graph_rect().adjusted(-600, -400, 600, 400))  # room to pan
        self._shown_cursor = self.state.cursor
        if chunked:  # the rest once the new graph is painted: each turn stays short
            self.fit()  # now, so that the first paint shows the new graph where it stays (one paint, not two)
            building = self._building
            # After the first paint (`paintEvent`): the collector's resume lets the gradient check
            # start on a worker, which would take the GIL from that paint. Later anyway (a hidden view).
            self._after_paint = lambda: self._after_showing(building)
            QTimer.singleShot(AFTER_SHOWING_MS, self._after_paint)
        else:
            self._after_showing(None)
        self.sig_scene_rebuilt.emit()

    def _after_showing(self, building: Iterator[object] | None) -> None:
        if building is not self._building:
            return  # a newer graph is being drawn already
        self._after_paint = None
        if building is not None:
            collector.resume(settle=True)
        self._building = None
        now, then = self._labels_key(), self._chunk_labels
        if building is None or not then or now[0] is not then[0] or now[1:] != then[1:]:
            # A chunked build relabelled its items as it made them: again only if what they show
            # changed since (a loop over 5,000 nodes that all stay the same is still 15 ms).
            self.relabel()
        if building is None:
            self.fit()  # a chunked build was fitted when shown

    def _make_items(self, root: QGraphicsItem, nodes, copies, edges) -> Iterator[None]:
        """Make the items of the state's graph under `root`, yielding every SLICE_ITEMS or so."""
        graph, drawing, p = self.state.graph, self.state.drawing, self.scheme
        assert drawing is not None
        self.setBackgroundBrush(p.background)
        names = node_names(graph)
        yield  # ~10 ms for a 5,000-node graph
        # A big graph's items go into tiles by where they are (scene_tiles), once their places are known.
        tiles = SceneTiles(root) if len(graph.nodes) > CHUNK_ITEMS else None
        for made, node in enumerate(graph.nodes, 1):
            caption = graph_caption(graph, node.id, names)
            fans_out = len(graph.users[node.id]) > 1
            parent = root if tiles is None else None
            item = NodeItem(node, node.id == graph.output, p, fans_out=fans_out, caption=caption, parent=parent)
            nodes[node.id] = item
            if made % SLICE_ITEMS == 0:
                yield
        copy_at: dict[tuple[int, tuple[float, float]], NodeItem] = {}
        for leaf, points in drawing.copies_of().items():
            group = [nodes[leaf]]
            for at in points:
                item = NodeItem(nodes[leaf].node, False, p, copy_count=len(points), parent=parent)
                copy_at[(leaf, at)] = item
                group.append(item)
                if len(copy_at) % SLICE_ITEMS == 0:
                    yield  # a weight of a deep chain has hundreds of copies
            for item in group:
                item.linked = group
            copies[leaf] = group[1:]
            yield
        positions = {i: drawing.positions.get(i, (0.0, 0.0)) for i in nodes}
        gaps, slot = self._label_gaps(nodes, positions)
        yield  # each of the two is ~10 ms for a 5,000-node graph
        layer_x = self._layer_x(nodes, positions, gaps)
        yield
        for count, (node_id, (x, y)) in enumerate(positions.items(), 1):
            nodes[node_id].setPos(layer_x[round(x)], y * slot)
            if tiles is not None:
                tiles.add(nodes[node_id], nodes[node_id].zValue(), nodes[node_id].sceneBoundingRect())
            if count % (10 * SLICE_ITEMS) == 0:
                yield
        yield
        for count, ((_leaf, (x, y)), item) in enumerate(copy_at.items(), 1):
            item.setPos(layer_x[round(x)], y * slot)
            if tiles is not None:
                tiles.add(item, item.zValue(), item.sceneBoundingRect())
            if count % (10 * SLICE_ITEMS) == 0:
                yield
        yield
        # Each edge's labels go at its preferred spot at once (the search below may move them): nearer
        # their sources where edges converge, nearer their targets where they diverge.
        fan_in = {n.id: len(set(n.args)) for n in graph.nodes}
        small = len(nodes) <= CHUNK_ITEMS  # its labels are placed again below, for the size they are shown at
        scale = 1.0 if small else MAX_LABEL_GROWTH * self.text_scale  # a big graph is fitted at MIN_FIT_ZOOM
        half = grown(label_half(label_font()), scale)
        segments: list[list[tuple[QPointF, QPointF]]] = []  # kept for small graphs only: a big one's
        preferred: list[float] = []  # thousands of points, freed at once at the end, took ~40 ms

        def add(arg: int, user: int | None, ends: list[QPointF], uses: int = 1) -> None:
            edge = self._add_edge(root, arg, user, ends, uses, tiles)
            edges.append(edge)
            pieces = list(itertools.pairwise(ends))
            t = 0.5 + 0.1 * (len(graph.users[arg]) > 1) - 0.15 * (user is not None and fan_in[user] > 1)
            if small:  # placed below, once the size they are shown at is known
                segments.append(pieces)
                preferred.append(t)
                return
            value_pos, grad_pos = quick_place(pieces, t, half)
            edge.value.setPos(value_pos)
            edge.grad.setPos(grad_pos)
            edge.room = (half[0] / scale, half[0] / scale)
            if tiles is not None:
                for label in (edge.value, edge.grad):  # empty yet: the room a typical number takes
                    tiles.add(label, label.zValue(), QRectF(label.pos() - LABEL_ROOM / 2, label.pos() + LABEL_ROOM / 2))

        work = 0
        for (arg, user), points in drawing.bends.items():
            at = drawing.copies.get((arg, user))
            src, dst = (nodes[arg] if at is None else copy_at[(arg, at)]), nodes[user]
            middle = [QPointF(layer_x[round(x)], y * slot) for x, y in points]
            ends = [
                src.boundary_point(middle[0] if middle else dst.pos()),
                *middle,
                dst.boundary_point(middle[-1] if middle else src.pos()),
            ]
            add(arg, user, ends, nodes[user].node.args.count(arg))
            work += 4 + len(middle)  # a long edge bends at every layer it crosses: its path costs more
            if work >= 2 * SLICE_ITEMS:
                work = 0
                yield
        out = nodes[graph.output]
        tip = out.pos() + QPointF(out.half.x() + 6 + STUB_PX, 0)
        add(graph.output, None, [out.boundary_point(tip), tip])
        if tiles is not None:
            tiles.close()
        yield
        if small:
            # Placed again for the size the labels will be shown at (grown when the fit zooms out,
            # times the text size): grown after being placed, they would run into each other and into
            # the nodes. Only now is the graph's size, and so the fit's zoom, known.
            self._shapes_rect = (edges, self._union(nodes, edges))  # measured once, kept for _measure
            scale = self._label_look(self._fit_zoom(self._items_rect(self._shapes_rect[1])))[0] * self.text_scale
            half = grown(label_half(label_font()), scale)
            for count, (edge, pieces, t) in enumerate(zip(edges, segments, preferred), 1):
                edge.room = (half[0] / scale, half[0] / scale)
                value_pos, grad_pos = quick_place(pieces, t, half)
                edge.value.setPos(value_pos)
                edge.grad.setPos(grad_pos)
                if count % SLICE_ITEMS == 0:
                    yield
        self._placed_scale = scale
        if len(edges) > MAX_SEARCHED_EDGES:
            self._labels_input = None
            return
        obstacles = [n.mapRectToScene(n.body_rect()) for n in nodes.values()]
        obstacles += [e.item.badge for e in edges if e.item.uses > 1]
        self._labels_input = (edges, segments, obstacles, preferred)
        self._place_labels(scale)

    def _add_edge(
        self,
        root: QGraphicsItem,
        arg: int,
        node: int | None,
        points: list[QPointF],
        uses: int = 1,
        tiles: SceneTiles | None = None,
    ) -> DrawnEdge:
        """An edge and its two labels; in a tiled scene the labels join their tiles once placed."""
        p = self.scheme
        parent = root if tiles is None else None
        item = EdgeItem(points, p, uses, parent=parent)
        value, grad = EdgeLabel(p.value, p, parent=parent), EdgeLabel(p.grad, p, parent=parent)
        if tiles is not None:
            tiles.add(item, item.zValue(), item.sceneBoundingRect())
        return DrawnEdge(arg, node, item, value, grad)

    @staticmethod
    def _union(nodes: dict[int, NodeItem], edges: list[DrawnEdge]) -> QRectF:
        """Where the nodes and edges are (not the leaves' copies, not the labels)."""
        rect = QRectF()
        for item in (*nodes.values(), *(e.item for e in edges)):
            rect = rect.united(item.sceneBoundingRect())
        return rect

    @staticmethod
    def _measure(
        nodes: dict[int, NodeItem],
        copies: dict[int, list[NodeItem]],
        edges: list[DrawnEdge],
        shapes: QRectF | None = None,
    ) -> QRectF:
        """The graph's frame: its items, and its labels' room. `shapes`: `_union(nodes, edges)`, if known."""
        rect = SceneBuild._union(nodes, edges) if shapes is None else QRectF(shapes)
        for item in (c for group in copies.values() for c in group):
            rect = rect.united(item.sceneBoundingRect())
        half = LABEL_ROOM / 2
        for edge in edges:
            for label in (edge.value, edge.grad):
                at = label.pos()
                rect = rect.united(QRectF(at - half, at + half))
        return rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
