"""Readable plots and labelled sliders for the lab tabs (activations, tiny networks).

Big fonts, thick lines and a white background: the tabs are shown on a lecture-hall projector.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSlider, QVBoxLayout, QWidget

FONT_PT = 13  # plot text; widgets follow the application font
LINE_WIDTH = 4


class LogAxis(pg.AxisItem):
    """An axis whose log mode labels only as many in-between values as fit (1; 1, 2, 5; or all),
    where pyqtgraph would stack 0.07, 0.08, 0.09 on top of each other on a short plot."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        low, high = self.range
        length = self.geometry().height() if self.orientation in ("left", "right") else self.geometry().width()
        pixels_per_decade = length / max(high - low, 1e-9)
        keep = {1} if pixels_per_decade < 90 else {1, 2, 5} if pixels_per_decade < 300 else set(range(1, 10))
        shown = []
        for value, text in zip(values, strings):
            mantissa = round(10 ** (value - np.floor(value + 1e-9)))
            shown.append(text if mantissa in keep else "")
        return shown


def log_plot(**kwargs: object) -> pg.PlotWidget:
    """A white PlotWidget with a log y axis that labels only what fits."""
    plot = pg.PlotWidget(background="w", axisItems={"left": LogAxis("left")}, **kwargs)
    plot.setLogMode(y=True)
    plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
    return plot


def style_plot(plot: pg.PlotWidget, title: str, bottom: str, left: str) -> None:
    """Readable from the back row: large title, labels and ticks, a light grid."""
    item = plot.getPlotItem()
    item.setTitle(title, size=f"{FONT_PT + 3}pt", color="#222")
    tick_font = QFont()
    tick_font.setPointSize(FONT_PT - 1)
    for side, text in (("bottom", bottom), ("left", left)):
        axis = item.getAxis(side)
        axis.setLabel(text, **{"font-size": f"{FONT_PT}pt"})
        axis.setStyle(tickFont=tick_font, tickTextOffset=6)
        axis.setPen(pg.mkPen("#333", width=1.5))
        axis.setTextPen(pg.mkPen("#222"))
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setMenuEnabled(False)


def add_legend(plot: pg.PlotWidget, offset: tuple[int, int] = (10, 10)) -> pg.LegendItem:
    legend = plot.getPlotItem().addLegend(offset=offset, labelTextSize=f"{FONT_PT}pt", labelTextColor="#222",
                                          brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#999"))
    return legend


class LabeledSlider(QWidget):
    """A horizontal slider over a float range (linear or log), with its name and value shown above it."""

    sig_value_changed = Signal(float)

    def __init__(self, name: str, low: float, high: float, value: float, log_scale: bool = False,
                 steps: int = 200, decimals: int = 3, parent: QWidget | None = None) -> None:
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
