"""What the lab's tests do to the tab: show it, pick a surface, keep some optimizers, set the steps."""

from __future__ import annotations

import numpy as np

from graphviz_app.debugger.state import AppState
from graphviz_app.lab import OptimizerLab


def shown_lab(qtbot, state: AppState | None = None, exposed: bool = False) -> OptimizerLab:
    """The lab tab, shown at a projector's size (the lab computes only while shown)."""
    widget = OptimizerLab(state or AppState())
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    if exposed:
        qtbot.waitExposed(widget)
    return widget


def choose_surface(tab: OptimizerLab, key: str) -> None:
    tab.surface_choice.setCurrentIndex(tab.surface_choice.findData(key))


def keep_only(tab: OptimizerLab, *names: str) -> None:
    for name, row in tab.optimizer_list.rows.items():
        row.check.setChecked(name in names)


def set_steps(tab: OptimizerLab, steps: int) -> None:
    tab.steps.setValue(steps)
    tab.steps.editingFinished.emit()


def path_of(tab: OptimizerLab, name: str) -> np.ndarray:
    x, y = tab.surface_plot.paths[name].getData()
    return np.empty((0, 2)) if x is None else np.column_stack([x, y])
