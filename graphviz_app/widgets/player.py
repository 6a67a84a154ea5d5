"""The player: reset, step back, step forward, play/pause, run to end, phase and speed.

It only moves its state's cursor; the views animate whatever the cursor shows. The debugger's
`AppState` and the optimizer lab's `LabState` are both `Playable`. Its buttons are QActions with
window-wide shortcuts (Space, ←, →, Home, End) so the keyboard works wherever the focus is — text
fields still get their own keys because they accept the shortcut-override event for keys they type
or move with. A window-wide shortcut is live only while its player is visible, so the debugger's and
the lab's players (on different tabs) never both answer a key.

The debugger plays a few steps per second, one step per tick; the lab plays up to a thousand steps
per second (`speeds=LAB_SPEEDS`), where one tick moves as many steps as have come due.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter
from PySide6.QtWidgets import QBoxLayout, QButtonGroup, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from graphviz_app.debugger.observe import observe
from graphviz_app.theme import colors

PHASES = (("forward", "Forward"), ("backward", "Backward"), ("both", "Both"))
MIN_STEPS_PER_SECOND, MAX_STEPS_PER_SECOND = 1, 20  # slider positions are steps/s × 2
MIN_TICK_MS = 30  # faster speeds move several steps per tick instead of ticking faster


class Playable(Protocol):
    """What a player drives: a cursor between `first_step` and `last_step`, and the signals it watches
    (Qt or psygnal signals: both have `connect`)."""

    sig_cursor_changed: Any
    sig_theme_changed: Any
    cursor: int

    @property
    def dark(self) -> bool: ...

    @property
    def first_step(self) -> int: ...

    @property
    def last_step(self) -> int: ...

    def set_cursor(self, k: int) -> None: ...

    def step_forward(self) -> bool: ...

    def step_back(self) -> bool: ...

    def reset(self) -> None: ...

    def run_to_end(self) -> None: ...

    def counter_text(self) -> str: ...


@dataclass(frozen=True)
class Speeds:
    """The speed slider: its range of positions and the steps per second at each."""

    low: int
    high: int
    initial: int
    per_second: Callable[[int], float]


DEBUGGER_SPEEDS = Speeds(MIN_STEPS_PER_SECOND * 2, MAX_STEPS_PER_SECOND * 2, 4, lambda v: v / 2)
# 1 … 1000 steps per second, ten positions per decade; 40 steps/s to start.
LAB_SPEEDS = Speeds(0, 30, 16, lambda v: float(f"{10 ** (v / 10):.2g}"))


class Player(QWidget):
    """Transport controls over `state.cursor`, driven by a QTimer while playing."""

    sig_interval_changed = Signal(int)  # milliseconds per step: the window lets the animation fit into it

    def __init__(
        self,
        state: Playable,
        parent: QWidget | None = None,
        *,
        phases: bool = True,
        speeds: Speeds = DEBUGGER_SPEEDS,
    ) -> None:
        """`phases`: the forward/backward/both buttons (the debugger's `AppState` has phases)."""
        super().__init__(parent)
        self.state = state
        self.speeds = speeds
        self._steps_per_tick = 1.0
        self._carry = 0.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

        def action(text: str, keys: str, slot, tip: str, icon: QStyle.StandardPixmap) -> QAction:
            act = QAction(text, self)
            self._icons[act] = icon
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(f"{tip} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
            act.triggered.connect(slot)
            self.addAction(act)  # the shortcut is live while the player is in the active window
            return act

        sp = QStyle.StandardPixmap
        self._icons: dict[QAction, QStyle.StandardPixmap] = {}
        self.act_reset = action("Reset", "Home", self.reset, "Back to the start of the phase", sp.SP_MediaSkipBackward)
        self.act_back = action("Back", "Left", self.step_back, "One step back", sp.SP_MediaSeekBackward)
        self.act_play = action("Play", "Space", self.toggle_play, "Play / pause", sp.SP_MediaPlay)
        self.act_play.setCheckable(True)
        self.act_forward = action("Step", "Right", self.step_forward, "One step forward", sp.SP_MediaSeekForward)
        self.act_end = action("End", "End", self.run_to_end, "Run to the end of the phase", sp.SP_MediaSkipForward)

        # Two groups side by side; on a narrow window the options move under the transport (see resizeEvent).
        self.layout_ = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.layout_.setContentsMargins(8, 4, 8, 6)
        self.transport = QWidget()
        layout = QHBoxLayout(self.transport)
        layout.setContentsMargins(0, 0, 0, 0)
        for act in (self.act_reset, self.act_back, self.act_play, self.act_forward, self.act_end):
            button = QToolButton()
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setIconSize(button.iconSize() * 1.4)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must never "click" a focused button
            layout.addWidget(button)
        self.counter = QLabel(objectName="playerCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.counter)
        # The timeline: drag to any step of the phase (a click jumps a page; ← / → still step one).
        self.scrubber = QSlider(Qt.Orientation.Horizontal, objectName="playerTimeline")
        self.scrubber.setMinimumWidth(120)
        self.scrubber.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← / → step the trace through the actions
        self.scrubber.setToolTip("Timeline: drag to any step")
        self.scrubber.valueChanged.connect(self._scrubbed)
        layout.addWidget(self.scrubber, 1)
        self.layout_.addWidget(self.transport, 1)

        self.options = QWidget()
        layout = QHBoxLayout(self.options)
        layout.setContentsMargins(0, 0, 0, 0)
        self.phase_group = QButtonGroup(self)
        self.phase_buttons: dict[str, QToolButton] = {}
        if phases:
            layout.addWidget(QLabel("Phase:"))
            for phase, text in PHASES:
                button = QToolButton(text=text, checkable=True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setToolTip(f"Play the {phase} pass" if phase != "both" else "Play forward, then backward")
                button.clicked.connect(lambda _=False, p=phase: self.state.set_phase(p))  # type: ignore[attr-defined]
                self.phase_group.addButton(button)
                self.phase_buttons[phase] = button
                layout.addWidget(button)
            layout.addSpacing(12)

        layout.addWidget(QLabel("Speed:"))
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(speeds.low, speeds.high)
        self.speed.setValue(speeds.initial)  # debugger: 2 steps per second, slow enough to follow on a projector
        self.speed.setFixedWidth(110)
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← / → step the trace, not the slider
        self.speed.valueChanged.connect(self._speed_changed)
        layout.addWidget(self.speed)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("10.5/s"))
        layout.addWidget(self.speed_label)
        layout.addStretch(1)
        self.layout_.addWidget(self.options)
        self._speed_changed(self.speed.value())

        connections = [(state.sig_theme_changed, self._tint_icons), (state.sig_cursor_changed, self._show)]
        if phases:
            connections.append((state.sig_phase_changed, self._show))  # type: ignore[attr-defined]
            connections.append((state.sig_graph_changed, self._graph_changed))  # type: ignore[attr-defined]
        reach = getattr(state, "sig_reach_changed", None)  # a quiz limits how far the cursor may go
        if reach is not None:
            connections.append((reach, self._show))
        observe(self, connections)
        self._tint_icons()
        self._show()

    # ---- commands (all of them move the state's cursor) ----

    def step_forward(self) -> None:
        self.pause()
        self.state.step_forward()

    def step_back(self) -> None:
        self.pause()
        self.state.step_back()

    def reset(self) -> None:
        self.pause()
        self.state.reset()

    def run_to_end(self) -> None:
        self.pause()
        self.state.run_to_end()

    def play(self) -> None:
        if self.state.cursor >= self.state.last_step:
            self.state.reset()  # play from the start when already at the end
        self._carry = 1.0 - self._steps_per_tick  # the first tick moves at once
        self.timer.start()
        self._show()

    def pause(self) -> None:
        self.timer.stop()
        self._show()

    def toggle_play(self) -> None:
        self.pause() if self.timer.isActive() else self.play()

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    @property
    def steps_per_second(self) -> float:
        return self.speeds.per_second(self.speed.value())

    def _tick(self) -> None:
        self._carry += self._steps_per_tick
        whole = math.floor(self._carry)
        if whole < 1:
            return
        self._carry -= whole
        before = self.state.cursor
        if whole == 1:
            self.state.step_forward()
        else:
            self.state.set_cursor(self.state.cursor + whole)
        if self.state.cursor == before:
            self.pause()

    def _speed_changed(self, value: int) -> None:
        steps_per_second = self.speeds.per_second(value)
        if 1000 / steps_per_second >= MIN_TICK_MS:
            interval, self._steps_per_tick = int(1000 / steps_per_second), 1.0
        else:
            interval, self._steps_per_tick = MIN_TICK_MS, steps_per_second * MIN_TICK_MS / 1000
        self.timer.setInterval(interval)
        self.speed_label.setText(f"{steps_per_second:g}/s")
        self.speed.setToolTip(f"{steps_per_second:g} steps per second")
        self.sig_interval_changed.emit(int(interval / max(1.0, self._steps_per_tick)))

    def _graph_changed(self) -> None:
        self.pause()

    def _scrubbed(self, step: int) -> None:
        if step != self.state.cursor:
            self.pause()
            self.state.set_cursor(step)

    # ---- showing the state ----

    def _show_backward_button(self) -> None:
        """Forward mode has no backward pass: its Backward button would play an empty range."""
        forward_mode = getattr(self.state, "mode", "reverse") == "forward"
        button = self.phase_buttons["backward"]
        button.setEnabled(not forward_mode)
        button.setToolTip(
            "Forward mode has no backward pass: each gate computes its tangent together with its value "
            "(switch the mode to reverse for backprop)"
            if forward_mode
            else "Play the backward pass"
        )

    def _tinted(self, which: QStyle.StandardPixmap) -> QIcon:
        # The style's media icons are dark grey: invisible on the dark theme, so paint them in the text colour.
        colour = QColor(colors(self.state.dark).text)  # the state's theme: AppState and LabState share one
        icon = self.style().standardIcon(which)
        tinted = QIcon()
        for mode, alpha in ((QIcon.Mode.Normal, 255), (QIcon.Mode.Disabled, 90)):
            pixmap = icon.pixmap(QSize(32, 32))
            painter = QPainter(pixmap)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            colour.setAlpha(alpha)
            painter.fillRect(pixmap.rect(), colour)
            painter.end()
            tinted.addPixmap(pixmap, mode)
        return tinted

    def _tint_icons(self, *_: object) -> None:
        for act, which in self._icons.items():
            if act is not self.act_play:
                act.setIcon(self._tinted(which))
        self._show()

    def minimumSizeHint(self) -> QSize:
        # As narrow as the two-row arrangement: the window must not grow wider than a 1280-pixel screen.
        margins = self.layout_.contentsMargins()
        width = max(self.transport.minimumSizeHint().width(), self.options.minimumSizeHint().width())
        return QSize(width + margins.left() + margins.right(), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        # One row when everything fits, else two: nothing is cut off at 1280×800 with both docks open.
        wide = event.size().width() >= self.transport.minimumSizeHint().width() + self.options.sizeHint().width() + 24
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.layout_.direction() != direction:
            self.layout_.setDirection(direction)
        super().resizeEvent(event)

    def _show(self, *_: object) -> None:
        self.counter.setText(self.state.counter_text())
        self.scrubber.blockSignals(True)  # showing the cursor is not a drag
        self.scrubber.setRange(self.state.first_step, self.state.last_step)
        self.scrubber.setPageStep(max(1, (self.state.last_step - self.state.first_step) // 10))
        self.scrubber.setValue(self.state.cursor)
        self.scrubber.blockSignals(False)
        if self.phase_buttons:
            self.phase_buttons[self.state.phase].setChecked(True)  # type: ignore[attr-defined]
            self._show_backward_button()
        self.act_play.setChecked(self.playing)
        self.act_play.setText("Pause" if self.playing else "Play")
        self.act_play.setIcon(
            self._tinted(QStyle.StandardPixmap.SP_MediaPause if self.playing else QStyle.StandardPixmap.SP_MediaPlay)
        )
        self.act_back.setEnabled(self.state.cursor > self.state.first_step)
        self.act_forward.setEnabled(self.state.cursor < self.state.last_step)
        self.act_end.setEnabled(self.state.cursor < self.state.last_step)
        self.act_reset.setEnabled(self.state.cursor > self.state.first_step)
