"""torch.optim.Adam and AdamW: momentum and RMSprop's cache, each bias-corrected."""

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
    maximum,
    or_zeros,
    with_weight_decay,
)

# The twin's state: ``(step, *vector fields as lists, None where absent)``.
AdamFloats = tuple[int, Floats, Floats, Floats | None]


@dataclass(frozen=True)
class AdamState:
    """Adam's memory: first moment ``exp_avg`` (m), second moment ``exp_avg_sq`` (v)."""

    step: int
    exp_avg: Vector
    exp_avg_sq: Vector
    max_exp_avg_sq: Vector | None = None


def adam_step(
    params: Vector,
    grad: Vector,
    state: AdamState,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, AdamState]:
    """torch.optim.Adam: momentum on the gradient, RMSprop on its square, both bias-corrected."""
    beta1, beta2 = betas
    step = state.step + 1
    grad = with_weight_decay(grad, params, weight_decay)
    exp_avg = lerp(state.exp_avg, grad, 1 - beta1)
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1 ** float(step)
    bias_correction2_sqrt = (1 - beta2 ** float(step)) ** 0.5
    step_size = lr / bias_correction1
    max_exp_avg_sq = state.max_exp_avg_sq
    if amsgrad:
        assert max_exp_avg_sq is not None, "an AMSGrad state has a max_exp_avg_sq"
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        denom = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
    else:
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
    if record is not None:  # m̂ and v̂ as the lecture writes the rule; torch folds them into the step size
        v_used = max_exp_avg_sq if amsgrad else exp_avg_sq
        record.update(
            g=grad,
            g2=grad * grad,
            m=exp_avg,
            v=exp_avg_sq,
            v_max=max_exp_avg_sq,
            t=step,
            bias_correction1=bias_correction1,
            bias_correction2=1 - beta2 ** float(step),
            m_hat=exp_avg / bias_correction1,
            v_hat=v_used / (1 - beta2 ** float(step)),
            step_size=step_size,
            denom=denom,
        )
    params = params + (-step_size) * exp_avg / denom
    return params, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq)


def adam_floats(
    *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False
) -> FloatStep[AdamFloats]:
    """``adam_step`` on lists of floats, coordinate by coordinate (see the module doc)."""
    beta1, beta2 = betas
    sqrt = math.sqrt

    def step(params: Floats, grad: Floats, state: AdamFloats, lr: float) -> tuple[Floats, AdamFloats]:
        count, exp_avg, exp_avg_sq, max_exp_avg_sq = state
        count += 1
        bias_correction1 = 1 - beta1 ** float(count)
        bias_correction2_sqrt = (1 - beta2 ** float(count)) ** 0.5
        step_size = lr / bias_correction1
        new_params: Floats = []
        new_exp_avg: Floats = []
        new_exp_avg_sq: Floats = []
        new_max_exp_avg_sq: Floats = []
        for p, g, m, v, v_max in zip(params, grad, exp_avg, exp_avg_sq, or_zeros(max_exp_avg_sq, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            m = lerp(m, g, 1 - beta1)
            v = v * beta2 + (1 - beta2) * g * g
            new_exp_avg.append(m)
            new_exp_avg_sq.append(v)
            if amsgrad:
                v_max = maximum(v_max, v)
                new_max_exp_avg_sq.append(v_max)
            denom = sqrt(v_max if amsgrad else v) / bias_correction2_sqrt + eps
            new_params.append(p + (-step_size) * m / denom)
        return new_params, (count, new_exp_avg, new_exp_avg_sq, new_max_exp_avg_sq if amsgrad else max_exp_avg_sq)

    return step


def adamw_step(
    params: Vector,
    grad: Vector,
    state: AdamState,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    record: dict[str, Any] | None = None,
) -> tuple[Vector, AdamState]:
    """torch.optim.AdamW: Adam, with the weights shrunk by lr·wd apart from the gradient (decoupled)."""
    decayed = params * (1 - lr * weight_decay) if weight_decay != 0 else params
    new_params, new_state = adam_step(decayed, grad, state, lr=lr, betas=betas, eps=eps, amsgrad=amsgrad, record=record)
    if record is not None:
        record["decayed"] = decayed
    return new_params, new_state


def adamw_floats(
    *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False
) -> FloatStep[AdamFloats]:
    """``adamw_step`` on lists of floats, coordinate by coordinate (see the module doc)."""
    adam = adam_floats(betas=betas, eps=eps, amsgrad=amsgrad)

    def step(params: Floats, grad: Floats, state: AdamFloats, lr: float) -> tuple[Floats, AdamFloats]:
        if weight_decay != 0:
            factor = 1 - lr * weight_decay
            params = [p * factor for p in params]
        return adam(params, grad, state, lr)

    return step
