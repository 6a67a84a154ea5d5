"""The interpreter: one forward loop and one backward loop over a compiled `Graph`, on any numbers.

A graph is compiled once into a `Plan` (flat gate rows with their argument ids, the jaxpr way;
`core.plan`).
`forward` walks the gates in order, `backward` walks them reversed and applies the chain rule;
where a value fans out to several gates, its gradient is the sum of what each sends back, and
that sum is one named function, `add_at_fan_out`. What differs between the scalar path, the grid
path and the step trace is only what is passed in (the autodidax `eval_jaxpr`-with-hooks way):

- a `Backend`: the math namespace the op table calls (`math` for floats, numpy for arrays and for
  the float fallback) and how a constant is written in it;
- a `Recorder` (optional): told of every forward and backward step. The trace records them, a
  loss surface drops arrays it no longer needs, the diagnosis of where a nan began
  (`core.diagnosis`) and forward-mode tangents, a second value per node (`core.forward_mode`), hook
  in at the same two places.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from core.ops import SCALAR_MATH
from core.plan import (
    ADD,
    BINARY,
    CALL,
    CALL_BINARY,
    CONSTANT,
    MUL,
    PASS,
    PLAIN,
    PRODUCT,
    SCALE,
    SUM,
    UNARY,
    Plan,
)
from core.plan import compile_plan as compile_plan  # the plan's calls, here too: one import for a loop's caller
from core.plan import plan_for as plan_for

# ---- what the loops are given ----


@dataclass(frozen=True)
class Backend:
    """The numbers a run computes with."""

    name: str
    xp: Any  # the namespace the op table's functions call: SCALAR_MATH or numpy
    constant: Callable[[float], Any]  # a constant leaf in these numbers


FLOATS = Backend("floats", SCALAR_MATH, float)
# numpy scalars give inf/nan (and, under np.errstate, no warning) where `math` raises.
NUMPY_SCALARS = Backend("numpy scalars", np, np.float64)
GRIDS = Backend("grids", np, np.float64)

# What one backward step sends into one argument: (arg, local_grad, contribution, accumulated).
Sent = tuple[int, Any, Any, Any]


class Recorder(Protocol):
    """Hooks into the two loops, called after each step."""

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None: ...

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None: ...


# ---- the two loops ----


# A value used by several gates gets the sum of the gradients they send back (the multivariable
# chain rule). `add_at_fan_out(accumulated, contribution)` is the only place where gradients are
# summed; the first contribution is stored as is. It is `operator.add` itself: it runs once per
# fan-out in the hot loop, and a C function costs half of a Python one wrapping the same `+`.
add_at_fan_out: Callable[[Any, Any], Any] = operator.add


def forward(plan: Plan, inputs: Sequence[Any], backend: Backend, recorder: Recorder | None = None) -> list[Any]:
    """Every node's value; `inputs` are the values of `graph.inputs`, in that order, in the backend's numbers."""
    xp = backend.xp
    size = plan.size
    values: list[Any] = [None] * size
    values += plan.params  # the one-argument gates read their parameter from here (b >= size)
    for i, value in zip(plan.input_ids, inputs):
        values[i] = value
    for i, c in plan.constants:
        values[i] = backend.constant(c)
    record = recorder is not None  # a bool tested per gate: cheaper than `is not None` each time
    for node, kind, a, b, fn in plan.forward:
        if kind == MUL:
            values[node] = values[a] * values[b]
        elif kind == ADD:
            values[node] = values[a] + values[b]
        elif kind == PLAIN:
            values[node] = fn(values[a], values[b])  # type: ignore[misc]
        elif kind == UNARY:
            values[node] = fn(xp, values[a], values[b])  # type: ignore[misc]
        elif kind == BINARY:
            values[node] = fn(xp, values[a], values[b], plan.binary_params[node])  # type: ignore[misc]
        else:  # a folded gate of three or more arguments
            args, _, param = plan.wide[node]
            values[node] = fn(xp, *[values[i] for i in args], param)  # type: ignore[misc]
        if record:
            recorder.forward_step(node, _args(plan, values, node, a, b), values[node])  # type: ignore[union-attr]
    del values[size:]
    return values


def _args(plan: Plan, values: list[Any], node: int, a: int, b: int) -> tuple[Any, ...]:
    """A gate's argument values (for a recorder)."""
    if b < 0:
        return tuple(values[i] for i in plan.wide[node][0])
    return (values[a],) if b >= plan.size else (values[a], values[b])


def backward(plan: Plan, values: list[Any], backend: Backend, recorder: Recorder | None = None) -> list[Any]:
    """d(output)/d(node) for every node: the gates in reverse, upstream × local gradient into each argument.

    Each kind of gate is written out in full (no shared tail after the branches, no locals that only
    a recorder reads): that is ~15% of the loop's time on floats."""
    xp = backend.xp
    add = add_at_fan_out  # looked up once per run (tests replace it to count the sums)
    record = recorder is not None
    grads: list[Any] = [None] * plan.size
    grads[plan.output] = 1.0
    for node, kind, a, b, local, a_fans_out, b_fans_out in plan.backward:
        upstream = grads[node]
        if kind == SCALE:  # c·x, x/c
            to_a = upstream * local
            grads[a] = add(grads[a], to_a) if a_fans_out else to_a
            if record:
                recorder.backward_step(node, upstream, ((a, local, to_a, grads[a]),))  # type: ignore[union-attr]
        elif kind == PRODUCT:  # a·b: into a goes b, into b goes a
            to_a = upstream * values[b]
            grads[a] = accumulated_a = add(grads[a], to_a) if a_fans_out else to_a
            to_b = upstream * values[a]
            grads[b] = add(grads[b], to_b) if b_fans_out else to_b
            if record:  # for x·x, `accumulated_a` holds the first contribution only
                sent = ((a, values[b], to_a, accumulated_a), (b, values[a], to_b, grads[b]))
                recorder.backward_step(node, upstream, sent)  # type: ignore[union-attr]
        elif kind == SUM:  # a+b: the upstream gradient, to both
            grads[a] = accumulated_a = add(grads[a], upstream) if a_fans_out else upstream
            grads[b] = add(grads[b], upstream) if b_fans_out else upstream
            if record:
                sent = ((a, 1.0, upstream, accumulated_a), (b, 1.0, upstream, grads[b]))
                recorder.backward_step(node, upstream, sent)  # type: ignore[union-attr]
        elif kind == PASS:  # x+c
            grads[a] = add(grads[a], upstream) if a_fans_out else upstream
            if record:
                recorder.backward_step(node, upstream, ((a, 1.0, upstream, grads[a]),))  # type: ignore[union-attr]
        elif kind == CALL:  # exp(x), tanh(x), …
            local_grads, param = local
            local_a = local_grads(xp, values[node], values[a], param)
            to_a = upstream * local_a
            grads[a] = add(grads[a], to_a) if a_fans_out else to_a
            if record:
                recorder.backward_step(node, upstream, ((a, local_a, to_a, grads[a]),))  # type: ignore[union-attr]
        elif kind in (CALL_BINARY, CONSTANT):  # a/b, a**b, max(a, b), …; a−b
            if kind == CONSTANT:
                local_a, local_b = local
                to_a = upstream if local_a == 1.0 else upstream * local_a  # ×1: a pass over a grid for nothing
                to_b = upstream if local_b == 1.0 else upstream * local_b
            else:
                local_grads, param = local
                local_a, local_b = local_grads(xp, values[node], values[a], values[b], param)
                to_a = upstream * local_a
                to_b = upstream * local_b
            grads[a] = accumulated_a = add(grads[a], to_a) if a_fans_out else to_a
            grads[b] = add(grads[b], to_b) if b_fans_out else to_b
            if record:
                sent = ((a, local_a, to_a, accumulated_a), (b, local_b, to_b, grads[b]))
                recorder.backward_step(node, upstream, sent)  # type: ignore[union-attr]
        else:  # a folded gate of three or more arguments
            local_grads, param = local
            args, fans_out, _ = plan.wide[node]
            each: list[Sent] = []
            for arg, local_arg, fans in zip(
                args, local_grads(xp, values[node], *_args(plan, values, node, a, b), param), fans_out
            ):
                to = upstream * local_arg
                grads[arg] = add(grads[arg], to) if fans else to
                each.append((arg, local_arg, to, grads[arg]))
            if record:
                recorder.backward_step(node, upstream, tuple(each))  # type: ignore[union-attr]
    for i in plan.unreached:
        grads[i] = 0.0
    return grads


def run(
    plan: Plan, inputs: Sequence[Any], backend: Backend, recorder: Recorder | None = None
) -> tuple[list[Any], list[Any]]:
    """Both loops: (values, grads) by node id."""
    values = forward(plan, inputs, backend, recorder)
    return values, backward(plan, values, backend, recorder)


def run_on_scalars(
    plan: Plan,
    inputs: Sequence[float],
    recorder: Callable[[Backend], Recorder] | None = None,
    with_backward: bool = True,
) -> tuple[list[float], list[float]]:
    """Both loops on floats with `math`; where `math` raises (log(-1), 1/0, overflow), the same run on
    numpy scalars, which give nan/inf instead. `recorder` makes a fresh recorder for each attempt, in
    that attempt's numbers. Without the backward loop (forward mode), the grads are []."""

    def attempt(numbers: Sequence[Any], backend: Backend) -> tuple[list[Any], list[Any]]:
        hook = recorder(backend) if recorder else None
        values = forward(plan, numbers, backend, hook)
        return values, backward(plan, values, backend, hook) if with_backward else []

    try:
        return attempt(inputs, FLOATS)
    except (ArithmeticError, ValueError, TypeError):
        with np.errstate(all="ignore"):
            values, grads = attempt([np.float64(v) for v in inputs], NUMPY_SCALARS)
        return [float(v) for v in values], [float(g) for g in grads]


class DropUsedValues:
    """A recorder for a loss surface, which needs only the output and the inputs' gradients: it lets
    each gate's array go once the gate's backward step is done (its users were all done before, in
    reverse order). Holding them all costs ~1.4× the time on a 400×400 grid (memory, page faults)."""

    def __init__(self, values: list[Any], output: int) -> None:
        self.values, self.output = values, output

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        pass

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        if node != self.output:
            self.values[node] = None
