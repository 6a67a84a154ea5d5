"""Forward and reverse-mode evaluation of a `Graph`, on floats or on numpy arrays: the public calls.

Plain float inputs run on Python's `math` (fast); if `math` meets a domain error (log(-1), 1/0,
overflow) the run is repeated with numpy scalars, whose nan/inf results are the documented
behaviour. Array inputs broadcast and run on numpy in one vectorized pass. Both are the same two
loops of `core.interpreter`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from core.diagnosis import Diagnosis, Problem
from core.graph import Graph
from core.interpreter import (
    FLOATS,
    GRIDS,
    Backend,
    DropUsedValues,
    backward,
    forward,
    plan_for,
    run,
    run_on_scalars,
)


@dataclass(frozen=True, eq=False)
class Result:
    """The output's `value`, d(output)/d(input) by input name in `grad`, and every node's value and
    gradient in `values` and `grads` (lists by node id). On grids the last two are computed when
    first read: a loss surface needs only `value` and `grad` (see `DropUsedValues`). Where something
    is not finite, `problems` says where it began (`core.diagnosis`)."""

    graph: Graph
    value: Any
    grad: dict[str, Any]
    every_node: Callable[[], tuple[list[Any], list[Any]]] = field(repr=False)
    # The same loops on the same inputs with a `Diagnosis` recorder; only run when something is not
    # finite, so that a finite evaluation (nearly all of them) pays nothing for it.
    diagnose: Callable[[], tuple[Problem, ...]] = field(repr=False, default=tuple)

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
        if _all_finite(self.values) and _all_finite(self.grads):  # nearly always: a sum in C, no loop here
            return frozenset()
        return frozenset(i for i, (v, g) in enumerate(zip(self.values, self.grads)) if not (_finite(v) and _finite(g)))

    @property
    def finite(self) -> bool:
        return not self.nonfinite

    @cached_property
    def problems(self) -> tuple[Problem, ...]:
        """Where each nan/inf began: forward origins in topological order, then backward ones in the
        order the backward pass met them; () when everything is finite."""
        return () if self.finite else self.diagnose()


def _all_finite(numbers: list[Any]) -> bool:
    """True only if every number is finite: then so is their sum (a nan or an inf makes it nan or
    inf). False for a sum that overflows and for grids: the caller then looks at each number."""
    if not numbers or type(numbers[0]) is not float:  # the scalar path gives floats only
        return False
    try:
        return math.isfinite(sum(numbers))
    except TypeError:
        return False


def _finite(x: Any) -> bool:
    if type(x) is float:  # nearly every number of the debugger: no numpy call for each
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def evaluate(graph: Graph, inputs: Mapping[str, Any]) -> Result:
    """Value and gradient of every node for the given input values (floats or broadcastable arrays)."""
    plan = plan_for(graph)
    given = given_inputs(graph, inputs)
    names = graph.inputs
    if all_scalars(given):
        floats = [float(v) for v in given]
        values, grads = run_on_scalars(plan, floats)

        def diagnose_floats() -> tuple[Problem, ...]:
            watching: list[Diagnosis] = []

            def fresh(
                backend: Backend,
            ) -> Diagnosis:  # one for each attempt (math, then numpy scalars): the last one counts
                watching.append(Diagnosis(graph, floats))
                return watching[-1]

            run_on_scalars(plan, floats, fresh)
            return watching[-1].problems

        grad = dict(zip(names, (grads[i] for i in plan.input_ids)))
        return Result(graph, values[plan.output], grad, lambda: (values, grads), diagnose_floats)
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

    def diagnose_grids() -> tuple[Problem, ...]:
        diagnosis = Diagnosis(graph, arrays)
        with np.errstate(all="ignore"):
            run(plan, arrays, GRIDS, diagnosis)
        return diagnosis.problems

    # Every grid point is its own evaluation, so broadcasting a gradient is exact (nothing to sum).
    return Result(
        graph,
        np.broadcast_to(lean_values[plan.output], shape),
        {name: np.broadcast_to(lean_grads[i], shape) for name, i in zip(names, plan.input_ids)},
        every_node,
        diagnose_grids,
    )


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
