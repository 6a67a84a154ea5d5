"""Activation functions as the engine sees them: curves, saturation and the vanishing-gradient chain.

Nothing here differentiates anything by hand. Each activation is a line of text in the engine's own
language (`leaky_relu(a, slope=0.1)`), parsed once and evaluated on a whole grid of `a` values in one
vectorized pass; f(a) is the engine's value and f'(a) its gradient with respect to `a`.

The vanishing-gradient chain is a real program of N layers,

    h1 = sigmoid(w1*x + b1)
    h2 = sigmoid(w2*h1 + b2)
    ...

evaluated once. The engine's per-node gradients then give |∂out/∂h_k| for every layer k (h_0 = x):
how much of the output's gradient is still alive after travelling back through N − k layers. At the
input (k = 0) that is |∂out/∂x|, the number the lecture's "saturated neurons kill the gradients" is
about; the debugger shows the very same numbers on the very same graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.graph import Graph
from core.parser import parse


@dataclass(frozen=True)
class Activation:
    """One row of the activation table: its engine function and its parameter (if it has one).

    No colour: how an activation is drawn is the app's business (`graphviz_app.theme`)."""

    name: str  # the engine's function name
    display_name: str
    parameter: str | None = None  # "slope" (leaky ReLU) or "alpha" (PReLU, ELU)
    default: float = 0.0
    low: float = 0.0  # the parameter slider's range
    high: float = 1.0

    def expression(
        self, argument: str = "a", parameter: float | None = None, number: Callable[[float], str] = repr
    ) -> str:
        """The engine text of f(argument), e.g. `leaky_relu(a, slope=0.1)`.

        `number` writes the parameter: `repr` (exact, for the engine); a legend passes the app's
        formatter, so a slid α of 1.0999999999999999 reads `alpha=1.1`."""
        value = number(float(self.default if parameter is None else parameter))
        if self.name == "prelu":  # PReLU's α is an operand of the gate (learnable), not a keyword
            return f"prelu({argument}, {value})"
        if self.parameter is not None:
            return f"{self.name}({argument}, {self.parameter}={value})"
        return f"{self.name}({argument})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "sigmoid"),
        Activation("tanh", "tanh"),
        Activation("relu", "ReLU"),
        Activation("leaky_relu", "leaky ReLU", "slope", 0.1, 0.0, 0.5),
        Activation("prelu", "PReLU", "alpha", 0.25, -0.5, 1.0),
        Activation("elu", "ELU", "alpha", 1.0, 0.0, 3.0),
        Activation("softplus", "softplus"),
    )
}


def activation_named(name: str) -> Activation:
    """The table row for `name`; an unknown name is a ValueError listing the valid ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(ACTIVATIONS)}") from None


@lru_cache(maxsize=256)
def parsed(text: str) -> Graph:
    """Parse once per text: the GUI asks for the same curves again on every slider tick."""
    return parse(text)


@dataclass(frozen=True, eq=False)
class ActivationCurve:
    """f(a) and f'(a) on a grid, both from one engine evaluation of the activation's expression."""

    activation: Activation
    parameter: float | None
    expression: str
    a: np.ndarray
    value: np.ndarray  # f(a)
    derivative: np.ndarray  # f'(a)

    def saturated(self, threshold: float) -> np.ndarray:
        """Where the neuron is saturated: |f'(a)| < threshold (a boolean mask over `a`)."""
        mask: np.ndarray = np.abs(self.derivative) < threshold
        return mask


def activation_curve(name: str, a: np.ndarray, parameter: float | None = None) -> ActivationCurve:
    """f and f' of the activation `name` at every point of `a`, computed by the engine."""
    activation = activation_named(name)
    text = activation.expression("a", parameter)
    grid = np.asarray(a, dtype=float)
    result = parsed(text).evaluate({"a": grid})
    value = np.array(np.broadcast_to(result.value, grid.shape), dtype=float)
    derivative = np.array(np.broadcast_to(result.grad["a"], grid.shape), dtype=float)
    return ActivationCurve(activation, parameter, text, grid, value, derivative)


def saturated_intervals(a: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The runs of `True` in `mask` as (first a, last a) intervals, for shading a plot."""
    intervals: list[tuple[float, float]] = []
    start: int | None = None
    for i, flag in enumerate(np.asarray(mask, dtype=bool)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            intervals.append((float(a[start]), float(a[i - 1])))
            start = None
    if start is not None:
        intervals.append((float(a[start]), float(a[-1])))
    return intervals


MAX_LAYERS = 30


def chain_program(name: str, layers: int, parameter: float | None = None) -> str:
    """The text of a chain of `layers` neurons: `h{k} = f(w{k}*h{k-1} + b{k})`, with h0 = x."""
    if not 1 <= layers <= MAX_LAYERS:
        raise ValueError(f"layers must be between 1 and {MAX_LAYERS}, got {layers}")
    activation = activation_named(name)
    lines = []
    for k in range(1, layers + 1):
        below = "x" if k == 1 else f"h{k - 1}"
        lines.append(f"h{k} = " + activation.expression(f"w{k}*{below} + b{k}", parameter))
    return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class GradientChain:
    """One evaluation of a chain of layers. Index k of the arrays is layer k; k = 0 is the input x."""

    activation: str
    parameter: float | None
    layers: int
    program: str
    inputs: dict[str, float]  # x, w1, b1, … : what `state.show_in_debugger` needs
    values: np.ndarray  # h_k, shape (layers + 1,)
    gradients: np.ndarray  # |∂out/∂h_k|, shape (layers + 1,); gradients[layers] == 1
    weight_gradients: np.ndarray  # |∂out/∂w_k| for k = 1..layers, shape (layers,)

    @property
    def input_gradient(self) -> float:
        """|∂out/∂x|: what is left of the gradient after going back through every layer."""
        return float(self.gradients[0])

    @property
    def gradient_by_distance(self) -> np.ndarray:
        """|∂out/∂h_k| ordered by how many layers the gradient has gone back (0 = the output)."""
        return self.gradients[::-1].copy()


def gradient_chain(
    name: str, layers: int, weight: float = 1.0, bias: float = 0.5, start: float = 1.0, parameter: float | None = None
) -> GradientChain:
    """Evaluate a chain of `layers` neurons (all with the same weight and bias) from x = `start`."""
    program = chain_program(name, layers, parameter)
    graph = parsed(program)
    inputs = {"x": float(start)}
    for k in range(1, layers + 1):
        inputs[f"w{k}"] = float(weight)
        inputs[f"b{k}"] = float(bias)
    result = graph.evaluate(inputs)
    ids = [graph.input_ids["x"]] + [_named(graph, f"h{k}") for k in range(1, layers + 1)]
    values = np.array([float(result.values[i]) for i in ids])
    gradients = np.abs(np.array([float(result.grads[i]) for i in ids]))
    weight_gradients = np.abs(np.array([float(result.grad[f"w{k}"]) for k in range(1, layers + 1)]))
    return GradientChain(name, parameter, layers, program, inputs, values, gradients, weight_gradients)


def _named(graph: Graph, name: str) -> int:
    for node in graph.nodes:
        if node.name == name and node.op != "input":
            return node.id
    raise KeyError(f"no node named {name!r}")
