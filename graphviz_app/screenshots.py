"""Pictures of every screen, rendered offscreen, for the README and for slides.

    python -m graphviz_app.screenshots [FOLDER]     (default: resources/screenshots)

Writes sigmoid_neuron.png (the headless export of the graph after the backward pass), debugger.png,
optimizer_lab.png (Rosenbrock, all six optimizers from one start), activations.png and
xor_network.png (a 2-2-1 tanh network after XOR_STEPS Adam steps).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WINDOW_SIZE = (1600, 950)
TABS = {"optimizer_lab.png": 1, "activations.png": 2, "xor_network.png": 3}
XOR_STEPS = 300


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
    for name, index in TABS.items():
        window.tabs.setCurrentIndex(index)
        app.processEvents()
        page = window.tabs.widget(index).page
        if name == "optimizer_lab.png":
            page.lab.show_all()
        elif name == "xor_network.png":
            while page.trainer.steps < XOR_STEPS and page.step(XOR_STEPS - page.trainer.steps):
                pass  # step() stops at one timer tick's budget; keep going to the full count
        app.processEvents()
        window.grab().save(str(folder / name))
    for path in sorted(folder.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
