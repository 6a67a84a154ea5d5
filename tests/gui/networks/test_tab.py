"""The tiny-networks tab as a view of its state: controls set it, its snapshots redraw the plots."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QBoxLayout

from core.activations import ACTIVATIONS, parsed
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


# ---- issue 10: minibatches, test points, own data, the activations race, dead units ----


def test_the_batch_size_control_trains_on_minibatches_and_the_chart_draws_their_noise(tab: NetworksTab) -> None:
    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("spiral"))
    tab.batch_box.setValue(8)
    assert tab.state.batch_size == 8
    for _ in range(5):
        tab.step_button.click()
    snapshot = tab.state.snapshot
    assert snapshot is not None and snapshot.batch_size == 8
    noise = tab.loss.batch_curve.yData
    assert len(noise) == 5 and not np.allclose(noise, tab.loss.loss_curve.yData[1:])
    assert "each minibatch of 8" in tab.loss._legend_key
    tab.batch_box.setValue(0)
    assert (tab.batch_box.text() == "all points" and tab.loss.batch_curve.yData is None) or not len(
        tab.loss.batch_curve.yData
    )


def test_held_out_points_are_rings_and_the_summary_gives_both_accuracies_and_the_gap(tab: NetworksTab) -> None:
    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("blobs"))
    tab.test_box.setValue(30)
    n = len(tab.state.data)
    assert tab.plane.test_point_count() == round(0.3 * n) and tab.plane.point_count() == n
    tab.step_button.click()
    text = tab.loss.summary.text()
    assert "test: loss" in text and "gap: loss" in text and "accuracy" in text
    assert len(tab.loss.test_curve.yData) == 2 and "test" in tab.loss._legend_key


def test_clicks_add_shift_clicks_add_class_1_right_clicks_remove_and_clear_empties(tab: NetworksTab) -> None:
    from PySide6.QtCore import Qt

    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("custom"))
    assert tab.clear_button.isVisibleTo(tab) and "Shift+click" in tab.points_hint.text()
    tab.plane.edit_points(-0.5, -0.5, Qt.MouseButton.LeftButton)
    tab.plane.edit_points(0.5, 0.5, Qt.MouseButton.LeftButton, shift=True)
    tab.plane.edit_points(0.6, -0.4, Qt.MouseButton.LeftButton)
    assert tab.state.points == [(-0.5, -0.5, 0), (0.5, 0.5, 1), (0.6, -0.4, 0)]
    assert tab.plane.point_count() == 3
    tab.step_button.click()
    assert tab.state.snapshot is not None and tab.state.snapshot.steps == 1  # it trains on them
    assert tab.plane.edit_points(0.61, -0.41, Qt.MouseButton.RightButton)
    assert tab.state.points == [(-0.5, -0.5, 0), (0.5, 0.5, 1)] and tab.plane.point_count() == 2
    assert not tab.plane.edit_points(1.4, 1.4, Qt.MouseButton.RightButton)  # nothing near: nothing goes
    tab.clear_button.click()
    assert tab.state.points == [] and tab.plane.point_count() == 0


def test_clicks_on_a_built_in_data_set_change_nothing(tab: NetworksTab) -> None:
    from PySide6.QtCore import Qt

    assert not tab.plane.edit_points(0.5, 0.5, Qt.MouseButton.LeftButton)
    assert tab.state.points == [] and tab.plane.point_count() == 4 and not tab.clear_button.isVisibleTo(tab)


def test_the_race_overlays_five_curves_and_reports_steps_to_the_threshold(tab: NetworksTab) -> None:
    tab.race_panel.steps_box.setValue(60)
    tab.race_panel.threshold_box.setValue(0.6)
    tab.race_panel.race_button.click()  # InlineRunner: the race happens inside the click
    race = tab.state.race
    assert race is not None and set(tab.loss.race_curves) == {"sigmoid", "tanh", "relu", "leaky_relu", "elu"}
    assert all(len(tab.loss.race_curves[n].yData) == len(race.losses[n]) for n in race.losses)
    assert tab.loss.threshold_line.isVisible() and tab.loss.threshold_line.value() == pytest.approx(np.log10(0.6))
    verdict = tab.race_panel.verdict.text()
    for name, steps in race.steps_to_threshold().items():
        reached = f"<b>{steps}</b>" if steps is not None else "not reached"
        assert f"{ACTIVATIONS[name].display_name} {reached}" in verdict
    tab.dataset_box.setCurrentIndex(tab.dataset_box.findData("circle"))  # a new setup drops the race
    assert tab.loss.race_curves == {} and tab.race_panel.verdict.text() == ""


def test_dead_relu_units_are_crossed_out_with_a_sentence_and_leaky_ones_are_not_dead(tab: NetworksTab) -> None:
    state = tab.state
    for activation, expected in (("relu", "dead"), ("leaky_relu", "off on every point, but not dead")):
        state.set_model(activation=activation, width=3)
        assert state.trainer is not None
        weights = dict(zip(state.trainer.model.weight_names, state.trainer.weights))
        weights.update(b1_1=1.0, b1_3=1.0, w1_1_1=0.5, w1_1_2=0.5, w1_3_1=0.5, w1_3_2=0.5)
        weights.update(b1_2=-5.0, w1_2_1=-1.0, w1_2_2=-1.0)  # unit 2 sums below 0 on all four XOR points
        state.trainer.weights = np.array([weights[n] for n in state.trainer.model.weight_names])
        state.step(1)
        assert tab.network_view.diagram.layers()[1] == [False, True, False]
        assert f"1 hidden unit is {expected}" in tab.network_view.sentence.text().replace("<b>", "")
    state.set_model(activation="tanh")
    assert not any(tab.network_view.diagram.layers()[1])  # tanh has no flat side: nothing is marked


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


def test_the_window_builds_the_plots_in_their_places_without_moving_anything(qtbot, app_state: AppState) -> None:
    widget = make_tab(app_state)  # staged, as the window builds it
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    places = (widget.plane_slot.geometry(), widget.loss_slot.geometry(), widget.network_view.geometry())
    assert not widget.ready() and not widget.plane_slot.shown()  # the plots come on later turns
    qtbot.waitUntil(widget.ready, timeout=10000)
    assert (widget.plane_slot.geometry(), widget.loss_slot.geometry(), widget.network_view.geometry()) == places
    assert widget.plane.geometry() == widget.plane_slot.rect() and widget.loss.geometry() == widget.loss_slot.rect()
    assert widget.plane_slot.shown() and widget.loss_slot.shown()
    qtbot.waitUntil(lambda: widget.state.snapshot is not None and not widget.state.busy(), timeout=10000)
    assert widget.plane.point_count() == 4 and widget.plane.boundary_image.image is not None
    assert len(widget.loss.loss_curve.yData) == 1
    widget.state.set_dataset("circle")  # in the window each plot redraws on a turn of its own
    assert widget.plane.point_count() == 4 and widget.stages is not None and widget.stages.pending()
    qtbot.waitUntil(lambda: widget.ready() and widget.state.snapshot is not None and not widget.state.busy())
    qtbot.waitUntil(widget.ready)
    assert widget.plane.point_count() == len(widget.state.data) > 4
    assert widget.plane.boundary_image.image is not None and len(widget.loss.loss_curve.yData) == 1
