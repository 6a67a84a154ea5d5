"""Evaluation: gradients summed at fan-out, math-domain problems as nan/inf (never an exception or a
warning), scalar and array evaluation agreeing, broadcasting, and PyTorch's conventions in full graphs."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core


@pytest.fixture
def no_warnings() -> Iterator[None]:
    """Any warning (numpy's RuntimeWarning for 1/0 above all) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- fan-out ----


@pytest.mark.parametrize(
    "text, point, expected",
    [
        ("x*x", {"x": 3.0}, {"x": 6.0}),
        ("x+x", {"x": 3.0}, {"x": 2.0}),
        ("x+x+x", {"x": 3.0}, {"x": 3.0}),
        ("x*x*x", {"x": 2.0}, {"x": 12.0}),
        ("(x*y)+(x*z)", {"x": 2.0, "y": 3.0, "z": -5.0}, {"x": -2.0, "y": 2.0, "z": 2.0}),
        ("x/x", {"x": 4.0}, {"x": 0.0}),
        ("x-x", {"x": 4.0}, {"x": 0.0}),
        ("q = exp(x)\nq*q + q", {"x": 0.0}, {"x": 3.0}),
        ("a = x*y\nb = a + x\nc = a * b\nc", {"x": 2.0, "y": 3.0}, {"x": 3 * 8 + 6 * 4, "y": 2 * 8 + 6 * 2}),
        ("max(x, x)", {"x": 1.0}, {"x": 1.0}),  # two half-shares of the tie
        ("prelu(x, x)", {"x": -2.0}, {"x": 2 * -2.0}),  # x·x for x < 0
    ],
)
def test_gradients_are_summed_at_fan_out(text: str, point: dict[str, float], expected: dict[str, float]) -> None:
    r = core.parse(text).evaluate(point)
    assert r.grad == pytest.approx(expected)
    check = core.gradcheck(core.parse(text), point)
    if "max" not in text:
        assert check.ok, check


def test_fan_out_is_visible_in_the_trace() -> None:
    g = core.parse("(x*y)+(x*z)")
    t = g.trace({"x": 2.0, "y": 3.0, "z": -5.0})
    x = g.input_ids["x"]
    into_x = [(arg.contribution, arg.accumulated) for step in t.backward for arg in step.args if arg.arg == x]
    assert into_x == [(-5.0, -5.0), (3.0, -2.0)]  # the second contribution adds to the first


def test_x_times_x_sends_two_contributions_along_one_edge() -> None:
    g = core.parse("x*x")
    t = g.trace({"x": 3.0})
    (step,) = t.backward
    assert [(a.local_grad, a.contribution, a.accumulated) for a in step.args] == [(3.0, 3.0, 3.0), (3.0, 3.0, 6.0)]
    assert t.state(len(t)).edge_grads == {(0, 1): 6.0}
    assert t.state(len(t)).grads[0] == 6.0


# ---- math-domain problems ----


@pytest.mark.parametrize(
    "text, point, value",
    [
        ("log(-1)", {}, math.nan),
        ("1/0", {}, math.inf),
        ("(-8)**0.5", {}, math.nan),
        ("exp(1000)", {}, math.inf),
        ("x/0", {"x": 1.0}, math.inf),
        ("x/0", {"x": -1.0}, -math.inf),
        ("x/0", {"x": 0.0}, math.nan),
        ("x/y", {"x": 1.0, "y": 0.0}, math.inf),
        ("log(x)", {"x": -1.0}, math.nan),
        ("log(x)", {"x": 0.0}, -math.inf),
        ("sqrt(x)", {"x": -4.0}, math.nan),
        ("x**0.5", {"x": -8.0}, math.nan),
        ("x**y", {"x": -8.0, "y": 0.5}, math.nan),
        ("exp(x)", {"x": 1000.0}, math.inf),
        ("1/x", {"x": 0.0}, math.inf),
        ("exp(x) * 0", {"x": 1000.0}, math.nan),
        ("exp(x) - exp(x)", {"x": 1000.0}, math.nan),
    ],
)
def test_math_domain_problems_give_nan_or_inf_and_mark_the_node(
    text: str, point: dict[str, float], value: float, no_warnings: None
) -> None:
    g = core.parse(text)
    r = g.evaluate(point)
    if math.isnan(value):
        assert math.isnan(r.value)
    else:
        assert r.value == value
    assert g.output in r.nonfinite
    assert not r.finite
    for node_id in r.nonfinite:
        assert not (np.isfinite(r.values[node_id]) and np.isfinite(r.grads[node_id]))
    if g.gates:  # a folded constant has no gate and no steps
        t = g.trace(point)
        (last_forward,) = [s for s in t.forward if s.node == g.output]
        assert last_forward.finite is False
        assert [s.finite for s in t.forward] == [math.isfinite(r.values[s.node]) for s in t.forward]


def test_a_finite_value_with_an_infinite_gradient_is_marked(no_warnings: None) -> None:
    g = core.parse("sqrt(x)")
    r = g.evaluate({"x": 0.0})
    assert r.value == 0.0 and r.grad["x"] == math.inf
    assert g.input_ids["x"] in r.nonfinite
    t = g.trace({"x": 0.0})
    assert t.forward[0].finite is True
    assert t.backward[0].finite is False
    assert t.backward[0].args[0].local_grad == math.inf


def test_finite_runs_mark_nothing(no_warnings: None) -> None:
    r = core.parse("log(x) + sqrt(x) / x").evaluate({"x": 2.0})
    assert r.finite and r.nonfinite == frozenset()
    assert all(s.finite for s in core.parse("log(x)").trace({"x": 2.0}).steps)


def test_finite_numbers_whose_sum_overflows_are_still_finite(no_warnings: None) -> None:
    # `nonfinite` first adds every value up: 1e308 + 1e308 is inf, yet no number is.
    r = core.parse("x - y").evaluate({"x": 1e308, "y": 1e308})
    assert r.value == 0.0 and r.finite and r.nonfinite == frozenset()
    g = core.parse("b = (x - y) * 2\nb + log(w)")
    r = g.evaluate({"x": 1e308, "y": 1e308, "w": -1.0})  # log(-1): nan, and only there and after
    (log,) = [node.id for node in g.gates if node.op == "log"]
    assert r.nonfinite == {log, g.output}


def test_domain_problems_on_grids_give_nan_inf_without_warnings(no_warnings: None) -> None:
    g = core.parse("log(x) + 1/y")
    r = g.evaluate({"x": np.array([-1.0, 0.0, 1.0]), "y": np.array([1.0, 1.0, 0.0])})
    assert np.isnan(r.value[0]) and r.value[1] == -math.inf and r.value[2] == math.inf
    assert r.grad["x"][2] == 1.0
    assert g.output in r.nonfinite
    r = core.parse("x/0").evaluate({"x": np.array([1.0, 0.0])})
    assert r.value[0] == math.inf and np.isnan(r.value[1])


def test_nothing_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    for text, point in [("log(x)", {"x": -1.0}), ("x/0", {"x": 1.0}), ("exp(x)", {"x": 1e4})]:
        core.parse(text).evaluate(point)
        core.parse(text).trace(point)
    assert capsys.readouterr() == ("", "")


# ---- scalar and array evaluation agree ----

EXPRESSIONS = [
    "(x + y) * z",
    "1/(1+exp(-(x*y + z)))",
    "sigmoid(x*y + z)",
    "log(1 + x^2) * sin(y) - z",
    "tanh(x) * cos(y) + softplus(z)",
    "relu(x) + abs(y) * leaky_relu(z, slope=0.1)",
    "elu(x, alpha=0.5) + prelu(y, z)",
    "max(x, y) - min(y, z)",
    "sqrt(x*x + y*y + 1) / (2 + z)",
    "x ** 3 - 2 * x * y + (z - 1) ^ 2",
    "q = x*y\nr = q*q + z\nexp(-r)",
    "(x^2 + y^2)^0.5",  # pow_const at a point where the base may be 0
    "x / y",  # y may be 0: nan/inf must agree too
    "log(x) + sqrt(y)",  # negative arguments: nan in both
]
GRID_VALUE = st.one_of(st.floats(-3, 3, allow_nan=False), st.sampled_from([0.0, 1.0, -1.0]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.sampled_from(EXPRESSIONS),
    xs=st.lists(GRID_VALUE, min_size=1, max_size=4),
    ys=st.lists(GRID_VALUE, min_size=1, max_size=3),
    z=GRID_VALUE,
)
def test_scalar_and_array_evaluation_agree(text: str, xs: list[float], ys: list[float], z: float) -> None:
    g = core.parse(text)
    grids = {"x": np.array(xs)[:, None], "y": np.array(ys)[None, :], "z": np.float64(z) + np.zeros((1, 1))}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = g.evaluate({name: grids[name] for name in g.inputs})
        shape = (len(xs), len(ys))
        assert np.shape(r.value) == shape
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                point = {"x": x, "y": y, "z": z}
                pointwise = g.evaluate({name: point[name] for name in g.inputs})
                np.testing.assert_allclose(r.value[i, j], pointwise.value, rtol=1e-12, atol=1e-12)
                for name in g.inputs:
                    assert np.shape(r.grad[name]) == shape
                    np.testing.assert_allclose(
                        r.grad[name][i, j],
                        pointwise.grad[name],
                        rtol=1e-12,
                        atol=1e-12,
                        err_msg=f"{text} at {point}, ∂/∂{name}",
                    )
                for node_id in range(len(g.nodes)):  # grids compute every node's arrays when first read
                    np.testing.assert_allclose(
                        r.values[node_id][i, j], pointwise.values[node_id], rtol=1e-12, atol=1e-12
                    )
                    np.testing.assert_allclose(r.grads[node_id][i, j], pointwise.grads[node_id], rtol=1e-12, atol=1e-12)


def test_broadcasting_a_column_and_a_row_gives_a_grid() -> None:
    g = core.parse("x*x + 3*x*y + sin(y)")
    x = np.linspace(-2, 2, 400)[:, None]
    y = np.linspace(-1, 1, 400)[None, :]
    r = g.evaluate({"x": x, "y": y})
    assert np.shape(r.value) == (400, 400)
    assert np.shape(r.grad["x"]) == (400, 400) and np.shape(r.grad["y"]) == (400, 400)
    np.testing.assert_allclose(r.value, x * x + 3 * x * y + np.sin(y), rtol=1e-12)
    np.testing.assert_allclose(r.grad["x"], 2 * x + 3 * y + 0 * x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.grad["y"], 3 * x + np.cos(y), rtol=1e-12, atol=1e-12)


def test_a_grid_input_that_does_not_reach_the_output_gets_a_zero_grid() -> None:
    g = core.parse("q = y * 2\nx + 1")
    r = g.evaluate({"x": np.ones((3, 1))})
    assert r.grad["x"].shape == (3, 1)
    assert np.all(r.grad["x"] == 1.0)


def test_mixed_scalar_and_array_inputs_broadcast() -> None:
    r = core.parse("x * y").evaluate({"x": np.array([1.0, 2.0, 3.0]), "y": 2})
    np.testing.assert_array_equal(r.value, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(r.grad["y"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(r.grad["x"], [2.0, 2.0, 2.0])


def test_numpy_scalars_evaluate_like_floats() -> None:
    g = core.parse("(x + y) * z")
    r = g.evaluate({"x": np.float64(-2), "y": np.int64(5), "z": np.float32(-4)})
    assert r.value == -12.0 and r.grad == {"x": -4.0, "y": -4.0, "z": 3.0}


# ---- inputs ----


def test_missing_inputs_give_a_clear_error() -> None:
    g = core.parse("(x + y) * z")
    with pytest.raises(ValueError, match=r"missing value for inputs 'y', 'z'"):
        g.evaluate({"x": 1.0})
    with pytest.raises(ValueError, match=r"missing value for input 'x'"):
        g.evaluate({"y": 1.0, "z": 2.0})
    with pytest.raises(ValueError, match="missing"):
        g.trace({})


def test_extra_inputs_are_ignored() -> None:
    assert core.parse("x + 1").evaluate({"x": 1.0, "unused": 5.0}).grad == {"x": 1.0}


def test_an_input_that_does_not_reach_the_output_has_gradient_zero() -> None:
    g = core.parse("x * 0 + y")
    r = g.evaluate({"x": 3.0, "y": 2.0})
    assert r.grad == {"x": 0.0, "y": 1.0}
    g = core.parse("max(x, 5) + y")  # x < 5: no gradient flows through max into x
    assert g.evaluate({"x": 1.0, "y": 2.0}).grad == {"x": 0.0, "y": 1.0}


def test_constants_only() -> None:
    r = core.parse("2 * 3 + 1").evaluate({})
    assert r.value == 7.0 and r.grad == {}


# ---- PyTorch's conventions at kinks, in full graphs ----


@pytest.mark.parametrize(
    "text, point, expected",
    [
        ("relu(x)", {"x": 0.0}, {"x": 0.0}),
        ("abs(x)", {"x": 0.0}, {"x": 0.0}),
        ("max(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}),
        ("min(x, y)", {"x": -1.0, "y": -1.0}, {"x": 0.5, "y": 0.5}),
        ("relu(x - y) * 3", {"x": 1.0, "y": 1.0}, {"x": 0.0, "y": 0.0}),
        ("max(x*2, y+1) * 4", {"x": 1.0, "y": 1.0}, {"x": 4.0, "y": 2.0}),
        ("leaky_relu(x, slope=0.1)", {"x": 0.0}, {"x": 0.1}),
        ("prelu(x, a)", {"x": 0.0, "a": 0.3}, {"x": 0.3, "a": 0.0}),
        ("x ** 0", {"x": 0.0}, {"x": 0.0}),
        ("x ** y", {"x": 0.0, "y": 2.0}, {"x": 0.0, "y": 0.0}),
        ("x ** y", {"x": 0.0, "y": 0.0}, {"x": 0.0, "y": 0.0}),
    ],
)
def test_kinks_follow_pytorch_in_full_graphs(
    text: str, point: dict[str, float], expected: dict[str, float], no_warnings: None
) -> None:
    g = core.parse(text)
    assert g.evaluate(point).grad == expected
    arrays = g.evaluate({k: np.array([v]) for k, v in point.items()})
    assert {k: float(v[0]) for k, v in arrays.grad.items()} == expected
    final = g.trace(point).state(10**6)
    assert {name: final.grads.get(i, 0.0) for name, i in g.input_ids.items()} == expected


# ---- nan propagates through max and min, on every path ----


@pytest.mark.parametrize(
    "text, point",
    [
        ("max(x, log(-1))", {"x": 2.0}),
        ("max(log(-1), x)", {"x": 2.0}),
        ("min(x, y*y - y*y)", {"x": 2.0, "y": 1e200}),  # inf − inf: nan
        ("min(y*y - y*y, x)", {"x": 2.0, "y": 1e200}),
        ("max(x, log(-y)) * 3", {"x": -5.0, "y": 1.0}),
    ],
)
def test_max_and_min_propagate_nan_like_torch_on_the_scalar_and_grid_paths(
    text: str, point: dict[str, float], no_warnings: None
) -> None:
    g = core.parse(text)
    r = g.evaluate(point)
    assert math.isnan(r.value)
    assert math.isnan(r.grad["x"])  # a nan value has no slope: ∂/∂x is nan, not the 0 of "x lost"
    grid = g.evaluate({k: np.array([v]) for k, v in point.items()})
    assert np.isnan(grid.value[0])
    for name in g.inputs:
        np.testing.assert_array_equal(grid.grad[name], [r.grad[name]])  # nan == nan for assert_array_equal
    final = g.trace(point).state(10**6)
    assert math.isnan(final.values[g.output]) and math.isnan(final.grads[g.input_ids["x"]])


@pytest.mark.parametrize("fn, expected", [("max", math.inf), ("min", 2.0)])
def test_an_infinite_operand_of_max_or_min_is_not_mistaken_for_nan(fn: str, expected: float) -> None:
    g = core.parse(f"{fn}(x, exp(y))")
    r = g.evaluate({"x": 2.0, "y": 1000.0})
    assert r.value == expected
    assert r.grad["x"] == (0.0 if fn == "max" else 1.0)
