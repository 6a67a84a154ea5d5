"""Pictures of every screen, rendered offscreen, for the README and for slides.

    python -m graphviz_app.screenshots [FOLDER]     (default: resources/screenshots)

Writes sigmoid_neuron.png (the headless export of the graph after the backward pass), debugger.png,
optimizer_lab.png (Rosenbrock, all six optimizers from one start), activations.png and
xor_network.png (a 2-2-1 tanh network after XOR_STEPS Adam steps).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

WINDOW_SIZE = (1600, 950)
TABS = {"optimizer_lab.png": "lab", "activations.png": "activations", "xor_network.png": "networks"}  # by name
XOR_STEPS = 300
SETTLE_S = 20.0  # a tab that is not ready by then is grabbed as it is (and says so)


def settle(app, ready: Callable[[], bool], what: str) -> None:
    """Run the event loop until `ready()`: tabs build their plots over several turns of it, and a
    picture grabbed before that lacks them (the tiny networks' right column did)."""
    deadline = time.perf_counter() + SETTLE_S
    while not ready():
        if time.perf_counter() > deadline:
            print(f"{what}: not ready after {SETTLE_S:g} s, grabbed as it is", file=sys.stderr)
            break
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):  # the last layouts and repaints
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from graphviz_app import theme
    from graphviz_app.debugger.state import AppState
    from graphviz_app.export.picture import export_scene
    from graphviz_app.main_window import MainWindow

    folder = Path((argv or sys.argv[1:] or ["resources/screenshots"])[0])
    folder.mkdir(parents=True, exist_ok=True)
    app.setFont(theme.base_font())
    theme.apply_theme(app, False)

    state = AppState()
    state.load_example("sigmoid_neuron")
    state.run_to_end()
    export_scene(state, str(folder / "sigmoid_neuron.png"))

    window = MainWindow(state, extra_tabs=True)
    window.resize(*WINDOW_SIZE)
    window.show()
    app.processEvents()
    window.view.fit()
    app.processEvents()
    window.grab().save(str(folder / "debugger.png"))
    for name, tab in TABS.items():
        if tab not in window.pages:
            print(f"skipped {name}: no {tab} tab in this installation", file=sys.stderr)
            continue
        window.open_tab(tab)
        lazy = window.pages[tab]
        settle(app, lambda lazy=lazy: getattr(lazy, "ready", lambda: True)(), tab)
        page = window.tab_page(tab)
        if tab == "lab":
            page.lab.show_all()
        elif tab == "networks":
            page.state.step(XOR_STEPS)  # through the state's runner (an InlineRunner here: at once)
            settle(app, lambda page=page: not page.state.busy() and page.state.snapshot is not None, tab)
        settle(app, lambda lazy=lazy: getattr(lazy, "ready", lambda: True)(), tab)
        window.grab().save(str(folder / name))
    for path in sorted(folder.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
