"""The optimizer lab's state: which surface, where the runs start, which optimizers with which settings,
their trajectories, and the step being shown.

`LabState` is Qt-free (psygnal signals, like napari's evented models): the views take it in their
constructor, connect to its `sig_…` signals and call its methods. Every number comes from `core`
(grids from `core.surfaces`, runs from `core.trajectory.optimize_many`), and all of that runs as
one background job on the state's `runner` (a thread pool in the window, `InlineRunner` in tests):
a newer change supersedes the job still running, so dragging a slider never queues stale races.
What the user asked for (`surface_key`, `settings`, `steps` …) changes at once; what is shown
(`surface`, `grid`, `trajectories`) changes when the job's result arrives.

The "current expression" surface follows the debugger through `set_expression` (the tab forwards
the debugger's changes). While the lab is not shown (`set_active(False)`) nothing is computed: the
change is remembered and the race runs when the lab is shown again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from psygnal import Signal

from core.optimizers import OPTIMIZERS, ExponentialLR, HyperValue, StepLR
from core.regression import regression_data
from core.surfaces import SURFACES, Surface, SurfaceGrid
from core.trajectory import RunSpec, Trajectory
from graphviz_app.jobs import InlineRunner, Runner
from graphviz_app.lab.drawing import SurfaceDrawing
from graphviz_app.lab.race_job import EXPRESSION, REGRESSION, Outcome, Racer, Request, compute, release_elsewhere

if TYPE_CHECKING:  # the theme module draws with Qt; the state only holds the app's Theme object
    from graphviz_app.theme import Theme

# What races: every ticked optimizer, or one optimizer at up to six learning rates ("Once more:
# learning rate"). Runs are drawn in colour slots named after the optimizers (their colours, their
# plot items): in a learning-rate race slot i holds rate i, on the regression surface slot "sgd" is
# the full batch and slot "momentum" the minibatch run. `Racer.label` is what the views print.
RACE_KINDS = {"optimizers": "every ticked optimizer", "learning_rates": "one optimizer, several learning rates"}
SLOTS = tuple(OPTIMIZERS)
MAX_RATES = 6
REGRESSION_LR = 0.1
DEFAULT_RATES = {  # very high / high / good / low on Rosenbrock, like the slide's four curves
    "sgd": (2.2e-3, 1.5e-3, 1e-3, 1e-4),
}
JOB_KEY = "lab"
DEFAULT_STEPS = 600
# Learning rates that make the race on Rosenbrock readable in a few hundred steps: plain SGD crawls
# along the valley, momentum gets there, Adam arrives first (torch's defaults barely move).
TEACHING_LR = {
    "sgd": 1e-3,
    "momentum": 5e-4,
    "nesterov": 5e-4,
    "adagrad": 0.5,
    "rmsprop": 1e-2,
    "adadelta": 1.0,
    "adam": 0.1,
    "adamw": 0.1,
}
DECAYS = {
    "none": "constant learning rate",
    "step": "step: ×γ every step_size steps (torch StepLR)",
    "exponential": "exponential: ×γ every step (torch ExponentialLR)",
}


@dataclass(frozen=True)
class RunSettings:
    """One optimizer's row in the checklist: on/off, its hyperparameters, its learning-rate decay and
    the decay's parameters (torch.optim.lr_scheduler's names: step_size and gamma)."""

    enabled: bool
    hyperparameters: dict[str, HyperValue] = field(default_factory=dict)
    decay: str = "none"
    step_size: int = 100  # StepLR: the rate is multiplied by step_gamma every step_size steps
    step_gamma: float = 0.5
    exp_gamma: float = 0.995  # ExponentialLR: multiplied by exp_gamma every step

    def schedule(self) -> StepLR | ExponentialLR | None:
        if self.decay == "step":
            return StepLR(self.step_size, self.step_gamma)
        if self.decay == "exponential":
            return ExponentialLR(self.exp_gamma)
        return None


def default_settings() -> dict[str, RunSettings]:
    return {
        name: RunSettings(True, {**spec.defaults(), "lr": TEACHING_LR.get(name, spec.defaults()["lr"])})
        for name, spec in OPTIMIZERS.items()
    }


class LabState:
    """Surface + start + settings → trajectories (in the background), plus the step cursor into them."""

    sig_surface_changed = Signal()  # new surface and grid: plots redraw heat map, contours, minima
    sig_trajectories_changed = Signal()  # runs recomputed (start or settings changed): paths redraw
    sig_cursor_changed = Signal(int)  # the shown step moved (argument: the new step)
    sig_settings_changed = Signal(str)  # one optimizer's settings changed (argument: its name)
    sig_inspected_changed = Signal(str)  # the optimizer whose update is explained changed
    sig_axes_changed = Signal()  # the expression's inputs (axis choices) or the chosen axes changed
    sig_busy_changed = Signal(bool)  # a job started (True) or its result arrived / it was cancelled
    sig_theme_changed = Signal(bool)  # the app's theme changed (True = dark)

    def __init__(
        self,
        theme: Theme | None = None,
        runner: Runner | None = None,
        steps: int = DEFAULT_STEPS,
        active: bool = True,
        debounce_s: float = 0.0,
    ) -> None:
        if theme is None:
            from graphviz_app.theme import Theme

            theme = Theme()
        self.theme = theme
        self.runner: Runner = runner or InlineRunner()
        self.debounce_s = debounce_s
        self.theme.changed.connect(self._theme_changed)
        self.settings = default_settings()
        self.steps = steps
        self.cursor = 0
        self.inspected = "adam"
        self.surface_key = "rosenbrock"
        self.surface: Surface = SURFACES["rosenbrock"]
        self.grid: SurfaceGrid | None = None  # None until the first job has arrived
        self.drawing: SurfaceDrawing | None = None  # heat map values and contour lines of the grid
        self.start: tuple[float, float] = self.surface.start
        self._wanted_start: tuple[float, float] | None = None
        self.expression = "x**2 + y**2"
        self.expression_values: dict[str, float] = {"x": 0.0, "y": 0.0}
        self.expression_axes: tuple[str, str] = ("x", "y")
        self.trajectories: dict[str, Trajectory] = {}  # by colour slot (see SLOTS)
        self.race_kind = "optimizers"
        self.rate_optimizer = "sgd"
        self.rates: tuple[float, ...] = DEFAULT_RATES["sgd"]
        self.regression = regression_data()
        self.batch_size = 4  # the minibatch run's points per step on the regression surface
        self.regression_lr = REGRESSION_LR  # its own: Rosenbrock's SGD rate would barely move on it
        self.batch_seed = 0
        self.error = ""  # why the runs could not be computed at all (e.g. a bad expression)
        self.race_ms = 0.0
        self.active = active
        self._stale = True
        self._busy = False
        self.recompute()

    def _theme_changed(self, dark: bool) -> None:
        self.sig_theme_changed.emit(dark)

    @property
    def dark(self) -> bool:
        return self.theme.dark

    # ---- the surface ----

    @staticmethod
    def surface_choices() -> list[tuple[str, str]]:
        """(key, title) of every surface the lab offers, the debugger's expression last."""
        return [
            *((key, s.title) for key, s in SURFACES.items()),
            (REGRESSION, "Linear regression on data: full batch vs minibatch"),
            (EXPRESSION, "Current expression"),
        ]

    def axis_choices(self) -> list[str]:
        """Inputs of the debugger's expression usable as axes (padded with unused names to two)."""
        names = list(self.expression_values)
        for pad in ("x", "y", "u", "v"):
            if len(names) >= 2:
                break
            if pad not in names:
                names.append(pad)
        return names

    def set_surface(self, key: str) -> None:
        """Show a named surface, or the debugger's expression (key `EXPRESSION`); runs restart."""
        if key not in (EXPRESSION, REGRESSION) and key not in SURFACES:
            raise ValueError(f"unknown surface {key!r}; valid: {', '.join([*SURFACES, REGRESSION, EXPRESSION])}")
        self.surface_key = key
        self._wanted_start = None
        self._fit_axes()
        if key == REGRESSION:
            self.set_inspected("momentum")  # the minibatch run: its two gradients are the point
        self._first_slot_inspected()
        self.recompute()

    def set_expression(self, text: str, values: Mapping[str, float]) -> None:
        """The debugger's expression and input values (its inputs in order): the "current expression"
        surface follows them; other surfaces ignore them until that one is chosen."""
        changed_inputs = list(values) != list(self.expression_values)
        self.expression, self.expression_values = text, {k: float(v) for k, v in values.items()}
        if changed_inputs:
            self._fit_axes()
            self.sig_axes_changed.emit()
        if self.surface_key == EXPRESSION:
            self._wanted_start = None
            self.recompute()

    def set_expression_axes(self, x_axis: str, y_axis: str) -> None:
        if x_axis == y_axis or (x_axis, y_axis) == self.expression_axes:
            return
        self.expression_axes = (x_axis, y_axis)
        self.sig_axes_changed.emit()
        if self.surface_key == EXPRESSION:
            self._wanted_start = None
            self.recompute()

    def _fit_axes(self) -> None:
        choices = self.axis_choices()
        if not set(self.expression_axes) <= set(choices) or len(set(self.expression_axes)) < 2:
            self.expression_axes = (choices[0], choices[1])

    # ---- what runs ----

    def set_start(self, x: float, y: float) -> None:
        """Move the start point (a click on the surface); every selected optimizer runs again."""
        self._wanted_start = self.start = (float(x), float(y))
        self.recompute()

    def set_enabled(self, name: str, enabled: bool) -> None:
        self._update(name, enabled=bool(enabled))

    def set_hyperparameter(self, name: str, key: str, value: HyperValue) -> None:
        self._update(name, hyperparameters={**self.settings[name].hyperparameters, key: value})

    def set_decay(self, name: str, decay: str) -> None:
        if decay not in DECAYS:
            raise ValueError(f"unknown decay {decay!r}; valid: {', '.join(DECAYS)}")
        self._update(name, decay=decay)

    def set_decay_parameters(
        self, name: str, step_size: int | None = None, step_gamma: float | None = None, exp_gamma: float | None = None
    ) -> None:
        """The decay's own numbers; a ValueError (nothing changed) for one torch would refuse or that
        would not decay (γ outside (0, 1], a step size below 1)."""
        changes: dict[str, object] = {}
        if step_size is not None:
            if isinstance(step_size, bool) or int(step_size) != step_size or step_size < 1:
                raise ValueError(f"the step size is a whole number of steps ≥ 1, not {step_size!r}")
            changes["step_size"] = int(step_size)
        for key, gamma in (("step_gamma", step_gamma), ("exp_gamma", exp_gamma)):
            if gamma is not None:
                if not 0.0 < gamma <= 1.0:  # nan too
                    raise ValueError(f"γ multiplies the learning rate: between 0 (excluded) and 1, not {gamma!r}")
                changes[key] = float(gamma)
        self._update(name, **changes)

    # ---- what races ----

    def racers(self) -> list[Racer]:
        """The runs of the race as the settings say, in slot order."""
        if self.surface_key == REGRESSION:
            s, n = self.settings["sgd"], len(self.regression)
            run: RunSpec = ("sgd", {**s.hyperparameters, "lr": self.regression_lr}, s.schedule())
            return [
                Racer("sgd", run, f"SGD, full batch of {n}", n),
                Racer("momentum", run, f"SGD, minibatch of {self.batch_size}", self.batch_size),
            ]
        if self.race_kind == "learning_rates":
            s, name = self.settings[self.rate_optimizer], OPTIMIZERS[self.rate_optimizer].display_name
            return [
                Racer(slot, (self.rate_optimizer, {**s.hyperparameters, "lr": lr}, s.schedule()), f"{name} lr {lr:g}")
                for slot, lr in zip(SLOTS, self.rates)
            ]
        return [
            Racer(name, (name, s.hyperparameters, s.schedule()), OPTIMIZERS[name].display_name)
            for name, s in self.settings.items()
            if s.enabled
        ]

    def label(self, slot: str) -> str:
        """What the run in `slot` is called on screen (the optimizer's name when it is not racing)."""
        return next((r.label for r in self.racers() if r.slot == slot), OPTIMIZERS[slot].display_name)

    def set_race_kind(self, kind: str) -> None:
        if kind not in RACE_KINDS:
            raise ValueError(f"unknown race {kind!r}; valid: {', '.join(RACE_KINDS)}")
        if kind != self.race_kind:
            self.race_kind = kind
            self._first_slot_inspected()
            self.recompute()

    def set_rate_race(self, optimizer: str | None = None, rates: tuple[float, ...] | None = None) -> None:
        """The optimizer and the learning rates (1 to 6, each > 0) of the learning-rate race."""
        if optimizer is not None and optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        if rates is not None:
            rates = tuple(float(r) for r in rates)
            if not 1 <= len(rates) <= MAX_RATES:
                raise ValueError(f"race 1 to {MAX_RATES} learning rates, not {len(rates)}")
            bad = [r for r in rates if not (r > 0 and r < float("inf"))]
            if bad:
                raise ValueError(f"a learning rate is a positive number, not {bad[0]:g}")
        new = (optimizer or self.rate_optimizer, rates or self.rates)
        if new != (self.rate_optimizer, self.rates):
            self.rate_optimizer, self.rates = new
            if self.race_kind == "learning_rates":
                self.recompute()

    def set_batch(self, batch_size: int | None = None, seed: int | None = None, lr: float | None = None) -> None:
        """Points per step (1 … N) of the minibatch run on the regression surface, its seed, and the
        learning rate of both runs there."""
        n = len(self.regression)
        if lr is not None:
            if not 0 < lr < float("inf"):
                raise ValueError(f"a learning rate is a positive number, not {lr:g}")
            if lr != self.regression_lr:
                self.regression_lr = float(lr)
                if self.surface_key == REGRESSION:
                    self.recompute()
        if batch_size is not None and not 1 <= int(batch_size) <= n:
            raise ValueError(f"the batch size is between 1 and the {n} points, not {batch_size}")
        new = (
            self.batch_size if batch_size is None else int(batch_size),
            self.batch_seed if seed is None else int(seed),
        )
        if new != (self.batch_size, self.batch_seed):
            self.batch_size, self.batch_seed = new
            if self.surface_key == REGRESSION:
                self.recompute()

    def _first_slot_inspected(self) -> None:
        slots = [r.slot for r in self.racers()]
        if slots and self.inspected not in slots:
            self.set_inspected(slots[-1] if self.surface_key == REGRESSION else slots[0])

    def set_steps(self, steps: int) -> None:
        steps = max(1, int(steps))
        if steps != self.steps:
            self.steps = steps
            self.recompute()

    def set_inspected(self, name: str) -> None:
        if name != self.inspected:
            self.inspected = name
            self.sig_inspected_changed.emit(name)

    def _update(self, name: str, **changes: object) -> None:
        new = replace(self.settings[name], **changes)  # type: ignore[arg-type]
        if new == self.settings[name]:
            return
        self.settings[name] = new
        self.sig_settings_changed.emit(name)
        self.recompute()

    # ---- the background job ----

    def set_active(self, active: bool) -> None:
        """The lab is shown (True) or hidden: hidden, changes are only remembered."""
        self.active = bool(active)
        if self.active and self._stale:
            self.recompute()

    def busy(self) -> bool:
        """A job is running whose result has not arrived yet."""
        return self._busy

    def recompute(self) -> None:
        """Race every enabled optimizer from the start, in the background (newer calls supersede)."""
        if not self.active:
            self._stale = True
            return
        self._stale = False
        request = Request(
            self.surface_key,
            self.expression,
            dict(self.expression_values),
            self.expression_axes,
            tuple(self.racers()),
            self._wanted_start,
            self.steps,
            self.surface,
            self.grid,
            self.drawing,
            self.debounce_s,
            self.regression if self.surface_key == REGRESSION else None,
            self.batch_seed,
        )
        self._set_busy(True)
        self.runner.submit(
            JOB_KEY, lambda job: compute(request, job), self._arrived, self._failed, label="optimizer race"
        )

    def cancel(self) -> None:
        """Stop the running job; what is shown stays."""
        self.runner.cancel(JOB_KEY)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.sig_busy_changed.emit(busy)

    def _arrived(self, outcome: Outcome) -> None:
        new_surface = outcome.grid is not self.grid or outcome.surface != self.surface
        release_elsewhere(self.trajectories, self.grid, self.drawing)
        self.surface, self.grid, self.drawing = outcome.surface, outcome.grid, outcome.drawing
        self.start = outcome.start
        self.trajectories, self.error, self.race_ms = outcome.trajectories, outcome.error, outcome.race_ms
        self.cursor = min(self.cursor, self.steps)
        self._set_busy(False)
        if new_surface:
            self.sig_surface_changed.emit()
        self.sig_trajectories_changed.emit()  # views redraw at self.cursor; no separate cursor signal

    def _failed(self, error: Exception) -> None:
        """A surface that cannot be built (a bad expression): say why, keep what is shown."""
        self.error = str(error)
        self._set_busy(False)
        self.sig_trajectories_changed.emit()

    def messages(self) -> list[str]:
        """What went wrong, in the user's words: one line per distinct problem (runs that failed the
        same way share a line, e.g. every optimizer at a start where the loss is nan), or why nothing ran."""
        by_text: dict[str, list[str]] = {}
        for name, t in self.trajectories.items():
            if t.diverged:
                text = t.message.replace("stopped at the last finite point", "showing the path up to there")
                by_text.setdefault(text, []).append(self.label(name))
        lines = [self.error] if self.error else []
        return lines + [f"{', '.join(names)} {text}" for text, names in by_text.items()]

    # ---- the step cursor (what `widgets.player.Player` drives) ----

    first_step = 0

    @property
    def last_step(self) -> int:
        return self.steps

    def set_cursor(self, k: int) -> None:
        k = max(0, min(int(k), self.steps))
        if k != self.cursor:
            self.cursor = k
            self.sig_cursor_changed.emit(k)

    def step_forward(self, n: int = 1) -> bool:
        """n steps on; False when already at the end."""
        before = self.cursor
        self.set_cursor(self.cursor + n)
        return self.cursor != before

    def step_back(self) -> bool:
        before = self.cursor
        self.set_cursor(self.cursor - 1)
        return self.cursor != before

    def reset(self) -> None:
        self.set_cursor(0)

    def run_to_end(self) -> None:
        self.set_cursor(self.steps)

    def show_all(self) -> None:
        self.run_to_end()

    def counter_text(self) -> str:
        return f"step {self.cursor} / {self.steps}"

    @property
    def at_end(self) -> bool:
        return self.cursor >= self.steps

    # ---- sessions (graphviz_app.lab.saved) ----

    def to_dict(self) -> dict[str, object]:
        """Every choice of the lab as JSON values (surface, start, optimizers and their settings, race, step)."""
        from graphviz_app.lab.saved import lab_to_dict

        return lab_to_dict(self)

    def from_dict(self, data: object) -> list[str]:
        """Put `to_dict`'s values back; a value that cannot be used keeps the lab's own and is one message."""
        from graphviz_app.lab.saved import lab_from_dict

        return lab_from_dict(self, data)
