"""Loss versus step for every run, on a log axis when every loss is positive, with the current step
marked by a vertical line. The whole curve is drawn at once (it is the race's summary); the line moves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt

from core.optimizers import OPTIMIZERS
from core.schedules import rate_change_steps
from graphviz_app.lab.lab_state import LabState
from graphviz_app.lab.staging import CURVES, LOSS_FOLLOW, LOSS_ITEMS, RATE_MARKS, Stages
from graphviz_app.theme import lab_colors
from graphviz_app.widgets.plot_style import LogAxis, cache_axes, plot_colors, set_plot_dark, tick_font
from graphviz_app.widgets.text_size import TextSizer

DRAWN_COLUMNS = 400  # a longer curve is drawn through the extremes of this many columns (each 1–2 pixels)


def peaks(x: np.ndarray, y: np.ndarray, columns: int = DRAWN_COLUMNS) -> tuple[np.ndarray, np.ndarray]:
    """A curve thinned for drawing, as pyqtgraph's "peak" downsampling: per column of steps its lowest
    and its highest loss (nan-ignoring), so no spike is lost; the last point is kept as it is."""
    if len(x) <= 3 * columns:
        return x, y
    starts = np.linspace(0, len(x), columns, endpoint=False).round().astype(int)
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
    xs = np.repeat(x[starts], 2)
    ys = np.column_stack([low, high]).ravel()
    return np.append(xs, x[-1]), np.append(ys, y[-1])


class LossPlot(pg.PlotWidget):
    """One curve per run (in its colour) and a vertical line at `LabState.step`."""

    def __init__(self, lab: LabState, parent=None, stages: Stages | None = None) -> None:
        """`stages`: redraw new runs in later turns of the event loop (the curves, then the rate
        marks), after the surface plot's redraws (`graphviz_app.lab.staging`); without, at once."""
        # LogAxis labels only the values that fit: within one decade pyqtgraph stacks 2·10¹ … 9·10¹.
        super().__init__(parent, axisItems={"left": LogAxis("left")}, enableMenu=False)  # a menu: 1/3 of a plot
        self.lab = lab
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.foreground = plot_colors(lab.dark).text
        self._labels_shown: tuple[str, str, str] | None = None  # the axis names drawn last (draw_curves)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        cache_axes(self)  # ticks as pixmaps: the moving step line repaints no tick label
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).enableAutoSIPrefix(False)
        self.scene().sigMouseClicked.connect(self._on_click)
        self.setToolTip("click the chart to jump to that step")
        self.stages = stages
        if stages is None:
            self._add_items()
        else:  # the chart's items in a later turn than the chart (the two are some 45 ms together)
            stages.request(LOSS_ITEMS, self._add_items)

    def _add_items(self) -> None:
        """A curve and rate marks per run, the step line; then follow the lab and draw it."""
        self.curves: dict[str, pg.PlotDataItem] = {}
        for name in OPTIMIZERS:
            self.curves[name] = self.plot_item.plot()
        # Where each run's learning rate changed (its decay): diamonds on its curve.
        self.rate_marks: dict[str, pg.ScatterPlotItem] = {}
        for name in OPTIMIZERS:
            self.rate_marks[name] = pg.ScatterPlotItem(symbol="d", size=13)
            self.rate_marks[name].setZValue(5)
            self.plot_item.addItem(self.rate_marks[name])
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.plot_item.addItem(self.cursor, ignoreBounds=True)
        if self.stages is None:
            self._follow_lab()
        else:  # colouring them and drawing the lab: a turn of its own
            self.stages.request(LOSS_FOLLOW, self._follow_lab)

    def _follow_lab(self) -> None:
        lab = self.lab
        lab.sig_trajectories_changed.connect(self._trajectories_changed)
        lab.sig_cursor_changed.connect(self._move_cursor)
        lab.sig_theme_changed.connect(self.set_dark)
        self.sizer = TextSizer(lab.theme)  # Ctrl+= / Ctrl+− reach the ticks and the axis labels
        self.sizer.redraw(lambda: self.set_dark(self.lab.dark))
        self.set_dark(lab.dark)

    def _trajectories_changed(self) -> None:
        if self.stages is None:
            self.draw_curves()
        else:
            self.stages.request(CURVES, self.draw_curves)

    def _move_cursor(self, step: int) -> None:
        self.cursor.setValue(step)

    def _on_click(self, event) -> None:  # type: ignore[no-untyped-def]
        """A left click on the chart shows that step (the player's position moves there)."""
        view = self.plot_item.getViewBox()
        if event.button() != Qt.MouseButton.LeftButton or not view.sceneBoundingRect().contains(event.scenePos()):
            return
        event.accept()
        self.lab.set_cursor(round(view.mapSceneToView(event.scenePos()).x()))

    def step_position(self, step: float) -> QPoint:
        """The viewport pixel of `step` half-way up the chart (where a click on it lands)."""
        view = self.plot_item.getViewBox()
        (_, _), (y_low, y_high) = view.viewRange()
        return self.mapFromScene(view.mapViewToScene(QPointF(step, (y_low + y_high) / 2)))

    @property
    def log_y(self) -> bool:
        return self.plot_item.ctrl.logYCheck.isChecked()

    def draw_curves(self) -> None:
        losses = [t.losses for t in self.lab.trajectories.values()]
        log_y = bool(losses) and all((l > 0).all() for l in losses)
        # Log mode takes log10 of the data itself; switch it before handing over the curves.
        self.plot_item.setLogMode(x=False, y=log_y)
        labels = ("loss (log)" if log_y else "loss", self.foreground, self._pt(13))
        if labels != self._labels_shown:  # a label set again, even unchanged, redraws its axis' tick labels
            self._labels_shown = labels
            self.plot_item.setLabel("left", labels[0], color=self.foreground, **{"font-size": self._pt(13)})
            self.plot_item.setLabel("bottom", "step", color=self.foreground, **{"font-size": self._pt(13)})
        for name, curve in self.curves.items():
            t = self.lab.trajectories.get(name)
            curve.setVisible(t is not None)
            if t is None:
                curve.setData([], [])
            else:
                # 5,000 steps on a chart some 600 pixels wide: each pixel column's lowest and highest
                # loss are drawn, so no spike is lost, and painting stays fast.
                curve.setData(*peaks(np.arange(len(t.losses)), t.losses))
        if self.stages is None:
            self.draw_rate_marks(log_y)
        else:
            self.stages.request(RATE_MARKS, lambda: self.draw_rate_marks(log_y))
        self.plot_item.setXRange(0, self.lab.steps, padding=0.01)
        finite = np.concatenate(losses)[np.isfinite(np.concatenate(losses))] if losses else np.empty(0)
        if log_y and finite.size:
            # Around the starting loss: exponential convergence reaches 1e-50 and a diverging run
            # 1e300; past twelve decades below or four above the start there is nothing to compare.
            first = float(losses[0][0])
            low = max(float(finite.min()), first * 1e-12)
            high = min(float(finite.max()), first * 1e4)
            self.plot_item.setYRange(np.log10(low), np.log10(max(high, low * 10)), padding=0.05)
        else:
            self.plot_item.enableAutoRange(axis="y")
        self.cursor.setValue(self.lab.cursor)

    def draw_rate_marks(self, log_y: bool) -> None:
        """A diamond on a run's curve at each step where its learning rate changed (step decay), or
        where it halved once more (exponential decay, which changes it every step)."""
        for name, marks in self.rate_marks.items():
            t = self.lab.trajectories.get(name)
            constant = t is None or len(t.lrs) == 0 or bool((t.lrs == t.lrs[0]).all())  # no decay: skip the walk
            steps = rate_change_steps(t.lrs.tolist()) if t is not None and not constant else []
            steps = [k for k in steps if k < len(t.losses)] if t is not None else []
            marks.setVisible(bool(steps))  # hidden, an empty item costs nothing to paint
            if not steps:
                marks.setData([], [])
                continue
            losses = t.losses[steps]
            marks.setData(np.array(steps, float), np.log10(losses) if log_y else losses)

    def rate_mark_steps(self, name: str) -> list[int]:
        """The steps marked on `name`'s curve (for tests and tooltips)."""
        return [int(x) for x in self.rate_marks[name].data["x"]]

    def _pt(self, points: float) -> str:
        return f"{self.lab.theme.pt(points)}pt"

    def set_dark(self, dark: bool) -> None:
        set_plot_dark(self, dark)
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).setStyle(tickFont=tick_font(11, self.lab.theme.text_scale))
        self.foreground = plot_colors(dark).text
        c = lab_colors(self.lab.theme)
        for name, curve in self.curves.items():
            curve.setPen(pg.mkPen(c.optimizers[name], width=3))
            self.rate_marks[name].setBrush(pg.mkBrush(c.optimizers[name]))
            self.rate_marks[name].setPen(pg.mkPen(c.marker, width=1.5))
        self.cursor.setPen(pg.mkPen(c.cursor, width=2))
        self._trajectories_changed()
