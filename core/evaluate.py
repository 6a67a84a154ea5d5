"""The interpreter: one forward loop and one backward loop over a compiled `Graph`, on any numbers.

A graph is compiled once into a `Plan` (flat gate records with their argument ids, the jaxpr way).
`forward` walks the gates in order, `backward` walks them reversed and applies the chain rule;
where a value fans out to several gates, its gradient is the sum of what each sends back, and
that sum is one named function, `add_at_fan_out`. What differs between the scalar path, the grid
path and the step trace is only what is passed in (the autodidax `eval_jaxpr`-with-hooks way):

- a `Backend`: the math namespace the op table calls (`math` for floats, numpy for arrays and for
  the float fallback) and how a constant is written in it;
- a `Recorder` (optional): told of every forward and backward step. The trace records them; a
  diagnosis of where a nan began, or forward-mode tangents, would hook in at the same two places.

Plain float inputs run on Python's `math` (fast); if `math` meets a domain error (log(-1), 1/0,
overflow) the run is repeated with numpy scalars, whose nan/inf results are the documented
behaviour. Array inputs broadcast and run on numpy in one vectorized pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, Protocol

import numpy as np

from core.graph import Graph
from core.ops import OPS, SCALAR_MATH

# ---- the compiled plan ----


class ForwardGate(NamedTuple):
    """The fields of one row of `Plan.forward`: one gate as the forward loop reads it."""

    node: int
    unary: bool
    a: int
    b: int  # the second argument; `a` again for a unary gate
    forward: Callable[..., Any]
    param: float | None


class BackwardGate(NamedTuple):
    """The fields of one row of `Plan.backward`: one gate as the backward loop reads it."""

    node: int
    unary: bool
    a: int
    b: int
    local_grads: Callable[..., Any] | None  # None: the local gradients are `constant`
    constant: tuple[float, float]  # x+y → (1, 1), x−y → (1, −1), c·x → (c, c); known before any run
    param: float | None
    a_fans_out: bool  # `a` already got a gradient from a gate later in the graph: add to it
    b_fans_out: bool


# The rows are stored as plain tuples: CPython unpacks an exact tuple in a `for` header faster than
# a NamedTuple (a subclass), which is ~15% of the scalar loops. `Plan.gates()` gives the named view.
ForwardRow = tuple[int, bool, int, int, Callable[..., Any], float | None]
BackwardRow = tuple[int, bool, int, int, Callable[..., Any] | None, tuple[float, float], float | None, bool, bool]


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
    forward: list[ForwardRow] = [
        (node.id, op.arity == 1, node.args[0], node.args[-1], op.forward, node.param)
        for node in graph.gates
        for op in [OPS[node.op]]
    ]
    backward: list[BackwardRow] = []
    has_gradient: set[int] = set()  # filled in backward order: who already got a contribution
    for gate_id, unary, a, b, _, param in reversed(forward):
        if gate_id not in reached:
            continue
        op = OPS[graph.nodes[gate_id].op]
        constant = (1.0, 1.0)
        if op.constant_local_grads:  # they depend on the parameter only: call them on zeros
            local = op.local_grads(SCALAR_MATH, *[0.0] * (2 if unary else 3), param)
            constant = (float(local), float(local)) if unary else (float(local[0]), float(local[1]))
        a_fans_out = a in has_gradient
        has_gradient.add(a)
        b_fans_out = not unary and b in has_gradient
        has_gradient.add(b)
        local_grads = None if op.constant_local_grads else op.local_grads
        backward.append((gate_id, unary, a, b, local_grads, constant, param, a_fans_out, b_fans_out))
    return Plan(
        size=len(graph.nodes),
        input_ids=tuple(graph.input_ids[name] for name in graph.inputs),
        constants=tuple((node.id, node.params[0]) for node in graph.nodes if node.op == "const"),
        forward=tuple(forward),
        backward=tuple(backward),
        unreached=tuple(node.id for node in graph.nodes if node.id not in reached),
        output=graph.output,
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


def add_at_fan_out(accumulated: Any, contribution: Any) -> Any:
    """A value used by several gates gets the sum of the gradients they send back (the multivariable
    chain rule). The only place where gradients are summed; the first contribution is stored as is."""
    return accumulated + contribution


def forward(plan: Plan, inputs: Sequence[Any], backend: Backend, recorder: Recorder | None = None) -> list[Any]:
    """Every node's value; `inputs` are the values of `graph.inputs`, in that order, in the backend's numbers."""
    xp = backend.xp
    values: list[Any] = [None] * plan.size
    for i, value in zip(plan.input_ids, inputs):
        values[i] = value
    for i, c in plan.constants:
        values[i] = backend.constant(c)
    for node, unary, a, b, fn, param in plan.forward:
        values[node] = fn(xp, values[a], param) if unary else fn(xp, values[a], values[b], param)
        if recorder is not None:
            recorder.forward_step(node, (values[a],) if unary else (values[a], values[b]), values[node])
    return values


def backward(plan: Plan, values: list[Any], backend: Backend, recorder: Recorder | None = None) -> list[Any]:
    """d(output)/d(node) for every node: the gates in reverse, upstream × local gradient into each argument."""
    xp = backend.xp
    grads: list[Any] = [None] * plan.size
    grads[plan.output] = 1.0
    for node, unary, a, b, local_grads, constant, param, a_fans_out, b_fans_out in plan.backward:
        upstream = grads[node]
        if unary:
            if local_grads is None:  # x+c, c·x, x/c
                local_a = constant[0]
                to_a = upstream if local_a == 1.0 else upstream * local_a  # ×1: a pass over a grid for nothing
            else:
                local_a = local_grads(xp, values[node], values[a], param)
                to_a = upstream * local_a
            grads[a] = add_at_fan_out(grads[a], to_a) if a_fans_out else to_a
            if recorder is not None:
                recorder.backward_step(node, upstream, ((a, local_a, to_a, grads[a]),))
        else:
            if local_grads is None:  # x+y, x−y
                local_a, local_b = constant
                to_a = upstream if local_a == 1.0 else upstream * local_a
                to_b = upstream if local_b == 1.0 else upstream * local_b
            else:
                local_a, local_b = local_grads(xp, values[node], values[a], values[b], param)
                to_a = upstream * local_a
                to_b = upstream * local_b
            grads[a] = accumulated_a = add_at_fan_out(grads[a], to_a) if a_fans_out else to_a
            grads[b] = add_at_fan_out(grads[b], to_b) if b_fans_out else to_b
            if recorder is not None:  # for x·x, `accumulated_a` holds the first contribution only
                sent = ((a, local_a, to_a, accumulated_a), (b, local_b, to_b, grads[b]))
                recorder.backward_step(node, upstream, sent)
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
    plan: Plan, inputs: Sequence[float], recorder: Callable[[], Recorder] | None = None
) -> tuple[list[float], list[float]]:
    """Both loops on floats with `math`; where `math` raises (log(-1), 1/0, overflow), the same run on
    numpy scalars, which give nan/inf instead. `recorder` makes a fresh recorder for each attempt."""
    try:
        return run(plan, inputs, FLOATS, recorder() if recorder else None)
    except (ArithmeticError, ValueError, TypeError):
        with np.errstate(all="ignore"):
            values, grads = run(plan, [np.float64(v) for v in inputs], NUMPY_SCALARS, recorder() if recorder else None)
        return [float(v) for v in values], [float(g) for g in grads]


# ---- the public calls ----


@dataclass(frozen=True, eq=False)
class Result:
    """The output's `value`, d(output)/d(input) by input name in `grad`, and every node's value and
    gradient in `values` and `grads` (lists by node id). On grids the last two are computed when
    first read: a loss surface needs only `value` and `grad` (see `DropUsedValues`)."""

    graph: Graph
    value: Any
    grad: dict[str, Any]
    every_node: Callable[[], tuple[list[Any], list[Any]]] = field(repr=False)

    @cached_property
    def _every_node(self) -> tuple[list[Any], list[Any]]:
        return self.every_node()

    @property
    def values(self) -> list[Any]:
        return self._every_node[0]

    @property
    def grads(self) -> list[Any]:
        """d(output)/d(node), by node id."""
        return self._every_node[1]

    @cached_property
    def nonfinite(self) -> frozenset[int]:
        """Ids of the nodes whose value or gradient is nan or infinite somewhere."""
        return frozenset(i for i, (v, g) in enumerate(zip(self.values, self.grads)) if not (_finite(v) and _finite(g)))

    @property
    def finite(self) -> bool:
        return not self.nonfinite


def _finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(x)))


def evaluate(graph: Graph, inputs: Mapping[str, Any]) -> Result:
    """Value and gradient of every node for the given input values (floats or broadcastable arrays)."""
    plan = plan_for(graph)
    given = given_inputs(graph, inputs)
    names = graph.inputs
    if all_scalars(given):
        values, grads = run_on_scalars(plan, [float(v) for v in given])
        return Result(
            graph, values[plan.output], dict(zip(names, (grads[i] for i in plan.input_ids))), lambda: (values, grads)
        )
    arrays = [np.asarray(v, dtype=float) for v in given]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    with np.errstate(all="ignore"):
        lean_values = forward(plan, arrays, GRIDS)
        lean_grads = backward(plan, lean_values, GRIDS, DropUsedValues(lean_values, plan.output))

    def every_node() -> tuple[list[Any], list[Any]]:
        # Recomputed from the same input arrays (changing them in place before reading would show).
        with np.errstate(all="ignore"):
            values, grads = run(plan, arrays, GRIDS)
        return [np.broadcast_to(v, shape) for v in values], [np.broadcast_to(g, shape) for g in grads]

    # Every grid point is its own evaluation, so broadcasting a gradient is exact (nothing to sum).
    return Result(
        graph,
        np.broadcast_to(lean_values[plan.output], shape),
        {name: np.broadcast_to(lean_grads[i], shape) for name, i in zip(names, plan.input_ids)},
        every_node,
    )


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


def value_and_grad(graph: Graph, inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Only the output's value and the inputs' gradients (what a loss surface needs)."""
    result = evaluate(graph, inputs)
    return result.value, result.grad


def given_inputs(graph: Graph, inputs: Mapping[str, Any]) -> list[Any]:
    """The values of `graph.inputs` in order; a clear error for the missing ones, extra ones ignored."""
    missing = [name for name in graph.inputs if name not in inputs]
    if missing:
        raise ValueError(f"missing value for input{'s' if len(missing) > 1 else ''} " + ", ".join(map(repr, missing)))
    return [inputs[name] for name in graph.inputs]


def all_scalars(given: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float)) or (isinstance(v, np.generic) and v.ndim == 0) for v in given)


def point_function(
    graph: Graph, names: Sequence[str], fixed: Mapping[str, float] | None = None
) -> Callable[[Sequence[float]], tuple[float, list[float]]]:
    """The scalar path for one graph at many points (optimizer paths): ``f(point)``, `point` the
    values of `names` in order and `fixed` all the graph's other inputs, gives the output's value and
    d(output)/d(name) for each name (0.0 for a name the graph lacks). It is `run` on `math` minus
    `evaluate`'s per-call bookkeeping (input dict, Result), so the same floats; unlike `evaluate`,
    it raises where `math` does (log(-1), 1/0, overflow): the caller falls back to `evaluate`."""
    plan, fixed = plan_for(graph), dict(fixed or {})
    column = {name: k for k, name in enumerate([*fixed, *names])}  # `names` win over `fixed`
    given_inputs(graph, column)  # the same error for an input given neither way
    columns = [column[name] for name in graph.inputs]  # where each graph input is in [*held, *point]
    held, output = [float(v) for v in fixed.values()], plan.output
    ids = [graph.input_ids.get(name) for name in names]

    def at(point: Sequence[float]) -> tuple[float, list[float]]:
        row = [*held, *point]
        values, grads = run(plan, [row[k] for k in columns], FLOATS)
        return values[output], [0.0 if i is None else grads[i] for i in ids]

    return at
