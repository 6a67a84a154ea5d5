"""Check the engine's gradients against central finite differences."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.graph import Graph

TOLERANCE = 1e-5


@dataclass(frozen=True)
class InputCheck:
    """One input's analytic gradient next to its central finite difference."""

    name: str
    analytic: float
    numeric: float
    rel_error: float

    @property
    def ok(self) -> bool:
        return self.rel_error <= TOLERANCE


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
    """Compare every input's gradient with (f(x+h) − f(x−h)) / 2h, h relative to |x|."""
    point = {name: float(inputs[name]) for name in graph.inputs}
    analytic = graph.evaluate(point).grad
    checks = {}
    for name in graph.inputs:
        h = step * max(1.0, abs(point[name]))
        up = graph.evaluate({**point, name: point[name] + h}).value
        down = graph.evaluate({**point, name: point[name] - h}).value
        numeric = (up - down) / (2 * h)
        checks[name] = InputCheck(name, float(analytic[name]), float(numeric),
                                  relative_error(float(analytic[name]), float(numeric)))
    return GradCheck(checks)
