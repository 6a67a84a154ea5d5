"""The longest event-loop gap: a 10 ms timer that notes how late each of its ticks is.

    beat = Heartbeat()           # needs a QApplication
    beat.start(); ...do the action, processing events until it is done...; gap_ms = beat.stop()

A gap over 50 ms is a stall the user feels (the budget of the foundation issue).

Set PROFILE_TURNS=N to find what a stall is made of: every `processEvents` call while spinning is
profiled (cProfile, GUI thread only) and, per action, the N functions with the most own time and the
N with the most cumulative time in the *longest* call are printed (cProfile slows Python ~1.5x; the
shares are what count).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
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


class CpuHeartbeat(Heartbeat):
    """Also the longest stretch of GUI-thread CPU time between two ticks: the work the window did in
    one go, whatever else the machine runs (a busy shared machine stretches wall-clock gaps)."""

    def start(self) -> None:
        self.cpu_last, self.cpu_longest = time.thread_time(), 0.0
        super().start()

    def _tick(self) -> None:
        now = time.thread_time()
        self.cpu_longest = max(self.cpu_longest, now - self.cpu_last)
        self.cpu_last = now
        super()._tick()


PROFILE_TURNS = int(os.environ.get("PROFILE_TURNS", "0") or 0)


class TurnProfiler:
    """Keeps the cProfile of the longest `processEvents` call (see PROFILE_TURNS above)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.stats: pstats.Stats | None = None

    def process(self, app: QApplication) -> None:
        profile = cProfile.Profile()
        began = time.perf_counter()
        profile.enable()
        app.processEvents()
        profile.disable()
        took = time.perf_counter() - began
        if took > self.longest:
            self.longest, self.stats = took, pstats.Stats(profile)

    def print(self, top: int) -> None:
        if self.stats is None:
            return
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            self.stats.stream = out  # type: ignore[attr-defined]
            self.stats.sort_stats(order).print_stats(top)
            body = out.getvalue().split("ncalls", 1)[-1]
            print(f"   -- longest turn {self.longest * 1e3:.1f} ms (profiled), by {order}:\n   ncalls{body}", end="")


def spin(action: Callable[[], None], done: Callable[[], bool], timeout_s: float = 60.0) -> tuple[float, float]:
    """Run `action` from inside the event loop, spin until `done()`: (longest wall-clock gap, longest
    GUI-thread CPU stretch) in ms meanwhile."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create a QApplication first"
    beat = CpuHeartbeat()
    beat.start()
    profiler = TurnProfiler() if PROFILE_TURNS else None
    ran: list[bool] = []
    QTimer.singleShot(0, lambda: (action(), ran.append(True)))
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if profiler is None:
            app.processEvents()
        else:
            profiler.process(app)
        if ran and done():
            break
        time.sleep(0.001)
    wall = beat.stop()
    if profiler is not None:
        profiler.print(PROFILE_TURNS)
    return wall, beat.cpu_longest * 1e3


def longest_gap_ms(action: Callable[[], None], done: Callable[[], bool], timeout_s: float = 60.0) -> float:
    """Run `action` from inside the event loop, spin until `done()`; the longest gap in ms meanwhile."""
    return spin(action, done, timeout_s)[0]
