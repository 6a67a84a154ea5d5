"""Activations and tiny networks: the longest event-loop gap (ms) of the actions a user takes there.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gaps_networks.py
The window is the real one (`MainWindow` with every tab, the debugger state with a `ThreadRunner`);
each action starts inside the event loop and the loop spins until the tab is idle again (built,
trained, redrawn). A gap over 50 ms is a stall the user feels. Prints one line per action: the
longest wall-clock gap and, as bench_gaps_lab.py does, the longest stretch of CPU time the GUI thread
spent in one go (what this code controls; on a loaded machine the wall-clock gap also holds the time
the GUI thread waited for a core or for the GIL).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree, not an install

from collections.abc import Callable

from bench_gaps_lab import gaps_ms
from PySide6.QtWidgets import QApplication

from graphviz_app.app import GUI_SWITCH_INTERVAL_S
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import LazyTab, MainWindow
from graphviz_app.widgets.background import ThreadRunner

BUDGET_MS = 50.0
TRAIN_STEPS = 300


def report(name: str, gaps: tuple[float, float]) -> None:
    wall, cpu = gaps
    verdict = "ok" if wall <= BUDGET_MS else "STALL" if cpu > BUDGET_MS else "STALL (GUI-thread CPU within budget)"
    print(f"{name:<58} {wall:8.1f} ms  GUI-thread CPU {cpu:6.1f} ms  {verdict}", flush=True)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)  # as `graphviz-app` runs
    runner = ThreadRunner()
    state = AppState(runner=runner)
    window = MainWindow(state, extra_tabs=True, preload=True)  # as `graphviz-app` opens it
    window.resize(1280, 800)
    window.show()
    for _ in range(20):
        app.processEvents()
    while window.preloading is not None and window.preloading.is_alive():  # a user reads the graph first
        app.processEvents()
        time.sleep(0.01)

    def built(name: str) -> Callable[[], bool]:
        page = window.pages[name]
        return lambda: not isinstance(page, LazyTab) or page.ready()

    def measure(name: str, action: Callable[[], None], done: Callable[[], bool], settle_s: float = 0.1) -> None:
        began = time.perf_counter()
        report(name, gaps_ms(action, lambda: done() and time.perf_counter() - began >= settle_s))

    # The floor: on a busy machine the loop is late even when it has nothing to do.
    measure("nothing (1 s idle): the machine's noise floor", lambda: None, lambda: True, settle_s=1.0)

    def click(name: str) -> Callable[[], None]:  # what a click on the tab does (open_tab builds at once)
        return lambda: window.tabs.setCurrentWidget(window.pages[name])

    measure("open the tiny-networks tab", click("networks"), built("networks"))
    networks = window.tab_page("networks").state  # type: ignore[attr-defined]
    measure(
        "build a 2-8-8-1 tanh network on the spiral",
        lambda: (networks.set_dataset("spiral"), networks.set_model(hidden_layers=2, width=8)),
        lambda: not networks.busy(),
    )
    print(f"(model: {networks.model().description}, {len(networks.data)} points)")
    networks.set_train_steps(TRAIN_STEPS)
    measure(f"train it {TRAIN_STEPS} steps", networks.train, lambda: not networks.training and not networks.busy())
    print(f"(trained to step {networks.snapshot.steps}, loss {networks.snapshot.loss:.4g})")
    measure(
        "change the learning rate while training",
        lambda: (networks.set_train_steps(100_000), networks.train(), networks.set_learning_rate(0.01)),
        lambda: True,
        settle_s=1.0,
    )
    measure("pause", networks.pause, lambda: not networks.busy())
    measure("open the activations tab", click("activations"), built("activations"))
    activations = window.tab_page("activations").state  # type: ignore[attr-defined]

    def repeated(name: str, do: Callable[[], None], undo: Callable[[], None], times: int = 5) -> None:
        """Median and worst of `times` (do, undo) rounds: on a shared machine one round is mostly noise."""
        gaps, cpus = [], []
        for _ in range(times):
            for action in (do, undo):
                began = time.perf_counter()
                wall, cpu = gaps_ms(action, lambda began=began: time.perf_counter() - began >= 0.1)
                gaps.append(wall)
                cpus.append(cpu)
        gaps.sort()
        cpus.sort()
        median, cpu = gaps[len(gaps) // 2], cpus[len(cpus) // 2]
        verdict = "ok" if median <= BUDGET_MS else "STALL"
        print(
            f"{name:<58} {median:8.1f} ms  GUI-thread CPU {cpu:6.1f} ms  {verdict}"
            f"  (median of {len(gaps)}, worst {gaps[-1]:.0f} / CPU {cpus[-1]:.0f})",
            flush=True,
        )

    repeated(
        "show / hide an activation (ELU)",
        lambda: activations.set_shown("elu", True),
        lambda: activations.set_shown("elu", False),
    )
    activations.set_shown("leaky_relu", True)
    repeated(
        "leaky-ReLU slope 0.3 / 0.1",
        lambda: activations.set_parameter("leaky_relu", 0.3),
        lambda: activations.set_parameter("leaky_relu", 0.1),
    )
    repeated(
        "chain activation ELU / sigmoid",
        lambda: activations.set_chain(activation="elu"),
        lambda: activations.set_chain(activation="sigmoid"),
    )
    repeated("chain depth 30 / 10", lambda: activations.set_chain(layers=30), lambda: activations.set_chain(layers=10))
    networks_page = window.pages["networks"]
    window.tabs.setCurrentWidget(networks_page)
    repeated(
        "networks: data set circle / XOR (a fresh run each)",
        lambda: networks.set_dataset("circle"),
        lambda: networks.set_dataset("xor"),
    )
    runner.wait()
    window.confirm_discard = lambda doing: True  # a benchmark's edits are not work to keep
    window.close()


if __name__ == "__main__":
    main()
