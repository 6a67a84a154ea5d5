"""The loss surface as a heat map with contour lines, the runs' paths on it, and the inspected update.

The heat map and contours are drawn once per surface (from `LabState.drawing`, prepared off the GUI
thread from core's grid); paths
are redrawn when the runs change, and only cut to the current step when the step moves. The view keeps
a 1:1 aspect so that gradients really are perpendicular to the contour lines. A left click (without a
drag) sets the start point. Arrows for the inspected optimizer: the negative gradient, and its
velocity (momentum buffer / Adam's m) where it has one, their lengths by size on a log scale
(`lab.arrows`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPolygonItem

from core.optimizers import OPTIMIZERS
from graphviz_app.lab import arrows
from graphviz_app.lab.lab_state import LabState
from graphviz_app.lab.staging import COLORBAR, CONTOURS, CURSOR, PATHS, RUN_FOLLOW, RUN_ITEMS, SURFACE, Stages
from graphviz_app.theme import lab_colors
from graphviz_app.widgets.plot_style import cache_axes, plot_colors, set_plot_dark, tick_font
from graphviz_app.widgets.text_size import TextSizer

MARKER_LIMIT = 150
TITLE_PT = 15
DRAWN_POINTS = 600  # a longer path is drawn through this many of its points at most (wide lines paint slowly)
CELLS = 1000  # a longer path skips the steps that stay in the cell of the step before (1/1000 of the view)


def drawn_points(points: np.ndarray, limit: int = DRAWN_POINTS, cell: float = 0.0) -> np.ndarray:
    """The points a path is drawn through: all of them up to `limit`; else, first, only the points
    that leave the `cell`-sized square of the point before (the late steps of a converging run lie
    well within a pixel of each other, a zig-zag keeps its corners), then evenly spaced ones of
    those if still too many; always the first and the last point."""
    if len(points) <= limit:
        return points
    if cell > 0:
        with np.errstate(invalid="ignore", over="ignore"):
            squares = np.floor(points / cell)
        moved = np.ones(len(points), bool)
        moved[1:] = (squares[1:] != squares[:-1]).any(axis=1) | ~np.isfinite(squares[1:]).all(axis=1)
        moved[-1] = True
        points = points[moved]
        if len(points) <= limit:
            return points
    return points[np.unique(np.linspace(0, len(points) - 1, limit).round().astype(int))]


class Arrow:
    """A shaft (a thick line) and a filled head, in data coordinates (the view's aspect is 1:1)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.shaft = plot.plot()
        self.head = QGraphicsPolygonItem()
        self.head.setZValue(20)
        self.shaft.setZValue(20)
        plot.addItem(self.head)

    def set_color(self, color: str) -> None:
        self.shaft.setPen(pg.mkPen(color, width=5))
        self.head.setBrush(QBrush(QColor(color)))
        pen = QPen(QColor(color))
        pen.setCosmetic(True)
        self.head.setPen(pen)

    def set(self, tail: np.ndarray | None, vector: np.ndarray | None, head_size: float) -> None:
        if tail is None or vector is None or not np.isfinite(vector).all() or not np.any(vector):
            self.shaft.setData([], [])
            self.head.setPolygon(QPolygonF())
            return
        tip = tail + vector
        unit = vector / np.hypot(*vector)  # hypot: no overflow for huge vectors
        normal = np.array([-unit[1], unit[0]])
        base = tip - unit * head_size
        self.shaft.setData([tail[0], base[0]], [tail[1], base[1]])
        corners = [tip, base + normal * head_size * 0.45, base - normal * head_size * 0.45]
        self.head.setPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in corners]))


class SurfacePlot(pg.PlotWidget):
    """Heat map + contours + minima + start + paths + update arrows, bound to a `LabState`."""

    def __init__(self, lab: LabState, parent=None, stages: Stages | None = None) -> None:
        """`stages`: draw a new surface, new runs and a moved step in later turns of the event loop,
        one per turn (`graphviz_app.lab.staging`), and add the runs' items in a later turn than the
        plot itself (building it all is some 80 ms); without, at once."""
        super().__init__(parent, enableMenu=False)  # no context menu: building one is a third of a plot
        self.lab = lab
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.foreground = plot_colors(lab.dark).text
        self._colour_label = "loss"
        self._title_width, self._title_shown = 10_000, ""
        self._labels_shown: tuple[object, ...] = ()  # what _draw_labels drew last: the same again redraws nothing
        self.plot_item.setAspectLocked(True)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.showGrid(False, False)
        cache_axes(self)  # ticks and title as pixmaps: a moved path repaints no tick label
        self.image = pg.ImageItem()
        self.plot_item.addItem(self.image)
        self.contours = pg.PlotDataItem(connect="finite")
        self.plot_item.addItem(self.contours)
        # The heat map and contours change once per surface; paths move every frame: repaint the
        # former from a pixmap cache (Qt drops it when the view is zoomed or resized).
        for still in (self.image, self.contours.curve):
            still.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.minima = pg.ScatterPlotItem(symbol="star", size=28)
        self.minima.setZValue(15)
        self.plot_item.addItem(self.minima)
        self.scene().sigMouseClicked.connect(self._on_click)
        self.stages = stages
        if stages is None:
            self._add_colorbar()
            self._add_run_items()
        else:  # the rest in later turns, one each (the colour bar alone is some 20 ms)
            stages.request(COLORBAR, self._add_colorbar)
            stages.request(RUN_ITEMS, self._add_run_items)

    def _add_colorbar(self) -> None:
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=18)
        self.colorbar.setImageItem(self.image, insert_in=self.plot_item)
        self.colorbar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def _add_run_items(self) -> None:
        """The runs' items (paths, heads, start marker, arrows); then follow the lab and draw it."""
        self.paths: dict[str, pg.PlotDataItem] = {}
        for name in OPTIMIZERS:
            self.paths[name] = pg.PlotDataItem(symbol="o", symbolSize=7, symbolPen=None)
            self.plot_item.addItem(self.paths[name])
        # Every run's head in one item, a spot per run in its colour: each item is some 1 ms of
        # Python per paint (and per resize), whatever it draws.
        self.heads = pg.ScatterPlotItem(size=16)
        self.heads.setZValue(12)
        self.plot_item.addItem(self.heads)
        self._head_brushes: dict[str, QBrush] = {}
        self._head_names: list[str] = []  # whose head each spot is, lowest loss first (lowest in the stack)
        self.start_marker = pg.ScatterPlotItem(symbol="o", size=20)
        self.start_marker.setZValue(14)
        self.plot_item.addItem(self.start_marker)
        self.gradient_arrow = Arrow(self.plot_item)
        self.velocity_arrow = Arrow(self.plot_item)
        self.full_gradient_arrow = Arrow(self.plot_item)  # a minibatch run: −∇L over all N points beside it
        if self.stages is None:
            self._follow_lab()
        else:  # colouring them and drawing the lab: a turn of its own
            self.stages.request(RUN_FOLLOW, self._follow_lab)

    def _follow_lab(self) -> None:
        lab = self.lab
        lab.sig_surface_changed.connect(self._surface_changed)
        lab.sig_trajectories_changed.connect(self._trajectories_changed)
        lab.sig_cursor_changed.connect(self._cursor_changed)
        lab.sig_inspected_changed.connect(self._cursor_changed)
        lab.sig_theme_changed.connect(self.set_dark)
        self.sizer = TextSizer(lab.theme)  # Ctrl+= / Ctrl+− reach the ticks, the axis labels and the title
        self.sizer.redraw(lambda: self.set_dark(self.lab.dark))
        self.set_dark(lab.dark)
        self._surface_changed()
        self._trajectories_changed()

    def _surface_changed(self) -> None:
        if self.stages is None:
            self.draw_surface()
            self.draw_contours()
        else:  # the heat map is painted (into its cache) a turn before the contour lines are
            self.contours.setVisible(False)
            self.stages.request(SURFACE, self.draw_surface)
            self.stages.request(CONTOURS, self.draw_contours)

    def _trajectories_changed(self) -> None:
        if self.stages is None:
            self.draw_paths()
        else:
            self.stages.request(PATHS, self.draw_paths)

    def _cursor_changed(self, *_: object) -> None:
        if self.stages is None:
            self.draw_step(self.lab.cursor)
        else:  # a fast playback or a drag of the step slider: only the latest step is drawn
            self.stages.request(CURSOR, lambda: self.draw_step(self.lab.cursor))

    def recolor(self) -> None:
        """Every item in the theme's lab palette (`graphviz_app.theme.lab_colors`)."""
        c = lab_colors(self.lab.theme)
        # One pixel: a wider cosmetic line takes Qt's slow stroker (25 ms instead of 2 for Rastrigin's contours).
        self.contours.setPen(pg.mkPen(c.contour, width=1))
        self.minima.setBrush(pg.mkBrush(c.marker))
        self.minima.setPen(pg.mkPen(c.marker_edge, width=1.5))
        self.start_marker.setBrush(pg.mkBrush(c.marker))
        self.start_marker.setPen(pg.mkPen(c.marker_edge, width=3))
        for name, path in self.paths.items():
            colour = c.optimizers[name]
            path.setPen(pg.mkPen(colour, width=5))
            path.setSymbolBrush(colour)
            self._head_brushes[name] = pg.mkBrush(colour)
        self.heads.setPen(pg.mkPen(c.marker, width=2))
        if self._head_names:
            self.heads.setBrush([self._head_brushes[name] for name in self._head_names])
        self.gradient_arrow.set_color(c.gradient)
        self.velocity_arrow.set_color(c.velocity)
        self.full_gradient_arrow.set_color(c.full_gradient)

    # ---- drawing ----

    def draw_surface(self) -> None:
        """Heat map, contour lines and known minima of the lab's surface (once per surface)."""
        s, drawing = self.lab.surface, self.lab.drawing
        if drawing is None:  # the first job has not arrived yet
            self._draw_labels()
            return
        shown = drawing.shown
        n_y, n_x = shown.shape
        dx = (s.x_range[1] - s.x_range[0]) / (n_x - 1)
        dy = (s.y_range[1] - s.y_range[0]) / (n_y - 1)
        # Cell centres on the grid's points; the view shows exactly the surface's range (lab.aspect_frame
        # gives the plot its shape), so the image covers it to every edge.
        rect = QRectF(s.x_range[0] - dx / 2, s.y_range[0] - dy / 2, n_x * dx, n_y * dy)
        self.image.setImage(shown.T, autoLevels=False)  # ImageItem indexes [x, y]
        self.image.setRect(rect)
        low, high = drawing.low, drawing.high
        self.colorbar.setLevels((low, high if high > low else low + 1))
        self._colour_label = drawing.label
        self.colorbar.axis.setLabel(drawing.label, color=self.foreground)  # the refit may have come first
        minima = np.array(s.minima, float).reshape(-1, 2)
        self.minima.setData(minima[:, 0], minima[:, 1])
        self.draw_view()

    def draw_view(self) -> None:
        """The axes' names, the title and the view's range for the lab's surface. In the window this
        comes with the plot's new shape (`AspectFrame`, stage FIT), so the tick labels are redrawn
        once per surface, in that turn, not again with the heat map (3 axes: some 10 ms)."""
        s = self.lab.surface
        self._draw_labels()
        target = self.plot_item.getViewBox().state["targetRange"]  # what a pan or zoom changed too
        if [list(map(float, r)) for r in target] != [list(map(float, s.x_range)), list(map(float, s.y_range))]:
            self.plot_item.setRange(xRange=s.x_range, yRange=s.y_range, padding=0)

    def draw_contours(self) -> None:
        """The contour lines of the lab's surface (prepared off the GUI thread)."""
        drawing = self.lab.drawing
        if drawing is not None:
            self.contours.setData(drawing.contour_x, drawing.contour_y)
        self.contours.setVisible(True)

    def draw_paths(self) -> None:
        """Start marker; then the paths cut at the current step."""
        self.start_marker.setData([self.lab.start[0]], [self.lab.start[1]])
        self.draw_step(self.lab.cursor)

    def draw_step(self, step: int) -> None:
        """Every path up to `step`, its head at the point reached, and the inspected update's arrows."""
        reached = {name: t.losses[min(step, t.steps)] for name, t in self.lab.trajectories.items()}
        ranks = {
            name: rank for rank, name in enumerate(sorted(reached, key=lambda n: np.nan_to_num(reached[n], nan=np.inf)))
        }  # lowest loss first, i.e. lowest in the stack
        s = self.lab.surface
        cell = max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0]) / CELLS
        heads: dict[str, np.ndarray] = {}
        for name, path in self.paths.items():
            t = self.lab.trajectories.get(name)
            # A hidden item costs nothing to paint; an empty one still does (the view asks it every time).
            path.setVisible(t is not None)
            if t is None:
                path.setData([], [])
                continue
            points = t.points[: min(step, t.steps) + 1]
            # Paths often share a valley: the run that got least far lies on top, so the shared
            # line shows each run's colour up to where that run has come.
            path.setZValue(10 + 0.01 * ranks.get(name, 0))
            # A marker per step while they can be told apart; beyond that they only thicken the line.
            path.setSymbol("o" if len(points) <= MARKER_LIMIT else None)
            drawn = drawn_points(points, cell=cell)
            path.setData(drawn[:, 0], drawn[:, 1])
            heads[name] = points[-1]
        self._draw_heads(heads, ranks)
        self._draw_arrows(step)

    def _draw_heads(self, heads: dict[str, np.ndarray], ranks: dict[str, int]) -> None:
        """One spot per run at the point it reached, stacked as the paths are."""
        self._head_names = sorted(heads, key=lambda name: ranks.get(name, 0))
        self.heads.setVisible(bool(heads))
        if not heads:
            self.heads.setData([], [])
            return
        at = np.array([heads[name] for name in self._head_names], float)
        self.heads.setData(at[:, 0], at[:, 1], brush=[self._head_brushes[name] for name in self._head_names])

    def head_of(self, name: str) -> tuple[tuple[float, float], QColor] | None:
        """Where `name`'s head is drawn and in which colour (None: no run of it on screen)."""
        if name not in self._head_names or not self.heads.isVisible():
            return None
        x, y = self.heads.getData()
        k = self._head_names.index(name)
        return (float(x[k]), float(y[k])), self.heads.data["brush"][k].color()

    def _draw_arrows(self, step: int) -> None:
        t = self.lab.trajectories.get(self.lab.inspected)
        full_grads = getattr(t, "full_grads", None)  # core.regression.MinibatchTrajectory
        if t is None:
            self.gradient_arrow.set(None, None, 0)
            self.velocity_arrow.set(None, None, 0)
            self.full_gradient_arrow.set(None, None, 0)
            return
        k = min(step, t.steps)
        point, gradient = t.points[k], -t.grads[k]
        shows_full = full_grads is not None and k < len(full_grads) and not np.array_equal(full_grads, t.grads)
        full = -full_grads[k] if shows_full else None
        s = self.lab.surface
        # By size, on a log scale (lab.arrows): near the minimum the arrows shrink to stubs.
        length = 0.18 * max(s.x_range[1] - s.x_range[0], s.y_range[1] - s.y_range[0])
        largest = arrows.reference(t)
        head = length * 0.18
        for arrow, vector in (
            (self.gradient_arrow, gradient),
            (self.velocity_arrow, arrows.velocity(t, k)),
            (self.full_gradient_arrow, full),
        ):
            shown = arrows.drawn(vector, largest, length)
            arrow.set(point, shown, head * (1.0 if shown is None else min(1.0, 2.5 * np.hypot(*shown) / length)))

    # ---- the start point ----

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.isAccepted():
            return
        view = self.plot_item.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        event.accept()
        self.lab.set_start(point.x(), point.y())

    def scene_position(self, x: float, y: float) -> QPoint:
        """Viewport pixel of a data point (where a click lands on it)."""
        scene_point = self.plot_item.getViewBox().mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene_point)  # GraphicsView: the viewport is the view itself

    def set_dark(self, dark: bool) -> None:
        set_plot_dark(self, dark)
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).setStyle(tickFont=tick_font(12, self.lab.theme.text_scale))
        self.foreground = plot_colors(dark).text
        self.colorbar.axis.setTextPen(self.foreground)
        self.colorbar.axis.setPen(self.foreground)
        self.recolor()
        self._draw_labels()

    def _draw_labels(self) -> None:
        s = self.lab.surface
        pt = self.lab.theme.pt
        # A label set again, even unchanged, redraws its axis' every tick label at the next paint.
        shown = (s.axes, s.title, self.foreground, pt(14), pt(TITLE_PT), self._elided_title())
        if shown == self._labels_shown:
            return
        self._labels_shown = shown
        self.plot_item.setLabel("bottom", s.axes[0], color=self.foreground, **{"font-size": f"{pt(14)}pt"})
        self.plot_item.setLabel("left", s.axes[1], color=self.foreground, **{"font-size": f"{pt(14)}pt"})
        self._title_shown = self._elided_title()
        self.plot_item.setTitle(self._title_shown, size=f"{pt(TITLE_PT)}pt", color=self.foreground)
        self.setToolTip(s.title)

    def _elided_title(self) -> str:
        font = QFont()
        font.setPointSize(round(self.lab.theme.pt(TITLE_PT)))
        return QFontMetrics(font).elidedText(self.lab.surface.title, Qt.TextElideMode.ElideRight, self._title_width)

    def fit_title(self, width: int) -> None:
        """Shorten the title (… at the end) to `width` pixels: pyqtgraph keeps a plot at least as wide as it."""
        self._title_width = max(int(width), 60)
        if self._elided_title() != self._title_shown:
            self._draw_labels()
        if getattr(self, "colorbar", None) is not None:  # in the window it is added a turn later
            self.colorbar.axis.setLabel(self._colour_label, color=self.foreground)
