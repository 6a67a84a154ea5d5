"""The optimizers of the optimizer lab: torch.optim's update rules as pure functions over numpy vectors.

Each optimizer is a step function ``step(params, grad, state, *, lr, **hyperparameters) ->
(new_params, new_state)`` whose state is a frozen record (velocity, squared-gradient cache, m, v …),
so the GUI can show the state after every step and stepping back is free. The arithmetic follows
torch.optim's single-tensor code path operation by operation (same order, same rounding), so a
float64 run here reproduces ``torch.optim`` to the last few bits. ``OPTIMIZERS`` is the one table
the GUI reads: names, hyperparameters with their torch defaults and slider ranges, ordered
from simplest to most complex. ``StepLR`` and ``ExponentialLR`` give the learning rate per step
exactly as torch.optim.lr_scheduler does when stepped once after every optimizer step.

Each step function has a twin, ``*_floats``, that does the same arithmetic on lists of Python floats,
for the optimizer lab's 2-D points, where numpy's per-call overhead is most of the cost. Python floats
are IEEE float64 like numpy's, and + - * / and square roots are correctly rounded in both, so the
twins give the same bits as long as they do the same operations in the same order (a test checks
every option). Where Python raises instead of returning inf/nan (x/0, sqrt(-x)), the caller reruns
that step with the numpy function. A twin's state is the state record as a plain tuple, vectors as
lists: ``(step, *vector_fields)``; ``state_as_floats``/``state_from_floats`` convert.

The numpy step functions take an optional ``record`` dict and write into it the named terms of the
update as they computed them (the gradient with weight decay, Adam's bias corrections, m̂ and v̂, the
denominator, the step size …): the lab's update panel shows those, so no number on screen is a
second derivation of the rule. ``Trajectory.update(k)`` records step k that way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from core.schedules import ExponentialLR, LRSchedule, StepLR, constant_learning_rates

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Vector = npt.NDArray[np.float64]
HyperValue = float | bool | tuple[float, float]
Floats = list[float]
# A twin's state: the state record as a tuple, ``(step, *vector fields as lists, None where absent)``.
# Each optimizer has its own shape (below); code that handles any optimizer uses ``FloatState``.
FloatState = tuple[Any, ...]
SGDFloats = tuple[int, Floats | None]
AdagradFloats = tuple[int, Floats]
RMSpropFloats = tuple[int, Floats, Floats | None, Floats | None]
AdamFloats = tuple[int, Floats, Floats, Floats | None]
AdadeltaFloats = tuple[int, Floats, Floats]
S = TypeVar("S", bound=tuple[Any, ...])
FloatStep = Callable[[Floats, Floats, S, float], tuple[Floats, S]]
Number = TypeVar("Number", float, Vector)


class OptimizerState(Protocol):
    """What every state record has: the number of steps taken (the records are frozen dataclasses)."""

    @property
    def step(self) -> int: ...


def _lerp(start: Number, end: Number, weight: float) -> Number:
    """torch.lerp: picks the formula by the size of the weight, so we do too."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _with_weight_decay(grad: Vector, params: Vector, weight_decay: float) -> Vector:
    """L2 penalty folded into the gradient, as torch.optim does (``grad.add(param, alpha=wd)``)."""
    return grad + weight_decay * params if weight_decay != 0 else grad


def _or_zeros(values: Floats | None, like: Floats) -> Floats:
    """An absent state field (None) zipped in as zeros: the twins never read its entries then."""
    return [0.0] * len(like) if values is None else values


def _maximum(a: float, b: float) -> float:
    """np.maximum on two floats: the larger, nan if either is nan."""
    return a if a >= b or a != a else b


def state_as_floats(state: DataclassInstance) -> FloatState:
    """A state record as a twin's tuple: ``(step, *vectors as lists, None where absent)``."""
    return tuple(
        v if v is None or isinstance(v, int) else v.tolist() for v in (getattr(state, f.name) for f in fields(state))
    )


def state_from_floats(kind: type[Any], values: FloatState) -> Any:
    """The state record of class ``kind`` from a twin's tuple."""
    step, *vectors = values
    return kind(step, *(None if v is None else np.array(v, float) for v in vectors))


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
    grad = _with_weight_decay(grad, params, weight_decay)
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
        for p, g, b in zip(params, grad, _or_zeros(buffer, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            if momentum != 0:
                b = g if buffer is None else b * momentum + (g if dampening == 0 else (1 - dampening) * g)
                new_buffer.append(b)
                g = g + momentum * b if nesterov else b
            new_params.append(p + (-lr) * g)
        return new_params, (count + 1, new_buffer if momentum != 0 else buffer)

    return step


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
    grad = _with_weight_decay(grad, params, weight_decay)
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
    grad = _with_weight_decay(grad, params, weight_decay)
    terms: dict[str, Any] = {"g": grad, "g2": grad * grad}
    square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
    terms["s"] = square_avg
    grad_avg = state.grad_avg
    if centered:
        assert grad_avg is not None, "a centered RMSprop state has a grad_avg"
        grad_avg = _lerp(grad_avg, grad, 1 - alpha)
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
        for p, g, s, a, b in zip(params, grad, square_avg, _or_zeros(grad_avg, params), _or_zeros(buffer, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            s = s * alpha + (1 - alpha) * g * g
            new_square_avg.append(s)
            if centered:
                a = _lerp(a, g, 1 - alpha)
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
    grad = _with_weight_decay(grad, params, weight_decay)
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
    grad = _with_weight_decay(grad, params, weight_decay)
    exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)
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
        for p, g, m, v, v_max in zip(params, grad, exp_avg, exp_avg_sq, _or_zeros(max_exp_avg_sq, params)):
            if weight_decay != 0:
                g = g + weight_decay * p
            m = _lerp(m, g, 1 - beta1)
            v = v * beta2 + (1 - beta2) * g * g
            new_exp_avg.append(m)
            new_exp_avg_sq.append(v)
            if amsgrad:
                v_max = _maximum(v_max, v)
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


NON_NEGATIVE = ("momentum", "weight_decay", "eps", "lr_decay", "initial_accumulator_value", "alpha")


@dataclass(frozen=True)
class Hyperparameter:
    """One keyword of a torch.optim constructor, with its default and the range of its slider."""

    name: str
    default: HyperValue
    low: float | tuple[float, float] = 0.0
    high: float | tuple[float, float] = 1.0
    log_scale: bool = False


@dataclass(frozen=True)
class Optimizer:
    """A row of the optimizer table: what the GUI shows and the functions that do the work."""

    name: str
    display_name: str
    torch_name: str
    hyperparameters: tuple[Hyperparameter, ...]
    new_state: Callable[..., Any]  # (params, **settings) -> the fresh state record
    step: Callable[..., tuple[Vector, Any]]  # (params, grad, state, lr=…, **settings) -> (params, state)
    arrow_state: str | None  # state field drawn as an arrow (the velocity), if any
    floats: Callable[..., FloatStep[Any]] | None = None  # the step's twin on lists of floats, if any

    def defaults(self) -> dict[str, HyperValue]:
        return {h.name: h.default for h in self.hyperparameters}

    def settings(self, overrides: Mapping[str, HyperValue]) -> dict[str, HyperValue]:
        """Defaults with ``overrides`` applied; an unknown name is a ValueError naming the valid ones."""
        settings = self.defaults()
        unknown = sorted(set(overrides) - set(settings))
        if unknown:
            raise ValueError(
                f"{self.name} has no hyperparameter {', '.join(map(repr, unknown))}; valid: {', '.join(settings)}"
            )
        settings.update(overrides)
        # torch.optim's own checks: a value outside these ranges is a ValueError there too, and some
        # (β = 1 in Adam) would otherwise end in a division by zero.
        for name in ("lr", *NON_NEGATIVE):
            value = settings.get(name)
            if isinstance(value, float | int) and not value >= 0:  # nan too, as in torch
                raise ValueError(f"invalid {name}: {value} (must be ≥ 0)")
        rho = settings.get("rho", 0.5)
        if isinstance(rho, float | int) and not 0.0 <= rho <= 1.0:
            raise ValueError(f"invalid rho value: {rho} (must be in [0, 1])")
        betas = settings.get("betas", ())
        for k, beta in enumerate(betas if isinstance(betas, tuple) else ()):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"invalid beta parameter at index {k}: {beta} (must be in [0, 1))")
        momentum, dampening = settings.get("momentum", 0.0), settings.get("dampening", 0.0)
        if settings.get("nesterov") and (momentum == 0 or dampening != 0):
            raise ValueError("nesterov momentum requires a momentum and zero dampening")
        return settings


def _sgd_state(params: Vector, **_: HyperValue) -> SGDState:
    return SGDState()


def _adagrad_state(params: Vector, initial_accumulator_value: float = 0.0, **_: HyperValue) -> AdagradState:
    return AdagradState(0, np.full_like(params, initial_accumulator_value, dtype=float))


def _rmsprop_state(params: Vector, momentum: float = 0.0, centered: bool = False, **_: HyperValue) -> RMSpropState:
    zeros = np.zeros_like(params, dtype=float)
    return RMSpropState(0, zeros, zeros if centered else None, zeros if momentum > 0 else None)


def _adam_state(params: Vector, amsgrad: bool = False, **_: HyperValue) -> AdamState:
    zeros = np.zeros_like(params, dtype=float)
    return AdamState(0, zeros, zeros, zeros if amsgrad else None)


def _adadelta_state(params: Vector, **_: HyperValue) -> AdadeltaState:
    zeros = np.zeros_like(params, dtype=float)
    return AdadeltaState(0, zeros, zeros)


def _lr(default: float) -> Hyperparameter:
    return Hyperparameter("lr", default, 1e-5, 1.0, log_scale=True)


def _sgd_hyperparameters(momentum: float, nesterov: bool) -> tuple[Hyperparameter, ...]:
    return (
        _lr(1e-3),
        Hyperparameter("momentum", momentum, 0.0, 0.999),
        Hyperparameter("dampening", 0.0, 0.0, 1.0),
        Hyperparameter("weight_decay", 0.0, 0.0, 0.1),
        Hyperparameter("nesterov", nesterov, False, True),
    )


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", "SGD", "SGD", _sgd_hyperparameters(0.0, False), _sgd_state, sgd_step, None, sgd_floats),
        Optimizer(
            "momentum",
            "Momentum",
            "SGD",
            _sgd_hyperparameters(0.9, False),
            _sgd_state,
            sgd_step,
            "momentum_buffer",
            sgd_floats,
        ),
        Optimizer(
            "nesterov",
            "Nesterov",
            "SGD",
            _sgd_hyperparameters(0.9, True),
            _sgd_state,
            sgd_step,
            "momentum_buffer",
            sgd_floats,
        ),
        Optimizer(
            "adagrad",
            "Adagrad",
            "Adagrad",
            (
                _lr(1e-2),
                Hyperparameter("lr_decay", 0.0, 0.0, 0.1),
                Hyperparameter("weight_decay", 0.0, 0.0, 0.1),
                Hyperparameter("initial_accumulator_value", 0.0, 0.0, 1.0),
                Hyperparameter("eps", 1e-10, 1e-12, 1e-2, log_scale=True),
            ),
            _adagrad_state,
            adagrad_step,
            None,
            adagrad_floats,
        ),
        Optimizer(
            "rmsprop",
            "RMSprop",
            "RMSprop",
            (
                _lr(1e-2),
                Hyperparameter("alpha", 0.99, 0.5, 0.9999),
                Hyperparameter("eps", 1e-8, 1e-12, 1e-2, log_scale=True),
                Hyperparameter("weight_decay", 0.0, 0.0, 0.1),
                Hyperparameter("momentum", 0.0, 0.0, 0.999),
                Hyperparameter("centered", False, False, True),
            ),
            _rmsprop_state,
            rmsprop_step,
            "momentum_buffer",
            rmsprop_floats,
        ),
        Optimizer(
            "adadelta",
            "Adadelta",
            "Adadelta",
            (
                _lr(1.0),
                Hyperparameter("rho", 0.9, 0.5, 0.9999),
                Hyperparameter("eps", 1e-6, 1e-12, 1e-2, log_scale=True),
                Hyperparameter("weight_decay", 0.0, 0.0, 0.1),
            ),
            _adadelta_state,
            adadelta_step,
            None,
            adadelta_floats,
        ),
        Optimizer(
            "adam",
            "Adam",
            "Adam",
            (
                _lr(1e-3),
                Hyperparameter("betas", (0.9, 0.999), (0.0, 0.9), (0.999, 0.99999)),
                Hyperparameter("eps", 1e-8, 1e-12, 1e-2, log_scale=True),
                Hyperparameter("weight_decay", 0.0, 0.0, 0.1),
                Hyperparameter("amsgrad", False, False, True),
            ),
            _adam_state,
            adam_step,
            "exp_avg",
            adam_floats,
        ),
        Optimizer(
            "adamw",
            "AdamW",
            "AdamW",
            (
                _lr(1e-3),
                Hyperparameter("betas", (0.9, 0.999), (0.0, 0.9), (0.999, 0.99999)),
                Hyperparameter("eps", 1e-8, 1e-12, 1e-2, log_scale=True),
                Hyperparameter("weight_decay", 1e-2, 0.0, 0.5),
                Hyperparameter("amsgrad", False, False, True),
            ),
            _adam_state,
            adamw_step,
            "exp_avg",
            adamw_floats,
        ),
    )
}


def optimizer_named(name: str) -> Optimizer:
    """The table row for ``name``; an unknown name is a ValueError listing the valid ones."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}") from None


__all__ = [
    "OPTIMIZERS",
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "ExponentialLR",
    "FloatState",
    "FloatStep",
    "Hyperparameter",
    "LRSchedule",
    "Optimizer",
    "RMSpropState",
    "SGDState",
    "StepLR",
    "adadelta_floats",
    "adadelta_step",
    "adagrad_floats",
    "adagrad_step",
    "adam_floats",
    "adam_step",
    "adamw_floats",
    "adamw_step",
    "constant_learning_rates",
    "optimizer_named",
    "rmsprop_floats",
    "rmsprop_step",
    "sgd_floats",
    "sgd_step",
    "state_as_floats",
    "state_from_floats",
]
