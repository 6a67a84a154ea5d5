"""The pictures of the tiny-networks tab: the decision boundary over the data, and the loss curve.

Views of `NetworkState`: they redraw from its `snapshot` when it emits `sig_trained`, and draw the
points when `sig_setup_changed` says the data set is new. Clicking a point chooses that sample.
The heat map is computed on the worker (in the snapshot); only the picture is made here.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from graphviz_app.networks.state import NetworkState
from graphviz_app.widgets.plot_style import (
    LINE_WIDTH,
    add_legend,
    cache_axes,
    log_plot,
    plot_colors,
    set_plot_dark,
    style_plot,
)

CLASS_COLORS = ("#08519c", "#a50f15")  # class 0 blue, class 1 red, like the heat map's ends
CLASS_COLORS_DARK = ("#6cb6ff", "#ff8a80")
HEAT_MAP = pg.ColorMap([0.0, 0.5, 1.0], ["#9ecae1", "#ffffff", "#fc9272"])
HEAT_MAP_DARK = pg.ColorMap([0.0, 0.5, 1.0], ["#1d4f7d", "#20242b", "#86342a"])  # p = ½ fades into the background
LOSS_COLOR = ("#d62728", "#e46c6d")  # light, dark


class PlaneView(pg.PlotWidget):
    """p(class 1) as a heat map behind the data points, p = ½ as a line, the chosen sample ringed."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None) -> None:
        super().__init__(parent, enableMenu=False)  # no context menu: building it is a third of the cost
        self.state = state
        style_plot(self, "decision boundary", "x1", "x2")
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
        self.selected_marker = pg.ScatterPlotItem(symbol="o", size=30, brush=None)
        self.addItem(self.selected_marker)
        legend = add_legend(self)
        self.legend_samples = [pg.ScatterPlotItem(symbol="o", size=14) for _ in CLASS_COLORS] + [pg.PlotDataItem()]
        for sample, label in zip(self.legend_samples, ("class 0", "class 1", "p = ½")):
            legend.addItem(sample, label)
        cache_axes(self)
        state.sig_setup_changed.connect(self.draw_data)
        state.sig_trained.connect(self.draw_boundary)
        state.sig_sample_changed.connect(self._show_sample)
        state.theme.changed.connect(self.set_dark)
        self.set_dark(state.theme.dark)

    def class_colors(self) -> tuple[str, str]:
        return CLASS_COLORS_DARK if self.state.theme.dark else CLASS_COLORS

    def set_dark(self, dark: bool) -> None:
        c = plot_colors(dark)
        set_plot_dark(self, dark)
        self.boundary_image.setColorMap(HEAT_MAP_DARK if dark else HEAT_MAP)
        line = pg.mkPen(c.contrast, width=3)
        self.boundary_line.setPen(line)
        self.selected_marker.setPen(pg.mkPen(c.contrast, width=3))
        for points, color in zip(self.class_points, self.class_colors()):
            points.setPen(pg.mkPen("#ffffff", width=1.5))
            points.setBrush(pg.mkBrush(color))
        for sample, color in zip(self.legend_samples, self.class_colors()):
            sample.setBrush(pg.mkBrush(color))
            sample.setPen(pg.mkPen("#ffffff", width=1.5))
        self.legend_samples[-1].setPen(line)
        self.draw_data()
        self.draw_boundary()

    def draw_data(self) -> None:
        data = self.state.data
        size = 20 if len(data) <= 10 else 10
        for label, points in enumerate(self.class_points):
            chosen = np.flatnonzero(data.y == label)
            points.setData(x=data.x1[chosen], y=data.x2[chosen], size=size, data=chosen)
        x1_lo, x1_hi, x2_lo, x2_hi = data.bounds
        rect = QRectF(x1_lo, x2_lo, x1_hi - x1_lo, x2_hi - x2_lo)
        if rect != getattr(self, "_plane_rect", None):  # a new range re-lays the axes out: only when it changes
            self._plane_rect = rect
            self.setRange(xRange=(x1_lo, x1_hi), yRange=(x2_lo, x2_hi), padding=0)
        self._show_sample(self.state.sample)

    def point_count(self) -> int:
        """How many data points are drawn."""
        return sum(len(points.data) for points in self.class_points)

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
        self.selected_marker.setData([data.x1[index]], [data.x2[index]])

    def _on_point_clicked(self, _item: object, points: list[pg.SpotItem], *_: object) -> None:
        if len(points):
            self.state.set_sample(int(points[0].data()))


class LossView(QWidget):
    """The mean loss against the step, on a log axis, with a dot at the current step."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.plot = log_plot(enableMenu=False)
        style_plot(self.plot, "mean loss", "step", "cross-entropy")
        self.loss_curve = self.plot.plot([], [])
        # The current loss as a dot: before the first step the curve is one point, which a pen cannot draw.
        self.loss_marker = self.plot.plot([], [], pen=None, symbol="o", symbolSize=14)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # "step (x0.001)" reads as nonsense
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        cache_axes(self.plot)
        self._ranges: tuple[float, tuple[float, float]] | None = None
        state.sig_trained.connect(self.redraw)
        state.theme.changed.connect(self.set_dark)
        self.set_dark(state.theme.dark)

    def set_dark(self, dark: bool) -> None:
        set_plot_dark(self.plot, dark)
        color = LOSS_COLOR[1 if dark else 0]
        self.loss_curve.setPen(pg.mkPen(color, width=LINE_WIDTH))
        self.loss_marker.setSymbolBrush(pg.mkBrush(color))
        self.loss_marker.setSymbolPen(pg.mkPen(plot_colors(dark).background, width=2))
        self.redraw()

    def redraw(self) -> None:
        snapshot = self.state.snapshot
        if snapshot is None:
            return
        losses = np.maximum(snapshot.losses, 1e-300)
        self.loss_curve.setData(np.arange(len(losses)), losses)
        self.loss_marker.setData([len(losses) - 1], losses[-1:])
        # Ranges that grow in whole steps (x: 100, 200, 500, 1000 …; y: whole decades) rather than with
        # every chunk: each new range redraws both axes, the most expensive part of the picture.
        finite = losses[np.isfinite(losses)]
        ranges = (nice_ceiling(len(losses) - 1), decades(finite) if len(finite) else (-1.0, 1.0))
        if ranges != self._ranges:
            self._ranges = ranges
            self.plot.setXRange(-0.03 * ranges[0], ranges[0], padding=0)  # the starting dot clear of the axis
            self.plot.setYRange(*ranges[1], padding=0)


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
