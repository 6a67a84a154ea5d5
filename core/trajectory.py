"""Run optimizers on an expression: ``optimize`` / ``optimize_many`` -> ``Trajectory``.

Several runs on the same surface share one engine call per step: their current points are stacked
into arrays of shape (k,) per axis and the graph is evaluated once, vectorized, for all of them (the
per-call overhead of the engine, not the arithmetic, is what costs time at 2-D). Each run then takes
its own pure optimizer step. A run whose point, loss or gradient stops being finite (overflow, nan)
is stopped at its last finite point and marked ``diverged``; nothing here raises for that.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from core.optimizers import HyperValue, LRSchedule, optimizer_named

LossAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
RunSpec = tuple[str, Mapping[str, HyperValue]] | tuple[str, Mapping[str, HyperValue], LRSchedule | None]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's path. Row i of points/losses/grads/states is the situation after i steps."""

    optimizer: str
    hyperparameters: Mapping[str, HyperValue]
    axes: tuple[str, ...]  # column names of points and grads
    points: np.ndarray  # (steps + 1, len(axes)): the start, then the point after each step
    losses: np.ndarray  # (steps + 1,)
    grads: np.ndarray  # (steps + 1, len(axes)): the gradient at each point
    states: tuple[object, ...]  # steps + 1 optimizer states; states[0] is the fresh state
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


def _divergence(point: np.ndarray, loss: float, grad: np.ndarray) -> tuple[str, bool] | None:
    """What went wrong at a point, and whether the point itself is still usable; None if all is fine."""
    def word(values: np.ndarray) -> str:
        bad = values[~np.isfinite(values)]
        return "became nan" if np.isnan(bad).any() else f"overflowed to {bad[0]:+}".replace("+", "")
    if not np.isfinite(point).all():
        return f"parameters {word(point)}", False
    if not np.isfinite(loss):
        return f"loss {word(np.array([loss]))}", False
    if not np.isfinite(grad).all():
        return f"gradient {word(grad)}", True
    return None


def run_optimizers(loss_and_grad: LossAndGrad, runs: Sequence[RunSpec], start: np.ndarray,
                   steps: int, axes: tuple[str, ...]) -> list[Trajectory]:
    """Step every run ``steps`` times from ``start``; ``loss_and_grad`` maps (k, d) points to
    (k,) losses and (k, d) gradients. The engine-free core of ``optimize_many``."""
    k = len(runs)
    specs, settings, lr_lists = [], [], []
    for run in runs:
        spec = optimizer_named(run[0])
        chosen = spec.settings(run[1])
        schedule = run[2] if len(run) > 2 else None
        lr = float(chosen["lr"])
        specs.append(spec)
        settings.append({n: v for n, v in chosen.items() if n != "lr"})
        lr_lists.append(schedule.learning_rates(lr, steps) if schedule else [lr] * steps)
    params = [np.array(start, float) for _ in range(k)]  # each run's current point
    states = [[spec.new_state(params[j], **settings[j])] for j, spec in enumerate(specs)]
    steppers = [partial(spec.step, **settings[j]) for j, spec in enumerate(specs)]
    points, losses, grads = [], [], []
    running = list(range(k))
    kept, messages = [steps + 1] * k, [""] * k
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            current = np.array(params)
            loss, grad = loss_and_grad(current)
            points.append(current)
            losses.append(loss)
            grads.append(grad)
            # One sum is non-finite if any entry is; only then look at the runs one by one.
            rows = slice(None) if len(running) == k else running  # stopped runs stay non-finite
            if not math.isfinite(loss[rows].sum() + grad[rows].sum() + current[rows].sum()):
                for j in list(running):
                    problem = _divergence(current[j], loss[j], grad[j])
                    if problem is not None:
                        running.remove(j)
                        # The start is kept even when its loss is not finite: a run has a point.
                        kept[j] = step + 1 if problem[1] or step == 0 else step
                        messages[j] = (f"diverged at step {step}: {problem[0]}; "
                                       "stopped at the last finite point" if step else
                                       f"cannot start: {problem[0]} at the start point")
            if step == steps or not running:
                break
            for j in running:
                params[j], state = steppers[j](params[j], grad[j], states[j][-1],
                                               lr=lr_lists[j][step])
                states[j].append(state)
    all_points, all_losses, all_grads = np.stack(points, 1), np.stack(losses, 1), np.stack(grads, 1)
    trajectories = []
    for j in range(k):
        rows = kept[j]
        trajectories.append(Trajectory(
            specs[j].name, specs[j].settings(runs[j][1]), axes,
            all_points[j, :rows], all_losses[j, :rows], all_grads[j, :rows],
            tuple(states[j][:rows]), np.array(lr_lists[j][:rows - 1], float), bool(messages[j]),
            messages[j]))
    return trajectories


def _as_graph(expression: object) -> object:
    import core  # the engine package; imported here so that this module loads without it

    return core.parse(expression) if isinstance(expression, str) else expression


def graph_loss_and_grad(graph: object, axes: Sequence[str],
                        fixed: Mapping[str, float] | None = None) -> LossAndGrad:
    """Loss and gradient over the ``axes`` for a batch of points, one vectorized engine call.

    Inputs of the expression that are not axes are held at their ``fixed`` values; an input with
    neither is a ValueError. An axis the expression does not use has a zero gradient.
    """
    fixed = dict(fixed or {})
    missing = [name for name in graph.inputs if name not in axes and name not in fixed]
    if missing:
        raise ValueError(f"the expression's input{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(map(repr, missing))} {'are' if len(missing) > 1 else 'is'} "
                         f"not among the axes {tuple(axes)}; give a start value or hold it fixed "
                         f"with fixed={{{missing[0]!r}: ...}}")
    held = {name: float(fixed[name]) for name in graph.inputs if name not in axes}
    used = [(column, name) for column, name in enumerate(axes) if name in graph.inputs]

    def loss_and_grad(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = len(points)
        value, grad = graph.value_and_grad({**held, **{name: points[:, column]
                                                       for column, name in used}})
        grads = np.zeros_like(points)
        for column, name in used:
            grads[:, column] = grad[name]
        value = np.asarray(value, float)
        return (value if value.shape == (k,) else np.broadcast_to(value, (k,))), grads

    return loss_and_grad


def optimize_many(expression: object, runs: Sequence[RunSpec], start: Mapping[str, float],
                  steps: int = 100, fixed: Mapping[str, float] | None = None) -> list[Trajectory]:
    """Race several optimizers from the same start; one engine call per step serves all of them.

    ``runs`` holds ``(optimizer, hyperparameters)`` or ``(optimizer, hyperparameters, lr_schedule)``;
    the axes are ``start``'s keys in order; ``expression`` is text or a parsed graph.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    axes = tuple(start)
    if not axes:
        raise ValueError("start must name at least one input")
    loss_and_grad = graph_loss_and_grad(_as_graph(expression), axes, fixed)
    start_point = np.array([float(start[name]) for name in axes])
    return run_optimizers(loss_and_grad, runs, start_point, steps, axes)


def optimize(expression: object, optimizer: str, start: Mapping[str, float], steps: int = 100,
             fixed: Mapping[str, float] | None = None, lr_schedule: LRSchedule | None = None,
             **hyperparameters: HyperValue) -> Trajectory:
    """Run one optimizer (torch.optim's hyperparameter names) from ``start`` for ``steps`` steps."""
    return optimize_many(expression, [(optimizer, hyperparameters, lr_schedule)], start, steps,
                         fixed)[0]
