"""What the activations tab shows, without Qt: the chosen activations, their curves, the chain.

`ActivationsState` owns every choice the user makes in the tab (which activations are shown, their
slope / α, the saturation threshold, the a-range, the chain's activation, depth, weight, bias and
input) and the engine's answers for them (`curves`, `chain`, `references`). The views take it in
their constructor, call its `set_…` methods and redraw when it emits; they never read each other.

Every number is a `core.activations` evaluation: a handful of vectorized engine passes over a grid of
801 points costs about a millisecond, so it is computed on the spot (the drawing is what costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from psygnal import Signal

from core.activations import (
    ACTIVATIONS,
    MAX_LAYERS,
    ActivationCurve,
    GradientChain,
    activation_curve,
    activation_named,
    gradient_chain,
    saturated_intervals,
)
from graphviz_app.jobs import Runner
from graphviz_app.numbers import number

if TYPE_CHECKING:  # the theme module is Qt; the state only passes the one Theme object on to the views
    from graphviz_app.debugger.state import AppState
    from graphviz_app.theme import Theme

GRID_POINTS = 801
DEFAULT_SHOWN = ("sigmoid", "tanh", "relu")
REFERENCES = ("relu", "sigmoid")  # drawn dashed beside the chosen chain, with the same w, b and x
MAX_RANGE = 50.0


class Debugger(Protocol):
    """Where "Open in graph view" sends the chain: the debugger's `AppState`."""

    def show_in_debugger(self, text: str, inputs: dict[str, float]) -> bool: ...


@dataclass(frozen=True)
class DeadLayer:
    """Where a chain's gradient stops dead: layer `layer` of `layers`, whose pre-activation `a` has f′(a) = 0."""

    layer: int
    layers: int
    a: float


class ActivationsState:
    """The activations tab's model: choices in, engine curves and the gradient chain out."""

    sig_curves_changed = Signal()  # shown activations, a parameter, the threshold or the a-range changed
    sig_chain_changed = Signal()  # the chain was evaluated again (`chain`, `references`)
    sig_hover_changed = Signal(object)  # the a under the mouse (float), or None when nothing is hovered

    def __init__(self, theme: Theme, runner: Runner | None = None, debugger: Debugger | None = None) -> None:
        self.theme = theme
        self.runner = runner  # unused today: every evaluation here takes about a millisecond
        self.debugger = debugger
        self.shown: tuple[str, ...] = DEFAULT_SHOWN
        self.parameters: dict[str, float] = {n: a.default for n, a in ACTIVATIONS.items() if a.parameter is not None}
        self.threshold = 0.05
        self.x_range = (-5.0, 5.0)
        self.grid = np.linspace(*self.x_range, GRID_POINTS)
        self.chain_activation = "sigmoid"
        self.layers = 10
        self.weight, self.bias, self.start = 1.0, 0.5, 1.0
        self.hover: float | None = None
        self.curves: dict[str, ActivationCurve] = {}
        self.references: dict[str, GradientChain] = {}
        self._compute_curves()
        self.chain: GradientChain = self._compute_chain()

    @classmethod
    def of_app(cls, app: AppState) -> ActivationsState:
        """The tab's state in the window: the debugger's one theme and runner, "Open in graph view" to it."""
        return cls(app.theme, app.runner, app)

    # ---- the curves ----

    def set_shown(self, name: str, on: bool) -> None:
        """Show or hide one activation's f and f′ (the table's order is kept)."""
        activation_named(name)
        wanted = set(self.shown) | {name} if on else set(self.shown) - {name}
        shown = tuple(n for n in ACTIVATIONS if n in wanted)
        if shown != self.shown:
            self.shown = shown
            self._curves_changed()

    def set_parameter(self, name: str, value: float) -> None:
        """The slope / α of a parametrized activation; the chain follows when it uses that activation."""
        if name not in self.parameters:
            raise ValueError(f"{activation_named(name).display_name} has no parameter")
        activation = ACTIVATIONS[name]
        value = min(max(float(value), activation.low), activation.high)
        if value == self.parameters[name]:
            return
        self.parameters[name] = value
        self._curves_changed()
        if self.chain_activation == name:
            self._chain_changed()

    def parameter(self, name: str) -> float | None:
        return self.parameters.get(name)

    def set_threshold(self, threshold: float) -> None:
        """Shade where |f′(a)| < threshold."""
        if threshold <= 0 or not np.isfinite(threshold):
            raise ValueError(f"the saturation threshold must be a positive number, not {threshold}")
        if threshold != self.threshold:
            self.threshold = float(threshold)
            self.sig_curves_changed.emit()

    def set_x_range(self, low: float, high: float) -> None:
        """The a-range of both plots (a ValueError unless low < high, both within ±50)."""
        if not (np.isfinite(low) and np.isfinite(high) and -MAX_RANGE <= low < high <= MAX_RANGE):
            raise ValueError(f"the a-range must be low < high within ±{MAX_RANGE:g}, not {low}..{high}")
        if (low, high) != self.x_range:
            self.x_range = (float(low), float(high))
            self.grid = np.linspace(low, high, GRID_POINTS)
            self._curves_changed()

    def shaded_regions(self) -> list[tuple[str, float, float]]:
        """(activation, first a, last a) of every saturated run, for shading the f′ plot."""
        return [
            (name, low, high)
            for name, curve in self.curves.items()
            for low, high in saturated_intervals(self.grid, curve.saturated(self.threshold))
        ]

    @property
    def legend_texts(self) -> list[str]:
        """The engine's text of every shown activation, parameters included (`leaky_relu(a, slope=0.1)`),
        the parameter written by the one number formatter (a slid 1.0999999999999999 reads 1.1)."""
        return [activation_named(name).expression("a", self.parameters.get(name), number) for name in self.shown]

    def set_hover(self, a: float | None) -> None:
        """The a the mouse is over (snapped to the grid), or None."""
        snapped = None if a is None else float(self.grid[int(np.abs(self.grid - a).argmin())])
        if snapped != self.hover:
            self.hover = snapped
            self.sig_hover_changed.emit(snapped)

    def readout(self) -> list[tuple[str, float, float]]:
        """(activation, f(a), f′(a)) at the hovered a for every shown activation ([] when nothing is hovered)."""
        if self.hover is None:
            return []
        i = int(np.abs(self.grid - self.hover).argmin())
        return [(name, float(c.value[i]), float(c.derivative[i])) for name, c in self.curves.items()]

    # ---- the chain ----

    def set_chain(
        self,
        activation: str | None = None,
        layers: int | None = None,
        weight: float | None = None,
        bias: float | None = None,
        start: float | None = None,
    ) -> None:
        """Change any of the chain's settings; it is evaluated again once."""
        if activation is not None:
            activation_named(activation)
        if layers is not None and not 1 <= int(layers) <= MAX_LAYERS:
            raise ValueError(f"layers must be between 1 and {MAX_LAYERS}, got {layers}")
        numbers = [v for v in (weight, bias, start) if v is not None]
        if not all(np.isfinite(v) for v in numbers):
            raise ValueError("the chain's weight, bias and input must be finite numbers")
        before = (self.chain_activation, self.layers, self.weight, self.bias, self.start)
        self.chain_activation = activation if activation is not None else self.chain_activation
        self.layers = int(layers) if layers is not None else self.layers
        self.weight = float(weight) if weight is not None else self.weight
        self.bias = float(bias) if bias is not None else self.bias
        self.start = float(start) if start is not None else self.start
        if (self.chain_activation, self.layers, self.weight, self.bias, self.start) != before:
            self._chain_changed()

    def dead_layer(self) -> DeadLayer | None:
        """Where exactly no gradient gets through (f′(a) = 0, a dead ReLU), or None when some reaches x.

        None also when w = 0 (then no layer passes anything back, not one dead layer).
        """
        gradients = self.chain.gradients  # index k: |∂out/∂h_k|, k = 0 the input
        if gradients[0] != 0 or not np.isfinite(gradients).all() or self.weight == 0:
            return None
        # The layer nearest the output whose input gets no gradient: there f′(a) = 0.
        k = max(k for k in range(1, len(gradients)) if gradients[k - 1] == 0 and gradients[k] != 0)
        return DeadLayer(k, self.layers, self.weight * float(self.chain.values[k - 1]) + self.bias)

    def show_in_debugger(self) -> bool:
        """Hand the chain's program and inputs to the debugger (False without one, or if it refuses)."""
        if self.debugger is None:
            return False
        return self.debugger.show_in_debugger(self.chain.program, dict(self.chain.inputs))

    # ---- computing ----

    def _curves_changed(self) -> None:
        self._compute_curves()
        self.sig_curves_changed.emit()

    def _chain_changed(self) -> None:
        self.chain = self._compute_chain()
        self.sig_chain_changed.emit()

    def _compute_curves(self) -> None:
        self.curves = {name: activation_curve(name, self.grid, self.parameter(name)) for name in self.shown}
        if self.hover is not None and not self.x_range[0] <= self.hover <= self.x_range[1]:
            self.hover = None

    def _compute_chain(self) -> GradientChain:
        settings = {"weight": self.weight, "bias": self.bias, "start": self.start}
        name = self.chain_activation
        self.references = {
            other: gradient_chain(other, self.layers, **settings) for other in REFERENCES if other != name
        }
        return gradient_chain(name, self.layers, parameter=self.parameter(name), **settings)

    # ---- sessions (graphviz_app.activations.saved) ----

    def to_dict(self) -> dict[str, object]:
        """Every choice of the tab as JSON values (shown activations, parameters, range, the chain)."""
        from graphviz_app.activations.saved import activations_to_dict

        return activations_to_dict(self)

    def from_dict(self, data: object) -> list[str]:
        """Put `to_dict`'s values back; a value that cannot be used keeps the tab's own and is one message."""
        from graphviz_app.activations.saved import activations_from_dict

        return activations_from_dict(self, data)
