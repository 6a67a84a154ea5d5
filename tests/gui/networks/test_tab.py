"""The tiny-networks tab as a view of its state: controls set it, its snapshots redraw the plots."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QBoxLayout

from core.activations import parsed
from graphviz_app.debugger.state import AppState
from graphviz_app.networks.state import NetworkState
from graphviz_app.networks.tab import NetworksTab, make_tab
from graphviz_app.widgets.background import ThreadRunner


@pytest.fixture
def app_state() -> AppState:
    return AppState()


@pytest.fixture
def tab(qtbot, app_state: AppState) -> NetworksTab:
    widget = NetworksTab(NetworkState(app_state.theme, app_state.runner, app_state, update_s=0.0))
    qtbot.addWidget(widget)
    return widget


def test_starts_on_the_lectures_xor_with_a_2_2_1_tanh_network(tab: NetworksTab) -> None:
    assert tab.plane.point_count() == 4
    assert tab.plane.boundary_image.image.shape == (90, 90)
    assert "2-2-1 tanh network on x1, x2" in tab.status_label.text() and "step <b>0</b>" in tab.status_label.text()
    assert tab.model_box.currentText() == "1 hidden layer" and tab.width_box.value() == 2
    assert not tab.progress_bar.isVisibleTo(tab)


def test_the_window_tab_shares_the_debuggers_theme_and_runner(qtbot, app_state: AppState) -> None:
    widget = make_tab(app_state)
    qtbot.addWidget(widget)
    assert widget.state.theme is app_state.theme and widget.state.runner is app_state.runner


def test_step_button_changes_the_boundary_and_the_loss_curve(tab: NetworksTab) -> None:
    before_image = tab.plane.boundary_image.image.copy()
    for _ in range(3):
        tab.step_button.click()
    assert tab.state.snapshot is not None and tab.state.snapshot.steps == 3
    assert not np.array_equal(tab.plane.boundary_image.image, before_image)
    assert len(tab.loss.loss_curve.yData) == 4 and list(tab.loss.loss_marker.xData) == [3]
    assert "step <b>3</b>" in tab.status_label.text()


def test_train_runs_the_chosen_steps_and_the_button_comes_back(tab: NetworksTab) -> None:
    tab.train_steps_box.setValue(200)
    tab.train_button.click()  # an InlineRunner: the whole run happens inside the click
    assert tab.state.snapshot is not None and tab.state.snapshot.steps == 200
    assert tab.train_button.text() == "Train" and not tab.train_button.isChecked()
    assert tab.progress_bar.value() == 1000
    losses = tab.loss.loss_curve.yData
    assert len(losses) == 201 and losses[-1] < losses[0]


def test_training_in_the_background_can_be_paused(qtbot) -> None:
    runner = ThreadRunner()
    app_state = AppState(runner=runner)
    widget = make_tab(app_state)  # the window's pace: a chunk every 40 ms
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.state.snapshot is not None, timeout=5000)
    widget.train_button.click()
    assert widget.train_button.text() == "Pause" and widget.progress_bar.isVisibleTo(widget)
    qtbot.waitUntil(lambda: widget.state.snapshot.steps >= 20, timeout=5000)
    widget.train_button.click()
    assert widget.train_button.text() == "Train" and not widget.state.busy()
    steps = widget.state.snapshot.steps
    qtbot.wait(150)
    runner.wait()
    assert widget.state.snapshot.steps == steps  # no chunk arrived after the pause
    assert f"step <b>{steps}</b>" in widget.status_label.text()


def test_changing_the_setup_resets_the_run(tab: NetworksTab) -> None:
    tab.state.step(10)
    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("circle"))
    assert tab.state.snapshot is not None and tab.state.snapshot.steps == 0
    assert tab.plane.point_count() == 160 and tab.sample_box.maximum() == 159
    tab.model_box.setCurrentText("logistic regression")
    tab.product_feature_box.setChecked(True)
    assert "logistic regression on x1, x2, x1·x2" in tab.status_label.text()
    assert not tab.width_box.isEnabled() and not tab.parameter_slider.isEnabled()
    tab.optimizer_box.setCurrentIndex(tab.optimizer_box.findData("sgd"))
    assert tab.state.optimizer == "sgd" and tab.lr_slider.value() == pytest.approx(0.5, rel=0.05)


def test_learning_rate_changes_mid_run_without_a_reset(tab: NetworksTab) -> None:
    tab.state.step(5)
    tab.lr_slider.set_value(0.01)
    assert tab.state.trainer is not None and tab.state.trainer.steps == 5
    assert tab.state.trainer.lr == pytest.approx(0.01, rel=0.05)


def test_show_one_sample_in_the_debugger(tab: NetworksTab, qtbot) -> None:
    tab.state.step(20)
    tab.sample_box.setValue(2)
    debugger = tab.state.debugger
    shown: list[bool] = []
    debugger.sig_show_debugger.connect(lambda: shown.append(True))  # a psygnal signal: waitSignal is Qt-only
    tab.debug_button.click()
    qtbot.waitUntil(lambda: bool(shown))
    assert debugger.expression == tab.state.model().loss_program()
    assert len(debugger.graph) == len(parsed(debugger.expression))
    assert (debugger.inputs["x1"], debugger.inputs["x2"], debugger.inputs["y"]) == (1.0, 0.0, 1.0)
    assert debugger.result.value == pytest.approx(tab.state.trainer.evaluation.per_sample_loss[2])


def test_clicking_a_point_chooses_that_sample(tab: NetworksTab) -> None:
    class0 = tab.plane.class_points[0]  # XOR's class 0: samples 0 and 3
    spots = class0.points()
    assert [int(spot.data()) for spot in spots] == [0, 3]
    class0.sigClicked.emit(class0, [spots[1]], None)
    assert tab.state.sample == 3 and tab.sample_box.value() == 3
    assert list(tab.plane.selected_marker.data["x"]) == [1.0] and list(tab.plane.selected_marker.data["y"]) == [1.0]


def test_loss_curve_goes_under_the_plane_when_the_tab_is_narrow(tab: NetworksTab, qtbot) -> None:
    tab.resize(1600, 900)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.plots_layout.direction() == QBoxLayout.Direction.LeftToRight
    tab.resize(900, 760)
    qtbot.waitUntil(lambda: tab.plots_layout.direction() == QBoxLayout.Direction.TopToBottom)


def test_dark_theme_recolours_both_plots(tab: NetworksTab) -> None:
    plots = (tab.plane, tab.loss.plot)
    assert [p.backgroundBrush().color().name() for p in plots] == ["#ffffff"] * 2
    tab.state.theme.set_dark(True)
    for plot in plots:
        assert plot.backgroundBrush().color().name() == "#15181d"
        assert plot.getPlotItem().getAxis("bottom").textPen().color().lightness() > 200
    assert tab.plane.boundary_line.opts["pen"].color().lightness() > 200  # p = ½ stays visible on the dark heat map
    tab.state.theme.set_dark(False)
    assert tab.loss.plot.backgroundBrush().color().name() == "#ffffff"


def test_starting_loss_is_a_visible_point(tab: NetworksTab) -> None:
    x, y = tab.loss.loss_marker.xData, tab.loss.loss_marker.yData
    assert list(x) == [0] and y[0] == pytest.approx(tab.state.snapshot.loss)
    assert tab.loss.loss_marker.opts["symbol"] == "o"


def test_activation_parameter_control_changes_the_model(tab: NetworksTab) -> None:
    assert not tab.parameter_slider.isEnabled()
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("leaky_relu"))
    assert tab.parameter_slider.isEnabled() and tab.parameter_slider.value() == pytest.approx(0.1)
    tab.state.step(5)
    tab.parameter_slider.set_value(0.3)
    assert tab.state.snapshot is not None and tab.state.snapshot.steps == 0  # another model: a fresh run
    assert "slope=0.3" in tab.state.snapshot.model.loss_program()
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("elu"))
    assert tab.parameter_slider.value() == pytest.approx(1.0) and "α" in tab.parameter_slider.label.text()
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("leaky_relu"))
    assert tab.parameter_slider.value() == pytest.approx(0.3)  # kept per activation
    tab.activation_box.setCurrentIndex(tab.activation_box.findData("sigmoid"))
    assert not tab.parameter_slider.isEnabled() and "none" in tab.parameter_slider.label.text()


def test_the_loss_axes_grow_in_whole_steps(tab: NetworksTab) -> None:
    from graphviz_app.networks.plots import decades, nice_ceiling

    assert [nice_ceiling(s) for s in (0, 100, 101, 250, 600, 2500)] == [100, 100, 200, 500, 1000, 5000]
    assert decades(np.array([0.0016, 0.7])) == (-3.0, 0.0)
    tab.state.step(3)
    (x_low, x_high), (y_low, y_high) = tab.loss.plot.getPlotItem().vb.viewRange()
    assert x_high == pytest.approx(100) and x_low < 0  # the dot at step 0 stands clear of the axis
    assert 10**y_low <= min(tab.loss.loss_curve.yData) and max(tab.loss.loss_curve.yData) <= 10**y_high


def test_closing_the_window_stops_a_training_run(qtbot) -> None:
    from graphviz_app.main_window import MainWindow

    runner = ThreadRunner()
    win = MainWindow(AppState(runner=runner), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    page = win.open_tab("networks")
    qtbot.waitUntil(lambda: page.state.snapshot is not None, timeout=5000)
    page.state.set_train_steps(100_000)
    page.state.train()
    assert page.state.training
    win.close()
    assert not page.state.training and not page.state.busy()
    assert runner.wait(5000)


def test_a_diverging_run_says_at_which_step_and_what_overflowed(tab: NetworksTab) -> None:
    tab.state.set_model(activation="relu")
    tab.state.set_dataset("blobs")
    tab.state.set_optimizer("sgd")
    tab.state.set_learning_rate(1e300)
    tab.train_steps_box.setValue(50)
    tab.train_button.click()
    snapshot = tab.state.snapshot
    assert snapshot is not None and snapshot.diverged
    text = tab.status_label.text()
    assert f"diverged at step {snapshot.steps + 1}: the " in text and "lower the learning rate" in text
