"""Where a nan or inf began: `Result.problems` names the gates whose own result (a value, or a local
gradient × upstream) is not finite although every number they received was, with a kind and a sentence
with the numbers; gates that are nan/inf only because of an argument are in `nonfinite`, not blamed."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.diagnosis import precision_note


def gate(graph: core.Graph, op: str, k: int = 0) -> int:
    """The id of the k-th gate of `op` in the graph."""
    return [node.id for node in graph.nodes if node.op == op][k]


@pytest.mark.parametrize(
    "text, point, op, where, kind, words",
    [
        ("sqrt(x - 3) * y", {"x": 1.0, "y": 2.0}, "sqrt", "value", "domain", "sqrt(-2): square root of a negative"),
        ("log(x) * y", {"x": 0.0, "y": 2.0}, "log", "value", "domain", "log(0)"),
        ("log(x) + y", {"x": -1.0, "y": 2.0}, "log", "value", "domain", "logarithm of a negative"),
        ("exp(x) + 1", {"x": 1000.0}, "exp", "value", "overflow", "exp(1000)"),
        ("exp(x) * 0", {"x": 1000.0}, "exp", "value", "overflow", "exp(1000)"),  # 0·inf after it: not blamed
        ("x / y", {"x": 1.0, "y": 0.0}, "div", "value", "division by zero", "1/0"),
        ("x / y", {"x": 0.0, "y": 0.0}, "div", "value", "division by zero", "0/0"),
        ("1 / x", {"x": 0.0}, "recip", "value", "division by zero", "1/0"),
        ("x * y", {"x": 1e200, "y": 1e200}, "mul", "value", "overflow", "1e+200"),
        ("x ** y", {"x": -8.0, "y": 0.5}, "pow", "value", "domain", "fractional power"),
        ("sqrt(x)", {"x": 0.0}, "sqrt", "gradient", "division by zero", "sqrt(0)"),
        ("x ** 0.5", {"x": 0.0}, "pow_const", "gradient", "division by zero", "0^0.5"),
        ("sqrt(x) * 0", {"x": 0.0}, "sqrt", "gradient", "0·inf", "upstream gradient 0"),
        ("log(b) * (-1e-300)", {"b": 1e-320}, "log", "gradient", "overflow", "log(1e-320)"),
    ],
)
def test_the_gate_where_it_began_is_the_first_problem(
    text: str, point: dict[str, float], op: str, where: str, kind: str, words: str
) -> None:
    g = core.parse(text)
    r = g.evaluate(point)
    first = r.problems[0]
    assert isinstance(first, core.Problem)
    assert (first.node, first.where, first.kind) == (gate(g, op), where, kind)
    assert words in first.message, first.message
    # A value problem is at the gate; a gradient problem lands on the edge into its argument.
    marked = first.node if where == "value" else g.nodes[first.node].args[0]
    assert marked in r.nonfinite


def test_the_gates_after_the_origin_are_not_blamed_but_marked() -> None:
    g = core.parse("q = log(x - y)\nf = q * 2 + z\nf * f")
    r = g.evaluate({"x": 1.0, "y": 1.0, "z": 3.0})
    log = gate(g, "log")
    assert [(p.node, p.where) for p in r.problems] == [(log, "value")]
    downstream = {node.id for node in g.nodes if node.id > log}
    assert downstream <= r.nonfinite  # every gate after it is nan/inf, none of them an origin


def test_inf_minus_inf_blames_both_overflows_not_the_subtraction() -> None:
    g = core.parse("exp(x) - exp(x)")
    r = g.evaluate({"x": 1000.0})
    assert [(p.node, p.kind) for p in r.problems] == [(gate(g, "exp", 0), "overflow"), (gate(g, "exp", 1), "overflow")]
    assert gate(g, "sub") in r.nonfinite


def test_forward_origins_come_first_in_order_then_backward_ones_in_the_order_met() -> None:
    g = core.parse("log(x) + sqrt(y) + 1/z")
    r = g.evaluate({"x": 0.0, "y": 0.0, "z": 0.0})
    assert [(p.where, g.nodes[p.node].op) for p in r.problems] == [
        ("value", "log"),
        ("value", "recip"),
        ("gradient", "sqrt"),  # log and 1/x are not blamed twice: their own values were not finite
    ]


def test_everything_finite_has_no_problems() -> None:
    r = core.parse("log(x) + sqrt(x) / x * max(x, y)").evaluate({"x": 2.0, "y": 1.0})
    assert r.problems == () and r.nonfinite == frozenset()


def test_an_infinite_input_or_constant_is_where_it_began() -> None:
    g = core.parse("x * 1e309 + y")
    r = g.evaluate({"x": 2.0, "y": float("nan")})
    const = gate(g, "mul_const")  # 1e309 is the gate's parameter, inf
    assert [(p.node, p.kind) for p in r.problems][:2] == [(const, "overflow"), (g.input_ids["y"], "input")]
    assert "too large" in r.problems[0].message


def test_problems_read_the_same_run_on_a_grid_with_the_first_bad_point() -> None:
    g = core.parse("sqrt(x) * y")
    r = g.evaluate({"x": np.array([4.0, -1.0, 0.0]), "y": 3.0})
    sqrt = gate(g, "sqrt")
    assert [(p.node, p.where, p.kind) for p in r.problems] == [
        (sqrt, "value", "domain"),
        (sqrt, "gradient", "division by zero"),
    ]
    assert "sqrt(-1)" in r.problems[0].message and "1 of 3" in r.problems[0].message


def test_problems_agree_with_the_steps_of_the_trace() -> None:
    g = core.parse("sqrt(x - 3) * y + exp(y * 500)")
    point = {"x": 1.0, "y": 2.0}
    r, t = g.evaluate(point), g.trace(point)
    for problem in r.problems:
        steps = [
            s
            for s in t.steps
            if s.node == problem.node and s.phase == ("forward" if problem.where == "value" else "backward")
        ]
        assert steps and not steps[0].finite


# ---- gradients that became 0 or inf in float where torch stays finite (issue: extreme magnitudes) ----


def _backward_notes(expression: str, inputs: dict[str, float]) -> list[str]:
    graph = core.parse(expression)
    trace = graph.trace(inputs)
    values = graph.evaluate(inputs).values
    notes = []
    for step in trace.steps:
        if step.phase == "backward":
            node = graph.nodes[step.node]
            args = [values[a] for a in node.args]
            for ag in step.args:
                note = precision_note(node, args, step.upstream_grad, ag.local_grad, ag.contribution)
                if note:
                    notes.append(note)
    return notes


def test_a_local_gradient_that_underflows_to_0_is_said():
    # ∂(1/a)/∂a = −1/a² = −1e-400 at a = 1e200: 0 in float, while torch's (-1e300)/a gives ∂/∂a = 1e-100
    notes = _backward_notes("(-1e300)/a", {"a": 1e200})
    assert len(notes) == 1 and "underflow" in notes[0] and "1e-400" in notes[0]


def test_a_product_that_underflows_or_overflows_is_said():
    under = _backward_notes("(a * 1e-200) * 1e-200", {"a": 3.0})
    assert any("underflow" in n for n in under)
    over = _backward_notes("exp(a) * 1e300", {"a": 700.0})  # upstream 1e300 × e^700 ≈ 1e304·1e300
    assert any("overflow" in n for n in over)


@pytest.mark.parametrize(
    "expression, inputs",
    [
        ("(x + y) * z", {"x": -2, "y": 5, "z": -4}),
        ("relu(x) * y", {"x": -1, "y": 2}),
        ("x * 0", {"x": 2}),
        ("exp(x) * y", {"x": -800, "y": 0}),
    ],
)
def test_ordinary_zeros_are_not_underflow(expression, inputs):
    # relu below 0, a factor 0, and exp(-800) (its value underflowed already: said in the forward pass)
    assert _backward_notes(expression, inputs) == []
