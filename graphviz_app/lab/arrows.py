"""How long the lab's update arrows are drawn: by the size of the vector, on a log scale.

A run's largest gradient is drawn `length` long; every factor of ten smaller is 1/DECADES of that
shorter, down to a stub of MIN_FRACTION (so a 1e-12 gradient at the minimum is a stub, not as long
as the first step's). The direction is always the vector's own. Qt-free, so it is tested on numbers;
the surface plot and the legend both use it.
"""

from __future__ import annotations

import numpy as np

from core.optimizers import OPTIMIZERS
from core.trajectory import Trajectory

DECADES = 6  # the arrow shrinks from full length to the stub over six factors of ten
MIN_FRACTION = 0.04
LEGEND = f"arrow length: log scale, longest = the run's largest gradient, 1/{DECADES} shorter per ×10 smaller"


def fraction(magnitude: float, reference: float) -> float:
    """The arrow's share of the full length for a vector of size `magnitude` (0: no arrow)."""
    if not (np.isfinite(magnitude) and magnitude > 0):
        return 0.0
    if not (np.isfinite(reference) and reference > 0):
        return 1.0
    return float(np.clip(1.0 + np.log10(magnitude / reference) / DECADES, MIN_FRACTION, 1.0))


def drawn(vector: np.ndarray | None, reference: float, length: float) -> np.ndarray | None:
    """`vector` as drawn: its direction, `length` × fraction(|vector|) long (None: no arrow)."""
    if vector is None or not np.isfinite(vector).all():
        return None
    size = float(np.hypot(*vector))
    share = fraction(size, reference)
    return None if share == 0.0 else np.asarray(vector, float) / size * length * share


def reference(t: Trajectory) -> float:
    """The run's largest finite gradient size: the full-length arrow."""
    grads = np.asarray(t.grads, float).reshape(-1, 2)
    sizes = np.hypot(grads[:, 0], grads[:, 1])
    sizes = sizes[np.isfinite(sizes)]
    return float(sizes.max()) if sizes.size else 0.0


def velocity(t: Trajectory, k: int) -> np.ndarray | None:
    """−velocity after step k (the momentum buffer, Adam's m) where the optimizer keeps one, else None."""
    field_name = OPTIMIZERS[t.optimizer].arrow_state
    if field_name is None or not t.states:
        return None
    recorded = getattr(t.states[min(k + 1, t.steps)], field_name, None)
    return None if recorded is None else -np.asarray(recorded, float)


def has_velocity(t: Trajectory | None) -> bool:
    """The run draws a velocity arrow (an optimizer with momentum, and it is not switched off)."""
    return t is not None and velocity(t, t.steps) is not None
