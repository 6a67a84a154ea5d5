"""Optimizer lab: the longest event-loop gap (ms) of every action a user takes in the lab tab.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gaps_lab.py
The window is the real one (`MainWindow` with every tab, the debugger state with a `ThreadRunner`);
each action starts inside the event loop and the loop spins until the lab is idle again (its runs
and grids have arrived). A gap over 50 ms is a stall the user feels. Prints one line per action:
the longest wall-clock gap (heartbeat.py's measure) and the longest stretch of CPU time the GUI
thread spent in one go (what this code controls; on a loaded machine the wall-clock gap also holds
the time the GUI thread waited for a core or for the GIL).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout, not main

from heartbeat import spin
from PySide6.QtWidgets import QApplication, QWidget

from core.surfaces import SURFACES, logistic_loss_expression
from graphviz_app.app import GUI_SWITCH_INTERVAL_S
from graphviz_app.debugger.state import AppState
from graphviz_app.lab import preload
from graphviz_app.main_window import MainWindow
from graphviz_app.widgets.background import ThreadRunner

BUDGET_MS = 50.0
SWITCH_INTERVAL_S = float(os.environ.get("SWITCH_INTERVAL_S", GUI_SWITCH_INTERVAL_S))  # the GIL hand-over period
RACE_STEPS = 5000


def big_expression(points: int = 83) -> str:
    """A logistic-regression loss over w and b with many data points (362 nodes at 83 points)."""
    data = [((k - points / 2) / 7.0, (k * 7) % 3 == 0) for k in range(points)]
    return logistic_loss_expression(tuple((x, int(label)) for x, label in data))


def gaps_ms(action: Callable[[], None], done: Callable[[], bool], timeout_s: float = 60.0) -> tuple[float, float]:
    """(longest wall-clock gap, longest GUI-thread CPU stretch) in ms: heartbeat.spin."""
    return spin(action, done, timeout_s)


def report(name: str, gaps: tuple[float, float]) -> None:
    wall, cpu = gaps
    verdict = "ok" if wall <= BUDGET_MS else "STALL" if cpu > BUDGET_MS else "STALL (GUI-thread CPU within budget)"
    print(f"{name:<50} gap {wall:7.1f} ms  GUI-thread CPU {cpu:6.1f} ms  {verdict}", flush=True)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # as app.py does
    runner = ThreadRunner()
    try:
        state = AppState(runner=runner)
    except TypeError:  # before the debugger state took a runner
        state = AppState()
    try:
        window = MainWindow(state, extra_tabs=True, preload=True)  # as app.py opens it
    except TypeError:  # before the window preloaded the tabs' modules
        window = MainWindow(state, extra_tabs=True)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    lab_index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "Optimizer lab")

    def page() -> QWidget | None:
        return getattr(window.tabs.widget(lab_index), "page", None)

    def lab():  # the tab's LabState
        return page().lab  # type: ignore[union-attr]

    def idle() -> bool:
        tab = page()
        if tab is None or not hasattr(tab, "lab") or getattr(tab, "loss_plot", True) is None:
            return False
        stages = getattr(tab, "stages", None)  # redraws still to come, one per turn (lab/staging.py)
        if stages is not None and stages.pending():
            return False
        busy = getattr(tab.lab, "busy", None)
        return not busy() if callable(busy) else True

    def measure(name: str, action: Callable[[], None], settle_s: float = 0.0) -> None:
        """`settle_s`: keep spinning that long even when idle (work that a timer starts later)."""
        began = time.perf_counter()
        report(name, gaps_ms(action, lambda: idle() and time.perf_counter() - began >= settle_s))

    def show_expression(text: str, inputs: dict[str, float] | None = None) -> None:
        """Type an expression into the debugger and wait until it is built (the debugger may build off-thread)."""
        state.set_expression(text, inputs)
        deadline = time.perf_counter() + 30
        while state.expression != text and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.005)

    text = big_expression()
    show_expression(text, {"w": 0.5, "b": 0.1})
    for k in range(3):  # the debugger's own cost, for comparison with the same change once the lab exists
        measure(f"debugger input change, lab never opened ({k + 1})", lambda k=k: state.set_input("w", 0.6 + 0.1 * k))
    show_expression("(x + y) * z")
    if getattr(window, "preloading", None) is not None:
        window.preloading.join()
    preload().join()  # as the window does once it is on screen (app.py): the lab's imports, off-thread
    measure("open the lab tab", lambda: window.tabs.setCurrentIndex(lab_index))
    measure(f"steps 600 -> {RACE_STEPS}", lambda: lab().set_steps(RACE_STEPS))
    for key in SURFACES:
        measure(f"{RACE_STEPS}-step race on {key}", lambda key=key: lab().set_surface(key))
    measure("learning rate (Adam 0.05)", lambda: lab().set_hyperparameter("adam", "lr", 0.05))
    measure("optimizer toggle (SGD off)", lambda: lab().set_enabled("sgd", False))
    measure("optimizer toggle (SGD on)", lambda: lab().set_enabled("sgd", True))

    def drag() -> None:
        for k in range(20):  # a slider drag: many values, only the last one counts
            lab().set_hyperparameter("momentum", "lr", 1e-4 * (1 + k))

    measure("learning-rate drag (20 values)", drag)
    measure("surface change (rosenbrock)", lambda: lab().set_surface("rosenbrock"))
    measure(f"steps {RACE_STEPS} -> 1000", lambda: lab().set_steps(1000))
    measure("start click", lambda: lab().set_start(-1.0, 2.5))
    show_expression(text, {"w": 0.5, "b": 0.1})
    print(f"(current expression: {len(state.graph.nodes)} nodes)")
    measure("current-expression surface (362 nodes)", lambda: lab().set_surface("expression"))
    window.tabs.setCurrentIndex(0)
    app.processEvents()
    for k in range(3):
        measure(
            f"debugger input change, lab hidden ({k + 1})",
            lambda k=k: state.set_input("w", 0.6 + 0.1 * k),
            settle_s=1.0,  # the lab follows input changes after a coalescing pause
        )
    runner.wait()
    window.confirm_discard = lambda doing: True  # a benchmark's edits are not work to keep
    window.close()


if __name__ == "__main__":
    main()
