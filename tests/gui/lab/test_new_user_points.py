"""Issue 12's lab points: the loss chart is a way to move in time; arrows, legend, learning rate box,
heat map edges."""

from __future__ import annotations

from PySide6.QtCore import Qt

from graphviz_app.debugger.state import AppState
from graphviz_app.lab import OptimizerLab


def shown_lab(qtbot) -> OptimizerLab:
    widget = OptimizerLab(AppState())
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_click_on_the_loss_chart_jumps_there_and_back_steps_from_there(qtbot) -> None:
    tab = shown_lab(qtbot)
    tab.lab.set_steps(200)
    tab.player.act_reset.trigger()
    qtbot.mouseClick(tab.loss_plot.viewport(), Qt.MouseButton.LeftButton, pos=tab.loss_plot.step_position(120))
    assert abs(tab.lab.cursor - 120) <= 2  # within a pixel's worth of steps
    reached = tab.lab.cursor
    assert tab.loss_plot.cursor.value() == reached and tab.player.scrubber.value() == reached
    assert len(tab.surface_plot.paths["adam"].getData()[0]) == reached + 1  # the path is cut there
    tab.player.act_back.trigger()
    assert tab.lab.cursor == reached - 1 and tab.player.scrubber.value() == reached - 1
    assert tab.player.counter.text() == f"step {reached - 1} / 200"
