"""torch.optim.Adagrad: each coordinate's step shrinks with its running sum of squared gradients."""

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
AdagradFloats = tuple[int, Floats]


@dataclass(frozen=True)
class AdagradState:
    """Adagrad's memory: the running ``sum`` of squared gradients (the cache)."""

    step: int
    sum: Vector


def adagrad_step(
    params: Vector,
    grad: Vector,
    state: AdagradState,
    *,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, AdagradState]:
    """torch.optim.Adagrad: every coordinate's step shrinks with its accumulated squared gradient."""
    step = state.step + 1
    grad = with_weight_decay(grad, params, weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)
    squared_grad = grad * grad
    squared_sum = state.sum + squared_grad
    std = np.sqrt(squared_sum) + eps
    if record is not None:
        record.update(g=grad, g2=squared_grad, G=squared_sum, clr=clr, denom=std)
    return params + (-clr) * grad / std, AdagradState(step, squared_sum)


def adagrad_floats(
    *, lr_decay: float = 0.0, weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10
) -> FloatStep[AdagradFloats]:
    """``adagrad_step`` on lists of floats, coordinate by coordinate (see the module doc)."""
    sqrt = math.sqrt

    def step(params: Floats, grad: Floats, state: AdagradFloats, lr: float) -> tuple[Floats, AdagradFloats]:
        count, squared_sum = state
        count += 1
        clr = lr / (1 + (count - 1) * lr_decay)
        new_params: Floats = []
        new_sum: Floats = []
        for p, g, s in zip(params, grad, squared_sum):
            if weight_decay != 0:
                g = g + weight_decay * p
            s = s + g * g
            new_sum.append(s)
            new_params.append(p + (-clr) * g / (sqrt(s) + eps))
        return new_params, (count, new_sum)

    return step
