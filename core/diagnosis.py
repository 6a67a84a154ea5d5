"""Where a nan or an inf began: a recorder that watches the interpreter's two loops.

An origin is a node whose own result is not finite although every number it received was:
- forward (`where == "value"`): a gate whose value is nan/inf while its arguments (and its parameter)
  are finite, or a leaf that is nan/inf itself (an input set to nan, a constant typed too large);
- backward (`where == "gradient"`): a gate whose contribution local gradient × upstream (or the sum at
  a fan-out it adds to) is nan/inf while it received a finite upstream gradient and its own value and
  its arguments' values were finite. A gate whose value was already nan is not blamed again for the
  gradient that follows from it.
Every other non-finite node got its nan from an argument: it is in `Result.nonfinite`, not here.
Forward origins come in topological order, then backward ones in the order the backward pass meets
them. On a grid, a node is an origin where it is one at some point; the message gives the first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.graph import Graph, Node
from core.interpreter import Sent

Where = Literal["value", "gradient"]
LARGEST = "1.8e308"  # the largest float, for messages

# The gates whose local gradient divides by an argument (or by the gate's value) that may be 0.
_POLES = {"div", "recip", "log", "sqrt", "pow", "pow_const", "div_const"}


@dataclass(frozen=True)
class Problem:
    """One origin of a nan or an inf: the node, whether its value or its gradient, a kind and a sentence.

    kind: "domain" (sqrt/log of a negative number, log 0, a negative base to a fractional power),
    "division by zero", "overflow" (a result larger than a float holds), "0·inf" (a local gradient
    inf times an upstream 0), "input" (a nan/inf given as an input)."""

    node: int
    where: Where
    kind: str
    message: str


def number(x: float) -> str:
    """A number in a message: short, and exact where the short form would lie (1e-320, not 9.999e-321)."""
    short = repr(float(x))
    short = short[:-2] if short.endswith(".0") else short
    return short if len(short) <= 8 else f"{x:.4g}"


def expression(node: Node, args: Sequence[float]) -> str:
    """The gate applied to its numbers, as a learner would write it: sqrt(-2), 1/0, (-8)^0.5."""
    shown = [number(a) for a in args]
    wrapped = [f"({s})" if s.startswith("-") else s for s in shown]
    p = number(node.param) if node.param is not None else ""
    infix = {"add": "+", "sub": "−", "mul": "·", "div": "/", "pow": "^"}
    if node.op in infix:
        return (
            f"{wrapped[0]}{infix[node.op]}{wrapped[1]}"
            if node.op in ("div", "pow")
            else (f"{wrapped[0]} {infix[node.op]} {wrapped[1]}")
        )
    return {
        "recip": f"1/{wrapped[0]}",
        "add_const": f"{shown[0]} + {p}",
        "mul_const": f"{p}·{wrapped[0]}",
        "div_const": f"{wrapped[0]}/{p}",
        "pow_const": f"{wrapped[0]}^{p}",
    }.get(node.op, f"{node.symbol}({', '.join(shown)})")


def value_problem(node: Node, args: Sequence[float], value: float) -> tuple[str, str]:
    """(kind, message) for a gate whose value is not finite though its arguments are."""
    text, op = expression(node, args), node.op
    if node.param is not None and not math.isfinite(node.param):
        return "overflow", f"{text}: the constant {number(node.param)} is a number too large for a float"
    divisor = {"div": args[-1], "recip": args[0], "div_const": node.param}.get(op)
    if divisor == 0:
        return "division by zero", f"{text}: dividing by 0 gives {number(value)}"
    if op in ("pow", "pow_const"):
        base, exponent = args[0], args[1] if op == "pow" else float(node.param or 0.0)
        if base == 0 and exponent < 0:
            return "division by zero", f"{text}: a negative power of 0 divides by 0"
        if base < 0 and not float(exponent).is_integer():
            return "domain", f"{text}: a negative number to a fractional power is nan"
    if op == "sqrt" and args[0] < 0:
        return "domain", f"{text}: square root of a negative number is nan"
    if op == "log" and args[0] < 0:
        return "domain", f"{text}: the logarithm of a negative number is nan"
    if op == "log" and args[0] == 0:
        return "domain", f"{text} = −inf: the logarithm of 0 is minus infinity"
    if math.isinf(value):
        return "overflow", f"{text} = {number(value)}: larger than a float can hold (about {LARGEST})"
    return "domain", f"{text} is nan"


def gradient_problem(
    node: Node, args: Sequence[float], upstream: float, local: float, contribution: float, k: int
) -> tuple[str, str]:
    """(kind, message) for a gate that sends a non-finite gradient into its k-th argument from finite numbers."""
    text = expression(node, args)
    slope = f"the local gradient of {text}" + (f" for its argument {k + 1}" if len(args) > 1 else "")
    if math.isnan(local):
        return "domain", f"{slope} is nan ({node.formula})"
    if math.isinf(local):
        if upstream == 0:
            return "0·inf", f"{slope} is {number(local)} and the upstream gradient 0: 0·inf is nan"
        if node.op in _POLES and (0.0 in args or node.op == "sqrt"):
            return "division by zero", f"{slope} is {number(local)}: {node.formula} divides by 0 there"
        return "overflow", f"{slope} is {number(local)}: larger than a float can hold ({node.formula})"
    if math.isinf(contribution) or math.isnan(contribution):
        return (
            "overflow",
            f"upstream {number(upstream)} × {slope} {number(local)} = {number(contribution)}: "
            f"larger than a float can hold",
        )
    return "overflow", f"the gradients that {text} adds at a fan-out sum to more than a float can hold"


class Diagnosis:
    """A recorder for `core.interpreter`'s loops that collects the origins of the run it watches.

    Works on floats and on numpy arrays alike: finiteness is checked elementwise and, on a grid, the
    message is worked out at the first point where the node is an origin."""

    def __init__(self, graph: Graph, inputs: Sequence[Any]) -> None:
        self.graph = graph
        self.values: dict[int, Any] = {}  # every value seen, for the backward checks
        self.grads: dict[int, Any] = {}  # what each node has accumulated so far
        self.forward_problems: list[Problem] = []
        self.backward_problems: list[Problem] = []
        given = dict(zip(graph.inputs, inputs))
        for node in graph.nodes:
            if node.op == "input":
                self._leaf(node, given[node.name or ""], "input", f"the input {node.name} is {{}}")
            elif node.op == "const":
                self._leaf(node, node.params[0], "overflow", "the constant {} (a number too large for a float, or nan)")

    def _leaf(self, node: Node, value: Any, kind: str, message: str) -> None:
        self.values[node.id] = value
        bad = ~np.isfinite(value)
        if np.any(bad):
            (at,) = _first(bad, [value])
            self.forward_problems.append(Problem(node.id, "value", kind, message.format(number(at)) + _points(bad)))

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        self.values[node] = value
        bad = ~np.isfinite(value) & _all_finite(args)
        if np.any(bad):
            gate = self.graph.nodes[node]
            *at_args, at_value = _first(bad, [*args, value])
            kind, message = value_problem(gate, at_args, at_value)
            self.forward_problems.append(Problem(node, "value", kind, message + _points(bad)))

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        gate = self.graph.nodes[node]
        args = tuple(self.values[a] for a in gate.args)
        received = _all_finite((upstream, self.values[node], *args))
        problem: Problem | None = None
        for k, (arg, local, contribution, accumulated) in enumerate(sent):
            before = self.grads.get(arg)
            self.grads[arg] = accumulated
            bad = received & ~np.isfinite(contribution)
            if before is not None:  # the sum at a fan-out overflowing, from finite terms
                bad = bad | (received & np.isfinite(contribution) & np.isfinite(before) & ~np.isfinite(accumulated))
            if problem is None and np.any(bad):
                at_up, at_local, at_to, *at_args = _first(bad, [upstream, local, contribution, *args])
                kind, message = gradient_problem(gate, at_args, at_up, at_local, at_to, k)
                problem = Problem(node, "gradient", kind, message + _points(bad))
        if problem is not None:
            self.backward_problems.append(problem)

    @property
    def problems(self) -> tuple[Problem, ...]:
        forward = sorted(self.forward_problems, key=lambda p: p.node)  # leaves among the gates, by id
        return (*forward, *self.backward_problems)


def _all_finite(numbers: Sequence[Any]) -> Any:
    finite: Any = True
    for x in numbers:
        finite = finite & np.isfinite(x)
    return finite


def _first(bad: Any, numbers: Sequence[Any]) -> list[float]:
    """The numbers at the first point where `bad` holds (all of them, for scalars)."""
    bad = np.asarray(bad)
    if bad.ndim == 0:
        return [float(np.asarray(x)) for x in numbers]
    at = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return [float(np.broadcast_to(x, bad.shape)[at]) for x in numbers]


def _points(bad: Any) -> str:
    bad = np.asarray(bad)
    return f" (at {int(bad.sum())} of {bad.size} grid points)" if bad.size > 1 else ""


def _power_of_ten(log10: float, negative: bool = False) -> str:
    """A magnitude too small or large for a float, written from its base-10 logarithm: 1e-400."""
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    return f"{'-' if negative else ''}{mantissa:.3g}e{exponent}"


def precision_note(node: Node, args: Sequence[float], upstream: float, local: float, contribution: float) -> str | None:
    """Why a backward step's finite numbers lost their value, or None: the local gradient underflowed
    to 0 (1/x at x = 1e200: −1/x² = −1e-400), or upstream × local over- or underflowed, where torch,
    which fuses the product, may stay finite. `args`: the gate's argument values. Said in the
    inspector; the origins of nan and inf are `Problem`s."""
    if not (math.isfinite(upstream) and math.isfinite(local)) or upstream == 0:
        return None
    if math.isinf(contribution):
        return (
            f"overflow: upstream × local = {number(upstream)} · {number(local)} is larger than a float can "
            f"hold ({LARGEST}), so the gradient passed back is infinite"
        )
    if contribution == 0 and local != 0:
        return (
            f"underflow: upstream × local = {number(upstream)} · {number(local)} is smaller than the smallest "
            "float (5e-324), so the gradient passed back became 0"
        )
    if local != 0 or len(args) != 1 or not math.isfinite(args[0]) or args[0] == 0:
        return None
    x = args[0]
    if node.op == "recip":  # −1/x², never 0 for a finite x
        true, rule = _power_of_ten(-2 * math.log10(abs(x)), negative=True), "∂(1/x)/∂x = −1/x²"
    elif node.op == "exp":  # eˣ, never 0
        true, rule = _power_of_ten(x / math.log(10)), "∂eˣ/∂x = eˣ"
    else:
        return None
    return (
        f"underflow: {rule} = {true} at x = {number(x)} is smaller than the smallest float (5e-324), so it "
        "became 0 and so did the gradient passed back (torch, which divides the upstream gradient instead, "
        "may keep it)"
    )
