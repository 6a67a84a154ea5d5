"""A tiny network's run as the tab draws it, without Qt: the immutable snapshot a worker makes of a
trainer (losses, accuracy, weights, the heat map of p(class 1) and its p = ½ line), the heat map's
grid, and the activations race's result. `NetworkState` (networks/state.py) holds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.datasets import Dataset
from core.networks import Model, inactive_units
from core.training import Trainer, steps_to_reach

GRID_SIZE = 90  # heat-map cells per side


@dataclass(frozen=True, eq=False)
class TrainingSnapshot:
    """One moment of a run, as the views draw it (never changed: the worker makes a new one)."""

    model: Model
    steps: int
    losses: np.ndarray  # losses[i]: mean loss after i steps
    accuracy: float
    weights: np.ndarray
    diverged: bool
    probability: np.ndarray  # p(class 1) on the heat-map grid, shape (GRID_SIZE, GRID_SIZE)
    boundary: np.ndarray  # the line p = ½ as segments, shape (n, 2, 2): segment, end, (x1, x2)
    batch_size: int  # 0: the whole training set
    batch_losses: np.ndarray  # batch_losses[i]: the minibatch loss step i+1 descended
    test_losses: np.ndarray  # empty without test points
    test_accuracy: float | None
    inactive: tuple[np.ndarray, ...]  # per hidden layer: units whose sum is ≤ 0 on every training point
    divergence: str = ""  # once diverged: the step and the quantity that first overflowed (Trainer.divergence)

    @property
    def loss(self) -> float:
        return float(self.losses[-1])

    @property
    def inactive_count(self) -> int:
        return int(sum(layer.sum() for layer in self.inactive))

    @property
    def full_batch(self) -> bool:
        return self.batch_size == 0


def plane_grid(data: Dataset, size: int = GRID_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres over the data's bounds; indexing="ij": [i, j] is column i (x1), row j (x2)."""
    x1_lo, x1_hi, x2_lo, x2_hi = data.bounds
    centers1 = x1_lo + (np.arange(size) + 0.5) * (x1_hi - x1_lo) / size
    centers2 = x2_lo + (np.arange(size) + 0.5) * (x2_hi - x2_lo) / size
    grid1, grid2 = np.meshgrid(centers1, centers2, indexing="ij")
    return grid1, grid2


def level_segments(values: np.ndarray, xs: np.ndarray, ys: np.ndarray, level: float = 0.5) -> np.ndarray:
    """Marching squares: where `values[i, j]` (at xs[i], ys[j]) crosses `level`, as line segments (n, 2, 2).

    Computed with the heat map on the worker; drawing pyqtgraph's IsocurveItem instead cost 12–20 ms of
    every repaint on the GUI thread. A saddle cell (four crossings) is split into two segments.
    """
    f = np.asarray(values, dtype=float) - level
    a, b, c, d = f[:-1, :-1], f[1:, :-1], f[:-1, 1:], f[1:, 1:]  # corners (i, j), (i+1, j), (i, j+1), (i+1, j+1)
    x0, x1 = np.broadcast_to(xs[:-1, None], a.shape), np.broadcast_to(xs[1:, None], a.shape)
    y0, y1 = np.broadcast_to(ys[None, :-1], a.shape), np.broadcast_to(ys[None, 1:], a.shape)
    with np.errstate(all="ignore"):
        edges = [  # bottom, left, top, right: (crosses, x, y)
            (a * b < 0, x0 + (x1 - x0) * a / (a - b), y0),
            (a * c < 0, x0, y0 + (y1 - y0) * a / (a - c)),
            (c * d < 0, x0 + (x1 - x0) * c / (c - d), y1),
            (b * d < 0, x1, y0 + (y1 - y0) * b / (b - d)),
        ]
    crosses = np.stack([e[0] for e in edges], axis=-1)  # (ni, nj, 4)
    points = np.stack([np.stack([e[1], e[2]], axis=-1) for e in edges], axis=-2)  # (ni, nj, 4, 2)
    count = crosses.sum(axis=-1)
    two = count == 2
    order = np.argsort(~crosses[two], axis=-1, kind="stable")[:, :2]  # the two crossed edges of each cell
    pairs = np.take_along_axis(points[two], order[:, :, None], axis=1)
    four = points[count == 4]
    saddles = np.concatenate([four[:, [0, 1]], four[:, [2, 3]]])
    return np.concatenate([pairs, saddles]).reshape(-1, 2, 2)


def snapshot_of(trainer: Trainer, grid: tuple[np.ndarray, np.ndarray]) -> TrainingSnapshot:
    """The run as it is now, with the heat map and its p = ½ line computed (on the worker: 30 ms for a
    2-8-8-1 network)."""
    with np.errstate(all="ignore"):
        probability = trainer.predict(*grid)
    boundary = level_segments(probability, grid[0][:, 0], grid[1][0, :])
    return TrainingSnapshot(
        trainer.model,
        trainer.steps,
        np.array(trainer.losses),
        trainer.accuracy,
        trainer.weights.copy(),
        trainer.diverged,
        probability,
        boundary,
        0 if trainer.full_batch else trainer.batch_size,
        np.array(trainer.batch_losses),
        np.array(trainer.test_losses),
        trainer.test_accuracies[-1] if trainer.test_accuracies else None,
        inactive_units(trainer.model, trainer.weights, trainer.data),
        trainer.divergence,
    )


@dataclass(frozen=True, eq=False)
class RaceResult:
    """The activations race: each activation's training losses from the same start, and the threshold."""

    model: Model  # the architecture raced (its own activation aside)
    losses: dict[str, np.ndarray]
    threshold: float

    def steps_to_threshold(self) -> dict[str, int | None]:
        return {name: steps_to_reach(losses, self.threshold) for name, losses in self.losses.items()}

    def speedup(self, fast: str = "relu", slow: str = "sigmoid") -> float | None:
        """How many times fewer steps `fast` needed than `slow` (the lecture's "e.g. 6x"), if both got there."""
        steps = self.steps_to_threshold()
        a, b = steps.get(fast), steps.get(slow)
        return None if a is None or b is None else b / max(a, 1)
