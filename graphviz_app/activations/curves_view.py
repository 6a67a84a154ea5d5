"""The top half of the activations tab: pick activations, see f(a) and f′(a), shade saturation, hover.

A view of `ActivationsState`: the controls call its `set_…` methods, `sig_curves_changed` and
`sig_hover_changed` redraw. Plot items are made once and only get new data afterwards (creating a
pyqtgraph item costs milliseconds, and this runs on every slider tick).
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.activations import ACTIVATIONS
from graphviz_app.activations.state import MAX_RANGE, ActivationsState
from graphviz_app.numbers import number
from graphviz_app.widgets.plot_style import (
    FONT_PT,
    LINE_WIDTH,
    LabeledSlider,
    cache_axes,
    plot_colors,
    set_plot_dark,
    settle_axes,
    style_plot,
)
from graphviz_app.widgets.staged_build import Slot
from graphviz_app.widgets.text_size import TextSizer

PANEL_WIDTH = 265
FAR = 1e3  # a saturated run that reaches the end of the grid is shaded on to the edge of the plot


class CurvesView(QWidget):
    """Activation list, parameter sliders and threshold on the left; f(a), f′(a) and the readout on the right."""

    def __init__(self, state: ActivationsState, parent: QWidget | None = None, staged: bool = False) -> None:
        """`staged`: the controls now, the two plots by the caller running `build()`'s pieces, one per turn."""
        super().__init__(parent)
        self.state = state
        self._shading: list[pg.LinearRegionItem] = []
        self._ranges: tuple[tuple[float, float], ...] = ()
        self.curve_items: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.hover_lines: list[pg.InfiniteLine] = []
        self._built = False  # every piece done (`ready`)
        self._drawing = False  # the plots follow the state (both exist)
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the legend, readout and plots
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_controls())
        layout.addLayout(self._build_texts(), 1)
        if not staged:
            for _ in self.build():
                pass

    def ready(self) -> bool:
        return self._built

    def build(self) -> Iterator[None]:
        """The two plots in pieces of some 20 ms: each plot, its curves, the first drawing (both still
        hidden in their slots), then each plot shown, and so painted, on a turn of its own."""
        self.value_plot = self._make_plot("f(a)", self.value_slot)
        yield
        self._add_curves(self.value_plot, 0)
        yield
        self.derivative_plot = self._make_plot("f′(a)", self.derivative_slot)
        yield
        self._add_curves(self.derivative_plot, 1)
        yield
        self._finish()
        yield
        settle_axes(self.value_plot)
        settle_axes(self.derivative_plot)
        yield
        self.value_slot.show_content()
        yield
        self.derivative_slot.show_content()
        yield
        # Linked once both are painted (linked before, the first paint of f′(a) moved f(a) and both
        # were painted in that turn); both show the same range already (`redraw`).
        self.derivative_plot.setXLink(self.value_plot)
        self._built = True

    def _build_controls(self) -> QWidget:
        self.activation_list = QListWidget()
        for name, activation in ACTIVATIONS.items():
            item = QListWidgetItem(activation.display_name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in self.state.shown else Qt.CheckState.Unchecked)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.activation_list.addItem(item)
        self.activation_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.activation_list.itemChanged.connect(self._on_item_changed)
        self.activation_list.currentItemChanged.connect(lambda *_: self._drawing and self._draw_shading())
        self.activation_list.setToolTip("tick to show; click a name to shade where its f′ saturates")
        # Every activation in sight, no scrolling (the back row cannot scroll a list).
        rows = self.activation_list.sizeHintForRow(0) * self.activation_list.count()
        self.activation_list.setMinimumHeight(rows + 2 * self.activation_list.frameWidth() + 4)
        controls = QVBoxLayout()
        controls.addWidget(QLabel("<b>Activations</b>"))
        controls.addWidget(self.activation_list, 1)
        self.parameter_sliders: dict[str, LabeledSlider] = {}
        for name, value in self.state.parameters.items():
            activation = ACTIVATIONS[name]
            symbol = "α" if activation.parameter == "alpha" else activation.parameter
            slider = LabeledSlider(
                f"{activation.display_name} {symbol}",
                activation.low,
                activation.high,
                value,
                steps=round((activation.high - activation.low) / 0.01),
                decimals=2,
            )
            slider.sig_value_changed.connect(lambda v, n=name: self.state.set_parameter(n, v))
            self.parameter_sliders[name] = slider
            controls.addWidget(slider)
        self.threshold_slider = LabeledSlider(
            "shade saturation: |f′| &lt;", 0.001, 0.5, self.state.threshold, log_scale=True, decimals=2
        )
        self.threshold_slider.sig_value_changed.connect(self.state.set_threshold)
        controls.addWidget(self.threshold_slider)
        self.range_low, self.range_high = (_range_box(v) for v in self.state.x_range)
        for box in (self.range_low, self.range_high):
            box.editingFinished.connect(self._on_range_edited)
        row = QHBoxLayout()
        row.addWidget(QLabel("a from"))
        row.addWidget(self.range_low)
        row.addWidget(QLabel("to"))
        row.addWidget(self.range_high)
        controls.addLayout(row)
        panel = QWidget()
        panel.setLayout(controls)
        panel.setFixedWidth(PANEL_WIDTH)
        return panel

    def _build_texts(self) -> QVBoxLayout:
        # The legend is a line of text above the plots, not a box inside one: with several activations
        # checked, or on a small screen, no corner of f(a) is free of curves.
        self.legend_strip = QLabel(objectName="activationLegend")
        self.legend_strip.setTextFormat(Qt.TextFormat.RichText)
        self.legend_strip.setWordWrap(True)
        self.sizer.style(self.legend_strip, f"font-size: {FONT_PT}pt")
        # Fixed heights: a label that grows by a line when a curve is ticked would resize both plots,
        # and a resize repaints all of them (100 ms on a slow machine) instead of the curves alone.
        self.sizer.fixed_height(self.legend_strip, FONT_PT + 3, 2)
        self.readout = QLabel("Hover over a plot to read a, f(a) and f′(a).")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.sizer.style(self.readout, f"font-size: {FONT_PT}pt")
        self.sizer.fixed_height(self.readout, FONT_PT, 2)
        # The plots' places, there before the plots (staged_build.Slot): a plot that arrives resizes nothing.
        self.value_slot, self.derivative_slot = Slot(), Slot()
        self.plots = QHBoxLayout()
        self.plots.addWidget(self.value_slot)
        self.plots.addWidget(self.derivative_slot)
        right = QVBoxLayout()
        right.addWidget(self.legend_strip)
        right.addLayout(self.plots, 1)
        right.addWidget(self.readout)
        return right

    def _make_plot(self, title: str, slot: Slot) -> pg.PlotWidget:
        """An empty plot for f or f′, hidden in its slot (its curves come a turn later: `_add_curves`)."""
        plot = pg.PlotWidget(enableMenu=False)  # no context menu: building it is a third of a plot's cost
        style_plot(plot, title, "a", title)
        self.sizer.plot(plot)
        slot.hold(plot)
        return plot

    def _add_curves(self, plot: pg.PlotWidget, which: int) -> None:
        """One (hidden) curve per activation on `plot`: f (which = 0) or f′ (which = 1)."""
        for name in ACTIVATIONS:
            item = pg.PlotDataItem()
            plot.addItem(item)
            pair = self.curve_items.get(name, (item, item))
            self.curve_items[name] = (item, pair[1]) if which == 0 else (pair[0], item)
        line = pg.InfiniteLine(angle=90, movable=False)
        line.setVisible(False)
        plot.addItem(line, ignoreBounds=True)
        self.hover_lines.append(line)
        plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._on_mouse_moved(p, pos))
        cache_axes(plot)

    def _finish(self) -> None:
        self.state.sig_curves_changed.connect(self.redraw)
        self.state.sig_hover_changed.connect(self._show_hover)
        self.state.theme.changed.connect(self.set_dark)
        self.sizer.redraw(self.redraw)  # the legend's rich text sizes its colour marks with theme.pt
        self.set_dark(self.state.theme.dark)
        self._drawing = True

    # ---- from the controls to the state ----

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.state.set_shown(item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked)

    def _on_range_edited(self) -> None:
        low, high = self.range_low.value(), self.range_high.value()
        try:
            self.state.set_x_range(low, high)
        except ValueError:  # low ≥ high: put the boxes back to the range shown
            for box, value in zip((self.range_low, self.range_high), self.state.x_range):
                box.setValue(value)

    def _on_mouse_moved(self, plot: pg.PlotWidget, position: QPointF) -> None:
        if plot.sceneBoundingRect().contains(position):
            self.state.set_hover(plot.getPlotItem().vb.mapSceneToView(position).x())

    # ---- from the state to the screen ----

    def color(self, name: str) -> str:
        return self.state.theme.activation_color(name)

    def set_dark(self, dark: bool) -> None:
        """Recolour plots, curves and the list for the light or dark theme."""
        for plot in (self.value_plot, self.derivative_plot):
            set_plot_dark(plot, dark)
        self.activation_list.blockSignals(True)  # a new foreground colour is an itemChanged too
        for i in range(self.activation_list.count()):
            item = self.activation_list.item(i)
            item.setForeground(QColor(self.color(item.data(Qt.ItemDataRole.UserRole))))
        self.activation_list.blockSignals(False)
        for name, items in self.curve_items.items():
            for item in items:
                item.setPen(pg.mkPen(self.color(name), width=LINE_WIDTH))
        for line in self.hover_lines:
            line.setPen(pg.mkPen(plot_colors(dark).contrast, width=2, style=Qt.PenStyle.DashLine))
        self.redraw()

    def redraw(self) -> None:
        """Curves, shading, axis ranges, legend and readout from the state."""
        state = self.state
        grid = state.grid
        for name, (value_item, derivative_item) in self.curve_items.items():
            curve = state.curves.get(name)
            value_item.setVisible(curve is not None)
            derivative_item.setVisible(curve is not None)
            if curve is not None:
                value_item.setData(grid, curve.value)
                derivative_item.setData(grid, curve.derivative)
        self._draw_shading()
        # Fixed y ranges keep the picture still while a slider moves; they only grow for negative slopes.
        lowest_value = min((float(c.value.min()) for c in state.curves.values()), default=0.0)
        highest_value = max((float(c.value.max()) for c in state.curves.values()), default=3.0)
        lowest_slope = min((float(c.derivative.min()) for c in state.curves.values()), default=0.0)
        ranges = (
            state.x_range,
            (min(-1.5, lowest_value - 0.2), min(max(3.0, 0.6 * highest_value), 60.0)),
            (min(-0.1, lowest_slope - 0.1), 1.15),
        )
        if ranges != self._ranges:  # setting the same range again still redraws every axis
            self._ranges = ranges
            self.value_plot.setXRange(*ranges[0], padding=0.02)
            # Linked already; set as well so that the link finds nothing to change when the plot is
            # first painted (else it moved f(a) then, and both plots were painted in one turn).
            self.derivative_plot.setXRange(*ranges[0], padding=0.02)
            self.value_plot.setYRange(*ranges[1], padding=0.02)
            self.derivative_plot.setYRange(*ranges[2], padding=0.02)
        self.legend_strip.setText(
            " &nbsp; ".join(
                f'<span style="color:{self.color(name)}; font-size:{self.state.theme.pt(FONT_PT + 3)}pt">━</span>&nbsp;'
                f"<b>{html.escape(text)}</b>"
                for name, text in zip(state.shown, state.legend_texts)
            )
            or "<i>tick an activation on the left</i>"
        )
        for i in range(self.activation_list.count()):  # the state may have been changed without the list
            item = self.activation_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in state.shown
            if (item.checkState() == Qt.CheckState.Checked) != on:
                self.activation_list.blockSignals(True)
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.activation_list.blockSignals(False)
        self._sync_controls()
        self._show_hover(state.hover)

    def _sync_controls(self) -> None:
        """Sliders and range boxes show the state (changed from a session) without sending it back."""
        state = self.state
        wanted = [(self.parameter_sliders[n], v) for n, v in state.parameters.items() if n in self.parameter_sliders]
        for slider, value in [*wanted, (self.threshold_slider, state.threshold)]:
            if abs(slider.value() - value) > 1e-3 * max(abs(value), 1e-9):
                slider.slider.blockSignals(True)
                slider.set_value(value)
                slider.slider.blockSignals(False)
        for box, value in zip((self.range_low, self.range_high), state.x_range):
            if box.value() != round(value, box.decimals()):
                box.blockSignals(True)
                box.setValue(value)
                box.blockSignals(False)

    def shaded_name(self) -> str | None:
        """The one activation whose saturation is shaded: the one selected in the list if it is shown,
        else the first shown (seven translucent shadings on top of each other make a muddy brown)."""
        current = self.activation_list.currentItem()
        name = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        return name if name in self.state.shown else next(iter(self.state.shown), None)

    def _draw_shading(self) -> None:
        grid = self.state.grid
        alpha = 55 if self.state.theme.dark else 40
        shaded = self.shaded_name()
        regions = [region for region in self.state.shaded_regions() if region[0] == shaded]
        title = "f′(a)"
        if shaded is not None:
            title += f" · shaded: {ACTIVATIONS[shaded].display_name}"  # short: a long title widens the plot
        if self.derivative_plot.plot_texts[0] != title:
            self.derivative_plot.plot_texts = (title, *self.derivative_plot.plot_texts[1:])
            self.derivative_plot.getPlotItem().setTitle(
                title, size=f"{FONT_PT + 3}pt", color=plot_colors(self.state.theme.dark).text
            )
        while len(self._shading) < len(regions):
            region = pg.LinearRegionItem(movable=False, pen=pg.mkPen(None))
            region.setZValue(-10)
            self.derivative_plot.addItem(region, ignoreBounds=True)
            self._shading.append(region)
        for region, (name, low, high) in zip(self._shading, regions):
            shade = QColor(self.color(name))
            shade.setAlpha(alpha)
            region.setRegion((-FAR if low <= grid[0] else low, FAR if high >= grid[-1] else high))
            region.setBrush(pg.mkBrush(shade))
        for k, region in enumerate(self._shading):
            region.setVisible(k < len(regions))

    def _show_hover(self, a: float | None) -> None:
        for line in self.hover_lines:
            line.setVisible(a is not None)
            if a is not None:
                line.setPos(a)
        if a is None:
            return
        parts = [f"<b>a = {a:+.2f}</b>"]
        for name, value, slope in self.state.readout():
            parts.append(
                f"<span style='color:{self.color(name)}'><b>{ACTIVATIONS[name].display_name}</b>: "
                f"f = {number(value)}, f′ = {number(slope)}</span>"
            )
        self.readout.setText(" &nbsp;|&nbsp; ".join(parts))

    def shown_region_count(self) -> int:
        """How many shaded saturation bands are on the f′ plot."""
        return sum(region.isVisible() for region in self._shading)


def _range_box(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(-MAX_RANGE, MAX_RANGE)
    box.setDecimals(1)
    box.setSingleStep(1.0)
    box.setValue(value)
    box.setKeyboardTracking(False)
    return box


def visible_curve_count(plot: pg.PlotWidget) -> int:
    """How many curves a plot shows (tests, screenshots)."""
    return int(np.sum([item.isVisible() for item in plot.getPlotItem().listDataItems()]))
