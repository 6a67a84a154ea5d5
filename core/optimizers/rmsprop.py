"""torch.optim.RMSprop: a leaky average of squared gradients instead of Adagrad's sum."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.optimizers.base import (
    Floats,
    FloatStep,
    Vector,
    lerp,
    or_zeros,
    with_weight_decay,
)

# The twin's state: ``(step, *vector fields as lists, None where absent)``.
RMSpropFloats = tuple[int, Floats, Floats | None, Floats | None]


@dataclass(frozen=True)
class RMSpropState:
    """RMSprop's memory: ``square_avg`` (the cache), ``grad_avg`` if centered, velocity if momentum."""

    step: int
    square_avg: Vector
    grad_avg: Vector | None = None
    momentum_buffer: Vector | None = None


def rmsprop_step(
    params: Vector,
    grad: Vector,
    state: RMSpropState,
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, RMSpropState]:
    """torch.optim.RMSprop: divide by a running root-mean-square of recent gradients."""
    grad = with_weight_decay(grad, params, weight_decay)
    terms: dict[str, Any] = {"g": grad, "g2": grad * grad}
    square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
    terms["s"] = square_avg
    grad_avg = state.grad_avg
    if centered:
        assert grad_avg is not None, "a centered RMSprop state has a grad_avg"
        grad_avg = lerp(grad_avg, grad, 1 - alpha)
        terms.update(g_avg=grad_avg, g_avg2=grad_avg * grad_avg)
        avg = np.sqrt(square_avg + (-1.0) * grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    terms["denom"] = avg
    if record is not None:
        record.update(terms)
    buffer = state.momentum_buffer
    if momentum > 0:
        assert buffer is not None, "an RMSprop state with momentum has a momentum_buffer"
        buffer = buffer * momentum + grad / avg
        if record is not None:
            record["b"] = buffer
        params = params + (-lr) * buffer
    else:
        params = params + (-lr) * grad / avg
    return params, RMSpropState(state.step + 1, square_avg, grad_avg, buffer)


def rmsprop_floats(
    *, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False
) -> FloatStep[RMSpropFloats]:
    """``rmsprop_step`` on lists of floats, coordinate by coordinate (see the module doc)."""
    sqrt = math.sqrt

    def step(params: Floats, grad: Floats, state: RMSpropFloats, lr: float) -> tuple[Floats, RMSpropFloats]:
        count, square_avg, grad_avg, buffer = state
        new_params: Floats = []
        new_square_avg: Floats = []
        new_grad_avg: Floats = []
        new_buffer: Floats = []
        for p, g, s, a, b in zip(params, grad, square_avg, or_zeros(grad_avg, params), or_zeros(buffer, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            s = s * alpha + (1 - alpha) * g * g
            new_square_avg.append(s)
            if centered:
                a = lerp(a, g, 1 - alpha)
                new_grad_avg.append(a)
                avg = sqrt(s + (-1.0) * a * a) + eps
            else:
                avg = sqrt(s) + eps
            if momentum > 0:
                b = b * momentum + g / avg
                new_buffer.append(b)
                new_params.append(p + (-lr) * b)
            else:
                new_params.append(p + (-lr) * g / avg)
        return new_params, (
            count + 1,
            new_square_avg,
            new_grad_avg if centered else grad_avg,
            new_buffer if momentum > 0 else buffer,
        )

    return step
