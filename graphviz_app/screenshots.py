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
TABS = {"optimizer_lab.png": "lab", "activations.png": "activations", "xor_network.png": "networks"}  # by name
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
    for name, tab in TABS.items():
        if tab not in window.pages:
            print(f"skipped {name}: no {tab} tab in this installation", file=sys.stderr)
            continue
        window.open_tab(tab)
        app.processEvents()
        page = window.tab_page(tab)
        if tab == "lab":
            page.lab.show_all()
        elif tab == "networks":
            page.state.step(XOR_STEPS)  # through the state's runner (an InlineRunner here: at once)
        app.processEvents()
        window.grab().save(str(folder / name))
    for path in sorted(folder.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
