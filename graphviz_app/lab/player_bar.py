"""Play the race step by step: play/pause, one step, reset, show all, a speed slider, the step counter.

A QTimer ticks ~30 times a second and moves `LabState.step` by as many steps as the chosen speed
(steps per second) has accumulated since the last tick, so slow speeds step one at a time and fast
speeds skip frames instead of falling behind.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from graphviz_app.lab.lab_state import LabState

TICK_MS = 30
SPEED_LOW, SPEED_HIGH = 1.0, 1000.0  # steps per second at the ends of the speed slider


class PlayerBar(QWidget):
    """Buttons and speed for `LabState`'s step cursor."""

    def __init__(self, lab: LabState, parent=None) -> None:
        super().__init__(parent)
        self.lab = lab
        self._carry = 0.0
        self._last_tick = 0.0
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("play / pause (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("one step (Right)")
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton("↺ Reset")
        self.reset_button.setToolTip("back to the start (Home)")
        self.reset_button.clicked.connect(self.reset)
        self.all_button = QPushButton("Show all")
        self.all_button.setToolTip("every step at once (End)")
        self.all_button.clicked.connect(self.show_all)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, 100)
        self.speed.setValue(60)
        self.speed.setMinimumWidth(90)
        self.speed.setMaximumWidth(180)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(80)
        self.speed.valueChanged.connect(lambda _v: self.speed_label.setText(f"{self.steps_per_second:.0f} steps/s"))
        self.counter = QLabel(objectName="labCounter")
        self.counter.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.counter.setMinimumWidth(170)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.play_button, self.step_button, self.reset_button, self.all_button):
            layout.addWidget(button)
        layout.addSpacing(12)
        layout.addWidget(QLabel("speed"))
        layout.addWidget(self.speed)
        layout.addWidget(self.speed_label)
        layout.addStretch(1)
        layout.addWidget(self.counter)
        lab.sig_step_changed.connect(self._show_step)
        lab.sig_trajectories_changed.connect(lambda: self._show_step(lab.step))
        self.speed.valueChanged.emit(self.speed.value())
        self._show_step(lab.step)

    @property
    def steps_per_second(self) -> float:
        fraction = self.speed.value() / 100
        return math.exp(math.log(SPEED_LOW) + fraction * (math.log(SPEED_HIGH) - math.log(SPEED_LOW)))

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            if self.lab.at_end:
                self.lab.reset()
            self._carry, self._last_tick = 1.0, time.perf_counter()  # the first tick moves at once
            self.timer.start()
            self.play_button.setText("⏸ Pause")

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setText("▶ Play")

    def step(self) -> None:
        self.pause()
        self.lab.step_forward()

    def reset(self) -> None:
        self.pause()
        self.lab.reset()

    def show_all(self) -> None:
        self.pause()
        self.lab.show_all()

    def _tick(self) -> None:
        now = time.perf_counter()
        self._carry += (now - self._last_tick) * self.steps_per_second
        self._last_tick = now
        whole = int(self._carry)
        if whole:
            self._carry -= whole
            if not self.lab.step_forward(whole) or self.lab.at_end:
                self.pause()

    def _show_step(self, step: int) -> None:
        self.counter.setText(f"step {step} / {self.lab.steps}")
