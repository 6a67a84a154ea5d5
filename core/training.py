"""`Trainer`: train a tiny network a few steps at a time with an optimizer of the optimizer lab.

The GUI calls `trainer.step(k)` on every timer tick and redraws from `weights`, `losses`,
`accuracy` and `predict(grid_x1, grid_x2)`; tests call it in a loop. Gradients come from one
vectorized engine evaluation per step (`core.networks.loss_and_gradient`); the update is the
optimizer's pure torch.optim step function over the flat weight vector.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.datasets import Dataset
from core.networks import LossAndGradient, Model, loss_and_gradient, predict, sample_program, weight_inputs
from core.optimizers import HyperValue, optimizer_named


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
    ) -> None:
        self.model = model
        self.data = data
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
        self.diverged = False

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

    def set_learning_rate(self, lr: float) -> None:
        """Change the step size mid-run (the optimizer keeps its memory)."""
        if lr < 0:
            raise ValueError(f"invalid learning rate: {lr}")
        self.lr = float(lr)

    def step(self, k: int = 1) -> int:
        """Take up to `k` optimizer steps; returns how many were taken (0 once the run diverged)."""
        taken = 0
        with np.errstate(all="ignore"):
            for _ in range(k):
                if self.diverged:
                    break
                weights, state = self.optimizer.step(
                    self.weights, self._current.gradient, self._state, lr=self.lr, **self._settings
                )
                current = loss_and_gradient(self.model, weights, self.data)
                if not (
                    np.isfinite(weights).all() and np.isfinite(current.loss) and np.isfinite(current.gradient).all()
                ):
                    self.diverged = True  # keep the last finite weights on screen
                    break
                self.weights, self._state, self._current = weights, state, current
                self.losses.append(current.loss)
                self.accuracies.append(current.accuracy(self.data.y))
                taken += 1
        return taken

    def predict(self, grid_x1: np.ndarray, grid_x2: np.ndarray) -> np.ndarray:
        """The model's p(class 1) at every point of the grid (for the decision-boundary heat map)."""
        return predict(self.model, self.weights, grid_x1, grid_x2)

    def sample_program(self, index: int) -> tuple[str, dict[str, float]]:
        """The loss graph of sample `index` with the current weights, for the debugger."""
        return sample_program(self.model, self.weights, self.data, index)
