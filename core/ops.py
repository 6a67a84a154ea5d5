"""The table of operations: every gate the engine knows, in one place.

Each `Op` carries its forward function, its local-gradient function, the symbol drawn on its node
and a human formula of its local derivative for the inspector. The functions take a math namespace
`xp` as their first argument: `SCALAR_MATH` (Python's `math`, fast on floats) or `numpy` (arrays,
and the fallback where `math` raises on a domain error). One definition therefore serves the scalar
hot path, array grids and the step trace alike.

Signatures (p is the gate's parameter, e.g. the c of a `+c` gate, or None):
    unary:  forward(xp, a, p) -> out          local_grads(xp, out, a, p) -> d out/d a
    binary: forward(xp, a, b, p) -> out       local_grads(xp, out, a, b, p) -> (d out/d a, d out/d b)
Kinks and ties follow PyTorch: relu'(0) = 0, abs'(0) = 0, max/min split a tie's gradient equally;
max/min of a nan is nan on floats as on arrays (as in torch), and so are its local gradients.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


def _scalar_where(condition: Any, if_true: Any, if_false: Any) -> Any:
    return if_true if condition else if_false


def _scalar_sign(a: float) -> float:
    return float((a > 0) - (a < 0))


def _scalar_maximum(a: float, b: float) -> float:
    # Python's max(2, nan) is 2 (nan loses every comparison); numpy's and torch's maximum give nan.
    return a if a > b else b if b >= a else math.nan


def _scalar_minimum(a: float, b: float) -> float:
    return a if a < b else b if b <= a else math.nan


# The subset of numpy's names the op table uses, backed by `math` for plain floats. `math` raises on
# domain errors (log(-1), 1/0, overflow) where numpy returns nan/inf; the evaluator then falls back
# to numpy, so results always follow numpy's semantics.
SCALAR_MATH = SimpleNamespace(
    exp=math.exp,
    log=math.log,
    log1p=math.log1p,
    sqrt=math.sqrt,
    sin=math.sin,
    cos=math.cos,
    tanh=math.tanh,
    abs=abs,
    sign=_scalar_sign,
    power=math.pow,
    maximum=_scalar_maximum,
    minimum=_scalar_minimum,
    where=_scalar_where,
)


def _leaf(*_args: Any) -> Any:
    raise TypeError("an input or a constant is not computed: it has no forward or local gradient")


@dataclass(frozen=True)
class Op:
    """One kind of gate."""

    name: str
    arity: int
    symbol: str  # drawn on the node; a format string, p = the gate's parameter
    formula: str  # the local derivative, for the inspector (formatted like symbol)
    forward: Callable[..., Any] = _leaf
    local_grads: Callable[..., Any] = _leaf
    has_param: bool = False
    # The local gradients depend on the parameter only, never on the values (x+y, x−y, x+c, c·x, x/c):
    # the interpreter works them out once per graph instead of calling `local_grads` at every run.
    constant_local_grads: bool = False
    # The same forward as a two-argument function of the values alone (`operator.add` for a+b), or of
    # the value and the parameter for a one-argument gate (x+c): the interpreter calls it directly,
    # with no Python frame in between (a third of such a gate's time).
    plain: Callable[[Any, Any], Any] | None = None
    # Each argument's local gradient is the other argument (a·b): read from the values, not called.
    product: bool = False

    def label(self, param: float | None = None) -> str:
        """The symbol drawn on a node of this op."""
        return self.symbol.format(p=param) if self.has_param else self.symbol

    def derivative_formula(self, param: float | None = None) -> str:
        return self.formula.format(p=param) if self.has_param else self.formula


def _pow_grads(xp: Any, out: Any, a: Any, b: Any, p: Any) -> tuple[Any, Any]:
    # d(a^b)/db = a^b·log a; PyTorch masks it to 0 where a == 0 and b >= 0 (log 0 is -inf there).
    # PyTorch masks d(a^b)/da to 0 where b == 0 (not 0·a^-1, which is nan at a == 0).
    d_base = xp.where(b == 0, 0.0 * out, b * xp.power(a, b - 1.0))
    d_exponent = xp.where((a == 0) & (b >= 0), 0.0 * out, out * xp.log(xp.abs(a) + (a == 0)))
    d_exponent = xp.where(a < 0, math.nan * out, d_exponent)
    return d_base, d_exponent


def _reciprocal(c: float) -> float:
    # 1/0 is ±inf as numpy gives it, not a ZeroDivisionError: x/0 is a math-domain problem, not a crash.
    return 1.0 / c if c != 0 else math.copysign(math.inf, c)


def _pow_const(xp: Any, a: Any, c: float) -> Any:
    return a * a if c == 2 else xp.power(a, c)  # squares are common and a*a is twice as fast


def _pow_const_grad(xp: Any, out: Any, a: Any, c: float) -> Any:
    if c == 2:
        return 2.0 * a
    # PyTorch: the gradient of x**0 is 0 everywhere (not 0·x^-1, which is nan at 0).
    return c * xp.power(a, c - 1.0) if c != 0 else 0.0 * a


def _sigmoid(xp: Any, a: Any, p: Any) -> Any:
    return 1.0 / (1.0 + xp.exp(-a))


def _softplus(xp: Any, a: Any, p: Any) -> Any:
    # log(1 + e^a) without overflow for large a.
    return xp.maximum(a, 0.0) + xp.log1p(xp.exp(-xp.abs(a)))


def _elu(xp: Any, a: Any, alpha: float) -> Any:
    return xp.where(a > 0, a, alpha * (xp.exp(xp.minimum(a, 0.0)) - 1.0))


def _tie(a: Any, b: Any) -> Any:
    """1 where a wins, 0.5 at a tie, 0 where b wins: PyTorch's max/min gradient split."""
    return (a > b) + 0.5 * (a == b)


def _extreme_grads(xp: Any, out: Any, a_wins: Any, b_wins: Any) -> tuple[Any, Any]:
    # Where an operand is nan, max/min is nan and so is its slope: no operand "lost" (a 0 there
    # would hide the nan from every gradient upstream).
    is_nan = out != out
    return xp.where(is_nan, math.nan, a_wins), xp.where(is_nan, math.nan, b_wins)


_OPS = [
    Op("input", 0, "", "a leaf: its gradient is the answer"),
    Op("const", 0, "{p:g}", "a constant: no gradient flows into it", has_param=True),
    Op(
        "add",
        2,
        "+",
        "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1",
        lambda xp, a, b, p: a + b,
        lambda xp, out, a, b, p: (1.0, 1.0),
        constant_local_grads=True,
        plain=operator.add,
    ),
    Op(
        "sub",
        2,
        "-",
        "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1",
        lambda xp, a, b, p: a - b,
        lambda xp, out, a, b, p: (1.0, -1.0),
        constant_local_grads=True,
        plain=operator.sub,
    ),
    Op(
        "mul",
        2,
        "*",
        "∂(a·b)/∂a = b, ∂(a·b)/∂b = a",
        lambda xp, a, b, p: a * b,
        lambda xp, out, a, b, p: (b, a),
        plain=operator.mul,
        product=True,
    ),
    Op(
        "div",
        2,
        "/",
        "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²",
        lambda xp, a, b, p: a / b,
        lambda xp, out, a, b, p: (1.0 / b, -out / b),
        plain=operator.truediv,
    ),
    Op("pow", 2, "^", "∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a", lambda xp, a, b, p: xp.power(a, b), _pow_grads),
    Op(
        "max",
        2,
        "max",
        "∂max(a,b)/∂a = 1 if a > b (½ at a tie), else 0",
        lambda xp, a, b, p: xp.maximum(a, b),
        lambda xp, out, a, b, p: _extreme_grads(xp, out, _tie(a, b), _tie(b, a)),
    ),
    Op(
        "min",
        2,
        "min",
        "∂min(a,b)/∂a = 1 if a < b (½ at a tie), else 0",
        lambda xp, a, b, p: xp.minimum(a, b),
        lambda xp, out, a, b, p: _extreme_grads(xp, out, _tie(b, a), _tie(a, b)),
    ),
    Op(
        "prelu",
        2,
        "prelu",
        "∂/∂x = 1 if x > 0 else α, ∂/∂α = 0 if x > 0 else x",
        lambda xp, a, alpha, p: xp.where(a > 0, a, alpha * a),
        lambda xp, out, a, alpha, p: (xp.where(a > 0, 1.0, alpha), xp.where(a > 0, 0.0, a)),
    ),
    Op(
        "add_const",
        1,
        "{p:+g}",
        "∂(x+c)/∂x = 1",
        lambda xp, a, c: a + c,
        lambda xp, out, a, c: 1.0,
        has_param=True,
        constant_local_grads=True,
        plain=operator.add,
    ),
    Op(
        "mul_const",
        1,
        "*{p:g}",
        "∂(a·x)/∂x = a   (a = {p:g})",
        lambda xp, a, c: a * c,
        lambda xp, out, a, c: c,
        has_param=True,
        constant_local_grads=True,
        plain=operator.mul,
    ),
    Op(
        "div_const",
        1,
        "/{p:g}",
        "∂(x/c)/∂x = 1/c   (c = {p:g})",
        lambda xp, a, c: a / c,
        lambda xp, out, a, c: _reciprocal(c),
        has_param=True,
        constant_local_grads=True,
        plain=operator.truediv,
    ),
    Op("pow_const", 1, "^{p:g}", "∂(xᶜ)/∂x = c·xᶜ⁻¹   (c = {p:g})", _pow_const, _pow_const_grad, has_param=True),
    Op("recip", 1, "1/x", "∂(1/x)/∂x = −1/x²", lambda xp, a, p: 1.0 / a, lambda xp, out, a, p: -out * out),
    Op("exp", 1, "exp", "∂eˣ/∂x = eˣ", lambda xp, a, p: xp.exp(a), lambda xp, out, a, p: out),
    Op("log", 1, "log", "∂ln x/∂x = 1/x", lambda xp, a, p: xp.log(a), lambda xp, out, a, p: 1.0 / a),
    Op("sqrt", 1, "sqrt", "∂√x/∂x = 1/(2√x)", lambda xp, a, p: xp.sqrt(a), lambda xp, out, a, p: 0.5 / out),
    Op("abs", 1, "abs", "∂|x|/∂x = sign(x)   (0 at 0)", lambda xp, a, p: xp.abs(a), lambda xp, out, a, p: xp.sign(a)),
    Op("sin", 1, "sin", "∂sin x/∂x = cos x", lambda xp, a, p: xp.sin(a), lambda xp, out, a, p: xp.cos(a)),
    Op("cos", 1, "cos", "∂cos x/∂x = −sin x", lambda xp, a, p: xp.cos(a), lambda xp, out, a, p: -xp.sin(a)),
    Op(
        "tanh", 1, "tanh", "∂tanh x/∂x = 1 − tanh²x", lambda xp, a, p: xp.tanh(a), lambda xp, out, a, p: 1.0 - out * out
    ),
    Op("sigmoid", 1, "σ", "∂σ/∂x = (1 − σ(x))·σ(x)", _sigmoid, lambda xp, out, a, p: (1.0 - out) * out),
    Op(
        "relu",
        1,
        "relu",
        "∂relu/∂x = 1 if x > 0 else 0",
        lambda xp, a, p: xp.maximum(a, 0.0),
        lambda xp, out, a, p: (a > 0) * 1.0,
    ),
    Op("softplus", 1, "softplus", "∂ln(1+eˣ)/∂x = σ(x)", _softplus, lambda xp, out, a, p: _sigmoid(xp, a, p)),
    Op(
        "leaky_relu",
        1,
        "lrelu",
        "∂/∂x = 1 if x > 0 else {p:g}",
        lambda xp, a, s: xp.where(a > 0, a, s * a),
        lambda xp, out, a, s: xp.where(a > 0, 1.0, s),
        has_param=True,
    ),
    Op(
        "elu",
        1,
        "elu",
        "∂/∂x = 1 if x > 0 else α·eˣ   (α = {p:g})",
        _elu,
        lambda xp, out, a, alpha: xp.where(a > 0, 1.0, alpha * xp.exp(xp.minimum(a, 0.0))),
        has_param=True,
    ),
]

OPS: dict[str, Op] = {op.name: op for op in _OPS}
