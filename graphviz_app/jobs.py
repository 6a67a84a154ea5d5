"""Background work as the tab states see it: submit a job by key, get its result back later.

The states are Qt-free, so they do not start threads themselves: they are handed a `Runner`. In the
window it is `widgets.background.ThreadRunner` (a thread pool; results arrive on the GUI thread); in
tests and headless exports it is `InlineRunner`, which runs the job at once.

Newer input supersedes older work: submitting under a key that is still running cancels the old job,
and a cancelled job's result is never delivered. Work functions call `job.progress(...)` now and then;
that is where a cancelled job stops (it raises `Cancelled`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a job's work function when the job was cancelled or superseded."""


class Job:
    """One submitted piece of work: its key, a cancel flag and a progress report."""

    def __init__(self, key: str, label: str = "", on_progress: Callable[[Job], None] | None = None) -> None:
        self.key = key
        self.label = label
        self.fraction = 0.0
        self.text = ""
        self._cancelled = threading.Event()
        self._on_progress = on_progress

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def progress(self, fraction: float, text: str = "") -> None:
        """Report how far the work is (0 … 1); raises `Cancelled` if the job should stop."""
        if self._cancelled.is_set():
            raise Cancelled(self.key)
        self.fraction, self.text = min(max(float(fraction), 0.0), 1.0), text
        if self._on_progress is not None:
            self._on_progress(self)


Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class Runner(Protocol):
    """What a tab state needs to run work in the background."""

    def submit(
        self, key: str, work: Callable[[Job], Any], done: Done, failed: Failed | None = None, label: str = ""
    ) -> Job: ...

    def cancel(self, key: str) -> None: ...


class InlineRunner:
    """Runs each job at once, on the caller's thread (tests, headless export, scripts)."""

    def submit(
        self, key: str, work: Callable[[Job], Any], done: Done, failed: Failed | None = None, label: str = ""
    ) -> Job:
        job = Job(key, label)
        try:
            result = work(job)
        except Cancelled:
            return job
        except Exception as error:
            if failed is None:
                raise
            failed(error)
            return job
        done(result)
        return job

    def cancel(self, key: str) -> None:
        """Nothing runs in the background, so there is nothing to cancel."""
