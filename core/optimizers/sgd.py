"""torch.optim.SGD, with heavy-ball or Nesterov momentum (the lab's SGD, Momentum and Nesterov rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.optimizers.base import (
    Floats,
    FloatStep,
    Vector,
    or_zeros,
    with_weight_decay,
)

# The twin's state: ``(step, *vector fields as lists, None where absent)``.
SGDFloats = tuple[int, Floats | None]


@dataclass(frozen=True)
class SGDState:
    """SGD's memory: the velocity (``momentum_buffer``), absent until momentum is used."""

    step: int = 0
    momentum_buffer: Vector | None = None


def sgd_step(
    params: Vector,
    grad: Vector,
    state: SGDState,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, SGDState]:
    """torch.optim.SGD: plain gradient descent, with heavy-ball or Nesterov momentum."""
    grad = with_weight_decay(grad, params, weight_decay)
    terms: dict[str, Any] = {"g": grad}
    buffer = state.momentum_buffer
    if momentum != 0:
        if buffer is None:
            buffer = grad.copy()
        else:  # torch: buf.mul_(momentum).add_(grad, alpha=1 - dampening); alpha 1 needs no product
            buffer = buffer * momentum + (grad if dampening == 0 else (1 - dampening) * grad)
        terms["v"] = buffer
        grad = grad + momentum * buffer if nesterov else buffer
    terms["direction"] = grad
    if record is not None:
        record.update(terms)
    return params + (-lr) * grad, SGDState(state.step + 1, buffer)


def sgd_floats(
    *, momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False
) -> FloatStep[SGDFloats]:
    """``sgd_step`` on lists of floats, coordinate by coordinate (see the module doc)."""

    def step(params: Floats, grad: Floats, state: SGDFloats, lr: float) -> tuple[Floats, SGDFloats]:
        count, buffer = state
        new_params: Floats = []
        new_buffer: Floats = []
        for p, g, b in zip(params, grad, or_zeros(buffer, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            if momentum != 0:
                b = g if buffer is None else b * momentum + (g if dampening == 0 else (1 - dampening) * g)
                new_buffer.append(b)
                g = g + momentum * b if nesterov else b
            new_params.append(p + (-lr) * g)
        return new_params, (count + 1, new_buffer if momentum != 0 else buffer)

    return step
