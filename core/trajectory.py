"""Run optimizers on an expression: ``optimize`` / ``optimize_many`` -> ``Trajectory``.

A race is thousands of steps on 2-D points, so what costs is per-call overhead, not arithmetic. Each
step therefore evaluates the graph once per run on plain Python floats (the engine's scalar path,
a few µs for a test surface, where one vectorized call on arrays of shape (k,) costs ~30 µs), and
each optimizer steps with its float twin from ``core.optimizers`` (the same operations as the numpy
step functions, hence the same bits). Points, losses and gradients are recorded as flat lists and
become arrays once at the end; a run's optimizer states, one frozen record per step for the GUI,
are rebuilt from the recorded floats when first looked at. A run whose point, loss or gradient
stops being finite (overflow, nan) is stopped at its last finite point and marked ``diverged``;
nothing here raises for that. ``Trajectory.update(k)`` is step k written out: the terms the
optimizer's step function recorded while taking it (``record=`` in ``core.optimizers``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

import numpy as np

from core.evaluate import point_function
from core.graph import Graph
from core.optimizers import (
    Floats,
    FloatState,
    FloatStep,
    HyperValue,
    LRSchedule,
    Optimizer,
    optimizer_named,
    state_as_floats,
    state_from_floats,
)
from core.surfaces import Differentiable, as_graph

LossAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
PointLossAndGrad = Callable[[Floats], tuple[float, Floats]]  # one point as floats -> loss, gradient
RunSpec = tuple[str, Mapping[str, HyperValue]] | tuple[str, Mapping[str, HyperValue], LRSchedule | None]
Progress = Callable[[float], None]  # told the fraction done now and then; may raise to stop the run
PROGRESS_EVERY = 256  # steps between progress reports


@dataclass(frozen=True, eq=False)
class Update:
    """Step k of a run as the optimizer took it: from ``point`` to ``new_point``, the states before
    and after, and the named terms its step function recorded (``g``, ``m``, ``m_hat``, ``denom`` …)."""

    step: int  # k: the step from points[k] to points[k + 1]
    lr: float
    point: np.ndarray
    new_point: np.ndarray
    loss: float
    new_loss: float
    grad: np.ndarray  # ∇L at the point (before any weight decay; terms["g"] has it)
    before: Any
    after: Any
    terms: Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's path. Row i of points/losses/grads/states is the situation after i steps."""

    optimizer: str
    hyperparameters: Mapping[str, HyperValue]
    axes: tuple[str, ...]  # column names of points and grads
    points: np.ndarray  # (steps + 1, len(axes)): the start, then the point after each step
    losses: np.ndarray  # (steps + 1,)
    grads: np.ndarray  # (steps + 1, len(axes)): the gradient at each point
    states: Sequence[object]  # steps + 1 optimizer states; states[0] is the fresh state
    lrs: np.ndarray  # (steps,): learning rate of the step from points[i] to points[i + 1]
    diverged: bool
    message: str

    @property
    def steps(self) -> int:
        """Steps actually taken (fewer than asked for when the run diverged)."""
        return len(self.points) - 1

    def state_field(self, name: str) -> np.ndarray:
        """One state field at every step, shape (steps + 1, len(axes)); nan while it is absent."""
        rows = [getattr(s, name) for s in self.states]
        return np.array([np.full(len(self.axes), np.nan) if r is None else r for r in rows], float)

    def update(self, k: int) -> Update | None:
        """Step k (clamped to the steps taken) retaken by the numpy step function with ``record=``,
        so every term is the one the optimizer used; None when the run took no step."""
        if self.steps == 0:
            return None
        k = max(0, min(int(k), self.steps - 1))
        spec = optimizer_named(self.optimizer)
        settings = {n: v for n, v in self.hyperparameters.items() if n != "lr"}
        terms: dict[str, Any] = {}
        with np.errstate(all="ignore"):  # a diverging run's last terms overflow: shown as inf, quietly
            spec.step(self.points[k], self.grads[k], self.states[k], lr=float(self.lrs[k]), record=terms, **settings)
        return Update(
            k,
            float(self.lrs[k]),
            self.points[k],
            self.points[k + 1],
            float(self.losses[k]),
            float(self.losses[k + 1]),
            self.grads[k],
            self.states[k],
            self.states[k + 1],
            terms,
        )


class RecordedStates(Sequence[Any]):
    """A raced run's ``Trajectory.states``, a read-only sequence like a tuple: the fresh state, then
    the state after each step, built from the recorded floats when first looked at (a race records
    thousands of states; the GUI looks at those of one run)."""

    def __init__(self, first: Any, recorded: Sequence[FloatState]) -> None:
        self._first, self._recorded = first, recorded

    @cached_property
    def _states(self) -> tuple[Any, ...]:
        if not self._recorded:
            return (self._first,)
        kind = type(self._first)
        steps, *vectors = zip(*self._recorded)  # field by field; a field is absent at every step or none
        arrays = [None if v[0] is None else np.array(v, float) for v in vectors]
        return (
            self._first,
            *(kind(step, *(None if a is None else a[i] for a in arrays)) for i, step in enumerate(steps)),
        )

    def __len__(self) -> int:
        return len(self._recorded) + 1

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int) and "_states" not in self.__dict__:
            return self._one(index)  # one state (the GUI's current step) without building thousands
        return self._states[index]

    def _one(self, index: int) -> Any:
        k = range(len(self))[index]  # negative indices and IndexError as a tuple has them
        if k == 0:
            return self._first
        step, *vectors = self._recorded[k - 1]
        return type(self._first)(step, *(None if v is None else np.array(v, float) for v in vectors))

    def __iter__(self) -> Iterator[object]:
        return iter(self._states)

    def __repr__(self) -> str:
        return f"RecordedStates({len(self)} states of {type(self._first).__name__})"


def _divergence(
    point: np.ndarray, loss: float, grad: np.ndarray, axes: tuple[str, ...] = ()
) -> tuple[str, bool] | None:
    """What went wrong at a point, and whether the point itself is still usable; None if all is fine.

    Names the quantity that first stopped being finite: the parameter (by its axis), the loss, or the
    gradient along an axis ("parameter x overflowed to inf")."""

    def word(values: np.ndarray) -> str:
        bad = values[~np.isfinite(values)]
        return "became nan" if np.isnan(bad).any() else f"overflowed to {bad[0]:+}".replace("+", "")

    def which(values: np.ndarray) -> str:
        first = int(np.flatnonzero(~np.isfinite(values))[0])
        return f" {axes[first]}" if first < len(axes) else ""

    if not np.isfinite(point).all():
        return f"parameter{which(point)} {word(point)}", False
    if not np.isfinite(loss):
        return f"loss {word(np.array([loss]))}", False
    if not np.isfinite(grad).all():
        along = which(grad)
        return f"{'gradient along' + along if along else 'gradient'} {word(grad)}", True
    return None


def _numpy_step(spec: Optimizer, kind: type[Any], settings: Mapping[str, HyperValue]) -> FloatStep[FloatState]:
    """The optimizer's numpy step function, on and to floats: for a step its float twin cannot take
    (Python raises on x/0 and sqrt(-x) where numpy gives inf and nan)."""

    def step(params: Floats, grad: Floats, state: FloatState, lr: float) -> tuple[Floats, FloatState]:
        new_params, new_state = spec.step(
            np.array(params, float), np.array(grad, float), state_from_floats(kind, state), lr=lr, **settings
        )
        return new_params.tolist(), state_as_floats(new_state)

    return step


def _path(
    loss_and_grad: PointLossAndGrad,
    run: RunSpec,
    start: Floats,
    steps: int,
    axes: tuple[str, ...],
    progress: Progress | None = None,
) -> Trajectory:
    """One run: ``steps`` steps from ``start`` (fewer if it diverges)."""
    spec = optimizer_named(run[0])
    chosen = spec.settings(run[1])
    schedule = run[2] if len(run) > 2 else None
    lr = chosen["lr"]
    assert isinstance(lr, float | int), "Optimizer.settings checked the learning rate"
    lr = float(lr)
    lrs = schedule.learning_rates(lr, steps) if schedule else [lr] * steps
    settings = {n: v for n, v in chosen.items() if n != "lr"}
    first_state = spec.new_state(np.array(start, float), **settings)
    fallback = _numpy_step(spec, type(first_state), settings)
    twin = spec.floats(**settings) if spec.floats else fallback
    points, losses, grads, recorded = [], [], [], []  # points and grads flat: d numbers per step
    point, state, message, kept = start, state_as_floats(first_state), "", steps + 1
    with np.errstate(all="ignore"):  # numpy (in the fallbacks) gives inf/nan quietly, as floats do
        for step in range(steps + 1):
            loss, grad = loss_and_grad(point)
            points.extend(point)
            losses.append(loss)
            grads.extend(grad)
            # The sum is non-finite if any entry is; only then look at the entries one by one.
            if not math.isfinite(loss + sum(grad) + sum(point)):
                problem = _divergence(np.array(point), loss, np.array(grad), axes)
                if problem is not None:
                    # The start is kept even when its loss is not finite: a run has a point.
                    kept = step + 1 if problem[1] or step == 0 else step
                    message = (
                        f"diverged at step {step}: {problem[0]}; stopped at the last finite point"
                        if step
                        else f"cannot start: {problem[0]} at the start point"
                    )
                    break
            if step == steps:
                break
            if progress is not None and step % PROGRESS_EVERY == 0:
                progress(step / steps)
            try:
                point, state = twin(point, grad, state, lrs[step])
            except (ArithmeticError, ValueError):
                point, state = fallback(point, grad, state, lrs[step])
            recorded.append(state)
    taken, d = len(losses), len(start)
    return Trajectory(
        spec.name,
        spec.settings(run[1]),
        axes,
        np.array(points, float).reshape(taken, d)[:kept],
        np.array(losses, float)[:kept],
        np.array(grads, float).reshape(taken, d)[:kept],
        RecordedStates(first_state, recorded[: kept - 1]),
        np.array(lrs[: kept - 1], float),
        bool(message),
        message,
    )


def run_optimizers(
    loss_and_grad: LossAndGrad, runs: Sequence[RunSpec], start: np.ndarray, steps: int, axes: tuple[str, ...]
) -> list[Trajectory]:
    """Step every run ``steps`` times from ``start``; ``loss_and_grad`` maps (k, d) points to
    (k,) losses and (k, d) gradients (it is given one point at a time). The engine-free core of
    ``optimize_many``."""

    def at(point: Floats) -> tuple[float, Floats]:
        loss, grad = loss_and_grad(np.array([point], float))
        return float(np.asarray(loss, float)[0]), np.asarray(grad, float)[0].tolist()

    start_point = np.asarray(start, float).tolist()
    return [_path(at, run, start_point, steps, axes) for run in runs]


def _held_and_used(
    graph: Differentiable, axes: Sequence[str], fixed: Mapping[str, float] | None
) -> tuple[dict[str, float], list[tuple[int, str]]]:
    """The inputs held at fixed values, and the (column, name) of the axes the expression uses."""
    fixed = dict(fixed or {})
    missing = [name for name in graph.inputs if name not in axes and name not in fixed]
    if missing:
        raise ValueError(
            f"the expression's input{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} {'are' if len(missing) > 1 else 'is'} "
            f"not among the axes {tuple(axes)}; give a start value or hold it fixed "
            f"with fixed={{{missing[0]!r}: ...}}"
        )
    held = {name: float(fixed[name]) for name in graph.inputs if name not in axes}
    return held, [(column, name) for column, name in enumerate(axes) if name in graph.inputs]


def graph_loss_and_grad(
    graph: Differentiable, axes: Sequence[str], fixed: Mapping[str, float] | None = None
) -> LossAndGrad:
    """Loss and gradient over the ``axes`` for a batch of points, one vectorized engine call.

    Inputs of the expression that are not axes are held at their ``fixed`` values; an input with
    neither is a ValueError. An axis the expression does not use has a zero gradient.
    """
    held, used = _held_and_used(graph, axes, fixed)

    def loss_and_grad(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = len(points)
        value, grad = graph.value_and_grad({**held, **{name: points[:, column] for column, name in used}})
        grads = np.zeros_like(points)
        for column, name in used:
            grads[:, column] = grad[name]
        value = np.asarray(value, float)
        return (value if value.shape == (k,) else np.broadcast_to(value, (k,))), grads

    return loss_and_grad


def graph_point_loss_and_grad(
    graph: Differentiable, axes: Sequence[str], fixed: Mapping[str, float] | None = None
) -> PointLossAndGrad:
    """Loss and gradient over the ``axes`` at one point given as floats, on the engine's scalar
    path (Python's ``math``: a few µs for a test surface); where ``math`` raises (log(-1),
    overflow), ``Graph.value_and_grad`` repeats the point with numpy, as ``Graph.evaluate`` does.
    Inputs and errors as ``graph_loss_and_grad``."""
    held, _ = _held_and_used(graph, axes, fixed)
    on_floats = point_function(graph, axes, held) if isinstance(graph, Graph) else None

    def loss_and_grad(point: Floats) -> tuple[float, Floats]:
        try:
            if on_floats is not None:
                return on_floats(point)
        except (ArithmeticError, ValueError, TypeError):
            pass
        value, grad = graph.value_and_grad({**held, **dict(zip(axes, point))})
        return float(value), [float(grad[name]) if name in grad else 0.0 for name in axes]

    return loss_and_grad


def optimize_many(
    expression: str | Differentiable,
    runs: Sequence[RunSpec],
    start: Mapping[str, float],
    steps: int = 100,
    fixed: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> list[Trajectory]:
    """Race several optimizers from the same start: each run is its own path of scalar engine calls
    and float steps (the runs are independent; see the module doc for why not one batched call).

    ``runs`` holds ``(optimizer, hyperparameters)`` or ``(optimizer, hyperparameters, lr_schedule)``;
    the axes are ``start``'s keys in order; ``expression`` is text or a parsed graph. ``progress``
    is told the fraction of the race done every few hundred steps (an exception it raises, such as a
    background job's "cancelled", stops the race).
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    axes = tuple(start)
    if not axes:
        raise ValueError("start must name at least one input")
    at = graph_point_loss_and_grad(as_graph(expression), axes, fixed)
    start_point = [float(start[name]) for name in axes]
    if progress is None:
        return [_path(at, run, start_point, steps, axes) for run in runs]

    def part(k: int) -> Progress:
        return lambda fraction: progress((k + fraction) / len(runs))

    return [_path(at, run, start_point, steps, axes, part(k)) for k, run in enumerate(runs)]


def optimize(
    expression: str | Differentiable,
    optimizer: str,
    start: Mapping[str, float],
    steps: int = 100,
    fixed: Mapping[str, float] | None = None,
    lr_schedule: LRSchedule | None = None,
    **hyperparameters: HyperValue,
) -> Trajectory:
    """Run one optimizer (torch.optim's hyperparameter names) from ``start`` for ``steps`` steps."""
    return optimize_many(expression, [(optimizer, hyperparameters, lr_schedule)], start, steps, fixed)[0]
