"""Loss surfaces of the optimizer lab: named 2-D test functions, and grids of any expression.

Every surface is written in the app's own expression language, so the optimizers and the heat map
run through the same engine as the graph view. ``surface_grid`` evaluates value and gradient field
over a whole grid in one vectorized engine call (``Graph.value_and_grad``); ``surface_from_expression`` turns a user's
expression into a ``Surface`` by choosing two of its inputs as axes and holding the others fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from core.parser import parse

Point = tuple[float, float]
Range = tuple[float, float]


class Differentiable(Protocol):
    """What surfaces and trajectories need of a graph (``core.Graph`` is one): its input names, and
    the output's value with d(output)/d(input) by name, on floats or broadcasting arrays."""

    @property
    def inputs(self) -> Sequence[str]: ...

    def value_and_grad(self, inputs: Mapping[str, Any]) -> tuple[Any, Mapping[str, Any]]: ...


PI = "3.141592653589793"  # the language has no pi constant

# Logistic regression on one feature: (feature, label) pairs, not linearly separable, so the loss
# has a finite minimum. The two axes are the weight w and the bias b.
LOGISTIC_DATA: tuple[tuple[float, int], ...] = (
    (-2.0, 0),
    (-1.2, 0),
    (-0.6, 1),
    (-0.1, 0),
    (0.4, 1),
    (0.9, 0),
    (1.5, 1),
    (2.2, 1),
)


def logistic_loss_expression(data: Sequence[tuple[float, int]] = LOGISTIC_DATA) -> str:
    """Mean binary cross-entropy, written out: softplus(-z) for label 1, softplus(z) for label 0."""
    terms = [f"softplus(-({x!r}*w + b))" if label else f"softplus({x!r}*w + b)" for x, label in data]
    return f"({' + '.join(terms)}) / {len(data)}"


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: its expression, the window to draw, where runs start, known minima."""

    name: str
    title: str
    expression: str
    x_range: Range
    y_range: Range
    start: Point
    minima: tuple[Point, ...] = ()
    log_color: bool = False  # color by log(loss - min) when values span several decades
    axes: tuple[str, str] = ("x", "y")
    fixed: Mapping[str, float] = field(default_factory=dict)  # other inputs, held constant

    def start_values(self) -> dict[str, float]:
        """The start point by axis name, as ``optimize(start=...)`` takes it."""
        return dict(zip(self.axes, self.start))


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface("bowl", "Bowl  x² + y²", "x**2 + y**2", (-2.0, 2.0), (-2.0, 2.0), (-1.5, 1.7), ((0.0, 0.0),)),
        Surface(
            "ellipse",
            "Ill-conditioned ellipse  x² + 20y²",
            "x**2 + 20*y**2",
            (-3.0, 3.0),
            (-2.0, 2.0),
            (-2.5, 1.5),
            ((0.0, 0.0),),
        ),
        Surface(
            "rosenbrock",
            "Rosenbrock's banana valley",
            "(1 - x)**2 + 100*(y - x**2)**2",
            (-2.0, 2.0),
            (-1.0, 3.0),
            (-1.5, 2.0),
            ((1.0, 1.0),),
            log_color=True,
        ),
        Surface(
            "beale",
            "Beale's function",
            "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
            (-4.5, 4.5),
            (-4.5, 4.5),
            (1.0, 1.4),
            ((3.0, 0.5),),
            log_color=True,
        ),
        Surface(
            "himmelblau",
            "Himmelblau's four valleys",
            "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            (-5.0, 5.0),
            (-5.0, 5.0),
            (-0.5, -0.5),
            (
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.2831859912861696),
                (3.5844283403304917, -1.8481265269644036),
            ),
            log_color=True,
        ),
        Surface("saddle", "Saddle  x² − y²", "x**2 - y**2", (-2.0, 2.0), (-2.0, 2.0), (-1.5, 0.01)),
        Surface(
            "rastrigin",
            "Rastrigin's egg crate",
            f"20 + x**2 - 10*cos(2*{PI}*x) + y**2 - 10*cos(2*{PI}*y)",
            (-5.12, 5.12),
            (-5.12, 5.12),
            (3.2, -2.6),
            ((0.0, 0.0),),
        ),
        Surface(
            "logistic",
            "Logistic regression loss over weight w and bias b",
            logistic_loss_expression(),
            (-3.0, 5.0),
            (-4.0, 4.0),
            (-2.5, 3.0),
            ((1.1335320924533818, -0.1635550903963739),),
            axes=("w", "b"),
        ),
    )
}


class SurfaceGrid(NamedTuple):
    """Value and gradient field on a grid; ``Z[i, j]`` is at ``(X[i, j], Y[i, j])``, rows along y."""

    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    dZdX: np.ndarray
    dZdY: np.ndarray


def as_graph(expression_or_graph: str | Differentiable) -> Differentiable:
    """Text parsed into a graph (a ParseError for bad text); a graph as it is."""
    return parse(expression_or_graph) if isinstance(expression_or_graph, str) else expression_or_graph


def _held_inputs(graph: Differentiable, axes: Sequence[str], fixed: Mapping[str, float]) -> dict[str, float]:
    missing = [name for name in graph.inputs if name not in axes and name not in fixed]
    if missing:
        raise ValueError(
            f"input{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"{'are' if len(missing) > 1 else 'is'} not an axis of {tuple(axes)}; "
            "hold it at a value with fixed={name: value}"
        )
    return {name: float(fixed[name]) for name in graph.inputs if name not in axes}


def surface_grid(
    expression_or_graph: str | Differentiable,
    axes: tuple[str, str] = ("x", "y"),
    x_range: Range = (-2.0, 2.0),
    y_range: Range = (-2.0, 2.0),
    n: int = 200,
    fixed: Mapping[str, float] | None = None,
) -> SurfaceGrid:
    """Loss and gradient on an n×n grid, in one vectorized engine call.

    Inputs other than the two axes are held at their ``fixed`` values; an axis that the expression
    does not use gets a zero gradient. nan/inf where the expression is undefined, never an error.
    """
    graph = as_graph(expression_or_graph)
    held = _held_inputs(graph, axes, fixed or {})
    X, Y = np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n))
    grid = {axes[0]: X, axes[1]: Y}
    value, grad = graph.value_and_grad({**held, **{name: grid[name] for name in axes if name in graph.inputs}})

    def field_of(value: object) -> npt.NDArray[np.float64]:
        return np.array(np.broadcast_to(np.asarray(value, float), X.shape))

    return SurfaceGrid(X, Y, field_of(value), field_of(grad.get(axes[0], 0.0)), field_of(grad.get(axes[1], 0.0)))


def surface_from_expression(
    text: str,
    axes: tuple[str, str] | None = None,
    fixed: Mapping[str, float] | None = None,
    x_range: Range = (-3.0, 3.0),
    y_range: Range = (-3.0, 3.0),
    start: Point | None = None,
) -> Surface:
    """A ``Surface`` for any expression; the axes default to its first two inputs.

    A ParseError (a ValueError) for bad text; a ValueError if an input is neither an axis nor
    fixed. The color scale turns logarithmic when the values on the window span over 1000.
    """
    graph = as_graph(text)
    names = tuple(graph.inputs) + tuple(n for n in ("x", "y") if n not in graph.inputs)
    axes = axes or (names[0], names[1])
    held = _held_inputs(graph, axes, fixed or {})
    start = start or (x_range[0] + 0.8 * (x_range[1] - x_range[0]), y_range[0] + 0.8 * (y_range[1] - y_range[0]))
    Z = surface_grid(graph, axes, x_range, y_range, n=40, fixed=held).Z
    finite = Z[np.isfinite(Z)]
    log_color = bool(finite.size) and float(finite.max() - finite.min()) > 1000.0
    title = "; ".join(line.strip() for line in text.replace(";", "\n").splitlines() if line.strip())
    return Surface("custom", title, text, x_range, y_range, start, (), log_color, axes, held)
