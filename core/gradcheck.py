"""Check the engine's gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.evaluate import GRIDS, forward, plan_for
from core.graph import Graph

TOLERANCE = 1e-5
EPSILON = 2.0**-52  # float64's relative rounding
ROUNDING_SAFETY = 16.0  # f(x±h) carries a few roundings from every gate on the way


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
class GradCheck:
    inputs: dict[str, InputCheck]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.inputs.values())

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

    All the differences come from one forward pass on arrays: for n inputs, a batch of 2n points,
    point 2k with input k moved up by h and point 2k+1 with it moved down, every other input held.
    That is the grid path of the same interpreter, instead of 2n scalar evaluations."""
    names = graph.inputs
    point = np.array([float(inputs[name]) for name in names])
    analytic = graph.evaluate(dict(zip(names, point.tolist()))).grad
    if not names:
        return GradCheck({})
    h = step * np.maximum(1.0, np.abs(point))
    n = len(names)
    batch = np.tile(point, (2 * n, 1))  # row 2k: input k up by h; row 2k+1: down by h
    rows = np.arange(n)
    batch[2 * rows, rows] += h
    batch[2 * rows + 1, rows] -= h
    plan = plan_for(graph)
    with np.errstate(all="ignore"):
        values = forward(plan, list(batch.T), GRIDS)[plan.output]
    up, down = np.broadcast_to(values, (2 * n,)).reshape(n, 2).T
    numeric = (up - down) / (2 * h)
    noise = ROUNDING_SAFETY * EPSILON * (np.abs(up) + np.abs(down)) / (2 * h)
    checks = {}
    for k, name in enumerate(names):
        exact, estimate = float(analytic[name]), float(numeric[k])
        checks[name] = InputCheck(name, exact, estimate, relative_error(exact, estimate), float(noise[k]))
    return GradCheck(checks)
