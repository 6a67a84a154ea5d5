"""The op table: every op's local gradient against central finite differences of its forward function,
scalar (`math`) and numpy namespaces agreeing, PyTorch's conventions at kinks, and random expressions
against `core.gradcheck`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import core
from core.ops import OPS, SCALAR_MATH, Op

GATES = sorted(name for name in OPS if name not in ("input", "const"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _real(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _away_from_zero(bound: float, margin: float) -> st.SearchStrategy[float]:
    return _real(-bound, bound).filter(lambda v: abs(v) > margin)


ANY = _real(-5.0, 5.0)
KINKED = _away_from_zero(5.0, 1e-3)  # relu, abs, leaky_relu, elu, prelu have a kink at 0
NONZERO = _away_from_zero(5.0, 0.1)  # divisors
POSITIVE = _real(0.05, 10.0)  # log, sqrt, pow's base
NO_PARAM = st.none()

# For every gate: a strategy for its argument tuple and one for its parameter.
DOMAINS: dict[str, tuple[st.SearchStrategy[tuple[float, ...]], st.SearchStrategy[Any]]] = {
    "add": (st.tuples(ANY, ANY), NO_PARAM),
    "sub": (st.tuples(ANY, ANY), NO_PARAM),
    "mul": (st.tuples(ANY, ANY), NO_PARAM),
    "div": (st.tuples(ANY, NONZERO), NO_PARAM),
    "pow": (st.tuples(POSITIVE, _real(-3.0, 3.0)), NO_PARAM),
    "max": (st.tuples(ANY, ANY).filter(lambda ab: abs(ab[0] - ab[1]) > 1e-3), NO_PARAM),
    "min": (st.tuples(ANY, ANY).filter(lambda ab: abs(ab[0] - ab[1]) > 1e-3), NO_PARAM),
    "prelu": (st.tuples(KINKED, _real(-1.0, 1.0)), NO_PARAM),
    "add_const": (st.tuples(ANY), _real(-5.0, 5.0)),
    "mul_const": (st.tuples(ANY), _real(-5.0, 5.0)),
    "div_const": (st.tuples(ANY), NONZERO),
    "pow_const": (st.tuples(POSITIVE), _real(-3.0, 3.0)),
    "recip": (st.tuples(NONZERO), NO_PARAM),
    "exp": (st.tuples(ANY), NO_PARAM),
    "log": (st.tuples(POSITIVE), NO_PARAM),
    "sqrt": (st.tuples(POSITIVE), NO_PARAM),
    "abs": (st.tuples(KINKED), NO_PARAM),
    "sin": (st.tuples(ANY), NO_PARAM),
    "cos": (st.tuples(ANY), NO_PARAM),
    "tanh": (st.tuples(ANY), NO_PARAM),
    "sigmoid": (st.tuples(_real(-20.0, 20.0)), NO_PARAM),
    "relu": (st.tuples(KINKED), NO_PARAM),
    "softplus": (st.tuples(_real(-20.0, 20.0)), NO_PARAM),
    "leaky_relu": (st.tuples(KINKED), _real(0.0, 1.0)),
    "elu": (st.tuples(KINKED), _real(0.1, 2.0)),
}


def _forward(op: Op, xp: Any, args: tuple[Any, ...], p: Any) -> Any:
    return op.forward(xp, *args, p)


def _local_grads(op: Op, xp: Any, args: tuple[Any, ...], p: Any) -> tuple[Any, ...]:
    out = _forward(op, xp, args, p)
    grads = op.local_grads(xp, out, *args, p)
    return (grads,) if op.arity == 1 else tuple(grads)


def test_every_gate_has_a_domain_here() -> None:
    assert set(DOMAINS) == set(GATES)  # a new op must get a finite-difference check


@pytest.mark.parametrize("name", GATES)
def test_local_grads_match_central_differences(name: str) -> None:
    op = OPS[name]
    args_strategy, param_strategy = DOMAINS[name]

    @SETTINGS
    @given(args=args_strategy, p=param_strategy)
    def check(args: tuple[float, ...], p: Any) -> None:
        assert len(args) == op.arity
        analytic = _local_grads(op, np, tuple(np.float64(a) for a in args), p)
        for k, a in enumerate(args):
            h = 1e-6 * max(1.0, abs(a))
            up = list(args)
            down = list(args)
            up[k], down[k] = a + h, a - h
            f_up = float(_forward(op, np, tuple(np.float64(v) for v in up), p))
            f_down = float(_forward(op, np, tuple(np.float64(v) for v in down), p))
            numeric = (f_up - f_down) / (2 * h)
            scale = max(1.0, abs(float(_forward(op, np, tuple(np.float64(v) for v in args), p))))
            assert float(analytic[k]) == pytest.approx(numeric, rel=1e-5, abs=1e-6 * scale), (name, args, p, k)

    check()


@pytest.mark.parametrize("name", GATES)
def test_scalar_and_numpy_namespaces_agree(name: str) -> None:
    op = OPS[name]
    args_strategy, param_strategy = DOMAINS[name]

    @SETTINGS
    @given(args=args_strategy, p=param_strategy)
    def check(args: tuple[float, ...], p: Any) -> None:
        scalar_out = _forward(op, SCALAR_MATH, args, p)
        scalar_grads = _local_grads(op, SCALAR_MATH, args, p)
        array_out = _forward(op, np, tuple(np.array([a, a]) for a in args), p)
        array_grads = _local_grads(op, np, tuple(np.array([a, a]) for a in args), p)
        assert isinstance(float(scalar_out), float)
        np.testing.assert_allclose(np.broadcast_to(array_out, (2,)), [scalar_out] * 2, rtol=1e-9, atol=1e-14)
        for s, arr in zip(scalar_grads, array_grads):
            np.testing.assert_allclose(np.broadcast_to(arr, (2,)), [float(s)] * 2, rtol=1e-9, atol=1e-14)

    check()


# ---- PyTorch's conventions at kinks and ties ----


@pytest.mark.parametrize(
    "name, args, p, expected",
    [
        ("relu", (0.0,), None, (0.0,)),
        ("abs", (0.0,), None, (0.0,)),
        ("leaky_relu", (0.0,), 0.2, (0.2,)),  # torch: x > 0 ? 1 : slope
        ("elu", (0.0,), 0.5, (0.5,)),  # torch: x > 0 ? 1 : α·eˣ
        ("prelu", (0.0, 0.25), None, (0.25, 0.0)),  # torch: x > 0 ? 1 : α, and ∂/∂α = x (0 here)
        ("max", (1.5, 1.5), None, (0.5, 0.5)),
        ("min", (-2.0, -2.0), None, (0.5, 0.5)),
        ("max", (2.0, 1.0), None, (1.0, 0.0)),
        ("min", (2.0, 1.0), None, (0.0, 1.0)),
        ("pow_const", (0.0,), 0.0, (0.0,)),  # torch: d(x**0)/dx = 0, not 0·x⁻¹
        ("pow", (0.0, 2.0), None, (0.0, 0.0)),  # torch masks d/db at a == 0, b >= 0
        ("pow", (0.0, 0.0), None, (0.0, 0.0)),  # and d/da where b == 0
    ],
)
@pytest.mark.parametrize("namespace", ["scalar", "numpy"])
def test_kinks_follow_pytorch(
    name: str, args: tuple[float, ...], p: Any, expected: tuple[float, ...], namespace: str
) -> None:
    op = OPS[name]
    if namespace == "numpy":
        with np.errstate(all="ignore"):
            grads = _local_grads(op, np, tuple(np.float64(a) for a in args), p)
    else:
        try:
            grads = _local_grads(op, SCALAR_MATH, args, p)
        except (ArithmeticError, ValueError):
            pytest.skip("math raises here; the evaluator falls back to numpy")
    assert tuple(float(g) for g in grads) == expected


# ---- symbols and formulas ----


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_a_symbol_and_a_formula(name: str) -> None:
    op = OPS[name]
    assert op.name == name
    assert op.formula.strip()
    param = 0.5 if op.has_param else None
    assert op.derivative_formula(param).strip()
    assert "{" not in op.derivative_formula(param)
    if name == "input":
        assert core.parse("x").nodes[0].symbol == "x"  # an input is drawn with its name
        return
    assert op.label(param).strip()
    assert "{" not in op.label(param)
    if name != "const":
        assert op.forward is not None and op.local_grads is not None
        assert op.arity in (1, 2)


def test_gate_symbols_read_like_the_lecture() -> None:
    assert OPS["add_const"].label(1.0) == "+1"
    assert OPS["add_const"].label(-2.5) == "-2.5"
    assert OPS["mul_const"].label(-1.0) == "*-1"
    assert OPS["recip"].label() == "1/x"
    assert OPS["sigmoid"].label() == "σ"
    assert OPS["const"].label(3.0) == "3"


# ---- random expressions against finite differences ----

LEAF = st.one_of(
    st.sampled_from(["x", "y", "z"]),
    _real(-3.0, 3.0).map(lambda c: f"({c:.3g})"),
)
UNARY = [
    "sin({})",
    "cos({})",
    "tanh({})",
    "sigmoid({})",
    "softplus({})",
    "exp(tanh({}))",
    "log(1 + ({})^2)",
    "sqrt(2 + sin({}))",
    "1/(2 + cos({}))",
    "({})^2",
    "({})**3",
    "-({})",
    "(2 + sin({}))**(cos({}))",
    "({}) / (1.5 + sin({}))",
    "max({}, 10)",
    "min({}, -10)",
]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    unary = st.tuples(st.sampled_from(UNARY), children).map(lambda t: t[0].replace("{}", t[1]))
    return st.one_of(binary, unary)


EXPRESSIONS = st.recursive(LEAF, _combine, max_leaves=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=EXPRESSIONS, x=_real(-2.0, 2.0), y=_real(-2.0, 2.0), z=_real(-2.0, 2.0))
def test_random_expressions_agree_with_finite_differences(text: str, x: float, y: float, z: float) -> None:
    g = core.parse(text)
    assume(g.inputs)
    point = {"x": x, "y": y, "z": z}
    value = g.evaluate(point).value
    check = core.gradcheck(g, point)
    assert set(check.inputs) == set(g.inputs)
    for _name, item in check.inputs.items():
        if not (math.isfinite(item.analytic) and math.isfinite(item.numeric) and math.isfinite(value)):
            continue
        # Below the finite difference's round-off floor (~ε·|f|/h) a relative error means nothing.
        noise = 1e-6 * max(1.0, abs(value))
        assert item.rel_error < 1e-5 or abs(item.analytic - item.numeric) < noise, (text, point, item)


def test_gradcheck_on_a_known_gradient() -> None:
    g = core.parse("x*y + sin(x)")
    good = core.gradcheck(g, {"x": 0.7, "y": -1.3})
    assert good.ok and good.max_rel_error < 1e-7
    assert good.inputs["x"].analytic == pytest.approx(-1.3 + math.cos(0.7))


@pytest.mark.parametrize("base, exponent", [(-2.0, 3.0), (-0.5, 2.0), (-8.0, 1.0 / 3.0)])
def test_pow_gradient_wrt_the_exponent_is_nan_for_a_negative_base(base: float, exponent: float) -> None:
    # d(aᵇ)/db = aᵇ·ln a, and ln a is not real for a < 0 (PyTorch gives nan too), even where aᵇ is.
    g = core.parse("x ** y")
    r = g.evaluate({"x": base, "y": exponent})
    assert math.isnan(r.grad["y"])
    grid = g.evaluate({"x": np.array([base, 2.0]), "y": np.array([exponent, exponent])})
    assert math.isnan(grid.grad["y"][0]) and grid.grad["y"][1] == pytest.approx(2.0**exponent * math.log(2.0))
    (step,) = g.trace({"x": base, "y": exponent}).backward
    assert math.isnan(step.args[1].local_grad) and not step.finite


@pytest.mark.parametrize("name", sorted(name for name in GATES if OPS[name].plain is not None or OPS[name].product))
def test_an_ops_plain_operator_and_product_rule_agree_with_its_forward_and_local_grads(name: str) -> None:
    # The interpreter calls `plain` instead of `forward` and reads a product's local gradients from
    # the values instead of calling `local_grads`: the two must be the same function, bit for bit.
    op = OPS[name]
    grid = np.array([-2.5, -0.3, 0.7, 3.0])
    for a, b in [(1.7, -0.4), (-3.0, 2.5), (grid, grid[::-1])]:
        xp = SCALAR_MATH if isinstance(a, float) else np
        p = 0.75 if op.has_param else None
        expected = op.forward(xp, a, p) if op.arity == 1 else op.forward(xp, a, b, p)
        if op.plain is not None:
            got = op.plain(a, p) if op.arity == 1 else op.plain(a, b)
            np.testing.assert_array_equal(got, expected)
        if op.product:
            np.testing.assert_array_equal(op.local_grads(xp, expected, a, b, p), (b, a))
