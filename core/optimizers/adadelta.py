"""torch.optim.Adadelta: RMSprop whose step is scaled by the running size of the steps taken."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.optimizers.base import (
    Floats,
    FloatStep,
    Vector,
    with_weight_decay,
)

# The twin's state: ``(step, *vector fields as lists, None where absent)``.
AdadeltaFloats = tuple[int, Floats, Floats]


@dataclass(frozen=True)
class AdadeltaState:
    """Adadelta's memory: ``square_avg`` of the gradients and ``acc_delta`` of the steps taken."""

    step: int
    square_avg: Vector
    acc_delta: Vector


def adadelta_step(
    params: Vector,
    grad: Vector,
    state: AdadeltaState,
    *,
    lr: float,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, AdadeltaState]:
    """torch.optim.Adadelta: RMSprop whose step is rescaled by the RMS of the past steps (no lr needed)."""
    grad = with_weight_decay(grad, params, weight_decay)
    square_avg = state.square_avg * rho + (1 - rho) * grad * grad
    std = np.sqrt(square_avg + eps)
    rms_delta = np.sqrt(state.acc_delta + eps)
    delta = rms_delta / std * grad
    acc_delta = state.acc_delta * rho + (1 - rho) * delta * delta
    if record is not None:
        record.update(g=grad, g2=grad * grad, s=square_avg, std=std, rms_delta=rms_delta, delta=delta, u=acc_delta)
    return params + (-lr) * delta, AdadeltaState(state.step + 1, square_avg, acc_delta)


def adadelta_floats(*, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0) -> FloatStep[AdadeltaFloats]:
    """``adadelta_step`` on lists of floats, coordinate by coordinate (see the module doc)."""
    sqrt = math.sqrt

    def step(params: Floats, grad: Floats, state: AdadeltaFloats, lr: float) -> tuple[Floats, AdadeltaFloats]:
        count, square_avg, acc_delta = state
        new_params: Floats = []
        new_square_avg: Floats = []
        new_acc_delta: Floats = []
        for p, g, s, a in zip(params, grad, square_avg, acc_delta):
            if weight_decay != 0:
                g = g + weight_decay * p
            s = s * rho + (1 - rho) * g * g
            delta = sqrt(a + eps) / sqrt(s + eps) * g
            new_square_avg.append(s)
            new_acc_delta.append(a * rho + (1 - rho) * delta * delta)
            new_params.append(p + (-lr) * delta)
        return new_params, (count + 1, new_square_avg, new_acc_delta)

    return step
