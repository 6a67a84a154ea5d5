"""The optimizer table the GUI reads: each optimizer's names, its hyperparameters with torch's
defaults and slider ranges, its fresh state and its step functions, simplest first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.optimizers.adadelta import AdadeltaState, adadelta_floats, adadelta_step
from core.optimizers.adagrad import AdagradState, adagrad_floats, adagrad_step
from core.optimizers.adam import AdamState, adam_floats, adam_step, adamw_floats, adamw_step
from core.optimizers.base import FloatStep, HyperValue, Vector
from core.optimizers.rmsprop import RMSpropState, rmsprop_floats, rmsprop_step
from core.optimizers.sgd import SGDState, sgd_floats, sgd_step

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
