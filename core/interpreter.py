"""The interpreter: one forward loop and one backward loop over a compiled `Graph`, on any numbers.

A graph is compiled once into a `Plan` (flat gate rows with their argument ids, the jaxpr way).
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
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from core.graph import Graph
from core.ops import SCALAR_MATH

# ---- the compiled plan ----


# What kind of gate a row is: the loops branch on it once per gate (small ints, compared with `==`).
UNARY = 1  # fn(xp, a, param)
BINARY = 2  # fn(xp, a, b, param)
PLAIN = 3  # fn(a, b): an operator of the values alone (`Op.plain`), called with no Python frame between
PLAIN_UNARY = 6  # fn(a, param): the same for a one-argument gate with a parameter (x+c, c·x, x/c)
WIDE = 4  # a folded gate of three or more arguments (`core.fold`); b = -1
PRODUCT = 5  # backward only: a·b, each argument's local gradient is the other argument's value


class ForwardGate(NamedTuple):
    """The fields of one row of `Plan.forward`: one gate as the forward loop reads it."""

    node: int
    kind: int  # UNARY, PLAIN_UNARY, BINARY, PLAIN or WIDE
    a: int
    b: int  # the second argument; `a` again for a unary gate
    forward: Callable[..., Any]
    param: float | None


class BackwardGate(NamedTuple):
    """The fields of one row of `Plan.backward`: one gate as the backward loop reads it."""

    node: int
    kind: int  # UNARY, BINARY, PRODUCT or WIDE
    a: int
    b: int
    local_grads: Callable[..., Any] | None  # None: the local gradients are `constant` (or PRODUCT's)
    constant: tuple[float, float]  # x+y → (1, 1), x−y → (1, −1), c·x → (c, c); known before any run
    param: float | None
    a_fans_out: bool  # `a` already got a gradient from a gate later in the graph: add to it
    b_fans_out: bool


# The rows are stored as plain tuples: CPython unpacks an exact tuple in a `for` header faster than
# a NamedTuple (a subclass), which is ~15% of the scalar loops. `Plan.gates()` gives the named view.
ForwardRow = tuple[int, int, int, int, Callable[..., Any], float | None]
BackwardRow = tuple[int, int, int, int, Callable[..., Any] | None, tuple[float, float], float | None, bool, bool]


@dataclass(frozen=True)
class Plan:
    """A graph compiled for the two loops: its leaves, its gates both ways, and what gets no gradient."""

    size: int
    input_ids: tuple[int, ...]  # node ids of `graph.inputs`, in that order
    constants: tuple[tuple[int, float], ...]  # (node id, value)
    forward: tuple[ForwardRow, ...]  # topological order
    backward: tuple[BackwardRow, ...]  # reversed, only the gates the output depends on
    unreached: tuple[int, ...]  # nodes the output does not depend on: gradient 0
    output: int
    # A folded gate of three or more arguments (`core.fold`): its row has b = -1, its arguments and
    # whether each fans out are here. Rare, so the rows of the ordinary gates stay as they are.
    wide: dict[int, tuple[tuple[int, ...], tuple[bool, ...]]] = field(default_factory=dict)

    def forward_gates(self) -> list[ForwardGate]:
        return [ForwardGate(*row) for row in self.forward]

    def backward_gates(self) -> list[BackwardGate]:
        return [BackwardGate(*row) for row in self.backward]


def compile_plan(graph: Graph) -> Plan:
    """Everything about the two loops that does not depend on the numbers, worked out once."""
    reached = {graph.output}
    for node in reversed(graph.nodes):
        if node.id in reached:
            reached.update(node.args)
    forward: list[ForwardRow] = []
    for node in graph.gates:
        op = node.operation
        if op.arity == 1:
            kind, fn = (UNARY, op.forward) if op.plain is None else (PLAIN_UNARY, op.plain)
            forward.append((node.id, kind, node.args[0], node.args[0], fn, node.param))
        elif op.arity > 2:
            forward.append((node.id, WIDE, node.args[0], -1, op.forward, node.param))
        elif op.plain is not None:
            forward.append((node.id, PLAIN, node.args[0], node.args[1], op.plain, node.param))
        else:
            forward.append((node.id, BINARY, node.args[0], node.args[1], op.forward, node.param))
    backward: list[BackwardRow] = []
    wide: dict[int, tuple[tuple[int, ...], tuple[bool, ...]]] = {
        node.id: (node.args, ()) for node in graph.gates if len(node.args) > 2
    }
    has_gradient: set[int] = set()  # filled in backward order: who already got a contribution
    for gate_id, kind, a, b, _, param in reversed(forward):
        if gate_id not in reached:
            continue
        op = graph.nodes[gate_id].operation
        if kind == WIDE:
            args = wide[gate_id][0]
            wide[gate_id] = (args, tuple(arg in has_gradient for arg in args))
            has_gradient.update(args)
            backward.append((gate_id, WIDE, a, b, op.local_grads, (1.0, 1.0), param, False, False))
            continue
        unary = kind in (UNARY, PLAIN_UNARY)
        constant = (1.0, 1.0)
        if op.constant_local_grads:  # they depend on the parameter only: call them on zeros
            local = op.local_grads(SCALAR_MATH, *[0.0] * (2 if unary else 3), param)
            constant = (float(local), float(local)) if unary else (float(local[0]), float(local[1]))
        a_fans_out = a in has_gradient
        has_gradient.add(a)
        b_fans_out = not unary and b in has_gradient
        has_gradient.add(b)
        local_grads = None if op.constant_local_grads or op.product else op.local_grads
        back_kind = UNARY if unary else (PRODUCT if op.product else BINARY)
        backward.append((gate_id, back_kind, a, b, local_grads, constant, param, a_fans_out, b_fans_out))
    return Plan(
        size=len(graph.nodes),
        input_ids=tuple(graph.input_ids[name] for name in graph.inputs),
        constants=tuple((node.id, node.params[0]) for node in graph.nodes if node.op == "const"),
        forward=tuple(forward),
        backward=tuple(backward),
        unreached=tuple(node.id for node in graph.nodes if node.id not in reached),
        output=graph.output,
        wide=wide,
    )


def plan_for(graph: Graph) -> Plan:
    # Cached on the graph: compiling is the only per-graph cost, evaluation is the per-call cost.
    plan: Plan | None = graph.__dict__.get("_plan")
    if plan is None:
        plan = compile_plan(graph)
        object.__setattr__(graph, "_plan", plan)
    return plan


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
    values: list[Any] = [None] * plan.size
    for i, value in zip(plan.input_ids, inputs):
        values[i] = value
    for i, c in plan.constants:
        values[i] = backend.constant(c)
    record = recorder is not None  # a bool tested per gate: cheaper than `is not None` each time
    for node, kind, a, b, fn, param in plan.forward:
        if kind == PLAIN:
            values[node] = fn(values[a], values[b])
        elif kind == PLAIN_UNARY:
            values[node] = fn(values[a], param)
        elif kind == UNARY:
            values[node] = fn(xp, values[a], param)
        elif kind == BINARY:
            values[node] = fn(xp, values[a], values[b], param)
        else:  # a folded gate of three or more arguments
            values[node] = fn(xp, *[values[i] for i in plan.wide[node][0]], param)
        if record:
            unary = kind in (UNARY, PLAIN_UNARY)
            args = (values[a],) if unary else (values[a], values[b]) if b >= 0 else _wide_args(plan, values, node)
            recorder.forward_step(node, args, values[node])  # type: ignore[union-attr]
    return values


def _wide_args(plan: Plan, values: list[Any], node: int) -> tuple[Any, ...]:
    return tuple(values[i] for i in plan.wide[node][0])


def backward(plan: Plan, values: list[Any], backend: Backend, recorder: Recorder | None = None) -> list[Any]:
    """d(output)/d(node) for every node: the gates in reverse, upstream × local gradient into each argument."""
    xp = backend.xp
    add = add_at_fan_out  # looked up once per run (tests replace it to count the sums)
    record = recorder is not None
    grads: list[Any] = [None] * plan.size
    grads[plan.output] = 1.0
    for node, kind, a, b, local_grads, constant, param, a_fans_out, b_fans_out in plan.backward:
        upstream = grads[node]
        if kind == UNARY:
            if local_grads is None:  # x+c, c·x, x/c
                local_a = constant[0]
                to_a = upstream if local_a == 1.0 else upstream * local_a  # ×1: a pass over a grid for nothing
            else:
                local_a = local_grads(xp, values[node], values[a], param)
                to_a = upstream * local_a
            grads[a] = add(grads[a], to_a) if a_fans_out else to_a
            if record:
                recorder.backward_step(node, upstream, ((a, local_a, to_a, grads[a]),))  # type: ignore[union-attr]
        elif kind == WIDE:  # a folded gate of three or more arguments
            assert local_grads is not None
            args, fans_out = plan.wide[node]
            each: list[Sent] = []
            for arg, local, fans in zip(
                args, local_grads(xp, values[node], *_wide_args(plan, values, node), param), fans_out
            ):
                to = upstream * local
                grads[arg] = add(grads[arg], to) if fans else to
                each.append((arg, local, to, grads[arg]))
            if record:
                recorder.backward_step(node, upstream, tuple(each))  # type: ignore[union-attr]
        else:
            if kind == PRODUCT:  # a·b: into a goes b, into b goes a
                local_a, local_b = values[b], values[a]
                to_a = upstream * local_a
                to_b = upstream * local_b
            elif local_grads is None:  # x+y, x−y
                local_a, local_b = constant
                to_a = upstream if local_a == 1.0 else upstream * local_a
                to_b = upstream if local_b == 1.0 else upstream * local_b
            else:
                local_a, local_b = local_grads(xp, values[node], values[a], values[b], param)
                to_a = upstream * local_a
                to_b = upstream * local_b
            grads[a] = accumulated_a = add(grads[a], to_a) if a_fans_out else to_a
            grads[b] = add(grads[b], to_b) if b_fans_out else to_b
            if record:  # for x·x, `accumulated_a` holds the first contribution only
                sent = ((a, local_a, to_a, accumulated_a), (b, local_b, to_b, grads[b]))
                recorder.backward_step(node, upstream, sent)  # type: ignore[union-attr]
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
