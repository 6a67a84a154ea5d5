"""Check the engine's gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.graph import Graph
from core.interpreter import GRIDS, forward, plan_for

TOLERANCE = 1e-5
EPSILON = 2.0**-52  # float64's relative rounding
ROUNDING_SAFETY = 16.0  # f(x±h) carries a few roundings from every gate on the way
BLOCK = 128  # inputs per forward pass: arrays of 256 points at every node


@dataclass(frozen=True)
class InputCheck:
    """One input's analytic gradient next to its central finite difference."""

    name: str
    analytic: float
    numeric: float
    rel_error: float
    noise: float = 0.0  # how far off the finite difference itself can be from rounding f

    @property
    def agrees(self) -> bool:
        return self.rel_error <= TOLERANCE

    @property
    def unresolved(self) -> bool:
        """The two differ by less than the finite difference's own rounding noise: at f ≈ 1e8 a step
        of 1e-6 cannot see a gradient of 1e-12. That says nothing against the engine's gradient."""
        return not self.agrees and abs(self.analytic - self.numeric) <= self.noise

    @property
    def ok(self) -> bool:
        """No disagreement found: it agrees, or the finite difference cannot tell."""
        return self.agrees or self.unresolved


@dataclass(frozen=True)
class GateCheck:
    """A gate the program defines (`mysig(a) = …`) at one call: each argument's local
    derivative as the backward pass uses it (`analytic`: the program's formula where it gives one)
    next to the central finite difference of the gate's body at the values the call received."""

    node: int
    name: str
    arguments: dict[str, InputCheck]

    @property
    def ok(self) -> bool:
        return all(check.ok or not _finite(check) for check in self.arguments.values())


@dataclass(frozen=True)
class GradCheck:
    inputs: dict[str, InputCheck]
    gates: tuple[GateCheck, ...] = ()  # every call of a gate the program defines, in topological order

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.inputs.values())

    @property
    def wrong_gates(self) -> tuple[int, ...]:
        """Ids of the gates whose local derivative disagrees with finite differences of their body."""
        return tuple(gate.node for gate in self.gates if not gate.ok)

    @property
    def max_rel_error(self) -> float:
        return max((check.rel_error for check in self.inputs.values()), default=0.0)


def relative_error(a: float, b: float) -> float:
    """|a − b| / max(|a|, |b|), with 0 when both are (near) zero and nan when either is not finite."""
    scale = max(abs(a), abs(b))
    if scale != scale or scale == float("inf"):
        return float("nan") if a != b else 0.0
    return 0.0 if scale < 1e-12 else abs(a - b) / scale


def gradcheck(graph: Graph, inputs: Mapping[str, float], step: float = 1e-6) -> GradCheck:
    """Compare every input's gradient with (f(x+h) − f(x−h)) / 2h, h relative to |x|.

    The differences come from forward passes on arrays, not from 2n scalar evaluations: for a block
    of inputs, a batch of two points per input (up by h, down by h), the others held as scalars that
    broadcast. One pass for up to `BLOCK` inputs keeps a big graph's arrays small."""
    names = graph.inputs
    point = np.array([float(inputs[name]) for name in names])
    analytic = graph.evaluate(dict(zip(names, point.tolist()))).grad
    h = step * np.maximum(1.0, np.abs(point))
    up, down = np.empty(len(names)), np.empty(len(names))
    for first in range(0, len(names), BLOCK):
        block = range(first, min(first + BLOCK, len(names)))
        up[block.start : block.stop], down[block.start : block.stop] = _moved_one_at_a_time(graph, point, h, block)
    numeric = (up - down) / (2 * h)
    noise = ROUNDING_SAFETY * EPSILON * (np.abs(up) + np.abs(down)) / (2 * h)
    checks = {}
    for k, name in enumerate(names):
        exact, estimate = float(analytic[name]), float(numeric[k])
        checks[name] = InputCheck(name, exact, estimate, relative_error(exact, estimate), float(noise[k]))
    return GradCheck(checks, check_gates(graph, inputs, step))


def check_gates(graph: Graph, inputs: Mapping[str, float], step: float = 1e-6) -> tuple[GateCheck, ...]:
    """Every call of a gate the program defines, checked at the point where `inputs` evaluate it: its
    local derivatives (the program's own formulas where given, else the engine's through the body)
    against central finite differences of its body. Folds (`core.collapse`) are the engine's own
    derivative of the graph's gates, which the inputs' check already covers."""
    folds = [node for node in graph.gates if node.fold is not None and node.fold.defined]
    if not folds:
        return ()
    with np.errstate(all="ignore"):
        values = graph.evaluate({name: float(inputs[name]) for name in graph.inputs}).values
    checks = []
    for node in folds:
        assert node.fold is not None
        body = node.fold.body
        point = np.array([float(values[a]) for a in node.args])
        with np.errstate(all="ignore"):
            out = node.operation.forward(np, *[np.float64(x) for x in point], None)
            local = node.operation.local_grads(np, out, *[np.float64(x) for x in point], None)
        given = (local,) if len(node.args) == 1 else tuple(local)
        h = step * np.maximum(1.0, np.abs(point))
        up, down = _moved_one_at_a_time(body, point, h, range(len(point)))
        numeric = (up - down) / (2 * h)
        noise = ROUNDING_SAFETY * EPSILON * (np.abs(up) + np.abs(down)) / (2 * h)
        arguments = {}
        for k, name in enumerate(body.inputs):
            exact, estimate = float(given[k]), float(numeric[k])
            arguments[name] = InputCheck(name, exact, estimate, relative_error(exact, estimate), float(noise[k]))
        checks.append(GateCheck(node.id, node.fold.name, arguments))
    return tuple(checks)


def _finite(check: InputCheck) -> bool:
    """Both numbers finite: where a body is nan or inf at the point, its differences cannot judge."""
    return bool(np.isfinite(check.analytic) and np.isfinite(check.numeric))


def _moved_one_at_a_time(graph: Graph, point: np.ndarray, h: np.ndarray, block: range) -> tuple[np.ndarray, np.ndarray]:
    """f with input k moved up by h[k] and down by h[k], for each k of `block`, in one forward pass."""
    columns: list[np.ndarray | np.float64] = [np.float64(x) for x in point]  # held inputs broadcast
    for j, k in enumerate(block):  # point 2j: input k up, point 2j+1: input k down
        column = np.full(2 * len(block), point[k])
        column[2 * j] += h[k]
        column[2 * j + 1] -= h[k]
        columns[k] = column
    plan = plan_for(graph)
    with np.errstate(all="ignore"):
        values = forward(plan, columns, GRIDS)[plan.output]
    pairs = np.broadcast_to(values, (2 * len(block),)).reshape(len(block), 2)
    return pairs[:, 0], pairs[:, 1]
