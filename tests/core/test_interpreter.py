"""The one interpreter (core.interpreter): the scalar path, the grid path and the step trace are the same
two loops, fan-out sums go through one function, and a recorder sees every step of the same run."""

from __future__ import annotations

import dataclasses
import importlib
import math
from typing import Any

import numpy as np
import pytest

import core
from core.graph import Graph, Node
from core.interpreter import (
    FLOATS,
    GRIDS,
    DropUsedValues,
    Plan,
    Sent,
    backward,
    compile_plan,
    forward,
    plan_for,
    run,
)

interpreter = importlib.import_module("core.interpreter")

PROGRAMS = [
    ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    ("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
    ("a = x*y\nb = a + x\nc = a * b\nc - a/y + max(a, b)", {"x": 2.0, "y": 3.0}),
    ("x*x*x + sqrt(x) - x**y", {"x": 1.7, "y": 0.3}),
    (  # every kind of row of both loops: user gates of one, two and three arguments too
        "g(a, b, c) = a*b + c\nh(a, b) = a - b\nk(a) = a*a\nq = g(x, y, x) + h(x, y) * k(y)\n"
        "q + prelu(x, y) + leaky_relu(x, 0.1) + elu(y) + softplus(x) + relu(y) + sigmoid(x) + abs(y)"
        " + max(x, y) - min(x, y) + sin(x)*cos(y) + x / y + 2 / y - 3 + x**3 + 2*x + x/4 + tanh(y) + log(y)",
        {"x": 0.7, "y": 1.3},
    ),
    ("log(x) + 1/y", {"x": -1.0, "y": 0.0}),  # math raises: the numpy fallback, for both
]


class Spy:
    """A recorder that keeps what it is told."""

    def __init__(self) -> None:
        self.forward: list[tuple[int, tuple[Any, ...], Any]] = []
        self.backward: list[tuple[int, Any, tuple[Sent, ...]]] = []

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        self.forward.append((node, args, value))

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        self.backward.append((node, upstream, sent))


@pytest.mark.parametrize("text, point", PROGRAMS)
def test_the_trace_is_the_same_run_as_evaluate(text: str, point: dict[str, float]) -> None:
    g = core.parse(text)
    r = g.evaluate(point)
    final = g.trace(point).state(10**9)
    for node in g.nodes:  # exactly the same floats (nan where nan), not merely close
        assert repr(final.values[node.id]) == repr(float(r.values[node.id]))
        assert repr(final.grads[node.id]) == repr(float(r.grads[node.id]))


@pytest.mark.parametrize("text, point", PROGRAMS[:-1])
def test_the_grid_path_is_the_same_loops_as_the_scalar_path(text: str, point: dict[str, float]) -> None:
    g = core.parse(text)
    scalar = g.evaluate(point)
    grid = g.evaluate({name: np.full((2, 3), v) for name, v in point.items()})
    for node in g.nodes:
        np.testing.assert_allclose(grid.values[node.id], scalar.values[node.id], rtol=1e-15)
        np.testing.assert_allclose(grid.grads[node.id], scalar.grads[node.id], rtol=1e-15)


def test_a_recorder_sees_every_gate_forward_in_order_then_backward_in_reverse() -> None:
    g = core.parse("q = x + y\nq * z")
    spy = Spy()
    values, grads = run(plan_for(g), [-2.0, 5.0, -4.0], FLOATS, spy)
    gates = [node.id for node in g.gates]
    assert [node for node, _, _ in spy.forward] == gates
    assert [node for node, _, _ in spy.backward] == gates[::-1]
    q, f = gates
    assert spy.forward == [(q, (-2.0, 5.0), 3.0), (f, (3.0, -4.0), -12.0)]
    assert spy.backward[0] == (f, 1.0, ((q, -4.0, -4.0, -4.0), (g.input_ids["z"], 3.0, 3.0, 3.0)))
    assert values[f] == -12.0 and grads[g.input_ids["x"]] == -4.0


@pytest.mark.parametrize(
    "text, fan_out_sums",
    [
        ("(x + y) * z", 0),  # every value has one user: nothing to sum
        ("x * x", 1),  # x sends two contributions along one edge
        ("x*y + x*z", 1),
        ("x + x + x", 2),
        ("q = exp(x)\nq*q + q", 2),
        ("exp(x) + sin(x)", 1),  # into x through a one-argument gate
        ("exp(x) * x", 1),
    ],
)
def test_fan_out_is_summed_by_add_at_fan_out_and_nowhere_else(
    text: str, fan_out_sums: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[float, float]] = []

    def counting(accumulated: Any, contribution: Any) -> Any:
        calls.append((accumulated, contribution))
        return accumulated + contribution

    monkeypatch.setattr(interpreter, "add_at_fan_out", counting)
    g = core.parse(text)
    point = dict.fromkeys(g.inputs, 1.5)
    g.evaluate(point)
    assert len(calls) == fan_out_sums
    g.evaluate({name: np.array([1.5, 2.0]) for name in point})
    g.trace(point)
    assert len(calls) == 3 * fan_out_sums  # the grid and the trace go through the same function


def test_a_gate_the_output_does_not_depend_on_gets_gradient_zero_and_no_backward_step() -> None:
    # Built by hand: the parser drops such gates, but a Graph need not come from the parser.
    nodes = (
        Node(0, "input", name="x"),
        Node(1, "input", name="y"),
        Node(2, "log", (1,)),  # not used by the output
        Node(3, "mul_const", (0,), (3.0,)),
    )
    g = Graph(nodes, ("x", "y"), output=3)
    plan = plan_for(g)
    assert [gate.node for gate in plan.backward_gates()] == [3] and set(plan.unreached) == {1, 2}
    r = g.evaluate({"x": 2.0, "y": -1.0})
    assert r.grad == {"x": 3.0, "y": 0.0} and r.grads[2] == 0.0 and math.isnan(r.values[2])
    grid = g.evaluate({"x": np.ones(3), "y": np.ones(3)})
    np.testing.assert_array_equal(grid.grad["y"], np.zeros(3))
    assert [s.node for s in g.trace({"x": 2.0, "y": -1.0}).backward] == [3]


def test_the_plan_is_a_frozen_record_with_named_gates() -> None:
    g = core.parse("x*y + 3*x")
    plan = compile_plan(g)
    assert isinstance(plan, Plan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.output = 0  # type: ignore[misc]
    x = g.input_ids["x"]
    into_x = [gate for gate in plan.backward_gates() if gate.a == x]
    assert [gate.a_fans_out for gate in into_x] == [False, True]  # x's second user adds to the first's gradient
    assert [gate.node for gate in plan.forward_gates()] == [node.id for node in g.gates]


def test_a_local_gradient_of_exactly_one_is_passed_on_not_multiplied() -> None:
    class Grid(np.ndarray):  # counts the multiplications the backward loop does on it
        products = 0

        def __mul__(self, other: Any) -> Any:
            Grid.products += 1
            return np.ndarray.__mul__(self, other)

        __rmul__ = __mul__

    g = core.parse("(x - y + 2) * z")  # −: local gradients 1 and −1; +2: 1; ·: z and (x−y+2)
    x = np.ones(3).view(Grid)
    y, z = x * 2.0, x * 3.0
    values = forward(plan_for(g), [x, y, z], GRIDS)
    Grid.products = 0
    grads = backward(plan_for(g), values, GRIDS)
    assert Grid.products == 3  # 1·z and 1·(x−y+2) from the seed, −1·upstream for y; never ×1
    np.testing.assert_array_equal(grads[g.input_ids["y"]], -3.0 * np.ones(3))


def test_a_loss_surface_lets_each_gates_array_go_and_gets_the_same_gradients() -> None:
    g = core.parse("(1 - x)**2 + 100*(y - x**2)**2")
    plan = plan_for(g)
    x, y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 5))
    full_values, full_grads = run(plan, [x, y], GRIDS)
    values = forward(plan, [x, y], GRIDS)
    grads = backward(plan, values, GRIDS, DropUsedValues(values, g.output))
    kept = {i for i, v in enumerate(values) if v is not None}
    assert kept == {node.id for node in g.nodes if node.is_leaf} | {g.output}
    np.testing.assert_array_equal(values[g.output], full_values[g.output])
    for i in range(len(g.nodes)):
        np.testing.assert_array_equal(grads[i], full_grads[i])


def test_parameters_that_compare_equal_but_differ_in_sign_stay_apart() -> None:
    # x+c, c·x read c from a slot shared by equal parameters, and the backward rows share one float per
    # constant: 0.0 and -0.0 compare equal, yet -0.0 + 0.0 is 0.0 and -0.0 + -0.0 is -0.0.
    nodes = (
        Node(0, "input", name="x"),
        Node(1, "add_const", (0,), (0.0,)),
        Node(2, "add_const", (0,), (-0.0,)),
        Node(3, "mul_const", (1,), (0.0,)),
        Node(4, "mul_const", (2,), (-0.0,)),
        Node(5, "add", (3, 4)),
    )
    g = Graph(nodes, ("x",), output=5)
    r = g.evaluate({"x": -0.0})
    signs = [math.copysign(1.0, v) for v in r.values]
    assert signs == [-1.0, 1.0, -1.0, 1.0, 1.0, 1.0]  # 0·0, and −0·(−0) = +0
    assert [math.copysign(1.0, r.grads[i]) for i in (1, 2)] == [1.0, -1.0]  # 1·0 and 1·(−0)
    assert repr(g.trace({"x": -0.0}).state(10**9).values) == repr(dict(enumerate(r.values)))
