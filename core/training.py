"""`Trainer`: train a tiny network a few steps at a time with an optimizer of the optimizer lab.

The GUI calls `trainer.step(k)` on every timer tick and redraws from `weights`, `losses`,
`accuracy` and `predict(grid_x1, grid_x2)`; tests call it in a loop. Gradients come from one
vectorized engine evaluation per step (`core.networks.loss_and_gradient`); the update is the
optimizer's pure torch.optim step function over the flat weight vector.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from core.datasets import Dataset
from core.networks import LossAndGradient, Model, loss_and_gradient, predict, sample_program, weight_inputs
from core.optimizers import HyperValue, optimizer_named


class BatchSchedule:
    """Which points each step's minibatch holds: an epoch is a fresh permutation of 0 … n−1 cut into
    batches of `batch_size` (the last one smaller when n is not a multiple), so within an epoch every
    point is drawn exactly once. The permutations come from their own generator, seeded by `seed`."""

    def __init__(self, n: int, batch_size: int, seed: int = 0) -> None:
        if not 1 <= batch_size <= n:
            raise ValueError(f"the batch size is between 1 and the {n} training points, not {batch_size}")
        self.n, self.batch_size = n, batch_size
        self._rng = np.random.default_rng([seed, 1])
        self._order = np.arange(0)
        self._position = 0
        self.epoch = 0  # epochs begun

    def next_batch(self) -> np.ndarray:
        if self._position >= len(self._order):
            self._order, self._position = self._rng.permutation(self.n), 0
            self.epoch += 1
        batch = self._order[self._position : self._position + self.batch_size]
        self._position += len(batch)
        return batch


class Trainer:
    """One training run: a model, a data set, an optimizer and where the weights are now."""

    def __init__(
        self,
        model: Model,
        data: Dataset,
        optimizer: str = "adam",
        lr: float = 0.05,
        seed: int = 0,
        hyperparameters: Mapping[str, HyperValue] | None = None,
        batch_size: int | None = None,
        test: Dataset | None = None,
    ) -> None:
        """`batch_size` None (or the number of points) trains on the whole of `data` every step; `test`
        points are never trained on, only measured after every step."""
        if not len(data):
            raise ValueError("there are no training points")
        self.model = model
        self.data = data
        self.batch_size = len(data) if batch_size is None else int(batch_size)
        self._batches = BatchSchedule(len(data), self.batch_size, seed)  # validates the size
        self.optimizer = optimizer_named(optimizer)
        settings = self.optimizer.settings({**(hyperparameters or {}), "lr": lr})
        lr_setting = settings.pop("lr")
        if isinstance(lr_setting, tuple):  # only betas are pairs; lr is always one number
            raise ValueError(f"invalid learning rate: {lr_setting!r}")
        self.lr = float(lr_setting)
        self._settings = settings
        self.seed = seed
        self.weights: np.ndarray = model.initial_weights(seed)
        self._state = self.optimizer.new_state(self.weights, **settings)
        self._current: LossAndGradient = loss_and_gradient(model, self.weights, data)
        self.losses: list[float] = [self._current.loss]  # losses[i]: mean loss after i steps
        self.accuracies: list[float] = [self._current.accuracy(data.y)]
        self.batch_losses: list[float] = []  # batch_losses[i]: the minibatch's mean loss that step i+1 descended
        self.test = test if test is not None and len(test) else None
        self.test_losses: list[float] = []
        self.test_accuracies: list[float] = []
        self._measure_test()
        self.diverged = False
        self.divergence = ""  # once diverged: the step and the quantity that first stopped being finite

    @property
    def full_batch(self) -> bool:
        return self.batch_size == len(self.data)

    @property
    def epochs(self) -> float:
        """Passes over the training points so far."""
        return self.steps * self.batch_size / len(self.data)

    def fork(self) -> Trainer:
        """A trainer that steps on without changing this one (a worker trains the fork)."""
        clone = copy.copy(self)
        clone.losses, clone.accuracies = list(self.losses), list(self.accuracies)
        clone.batch_losses = list(self.batch_losses)
        clone.test_losses, clone.test_accuracies = list(self.test_losses), list(self.test_accuracies)
        clone._batches = copy.deepcopy(self._batches)
        return clone

    def _measure_test(self) -> None:
        if self.test is not None:
            measured = loss_and_gradient(self.model, self.weights, self.test)
            self.test_losses.append(measured.loss)
            self.test_accuracies.append(measured.accuracy(self.test.y))

    @property
    def steps(self) -> int:
        """Steps taken so far."""
        return len(self.losses) - 1

    @property
    def loss(self) -> float:
        return self.losses[-1]

    @property
    def accuracy(self) -> float:
        """Fraction of training points classified correctly by the current weights."""
        return self.accuracies[-1]

    @property
    def evaluation(self) -> LossAndGradient:
        """Everything the last engine pass gave: per-sample losses and gradients, logits."""
        return self._current

    @property
    def gradient(self) -> np.ndarray:
        """∂(mean loss)/∂weights at the current weights."""
        return self._current.gradient

    @property
    def named_weights(self) -> dict[str, float]:
        return weight_inputs(self.model, self.weights)

    def _first_nonfinite(self, weights: np.ndarray, current: LossAndGradient) -> str:
        """The quantity that first stopped being finite in a refused step, in words with its value:
        the updated weights come first, then the loss computed from them, then its gradient."""
        names = self.model.weight_names

        def first(values: np.ndarray) -> tuple[str, float]:
            k = int(np.argmax(~np.isfinite(values)))
            return names[k], float(values[k])

        if not np.isfinite(weights).all():
            name, value = first(weights)
            what = f"the weight {name} became {value}"
        elif not np.isfinite(current.loss):
            what = f"the loss became {float(current.loss)}"
        else:
            name, value = first(current.gradient)
            what = f"the gradient ∂loss/∂{name} became {value}"
        return f"{what} (lr = {self.lr:g}; a learning rate too large makes each step overshoot further)"

    def set_learning_rate(self, lr: float) -> None:
        """Change the step size mid-run (the optimizer keeps its memory)."""
        if not lr >= 0:  # nan too
            raise ValueError(f"invalid learning rate: {lr}")
        self.lr = float(lr)

    def set_weights(self, weights: np.ndarray) -> None:
        """Put saved weights in place (a session coming back): the current loss and accuracy become
        theirs; the optimizer's memory stays. A ValueError (nothing changed) for the wrong count of
        weights or a non-finite one."""
        new = np.array(weights, dtype=float)
        if new.shape != self.weights.shape or not np.isfinite(new).all():
            raise ValueError(f"expected {self.weights.size} finite weights for {self.model.hidden}, got {new.shape}")
        with np.errstate(all="ignore"):
            current = loss_and_gradient(self.model, new, self.data)
        self.weights, self._current = new, current
        self.losses[-1] = current.loss
        self.accuracies[-1] = current.accuracy(self.data.y)

    def step(self, k: int = 1) -> int:
        """Take up to `k` optimizer steps; returns how many were taken (0 once the run diverged)."""
        taken = 0
        with np.errstate(all="ignore"):
            for _ in range(k):
                if self.diverged:
                    break
                if self.full_batch:  # the whole set: the last evaluation's gradient, bit for bit
                    descended = self._current
                else:
                    batch = self.data.subset(self._batches.next_batch())
                    descended = loss_and_gradient(self.model, self.weights, batch)
                weights, state = self.optimizer.step(
                    self.weights, descended.gradient, self._state, lr=self.lr, **self._settings
                )
                current = loss_and_gradient(self.model, weights, self.data)
                if not (
                    np.isfinite(weights).all() and np.isfinite(current.loss) and np.isfinite(current.gradient).all()
                ):
                    self.diverged = True  # keep the last finite weights on screen
                    self.divergence = f"step {self.steps + 1}: {self._first_nonfinite(weights, current)}"
                    break
                self.weights, self._state, self._current = weights, state, current
                self.losses.append(current.loss)
                self.accuracies.append(current.accuracy(self.data.y))
                self.batch_losses.append(descended.loss)
                self._measure_test()
                taken += 1
        return taken

    def predict(self, grid_x1: np.ndarray, grid_x2: np.ndarray) -> np.ndarray:
        """The model's p(class 1) at every point of the grid (for the decision-boundary heat map)."""
        return predict(self.model, self.weights, grid_x1, grid_x2)

    def sample_program(self, index: int) -> tuple[str, dict[str, float]]:
        """The loss graph of sample `index` with the current weights, for the debugger."""
        return sample_program(self.model, self.weights, self.data, index)


RACE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def race_activations(
    model: Model,
    data: Dataset,
    steps: int,
    optimizer: str = "adam",
    lr: float = 0.05,
    seed: int = 0,
    batch_size: int | None = None,
    activations: Sequence[str] = RACE_ACTIVATIONS,
    progress: Callable[[float], None] | None = None,
) -> dict[str, list[float]]:
    """The same architecture, from the same initial weights, trained `steps` steps with each activation:
    each one's training losses (losses[i] after i steps; shorter if a run diverged). `progress(f)` is
    called now and then (a job's progress, which may stop the race by raising)."""
    runs = {}
    for done, name in enumerate(activations):
        raced = Model(model.hidden, name, model.product_feature)  # each activation's default slope / α
        trainer = Trainer(raced, data, optimizer, lr=lr, seed=seed, batch_size=batch_size)
        for taken in range(steps):
            if not trainer.step(1):
                break
            if progress is not None and taken % 20 == 0:
                progress((done + taken / steps) / len(activations))
        runs[name] = trainer.losses
    return runs


def steps_to_reach(losses: Sequence[float], threshold: float) -> int | None:
    """The first step whose loss is at or below `threshold` (None if the run never got there)."""
    below = np.flatnonzero(np.asarray(losses) <= threshold)
    return int(below[0]) if len(below) else None
