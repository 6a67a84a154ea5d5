"""The window's text size (Ctrl+= / Ctrl+−, presentation mode) reaching the texts a view sizes itself.

The application's style sheet and font follow the size by themselves (the window sets them); what a
view gives a size of its own does not: a label's `font-size: 13pt` style, a plot's tick labels, axis
labels, title and legend, a rich text's `font-size:16pt` span. A view hands those to its `TextSizer`
once, and the sizer applies the theme's `text_scale` now and on every `text_scale_changed`: one
mechanism for every tab, instead of each view listening and resizing in its own way.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
import shiboken6
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from graphviz_app.theme import Theme, scaled_points
from graphviz_app.widgets.plot_style import set_plot_text_scale


def lines_height(point_size: float, lines: int) -> int:
    """The height in pixels of `lines` lines of text at `point_size`."""
    font = QFont()
    font.setPointSizeF(point_size)
    return QFontMetrics(font).lineSpacing() * lines + 6


class TextSizer:
    """Keeps a view's own text sizes at the theme's text size."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._styles: list[tuple[QWidget, str]] = []
        self._heights: list[tuple[QWidget, float, int]] = []
        self._plots: list[pg.PlotWidget] = []
        self._redraws: list[Callable[[], None]] = []
        theme.text_scale_changed.connect(self.apply)

    @property
    def scale(self) -> float:
        return self.theme.text_scale

    def style(self, widget: QWidget, css: str) -> None:
        """`widget.setStyleSheet(css)` with css's point sizes at the text size."""
        self._styles.append((widget, css))
        widget.setStyleSheet(scaled_points(css, self.scale))

    def fixed_height(self, widget: QWidget, point_size: float, lines: int) -> None:
        """Room for `lines` lines at `point_size` (at the text size), so a changing text never moves a plot."""
        self._heights.append((widget, point_size, lines))
        widget.setFixedHeight(lines_height(point_size * self.scale, lines))

    def plot(self, plot: pg.PlotWidget) -> None:
        """A plot styled by `style_plot`: its title, axes, ticks and legend."""
        self._plots.append(plot)
        set_plot_text_scale(plot, self.scale)

    def redraw(self, callback: Callable[[], None]) -> None:
        """Called again when the size changes: a view whose rich text uses `theme.pt` redraws it."""
        self._redraws.append(callback)

    def apply(self, scale: float | None = None) -> None:
        scale = self.scale if scale is None else scale
        alive = shiboken6.isValid
        for widget, css in self._styles:
            if alive(widget):
                widget.setStyleSheet(scaled_points(css, scale))
        for widget, point_size, lines in self._heights:
            if alive(widget):
                widget.setFixedHeight(lines_height(point_size * scale, lines))
        for plot in self._plots:
            if alive(plot):
                set_plot_text_scale(plot, scale)
        for callback in self._redraws:
            callback()
