"""The parser: a table of invalid inputs (each a `ParseError` saying what and where), the valid forms,
constant folding into the lecture's gates, and the graph's structure."""

from __future__ import annotations

import math
import sys
import threading

import networkx as nx
import pytest

import core
from core.language import FUNCTIONS

# (text, a word the message must contain, 1-based column, line)
INVALID = [
    ("x.y", "attribute", 1, 1),
    ("x + exp(y).real", "attribute", 5, 1),
    ("x[0]", "subscript", 1, 1),
    ("2 * x[1:2]", "subscript", 5, 1),
    ("x < y", "comparison", 1, 1),
    ("x == 1", "comparison", 1, 1),
    ("'abc'", "string", 1, 1),
    ("x + 'a'", "string", 5, 1),
    ("lambda x: x", "lambda", 1, 1),
    ("[x for x in y]", "comprehension", 1, 1),
    ("sum(x for x in y)", "unknown function", 1, 1),
    ("foo(x)", "unknown function 'foo'", 1, 1),
    ("x^2 + foo(1)", "unknown function 'foo'", 7, 1),  # `^` became `**`: columns still the user's
    ("x^2^2 + y^3 * bar(1)", "unknown function 'bar'", 15, 1),
    ("exp(x, y)", "takes 1 argument", 1, 1),
    ("max(x)", "takes 2 arguments", 1, 1),
    ("2 + min(x, y, z)", "takes 2 arguments", 5, 1),
    ("prelu(x)", "takes 2 arguments", 1, 1),
    ("x % y", "'%'", 3, 1),
    ("x // y", "'//'", 3, 1),
    ("x @ y", "'@'", 3, 1),
    ("x^2 % y", "'%'", 5, 1),
    ("(x + y) | z", "'|'", 9, 1),
    ("import os", "import", 1, 1),
    ("x\x00", "null byte", 2, 1),
    ("", "empty", 1, 1),
    ("   \n  ", "empty", 1, 1),
    ("x +", "syntax", 4, 1),
    ("(x + y", "never closed", 1, 1),
    ("x + y)", "unmatched", 6, 1),
    ("x += 1", "+=", 1, 1),
    ("a = b = x", "one plain name", 1, 1),
    ("a, b = x, y", "one plain name", 1, 1),
    ("True", "bool", 1, 1),
    ("x * False", "bool", 5, 1),
    ("x + 1j", "complex", 5, 1),
    ("elu(x, beta=1)", "no parameter 'beta'", 1, 1),
    ("exp(x, alpha=1)", "no parameter 'alpha'", 1, 1),
    ("leaky_relu(x, slope=y)", "must be a number", 1, 1),
    ("exp + 1", "is a function", 1, 1),
    ("exp = x + 1", "function name", 1, 1),
    ("x if y else z", "if", 1, 1),
    ("x and y", "and", 1, 1),
    ("not x", "not", 1, 1),
    ("(x, y)", "tuple", 1, 1),
    ("{x: y}", "dict", 1, 1),
    ("None", "NoneType", 1, 1),
    ("x.exp()", "known functions", 1, 1),
    ("x; y", "last line", 1, 1),
    ("exp(*x)", "unpacking", 5, 1),
    ("q = x + y\nf = q.real * z", "attribute", 5, 2),
    ("q = x + y\n\nf = q * foo(z)", "unknown function 'foo'", 9, 3),
    ("q = x + y\nf = q *", "syntax", 8, 2),
    ("q = x\nimport sys\nf = q", "import", 1, 2),
    ("q = x + y\nq += 1\nq", "+=", 1, 2),
    ("9" * 5000, "too many digits", 1, 1),
    ("x + " + "9" * 5000, "too many digits", 5, 1),
]


@pytest.mark.parametrize("text, keyword, column, line", INVALID, ids=[repr(t[:24]) for t, *_ in INVALID])
def test_invalid_input_is_a_parse_error_saying_what_and_where(text: str, keyword: str, column: int, line: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert keyword.lower() in str(error).lower()
    assert (error.line, error.column) == (line, column)
    assert error.position == error.column
    if line > 1:
        assert f"line {line}" in str(error)
    assert f"column {column}" in str(error)


def test_the_table_is_large_enough() -> None:
    assert len(INVALID) >= 30


def test_unknown_function_lists_the_known_ones() -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse("foo(x)")
    for name in FUNCTIONS:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 300 + "x" + ")" * 300,
        "-" * 100_000 + "x",
        "exp(" * 1000 + "x" + ")" * 1000,
        "x" + "**x" * 100_000,
        "[" * 5000,
    ],
)
def test_deep_nesting_is_a_parse_error_not_a_recursion_error(text: str) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert "nested" in str(info.value) or "syntax" in str(info.value) or "too" in str(info.value)


def test_too_long_text_is_a_parse_error() -> None:
    with pytest.raises(core.ParseError, match="too long"):
        core.parse("x+" * 1_500_000 + "x")


def test_long_flat_sums_still_parse() -> None:
    g = core.parse(" + ".join(["x"] * 5000))
    assert g.evaluate({"x": 1.0}).grad == {"x": 5000.0}


def test_non_text_is_a_parse_error() -> None:
    with pytest.raises(core.ParseError, match="expected text"):
        core.parse(3)  # type: ignore[arg-type]


# ---- valid forms ----


@pytest.mark.parametrize(
    "text, value",
    [
        ("2", 2.0),
        ("-3.5", -3.5),
        ("1e-3", 1e-3),
        ("2.5e2", 250.0),
        ("+4", 4.0),
        ("0.5 * 4 ^ 2", 8.0),
        ("2 ** -1", 0.5),
        ("-2 ** 2", -4.0),
    ],
)
def test_numbers(text: str, value: float) -> None:
    g = core.parse(text)
    assert g.inputs == ()
    assert g.evaluate({}).value == pytest.approx(value)


@pytest.mark.parametrize(
    "caret, stars", [("x^2", "x**2"), ("x^y", "x**y"), ("(x+1)^-0.5", "(x+1)**-0.5"), ("2^x^2", "2**x**2")]
)
def test_caret_is_power(caret: str, stars: str) -> None:
    a, b = core.parse(caret), core.parse(stars)
    assert [(n.op, n.args, n.params) for n in a.nodes] == [(n.op, n.args, n.params) for n in b.nodes]
    point = dict.fromkeys(a.inputs, 1.3)
    assert a.evaluate(point).value == b.evaluate(point).value


@pytest.mark.parametrize(
    "text",
    [
        "q = x + y\nf = q * z",
        "q = x + y; f = q * z",
        "q = x + y;\nf = q * z;",
        "# the circuit\nq = x + y  # add\n\nf = q * z  # multiply\n",
        "q = x + y\nq * z",
        "  q = x + y\n  f = q * z",
    ],
)
def test_programs(text: str) -> None:
    g = core.parse(text)
    r = g.evaluate({"x": -2, "y": 5, "z": -4})
    assert (r.value, r.grad) == (-12.0, {"x": -4.0, "y": -4.0, "z": 3.0})
    assert [n.name for n in g.nodes if n.op == "add"] == ["q"]


def test_names_can_be_reassigned_in_a_program() -> None:
    g = core.parse("a = x * 2\na = a + 1\na")
    assert g.evaluate({"x": 3.0}).value == 7.0


@pytest.mark.parametrize(
    "text, symbols",
    [
        ("3 + x", ["+3"]),
        ("x + 3", ["+3"]),
        ("x - 3", ["-3"]),
        ("3 - x", ["*-1", "+3"]),
        ("x * 3", ["*3"]),
        ("3 * x", ["*3"]),
        ("-(x)", ["*-1"]),
        ("-x", ["*-1"]),
        ("1/(x)", ["1/x"]),
        ("2/x", ["1/x", "*2"]),
        ("x/4", ["/4"]),
        ("x^2", ["^2"]),
        ("1 + exp(-x)", ["*-1", "exp", "+1"]),
        ("2 * 3 + x", ["+6"]),  # constants fold among themselves first
        ("x * y", ["*"]),
        ("sigmoid(x)", ["σ"]),
    ],
)
def test_constants_fold_into_gates(text: str, symbols: list[str]) -> None:
    g = core.parse(text)
    assert [n.symbol for n in g.gates] == symbols
    assert not [n for n in g.nodes if n.op == "const"]


def test_an_unfoldable_constant_is_a_node() -> None:
    g = core.parse("max(x, 0)")
    assert [n.op for n in g.nodes] == ["input", "const", "max"]
    assert g.nodes[1].symbol == "0"


@pytest.mark.parametrize(
    "text, x, value, grad",
    [
        ("leaky_relu(x, slope=0.2)", -2.0, -0.4, 0.2),
        ("leaky_relu(x, 0.2)", -2.0, -0.4, 0.2),
        ("leaky_relu(x)", -2.0, -0.02, 0.01),
        ("elu(x, alpha=0.5)", -1.0, 0.5 * (math.exp(-1.0) - 1.0), 0.5 * math.exp(-1.0)),
        ("elu(x)", 3.0, 3.0, 1.0),
    ],
)
def test_keyword_parameters(text: str, x: float, value: float, grad: float) -> None:
    r = core.parse(text).evaluate({"x": x})
    assert r.value == pytest.approx(value)
    assert r.grad["x"] == pytest.approx(grad)


def test_leaky_relu_slope_is_the_gate_parameter() -> None:
    (gate,) = core.parse("leaky_relu(a, slope=0.2)").gates
    assert gate.param == 0.2 and gate.op == "leaky_relu"


def test_prelu_alpha_as_a_variable_gets_a_gradient() -> None:
    g = core.parse("prelu(a, alpha)")
    assert g.inputs == ("a", "alpha")
    r = g.evaluate({"a": -3.0, "alpha": 0.25})
    assert r.value == -0.75
    assert r.grad == {"a": 0.25, "alpha": -3.0}  # backprop into α: ∂/∂α = a for a < 0
    r = g.evaluate({"a": 2.0, "alpha": 0.25})
    assert r.grad == {"a": 1.0, "alpha": 0.0}


def test_inputs_in_order_of_first_appearance() -> None:
    assert core.parse("z * (b + a) + exp(z) * y").inputs == ("z", "b", "a", "y")
    assert core.parse("q = w * v\nf = q + u + w").inputs == ("w", "v", "u")


def test_dead_lines_are_dropped() -> None:
    g = core.parse("dead = exp(t) * 5\nq = x + y\nunused = q * 7\nf = q * z")
    assert g.inputs == ("x", "y", "z")
    assert [n.name for n in g.nodes] == ["x", "y", "q", "z", "f"]
    assert g.output == len(g.nodes) - 1


def test_nodes_are_topological_with_dense_ids() -> None:
    g = core.parse("a = x*y + sin(x)\nb = a*a - y\nb / (1 + a^2)")
    assert [n.id for n in g.nodes] == list(range(len(g.nodes)))
    for node in g.nodes:
        assert all(arg < node.id for arg in node.args)


def test_to_networkx_has_the_same_ids_and_edges_from_argument_to_user() -> None:
    g = core.parse("q = x + y\nf = q * z + x")
    d = g.to_networkx()
    assert isinstance(d, nx.DiGraph)
    assert set(d.nodes) == {n.id for n in g.nodes}
    expected = {(arg, n.id) for n in g.nodes for arg in n.args}
    assert set(d.edges) == expected
    assert nx.is_directed_acyclic_graph(d)
    assert [v for v in d.nodes if d.out_degree(v) == 0] == [g.output]
    assert {v for v in d.nodes if d.in_degree(v) == 0} == {n.id for n in g.nodes if n.is_leaf}
    for node in g.nodes:
        assert d.nodes[node.id]["op"] == node.op


def test_x_times_x_is_one_edge_in_networkx() -> None:
    g = core.parse("x * x")
    assert list(g.to_networkx().edges) == [(0, 1)]
    assert g.users == {0: (1,), 1: ()}


def test_unicode_names_report_character_columns() -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse("é + ü * foo(1)")
    assert info.value.column == 9


def test_too_many_digits_on_a_later_line_points_at_the_number() -> None:
    with pytest.raises(core.ParseError, match="too many digits") as info:
        core.parse("q = x^2\nf = q * " + "7" * 5000)
    assert (info.value.line, info.value.column) == (2, 9)


# ---- long and deep programs, without touching the process-wide recursion limit ----


@pytest.fixture
def fixed_recursion_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing may run in a worker thread: changing the recursion limit there would race with the GUI."""

    def refuse(limit: int) -> None:
        raise AssertionError(f"parse() changed the recursion limit to {limit}")

    monkeypatch.setattr(sys, "setrecursionlimit", refuse)


@pytest.mark.parametrize(
    "text, value, grad",
    [
        ("+".join(["x"] * 20_000), 20_000.0, 20_000.0),  # ast alone gives up near 3,000 terms
        ("q = " + " - ".join(["x"] * 10_001) + "; q * 2", -19_998.0, -19_998.0),
        ("x" + " - -x" * 5_000, 5_001.0, 5_001.0),  # `- -x`: one binary minus, one unary
        ("1e-3*x + " + " + ".join(["x"] * 5_000), 5_000.001, 5_000.001),  # 1e-3 holds a `-` that is no operator
        ("*".join(["x"] * 6_000), 1.0, 6_000.0),
        ("+".join(["x"] * 5_000) + ";  # a trailing ; and a comment", 5_000.0, 5_000.0),
    ],
)
def test_long_chains_parse_without_raising_the_recursion_limit(
    text: str, value: float, grad: float, fixed_recursion_limit: None
) -> None:
    r = core.parse(text).evaluate({"x": 1.0})
    assert r.value == pytest.approx(value) and r.grad["x"] == pytest.approx(grad)


def test_a_long_chain_folds_left_like_a_short_one() -> None:
    short, long = "x - y - 2 + x*y", "-".join(["x"] * 4_000)
    assert [n.op for n in core.parse(short).nodes] == ["input", "input", "sub", "add_const", "mul", "add"]
    x, first, *rest = core.parse(long).nodes
    assert first.args == (x.id, x.id) and all(n.op == "sub" for n in rest)
    assert all(n.args == (n.id - 1, x.id) for n in rest)  # ((x − x) − x) − …, not x − (x − …)


@pytest.mark.parametrize(
    "text, keyword, column",
    [
        ("+".join(["x"] * 5_000) + " + foo(x)", "unknown function 'foo'", 10_003),
        ("+".join(["x"] * 5_000) + " % y", "'%'", 10_001),
        ("+".join(["x"] * 5_000) + " +", "syntax", 10_002),
        ("(" * 300 + "x" + ")" * 300, "nested too deeply", 201),  # where the 201st bracket opens
        ("-" * 100_000 + "x", "nested too deeply", 1),
        ("x" + "**x" * 100_000, "nested too deeply", 1),
        ("y + (" + "+".join(["x"] * 5_000) + ")", "nested too deeply", 5),  # inside brackets: not cut
    ],
)
def test_too_deep_or_wrong_long_input_is_a_parse_error_with_a_column(
    text: str, keyword: str, column: int, fixed_recursion_limit: None
) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert keyword in str(info.value) and info.value.column == column


def test_a_deep_program_in_a_worker_thread_is_a_parse_error_not_a_crash() -> None:
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(len(core.parse("+".join(["x"] * 10_000)).nodes))
            core.parse("-" * 100_000 + "x")
        except core.ParseError as e:
            outcome.append(e.reason)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert outcome == [10_000, "the expression is nested too deeply for the parser"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_are_newlines(newline: str) -> None:
    text = "q = x + y\nf = q * z\nf"
    assert [n.label for n in core.parse(text.replace("\n", newline)).nodes] == [n.label for n in core.parse(text).nodes]
    with pytest.raises(core.ParseError) as info:
        core.parse(newline.join(["q = x + y", "f = q * foo(z)"]))
    assert (info.value.line, info.value.column) == (2, 9)


# ---- pinned details a refactoring could break ----


@pytest.mark.parametrize(
    "text, column",
    [
        ("x + * y", 5),  # the `*` that cannot start an operand
        ("x^2 + * y", 7),  # `^` is `**` for ast: one character more, yet the user's column
        ("    x + * y", 9),  # indentation is stripped for ast, yet counted in the column
        ("q = x\nq + * y", 5),
    ],
)
def test_a_syntax_error_points_at_the_exact_character(text: str, column: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert info.value.column == column
    assert text.split("\n")[info.value.line - 1][column - 1] == "*"  # 1-based: the character itself
    assert str(info.value).endswith(f"column {column}")


@pytest.mark.parametrize("text, column", [("~x", 1), ("x * ~y", 5), ("2 ** ~x", 6)])
def test_bitwise_not_is_rejected_not_read_as_minus(text: str, column: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert "'~'" in str(info.value) and info.value.column == column


# ---- nan and inf, and characters Python cannot read ----


@pytest.mark.parametrize(
    "text, column, line",
    [("x * inf", 5, 1), ("nan", 1, 1), ("q = x\nf = q + NaN", 9, 2), ("inf = x", 1, 1), ("exp(-Infinity)", 6, 1)],
)
def test_nan_and_inf_are_refused_not_made_inputs(text: str, column: int, line: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert "are not numbers you can type" in info.value.reason
    assert (info.value.line, info.value.column) == (line, column)


def test_names_that_only_contain_nan_or_inf_are_still_names() -> None:
    assert core.parse("info * nanny + x_inf").inputs == ("info", "nanny", "x_inf")


@pytest.mark.parametrize(
    "text, line, column", [("x\ud800", 1, 2), ("x + \udfff * y", 1, 5), ("q = x\nf = q\ud83d", 2, 6)]
)
def test_a_lone_surrogate_is_an_invalid_character_at_its_column(text: str, line: int, column: int) -> None:
    with pytest.raises(core.ParseError) as info:
        core.parse(text)
    assert "invalid character" in info.value.reason and "U+D" in info.value.reason
    assert (info.value.line, info.value.column) == (line, column)
