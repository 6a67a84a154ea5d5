"""The mode switch under the graph: reverse mode (backprop) or forward mode along one chosen input.

Binds to `AppState.set_mode` only; the line beside it says how many passes each mode needs for this
graph (forward: one per input, reverse: one per output), after colah's "Calculus on Computational Graphs".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.debugger.tangents import passes_line

MODES = [("reverse", "reverse"), ("forward", "forward")]


class ModeBar(QWidget):
    """Mode: [reverse | forward]  seed: [x]  — and the passes each mode needs."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addSpacing(16)
        layout.addWidget(QLabel("Mode:"))
        self.mode = QComboBox(objectName="modeCombo")
        for mode, text in MODES:
            self.mode.addItem(text, mode)
        self.mode.setToolTip(
            "Reverse mode (backprop): values forward, then gradients backward (every ∂f/∂input in one pass).\n"
            "Forward mode: each gate computes its value and its tangent together, along one input."
        )
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← / → step the trace, not the combo
        layout.addWidget(self.mode)
        self.seed_label = QLabel("along:")
        layout.addWidget(self.seed_label)
        self.seed = QComboBox(objectName="seedCombo")
        self.seed.setToolTip("Forward mode: this input moves at speed 1 (its tangent is 1), the others stay (0)")
        self.seed.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.seed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.seed)
        self.mode.activated.connect(self._chosen)
        self.seed.activated.connect(self._chosen)
        observe(self, [(state.sig_graph_changed, self._show), (state.sig_mode_changed, self._show)])
        self._show()

    def _chosen(self, *_: object) -> None:
        mode, seed = self.mode.currentData(), self.seed.currentText() or None
        self.state.set_mode(mode, seed)

    def _show(self, *_: object) -> None:
        state = self.state
        inputs = list(state.graph.inputs)
        self.mode.setCurrentIndex(self.mode.findData(state.mode))
        self.mode.setEnabled(bool(inputs))
        self.seed.blockSignals(True)
        self.seed.clear()
        self.seed.addItems(inputs)
        self.seed.setCurrentText(state.seed if state.seed in inputs else (inputs[0] if inputs else ""))
        self.seed.blockSignals(False)
        forward = state.mode == "forward"
        self.seed.setVisible(forward)
        self.seed_label.setVisible(forward)
        # How many passes each mode needs for this graph: in the tooltip here, written in the inspector.
        self.setToolTip(passes_line(len(inputs)))
