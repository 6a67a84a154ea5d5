"""Forward mode: `core.jvp` carries a tangent next to every value through the same forward loop;
its output tangent is Σ grad_i · tangent_i (reverse mode's gradient along the tangent) and the central
finite difference along the tangent; `graph.trace(mode="forward")` records each gate's value and tangent."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core

EXPRESSIONS = [
    "(x + y) * z",
    "1/(1+exp(-(x*y + z)))",
    "sigmoid(x*y + z) * tanh(x - z)",
    "log(1 + x^2) * sin(y) - z / (2 + cos(z))",
    "q = x*y\nr = q*q + z\nexp(-r) + sqrt(r*r + 1)",
    "x ** 3 - 2 * x * y + (z - 1) ^ 2 + (x*x + 1)**y",
    "softplus(x) * elu(y, alpha=0.5) + leaky_relu(z, slope=0.2) * abs(x - 0.3)",
    "max(x, y) - min(y * 2, z) + prelu(x, z)",
    "x / (y*y + 1) + 1/(z*z + 2)",
    "a = x + y\nb = a * a\nc = b * a + x\nc / (1 + b)",
]
POINT = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(EXPRESSIONS), at=st.tuples(POINT, POINT, POINT), along=st.tuples(POINT, POINT, POINT))
def test_the_output_tangent_is_the_gradient_along_the_tangent(
    text: str, at: tuple[float, float, float], along: tuple[float, float, float]
) -> None:
    g = core.parse(text)
    point = dict(zip("xyz", at))
    tangent = {name: t for name, t in zip("xyz", along) if name in g.input_ids}
    j = core.jvp(g, point, tangent=tangent)
    r = g.evaluate(point)
    assert j.value == r.value  # the same forward loop: the same floats
    along_grad = sum(r.grad[name] * tangent[name] for name in g.inputs)
    assert j.tangent == pytest.approx(along_grad, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_every_node_tangent_matches_central_finite_differences(text: str) -> None:
    g = core.parse(text)
    point, tangent = {"x": 0.7, "y": -1.3, "z": 0.4}, {"x": 0.5, "y": -1.0, "z": 2.0}
    j = core.jvp(g, point, tangent={name: tangent[name] for name in g.inputs})
    h = 1e-6
    moved = {name: np.array([point[name] + h * tangent[name], point[name] - h * tangent[name]]) for name in g.inputs}
    values = g.evaluate(moved).values  # every node's value at x + h·t and x − h·t
    for node in g.nodes:
        numeric = (values[node.id][0] - values[node.id][1]) / (2 * h)
        assert j.tangents[node.id] == pytest.approx(numeric, rel=1e-5, abs=1e-6), f"{node.label} in {text!r}"


def test_the_lecture_circuit_along_x_gives_the_gradient_of_x() -> None:
    g = core.parse("q = x + y\nf = q * z")
    j = core.jvp(g, {"x": -2.0, "y": 5.0, "z": -4.0}, tangent={"x": 1.0, "y": 0.0, "z": 0.0})
    q = next(n.id for n in g.nodes if n.name == "q")
    assert (j.value, j.tangent, j.tangents[q]) == (-12.0, -4.0, 1.0)
    assert j.tangents[g.input_ids["x"]] == 1.0 and j.tangents[g.input_ids["z"]] == 0.0


def test_a_tangent_left_out_is_zero_and_an_unknown_one_is_an_error() -> None:
    g = core.parse("x * y")
    assert core.jvp(g, {"x": 2.0, "y": 3.0}, tangent={"y": 1.0}).tangent == 2.0
    with pytest.raises(ValueError, match="'w'"):
        core.jvp(g, {"x": 2.0, "y": 3.0}, tangent={"w": 1.0})


def test_jvp_on_grids_agrees_with_each_point() -> None:
    g = core.parse("sin(x) * y + exp(x*y)")
    xs = np.linspace(-1, 1, 5)
    j = core.jvp(g, {"x": xs, "y": 0.5}, tangent={"x": 1.0, "y": np.ones(5)})
    for k, x in enumerate(xs):
        one = core.jvp(g, {"x": float(x), "y": 0.5}, tangent={"x": 1.0, "y": 1.0})
        assert j.tangent[k] == pytest.approx(one.tangent, rel=1e-12)


def test_at_a_domain_problem_the_tangent_is_what_reverse_mode_says() -> None:
    j = core.jvp(core.parse("sqrt(x) + y"), {"x": 0.0, "y": 1.0}, tangent={"x": 1.0})
    assert j.tangent == math.inf  # ∂√x/∂x = inf at 0, as the reverse pass says
    j = core.jvp(core.parse("log(x)"), {"x": -1.0}, tangent={"x": 1.0})
    assert math.isnan(j.value) and j.tangent == core.parse("log(x)").evaluate({"x": -1.0}).grad["x"] == -1.0


# ---- the forward-mode trace ----


def test_forward_mode_trace_records_value_and_tangent_of_each_gate() -> None:
    g = core.parse("q = x + y\nf = q * z")
    t = g.trace({"x": -2.0, "y": 5.0, "z": -4.0}, mode="forward", tangent={"x": 1.0, "y": 0.0, "z": 0.0})
    assert t.backward == () and len(t.forward) == len(g.gates) == len(t)
    add, mul = t.steps
    assert isinstance(add, core.TangentStep) and add.phase == "forward"
    assert (add.value, add.input_tangents, add.local_grads, add.tangent) == (3.0, (1.0, 0.0), (1.0, 1.0), 1.0)
    assert (mul.value, mul.input_tangents, mul.local_grads, mul.tangent) == (-12.0, (1.0, 0.0), (-4.0, 3.0), -4.0)
    assert t.state(1).tangents == {g.input_ids["x"]: 1.0, g.input_ids["y"]: 0.0, g.input_ids["z"]: 0.0, add.node: 1.0}
    assert t.state(len(t)).tangents[g.output] == -4.0
    assert t.state(len(t)).grads == {}  # no backward pass in forward mode


def test_the_forward_mode_trace_is_the_same_run_as_jvp() -> None:
    g = core.parse("1/(1+exp(-(w*x + b)))")
    point, tangent = {"w": 2.0, "x": -1.0, "b": 0.5}, {"w": 0.0, "x": 0.0, "b": 1.0}
    t, j = g.trace(point, mode="forward", tangent=tangent), core.jvp(g, point, tangent=tangent)
    assert [s.tangent for s in t.steps] == [j.tangents[s.node] for s in t.steps]
    assert t.mode == "forward" and g.trace(point).mode == "reverse"


def test_forward_mode_needs_a_tangent_and_modes_are_named() -> None:
    g = core.parse("x * y")
    with pytest.raises(ValueError, match="tangent"):
        g.trace({"x": 1.0, "y": 2.0}, mode="forward")
    with pytest.raises(ValueError, match="mode"):
        g.trace({"x": 1.0, "y": 2.0}, mode="sideways")
