"""Two-class data sets in the plane for the tiny-networks tab: XOR, blobs, circle, spiral.

Every set is drawn from a fixed seed, so the same name always gives the same points (tests and the
lecture's screenshots agree). Labels are 0.0 / 1.0 floats, ready to be fed to the engine as `y`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points (x1[i], x2[i]) with labels y[i] ∈ {0, 1}, and the part of the plane worth drawing."""

    name: str
    display_name: str
    x1: np.ndarray  # shape (n,)
    x2: np.ndarray  # shape (n,)
    y: np.ndarray  # shape (n,), 0.0 or 1.0
    bounds: tuple[float, float, float, float]  # x1 min, x1 max, x2 min, x2 max

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, indices: np.ndarray) -> Dataset:
        """The points at `indices` (a minibatch, the training or the test part), in that order."""
        return Dataset(self.name, self.display_name, self.x1[indices], self.x2[indices], self.y[indices], self.bounds)


# What the tab's menu says, known without drawing any points.
DISPLAY_NAMES = {
    "xor": "XOR (4 points)",
    "noisy_xor": "XOR (noisy)",
    "blobs": "two blobs",
    "circle": "circle",
    "spiral": "spiral",
    "custom": "your own points",
}
CUSTOM = "custom"  # the user's points: not in DATASETS, the tab's state keeps them
CUSTOM_BOUNDS = (-1.5, 1.5, -1.5, 1.5)  # the plane one clicks on; it grows only when a point lies outside


def _bounds(x1: np.ndarray, x2: np.ndarray, margin: float = 0.35) -> tuple[float, float, float, float]:
    """A square-ish window around the points, with room for the decision boundary to show."""
    return (float(x1.min() - margin), float(x1.max() + margin), float(x2.min() - margin), float(x2.max() + margin))


def _make(name: str, display_name: str, x1: np.ndarray, x2: np.ndarray, y: np.ndarray) -> Dataset:
    return Dataset(
        name,
        display_name,
        np.asarray(x1, float),
        np.asarray(x2, float),
        np.asarray(y, float),
        _bounds(np.asarray(x1), np.asarray(x2)),
    )


def xor() -> Dataset:
    """The lecture's four points: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0."""
    return _make(
        "xor",
        DISPLAY_NAMES["xor"],
        np.array([0.0, 0.0, 1.0, 1.0]),
        np.array([0.0, 1.0, 0.0, 1.0]),
        np.array([0.0, 1.0, 1.0, 0.0]),
    )


def noisy_xor(per_corner: int = 40, noise: float = 0.15, seed: int = 1) -> Dataset:
    """Clouds around the four XOR corners, each labelled like its corner."""
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0.0, 1.0, 1.0, 0.0])
    points = np.repeat(corners, per_corner, axis=0) + rng.normal(0.0, noise, (4 * per_corner, 2))
    return _make("noisy_xor", DISPLAY_NAMES["noisy_xor"], points[:, 0], points[:, 1], np.repeat(labels, per_corner))


def blobs(per_class: int = 60, seed: int = 2) -> Dataset:
    """Two Gaussian blobs: linearly separable, the easy case."""
    rng = np.random.default_rng(seed)
    class0 = rng.normal([-1.0, -0.6], 0.45, (per_class, 2))
    class1 = rng.normal([1.0, 0.8], 0.45, (per_class, 2))
    points = np.vstack([class0, class1])
    return _make("blobs", DISPLAY_NAMES["blobs"], points[:, 0], points[:, 1], np.repeat([0.0, 1.0], per_class))


def circle(per_class: int = 80, seed: int = 3) -> Dataset:
    """A disk (class 1) inside a ring (class 0): no straight line separates them."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, 2 * per_class)
    radius = np.concatenate([rng.uniform(0.0, 0.5, per_class), rng.uniform(0.9, 1.3, per_class)])
    return _make(
        "circle",
        DISPLAY_NAMES["circle"],
        radius * np.cos(angle),
        radius * np.sin(angle),
        np.repeat([1.0, 0.0], per_class),
    )


def spiral(per_class: int = 100, turns: float = 1.5, noise: float = 0.04, seed: int = 4) -> Dataset:
    """Two interleaved spirals: the hard one, it needs two hidden layers or many units."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.1, 1.0, per_class)
    xs, ys, labels = [], [], []
    for label, phase in ((0.0, 0.0), (1.0, np.pi)):
        angle = 2 * np.pi * turns * t + phase
        xs.append(t * np.cos(angle) + rng.normal(0, noise, per_class))
        ys.append(t * np.sin(angle) + rng.normal(0, noise, per_class))
        labels.append(np.full(per_class, label))
    return _make("spiral", DISPLAY_NAMES["spiral"], np.concatenate(xs), np.concatenate(ys), np.concatenate(labels))


DATASETS: dict[str, Callable[[], Dataset]] = {
    "xor": xor,
    "noisy_xor": noisy_xor,
    "blobs": blobs,
    "circle": circle,
    "spiral": spiral,
}


def dataset(name: str) -> Dataset:
    """The data set called `name` (always the same points); unknown names list the valid ones."""
    try:
        return DATASETS[name]()
    except KeyError:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}") from None


def custom(points: Sequence[tuple[float, float, int]]) -> Dataset:
    """The user's own points (x1, x2, class 0 or 1), on a fixed plane that holds them all."""
    if any(label not in (0, 1) for _, _, label in points):
        raise ValueError("a point is of class 0 or class 1")
    x1, x2, y = (np.array([p[k] for p in points], dtype=float) for k in range(3))
    bounds = CUSTOM_BOUNDS
    if len(points):
        grown = _bounds(x1, x2, margin=0.3)
        bounds = (
            min(bounds[0], grown[0]),
            max(bounds[1], grown[1]),
            min(bounds[2], grown[2]),
            max(bounds[3], grown[3]),
        )
    return Dataset(CUSTOM, DISPLAY_NAMES[CUSTOM], x1, x2, y, bounds)


def test_mask(n: int, test_fraction: float, seed: int = 0) -> np.ndarray:
    """Which of n points `train_test_split` holds out for testing (True: a test point)."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"the test fraction is between 0 and 1 (1 excluded), not {test_fraction}")
    held_out = min(round(test_fraction * n), max(n - 1, 0))
    chosen = np.random.default_rng([seed, 2]).permutation(n)[:held_out]
    is_test = np.zeros(n, dtype=bool)
    is_test[chosen] = True
    return is_test


def train_test_split(data: Dataset, test_fraction: float, seed: int = 0) -> tuple[Dataset, Dataset]:
    """The points split at random into a training part and a test part (fixed by `seed`).

    round(test_fraction · n) points are held out, but at least one point stays for training. Each part
    keeps the data set's order, so a fraction of 0 gives back the whole set, point for point."""
    is_test = test_mask(len(data), test_fraction, seed)
    return data.subset(np.flatnonzero(~is_test)), data.subset(np.flatnonzero(is_test))
