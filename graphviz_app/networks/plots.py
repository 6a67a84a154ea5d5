"""The pictures of the tiny-networks tab: the decision boundary over the data, and the loss curve.

Views of `NetworkState`: they redraw from its `snapshot` when it emits `sig_trained`, and draw the
points when `sig_setup_changed` says the data set is new. Clicking a point chooses that sample.
The heat map is computed on the worker (in the snapshot); only the picture is made here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.activations import ACTIVATIONS
from core.datasets import CUSTOM, test_mask
from graphviz_app.lab.staging import Stages
from graphviz_app.networks.state import NetworkState
from graphviz_app.numbers import number
from graphviz_app.widgets.plot_style import (
    FONT_PT,
    LINE_WIDTH,
    add_legend,
    cache_axes,
    log_plot,
    plot_colors,
    set_plot_dark,
    style_plot,
)
from graphviz_app.widgets.text_size import TextSizer

CLASS_COLORS = ("#08519c", "#a50f15")  # class 0 blue, class 1 red, like the heat map's ends
CLASS_COLORS_DARK = ("#6cb6ff", "#ff8a80")
HEAT_MAP = pg.ColorMap([0.0, 0.5, 1.0], ["#9ecae1", "#ffffff", "#fc9272"])
HEAT_MAP_DARK = pg.ColorMap([0.0, 0.5, 1.0], ["#1d4f7d", "#20242b", "#86342a"])  # p = ½ fades into the background
LOSS_COLOR = ("#d62728", "#e46c6d")  # light, dark
# The order of the redraws after a change (one per turn in the window): the points, the heat map, the loss.
PLANE_POINTS, PLANE_BOUNDARY, LOSS_CHART = range(3)


class PlaneView(pg.PlotWidget):
    """p(class 1) as a heat map behind the data points, p = ½ as a line, the chosen sample ringed."""

    def __init__(
        self, state: NetworkState, parent: QWidget | None = None, staged: bool = False, stages: Stages | None = None
    ) -> None:
        """`staged`: only the bare plot now; the caller runs `build()`'s pieces (one per turn).
        `stages`: redraw on a turn of its own (lab/staging.py), not in the turn of the change."""
        super().__init__(parent, enableMenu=False)  # no context menu: building it is a third of the cost
        self.state = state
        self.stages = stages
        if not staged:
            for _ in self.build():
                pass

    def build(self) -> Iterator[None]:
        """The rest of the plot, in pieces of some 10–20 ms: its style and items, the legend, the colours,
        the points, the heat map."""
        state = self.state
        style_plot(self, "decision boundary", "x1", "x2")
        # No grid: the heat map and the points are the picture; a grid line drawn over the colours only
        # blurs the boundary, and each new data range redrew it into both axes' caches (~10 ms a paint).
        self.showGrid(x=False, y=False)
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the title, axes and ticks
        self.sizer.plot(self)
        # Not aspect-locked: the heat map then fills the plot instead of leaving blank bands beside it.
        self.boundary_image = pg.ImageItem()
        self.boundary_image.setZValue(-20)
        self.addItem(self.boundary_image)
        self.boundary_line = pg.PlotCurveItem(connect="pairs")  # segments from the snapshot (state.level_segments)
        self.addItem(self.boundary_line)
        # One scatter item per class, each with one brush: per-point brushes make pyqtgraph render a
        # symbol per point (80 ms for the 200-point spiral), one brush renders it once.
        self.class_points = [pg.ScatterPlotItem(hoverable=True) for _ in CLASS_COLORS]
        for points in self.class_points:
            points.sigClicked.connect(self._on_point_clicked)
            self.addItem(points)
        # Test points: hollow rings of their class's colour (never trained on).
        self.test_points = [pg.ScatterPlotItem(hoverable=True) for _ in CLASS_COLORS]
        for points in self.test_points:
            points.sigClicked.connect(self._on_point_clicked)
            self.addItem(points)
        self.selected_marker = pg.ScatterPlotItem(symbol="o", size=30, brush=None)
        self.addItem(self.selected_marker)
        yield
        legend = add_legend(self)
        self.legend_samples = [pg.ScatterPlotItem(symbol="o", size=14) for _ in CLASS_COLORS] + [pg.PlotDataItem()]
        for sample, label in zip(self.legend_samples, ("class 0", "class 1", "p = ½")):
            legend.addItem(sample, label)
        self.legend_test = pg.ScatterPlotItem(symbol="o", size=14)
        self.legend = legend
        cache_axes(self)
        yield
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)
        state.sig_setup_changed.connect(lambda: _redraw(self.stages, PLANE_POINTS, self.draw_data))
        state.sig_trained.connect(lambda: _redraw(self.stages, PLANE_BOUNDARY, self.draw_boundary))
        state.sig_sample_changed.connect(self._show_sample)
        state.theme.changed.connect(self.set_dark)
        self._apply_colors(state.theme.dark)
        yield
        self.draw_data()  # a new range re-lays the axes out: a piece of its own
        yield
        self.draw_boundary()

    def class_colors(self) -> tuple[str, str]:
        return CLASS_COLORS_DARK if self.state.theme.dark else CLASS_COLORS

    def set_dark(self, dark: bool) -> None:
        self._apply_colors(dark)
        self.draw_data()
        self.draw_boundary()

    def _apply_colors(self, dark: bool) -> None:
        c = plot_colors(dark)
        set_plot_dark(self, dark)
        self.boundary_image.setColorMap(HEAT_MAP_DARK if dark else HEAT_MAP)
        line = pg.mkPen(c.contrast, width=3)
        self.boundary_line.setPen(line)
        self.selected_marker.setPen(pg.mkPen(c.contrast, width=3))
        for points, color in zip(self.class_points, self.class_colors()):
            points.setPen(pg.mkPen("#ffffff", width=1.5))
            points.setBrush(pg.mkBrush(color))
        for points, color in zip(self.test_points, self.class_colors()):
            points.setPen(pg.mkPen(color, width=2.5))
            points.setBrush(pg.mkBrush(c.background))
        self.legend_test.setPen(pg.mkPen(c.contrast, width=2.5))
        self.legend_test.setBrush(pg.mkBrush(c.background))
        for sample, color in zip(self.legend_samples, self.class_colors()):
            sample.setBrush(pg.mkBrush(color))
            sample.setPen(pg.mkPen("#ffffff", width=1.5))
        self.legend_samples[-1].setPen(line)

    def draw_data(self) -> None:
        data = self.state.data
        size = 20 if len(data) <= 10 else 10
        is_test = test_mask(len(data), self.state.test_fraction, self.state.seed)
        for label, (points, tests) in enumerate(zip(self.class_points, self.test_points)):
            chosen = np.flatnonzero((data.y == label) & ~is_test)
            points.setData(x=data.x1[chosen], y=data.x2[chosen], size=size, data=chosen)
            held = np.flatnonzero((data.y == label) & is_test)
            tests.setData(x=data.x1[held], y=data.x2[held], size=size, data=held)
        if is_test.any() and self.legend.getLabel(self.legend_test) is None:
            self.legend.addItem(self.legend_test, "test point")
        elif not is_test.any() and self.legend.getLabel(self.legend_test) is not None:
            self.legend.removeItem(self.legend_test)
        x1_lo, x1_hi, x2_lo, x2_hi = data.bounds
        rect = QRectF(x1_lo, x2_lo, x1_hi - x1_lo, x2_hi - x2_lo)
        if rect != getattr(self, "_plane_rect", None):  # a new range re-lays the axes out: only when it changes
            self._plane_rect = rect
            self.setRange(xRange=(x1_lo, x1_hi), yRange=(x2_lo, x2_hi), padding=0)
        self._show_sample(self.state.sample)

    def point_count(self) -> int:
        """How many data points are drawn."""
        return sum(len(points.data) for points in (*self.class_points, *self.test_points))

    def test_point_count(self) -> int:
        return sum(len(points.data) for points in self.test_points)

    def draw_boundary(self) -> None:
        snapshot = self.state.snapshot
        if snapshot is None:
            return
        self.boundary_image.setImage(snapshot.probability, levels=(0.0, 1.0), autoLevels=False)
        self.boundary_image.setRect(self._plane_rect)  # after setImage: the scale needs the image's size
        ends = snapshot.boundary.reshape(-1, 2)
        self.boundary_line.setData(ends[:, 0], ends[:, 1], connect="pairs")

    def _show_sample(self, index: int) -> None:
        data = self.state.data
        if not 0 <= index < len(data):  # no points yet (an empty data set of one's own)
            self.selected_marker.setData([], [])
            return
        self.selected_marker.setData([data.x1[index]], [data.x2[index]])

    def _on_point_clicked(self, _item: object, points: list[pg.SpotItem], *_: object) -> None:
        if len(points):
            self.state.set_sample(int(points[0].data()))

    def _on_scene_clicked(self, event: object) -> None:
        view = self.getPlotItem().getViewBox()
        scene_pos = event.scenePos()  # type: ignore[attr-defined]
        if not view.sceneBoundingRect().contains(scene_pos):
            return
        where = view.mapSceneToView(scene_pos)
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)  # type: ignore[attr-defined]
        if event.button() == Qt.MouseButton.LeftButton and event.isAccepted() and not shift:  # type: ignore[attr-defined]
            return  # a click on a point chose that sample
        self.edit_points(where.x(), where.y(), event.button(), shift)  # type: ignore[attr-defined]

    def edit_points(self, x1: float, x2: float, button: Qt.MouseButton, shift: bool = False) -> bool:
        """The user's own data: a click adds class 0, Shift+click class 1, a right-click removes the
        nearest point. Only while "your own points" is the data set; True if the points changed."""
        if self.state.dataset_name != CUSTOM:
            return False
        if button == Qt.MouseButton.RightButton:
            x1_lo, x1_hi, _, _ = self.state.data.bounds
            return self.state.remove_point_near(x1, x2, 0.04 * (x1_hi - x1_lo))
        if button == Qt.MouseButton.LeftButton:
            self.state.add_point(x1, x2, 1 if shift else 0)
            return True
        return False


class LossView(QWidget):
    """The mean loss against the step, on a log axis, with a dot at the current step.

    With a minibatch, the loss of each step's own batch wobbles behind it (the noise of the gradient);
    with test points, the test loss is dashed and the line under the chart gives both accuracies and
    the gap; after an activations race, every activation's curve from the same start, and the threshold.
    """

    def __init__(
        self, state: NetworkState, parent: QWidget | None = None, staged: bool = False, stages: Stages | None = None
    ) -> None:
        """`staged`: an empty widget now; the caller runs `build()`'s pieces (one per turn).
        `stages`: redraw on a turn of its own (lab/staging.py), after the plane's."""
        super().__init__(parent)
        self.state = state
        self.stages = stages
        if not staged:
            for _ in self.build():
                pass

    def build(self) -> Iterator[None]:
        """The chart in pieces of some 10–20 ms: the plot, its style, its curves, the first drawing."""
        state = self.state
        self.plot = log_plot(enableMenu=False)
        yield
        style_plot(self.plot, "mean loss", "step", "cross-entropy")
        # No grid: on the log axis it has a line at every 2…9 of each decade, on the steps one every
        # few steps, a wall of lines behind the one curve that matters; the ticks are enough to read it.
        self.plot.showGrid(x=False, y=False)
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the plot and the summary
        self.sizer.plot(self.plot)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # "step (x0.001)" reads as nonsense
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.sizer.style(self.summary, f"font-size: {FONT_PT}pt")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        yield
        self.legend = add_legend(self.plot, offset=(-10, 10))
        self.batch_curve = self.plot.plot([], [])  # drawn first: the smooth curves go over the noise
        self.loss_curve = self.plot.plot([], [])
        self.test_curve = self.plot.plot([], [])
        # The current loss as a dot: before the first step the curve is one point, which a pen cannot draw.
        self.loss_marker = self.plot.plot([], [], pen=None, symbol="o", symbolSize=14)
        self.race_curves: dict[str, pg.PlotDataItem] = {}
        self.threshold_line = pg.InfiniteLine(angle=0, movable=False)
        self.threshold_line.setVisible(False)
        self.plot.addItem(self.threshold_line)
        cache_axes(self.plot)
        self._ranges: tuple[float, tuple[float, float]] | None = None
        self._legend_key: tuple[str, ...] = ()
        yield
        state.sig_trained.connect(lambda: _redraw(self.stages, LOSS_CHART, self.redraw))
        state.sig_race_changed.connect(lambda: _redraw(self.stages, LOSS_CHART, self.redraw))
        state.theme.changed.connect(self.set_dark)
        self.set_dark(state.theme.dark)

    def set_dark(self, dark: bool) -> None:
        set_plot_dark(self.plot, dark)
        c = plot_colors(dark)
        color = LOSS_COLOR[1 if dark else 0]
        self.loss_curve.setPen(pg.mkPen(color, width=LINE_WIDTH))
        self.test_curve.setPen(pg.mkPen(color, width=LINE_WIDTH, style=Qt.PenStyle.DashLine))
        noise = pg.mkColor(color)
        noise.setAlpha(90)
        self.batch_curve.setPen(pg.mkPen(noise, width=1))
        self.threshold_line.setPen(pg.mkPen(c.contrast, width=1.5, style=Qt.PenStyle.DotLine))
        self.loss_marker.setSymbolBrush(pg.mkBrush(color))
        self.loss_marker.setSymbolPen(pg.mkPen(c.background, width=2))
        for name, curve in self.race_curves.items():
            curve.setPen(pg.mkPen(self.state.theme.activation_color(name), width=LINE_WIDTH))
        self.redraw()

    def _set_legend(self, entries: list[tuple[pg.PlotDataItem, str]]) -> None:
        key = tuple(label for _, label in entries)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        self.legend.setColumnCount(2 if len(entries) > 4 else 1)  # a race's eight lines would hide the curves
        for item, label in entries:  # in the theme's colour and size: the legend's opts (add_legend, set_dark)
            self.legend.addItem(item, label)

    def redraw(self) -> None:
        snapshot = self.state.snapshot
        if snapshot is None:
            return
        losses = np.maximum(snapshot.losses, 1e-300)
        self.loss_curve.setData(np.arange(len(losses)), losses)
        self.loss_marker.setData([len(losses) - 1], losses[-1:])
        entries: list[tuple[pg.PlotDataItem, str]] = [
            (
                self.loss_curve,
                f"training ({ACTIVATIONS[snapshot.model.activation].display_name})"
                if self.state.race is not None and snapshot.model.hidden
                else "training",
            )
        ]
        if snapshot.full_batch or not len(snapshot.batch_losses):
            self.batch_curve.setData([], [])
        else:
            self.batch_curve.setData(np.arange(len(snapshot.batch_losses)), np.maximum(snapshot.batch_losses, 1e-300))
            entries.append((self.batch_curve, f"each minibatch of {snapshot.batch_size}"))
        if len(snapshot.test_losses):
            self.test_curve.setData(np.arange(len(snapshot.test_losses)), np.maximum(snapshot.test_losses, 1e-300))
            entries.append((self.test_curve, "test"))
        else:
            self.test_curve.setData([], [])
        shown = [losses]
        race = self.state.race
        for name in list(self.race_curves):
            if race is None or name not in race.losses:
                self.plot.removeItem(self.race_curves.pop(name))
        if race is not None:
            for name, raced in race.losses.items():
                if name not in self.race_curves:
                    pen = pg.mkPen(self.state.theme.activation_color(name), width=LINE_WIDTH)
                    self.race_curves[name] = self.plot.plot([], [], pen=pen)
                raced = np.maximum(np.asarray(raced), 1e-300)
                self.race_curves[name].setData(np.arange(len(raced)), raced)
                # No legend entry: eight lines would cover the curves; the race panel names each colour.
                shown.append(raced)
            self.threshold_line.setPos(np.log10(race.threshold))
        self.threshold_line.setVisible(race is not None)
        self._set_legend(entries)
        self.summary.setText(self.summary_text())
        # Ranges that grow in whole steps (x: 100, 200, 500, 1000 …; y: whole decades) rather than with
        # every chunk: each new range redraws both axes, the most expensive part of the picture.
        every = np.concatenate(shown)
        finite = every[np.isfinite(every)]
        longest = max(len(values) for values in shown)
        ranges = (nice_ceiling(longest - 1), decades(finite) if len(finite) else (-1.0, 1.0))
        if ranges != self._ranges:
            self._ranges = ranges
            self.plot.setXRange(-0.03 * ranges[0], ranges[0], padding=0)  # the starting dot clear of the axis
            self.plot.setYRange(*ranges[1], padding=0)

    def summary_text(self) -> str:
        """Training and test loss and accuracy, and the gap between them (what new data would see)."""
        snapshot = self.state.snapshot
        if snapshot is None:
            return ""
        words = f"training: loss <b>{number(snapshot.loss)}</b>, accuracy <b>{snapshot.accuracy:.0%}</b>"
        if len(snapshot.test_losses) and snapshot.test_accuracy is not None:
            test_loss = float(snapshot.test_losses[-1])
            words += (
                f"<br>test: loss <b>{number(test_loss)}</b>, accuracy <b>{snapshot.test_accuracy:.0%}</b>"
                f"<br>gap: loss <b>{number(test_loss - snapshot.loss)}</b>, "
                f"accuracy <b>{(snapshot.accuracy - snapshot.test_accuracy) * 100:.0f}</b> points"
            )
        else:
            words += "<br><i>no test points: hold some out to see the error on new data</i>"
        return words


def _redraw(stages: Stages | None, stage: int, draw: Callable[[], None]) -> None:
    """`draw` now, or (in the window) on a later turn, one plot per turn: a new data set's points, the
    snapshot's heat map and its loss curve were three plots painted in one turn."""
    if stages is None:
        draw()
    else:
        stages.request(stage, draw)


def nice_ceiling(steps: int) -> float:
    """The smallest of 100, 200, 500, 1000, 2000 … that is at least `steps`."""
    bound = 100.0
    while bound < steps:
        bound *= 2.5 if str(int(bound))[0] == "2" else 2.0
    return bound


def decades(values: np.ndarray) -> tuple[float, float]:
    """log10 of the whole decades around `values` (a log axis takes its range in log10)."""
    low, high = float(np.min(values)), float(np.max(values))
    return float(np.floor(np.log10(low))), float(np.ceil(np.log10(high) + 1e-9))
