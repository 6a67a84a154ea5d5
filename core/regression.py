"""A loss surface built from data, and optimizers racing on it with minibatches.

The lecture's "averaging over minibatches → noisy gradient": linear regression on N points,
L(w, b) = mean over i of (w·xᵢ + b − yᵢ)². The surface drawn is that mean; a run with batch size B
descends, at each step, the mean gradient of B points drawn without replacement from a permutation
that is reshuffled every epoch (`core.training.BatchSchedule`, seeded). Every point's loss and
gradient come from one vectorized engine evaluation of the per-sample loss; the batch mean sums the
chosen points in index order, so batch size N takes exactly the full-batch gradient, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.graph import Graph
from core.parser import parse
from core.surfaces import Surface
from core.trajectory import PointLossAndGrad, RunSpec, Trajectory, _path

SAMPLE_LOSS = "(w*x + b - y)**2"  # one point's squared error; the surface is its mean


@dataclass(frozen=True, eq=False)
class RegressionData:
    """N points (xᵢ, yᵢ) of a line with noise."""

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def least_squares(self) -> tuple[float, float]:
        """(w, b) at the bottom of the surface."""
        w, b = np.polyfit(self.x, self.y, 1)
        return float(w), float(b)


def regression_data(n: int = 24, seed: int = 0, slope: float = 1.5, intercept: float = -0.5) -> RegressionData:
    """`n` points with x uniform in [−1, 1] and y = slope·x + intercept + noise (σ 0.4), fixed by `seed`."""
    if n < 2:
        raise ValueError(f"a line needs at least 2 points, not {n}")
    rng = np.random.default_rng([seed, 3])
    x = rng.uniform(-1.0, 1.0, n)
    y = slope * x + intercept + rng.normal(0.0, 0.4, n)
    return RegressionData(np.round(x, 3), np.round(y, 3))


def regression_surface(data: RegressionData) -> Surface:
    """The mean squared error over (w, b) as an expression the engine draws, with its minimum."""
    terms = " + ".join(f"(w*{x!r} + b - ({y!r}))**2" for x, y in zip(data.x.tolist(), data.y.tolist()))
    w, b = data.least_squares()
    return Surface(
        "regression",
        f"mean (w·xᵢ + b − yᵢ)² over {len(data)} points",
        f"({terms}) / {len(data)}",
        (w - 3.0, w + 3.0),
        (b - 3.0, b + 3.0),
        (w - 2.5, b + 2.2),
        ((w, b),),
        axes=("w", "b"),
    )


class MinibatchGradients:
    """The loss and gradients at a point for the whole data set and for the next minibatch.

    Called once per step by the race (`core.trajectory._path`): returns the full mean loss (what the
    chart shows) and the minibatch's mean gradient (what the optimizer descends), and keeps the full
    gradient of every step in `full_grads`."""

    def __init__(self, data: RegressionData, batch_size: int, seed: int = 0) -> None:
        from core.training import BatchSchedule  # training imports networks; only needed here

        self.graph: Graph = parse(SAMPLE_LOSS)
        self.data = data
        self.batches = BatchSchedule(len(data), batch_size, seed)  # validates the size
        self.full_grads: list[list[float]] = []
        self.batches_drawn: list[np.ndarray] = []

    def per_sample(self, point: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """Every point's loss (N,) and gradient (N, 2) at (w, b), one engine evaluation."""
        w, b = point
        losses, grad = self.graph.value_and_grad({"w": w, "b": b, "x": self.data.x, "y": self.data.y})
        return np.asarray(losses, float), np.column_stack([grad["w"], grad["b"]])

    def __call__(self, point: Sequence[float]) -> tuple[float, list[float]]:
        losses, grads = self.per_sample(point)
        full = grads.mean(axis=0)
        batch = np.sort(self.batches.next_batch())  # index order: batch N sums exactly as the full mean
        self.batches_drawn.append(batch)
        self.full_grads.append(full.tolist())
        return float(losses.mean()), grads[batch].mean(axis=0).tolist()


@dataclass(frozen=True, eq=False)
class MinibatchTrajectory(Trajectory):
    """A run that descended minibatch gradients: `grads` are the minibatch means it stepped with,
    `full_grads` the gradient over all N points at the same points, `batch_size` B."""

    full_grads: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    batch_size: int = 0


def optimize_minibatch(
    data: RegressionData, run: RunSpec, start: tuple[float, float], steps: int, batch_size: int, seed: int = 0
) -> MinibatchTrajectory:
    """One optimizer on the regression surface with minibatches of `batch_size` (len(data): full batch)."""
    gradients = MinibatchGradients(data, batch_size, seed)
    at: PointLossAndGrad = gradients
    t = _path(at, run, [float(start[0]), float(start[1])], steps, ("w", "b"))
    full = np.array(gradients.full_grads, float).reshape(-1, 2)[: t.steps + 1]
    recorded = {name: getattr(t, name) for name in Trajectory.__dataclass_fields__}
    return MinibatchTrajectory(**recorded, full_grads=full, batch_size=batch_size)


__all__ = [
    "MinibatchTrajectory",
    "RegressionData",
    "optimize_minibatch",
    "regression_data",
    "regression_surface",
]
