"""Learning-rate schedules for the optimizer lab, as torch.optim.lr_scheduler computes them.

Each gives the learning rate of every step when the scheduler is stepped once after every optimizer
step (torch's usual loop), with the same repeated products and therefore the same rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StepLR:
    """torch.optim.lr_scheduler.StepLR: multiply the learning rate by gamma every step_size steps."""

    step_size: int
    gamma: float = 0.1

    def learning_rates(self, lr: float, steps: int) -> list[float]:
        rates = []
        for step in range(1, steps + 1):
            rates.append(lr)
            if step % self.step_size == 0:
                lr = lr * self.gamma  # repeated products, as torch's chainable form rounds
        return rates


@dataclass(frozen=True)
class ExponentialLR:
    """torch.optim.lr_scheduler.ExponentialLR: multiply the learning rate by gamma every step."""

    gamma: float

    def learning_rates(self, lr: float, steps: int) -> list[float]:
        rates = []
        for _ in range(steps):
            rates.append(lr)
            lr = lr * self.gamma
        return rates


LRSchedule = StepLR | ExponentialLR
MAX_MARKS = 40  # more changes than this (exponential decay changes every step): mark the halvings


def rate_change_steps(lrs: Sequence[float]) -> list[int]:
    """The steps whose learning rate differs from the step before (step decay: every step_size steps);
    when it changes nearly every step (exponential decay), the steps where it has halved once more."""
    changes = [k for k in range(1, len(lrs)) if lrs[k] != lrs[k - 1]]
    if len(changes) <= MAX_MARKS:
        return changes
    first = lrs[0]
    if not first > 0:
        return []
    halvings = [math.floor(math.log2(first / lr)) if lr > 0 else -1 for lr in lrs]
    return [k for k in range(1, len(lrs)) if halvings[k] > halvings[k - 1] >= 0][:MAX_MARKS]


def constant_learning_rates(lr: float, steps: int) -> list[float]:
    """No schedule: the same learning rate at every step."""
    return [lr] * steps
