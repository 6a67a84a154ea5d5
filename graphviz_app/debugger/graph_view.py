"""The graph canvas of the debugger: the computational graph drawn like the lecture's backprop slides.

`GraphView(state)` observes an `AppState`: it rebuilds its items when the graph changes and only
relabels them (texts and colours) when the values or the cursor change, so stepping stays cheap.
Each edge carries its forward value above it (green) and the gradient sent back along it below it
(red); the current step's node glows, pending nodes are dimmed. When the cursor advances by one
step, the value (forward) or gradient (backward) travels along the edges as a moving dot.

The view is assembled from three parts: `scene_build` makes the items of a new graph, `label_sizing`
sizes and places the edge numbers, `relabel` shows the numbers at the cursor; the sizes they share
are in `canvas_metrics`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPainterPath, QPen, QTransform
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

from graphviz_app.debugger.canvas_metrics import (
    BUSY_AFTER_MS,
    CHUNK_ITEMS,
    LABEL_ZOOM,
    MAX_FIT_ZOOM,
    MAX_LABEL_GROWTH,
    MAX_ZOOM,
    MIN_FIT_ZOOM,
    MIN_LABEL_SCREEN_PX,
    MIN_ZOOM,
    OVERVIEW_ZOOM,
)
from graphviz_app.debugger.graph_items import (
    DARK,
    LIGHT,
    EdgeItem,
    EdgeLabel,
    GraphRoot,
    NodeItem,
    label_font,
)
from graphviz_app.debugger.label_sizing import LabelSizing
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.relabel import Relabel
from graphviz_app.debugger.scene_build import DrawnEdge, SceneBuild
from graphviz_app.debugger.scene_tiles import GraphTile
from graphviz_app.debugger.state import AppState
from graphviz_app.debugger.step_animation import StepAnimation

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


class GraphView(SceneBuild, LabelSizing, Relabel, QGraphicsView):
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
        self._edges: list[DrawnEdge] = []
        self._graph_rect: QRectF | None = None
        self._label_growth = 1.0
        self._placed_scale = 1.0  # the label size the edge numbers' places were searched for
        self._labels_input: tuple | None = None  # (edges, segments, obstacles, preferred) of the last search
        self._labels_outgrown = False  # a new input made a number wider than its edge's boxes
        self._final: tuple | None = None  # (trace, its final TraceState): see `_final_state`
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
        self._building: Iterator[object] | None = None  # a big scene being made, a chunk per event-loop turn
        self._pending_root = self._root
        self._generation = 0  # counts rebuilds, so late label places of an old graph are dropped
        self._overview: QPainterPath | None = None  # the whole graph as one path, for far zoomed-out views
        self._overview_shown = False
        # The search for clear label spots of a new small graph: it runs on a worker, and would take
        # the GIL from the GUI thread while it makes and paints the scene, so it starts after that.
        self._label_search: Callable[[], None] | None = None
        self._after_paint: Callable[[], None] | None = None  # see SceneBuild._show_root
        self._shapes_rect: tuple[list[DrawnEdge], QRectF] | None = None  # a new small graph's, see _measure
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
            else rect.center().y()  # the whole height fits: all of it in view, centred
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

    def itemAt(self, *point) -> QGraphicsItem | None:  # type: ignore[override]
        """The topmost item drawn at `point` (viewport pixels), never a big graph's tile (scene_tiles)."""
        return next((item for item in self.items(*point) if not isinstance(item, GraphTile)), None)

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

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._after_paint is not None:
            QTimer.singleShot(0, self._after_paint)  # the new big graph is on screen: finish it (scene_build)
            self._after_paint = None
        if self._label_search is not None:
            search, self._label_search = self._label_search, None
            QTimer.singleShot(0, search)  # after this paint is on screen

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
