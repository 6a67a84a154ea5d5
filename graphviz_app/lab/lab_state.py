"""The optimizer lab's state: which surface, where the runs start, which optimizers with which settings,
their trajectories, and the step being shown.

`LabState` is the one object the lab's views observe (like `AppState` for the debugger). Views connect
to its `sig_…` signals and call its methods; every number comes from `core` (surface grids from
`core.surfaces.surface_grid`, runs from `core.trajectory.optimize_many`), never from a widget.
The "current expression" surface reads the debugger's `AppState`: two of its inputs are the axes and
the others are held at their current values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QObject, QTimer, Signal

import core
from core.optimizers import OPTIMIZERS, ExponentialLR, HyperValue, StepLR
from core.surfaces import SURFACES, Surface, SurfaceGrid, surface_from_expression, surface_grid
from core.trajectory import Trajectory, optimize_many
from graphviz_app.debugger.state import AppState

EXPRESSION = "expression"  # the surface key of "the debugger's current expression"
GRID_SIZE = 200
VALUES_COALESCE_MS = 150
DEFAULT_STEPS = 600
# Learning rates that make the race on Rosenbrock readable in a few hundred steps: plain SGD crawls
# along the valley, momentum gets there, Adam arrives first (torch's defaults barely move).
TEACHING_LR = {"sgd": 1e-3, "momentum": 5e-4, "nesterov": 5e-4, "adagrad": 0.5, "rmsprop": 1e-2, "adam": 0.1}
DECAYS = {
    "none": "constant learning rate",
    "step": "step: ×0.5 every 100 steps",
    "exponential": "exponential: ×0.995 every step",
}


@dataclass(frozen=True)
class RunSettings:
    """One optimizer's row in the checklist: on/off, its hyperparameters, its learning-rate decay."""

    enabled: bool
    hyperparameters: dict[str, HyperValue] = field(default_factory=dict)
    decay: str = "none"

    def schedule(self) -> StepLR | ExponentialLR | None:
        if self.decay == "step":
            return StepLR(100, 0.5)
        if self.decay == "exponential":
            return ExponentialLR(0.995)
        return None


def default_settings() -> dict[str, RunSettings]:
    return {
        name: RunSettings(True, {**spec.defaults(), "lr": TEACHING_LR.get(name, spec.defaults()["lr"])})
        for name, spec in OPTIMIZERS.items()
    }


class LabState(QObject):
    """Surface + start + settings → trajectories, plus the step cursor into them."""

    sig_surface_changed = Signal()  # new surface and grid: plots redraw heat map, contours, minima
    sig_trajectories_changed = Signal()  # runs recomputed (start or settings changed): paths redraw
    sig_step_changed = Signal(int)  # the shown step moved (argument: the new step)
    sig_settings_changed = Signal(str)  # one optimizer's settings changed (argument: its name)
    sig_inspected_changed = Signal(str)  # the optimizer whose update is explained changed

    def __init__(self, app_state: AppState | None = None, steps: int = DEFAULT_STEPS) -> None:
        super().__init__()
        self.app_state = app_state
        self.settings = default_settings()
        self.steps = steps
        self.step = 0
        self.inspected = "adam"
        self.surface_key = "rosenbrock"
        self.surface: Surface = SURFACES["rosenbrock"]
        self.grid: SurfaceGrid = surface_grid(self.surface.expression, n=2)
        self.start: tuple[float, float] = self.surface.start
        self.expression_axes: tuple[str, str] = ("x", "y")
        self.trajectories: dict[str, Trajectory] = {}
        self.error = ""  # why the runs could not be computed at all (e.g. a bad expression)
        self.recompute_ms = 0.0
        # Dragging an input in the debugger fires many value changes; a new grid per pixel would
        # stall the debugger, so value changes are coalesced (a new expression is followed at once).
        self._values_timer = QTimer(self, singleShot=True, interval=VALUES_COALESCE_MS)
        self._values_timer.timeout.connect(self._on_expression_changed)
        if app_state is not None:
            app_state.sig_graph_changed.connect(self._on_expression_changed)
            app_state.sig_values_changed.connect(self._values_timer.start)
        self.set_surface("rosenbrock")

    # ---- the surface ----

    @staticmethod
    def surface_choices() -> list[tuple[str, str]]:
        """(key, title) of every surface the lab offers, the debugger's expression last."""
        return [(key, s.title) for key, s in SURFACES.items()] + [(EXPRESSION, "Current expression")]

    def axis_choices(self) -> list[str]:
        """Inputs of the debugger's expression usable as axes (padded with unused names to two)."""
        names = list(self.app_state.graph.inputs) if self.app_state else []
        for pad in ("x", "y", "u", "v"):
            if len(names) >= 2:
                break
            if pad not in names:
                names.append(pad)
        return names

    def set_surface(self, key: str) -> None:
        """Show a named surface, or the debugger's expression (key `EXPRESSION`); runs restart."""
        if key == EXPRESSION:
            choices = self.axis_choices()
            if not set(self.expression_axes) <= set(choices) or len(set(self.expression_axes)) < 2:
                self.expression_axes = (choices[0], choices[1])
            self.surface = self._expression_surface()
        else:
            self.surface = SURFACES[key]
        self.surface_key = key
        s = self.surface
        self.grid = surface_grid(s.expression, s.axes, s.x_range, s.y_range, GRID_SIZE, s.fixed)
        self.start = s.start
        self.sig_surface_changed.emit()
        self.recompute()

    def set_expression_axes(self, x_axis: str, y_axis: str) -> None:
        if x_axis == y_axis or (x_axis, y_axis) == self.expression_axes:
            return
        self.expression_axes = (x_axis, y_axis)
        if self.surface_key == EXPRESSION:
            self.set_surface(EXPRESSION)

    def _expression_surface(self) -> Surface:
        values = self.app_state.inputs if self.app_state else {}
        ax, ay = self.expression_axes
        cx, cy = float(values.get(ax, 0.0)), float(values.get(ay, 0.0))
        held = {k: v for k, v in values.items() if k not in self.expression_axes}
        text = self.app_state.expression if self.app_state else "x**2 + y**2"
        # The window is centred on the debugger's point, which is also where the runs start.
        return surface_from_expression(text, (ax, ay), held, (cx - 3.0, cx + 3.0), (cy - 3.0, cy + 3.0), start=(cx, cy))

    def _on_expression_changed(self) -> None:
        self._values_timer.stop()
        if self.surface_key == EXPRESSION:
            self.set_surface(EXPRESSION)

    # ---- what runs ----

    def set_start(self, x: float, y: float) -> None:
        """Move the start point (a click on the surface); every selected optimizer runs again."""
        self.start = (float(x), float(y))
        self.recompute()

    def set_enabled(self, name: str, enabled: bool) -> None:
        self._update(name, enabled=bool(enabled))

    def set_hyperparameter(self, name: str, key: str, value: HyperValue) -> None:
        self._update(name, hyperparameters={**self.settings[name].hyperparameters, key: value})

    def set_decay(self, name: str, decay: str) -> None:
        if decay not in DECAYS:
            raise ValueError(f"unknown decay {decay!r}; valid: {', '.join(DECAYS)}")
        self._update(name, decay=decay)

    def set_steps(self, steps: int) -> None:
        self.steps = max(1, int(steps))
        self.recompute()

    def set_inspected(self, name: str) -> None:
        if name != self.inspected:
            self.inspected = name
            self.sig_inspected_changed.emit(name)

    def _update(self, name: str, **changes: object) -> None:
        new = replace(self.settings[name], **changes)
        if new == self.settings[name]:
            return
        self.settings[name] = new
        self.sig_settings_changed.emit(name)
        self.recompute()

    def recompute(self) -> None:
        """Race every enabled optimizer from the start (one engine call per step serves all)."""
        runs = [(name, s.hyperparameters, s.schedule()) for name, s in self.settings.items() if s.enabled]
        began = time.perf_counter()
        self.error = ""
        try:
            start = dict(zip(self.surface.axes, self.start))
            found = optimize_many(self.surface.expression, runs, start, self.steps, self.surface.fixed)
        except (ValueError, core.ParseError) as error:  # a user's expression or setting we cannot run
            self.error = str(error)
            found = []
        except ArithmeticError as error:  # core rejects bad settings first; this is the last safety net
            self.error = f"these hyperparameters cannot run ({error})"
            found = []
        self.recompute_ms = (time.perf_counter() - began) * 1e3
        self.trajectories = {t.optimizer: t for t in found}
        self.step = min(self.step, self.steps)
        self.sig_trajectories_changed.emit()  # views redraw at self.step; no separate step signal

    def messages(self) -> list[str]:
        """What went wrong, in the user's words: one line per distinct problem (runs that failed the
        same way share a line, e.g. every optimizer at a start where the loss is nan), or why nothing ran."""
        by_text: dict[str, list[str]] = {}
        for name, t in self.trajectories.items():
            if t.diverged:
                text = t.message.replace("stopped at the last finite point", "showing the path up to there")
                by_text.setdefault(text, []).append(OPTIMIZERS[name].display_name)
        lines = [self.error] if self.error else []
        return lines + [f"{', '.join(names)} {text}" for text, names in by_text.items()]

    # ---- the step cursor ----

    def set_step(self, k: int) -> None:
        k = max(0, min(int(k), self.steps))
        if k != self.step:
            self.step = k
            self.sig_step_changed.emit(k)

    def step_forward(self, n: int = 1) -> bool:
        """n steps on; False when already at the end."""
        before = self.step
        self.set_step(self.step + n)
        return self.step != before

    def reset(self) -> None:
        self.set_step(0)

    def show_all(self) -> None:
        self.set_step(self.steps)

    @property
    def at_end(self) -> bool:
        return self.step >= self.steps
