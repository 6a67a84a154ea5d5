"""The side panel: which optimizer's update to explain, the update with its numbers at the current step,
and the lab's messages (diverged runs, an expression that cannot run) in a warning colour.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from core.optimizers import OPTIMIZERS
from core.trajectory import Trajectory
from graphviz_app.lab import arrows
from graphviz_app.lab.formulas import update_html, vec
from graphviz_app.lab.lab_state import LabState
from graphviz_app.numbers import number as fmt
from graphviz_app.theme import Colors, LabColors, colors, lab_colors, scaled_points
from graphviz_app.widgets.text_size import TextSizer

VELOCITY_WORDS = {"momentum_buffer": "−velocity v", "exp_avg": "−m (Adam's first moment)"}


def minibatch_html(t: Trajectory, step: int, n: int, c: Colors, lab: LabColors) -> str:
    """For a minibatch run: the gradient it stepped with next to the gradient over all `n` points."""
    full_grads = getattr(t, "full_grads", None)  # core.regression.MinibatchTrajectory
    if full_grads is None or not len(full_grads) or getattr(t, "batch_size", n) >= n:
        return ""
    k = min(step, len(full_grads) - 1)
    batch, full = t.grads[k], full_grads[k]
    off = float(np.hypot(*(batch - full)))
    return (
        f'<p><span style="color:{lab.gradient}">g</span> = {vec(batch)} '
        f"(mean over a minibatch of {t.batch_size})<br>"
        f'<span style="color:{lab.full_gradient}">∇L</span> = {vec(full)} (mean over all {n} points)'
        f'<br><span style="color:{c.muted}">the minibatch is off by |g − ∇L| = {fmt(off)}: the noise</span></p>'
    )


class UpdatePanel(QWidget):
    """Formula of the inspected optimizer's step; warnings above it."""

    def __init__(self, lab: LabState, parent=None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.choice = QComboBox()
        for name, spec in OPTIMIZERS.items():
            self.choice.addItem(spec.display_name, name)
        self.choice.setToolTip("the optimizer whose update is explained and drawn as arrows")
        self.choice.currentIndexChanged.connect(lambda i: lab.set_inspected(self.choice.itemData(i)))
        self.messages = QLabel(objectName="labMessages", wordWrap=True)
        self.messages.setVisible(False)
        self.formula = QTextBrowser(objectName="labFormula")
        self.formula.setOpenLinks(False)
        self.legend = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Update of</b>"))
        row.addWidget(self.choice, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.messages)
        layout.addLayout(row)
        layout.addWidget(self.formula, 1)
        layout.addWidget(self.legend)
        lab.sig_trajectories_changed.connect(self.refresh)
        lab.sig_cursor_changed.connect(self.refresh_formula)
        lab.sig_inspected_changed.connect(self.refresh)
        lab.sig_theme_changed.connect(self.set_dark)
        self.sizer = TextSizer(lab.theme)  # Ctrl+= / Ctrl+− reach the formula, the warnings and the legend
        self.sizer.redraw(self.refresh)
        self.set_dark(lab.dark)

    def refresh(self, *_: object) -> None:
        self.choice.blockSignals(True)
        for i, slot in enumerate(OPTIMIZERS):  # colour slots: in a learning-rate race, "SGD lr 0.001"…
            self.choice.setItemText(i, self.lab.label(slot))
        self.choice.setCurrentIndex(list(OPTIMIZERS).index(self.lab.inspected))
        self.choice.blockSignals(False)
        c, lab = colors(self.lab.dark), lab_colors(self.lab.theme)
        lines = self.lab.messages()
        self.messages.setVisible(bool(lines))
        self.messages.setText("<br>".join(f"⚠ {html.escape(line)}" for line in lines))
        style = self._sized(f"color: {c.warn}; font-weight: bold; font-size: 12pt;")
        if self.messages.styleSheet() != style:  # setting a style sheet restyles the widget: 5 ms a time
            self.messages.setStyleSheet(style)
        inspected = self.lab.trajectories.get(self.lab.inspected)
        optimizer = inspected.optimizer if inspected is not None else self.lab.inspected
        velocity = VELOCITY_WORDS.get(OPTIMIZERS[optimizer].arrow_state)
        self.legend.setText(
            self._sized(
                f'<span style="color:{lab.gradient}; font-size:16pt">➜</span> −gradient'
                + (
                    f' &nbsp; <span style="color:{lab.velocity}; font-size:16pt">➜</span> {velocity}'
                    if velocity
                    else ""
                )
                + f'<br><span style="color:{c.muted}">arrows at the current point; length by size on a log '
                f"scale: the run's largest gradient is the longest, 1/{arrows.DECADES} shorter per ×10 smaller</span>"
            )
        )
        self.refresh_formula()

    def refresh_formula(self, *_: object) -> None:
        c = colors(self.lab.dark)
        t = self.lab.trajectories.get(self.lab.inspected)
        if t is None:
            text = (
                f'<p style="color:{c.muted}">{html.escape(self.lab.label(self.lab.inspected))} is not '
                "running — tick it in the list.</p>"
            )
        else:
            n = len(self.lab.regression)
            text = minibatch_html(t, self.lab.cursor, n, c, lab_colors(self.lab.theme))
            text += update_html(t, self.lab.cursor, c, lab_colors(self.lab.theme))
        self.formula.setHtml(self._sized(f'<div style="font-size:14pt; color:{c.text}">{text}</div>'))

    def _sized(self, text: str) -> str:
        """Rich text or a style with its point sizes at the window's text size."""
        return scaled_points(text, self.lab.theme.text_scale)

    def set_dark(self, dark: bool) -> None:
        c = colors(dark)  # the browser's own background, so the text colour always fits it
        background = lab_colors(self.lab.theme).panel
        self.formula.setStyleSheet(f"QTextBrowser {{ background: {background}; color: {c.text}; }}")
        self.refresh()
