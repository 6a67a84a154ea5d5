"""Readable plots and labelled sliders for the lab tabs (activations, tiny networks).

Big fonts and thick lines: the tabs are shown on a lecture-hall projector. Plots follow the app's
light or dark theme: `style_plot` remembers a plot's texts and `set_plot_dark` recolours background,
axes, ticks, grid, labels and legend (the colours match the optimizer lab's plots).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSlider, QVBoxLayout, QWidget

FONT_PT = 13  # plot text; widgets follow the application font
LINE_WIDTH = 4


@dataclass(frozen=True)
class PlotColors:
    """What a plot is drawn with in one theme."""

    background: str
    axis: str  # axis lines, ticks and (faded by pyqtgraph) the grid
    text: str  # titles, axis labels, tick labels, legend text
    legend_brush: tuple[int, int, int, int]
    legend_pen: str
    contrast: str  # lines that must stand out from the background (hover line, contours, rings)


LIGHT_PLOT = PlotColors("#ffffff", "#333333", "#1b1f24", (255, 255, 255, 215), "#999999", "#111111")
DARK_PLOT = PlotColors("#15181d", "#aab4bf", "#e6edf3", (30, 34, 40, 225), "#57606a", "#f0f3f6")


def plot_colors(dark: bool) -> PlotColors:
    return DARK_PLOT if dark else LIGHT_PLOT


def readable_color(color: str, dark: bool, lightness: float = 0.66) -> str:
    """`color` as it is on white; on the dark background lightened to at least `lightness` (HSL), same hue,
    so tab10's blue, brown and purple do not sink into #15181d."""
    if not dark:
        return color
    q = QColor(color)
    h, s, l, a = q.getHslF()
    if l >= lightness:
        return color
    return QColor.fromHslF(max(h, 0.0), s, lightness, a).name()


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(mantissa: int, exponent: int) -> str:
    """0.01, 5, 200 in plain digits; 10⁻⁴, 5·10⁻⁶ beyond (pyqtgraph's '0.0001' got dropped for width)."""
    if -3 <= exponent <= 3:
        return f"{mantissa * 10.0**exponent:.{max(-exponent, 0)}f}"
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa}·{power}"


class LogAxis(pg.AxisItem):
    """An axis whose log mode labels only as many in-between values as fit (1; 1, 2, 5; or all),
    where pyqtgraph would stack 0.07, 0.08, 0.09 on top of each other on a short plot."""

    def _kept_mantissas(self) -> set[int]:
        low, high = self.range
        length = self.geometry().height() if self.orientation in ("left", "right") else self.geometry().width()
        pixels_per_decade = length / max(high - low, 1e-9)
        # 0.01 and 0.009 are 4.6 % of a decade apart: all nine only when that is a full line of text.
        return {1} if pixels_per_decade < 90 else {1, 2, 5} if pixels_per_decade < 480 else set(range(1, 10))

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        """Ticks (and so grid lines) only at the values that get a label: nine faint lines per decade
        across a whole chart are a grey wall on a projector."""
        keep, seen, levels = self._kept_mantissas(), set(), []
        for spacing, values in super().logTickValues(minVal, maxVal, size, stdTicks):
            # A decade is in the major level already: once more in the minor one would draw it twice.
            kept = [v for v in values if _mantissa(v)[0] in keep and round(v, 6) not in seen]
            seen.update(round(v, 6) for v in kept)
            levels.append((spacing, kept))
        return levels

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        keep = self._kept_mantissas()
        shown = []
        for value in values:
            mantissa, exponent = _mantissa(value)
            shown.append(decade_label(mantissa, exponent) if mantissa in keep else "")
        return shown


def _mantissa(log_value: float) -> tuple[int, int]:
    """10 ** log_value as (mantissa 1…9, exponent), rounded to the nearest whole mantissa."""
    exponent = int(np.floor(log_value + 1e-9))
    mantissa = round(10 ** (log_value - exponent))
    return (1, exponent + 1) if mantissa == 10 else (mantissa, exponent)


def log_plot(**kwargs: object) -> pg.PlotWidget:
    """A PlotWidget with a log y axis that labels only what fits."""
    plot = pg.PlotWidget(background=LIGHT_PLOT.background, axisItems={"left": LogAxis("left")}, **kwargs)
    plot.setLogMode(y=True)
    plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
    return plot


def style_plot(plot: pg.PlotWidget, title: str, bottom: str, left: str, dark: bool = False) -> None:
    """Readable from the back row: large title, labels and ticks, a light grid; colours of the theme."""
    item = plot.getPlotItem()
    plot.plot_texts = (title, bottom, left)  # set_plot_dark writes them again in the theme's colour
    for side in ("bottom", "left"):
        axis = item.getAxis(side)
        # Sparser labels than pyqtgraph's default (0.1 steps down a whole axis are a wall of digits).
        axis.setStyle(tickTextOffset=6, textFillLimits=[(0, 0.8), (2, 0.3), (4, 0.2), (6, 0.15)])
        # No "(x0.001)" prefixes: the labels have no units, and with it every new range rewrote the
        # axis label's rich text and re-measured the axis.
        axis.enableAutoSIPrefix(False)
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setMenuEnabled(False)
    item.hideButtons()  # the little "A" (auto-range) button is noise on a projector
    set_plot_dark(plot, dark)


def set_plot_dark(plot: pg.PlotWidget, dark: bool) -> None:
    """Recolour a plot made by `style_plot` (and its legend, if it has one) for the light or dark theme,
    and size its texts for the window's text size (`set_plot_text_scale`)."""
    c = plot_colors(dark)
    plot.plot_dark = bool(dark)
    scale = getattr(plot, "plot_text_scale", 1.0)
    item = plot.getPlotItem()
    title, bottom, left = getattr(plot, "plot_texts", (None, None, None))
    # The same colours and sizes again (a view styled, then sized, then themed while it is built) change
    # nothing: each pass rewrote every label's rich text and re-measured the axes (~5 ms a plot).
    applied = (bool(dark), scale, title, bottom, left, len(item.legend.items) if item.legend is not None else -1)
    if getattr(plot, "plot_applied", None) == applied:
        return
    plot.plot_applied = applied
    plot.setBackground(c.background)
    if title is not None:
        item.setTitle(title, size=f"{(FONT_PT + 3) * scale:.3g}pt", color=c.text)
    for side, text in (("bottom", bottom), ("left", left)):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(c.axis, width=1.5))
        axis.setTextPen(pg.mkPen(c.text))
        axis.setStyle(tickFont=tick_font(FONT_PT - 1, scale))
        if text is not None:
            axis.setLabel(text, color=c.text, **{"font-size": f"{FONT_PT * scale:.3g}pt"})
    if item.legend is not None:
        _color_legend(item.legend, c, scale)


def set_plot_text_scale(plot: pg.PlotWidget, scale: float) -> None:
    """The plot's title, axis labels, tick labels and legend `scale` times their size (Ctrl+= / Ctrl+−)."""
    plot.plot_text_scale = scale
    set_plot_dark(plot, getattr(plot, "plot_dark", False))


def tick_font(points: float, scale: float = 1.0) -> QFont:
    """The font of a plot's tick labels, at the window's text size."""
    font = QFont()
    font.setPointSizeF(points * scale)
    return font


def _color_legend(legend: pg.LegendItem, c: PlotColors, scale: float = 1.0) -> None:
    legend.setLabelTextColor(c.text)
    size = f"{FONT_PT * scale:.3g}pt"
    legend.opts["labelTextSize"] = size  # for entries added later
    for _, label in legend.items:  # setLabelTextColor only stores the colour; the text is drawn by setText
        label.setText(label.text, size=size)
    legend.setBrush(pg.mkBrush(*c.legend_brush))
    legend.setPen(pg.mkPen(c.legend_pen))


def add_legend(plot: pg.PlotWidget, offset: tuple[int, int] = (10, 10)) -> pg.LegendItem:
    c = plot_colors(getattr(plot, "plot_dark", False))
    legend = plot.getPlotItem().addLegend(
        offset=offset,
        labelTextSize=f"{FONT_PT * getattr(plot, 'plot_text_scale', 1.0):.3g}pt",
        labelTextColor=c.text,
        brush=pg.mkBrush(*c.legend_brush),
        pen=pg.mkPen(c.legend_pen),
    )
    return legend


class LabeledSlider(QWidget):
    """A horizontal slider over a float range (linear or log), with its name and value shown above it."""

    sig_value_changed = Signal(float)

    def __init__(
        self,
        name: str,
        low: float,
        high: float,
        value: float,
        log_scale: bool = False,
        steps: int = 200,
        decimals: int = 3,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name, self.low, self.high, self.log_scale, self.decimals = name, low, high, log_scale, decimals
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, steps)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.slider)
        self.slider.valueChanged.connect(self._on_slider)
        self.set_value(value)

    def configure(self, name: str, low: float, high: float, value: float, steps: int | None = None) -> None:
        """Another name and range (e.g. the parameter of another activation); emits no signal."""
        self.name, self.low, self.high = name, low, high
        self.slider.blockSignals(True)
        if steps is not None:
            self.slider.setRange(0, steps)
        self.set_value(value)
        self.slider.blockSignals(False)

    def value(self) -> float:
        fraction = self.slider.value() / self.slider.maximum()
        if self.log_scale:
            return float(self.low * (self.high / self.low) ** fraction)
        return float(self.low + (self.high - self.low) * fraction)

    def set_value(self, value: float) -> None:
        if self.log_scale:
            fraction = math.log(value / self.low) / math.log(self.high / self.low)
        else:
            fraction = (value - self.low) / (self.high - self.low)
        self.slider.setValue(round(min(max(fraction, 0.0), 1.0) * self.slider.maximum()))
        self._show()

    def _show(self) -> None:
        shown = f"{self.value():.{self.decimals}g}" if self.log_scale else f"{self.value():.{self.decimals}f}"
        self.label.setText(f"{self.name}: <b>{shown}</b>")

    def _on_slider(self, _: int) -> None:
        self._show()
        self.sig_value_changed.emit(self.value())


def cache_axes(plot: pg.PlotWidget) -> None:
    """Keep a plot's axes, title and legend as pixmaps: a new curve or image then repaints without
    drawing every tick label again (their text costs more than the data on a slow machine)."""
    item = plot.getPlotItem()
    parts = [item.getAxis("left"), item.getAxis("bottom"), item.titleLabel]
    if item.legend is not None:
        parts.append(item.legend)
    for part in parts:
        part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def settle_axes(plot: pg.PlotWidget) -> None:
    """Measure the tick labels now, as the first paint would: pyqtgraph widens an axis to fit its
    labels while painting it, which re-lays the plot out and paints it all again in the next turn.
    Done while the plot is still held (staged_build.Slot), its first paint is its only one."""
    # The ranges as the paint would have them: an auto range is brought up to date only when painting
    # (measured with the range before it, the chain's log axis was sized for its "1" alone).
    plot.scene().prepareForPaint()
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        item = plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            if axis.isVisible() and axis.linkedView() is not None:
                axis.generateDrawSpecs(painter)
    finally:
        painter.end()
