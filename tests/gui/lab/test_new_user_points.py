"""Issue 12's lab points: the loss chart is a way to move in time; arrows, legend, learning rate box,
heat map edges."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.lab_tab import shown_lab
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from graphviz_app.lab import arrows
from graphviz_app.lab.optimizer_list import lr_to_tick, tick_to_lr
from graphviz_app.numbers import number as fmt


def test_a_click_on_the_loss_chart_jumps_there_and_back_steps_from_there(qtbot) -> None:
    tab = shown_lab(qtbot, exposed=True)
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


def shaft_length(arrow) -> float:
    xs, ys = arrow.shaft.getData()
    return 0.0 if xs is None or len(xs) < 2 else float(np.hypot(xs[1] - xs[0], ys[1] - ys[0]))


def test_the_arrow_scale_is_logarithmic_and_a_tiny_gradient_is_a_stub() -> None:
    assert arrows.fraction(10.0, 10.0) == 1.0
    assert arrows.fraction(1.0, 10.0) == pytest.approx(1 - 1 / arrows.DECADES)
    assert arrows.fraction(1e-12, 10.0) == arrows.MIN_FRACTION
    assert arrows.fraction(0.0, 10.0) == 0.0 and arrows.drawn(np.zeros(2), 10.0, 1.0) is None
    shown = arrows.drawn(np.array([3.0, 4.0]), 50.0, 2.0)
    assert shown / np.hypot(*shown) == pytest.approx([0.6, 0.8])  # the direction is the vector's


def test_a_gradient_of_1e_12_at_the_minimum_is_drawn_short(qtbot) -> None:
    tab = shown_lab(qtbot, exposed=True)
    tab.lab.set_surface("bowl")
    tab.lab.set_steps(400)
    tab.lab.set_inspected("sgd")
    tab.lab.set_hyperparameter("sgd", "lr", 0.1)
    t = tab.lab.trajectories["sgd"]
    tab.lab.set_cursor(0)
    first = shaft_length(tab.surface_plot.gradient_arrow)
    k = int(np.argmax(np.hypot(*t.grads.T) < 1e-12))
    assert k > 0, "the run reaches a gradient below 1e-12"
    tab.lab.set_cursor(k)
    assert 0 < shaft_length(tab.surface_plot.gradient_arrow) < 0.1 * first
    assert "log" in tab.legend.text()


def test_the_legend_names_velocity_and_minimum_only_where_they_exist(qtbot) -> None:
    tab = shown_lab(qtbot, exposed=True)
    tab.lab.set_surface("saddle")
    tab.lab.set_inspected("momentum")
    assert "−velocity" in tab.legend.text() and "☆" not in tab.legend.text()
    tab.lab.set_inspected("sgd")
    assert "−velocity" not in tab.legend.text() and "−gradient" in tab.legend.text()
    tab.lab.set_surface("bowl")
    assert "☆" in tab.legend.text()


def type_lr(qtbot, row, text: str) -> None:
    row.lr_edit.setFocus()
    row.lr_edit.selectAll()
    qtbot.keyClicks(row.lr_edit, text)
    qtbot.keyClick(row.lr_edit, Qt.Key.Key_Return)


def test_the_learning_rate_can_be_typed_and_the_slider_follows_both_ways(qtbot) -> None:
    tab = shown_lab(qtbot, exposed=True)
    row = tab.optimizer_list.rows["adam"]
    type_lr(qtbot, row, "3.7e-3")
    assert tab.lab.settings["adam"].hyperparameters["lr"] == 0.0037  # exactly what was typed
    assert row.slider.value() == lr_to_tick(0.0037) and row.lr_message.isHidden()
    assert tab.lab.trajectories["adam"].lrs[0] == 0.0037
    row.slider.setValue(lr_to_tick(0.02))
    tab.optimizer_list.apply_pending()
    assert row.lr_edit.text() == fmt(tick_to_lr(lr_to_tick(0.02)))
    assert tab.lab.settings["adam"].hyperparameters["lr"] == tick_to_lr(lr_to_tick(0.02))


@pytest.mark.parametrize("text", ["fast", "-0.1", "0", "nan", "1e400"])
def test_bad_learning_rate_text_is_refused_with_a_message(qtbot, text: str) -> None:
    tab = shown_lab(qtbot, exposed=True)
    row = tab.optimizer_list.rows["sgd"]
    before = tab.lab.settings["sgd"].hyperparameters["lr"]
    type_lr(qtbot, row, text)
    assert tab.lab.settings["sgd"].hyperparameters["lr"] == before
    assert row.lr_message.isVisible() and "learning rate is a number" in row.lr_message.text()
    assert row.lr_edit.text() == fmt(before)


def image_covers_the_view(plot) -> bool:
    (x0, x1), (y0, y1) = plot.plot_item.getViewBox().viewRange()
    image = plot.image.mapRectToView(plot.image.boundingRect())
    tolerance_x, tolerance_y = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
    return (
        image.left() <= x0 + tolerance_x
        and image.right() >= x1 - tolerance_x
        and image.top() <= y0 + tolerance_y
        and image.bottom() >= y1 - tolerance_y
    )


@pytest.mark.parametrize("size", [(1280, 760), (1600, 950), (900, 900)])
@pytest.mark.parametrize("surface", ["rosenbrock", "logistic", "ellipse"])
def test_the_heat_map_fills_the_plot_to_every_edge(qtbot, size, surface) -> None:
    tab = shown_lab(qtbot, exposed=True)
    tab.resize(*size)
    tab.lab.set_surface(surface)
    qtbot.waitUntil(lambda: image_covers_the_view(tab.surface_plot), timeout=10000)
    plot, frame = tab.surface_plot, tab.surface_frame  # and the plot is as large as the frame allows
    assert plot.width() >= frame.width() - 2 or plot.height() >= frame.height() - 2


def test_unticking_or_inspecting_never_shortens_the_legend_nor_resizes_the_plots(qtbot) -> None:
    """A legend a line (or a few pixels) shorter would resize both plots and repaint every tick label."""
    tab = shown_lab(qtbot, exposed=True)
    tab.lab.set_inspected("momentum")  # "−velocity" in the legend
    QApplication.processEvents()  # 1280 pixels wide: the legend wraps over three lines
    tall = tab.legend.height()
    sizes = tab.surface_plot.size(), tab.loss_plot.size()
    tab.optimizer_list.rows["sgd"].check.setChecked(False)
    tab.lab.set_inspected("sgd")  # no run on screen: no arrow entries at all
    QApplication.processEvents()
    assert "−velocity" not in tab.legend.text()
    tab.legend.setMinimumHeight(0)
    assert tab.legend.heightForWidth(tab.legend.width()) < tall  # the text alone would be shorter
    tab.legend.setMinimumHeight(tall)
    assert tab.legend.height() == tall
    assert (tab.surface_plot.size(), tab.loss_plot.size()) == sizes
    tab.resize(1600, 760)  # a new width: the legend fits its text again
    QApplication.processEvents()
    assert tab.legend.height() < tall
    assert tab.legend.height() == tab.legend.heightForWidth(tab.legend.width())
