"""Optimizer lab speed: all six optimizers × 1,000 steps on Rosenbrock, raced and one by one.

Run: .venv/bin/python benchmarks/bench_optimizers.py
The budget is well under 100 ms for the race; the target is 30 ms (each step: one scalar engine
call per run, then the optimizer's float twin). The states of a run, one record per step, are built
when the GUI first looks at them: that is timed separately.
"""

from __future__ import annotations

from timing import best_of

from core.optimizers import OPTIMIZERS
from core.surfaces import SURFACES, surface_grid
from core.trajectory import optimize, optimize_many

STEPS = 1_000


def main() -> None:
    rosenbrock = SURFACES["rosenbrock"]
    start = rosenbrock.start_values()
    runs = [(name, {}) for name in OPTIMIZERS]
    race = best_of(lambda: optimize_many(rosenbrock.expression, runs, start, STEPS))
    print(f"race: {len(runs)} optimizers x {STEPS} steps: {race * 1e3:.1f} ms")
    states = best_of(
        lambda: optimize_many(rosenbrock.expression, runs[-1:], start, STEPS)[0].state_field("exp_avg")
    ) - best_of(lambda: optimize_many(rosenbrock.expression, runs[-1:], start, STEPS))
    print(f"first look at one run's {STEPS + 1} states (Adam's m at every step): {states * 1e3:.1f} ms")
    alone = best_of(lambda: [optimize(rosenbrock.expression, name, start, STEPS) for name in OPTIMIZERS], repeats=3)
    print(f"one by one: {len(runs)} x {STEPS} steps: {alone * 1e3:.1f} ms")
    grid = best_of(
        lambda: surface_grid(rosenbrock.expression, rosenbrock.axes, rosenbrock.x_range, rosenbrock.y_range, n=200)
    )
    print(f"surface grid 200x200 with gradient field: {grid * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
