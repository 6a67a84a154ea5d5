"""Forward and reverse-mode evaluation of a `Graph`, on floats or on numpy arrays.

The graph is compiled once into a plan of tuples with precomputed argument indices; evaluation is
then two flat loops over that plan (forward, then reversed), the jaxpr way. Plain float inputs run
on Python's `math` (fast); if `math` meets a domain error (log(-1), 1/0, overflow) the run is
repeated with numpy, whose nan/inf results are the documented behaviour. Array inputs broadcast and
run on numpy in one vectorized pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from core.graph import Graph
from core.ops import OPS, SCALAR_MATH


@dataclass(frozen=True)
class Plan:
    """A graph compiled for evaluation: leaves to fill, then gates as (id, unary, a, b, fn, p)."""

    size: int
    inputs: tuple[tuple[int, str], ...]
    constants: tuple[tuple[int, float], ...]
    forward: tuple[tuple[int, bool, int, int, Any, Any], ...]
    backward: tuple[tuple[int, bool, int, int, Any, Any], ...]
    output: int


def compile_plan(graph: Graph) -> Plan:
    inputs, constants, forward = [], [], []
    for node in graph.nodes:
        if node.op == "input":
            inputs.append((node.id, node.name))
        elif node.op == "const":
            constants.append((node.id, node.param))
        else:
            op = OPS[node.op]
            a = node.args[0]
            b = node.args[1] if op.arity == 2 else a
            forward.append((node.id, op.arity == 1, a, b, op.forward, node.param))
    backward = tuple(
        (i, unary, a, b, OPS[graph.nodes[i].op].local_grads, p) for i, unary, a, b, _, p in reversed(forward)
    )
    return Plan(len(graph.nodes), tuple(inputs), tuple(constants), tuple(forward), backward, graph.output)


@dataclass(frozen=True, eq=False)
class Result:
    """The output's `value`, d(output)/d(input) by input name in `grad`, and every node's value and
    gradient in `values` and `grads` (lists by node id). On grids the last two are computed when
    first read: a loss surface needs only `value` and `grad`, and holding every node's arrays through
    the backward pass makes it ~1.6× slower (more memory, more page faults)."""

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
    plan = _plan(graph)
    given = _given(graph, inputs)
    if _all_scalars(given):
        scalars = {name: float(v) for name, v in given.items()}
        try:
            values, grads = _run(plan, scalars, SCALAR_MATH, 1.0)
        except (ArithmeticError, ValueError, TypeError):
            with np.errstate(all="ignore"):
                values, grads = _run(plan, {k: np.float64(v) for k, v in scalars.items()}, np, 1.0)
                values = [float(v) for v in values]
                grads = [float(g) for g in grads]
        return Result(graph, values[plan.output], {name: grads[i] for i, name in plan.inputs}, lambda: (values, grads))
    lean, lean_grads, shape = _evaluate_arrays(plan, given, keep_intermediates=False)

    def every_node() -> tuple[list[Any], list[Any]]:
        # Recomputed from the same input arrays (changing them in place before reading would show).
        values, grads, _ = _evaluate_arrays(plan, given, keep_intermediates=True)
        return [np.broadcast_to(v, shape) for v in values], [np.broadcast_to(g, shape) for g in grads]

    # Every grid point is its own evaluation, so broadcasting a gradient is exact (nothing to sum).
    return Result(
        graph,
        np.broadcast_to(lean[plan.output], shape),
        {name: np.broadcast_to(lean_grads[i], shape) for i, name in plan.inputs},
        every_node,
    )


def value_and_grad(graph: Graph, inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Only the output's value and the inputs' gradients (what a loss surface needs)."""
    result = evaluate(graph, inputs)
    return result.value, result.grad


def _evaluate_arrays(plan: Plan, given: Mapping[str, Any], keep_intermediates: bool) -> tuple[list, list, tuple]:
    arrays = {name: np.asarray(v, dtype=float) for name, v in given.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    with np.errstate(all="ignore"):
        values = _forward(plan, arrays, np)
        output = values[plan.output]
        grads = _backward_arrays(plan, values, keep_intermediates)
    values[plan.output] = output
    return values, grads, shape


def _given(graph: Graph, inputs: Mapping[str, Any]) -> dict[str, Any]:
    missing = [name for name in graph.inputs if name not in inputs]
    if missing:
        raise ValueError(f"missing value for input{'s' if len(missing) > 1 else ''} " + ", ".join(map(repr, missing)))
    return {name: inputs[name] for name in graph.inputs}


def _all_scalars(given: Mapping[str, Any]) -> bool:
    return all(isinstance(v, (int, float)) or (isinstance(v, np.generic) and v.ndim == 0) for v in given.values())


def _plan(graph: Graph) -> Plan:
    # Cached on the graph: compiling is the only per-graph cost, evaluation is the per-call cost.
    plan = graph.__dict__.get("_plan")
    if plan is None:
        plan = compile_plan(graph)
        object.__setattr__(graph, "_plan", plan)
    return plan


def _run(plan: Plan, given: Mapping[str, Any], xp: Any, seed: Any) -> tuple[list[Any], list[Any]]:
    """The two loops: forward over the gates, then backward, summing gradients at fan-out."""
    v = _forward(plan, given, xp)
    g: list[Any] = [0.0] * plan.size
    g[plan.output] = seed
    for i, unary, a, b, local_grads, p in plan.backward:
        upstream = g[i]
        if unary:
            g[a] = g[a] + upstream * local_grads(xp, v[i], v[a], p)
        else:
            da, db = local_grads(xp, v[i], v[a], v[b], p)
            g[a] = g[a] + upstream * da
            g[b] = g[b] + upstream * db
    return v, g


def point_function(
    graph: Graph, names: Sequence[str], fixed: Mapping[str, float] | None = None
) -> Callable[[Sequence[float]], tuple[float, list[float]]]:
    """The scalar path for one graph at many points (optimizer paths): ``f(point)``, `point` the
    values of `names` in order and `fixed` all the graph's other inputs, gives the output's value and
    d(output)/d(name) for each name (0.0 for a name the graph lacks). It is `_run` on `math` minus
    `evaluate`'s per-call bookkeeping (input dict, Result), so the same floats; like that `_run`,
    it raises where `math` does (log(-1), 1/0, overflow): the caller falls back to `evaluate`."""
    plan, fixed = _plan(graph), dict(fixed or {})
    column = {name: k for k, name in enumerate([*fixed, *names])}  # `names` win over `fixed`
    # The same plan with each input's name replaced by its column: a list of values is then `given`.
    by_column = replace(plan, inputs=tuple((i, column[name]) for i, name in plan.inputs))
    held, output = [float(v) for v in fixed.values()], plan.output
    ids = [graph.input_ids.get(name) for name in names]

    def at(point: Sequence[float]) -> tuple[float, list[float]]:
        values, grads = _run(by_column, [*held, *point], SCALAR_MATH, 1.0)
        return values[output], [0.0 if i is None else grads[i] for i in ids]

    return at


def _forward(plan: Plan, given: Mapping[str, Any], xp: Any) -> list[Any]:
    v: list[Any] = [0.0] * plan.size
    for i, name in plan.inputs:
        v[i] = given[name]
    for i, c in plan.constants:
        v[i] = np.float64(c) if xp is np else c  # numpy scalars give inf/nan where floats raise
    for i, unary, a, b, forward, p in plan.forward:
        v[i] = forward(xp, v[a], p) if unary else forward(xp, v[a], v[b], p)
    return v


def _backward_arrays(plan: Plan, v: list[Any], keep_intermediates: bool = True) -> list[Any]:
    """The backward loop for grids: the same chain rule, minus the copies a grid can't afford
    (no multiplying by a local gradient of ±1, no adding to a zero that isn't there yet; with
    keep_intermediates=False, no holding on to a gate's arrays once its step is done)."""
    leaves = {i for i, _ in plan.inputs}
    g: list[Any] = [None] * plan.size
    g[plan.output] = 1.0
    for i, unary, a, b, local_grads, p in plan.backward:
        upstream = g[i]
        if upstream is None:  # the output does not depend on this node
            continue
        if unary:
            _accumulate(g, a, upstream, local_grads(np, v[i], v[a], p))
        else:
            da, db = local_grads(np, v[i], v[a], v[b], p)
            _accumulate(g, a, upstream, da)
            _accumulate(g, b, upstream, db)
        if not keep_intermediates and i not in leaves:
            v[i] = g[i] = None  # its users are all done (reverse topological order): free the memory
    return [0.0 if x is None else x for x in g]


def _accumulate(g: list[Any], target: int, upstream: Any, local_grad: Any) -> None:
    if isinstance(local_grad, float) and abs(local_grad) == 1.0:
        contribution = upstream if local_grad > 0 else -upstream
    elif isinstance(upstream, float) and upstream == 1.0:
        contribution = local_grad
    else:
        contribution = upstream * local_grad
    g[target] = contribution if g[target] is None else g[target] + contribution
