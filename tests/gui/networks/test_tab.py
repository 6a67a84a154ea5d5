"""The tiny-networks tab: live training redraws the boundary and the loss; a sample opens in the debugger."""

from __future__ import annotations

import numpy as np
import pytest

from core.activations import parsed
from graphviz_app.debugger.state import AppState
from graphviz_app.networks.tab import NetworksTab


@pytest.fixture
def tab(qtbot) -> NetworksTab:
    widget = NetworksTab(AppState())
    qtbot.addWidget(widget)
    return widget


def test_starts_on_the_lectures_xor_with_a_2_2_1_tanh_network(tab: NetworksTab) -> None:
    assert tab.trainer.model.description == "2-2-1 tanh network on x1, x2"
    assert len(tab.trainer.data) == 4
    assert tab.points.data.size == 4
    assert tab.boundary_image.image.shape == (90, 90)
    assert "step <b>0</b>" in tab.status_label.text()


def test_step_button_changes_the_boundary_and_the_loss_curve(tab: NetworksTab) -> None:
    before_image = tab.boundary_image.image.copy()
    before_loss = tab.loss_curve.yData.copy()
    tab.steps_box.setValue(3)
    for _ in range(3):
        tab.step_button.click()
    assert tab.trainer.steps == 3
    assert not np.array_equal(tab.boundary_image.image, before_image)
    assert len(tab.loss_curve.yData) == len(before_loss) + 3


def test_train_runs_on_a_timer_and_pause_stops_it(tab: NetworksTab, qtbot) -> None:
    before_image = tab.boundary_image.image.copy()
    tab.train_button.click()
    assert tab.timer.isActive() and tab.train_button.text() == "Pause"
    qtbot.waitUntil(lambda: tab.trainer.steps >= 60, timeout=5000)
    tab.train_button.click()
    assert not tab.timer.isActive() and tab.train_button.text() == "Train"
    steps = tab.trainer.steps
    qtbot.wait(100)
    assert tab.trainer.steps == steps
    assert not np.array_equal(tab.boundary_image.image, before_image)
    losses = tab.loss_curve.yData
    assert len(losses) == steps + 1 and losses[-1] < losses[0]


def test_changing_the_setup_resets_the_run(tab: NetworksTab) -> None:
    tab.step(10)
    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("circle"))
    assert tab.trainer.steps == 0 and len(tab.trainer.data) == 160
    tab.model_box.setCurrentText("logistic regression")
    tab.product_feature_box.setChecked(True)
    assert tab.trainer.model.description == "logistic regression on x1, x2, x1·x2"
    assert not tab.width_box.isEnabled()
    tab.optimizer_box.setCurrentIndex(tab.optimizer_box.findData("sgd"))
    assert tab.trainer.optimizer.name == "sgd" and tab.trainer.lr == pytest.approx(0.5, rel=0.05)


def test_learning_rate_changes_mid_run_without_a_reset(tab: NetworksTab) -> None:
    tab.step(5)
    tab.lr_slider.set_value(0.01)
    assert tab.trainer.steps == 5 and tab.trainer.lr == pytest.approx(0.01, rel=0.05)


def test_show_one_sample_in_the_debugger(tab: NetworksTab, qtbot) -> None:
    tab.step(20)
    tab.sample_box.setValue(2)
    with qtbot.waitSignal(tab.state.sig_show_debugger):
        tab.debug_button.click()
    state = tab.state
    assert state.expression == tab.trainer.model.loss_program()
    assert len(state.graph) == len(parsed(state.expression))
    assert (state.inputs["x1"], state.inputs["x2"], state.inputs["y"]) == (1.0, 0.0, 1.0)
    assert state.inputs["w1_1_1"] == pytest.approx(tab.trainer.weights[0])
    loss = tab.trainer.evaluation.per_sample_loss[2]
    assert state.result.value == pytest.approx(loss)


def test_loss_curve_goes_under_the_plane_when_the_tab_is_narrow(tab: NetworksTab, qtbot) -> None:
    from PySide6.QtWidgets import QBoxLayout

    tab.resize(1600, 900)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.plots_layout.direction() == QBoxLayout.Direction.LeftToRight
    tab.resize(900, 760)
    qtbot.waitUntil(lambda: tab.plots_layout.direction() == QBoxLayout.Direction.TopToBottom)


def test_dark_theme_recolours_both_plots(tab: NetworksTab) -> None:
    assert tab.plane_plot.backgroundBrush().color().name() == "#ffffff"
    tab.state.set_dark(True)
    for plot in (tab.plane_plot, tab.loss_plot):
        assert plot.backgroundBrush().color().name() == "#15181d"
        assert plot.getPlotItem().getAxis("bottom").textPen().color().lightness() > 200
    assert tab.boundary_line.pen.color().lightness() > 200  # p = ½ stays visible on the dark heat map
    tab.state.set_dark(False)
    assert tab.loss_plot.backgroundBrush().color().name() == "#ffffff"


def test_starting_loss_is_a_visible_point(tab: NetworksTab) -> None:
    x, y = tab.loss_marker.xData, tab.loss_marker.yData
    assert list(x) == [0] and y[0] == pytest.approx(tab.trainer.loss)
    assert tab.loss_marker.opts["symbol"] == "o"
    tab.step(3)
    assert list(tab.loss_marker.xData) == [3]


def test_activation_parameter_control_changes_the_model(tab: NetworksTab) -> None:
    assert tab.activation_box.currentData() == "tanh"
    assert not tab.parameter_slider.isEnabled()
    assert tab.trainer.model.parameter is None
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("leaky_relu"))
    assert tab.parameter_slider.isEnabled()
    assert tab.trainer.model.parameter == pytest.approx(0.1)
    tab.step(5)
    tab.parameter_slider.set_value(0.3)
    assert tab.trainer.model.parameter == pytest.approx(0.3)
    assert tab.trainer.steps == 0  # another model: a fresh run
    assert "slope=0.3" in tab.trainer.model.loss_program()
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("elu"))
    assert tab.trainer.model.parameter == pytest.approx(1.0) and "α" in tab.parameter_slider.label.text()
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("leaky_relu"))
    assert tab.parameter_slider.value() == pytest.approx(0.3)  # kept per activation
    tab.model_box.setCurrentText("logistic regression")
    assert not tab.parameter_slider.isEnabled()
    tab.model_box.setCurrentText("1 hidden layer")
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("sigmoid"))
    assert not tab.parameter_slider.isEnabled() and tab.trainer.model.parameter is None
