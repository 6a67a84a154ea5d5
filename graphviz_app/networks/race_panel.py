"""The activations race's controls and verdict: race, the loss to reach, and steps per activation.

The race itself is `NetworkState.start_race` (off the GUI thread: five runs of `race_steps` steps);
its loss curves are drawn on the loss chart (`plots.LossView`). This panel says how many steps each
activation needed to reach the threshold, and how many times faster ReLU was than sigmoid, so the
lecture's "e.g. 6x" is measured on the data on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from core.activations import ACTIVATIONS
from graphviz_app.networks.state import NetworkState
from graphviz_app.widgets.plot_style import FONT_PT
from graphviz_app.widgets.text_size import TextSizer


class RacePanel(QWidget):
    """Race button, threshold and steps; under them one line per activation."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the labels with their own size
        self.race_button = QPushButton("Race activations")
        self.race_button.setToolTip(
            "Train this architecture from the same initial weights with sigmoid, tanh, ReLU, leaky ReLU and ELU"
        )
        self.steps_box = QSpinBox()
        self.steps_box.setRange(10, 20_000)
        self.steps_box.setSingleStep(100)
        self.steps_box.setValue(state.race_steps)
        self.steps_box.setSuffix(" steps")
        self.threshold_box = QDoubleSpinBox()
        self.threshold_box.setDecimals(3)
        self.threshold_box.setRange(0.001, 10.0)
        self.threshold_box.setSingleStep(0.05)
        self.threshold_box.setValue(state.race_threshold)
        self.threshold_box.setPrefix("reach loss ")
        self.threshold_box.setToolTip("Steps to reach this loss are counted per activation (no retraining)")
        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setWordWrap(True)
        self.sizer.style(self.verdict, f"font-size: {FONT_PT}pt")
        row = QHBoxLayout()
        row.addWidget(self.race_button)
        row.addWidget(self.steps_box)
        row.addWidget(self.threshold_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        self.race_button.clicked.connect(self._race)
        self.threshold_box.valueChanged.connect(state.set_race_threshold)
        self.steps_box.valueChanged.connect(lambda steps: setattr(state, "race_steps", steps))  # sessions keep it
        state.sig_race_changed.connect(self.show_verdict)
        state.sig_setup_changed.connect(self.show_verdict)  # a session's race settings come with a new setup
        self.show_verdict()

    def _race(self) -> None:
        self.state.race_steps = self.steps_box.value()
        self.state.start_race()

    def show_verdict(self) -> None:
        state, race = self.state, self.state.race
        for box, value in ((self.steps_box, state.race_steps), (self.threshold_box, state.race_threshold)):
            if box.value() != value:  # set from a session
                box.blockSignals(True)
                box.setValue(value)
                box.blockSignals(False)
        self.race_button.setEnabled(not state.race_running)
        if state.race_running:
            self.verdict.setText("<i>racing five activations…</i>")
            return
        if race is None:
            self.verdict.setText("")
            return
        parts = []
        for name, steps in race.steps_to_threshold().items():
            color = state.theme.activation_color(name)
            reached = f"<b>{steps}</b>" if steps is not None else "not reached"
            parts.append(f"<span style='color:{color}'>■</span> {ACTIVATIONS[name].display_name} {reached}")
        words = "steps to loss " + f"{race.threshold:g}: " + " · ".join(parts)
        speedup = race.speedup()
        if speedup is not None:
            words += f"<br>ReLU reached it <b>{speedup:.1f}×</b> faster than sigmoid"
        self.verdict.setText(words)
