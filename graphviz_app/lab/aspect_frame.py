"""A frame that sizes the lab's surface plot so that its view box has the surface's own shape.

The surface is drawn at 1:1 (a gradient is perpendicular to the contour lines only then). In a plot
of another shape pyqtgraph widens one axis to keep 1:1, and the heat map, computed over the
surface's range, leaves blank bands at the edges. Here the plot gets the size whose view box has
the surface's aspect: the heat map fills it edge to edge, and what is left of the frame is plain
background around the plot.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

from graphviz_app.lab.staging import FIT
from graphviz_app.lab.surface_plot import SurfacePlot


class AspectFrame(QWidget):
    """Holds one `SurfacePlot`; refits it when the frame is resized or the surface changes."""

    def __init__(self, plot: SurfacePlot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        plot.setParent(self)
        self.setMinimumSize(240, 200)
        plot.plot_item.getViewBox().sigResized.connect(self.fit)
        plot.lab.sig_surface_changed.connect(self._surface_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def _surface_changed(self) -> None:
        if self.plot.stages is None:
            self.fit()
        else:  # resizing the plot is a turn of its own (~12 ms), not part of the race's arrival
            self.plot.stages.request(FIT, self._fit_surface)

    def _fit_surface(self) -> None:
        """The new surface's shape, axes and range in one turn: its tick labels are redrawn once."""
        self.plot.draw_view()
        self.fit()

    def fit(self, *_: object) -> None:
        """The plot's size: its margins (axes, title, colour bar) plus a view box of the surface's shape."""
        s = self.plot.lab.surface
        aspect = (s.x_range[1] - s.x_range[0]) / (s.y_range[1] - s.y_range[0])
        view = self.plot.plot_item.getViewBox().sceneBoundingRect()
        if view.width() < 10 or view.height() < 10:  # not laid out yet: fill the frame, fit next time
            self.plot.setGeometry(0, 0, self.width(), self.height())
            return
        item = self.plot.plot_item.geometry()  # the plot's layout in its scene (it may lag behind the widget)
        margin_x = item.width() - view.width()
        margin_y = item.height() - view.height()
        inner_w = max(self.width() - margin_x, 40.0)
        inner_h = max(self.height() - margin_y, 40.0)
        if inner_w / inner_h > aspect:
            inner_w = inner_h * aspect
        else:
            inner_h = inner_w / aspect
        self.plot.fit_title(round(inner_w) - 8)  # the title sits over the view box: a long one would widen it
        width, height = round(inner_w + margin_x), round(inner_h + margin_y)
        x, y = (self.width() - width) // 2, (self.height() - height) // 2
        if abs(width - self.plot.width()) > 1 or abs(height - self.plot.height()) > 1 or self.plot.x() != x:
            self.plot.setGeometry(x, y, width, height)
