"""Optimizers: torch.optim's trajectories reproduced, divergence handled, state visible per step."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import core
from core.evaluate import point_function
from core.optimizers import OPTIMIZERS, AdamState, ExponentialLR, SGDState, StepLR, state_as_floats, state_from_floats
from core.trajectory import optimize, optimize_many, run_optimizers

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
BEALE = "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2"
START = {"x": -1.5, "y": 2.0}
REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures" / "torch_optim_reference.json").read_text())["runs"]


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
    t = optimize(
        run["expression"], run["optimizer"], run["start"], run["steps"], lr_schedule=_schedule(run["schedule"]), **hyper
    )
    assert not t.diverged
    np.testing.assert_allclose(t.points, np.array(run["points"]), rtol=1e-12, atol=1e-12)


def test_reference_covers_every_optimizer_and_the_tricky_options() -> None:
    seen = {r["optimizer"] for r in REFERENCE}
    options = {k for r in REFERENCE for k, v in r["hyperparameters"].items() if v not in (0, False)}
    assert seen == set(OPTIMIZERS)
    assert {"weight_decay", "lr_decay", "centered", "amsgrad", "dampening", "rho"} <= options
    assert {r["schedule"]["kind"] for r in REFERENCE if r["schedule"]} == {"step", "exponential"}


def test_table_is_ordered_simplest_first_with_torch_defaults() -> None:
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw"]
    assert OPTIMIZERS["adadelta"].defaults() == {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}
    assert OPTIMIZERS["adamw"].defaults() == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
    }
    assert (OPTIMIZERS["adadelta"].torch_name, OPTIMIZERS["adamw"].torch_name) == ("Adadelta", "AdamW")
    assert OPTIMIZERS["adam"].defaults() == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }
    assert OPTIMIZERS["adagrad"].defaults()["eps"] == 1e-10
    assert OPTIMIZERS["rmsprop"].defaults()["alpha"] == 0.99
    assert OPTIMIZERS["momentum"].defaults()["momentum"] == 0.9
    assert OPTIMIZERS["nesterov"].defaults()["nesterov"] is True
    assert not any(hasattr(o, "color") for o in OPTIMIZERS.values())  # colours are the GUI's (theme.py)


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
    with pytest.raises(ValueError, match=r"beta1.*betas"):
        optimize(ROSENBROCK, "adam", START, beta1=0.5)


@pytest.mark.parametrize(
    "optimizer, settings, word",
    [
        ("adam", {"betas": (1.0, 0.999)}, "beta parameter at index 0"),
        ("adam", {"betas": (0.9, -0.1)}, "beta parameter at index 1"),
        ("adam", {"eps": -1e-8}, "eps"),
        ("sgd", {"lr": -0.1}, "lr"),
        ("momentum", {"momentum": -0.9}, "momentum"),
        ("rmsprop", {"alpha": -0.5}, "alpha"),
        ("adagrad", {"lr_decay": -1.0}, "lr_decay"),
        ("sgd", {"weight_decay": -1.0}, "weight_decay"),
        ("adadelta", {"rho": 1.5}, "rho"),
        ("adamw", {"betas": (0.9, 1.0)}, "beta parameter at index 1"),
        # nan passes every `value < 0` test; torch's `not 0.0 <= value` refuses it, and so must we
        ("sgd", {"lr": float("nan")}, "lr"),
        ("momentum", {"momentum": float("nan")}, "momentum"),
        ("adam", {"eps": float("nan")}, "eps"),
        ("sgd", {"weight_decay": float("nan")}, "weight_decay"),
        ("adam", {"betas": (float("nan"), 0.999)}, "beta parameter at index 0"),
        ("adadelta", {"rho": float("nan")}, "rho"),
    ],
)
def test_out_of_range_hyperparameters_are_rejected_as_torch_does(optimizer, settings, word) -> None:
    with pytest.raises(ValueError, match=word):
        optimize(ROSENBROCK, optimizer, START, steps=3, **settings)


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
    t = optimize("(x - a)**2 + (y - b)**2", "sgd", {"x": 0.0, "y": 0.0}, steps=200, lr=0.1, fixed={"a": 1.5, "b": -0.5})
    np.testing.assert_allclose(t.points[-1], [1.5, -0.5], atol=1e-9)
    assert t.axes == ("x", "y")


def test_missing_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"'a'.*fixed="):
        optimize("(x - a)**2 + y**2", "sgd", {"x": 0.0, "y": 0.0})


def test_racing_together_equals_running_alone() -> None:
    runs = [(name, {"lr": 1e-3}) for name in OPTIMIZERS]
    together = optimize_many(ROSENBROCK, runs, START, steps=50)
    for (name, hyper), t in zip(runs, together):
        alone = optimize(ROSENBROCK, name, START, steps=50, **hyper)
        np.testing.assert_array_equal(t.points, alone.points)
        np.testing.assert_array_equal(t.losses, alone.losses)


def test_one_diverging_racer_leaves_the_others_running() -> None:
    sgd, adam = optimize_many(ROSENBROCK, [("sgd", {"lr": 1.0}), ("adam", {"lr": 0.01})], START, steps=100)
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


# Every option of every optimizer, and both formulas of torch.lerp (weight below and above 0.5).
OPTIONS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.1}),
    ("momentum", {}),
    ("momentum", {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}),
    ("nesterov", {}),
    ("nesterov", {"weight_decay": 0.05}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.02, "eps": 1e-6}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.5}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.01, "alpha": 0.3}),
    ("adam", {}),
    ("adam", {"amsgrad": True}),
    ("adam", {"betas": (0.3, 0.99), "eps": 1e-6}),
    ("adam", {"betas": (0.8, 0.99), "weight_decay": 0.01, "amsgrad": True}),
    ("adadelta", {}),
    ("adadelta", {"rho": 0.5, "eps": 1e-4, "weight_decay": 0.02}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.0}),
    ("adamw", {"betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
]


@pytest.mark.parametrize(("name", "hyper"), OPTIONS, ids=[f"{n}-{h}" for n, h in OPTIONS])
def test_float_twins_equal_the_numpy_step_functions_bit_for_bit(name: str, hyper: dict) -> None:
    spec = OPTIMIZERS[name]
    settings = {k: v for k, v in spec.settings(hyper).items() if k != "lr"}
    rng = np.random.default_rng(len(name) + len(hyper))
    params = rng.normal(size=3) * 10.0 ** rng.integers(-3, 4, size=3)
    state = spec.new_state(params, **settings)
    twin, float_params, float_state = spec.floats(**settings), params.tolist(), state_as_floats(state)
    for _ in range(30):
        grad = rng.normal(size=3) * 10.0 ** rng.integers(-6, 6, size=3)
        lr = float(10.0 ** rng.uniform(-4, 0))
        params, state = spec.step(params, grad, state, lr=lr, **settings)
        float_params, float_state = twin(float_params, grad.tolist(), float_state, lr)
        assert float_params == params.tolist()  # == on floats: the same bits (no nan here)
        assert float_state == state_as_floats(state)
    assert state_as_floats(state_from_floats(type(state), float_state)) == float_state


def _numpy_reference(expression: str, name: str, start: dict, steps: int, **hyper: object) -> tuple:
    """The plain loop: Graph.evaluate at each point, then the numpy step function."""
    graph, spec = core.parse(expression), OPTIMIZERS[name]
    settings = spec.settings(hyper)
    lr = settings.pop("lr")
    params = np.array(list(start.values()))
    state = spec.new_state(params, **settings)
    points, states = [params], [state]
    for _ in range(steps):
        result = graph.evaluate(dict(zip(start, params.tolist())))
        params, state = spec.step(params, np.array([result.grad[n] for n in start]), state, lr=lr, **settings)
        points.append(params)
        states.append(state)
    return np.array(points), states


@pytest.mark.parametrize(("name", "hyper"), OPTIONS, ids=[f"{n}-{h}" for n, h in OPTIONS])
def test_a_race_equals_the_plain_numpy_loop_bit_for_bit(name: str, hyper: dict) -> None:
    hyper = {"lr": 1e-3, **hyper}
    t = optimize(BEALE, name, {"x": 1.0, "y": 1.4}, steps=40, **hyper)
    points, states = _numpy_reference(BEALE, name, {"x": 1.0, "y": 1.4}, 40, **hyper)
    np.testing.assert_array_equal(t.points, points)
    assert len(t.states) == len(states) == 41
    for mine, reference in zip(t.states, states):
        assert type(mine) is type(reference) and mine.step == reference.step
        for field in type(reference).__dataclass_fields__:
            np.testing.assert_array_equal(getattr(mine, field), getattr(reference, field))
    assert t.states[-1] is t.states[40] and t.states[1:3] == (t.states[1], t.states[2])


def test_a_step_python_refuses_is_taken_by_numpy() -> None:
    # eps=0 and a zero gradient: 0/0, a ZeroDivisionError for floats, nan for numpy's Adagrad.
    t = optimize("x**2 + y**2", "adagrad", {"x": 0.0, "y": 1.0}, steps=5, eps=0.0)
    assert t.diverged and t.message == ("diverged at step 1: parameter x became nan; stopped at the last finite point")
    assert t.points.tolist() == [[0.0, 1.0]] and len(t.states) == 1


def test_point_function_is_the_scalar_path_of_evaluate() -> None:
    graph = core.parse("x*x + sin(x*y) - exp(-y)/(1 + a) + (y - 0.5)**3")
    at = point_function(graph, ("y", "x", "unused"), {"a": 0.7})
    for y, x in ((2.0, -1.5), (0.3, 0.1), (-4.0, 2.5)):
        result = graph.evaluate({"x": x, "y": y, "a": 0.7})
        assert at([y, x, 9.0]) == (result.value, [result.grad["y"], result.grad["x"], 0.0])
    with pytest.raises(ValueError):
        point_function(core.parse("log(x)"), ("x",))([-1.0])  # math's domain error: caller falls back


def test_run_optimizers_takes_a_batch_function() -> None:
    def loss_and_grad(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (points**2).sum(axis=1), 2 * points

    sgd, adam = run_optimizers(
        loss_and_grad, [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.1})], np.array([1.0, -2.0]), 10, ("x", "y")
    )
    expected = optimize("x**2 + y**2", "sgd", {"x": 1.0, "y": -2.0}, steps=10, lr=0.1)
    np.testing.assert_array_equal(sgd.points, expected.points)
    assert adam.points.shape == (11, 2) and adam.axes == ("x", "y")


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("sgd", {"lr": 0.01, "weight_decay": 0.1}),
        ("momentum", {"lr": 0.01}),
        ("nesterov", {"lr": 0.01}),
        ("adagrad", {"lr": 0.3, "lr_decay": 0.01}),
        ("rmsprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
        ("adam", {"lr": 0.05, "amsgrad": True}),
    ],
)
def test_a_recorded_update_is_the_step_that_was_taken(name: str, hyper: dict) -> None:
    t = optimize("x**2 + 20*y**2", name, {"x": 1.0, "y": 1.0}, steps=5, **hyper)
    for k in range(5):
        update = t.update(k)
        assert update is not None and update.step == k
        np.testing.assert_array_equal(update.point, t.points[k])
        np.testing.assert_array_equal(update.new_point, t.points[k + 1])
        # the recorded terms reproduce the step: θ' = θ − lr·direction (SGD family) etc.
        assert set(update.terms) >= {"g"}
        wd = hyper.get("weight_decay", 0.0)
        np.testing.assert_array_equal(update.terms["g"], t.grads[k] + wd * t.points[k] if wd else t.grads[k])
    assert t.update(99).step == 4  # clamped to the last step taken


def test_adam_records_bias_corrected_moments_with_the_step_count_t() -> None:
    """m̂ of step k uses t = k + 1 (the count after the step): off by one would divide by 1 − β₁⁰ = 0."""
    t = optimize("x**2 + y**2", "adam", {"x": 1.0, "y": -2.0}, steps=4, lr=0.1)
    b1, b2 = 0.9, 0.999
    for k in range(4):
        terms = t.update(k).terms
        m, v = t.states[k + 1].exp_avg, t.states[k + 1].exp_avg_sq
        assert terms["t"] == k + 1
        np.testing.assert_allclose(terms["m_hat"], m / (1 - b1 ** (k + 1)), rtol=1e-15)
        np.testing.assert_allclose(terms["v_hat"], v / (1 - b2 ** (k + 1)), rtol=1e-15)
        # the step really is θ − step_size·m / denom with those terms
        np.testing.assert_array_equal(t.points[k + 1], t.points[k] + (-terms["step_size"]) * m / terms["denom"])
    np.testing.assert_allclose(t.update(0).terms["m_hat"], t.grads[0])  # first step: m̂ is the gradient itself


def test_no_step_no_update() -> None:
    assert optimize("x**2 + y**2", "sgd", {"x": 1.0, "y": 1.0}, steps=0).update(0) is None


def test_progress_is_reported_and_can_stop_a_race() -> None:
    seen: list[float] = []
    runs = [("sgd", {"lr": 0.01}), ("adam", {"lr": 0.01})]
    optimize_many("x**2 + y**2", runs, {"x": 1.0, "y": 1.0}, steps=1000, progress=seen.append)
    assert seen == sorted(seen) and seen[0] == 0.0 and 0.85 < seen[-1] < 1.0 and len(seen) == 8

    class Stop(Exception):
        pass

    def stop(fraction: float) -> None:
        if fraction > 0.3:
            raise Stop

    with pytest.raises(Stop):
        optimize_many("x**2 + y**2", runs, {"x": 1.0, "y": 1.0}, steps=1000, progress=stop)


def test_one_recorded_state_equals_the_same_state_from_the_whole_sequence() -> None:
    t = optimize("x**2 + 3*y**2", "adam", {"x": 1.0, "y": 1.0}, steps=20, lr=0.1, amsgrad=True)
    fresh = optimize("x**2 + 3*y**2", "adam", {"x": 1.0, "y": 1.0}, steps=20, lr=0.1, amsgrad=True)
    singles = [fresh.states[k] for k in (0, 1, 7, 20, -1)]  # built one by one, before the whole sequence
    wholes = [t.states[:][k] for k in (0, 1, 7, 20, -1)]
    for single, whole in zip(singles, wholes):
        assert single.step == whole.step
        for name in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            np.testing.assert_array_equal(getattr(single, name), getattr(whole, name))
    with pytest.raises(IndexError):
        fresh.states[21]


def test_adadelta_records_both_running_averages_and_its_unit_correcting_step() -> None:
    t = optimize("x**2 + y**2", "adadelta", {"x": 1.0, "y": -2.0}, steps=3, lr=1.0)
    u = t.update(1)
    assert u is not None
    rho, eps, g = 0.9, 1e-6, u.grad
    square_avg = rho * u.before.square_avg + (1 - rho) * g * g
    delta = np.sqrt(u.before.acc_delta + eps) / np.sqrt(square_avg + eps) * g
    np.testing.assert_allclose(u.terms["s"], square_avg, rtol=1e-15)
    np.testing.assert_allclose(u.terms["delta"], delta, rtol=1e-15)
    np.testing.assert_allclose(u.after.acc_delta, rho * u.before.acc_delta + (1 - rho) * delta * delta, rtol=1e-15)
    np.testing.assert_allclose(u.new_point, u.point - delta, rtol=1e-15)


def test_adamw_decays_the_weights_apart_from_the_gradient() -> None:
    # A flat loss: Adam's L2 term moves the point through m/√v (a step of ~lr whatever wd), while
    # AdamW only shrinks the weights by lr·wd each step.
    adamw = optimize("0*x + 0*y", "adamw", {"x": 2.0, "y": -1.0}, steps=3, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(adamw.points[-1], np.array([2.0, -1.0]) * 0.95**3, rtol=1e-15)
    u = adamw.update(0)
    assert u is not None
    np.testing.assert_allclose(u.terms["decayed"], [1.9, -0.95], rtol=1e-15)
    adam = optimize("0*x + 0*y", "adam", {"x": 2.0, "y": -1.0}, steps=3, lr=0.1, weight_decay=0.5)
    assert abs(adam.points[-1, 0] - adamw.points[-1, 0]) > 0.01


def test_a_diverging_run_names_the_parameter_that_overflowed() -> None:
    # sin(x) + y: the loss stays small, y falls by lr (∂/∂y = 1) each step: -1e308, then -2e308 = -inf,
    # while x stays finite (|∂/∂x| = |cos x| < 1). The message names y, not "parameters".
    t = optimize("sin(x) + y", "sgd", {"x": 1.0, "y": 0.0}, steps=400, lr=1e308)
    assert t.message == "diverged at step 2: parameter y overflowed to -inf; stopped at the last finite point"
    assert t.points[-1][1] == -1e308 and np.isfinite(t.points[-1][0])
