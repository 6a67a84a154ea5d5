"""A one-line legend above the plots: every optimizer in its colour (struck through when unticked,
marked when it diverged), the update arrows the inspected run draws (−velocity only where it has
one; their lengths are on a log scale) and ☆ only on a surface with a minimum. Outside the plots,
so it never hides a path.

Its height never shrinks while its width and text size stay: a legend a few pixels shorter (an
optimizer unticked, another run inspected) would resize both plots below it, and repaint them with
every tick label (some 40 ms, a stall on top of the race's own redraws).
"""

from __future__ import annotations

import html

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel

from core.optimizers import OPTIMIZERS
from graphviz_app.lab import arrows
from graphviz_app.lab.lab_state import REGRESSION, LabState
from graphviz_app.theme import lab_colors, scaled_points
from graphviz_app.widgets.text_size import TextSizer


class LegendStrip(QLabel):
    """Rich-text legend bound to `LabState` (which runs exist, which diverged)."""

    def __init__(self, lab: LabState, parent=None) -> None:
        super().__init__(parent)
        self.lab = lab
        self._kept: tuple[int, float] = (-1, 0.0)  # the width and text size the height is held at
        self.setObjectName("labLegend")
        self.setWordWrap(True)
        self.sizer = TextSizer(lab.theme)  # Ctrl+= / Ctrl+− reach the legend
        self.sizer.style(self, "font-size: 12pt;")
        self.sizer.redraw(self.refresh)
        lab.sig_trajectories_changed.connect(self.refresh)
        lab.sig_inspected_changed.connect(self.refresh)
        lab.sig_theme_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        c = lab_colors(self.lab.theme)
        entries = []
        racing_optimizers = self.lab.race_kind == "optimizers" and self.lab.surface_key != REGRESSION
        for name in OPTIMIZERS:  # colour slots; each optimizer's own in the usual race
            t = self.lab.trajectories.get(name)
            colour, text = c.optimizers[name], html.escape(self.lab.label(name))
            label = f'<span style="color:{colour}; font-size:18pt">━</span>&nbsp;<b>{text}</b>'
            if t is None:
                if not racing_optimizers:
                    continue  # a slot the learning-rate or minibatch race does not use
                # The same glyph and weight as a run's entry: the lines keep their widths and heights.
                glyph = f'<span style="color:{c.off}; font-size:18pt">━</span>'
                label = f'{glyph}&nbsp;<s style="color:{c.off}"><b>{text}</b></s>'
            elif t.diverged:
                label += " ⚠"
            entries.append(label)
        inspected = self.lab.trajectories.get(self.lab.inspected)
        if inspected is not None:  # the arrows are drawn only for a run on screen
            entries.append(f'<span style="color:{c.gradient}; font-size:18pt">➜</span>&nbsp;−gradient')
            if arrows.has_velocity(inspected):  # SGD, Adagrad, Adadelta have none
                entries.append(f'<span style="color:{c.velocity}; font-size:18pt">➜</span>&nbsp;−velocity')
            if self.lab.surface_key == REGRESSION:
                entries.append(
                    f'<span style="color:{c.full_gradient}; font-size:18pt">➜</span>&nbsp;−gradient of all points'
                )
            entries.append(f'<span style="color:{c.off}">arrow length: log of size</span>')
        if self.lab.surface.minima:  # a saddle has none
            entries.append('<span style="font-size:15pt">☆</span>&nbsp;min')
        self._hold_height()
        self.setText(scaled_points(" &nbsp; ".join(entries), self.lab.theme.text_scale))
        self.setToolTip(arrows.LEGEND)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # a new width: the text's own height again
            self._kept = (self.width(), self.lab.theme.text_scale)
            if self.minimumHeight():
                self.setMinimumHeight(0)

    def _hold_height(self) -> None:
        """Before a new text: at least as tall as now, if shown at the same width and text size."""
        width, scale = self.width(), self.lab.theme.text_scale
        floor = self.height() if self.isVisible() and (width, scale) == self._kept else 0
        self._kept = (width, scale)
        if self.minimumHeight() != floor:
            self.setMinimumHeight(floor)
