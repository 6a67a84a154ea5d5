"""Hostile text: whatever is typed, `core.parse` gives a graph or a `ParseError`, and a graph evaluates
and traces at any numbers without an exception (nan and inf are results, never crashes)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import core

# Pieces of the language and of what breaks it: line ends of every system, tabs, unicode that
# Python normalises or refuses, surrogates, numbers too big or too small for a float, comments.
FRAGMENTS = [
    *["x", "y", "q", "f", "é", "σ", "ℌ", "x_1", "_"],
    *[" = ", "=", "+", "-", "*", "/", "**", "^", "(", ")", ",", ";", ".", "#", "\\", "~", "%", "'", ":"],
    *["\n", "\r", "\r\n", "\t", " ", "    ", "\u00a0", "\u2028", "\x0c", "\ud800", "\x00"],
    *["exp(", "log(", "sqrt(", "max(", "min(", "leaky_relu(", "prelu(", "slope=", "sigmoid("],
    *["0", "1", "2.5", "1e308", "1e309", "1e-320", "-0.0", "9" * 400, "1_000", "0x1f", "1j", "nan", "inf"],
]
NOISE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=14).map("".join)
# Programs that mostly parse, so that evaluation sees hostile numbers and line ends too.
SPACE = st.sampled_from(["", " ", "\t", " \t "])
LEAF = st.sampled_from(["x", "y", "é", "0", "2.5", "1e308", "1e309", "1e-320", "9" * 400, "(-1)"])
EXPRESSION = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b, s: f"{a}{s}{op}{s}{b}", inner, st.sampled_from("+-*/^"), inner, SPACE),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["exp", "log", "sqrt", "tanh", "relu", "-"]), inner),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["max", "min", "prelu"]), inner, inner),
    ),
    max_leaves=8,
)
NEWLINE = st.sampled_from(["\n", "\r", "\r\n", "  # a comment\n"])
PROGRAM = st.builds(
    lambda first, newline, second: f"q = {first}{newline}q * ({second})", EXPRESSION, NEWLINE, EXPRESSION
)
TEXT = st.one_of(NOISE, EXPRESSION, PROGRAM)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, 1e200]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, numbers=st.lists(NUMBER, min_size=1, max_size=4))
@example(text="a = x\rb = foo(a)", numbers=[1.0])
@example(text="\r1,", numbers=[1.0])
@example(text="x\ud800", numbers=[1.0])
@example(text="q = x\r\n\tf = q * 1e309\r\nf + y", numbers=[1e308, -1e308])
@example(text="max(x, log(-1)) + min(x, y*y - y*y)", numbers=[2.0, 1e200])
@example(text="tanh(x-(-1))", numbers=[0.5])
def test_any_text_parses_or_is_a_parse_error_and_any_graph_evaluates(text: str, numbers: list[float]) -> None:
    try:
        graph = core.parse(text)
    except core.ParseError as e:
        assert e.line >= 1 and e.column >= 1
        return
    inputs = {name: numbers[k % len(numbers)] for k, name in enumerate(graph.inputs)}
    result = graph.evaluate(inputs)
    assert set(result.grad) == set(graph.inputs)
    assert len(result.values) == len(result.grads) == len(graph.nodes)
    steps = graph.trace(inputs)
    assert len(steps.forward) == len(graph.gates)
    if graph.inputs:
        on_grid = graph.evaluate({name: np.array([v, 0.5]) for name, v in inputs.items()})
        # The same nan/inf pattern; finite values to the last bits (math.tanh and numpy's tanh can
        # differ by one ulp: tanh(x+1) at 0.5).
        np.testing.assert_allclose(on_grid.value[0], result.value, rtol=1e-14, atol=0, equal_nan=True)
