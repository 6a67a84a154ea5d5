"""Gates the program defines, with or without their own derivative: one node per call labelled with
the gate's name, the user's derivative used when given (the engine's through the body when not),
every mistake a ParseError with line and column, and `gradcheck` naming the gates whose derivative
disagrees with finite differences of their own body."""

from __future__ import annotations

import math

import pytest

import core

SIGMOID = "mysig(a) = 1 / (1 + exp(-a))\nd mysig / d a = {derivative}\nf = mysig(w*x + b)"
POINT = {"w": 2.0, "x": -1.0, "b": 0.5}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def gates_named(graph: core.Graph, name: str) -> list[core.Node]:
    return [node for node in graph.nodes if node.fold is not None and node.fold.name == name]


def test_a_call_is_one_node_labelled_with_the_gates_name() -> None:
    g = core.parse(SIGMOID.format(derivative="out * (1 - out)"))
    (gate,) = gates_named(g, "mysig")
    assert gate.symbol == "mysig" and gate.label == "f = mysig" and gate.id == g.output
    assert [n.op for n in g.gates] == ["mul", "add", "fold"]  # w*x, + b, then the one mysig node
    assert g.inputs == ("w", "x", "b")


def test_the_right_derivative_gives_the_true_gradients() -> None:
    g = core.parse(SIGMOID.format(derivative="out * (1 - out)"))
    value, grad = g.value_and_grad(POINT)
    z = 2.0 * -1.0 + 0.5
    s = sigmoid(z)
    assert value == pytest.approx(s, rel=1e-14)
    assert grad["w"] == pytest.approx(s * (1 - s) * -1.0, rel=1e-12)
    assert grad["b"] == pytest.approx(s * (1 - s), rel=1e-12)
    check = core.gradcheck(g, POINT)
    assert check.ok and check.wrong_gates == ()


def test_the_engine_trusts_a_wrong_derivative_and_gradcheck_names_the_gate() -> None:
    g = core.parse(SIGMOID.format(derivative="out * out"))
    (gate,) = gates_named(g, "mysig")
    _, grad = g.value_and_grad(POINT)
    s = sigmoid(-1.5)
    assert grad["b"] == pytest.approx(s * s, rel=1e-12)  # the user's formula, trusted
    check = core.gradcheck(g, POINT)
    assert check.wrong_gates == (gate.id,)
    assert not check.ok and not check.inputs["b"].ok  # the inputs disagree with their differences too
    (gate_check,) = check.gates
    argument = gate_check.arguments["a"]
    assert argument.analytic == pytest.approx(s * s, rel=1e-12)
    assert argument.numeric == pytest.approx(s * (1 - s), rel=1e-6)
    assert not gate_check.ok


def test_without_a_derivative_the_engine_differentiates_the_body() -> None:
    g = core.parse("mysig(a) = 1 / (1 + exp(-a))\nf = mysig(w*x + b)")
    _, grad = g.value_and_grad(POINT)
    s = sigmoid(-1.5)
    assert grad["b"] == pytest.approx(s * (1 - s), rel=1e-12)
    check = core.gradcheck(g, POINT)
    assert check.ok and check.wrong_gates == ()


@pytest.mark.parametrize(
    ("derivatives", "wrong"),
    [("d lin / d a = b\nd lin / d b = a", False), ("d lin / d a = b\nd lin / d b = b", True), ("", False)],
)
def test_several_arguments(derivatives: str, wrong: bool) -> None:
    g = core.parse(f"lin(a, b) = a*b + 1\n{derivatives}\nf = lin(x, y) * 3")
    (gate,) = gates_named(g, "lin")
    assert len(gate.args) == 2
    r = g.evaluate({"x": 2.0, "y": 5.0})
    assert r.value == pytest.approx(33.0)
    assert r.grad["x"] == pytest.approx(15.0)
    assert r.grad["y"] == pytest.approx(2.0 * 3 if not wrong else 5.0 * 3)
    assert core.gradcheck(g, {"x": 2.0, "y": 5.0}).wrong_gates == ((gate.id,) if wrong else ())


def test_three_arguments_and_an_unused_one() -> None:
    g = core.parse("mix(a, b, c) = a*b + c*c\nunused(a, b) = b*2\nf = mix(x, y, z) + unused(x, y)")
    r = g.evaluate({"x": 2.0, "y": 3.0, "z": 4.0})
    assert r.value == pytest.approx(6 + 16 + 6)
    assert r.grad == pytest.approx({"x": 3.0, "y": 2.0 + 2.0, "z": 8.0})
    assert core.gradcheck(g, {"x": 2.0, "y": 3.0, "z": 4.0}).ok


def test_gates_may_call_earlier_gates_and_a_wrong_inner_gate_is_found() -> None:
    program = "sq(a) = a*a\nd sq / d a = {d}\nnorm(a, b) = sqrt(sq(a) + sq(b))\nf = norm(x, y) + sq(x)"
    point = {"x": 3.0, "y": 4.0}
    right = core.parse(program.format(d="2*a"))
    assert [n.symbol for n in right.gates] == ["norm", "sq", "+"]
    (norm,) = gates_named(right, "norm")
    assert [n.symbol for n in norm.fold.body.gates] == ["sq", "sq", "+", "sqrt"]
    r = right.evaluate(point)
    assert r.value == pytest.approx(5.0 + 9.0)
    assert r.grad == pytest.approx({"x": 3 / 5 + 6, "y": 4 / 5})
    assert core.gradcheck(right, point).wrong_gates == ()
    wrong = core.parse(program.format(d="a"))
    (sq,) = gates_named(wrong, "sq")
    (norm,) = gates_named(wrong, "norm")
    # norm has no derivative of its own, but through its body it uses sq's wrong one: both are listed
    assert set(core.gradcheck(wrong, point).wrong_gates) == {norm.id, sq.id}


def test_a_gate_on_constants_is_still_one_node() -> None:
    g = core.parse("double(a) = 2*a\nf = double(3) + x")
    assert [n.symbol for n in g.gates] == ["double", "+"]
    assert g.evaluate({"x": 1.0}).value == pytest.approx(7.0)


def test_a_derivative_constant_in_the_arguments() -> None:
    g = core.parse("lin(a, b) = a + 2*b\nd lin / d a = 1\nd lin / d b = 2\nf = lin(x, x*x)")
    assert g.evaluate({"x": 3.0}).grad["x"] == pytest.approx(1 + 2 * 6)
    assert core.gradcheck(g, {"x": 3.0}).wrong_gates == ()


def test_on_one_line_with_semicolons() -> None:
    g = core.parse("sq(a) = a*a; d sq / d a = 2*a; f = sq(x) + 1")
    assert g.evaluate({"x": 3.0}).grad["x"] == pytest.approx(6.0)


def test_the_trace_of_a_gate_call_reads_sensibly() -> None:
    g = core.parse(SIGMOID.format(derivative="out * (1 - out)"))
    (gate,) = gates_named(g, "mysig")
    t = g.trace(POINT)
    (forward,) = [s for s in t.forward if s.node == gate.id]
    (backward,) = [s for s in t.backward if s.node == gate.id]
    s = sigmoid(-1.5)
    assert forward.input_values == pytest.approx((-1.5,)) and forward.value == pytest.approx(s)
    assert backward.upstream_grad == 1.0
    assert backward.args[0].local_grad == pytest.approx(s * (1 - s))
    assert gate.formula == "∂mysig/∂a = out * (1 - out) (your derivative)"
    engine = core.parse("mysig(a) = 1 / (1 + exp(-a))\nf = mysig(x)")
    assert "through its body" in gates_named(engine, "mysig")[0].formula


def test_a_gate_body_is_a_graph_of_its_arguments() -> None:
    g = core.parse("lin(a, b) = b*2\nf = lin(x, y)")
    (gate,) = gates_named(g, "lin")
    assert gate.fold.body.inputs == ("a", "b") and gate.fold.defined
    assert gate.fold.body.source == "b*2"
    assert dict(gate.fold.derivative_texts) == {}


ERRORS = [
    # (program, message fragment, line, column)
    ("f(a) = f(a) + 1\ny = f(x)", "calls itself", 1, 8),
    ("g(a) = a + z\ny = g(x)", "'z' is not an argument of g", 1, 12),
    ("g(a) = a\nd g / d b = 1\ny = g(x)", "g has no argument 'b'", 2, 9),
    ("d g / d a = 1\ny = x", "no gate 'g'", 1, 3),
    ("g(a) = a\ng(b) = b\ny = g(x)", "'g' is already defined (line 1)", 2, 1),
    ("exp(a) = a\ny = exp(x)", "'exp' is a built-in function", 1, 1),
    ("g(a) = a\nd g / d a = 1\nd g / d a = 2\ny = g(x)", "given twice", 3, 1),
    ("g(a, a) = a\ny = g(x)", "argument 'a' twice", 1, 6),
    ("g(a) = a\ny = g(x)\nd g / d a = 1\nz = y + 1", "before g is first used (line 2)", 3, 1),
    ("g(a) = a\nd g / d a = q\ny = g(x)", "'q' is not an argument of g", 2, 13),
    ("g(a) = a\ny = g(x, x)", "g() takes 1 argument", 2, 5),
    ("g(a) = a", "the program has no output", 1, 1),
    ("g(out) = out\ny = g(x)", "'out'", 1, 3),
    ("y = x\ny(a) = a\nz = y(x)", "'y' is already a value", 2, 1),
    ("g(a) = a\ng = 3", "'g' is a gate", 2, 1),
    ("g(a) = a\ny = g + 1", "'g' is a gate; call it", 2, 5),
    ("g(a) = h(a)\nh(a) = a\ny = g(x)", "unknown function 'h'", 1, 8),
    ("g(a) = a\nd g / d a = g(a)\ny = g(x)", "use out", 2, 13),
    ("g(1) = 2\ny = g(x)", "argument", 1, 3),
]


@pytest.mark.parametrize(("program", "fragment", "line", "column"), ERRORS)
def test_mistakes_are_parse_errors_with_line_and_column(program: str, fragment: str, line: int, column: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(program)
    assert fragment in info.value.reason
    assert (info.value.line, info.value.column) == (line, column), info.value.reason


@pytest.mark.parametrize(
    ("gate", "call", "inlined"),
    [
        ("g(a) = a*a*a - 2*a", "g(x*y) + y", "(x*y)**3 - 2*(x*y) + y"),
        ("g(a, b) = log(a) * tanh(b) / b", "g(x, y) * x", "log(x) * tanh(y) / y * x"),
        ("g(a, b, c) = max(a, b) * c + a^2", "g(x, y, x - y)", "max(x, y) * (x - y) + x^2"),
        (
            "g(a) = sigmoid(a) + relu(a - 1)",
            "g(g(x)) * y",
            "(sigmoid(sigmoid(x) + relu(x - 1)) + relu(sigmoid(x) + relu(x - 1) - 1)) * y",
        ),
    ],
)
def test_a_gate_computes_what_its_body_inlined_computes(gate: str, call: str, inlined: str) -> None:
    g, h = core.parse(f"{gate}\nf = {call}"), core.parse(inlined)
    assert sum(1 for n in g.gates if n.fold is not None) == call.count("g(")
    for point in ({"x": 0.7, "y": 1.3}, {"x": 2.5, "y": 0.4}):
        point = {k: v for k, v in point.items() if k in g.inputs}
        (value, grad), (expected, expected_grad) = g.value_and_grad(point), h.value_and_grad(point)
        assert value == pytest.approx(expected, rel=1e-12)
        assert grad == pytest.approx(expected_grad, rel=1e-10)
        check = core.gradcheck(g, point)
        assert check.ok and check.wrong_gates == () and len(check.gates) == call.count("g(")


def test_a_fold_of_the_graphs_own_gates_is_not_a_gate_to_check() -> None:
    g = core.parse("sq(a) = a*a\nf = sq(x) * exp(x)")
    folded = core.collapse(g, [n.id for n in g.gates], name="h")
    assert core.gradcheck(folded, {"x": 0.5}).gates == ()
    assert [c.name for c in core.gradcheck(g, {"x": 0.5}).gates] == ["sq"]
