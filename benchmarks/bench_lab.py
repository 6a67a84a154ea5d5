"""Optimizer lab: what one hyperparameter change or start click costs, all of it on one thread.

Run: .venv/bin/python benchmarks/bench_lab.py
With `InlineRunner` (the lab's job runs at once, on the caller's thread), so these are the total
costs; in the window the job runs on a thread pool (see bench_gaps_lab.py for the event-loop gaps).
Measures, best of several repeats, with all six optimizers on Rosenbrock:
- the race alone (core.optimize_many, 6 × 1,000 steps) and with every view updated,
- a start click end to end (recompute + every view redrawn + Qt paints the tab),
- one animation frame (the step moves: paths cut, arrows, formula, loss cursor),
- a surface change (grid + heat map + contours).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout, not main

from PySide6.QtWidgets import QApplication
from timing import best_of

from graphviz_app.debugger.state import AppState
from graphviz_app.lab import OptimizerLab


def best_of_ms(fn: Callable[[], object], repeats: int = 7) -> float:
    return best_of(fn, repeats) * 1e3


def _race_ms(lab) -> float:
    lab.recompute()
    return lab.race_ms  # core.optimize_many alone, timed inside the lab's job


def main() -> None:
    app = QApplication.instance() or QApplication([])
    tab = OptimizerLab(AppState())
    tab.resize(1600, 950)
    tab.show()
    app.processEvents()
    lab = tab.lab
    for steps in (600, 1000):
        lab.set_steps(steps)
        total = best_of_ms(lab.recompute)
        race = min(_race_ms(lab) for _ in range(7))
        print(
            f"{len(lab.trajectories)} optimizers x {steps} steps: race {race:.1f} ms, "
            f"race + every view updated {total:.1f} ms"
        )
    lab.show_all()

    def click() -> None:
        lab.set_start(-1.2, 2.2)
        app.processEvents()
        tab.repaint()

    print(f"start click end to end (recompute + redraw + paint), 1000 steps: {best_of_ms(click):.1f} ms")
    frames = iter(range(1, 10_000))

    def frame() -> None:
        lab.set_cursor(next(frames) % 1000)
        tab.repaint()

    print(f"one animation frame (step moved, repainted): {best_of_ms(frame, 20):.1f} ms")

    def surface() -> None:
        lab.set_surface("himmelblau")
        lab.set_surface("rosenbrock")

    print(f"surface change incl. race (grid, heat map, contours): {best_of_ms(surface, 3) / 2:.1f} ms")


if __name__ == "__main__":
    main()
