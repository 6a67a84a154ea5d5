"""What the tiny-networks tab shows, without Qt: the data set, the model, the optimizer and the run.

`NetworkState` owns every choice of the tab (data set, hidden layers and width, activation and its
slope / α, the x1·x2 feature, optimizer, learning rate, seed, steps per update, how many steps a
Train click runs, the chosen sample) and the run's results as one immutable `TrainingSnapshot`
(step, losses, accuracy, weights, the heat-map grid of p(class 1)). Views take it in their
constructor, call its methods and redraw on its signals.

All the work runs through `state.runner` under one key: building the trainer for new settings,
then training in chunks of `steps_per_update` steps. Each chunk trains a copy of the trainer on a
worker and returns it with the new heat map; its result replaces the state's trainer on the GUI
thread, which then submits the next chunk. New settings supersede the running chunk (same key);
Pause cancels it. With an `InlineRunner` (tests) the same code runs at once, chunk after chunk.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.random  # numpy imports it on first use (14 ms): here it comes with the tab's preload
from psygnal import Signal

from core.activations import ACTIVATIONS, activation_named
from core.datasets import CUSTOM, DATASETS, Dataset, custom, dataset, train_test_split
from core.networks import MAX_WIDTH, Model, sample_program
from core.optimizers import OPTIMIZERS, optimizer_named
from core.training import RACE_ACTIVATIONS, Trainer, race_activations
from graphviz_app.debugger import collector
from graphviz_app.jobs import InlineRunner, Job, Runner
from graphviz_app.networks.snapshot import GRID_SIZE, RaceResult, TrainingSnapshot, plane_grid, snapshot_of

if TYPE_CHECKING:  # the theme module is Qt; the state only passes the one Theme object on to the views
    from graphviz_app.debugger.state import AppState
    from graphviz_app.theme import Theme

KEY = "networks.train"
RACE_KEY = "networks.race"
NO_POINTS = "no training points yet: click on the plane to add a point of class 0, Shift+click for class 1"
DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.2, "rmsprop": 0.01, "adam": 0.1}
UPDATE_S = 0.04  # a chunk takes at least this long on the worker: the picture moves at about 25 frames/s
MAX_TRAIN_STEPS = 100_000
RESUME_CHUNK = 250  # steps per shown chunk while a session's run is trained back
# The longest a build or a chunk waits for the GUI thread to paint what changed (the tab holds the
# work back while it paints: `collector.hold`; Python on a worker takes the GIL from a paint).
SETTLE_TIMEOUT_S = 0.5


class Debugger(Protocol):
    """Where "Show in the debugger" sends a sample's loss graph: the debugger's `AppState`."""

    def show_in_debugger(self, text: str, inputs: dict[str, float]) -> bool: ...


class NetworkState:
    """The tiny-networks tab's model: settings in, a trainer trained off the GUI thread, snapshots out."""

    sig_setup_changed = Signal()  # new data set or model: points and grid are new, a fresh run comes
    sig_trained = Signal()  # a new snapshot (after a reset, a step or a training chunk)
    sig_training_changed = Signal(bool)  # training started (True) or stopped
    sig_progress = Signal(float)  # how far the current Train click is (0 … 1)
    sig_sample_changed = Signal(int)
    sig_error = Signal(str)  # a failed run (the previous snapshot stays); "" clears it
    sig_race_changed = Signal()  # a race began (race_running), ended (race) or was dropped

    def __init__(
        self,
        theme: Theme,
        runner: Runner | None = None,
        debugger: Debugger | None = None,
        update_s: float = UPDATE_S,
    ) -> None:
        self.theme = theme
        self.runner: Runner = runner or InlineRunner()
        self.debugger = debugger
        self.update_s = update_s
        self.dataset_name = "xor"
        self.hidden_layers = 1
        self.width = 2
        self.activation = "tanh"
        self.product_feature = False
        self.parameters = {name: a.default for name, a in ACTIVATIONS.items() if a.parameter is not None}
        self.optimizer = "adam"
        self.lr = DEFAULT_LR["adam"]
        self.seed = 0
        self.steps_per_update = 5
        self.train_steps = 1000  # how many steps one Train click runs
        self.batch_size = 0  # 0: the whole training set every step
        self.test_fraction = 0.0  # the share of the points held out as test points
        self.points: list[tuple[float, float, int]] = []  # the user's own data set ("custom")
        self.race: RaceResult | None = None
        self.race_running = False
        self.race_steps = 500
        self.race_threshold = 0.3  # reached by most activations in a few hundred steps on the built-in sets
        self.sample = 0
        self.training = False
        self.progress = 0.0
        self.error = ""
        self.trainer: Trainer | None = None  # None while a new setup is being built
        self.snapshot: TrainingSnapshot | None = None
        self._pending = False
        self._goal = 0
        self._start_steps = 0
        self._submitting = self._again = False
        self._resume: tuple[int, list[float] | None] | None = None  # a session's step and weights, on the way
        self.data: Dataset = dataset(self.dataset_name)
        self.train_data, self.test_data = self.data, self.data.subset(np.arange(0))
        self.grid = plane_grid(self.data)
        self.reset()

    @classmethod
    def of_app(cls, app: AppState) -> NetworkState:
        """The tab's state in the window: the debugger's one theme and runner, samples open in it."""
        return cls(app.theme, app.runner, app)

    # ---- settings: each one supersedes the run ----

    def model(self) -> Model:
        hidden = (self.width,) * self.hidden_layers
        return Model(hidden, self.activation, self.product_feature, self.parameters.get(self.activation))

    def set_dataset(self, name: str) -> None:
        if name not in DATASETS and name != CUSTOM:
            raise ValueError(f"unknown data set {name!r}; valid: {', '.join([*DATASETS, CUSTOM])}")
        if name != self.dataset_name:
            self.dataset_name = name
            self.reset()

    def set_model(
        self,
        hidden_layers: int | None = None,
        width: int | None = None,
        activation: str | None = None,
        product_feature: bool | None = None,
    ) -> None:
        """Any part of the network; a ValueError (nothing changed) for an impossible one."""
        if hidden_layers is not None and hidden_layers not in (0, 1, 2):
            raise ValueError(f"0, 1 or 2 hidden layers, not {hidden_layers}")
        if width is not None and not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"a hidden layer has 1 to {MAX_WIDTH} units, not {width}")
        if activation is not None:
            activation_named(activation)
        before = (self.hidden_layers, self.width, self.activation, self.product_feature)
        self.hidden_layers = self.hidden_layers if hidden_layers is None else int(hidden_layers)
        self.width = self.width if width is None else int(width)
        self.activation = self.activation if activation is None else activation
        self.product_feature = self.product_feature if product_feature is None else bool(product_feature)
        if (self.hidden_layers, self.width, self.activation, self.product_feature) != before:
            self.reset()

    def set_parameter(self, value: float) -> None:
        """The chosen activation's slope / α (kept per activation); ignored when it has none."""
        if self.activation not in self.parameters:
            return
        spec = ACTIVATIONS[self.activation]
        value = min(max(float(value), spec.low), spec.high)
        if value != self.parameters[self.activation]:
            self.parameters[self.activation] = value
            if self.hidden_layers:
                self.reset()

    def set_optimizer(self, name: str) -> None:
        """Another optimizer, with its default learning rate, and a fresh run."""
        optimizer_named(name)
        if name != self.optimizer:
            self.optimizer = name
            self.lr = DEFAULT_LR.get(name, self.lr)
            self.reset()

    def set_seed(self, seed: int) -> None:
        if int(seed) != self.seed:
            self.seed = int(seed)
            self.reset()

    def set_learning_rate(self, lr: float) -> None:
        """A new step size mid-run: the optimizer keeps its memory, the running chunk restarts with it."""
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {lr}")
        self.lr = float(lr)
        if self.trainer is not None:
            self.trainer.set_learning_rate(self.lr)
            if self.training:
                self._submit_chunk()  # supersedes the chunk that runs with the old rate

    def set_batch_size(self, size: int) -> None:
        """Points per step (0 or the training set's size: all of them); a fresh run."""
        size = max(0, int(size))
        if size >= len(self.train_data):
            size = 0
        if size != self.batch_size:
            self.batch_size = size
            self.reset()

    def set_test_fraction(self, fraction: float) -> None:
        """The share of points held out for testing (0 … 0.9, the split fixed by the seed); a fresh run."""
        fraction = min(max(float(fraction), 0.0), 0.9)
        if fraction != self.test_fraction:
            self.test_fraction = fraction
            self.reset()

    # ---- the user's own points ----

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """A point of class `label` (0 or 1) in the user's data set, which becomes the data set."""
        if label not in (0, 1):
            raise ValueError(f"a point is of class 0 or 1, not {label}")
        if not (np.isfinite(x1) and np.isfinite(x2)):
            raise ValueError("a point needs finite coordinates")
        self.points.append((float(x1), float(x2), int(label)))
        self.dataset_name = CUSTOM
        self.reset()

    def remove_point_near(self, x1: float, x2: float, radius: float) -> bool:
        """Remove the user's point nearest (x1, x2) if it lies within `radius`; True if one went."""
        if self.dataset_name != CUSTOM or not self.points:
            return False
        distances = [np.hypot(p[0] - x1, p[1] - x2) for p in self.points]
        nearest = int(np.argmin(distances))
        if distances[nearest] > radius:
            return False
        del self.points[nearest]
        self.reset()
        return True

    def set_points(self, points: list[tuple[float, float, int]]) -> None:
        """All of the user's points at once (a session coming back); a bad point changes nothing."""
        custom(points)  # validates
        self.points = [(float(a), float(b), int(c)) for a, b, c in points]
        if self.dataset_name == CUSTOM:
            self.reset()

    def clear_points(self) -> None:
        self.points = []
        if self.dataset_name == CUSTOM:
            self.reset()

    def set_steps_per_update(self, steps: int) -> None:
        self.steps_per_update = max(1, int(steps))

    def set_train_steps(self, steps: int) -> None:
        self.train_steps = min(max(1, int(steps)), MAX_TRAIN_STEPS)

    def set_sample(self, index: int) -> None:
        index = min(max(int(index), 0), len(self.data) - 1)
        if index != self.sample:
            self.sample = index
            self.sig_sample_changed.emit(index)

    # ---- the run ----

    def reset(self) -> None:
        """A fresh run with the current settings (built on the worker); training stops."""
        self._stop(emit=True)
        self._resume = None
        self._drop_race()
        self.data = custom(self.points) if self.dataset_name == CUSTOM else dataset(self.dataset_name)
        self.train_data, self.test_data = train_test_split(self.data, self.test_fraction, self.seed)
        if self.batch_size >= len(self.train_data):
            self.batch_size = 0
        self.grid = plane_grid(self.data)
        self.sample = max(min(self.sample, len(self.data) - 1), 0)
        self.trainer = None
        model, data, test, grid = self.model(), self.train_data, self.test_data, self.grid
        optimizer, lr, seed, batch = self.optimizer, self.lr, self.seed, self.batch_size or None
        self.sig_setup_changed.emit()
        if not len(data):
            self.snapshot = None  # nothing to draw but the empty plane
            self._set_error(NO_POINTS)
            self.sig_trained.emit()
            return

        def build(job: Job) -> tuple[Trainer, TrainingSnapshot]:
            collector.wait_until_settled(lambda: job.cancelled, timeout_s=SETTLE_TIMEOUT_S)  # the points painted first
            trainer = Trainer(model, data, optimizer, lr=lr, seed=seed, batch_size=batch, test=test)
            job.progress(0.5, "heat map")
            return trainer, snapshot_of(trainer, grid)

        self._submit(build, "building the network")

    def train(self) -> None:
        """Train `train_steps` steps, chunk by chunk, off the GUI thread; `pause()` stops."""
        if self.training or not len(self.train_data):
            return
        steps = self.trainer.steps if self.trainer is not None else 0
        self._start_steps, self._goal = steps, steps + self.train_steps
        self.training = True
        self.progress = 0.0
        self.sig_training_changed.emit(True)
        self.sig_progress.emit(0.0)
        if self.trainer is not None:  # else the reset under way continues into training
            self._submit_chunk()

    def pause(self) -> None:
        """Stop training; the last snapshot stays on screen."""
        self._stop(emit=True)

    def step(self, k: int = 1) -> None:
        """Take `k` steps (on the worker) and show them; training stops first."""
        self._stop(emit=True)
        if self.trainer is not None:
            self._goal = self.trainer.steps + k
            self._submit_chunk(chunk=k)

    # ---- the activations race ----

    def start_race(self) -> None:
        """Train the current architecture with each of the five activations from the same start, off the
        GUI thread (a newer race supersedes it); `race` holds the loss curves when it is done."""
        if not self.hidden_layers or not len(self.train_data):
            self._set_error("the race needs a hidden layer and training points")
            return
        model, data, steps = self.model(), self.train_data, self.race_steps
        optimizer, lr, seed, batch, threshold = (
            self.optimizer,
            self.lr,
            self.seed,
            self.batch_size or None,
            self.race_threshold,
        )

        def race(job: Job) -> RaceResult:
            runs = race_activations(model, data, steps, optimizer, lr, seed, batch, progress=job.progress)
            return RaceResult(model, {name: np.array(losses) for name, losses in runs.items()}, threshold)

        self.race, self.race_running = None, True
        self.sig_race_changed.emit()
        self.runner.submit(RACE_KEY, race, self._race_done, self._race_failed, "racing five activations")

    def set_race_threshold(self, threshold: float) -> None:
        """The loss each activation has to reach; the race's table recounts, nothing retrains."""
        if not (np.isfinite(threshold) and threshold > 0):
            raise ValueError(f"the threshold is a positive loss, not {threshold}")
        self.race_threshold = float(threshold)
        if self.race is not None:
            self.race = RaceResult(self.race.model, self.race.losses, self.race_threshold)
            self.sig_race_changed.emit()

    def _race_done(self, result: RaceResult) -> None:
        self.race, self.race_running = result, False
        self.sig_race_changed.emit()

    def _race_failed(self, error: Exception) -> None:
        self.race_running = False
        self.sig_race_changed.emit()
        self._set_error(f"the race failed: {error}")

    def _drop_race(self) -> None:
        if self.race_running:
            self.runner.cancel(RACE_KEY)
        if self.race is not None or self.race_running:
            self.race, self.race_running = None, False
            self.sig_race_changed.emit()

    def _set_error(self, message: str) -> None:
        self.error = message
        self.sig_error.emit(message)

    def busy(self) -> bool:
        """True while a build or a chunk runs."""
        return self._pending

    # ---- the debugger ----

    def show_sample_in_debugger(self) -> bool:
        """The loss graph of the chosen sample with the current weights, in the debugger (training stops)."""
        self.pause()
        if self.debugger is None or self.trainer is None or not len(self.data):
            return False
        text, inputs = sample_program(self.trainer.model, self.trainer.weights, self.data, self.sample)
        return self.debugger.show_in_debugger(text, inputs)

    # ---- sessions (graphviz_app.networks.saved) ----

    def to_dict(self) -> dict[str, object]:
        """Every choice of the tab as JSON values, with the training step and the weights."""
        from graphviz_app.networks.saved import network_to_dict

        return network_to_dict(self)

    def from_dict(self, data: object) -> list[str]:
        """Put `to_dict`'s values back; a value that cannot be used keeps the tab's own and is one message."""
        from graphviz_app.networks.saved import network_from_dict

        return network_from_dict(self, data)

    def run_position(self) -> tuple[int, list[float] | None]:
        """The training step and the weights (None before the first build arrives); while a session's
        run is being trained again, the step and weights it is going to."""
        if self._resume is not None:
            return self._resume
        if self.trainer is None:
            return 0, None
        return self.trainer.steps, [float(w) for w in self.trainer.weights]

    def resume_at(self, steps: int, weights: list[float] | None = None) -> None:
        """Train again to `steps` from the seed (a run is deterministic), off the GUI thread, then put
        `weights` in place (they differ when the learning rate was changed during the saved run)."""
        if self.training:
            self._stop(emit=True)
        self._resume = (int(steps), weights)
        if self.trainer is not None and not self._pending:
            self._go_on_resuming()

    def _go_on_resuming(self) -> None:
        assert self.trainer is not None and self._resume is not None
        steps, weights = self._resume
        if self.trainer.steps < steps and not self.trainer.diverged:
            # In chunks, each one shown: a long run (thousands of steps, milliseconds each) visibly comes back.
            self._goal = steps
            self._submit_chunk(chunk=min(steps - self.trainer.steps, RESUME_CHUNK))
            return
        self._resume = None
        if weights is None or np.array_equal(np.asarray(weights, dtype=float), self.trainer.weights):
            return
        trainer, grid = self.trainer.fork(), self.grid

        def put_weights(_job: Job) -> tuple[Trainer, TrainingSnapshot]:
            trainer.set_weights(np.asarray(weights, dtype=float))
            return trainer, snapshot_of(trainer, grid)

        self._submit(put_weights, "putting the saved weights back")

    # ---- running jobs ----

    def _stop(self, emit: bool) -> None:
        was = self.training
        self.training = False
        if self._pending:
            self.runner.cancel(KEY)
            self._pending = False
        if was and emit:
            self.sig_training_changed.emit(False)

    def _submit_chunk(self, chunk: int | None = None) -> None:
        assert self.trainer is not None
        trainer = self.trainer.fork()  # the worker trains a copy: the GUI's trainer never races
        goal, grid, pace = self._goal, self.grid, self.update_s if chunk is None else 0.0
        count = min(chunk or self.steps_per_update, goal - trainer.steps)
        start, total = self._start_steps, max(self._goal - self._start_steps, 1)

        def train_chunk(job: Job) -> tuple[Trainer, TrainingSnapshot]:
            # Wait first, then work: the GUI thread paints the previous snapshot meanwhile. Python code
            # on a worker holds the GIL, and pyqtgraph's painting is Python called from C++, so a paint
            # while a chunk computes waits for the GIL at every call (hundreds of ms on a busy machine).
            began = time.perf_counter()
            while time.perf_counter() - began < pace:  # the frame rate; stops at once when cancelled
                job.progress((trainer.steps - start) / total)
                time.sleep(0.005)
            collector.wait_until_settled(lambda: job.cancelled, timeout_s=SETTLE_TIMEOUT_S)
            for _ in range(count):
                if not trainer.step(1):
                    break
                job.progress((trainer.steps - start) / total)
            return trainer, snapshot_of(trainer, grid)

        self._submit(train_chunk, "training")

    def _submit(self, work: object, label: str) -> None:
        # An InlineRunner calls `done` inside `submit`; done submits the next chunk: loop, do not recurse.
        self._next = (work, label)
        if self._submitting:
            self._again = True
            return
        self._submitting = True
        try:
            while True:
                self._again = False
                work, label = self._next
                self._pending = True
                self.runner.submit(KEY, work, self._done, self._failed, label)  # type: ignore[arg-type]
                if not self._again:
                    break
        finally:
            self._submitting = False

    def _done(self, result: tuple[Trainer, TrainingSnapshot]) -> None:
        self._pending = False
        self.trainer, self.snapshot = result
        if self.error:
            self.error = ""
            self.sig_error.emit("")
        if self.training:
            span = max(self._goal - self._start_steps, 1)
            self.progress = min((self.trainer.steps - self._start_steps) / span, 1.0)
            self.sig_progress.emit(self.progress)
        self.sig_trained.emit()
        if self._resume is not None and not self.training:
            self._go_on_resuming()
        elif self.training:
            if self.trainer.diverged or self.trainer.steps >= self._goal:
                self._stop(emit=True)
            else:
                self._submit_chunk()

    def _failed(self, error: Exception) -> None:
        self._pending = False
        self._resume = None
        self._stop(emit=True)
        self._set_error(f"training failed: {error}")


__all__ = [
    "CUSTOM",
    "DATASETS",
    "DEFAULT_LR",
    "GRID_SIZE",
    "OPTIMIZERS",
    "RACE_ACTIVATIONS",
    "NetworkState",
    "RaceResult",
    "TrainingSnapshot",
]
