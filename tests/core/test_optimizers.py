"""Optimizers: torch.optim's trajectories reproduced, divergence handled, state visible per step."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import core
from core.optimizers import OPTIMIZERS, AdamState, ExponentialLR, SGDState, StepLR
from core.trajectory import optimize, optimize_many

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
START = {"x": -1.5, "y": 2.0}
REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures" / "torch_optim_reference.json")
                       .read_text())["runs"]


def _schedule(spec: dict | None) -> StepLR | ExponentialLR | None:
    if spec is None:
        return None
    if spec["kind"] == "step":
        return StepLR(spec["step_size"], spec["gamma"])
    return ExponentialLR(spec["gamma"])


def _label(run: dict) -> str:
    return f"{run['optimizer']}-{run['expression'][:6]}-{run['hyperparameters']}-{run['schedule']}"


@pytest.mark.parametrize("run", REFERENCE, ids=[_label(r) for r in REFERENCE])
def test_trajectory_matches_torch_optim(run: dict) -> None:
    hyper = {k: tuple(v) if isinstance(v, list) else v for k, v in run["hyperparameters"].items()}
    t = optimize(run["expression"], run["optimizer"], run["start"], run["steps"],
                 lr_schedule=_schedule(run["schedule"]), **hyper)
    assert not t.diverged
    np.testing.assert_allclose(t.points, np.array(run["points"]), rtol=1e-12, atol=1e-12)


def test_reference_covers_every_optimizer_and_the_tricky_options() -> None:
    seen = {r["optimizer"] for r in REFERENCE}
    options = {k for r in REFERENCE for k, v in r["hyperparameters"].items() if v not in (0, False)}
    assert seen == set(OPTIMIZERS)
    assert {"weight_decay", "lr_decay", "centered", "amsgrad", "dampening"} <= options
    assert {r["schedule"]["kind"] for r in REFERENCE if r["schedule"]} == {"step", "exponential"}


def test_table_is_ordered_simplest_first_with_torch_defaults() -> None:
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert OPTIMIZERS["adam"].defaults() == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                             "weight_decay": 0.0, "amsgrad": False}
    assert OPTIMIZERS["adagrad"].defaults()["eps"] == 1e-10
    assert OPTIMIZERS["rmsprop"].defaults()["alpha"] == 0.99
    assert OPTIMIZERS["momentum"].defaults()["momentum"] == 0.9
    assert OPTIMIZERS["nesterov"].defaults()["nesterov"] is True
    assert len({o.color for o in OPTIMIZERS.values()}) == len(OPTIMIZERS)


def test_huge_learning_rate_diverges_cleanly() -> None:
    t = optimize(ROSENBROCK, "sgd", START, steps=100, lr=1.0)
    assert t.diverged
    assert t.message.startswith("diverged at step ")
    assert "stopped at the last finite point" in t.message
    assert np.isfinite(t.points).all() and np.isfinite(t.losses).all()
    assert len(t.points) == len(t.losses) == len(t.states) == len(t.lrs) + 1 < 101


def test_nan_from_the_domain_stops_the_run() -> None:
    t = optimize("log(x) + y**2", "sgd", {"x": 1.0, "y": 1.0}, steps=50, lr=5.0)
    assert t.diverged and "nan" in t.message
    assert (t.points[:, 0] > 0).all()


def test_unknown_optimizer_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="adam") as error:
        optimize(ROSENBROCK, "lbfgs", START)
    assert "lbfgs" in str(error.value) and "sgd" in str(error.value)


def test_unknown_hyperparameter_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="beta1.*betas"):
        optimize(ROSENBROCK, "adam", START, beta1=0.5)


def test_state_is_readable_after_every_step() -> None:
    t = optimize(ROSENBROCK, "momentum", START, steps=3, lr=1e-4)
    assert t.states[0] == SGDState()
    velocity = t.grads[0]
    for step in (1, 2, 3):
        assert t.states[step].step == step
        np.testing.assert_array_equal(t.states[step].momentum_buffer, velocity)
        np.testing.assert_allclose(t.points[step], t.points[step - 1] - 1e-4 * velocity)
        velocity = 0.9 * velocity + t.grads[step]
    assert t.state_field("momentum_buffer").shape == (4, 2)
    assert np.isnan(t.state_field("momentum_buffer")[0]).all()


def test_adam_state_holds_both_moments() -> None:
    t = optimize(ROSENBROCK, "adam", START, steps=2, lr=0.01)
    first = t.states[1]
    assert isinstance(first, AdamState) and first.max_exp_avg_sq is None
    np.testing.assert_allclose(first.exp_avg, 0.1 * t.grads[0])
    np.testing.assert_allclose(first.exp_avg_sq, 0.001 * t.grads[0] ** 2)
    # Adam's first step moves every coordinate by lr, whatever the gradient's size.
    np.testing.assert_allclose(np.abs(t.points[1] - t.points[0]), [0.01, 0.01])


def test_graph_as_first_argument_equals_text() -> None:
    graph = core.parse(ROSENBROCK)
    a = optimize(graph, "rmsprop", START, steps=20)
    b = optimize(ROSENBROCK, "rmsprop", START, steps=20)
    np.testing.assert_array_equal(a.points, b.points)


def test_other_inputs_are_held_fixed() -> None:
    t = optimize("(x - a)**2 + (y - b)**2", "sgd", {"x": 0.0, "y": 0.0}, steps=200, lr=0.1,
                 fixed={"a": 1.5, "b": -0.5})
    np.testing.assert_allclose(t.points[-1], [1.5, -0.5], atol=1e-9)
    assert t.axes == ("x", "y")


def test_missing_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'a'.*fixed="):
        optimize("(x - a)**2 + y**2", "sgd", {"x": 0.0, "y": 0.0})


def test_racing_together_equals_running_alone() -> None:
    runs = [(name, {"lr": 1e-3}) for name in OPTIMIZERS]
    together = optimize_many(ROSENBROCK, runs, START, steps=50)
    for (name, hyper), t in zip(runs, together):
        alone = optimize(ROSENBROCK, name, START, steps=50, **hyper)
        np.testing.assert_array_equal(t.points, alone.points)
        np.testing.assert_array_equal(t.losses, alone.losses)


def test_one_diverging_racer_leaves_the_others_running() -> None:
    sgd, adam = optimize_many(ROSENBROCK, [("sgd", {"lr": 1.0}), ("adam", {"lr": 0.01})],
                              START, steps=100)
    assert sgd.diverged and not adam.diverged
    assert len(adam.points) == 101 and adam.message == ""


def test_learning_rate_schedules_follow_torch() -> None:
    t = optimize(ROSENBROCK, "sgd", START, steps=7, lr=1e-4, lr_schedule=StepLR(3, 0.5))
    np.testing.assert_allclose(t.lrs, [1e-4] * 3 + [5e-5] * 3 + [2.5e-5])
    assert ExponentialLR(0.5).learning_rates(1.0, 3) == [1.0, 0.5, 0.25]


def test_zero_steps_is_just_the_start() -> None:
    t = optimize(ROSENBROCK, "adam", START, steps=0)
    assert t.points.tolist() == [[-1.5, 2.0]] and t.losses.tolist() == [12.5]
    assert t.lrs.shape == (0,) and not t.diverged


def test_start_outside_the_domain_keeps_the_start_only() -> None:
    t = optimize("log(x) + y**2", "adam", {"x": -1.0, "y": 1.0}, steps=10)
    assert t.diverged and t.message.startswith("cannot start: loss became nan")
    assert t.points.tolist() == [[-1.0, 1.0]] and t.lrs.shape == (0,)
