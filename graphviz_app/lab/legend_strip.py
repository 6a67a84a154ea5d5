"""A one-line legend above the plots: every optimizer in its colour (struck through when unticked,
marked when it diverged), and the two update arrows. Outside the plots, so it never hides a path.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from core.optimizers import OPTIMIZERS
from graphviz_app.lab.lab_state import LabState
from graphviz_app.lab.surface_plot import GRADIENT_COLOR, VELOCITY_COLOR


class LegendStrip(QLabel):
    """Rich-text legend bound to `LabState` (which runs exist, which diverged)."""

    def __init__(self, lab: LabState, parent=None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.setObjectName("labLegend")
        self.setWordWrap(True)
        self.setStyleSheet("font-size: 12pt;")
        lab.sig_trajectories_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = []
        for name, spec in OPTIMIZERS.items():
            t = self.lab.trajectories.get(name)
            label = f'<span style="color:{spec.color}; font-size:18pt">━</span>&nbsp;<b>{spec.display_name}</b>'
            if t is None:
                label = f'<s style="color:#888888">{spec.display_name}</s>'
            elif t.diverged:
                label += " ⚠"
            entries.append(label)
        entries.append(f'<span style="color:{GRADIENT_COLOR}; font-size:18pt">➜</span>&nbsp;−gradient')
        entries.append(f'<span style="color:{VELOCITY_COLOR}; font-size:18pt">➜</span>&nbsp;−velocity')
        entries.append('<span style="font-size:15pt">☆</span>&nbsp;min')
        self.setText(" &nbsp; ".join(entries))
