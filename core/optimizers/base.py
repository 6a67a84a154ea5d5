"""What every update rule shares: the vector and float-list types, the state record's protocol,
torch's small helpers (lerp, weight decay folded into the gradient) and the conversion between a
state record and its float twin's tuple (see the package doc for the twins)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Vector = npt.NDArray[np.float64]
HyperValue = float | bool | tuple[float, float]
Floats = list[float]
# A twin's state: the state record as a tuple, ``(step, *vector fields as lists, None where absent)``.
# Each optimizer has its own shape (in its module); code that handles any optimizer uses ``FloatState``.
FloatState = tuple[Any, ...]
S = TypeVar("S", bound=tuple[Any, ...])
FloatStep = Callable[[Floats, Floats, S, float], tuple[Floats, S]]
Number = TypeVar("Number", float, Vector)


class OptimizerState(Protocol):
    """What every state record has: the number of steps taken (the records are frozen dataclasses)."""

    @property
    def step(self) -> int: ...


def lerp(start: Number, end: Number, weight: float) -> Number:
    """torch.lerp: picks the formula by the size of the weight, so we do too."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def with_weight_decay(grad: Vector, params: Vector, weight_decay: float) -> Vector:
    """L2 penalty folded into the gradient, as torch.optim does (``grad.add(param, alpha=wd)``)."""
    return grad + weight_decay * params if weight_decay != 0 else grad


def or_zeros(values: Floats | None, like: Floats) -> Floats:
    """An absent state field (None) zipped in as zeros: the twins never read its entries then."""
    return [0.0] * len(like) if values is None else values


def maximum(a: float, b: float) -> float:
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
