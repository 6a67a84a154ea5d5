"""The lab's lecture slides: learning-rate decay with the user's step size and γ, marked on the chart."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.lab_tab import keep_only, set_steps, shown_lab

from core.schedules import ExponentialLR, StepLR, rate_change_steps
from graphviz_app.lab.lab_state import LabState


def test_rate_changes_are_the_step_decays_and_the_exponential_halvings() -> None:
    assert rate_change_steps(StepLR(30, 0.5).learning_rates(0.1, 100)) == [30, 60, 90]
    assert rate_change_steps([0.1] * 50) == []
    rates = ExponentialLR(0.99).learning_rates(1.0, 300)
    marks = rate_change_steps(rates)
    assert marks == [
        k for k in range(1, 300) if int(np.floor(np.log2(1 / rates[k]))) > np.floor(np.log2(1 / rates[k - 1]))
    ]
    assert [rates[k] <= 0.5**i for i, k in enumerate(marks, 1)] == [True] * len(marks) and len(marks) == 4


def test_the_users_step_size_and_gamma_drive_the_run() -> None:
    lab = LabState(steps=50)
    lab.set_decay("sgd", "step")
    lab.set_decay_parameters("sgd", step_size=20, step_gamma=0.25)
    lrs = lab.trajectories["sgd"].lrs
    lr = lab.settings["sgd"].hyperparameters["lr"]
    assert lrs[19] == lr and lrs[20] == lr * 0.25 and lrs[40] == lr * 0.25 * 0.25
    lab.set_decay("adam", "exponential")
    lab.set_decay_parameters("adam", exp_gamma=0.9)
    assert lab.trajectories["adam"].lrs[3] == pytest.approx(lab.settings["adam"].hyperparameters["lr"] * 0.9**3)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"step_size": 0}, "step size"),
        ({"step_gamma": 0.0}, "γ"),
        ({"exp_gamma": 1.5}, "γ"),
        ({"exp_gamma": float("nan")}, "γ"),
    ],
)
def test_impossible_decay_parameters_are_refused_and_nothing_changes(changes, message) -> None:
    lab = LabState(steps=5)
    before = lab.settings["sgd"]
    with pytest.raises(ValueError, match=message):
        lab.set_decay_parameters("sgd", **changes)
    assert lab.settings["sgd"] == before


def test_the_row_shows_the_decays_own_knobs_and_the_chart_marks_the_changes(qtbot) -> None:
    tab = shown_lab(qtbot)
    keep_only(tab, "sgd")
    set_steps(tab, 120)
    row = tab.optimizer_list.rows["sgd"]
    assert not row.step_size.isVisibleTo(row) and not row.gamma.isVisibleTo(row)
    row.decay.setCurrentIndex(row.decay.findData("step"))
    assert row.step_size.isVisibleTo(row) and row.gamma.isVisibleTo(row)
    row.step_size.setValue(40)
    row.gamma.setValue(0.5)
    assert tab.lab.settings["sgd"].step_size == 40
    assert tab.loss_plot.rate_mark_steps("sgd") == [40, 80]
    row.decay.setCurrentIndex(row.decay.findData("exponential"))
    assert not row.step_size.isVisibleTo(row) and row.gamma.isVisibleTo(row)
    row.gamma.setValue(0.98)
    assert tab.lab.settings["sgd"].exp_gamma == 0.98
    assert tab.loss_plot.rate_mark_steps("sgd") == rate_change_steps(tab.lab.trajectories["sgd"].lrs.tolist())
    assert len(tab.loss_plot.rate_mark_steps("sgd")) == 3  # 0.98^k halves at k = 35, 69, 104
    row.decay.setCurrentIndex(row.decay.findData("none"))
    assert tab.loss_plot.rate_mark_steps("sgd") == []


# ---- "Once more: learning rate": one optimizer at several rates ----


def test_one_optimizer_races_at_each_rate_with_its_own_curve_and_label(qtbot) -> None:
    tab = shown_lab(qtbot)
    set_steps(tab, 60)
    controls = tab.race_controls
    controls.kind.setCurrentIndex(controls.kind.findData("learning_rates"))
    controls.optimizer.setCurrentIndex(controls.optimizer.findData("momentum"))
    controls.rates.setText("0.003, 0.002 0.0005, 1e-4, 2e-5, 1e-5")
    controls.apply_rates()
    lab = tab.lab
    assert lab.rates == (0.003, 0.002, 0.0005, 1e-4, 2e-5, 1e-5)
    assert len(lab.trajectories) == 6 and {t.optimizer for t in lab.trajectories.values()} == {"momentum"}
    rates = sorted(float(t.hyperparameters["lr"]) for t in lab.trajectories.values())
    assert rates == sorted(lab.rates)
    drawn = [name for name, curve in tab.loss_plot.curves.items() if curve.getData()[0] is not None]
    assert len(drawn) == 6
    assert "Momentum lr 0.003" in tab.legend.text() and "Adam" not in tab.legend.text()
    assert tab.update_panel.choice.itemText(0) == "Momentum lr 0.003"
    # the fastest rate got lowest here, the tiniest barely moved
    final = {float(t.hyperparameters["lr"]): t.losses[-1] for t in lab.trajectories.values()}
    assert final[1e-5] > final[0.0005]


@pytest.mark.parametrize(
    "text, message", [("0.1, x", "'x' is not a number"), ("1 2 3 4 5 6 7", "1 to 6"), ("0.1, -1", "positive")]
)
def test_bad_rates_are_said_under_the_field_and_the_race_stays(qtbot, text, message) -> None:
    tab = shown_lab(qtbot)
    controls = tab.race_controls
    controls.kind.setCurrentIndex(controls.kind.findData("learning_rates"))
    before = tab.lab.rates
    controls.rates.setText(text)
    controls.apply_rates()
    assert tab.lab.rates == before and message in controls.message.text() and controls.message.isVisibleTo(controls)


# ---- minibatch noise on a surface built from data ----


def test_the_regression_surface_races_full_batch_against_minibatch_sgd(qtbot) -> None:
    from core.regression import optimize_minibatch

    tab = shown_lab(qtbot)
    set_steps(tab, 80)
    tab.surface_choice.setCurrentIndex(tab.surface_choice.findData("regression"))
    controls = tab.race_controls
    assert controls.batch.isVisibleTo(controls) and not controls.kind.isVisibleTo(controls)
    controls.batch.setValue(3)
    controls.seed.setValue(7)
    lab = tab.lab
    full, mini = lab.trajectories["sgd"], lab.trajectories["momentum"]
    assert full.batch_size == len(lab.regression) and mini.batch_size == 3
    assert lab.inspected == "momentum"  # the minibatch run is explained first
    sgd = lab.settings["sgd"]
    expected = optimize_minibatch(
        lab.regression, ("sgd", {**sgd.hyperparameters, "lr": lab.regression_lr}, None), lab.start, 80, 3, seed=7
    )
    assert np.array_equal(mini.points, expected.points)  # the seed fixes the wobble
    assert "SGD, minibatch of 3" in tab.legend.text() and "gradient of all points" in tab.legend.text()
    controls.lr.setValue(0.2)
    assert float(lab.trajectories["momentum"].hyperparameters["lr"]) == 0.2
    lab.set_cursor(10)
    assert "mean over a minibatch of 3" in tab.update_panel.formula.toPlainText()
    assert not tab.surface_plot.full_gradient_arrow.head.polygon().isEmpty()
    lab.set_inspected("sgd")  # the full-batch run: its gradient is the full one, no second arrow
    assert tab.surface_plot.full_gradient_arrow.head.polygon().isEmpty()
