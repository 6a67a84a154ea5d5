"""The graph canvas of the debugger: the computational graph drawn like the lecture's backprop slides.

`GraphView(state)` observes an `AppState`: it rebuilds its items when the graph changes and only
relabels them (texts and colours) when the values or the cursor change, so stepping stays cheap.
Each edge carries its forward value above it (green) and the gradient sent back along it below it
(red); the current step's node glows, pending nodes are dimmed. When the cursor advances by one
step, the value (forward) or gradient (backward) travels along the edges as a moving dot.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolTip,
    QWidget,
)

from core.trace import TraceState
from graphviz_app import numbers
from graphviz_app.debugger import collector
from graphviz_app.debugger.gate_names import graph_caption, node_names
from graphviz_app.debugger.graph_items import (
    DARK,
    LIGHT,
    EdgeItem,
    EdgeLabel,
    GraphRoot,
    NodeItem,
    label_font,
)
from graphviz_app.debugger.label_placement import (
    MAX_SEARCHED_EDGES,
    NODE_CLEARANCE,
    grown,
    label_half,
    place_edge_labels,
    quick_place,
    text_half,
)
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.debugger.step_animation import StepAnimation
from graphviz_app.debugger.tangents import tangent_colour
from graphviz_app.jobs import InlineRunner
from graphviz_app.numbers import edge as format_number

# Spacing is as tight as the labels allow: the tighter the drawing, the larger fit() can show the text.
LAYER_PX = 140.0  # between layers: room for an edge label between two nodes
SLOT_PX = 125.0  # between slots: room for a value above and a gradient below each edge
STUB_PX = 120.0  # the output's outgoing stub edge
FIT_MARGIN = 30.0
MAX_FIT_ZOOM = 2.0  # a 3-node graph should not fill a projector wall
MIN_LABEL_SCREEN_PX = 12.5  # zoomed out, edge numbers grow (up to MAX_LABEL_GROWTH) to stay >= 12 px
MAX_LABEL_GROWTH = 1.6
LABEL_ROOM = QPointF(80.0, 26.0)  # the space a typical edge number takes
LABEL_ZOOM = 0.3  # zoomed out further, edge numbers are unreadable (< 6 px) and are not drawn
# Below this the numbers would be < 12 px even grown: fit() shows the current part of the graph instead.
MIN_FIT_ZOOM = MIN_LABEL_SCREEN_PX / (17 * MAX_LABEL_GROWTH)  # 17 px: label_font()
MIN_ZOOM, MAX_ZOOM = 0.002, 8.0  # a 5,000-node graph fits whole at about 0.004
OVERVIEW_ZOOM = 0.06  # zoomed out further, a big graph is drawn as one path (nodes are specks)
CHUNK_ITEMS = 400  # graphs with more nodes are big: labels placed quickly, fitted at MIN_FIT_ZOOM
# Graphs with more nodes than this get their scene made in slices of the event loop: made at once, a
# 375-node scene held the window for ~200 ms; a small one is on screen sooner made at once.
SYNC_ITEMS = 150
SLICE_ITEMS = 20  # items made between two looks at the clock
SLICE_S = 0.012  # then the event loop runs: the window stays responsive while a big scene is made
LABELS_KEY = "debugger.labels"
# Labels shown larger than the size their places were searched for (at all), or this much smaller, are
# placed again; places are searched for a little more than the size expected (PLACE_ROOM), so that the
# small change of zoom a search's result brings does not make them collide.
REPLACE_RATIO = 1.25
PLACE_ROOM = 1.04
BUSY_AFTER_MS = 300  # a build that takes longer shows its progress (and a Cancel button)


_K = Qt.Key
_SCROLL_KEYS = frozenset((_K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_PageUp, _K.Key_PageDown))


class BuildProgress(QWidget):
    """The strip over the canvas while a new graph is built: what happens, how far, and Cancel."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, objectName="buildProgress")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(220)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop building the new graph (Esc); the graph on screen stays")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel)
        self.setAutoFillBackground(True)
        self.hide()

    def show_progress(self, label: str, fraction: float) -> None:
        self.label.setText(label)
        self.bar.setValue(round(100 * fraction))
        self.adjustSize()
        self.move(12, 12)
        self.show()
        self.raise_()


class _Edge:
    """One drawn edge (arg → node, or the output's stub when node is None) and its two labels."""

    def __init__(self, arg: int, node: int | None, item: EdgeItem, value: EdgeLabel, grad: EdgeLabel) -> None:
        self.arg, self.node, self.item, self.value, self.grad = arg, node, item, value, grad
        self.room = (0.0, 0.0)  # the half widths its labels' places were searched for (at text size 1)
        self.shown: tuple | None = None  # the numbers the labels show, so unchanged edges are skipped


class _Scene(QGraphicsScene):
    """Tooltips made when hovered: the items' `toolTip()` builds the text from the numbers they hold,
    so a relabel (every step, every slider move) formats none of them."""

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        for item in self.items(event.scenePos()):
            tip = item.tip_at(item.mapFromScene(event.scenePos())) if isinstance(item, EdgeItem) else item.toolTip()
            if tip:
                QToolTip.showText(event.screenPos(), tip, event.widget())
                event.setAccepted(True)
                return
        QToolTip.hideText()
        event.setAccepted(False)


class GraphView(QGraphicsView):
    """Draws `state.graph` with the values and gradients known at `state.cursor`."""

    # New items are on screen (a new graph, or the same graph laid out again for a new view or text
    # size): what decorates the old items (selection rings, marks on wrong gates) is made again.
    sig_scene_rebuilt = Signal()

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.scheme = LIGHT
        self.animation_ms = 400
        self.highlight_current = True
        self._scene = _Scene(self)
        # No BSP index: building one walks every item at once (~60 ms for 15,000 items, also when a
        # view attaches); without it a paint scans the items in C++, about 1 ms per 1,500 items.
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setScene(self._scene)
        self._root: QGraphicsItem = GraphRoot()  # every item of the graph on screen is its child
        self._scene.addItem(self._root)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        # Panning is by dragging; scrollbars would only take room from the graph on a projector.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._nodes: dict[int, NodeItem] = {}
        self._copies: dict[int, list[NodeItem]] = {}  # leaf id -> its copies (drawn again beside its users)
        self._edges: list[_Edge] = []
        self._graph_rect: QRectF | None = None
        self._label_growth = 1.0
        self._placed_scale = 1.0  # the label size the edge numbers' places were searched for
        self._labels_input: tuple | None = None  # (edges, segments, obstacles, preferred) of the last search
        self._labels_outgrown = False  # a new input made a number wider than its edge's boxes
        self._laid_out_unseen = False
        self._relayout_timer = QTimer(self, singleShot=True, interval=120)
        self._relayout_timer.timeout.connect(self._relayout)
        self._replace_timer = QTimer(self, singleShot=True, interval=150)
        self._replace_timer.timeout.connect(self._place_labels_again)
        self.text_scale = 1.0  # the window's text size (Ctrl+= / Ctrl+−), on top of the zoom's growth
        self._labels_shown = True
        self._auto_fit = True  # follow resizes until the user zooms
        self._shown_cursor = state.cursor
        self._stepping = StepAnimation(self._scene, self)
        self._building: Iterator[None] | None = None  # a big scene being made, a chunk per event-loop turn
        self._pending_root = self._root
        self._generation = 0  # counts rebuilds, so late label places of an old graph are dropped
        self._overview: QPainterPath | None = None  # the whole graph as one path, for far zoomed-out views
        self._overview_shown = False
        # The search for clear label spots of a new small graph: it runs on a worker, and would take
        # the GIL from the GUI thread while it makes and paints the scene, so it starts after that.
        self._label_search: Callable[[], None] | None = None
        self._chunk_labels: tuple = ()  # `_labels_key()` when a chunked build relabelled its items
        self._chunk_timer = QTimer(self, singleShot=True, interval=0)
        self._chunk_timer.timeout.connect(self._build_chunk)
        self._old_roots: list[tuple[QGraphicsItem, list[QGraphicsItem]]] = []
        self._dispose_timer = QTimer(self, singleShot=True, interval=0)
        self._dispose_timer.timeout.connect(self._dispose_chunk)
        self.progress = BuildProgress(self)
        self.progress.cancel.clicked.connect(self.cancel_build)
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self.progress.show_progress(*self._busy))
        self._busy = ("building the graph", 0.0)
        observe(
            self,
            [
                (state.sig_graph_changed, self._rebuild),
                (state.sig_values_changed, self.relabel),
                (state.sig_cursor_changed, self._on_cursor_changed),
                (state.sig_phase_changed, self.relabel),
                (state.sig_mode_changed, self.relabel),  # the backward phase's start shows no current step
                (state.sig_building, self._on_building),
                (state.sig_built, self._on_built),
            ],
        )
        self._rebuild()

    # ---- public API ----

    def fit(self) -> None:
        """Fit the whole graph in the view with a margin (never zooming in beyond MAX_FIT_ZOOM).

        A graph too big to be legible when it fits (a 500-layer chain) is shown at MIN_FIT_ZOOM around
        the current step instead, and the view follows the steps (zoom out with the wheel to see it all).
        """
        rect = self.graph_rect()
        zoom = self._fit_zoom(rect)
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(self._follow_point() if zoom == MIN_FIT_ZOOM and self.following() else rect.center())
        self._auto_fit = True
        self._fit_labels_to_zoom()

    def _fit_zoom(self, rect: QRectF) -> float:
        """The zoom that shows `rect` whole, within MIN_FIT_ZOOM … MAX_FIT_ZOOM."""
        view = self.viewport().rect()
        zoom = min(view.width() / max(rect.width(), 1.0), view.height() / max(rect.height(), 1.0))
        return min(max(zoom, MIN_FIT_ZOOM), MAX_FIT_ZOOM)

    def following(self) -> bool:
        """Whether fit() shows only part of the graph (too big to read whole): the view then follows steps."""
        rect = self.graph_rect()
        view = self.viewport().rect()
        return min(view.width() / max(rect.width(), 1.0), view.height() / max(rect.height(), 1.0)) < MIN_FIT_ZOOM

    def _follow_point(self) -> QPointF:
        """Where to centre the view that follows the steps: on the current step, but no further to a side
        than keeps the graph filling the view (no blank half beside the first gate)."""
        focus, rect = self._focus_point(), self.graph_rect()
        zoom = self.transform().m11() or 1.0
        half_w, half_h = self.viewport().width() / zoom / 2, self.viewport().height() / zoom / 2
        x = (
            min(max(focus.x(), rect.left() + half_w), rect.right() - half_w)
            if rect.width() > 2 * half_w
            else rect.center().x()
        )
        y = (
            min(max(focus.y(), rect.top() + half_h), rect.bottom() - half_h)
            if rect.height() > 2 * half_h
            else focus.y()
        )
        return QPointF(x, y)

    def _focus_point(self) -> QPointF:
        """The current step's node, or the first gate to be computed before any step."""
        step = self.state.state().step
        node = step.node if step is not None else (self.state.graph.gates or self.state.graph.nodes)[0].id
        return self._nodes[node].pos() if node in self._nodes else self.graph_rect().center()

    def cancel_build(self) -> None:
        """Stop building a new graph (Esc or Cancel); the one on screen stays."""
        self.state.cancel_build()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and (self.state.building or self._building is not None):
            self.cancel_build()
            event.accept()
            return
        if event.key() in _SCROLL_KEYS:
            # The player's ← / → are disabled at the ends of the trace; the key then reaches the view,
            # whose scroll area would slide the graph off-screen. Arrow keys step, they never pan.
            event.accept()
            return
        super().keyPressEvent(event)

    def set_dark(self, dark: bool) -> None:
        self.scheme = DARK if dark else LIGHT
        self.setBackgroundBrush(self.scheme.background)
        for item in self._scene.items():
            if hasattr(item, "palette"):
                item.palette = self.scheme
                item.update()
        self.relabel()  # the palette is part of what each item remembers showing: all are relabelled

    def set_animation_ms(self, ms: int) -> None:
        """Duration of one step's travelling dots; 0 turns animation off (tests, fast playback)."""
        self.animation_ms = max(0, int(ms))

    def export(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Write the whole scene with its current labels as PNG or SVG (chosen by the suffix)."""
        from graphviz_app.export.picture import render_scene

        self._finish_animation()
        self._fit_labels_to_zoom(1.0)  # pictures show the labels at their designed size
        cached = [item for item in self._scene.items() if item.cacheMode() != QGraphicsItem.NoCache]
        for item in cached:  # pixmap caches would turn an SVG's text into bitmaps
            item.setCacheMode(QGraphicsItem.NoCache)
        try:
            render_scene(self._scene, self.graph_rect(), path, self.scheme.background, size)
        finally:
            for item in cached:
                item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            self._fit_labels_to_zoom()

    def frame(self, size: tuple[int, int] | None = None):
        """The whole scene with its current labels as a QImage (a frame of an exported animation)."""
        from graphviz_app.export.picture import render_image

        self._finish_animation()
        self._fit_labels_to_zoom(1.0)
        try:
            return render_image(self._scene, self.graph_rect(), self.scheme.background, size)
        finally:
            self._fit_labels_to_zoom()

    def graph_rect(self) -> QRectF:
        """The scene area that fit() shows and export() writes: all items plus a margin.

        Labels count with their places even while empty, so every step of a graph has the same frame
        (a series of exported steps lines up on slides, and fit() does not jump while stepping).
        Items do not move, so it is measured once per scene.
        """
        if self._graph_rect is None:
            self._graph_rect = self._measure(self._nodes, self._copies, self._edges)
        return QRectF(self._graph_rect)

    @staticmethod
    def _measure(nodes: dict[int, NodeItem], copies: dict[int, list[NodeItem]], edges: list[_Edge]) -> QRectF:
        rect = QRectF()
        every_copy = [c for group in copies.values() for c in group]
        for item in (*nodes.values(), *every_copy, *(e.item for e in edges)):
            rect = rect.united(item.sceneBoundingRect())
        for edge in edges:
            for label in (edge.value, edge.grad):
                rect = rect.united(QRectF(label.pos() - LABEL_ROOM / 2, label.pos() + LABEL_ROOM / 2))
        return rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)

    def node_item(self, node_id: int) -> NodeItem:
        return self._nodes[node_id]

    def node_items(self) -> dict[int, NodeItem]:
        return dict(self._nodes)

    def edge_labels(self) -> dict[tuple[int, int | None], tuple[str, str]]:
        """{(arg, node): (value text, gradient text)}; the output's stub is (output, None)."""
        return {(e.arg, e.node): (e.value.text, e.grad.text) for e in self._edges}

    def edge_item(self, arg: int, node: int | None) -> EdgeItem:
        return next(e.item for e in self._edges if (e.arg, e.node) == (arg, node))

    def edge_label_items(self) -> dict[tuple[int, int | None], tuple[EdgeLabel, EdgeLabel]]:
        return {(e.arg, e.node): (e.value, e.grad) for e in self._edges}

    def detach(self) -> None:
        """Stop observing the state (for throwaway views such as the headless export)."""
        self._finish_animation()
        self.state.sig_graph_changed.disconnect(self._rebuild)
        self.state.sig_values_changed.disconnect(self.relabel)
        self.state.sig_cursor_changed.disconnect(self._on_cursor_changed)
        self.state.sig_phase_changed.disconnect(self.relabel)
        self.state.sig_mode_changed.disconnect(self.relabel)

    # ---- building ----

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
        root.setVisible(False)
        nodes: dict[int, NodeItem] = {}
        copies: dict[int, list[NodeItem]] = {}
        edges: list[_Edge] = []
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

    def _chunks(self, steps, root, nodes, copies, edges) -> Iterator[None]:
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
        self._show_root(root, nodes, copies, edges)

    def _build_chunk(self) -> None:
        if self._building is None:
            return
        deadline = time.perf_counter() + SLICE_S
        try:
            while time.perf_counter() < deadline and self._building is not None:
                next(self._building)
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
        items = old.childItems() if items is None else items
        if len(items) <= 4 * CHUNK_ITEMS:
            self._scene.removeItem(old)  # back to Python: deleted with its children when dropped
            return
        old.setVisible(False)
        self._old_roots.append((old, items))
        if not self._dispose_timer.isActive():
            self._dispose_timer.start()

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
            self._dispose_timer.start()

    def _show_root(self, root: QGraphicsItem, nodes, copies, edges) -> None:
        old, old_items = self._root, self._top_level_items()
        self._root, self._nodes, self._copies, self._edges = root, nodes, copies, edges
        self._overview, self._overview_shown = None, False
        chunked = self._building is not None
        if not chunked:
            self._graph_rect = self._measure(nodes, copies, edges)
            self._label_growth, self._labels_shown = -1.0, True  # new labels: fit() sizes them
        old.setVisible(False)
        root.setVisible(True)
        self._dispose(old, old_items)
        self._scene.setSceneRect(self.graph_rect().adjusted(-600, -400, 600, 400))  # room to pan
        self._shown_cursor = self.state.cursor
        if chunked:  # the rest in the next turn: each stays short
            building = self._building
            QTimer.singleShot(0, lambda: self._after_showing(building))
        else:
            self._after_showing(None)
        self.sig_scene_rebuilt.emit()

    def _after_showing(self, building: Iterator[None] | None) -> None:
        if building is not self._building:
            return  # a newer graph is being drawn already
        if building is not None:
            collector.resume(settle=True)
        self._building = None
        now, then = self._labels_key(), self._chunk_labels
        if building is None or not then or now[0] is not then[0] or now[1:] != then[1:]:
            # A chunked build relabelled its items as it made them: again only if what they show
            # changed since (a loop over 5,000 nodes that all stay the same is still 15 ms).
            self.relabel()
        self.fit()

    def _make_items(self, root: QGraphicsItem, nodes, copies, edges) -> Iterator[None]:
        """Make the items of the state's graph under `root`, yielding every SLICE_ITEMS or so."""
        graph, drawing, p = self.state.graph, self.state.drawing, self.scheme
        assert drawing is not None
        self.setBackgroundBrush(p.background)
        names = node_names(graph)
        for made, node in enumerate(graph.nodes, 1):
            caption = graph_caption(graph, node.id, names)
            item = NodeItem(node, node.id == graph.output, p, fans_out=len(graph.users[node.id]) > 1, caption=caption)
            item.setParentItem(root)
            nodes[node.id] = item
            if made % SLICE_ITEMS == 0:
                yield
        copy_at: dict[tuple[int, tuple[float, float]], NodeItem] = {}
        for leaf, points in drawing.copies_of().items():
            group = [nodes[leaf]]
            for at in points:
                item = NodeItem(nodes[leaf].node, False, p, copy_count=len(points))
                item.setParentItem(root)
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
        layer_x = self._layer_x(nodes, positions, gaps)
        yield
        for count, (node_id, (x, y)) in enumerate(positions.items(), 1):
            nodes[node_id].setPos(layer_x[round(x)], y * slot)
            if count % (10 * SLICE_ITEMS) == 0:
                yield
        yield
        for (_leaf, (x, y)), item in copy_at.items():
            item.setPos(layer_x[round(x)], y * slot)
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
            edge = self._add_edge(root, arg, user, ends, uses)
            edges.append(edge)
            pieces = list(itertools.pairwise(ends))
            t = 0.5 + 0.1 * (len(graph.users[arg]) > 1) - 0.15 * (user is not None and fan_in[user] > 1)
            value_pos, grad_pos = quick_place(pieces, t, half)
            edge.value.setPos(value_pos)
            edge.grad.setPos(grad_pos)
            edge.room = (half[0] / scale, half[0] / scale)
            if small:
                segments.append(pieces)
                preferred.append(t)

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
        yield
        if small:
            # Placed again for the size the labels will be shown at (grown when the fit zooms out,
            # times the text size): grown after being placed, they would run into each other and into
            # the nodes. Only now is the graph's size, and so the fit's zoom, known.
            scale = self._label_look(self._fit_zoom(self._items_rect(nodes, edges)))[0] * self.text_scale
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

    @staticmethod
    def _items_rect(nodes: dict[int, NodeItem], edges: list[_Edge]) -> QRectF:
        """Roughly what graph_rect() will be, before the labels have their places."""
        rect = QRectF()
        for item in (*nodes.values(), *(e.item for e in edges)):
            rect = rect.united(item.sceneBoundingRect())
        room = LABEL_ROOM.y() + FIT_MARGIN
        return rect.adjusted(-room, -room, room, room)

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
        font, halves, final = label_font(), [], self.state.trace.state(self.state.step_count)
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

    def _final_numbers(self, final: TraceState, arg: int, node: int | None) -> list[float | None]:
        """The numbers an edge carries in `final`, the trace played to its end (value, and gradient or
        tangent). `final` is made once by the caller: `trace.state(k)` replays k steps."""
        if self.state.trace.mode == "forward":
            second = final.tangents.get(arg)
        else:
            second = final.grads.get(arg) if node is None else final.edge_grads.get((arg, node))
        return [final.values.get(arg), second]

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
        font, widest, final = label_font(), {0: 0.0}, self.state.trace.state(self.state.step_count)
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

    def _add_edge(self, root: QGraphicsItem, arg: int, node: int | None, points: list[QPointF], uses: int = 1) -> _Edge:
        item = EdgeItem(points, self.scheme, uses)
        value, grad = EdgeLabel(self.scheme.value, self.scheme), EdgeLabel(self.scheme.grad, self.scheme)
        for it in (item, value, grad):
            it.setParentItem(root)
        return _Edge(arg, node, item, value, grad)

    def _cancel_label_search(self) -> None:
        self._label_search = None
        self.state.runner.cancel(LABELS_KEY)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._label_search is not None:
            search, self._label_search = self._label_search, None
            QTimer.singleShot(0, search)  # after this paint is on screen

    # ---- relabeling (cheap: texts and colours only) ----

    def relabel(self) -> None:
        """Show the values and gradients at the cursor; items whose numbers did not change are skipped
        (a step changes a few nodes, so a 5,000-node graph steps as fast as a small one)."""
        if self._building is not None:
            return  # the items on screen belong to the old graph until the new scene is complete
        for _ in self._relabel_items(self._nodes, self._copies, self._edges):
            pass

    def _relabel_items(
        self, nodes: dict[int, NodeItem], copies: dict[int, list[NodeItem]], edges: list[_Edge], chunk: int = 0
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
            if any(label.rect().width() / 2 > room + 0.5 for label, room in zip((edge.value, edge.grad), edge.room)):
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

    # ---- stepping and animation ----

    def _on_cursor_changed(self, cursor: int) -> None:
        if self._building is not None:
            return  # the new scene shows the cursor when it is complete
        previous, self._shown_cursor = self._shown_cursor, cursor
        self._finish_animation()
        self.relabel()
        if self._auto_fit and self.following():
            self.centerOn(self._follow_point())  # a big graph: keep the current step in view
        if cursor == previous + 1 and self.animation_ms > 0:
            self._animate_step()

    def _on_building(self, label: str, fraction: float) -> None:
        self._cancel_label_search()  # a new graph is coming: the old one's labels are not worth the GIL
        self._busy = (label, fraction)
        if self.progress.isVisible():
            self.progress.show_progress(label, fraction)
        elif not self._busy_timer.isActive():
            self._busy_timer.start()

    def _on_built(self) -> None:
        if self._building is None:
            self._busy_timer.stop()
            self.progress.hide()

    def _animate_step(self) -> None:
        """Dots carry the arguments' values into the node (forward) or its gradients back to them."""
        st = self.state.state()
        if st.step is None:
            return
        node, forward = st.step.node, st.step.phase == "forward"
        for edge in self._edges:
            if forward and edge.arg == node:  # the new value appears when the dots arrive
                self._stepping.hide_until_arrival(edge.value)
            if edge.node != node:
                continue
            number = st.values.get(edge.arg) if forward else st.edge_grads.get((edge.arg, edge.node))
            if number is not None:
                # The number itself travels: its label leaves its place (forward) or waits at the arrival.
                self._stepping.hide_until_arrival(edge.value if forward else edge.grad)
                self._stepping.add_traveller(edge.item.path, number, forward, self.scheme)
        self._stepping.start(self.animation_ms)

    def _finish_animation(self) -> None:
        self._stepping.finish()

    # ---- interaction ----

    def wheelEvent(self, event) -> None:
        """Zoom under the mouse (the transformation anchor), within sane limits."""
        factor = 1.0015 ** event.angleDelta().y()
        zoom = self.transform().m11() * factor
        if MIN_ZOOM < zoom < MAX_ZOOM:
            self.scale(factor, factor)
            self._fit_labels_to_zoom()
        self._auto_fit = False
        event.accept()

    @staticmethod
    def _label_look(zoom: float) -> tuple[float, bool]:
        """The labels' scale at this zoom, and whether they are drawn at all."""
        screen_px = label_font().pixelSize() * zoom
        return min(MAX_LABEL_GROWTH, max(1.0, MIN_LABEL_SCREEN_PX / screen_px)), zoom >= LABEL_ZOOM

    def scale(self, sx: float, sy: float) -> None:
        """Zoom (the menu's Zoom in / out and the wheel); the edge numbers follow the zoom."""
        super().scale(sx, sy)
        self._auto_fit = False
        self._fit_labels_to_zoom()

    def _show_overview(self, zoom: float) -> None:
        """Zoomed out below OVERVIEW_ZOOM a node is a few pixels: the items are hidden and the graph is
        drawn as one path (`drawForeground`), so a 5,000-node graph seen whole paints in one call
        instead of 20,000 (over a second per zoom step)."""
        overview = zoom < OVERVIEW_ZOOM and len(self._nodes) > CHUNK_ITEMS
        if overview == self._overview_shown:
            return
        self._overview_shown = overview
        if overview and self._overview is None:
            path = QPainterPath()
            for edge in self._edges:
                path.addPath(edge.item.line)
            for item in (*self._nodes.values(), *(c for group in self._copies.values() for c in group)):
                path.addRect(
                    item.mapRectToScene(QRectF(-item.half.x(), -item.half.y(), 2 * item.half.x(), 2 * item.half.y()))
                )
            self._overview = path
        self._root.setVisible(not overview)
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self._overview_shown and self._overview is not None:
            painter.setRenderHint(QPainter.Antialiasing, False)
            pen = QPen(self.scheme.stroke, 0)  # cosmetic: one pixel wide at any zoom
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(self._overview)

    def _fit_labels_to_zoom(self, growth: float | None = None) -> None:
        """Grow the edge numbers a little when zoomed far out, so they stay readable; zoomed out so far
        that they would not be (below LABEL_ZOOM), hide them: painting thousands of unreadable
        numbers is what made panning and zooming a big graph stutter."""
        if growth is None:
            growth, shown = self._label_look(self.transform().m11())
            self._show_overview(self.transform().m11())
        else:
            self._show_overview(1.0)
            shown = True  # an export shows its numbers at any size
        if shown != self._labels_shown:
            self._labels_shown = shown
            for edge in self._edges:
                edge.value.set_zoomed_out(not shown)
                edge.grad.set_zoomed_out(not shown)
        if growth == self._label_growth:
            return
        self._label_growth = growth
        for edge in self._edges:
            edge.value.setScale(growth * self.text_scale)
            edge.grad.setScale(growth * self.text_scale)
        if self._off_size(growth * self.text_scale):
            self._replace_timer.start()

    def set_text_scale(self, scale: float) -> None:
        """Edge numbers `scale` times their size (the window's text size control); the zoom still grows them.
        A lecture-size graph is laid out again for it (its gaps hold the numbers at their new size)."""
        if scale != self.text_scale and len(self._nodes) <= CHUNK_ITEMS:
            self._laid_out_unseen = True  # "laid out for another size": done again shortly
            self._relayout_timer.start()
        self.text_scale = scale
        growth, self._label_growth = self._label_growth, -1.0  # re-applied even at the same zoom
        self._fit_labels_to_zoom(growth if self._graph_rect is None else None)

    def mouseDoubleClickEvent(self, event) -> None:
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._laid_out_unseen and self.isVisible() and self.viewport().width() > 200:
            # The graph was laid out for the size of a view not yet on screen (the window's first
            # graph): once, when the view has its size, again for that size (gaps, slots, labels).
            self._relayout_timer.start()
        if self._auto_fit:
            self.fit()

    def _relayout(self) -> None:
        if self._laid_out_unseen and self._building is None and not self.state.building and self.isVisible():
            self._laid_out_unseen = False
            self._rebuild()
