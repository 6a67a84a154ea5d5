"""The longest event-loop gap: a 10 ms timer that notes how late each of its ticks is.

    beat = Heartbeat()           # needs a QApplication
    beat.start(); ...do the action, processing events until it is done...; gap_ms = beat.stop()

A gap over 50 ms is a stall the user feels (the budget of the foundation issue).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 10


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.longest = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        """The longest gap in ms since `start` (including the time since the last tick)."""
        self._tick()
        self.timer.stop()
        return self.longest * 1e3


def longest_gap_ms(action: Callable[[], None], done: Callable[[], bool], timeout_s: float = 60.0) -> float:
    """Run `action` from inside the event loop, spin until `done()`; the longest gap in ms meanwhile."""
    app = QApplication.instance()
    assert app is not None, "create a QApplication first"
    beat = Heartbeat()
    beat.start()
    ran: list[bool] = []
    QTimer.singleShot(0, lambda: (action(), ran.append(True)))
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        app.processEvents()
        if ran and done():
            break
        time.sleep(0.001)
    return beat.stop()
