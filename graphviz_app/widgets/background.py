"""The window's `Runner`: jobs run on a thread pool, results come back on the GUI thread.

One job per key at a time: a new submission under a key cancels the one before (its result is
dropped even if it finishes), so typing fast or dragging a slider never queues stale runs.
`sig_busy(key, label, fraction)` and `sig_idle(key)` feed the progress indicator.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from graphviz_app.jobs import Cancelled, Done, Failed, Job

PROGRESS_INTERVAL_S = 0.05  # progress reports faster than this are dropped (no signal storm)


class _Signals(QObject):
    """Created on the GUI thread, emitted from the worker: the connections are queued."""

    finished = Signal(object, object, object)  # job, result, error (one of them None)
    progressed = Signal(object)  # job


class _Task(QRunnable):
    def __init__(self, job: Job, work: Callable[[Job], Any], signals: _Signals) -> None:
        super().__init__()
        self.job, self.work, self.signals = job, work, signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(self.job)
        except Cancelled:
            self._finish(None, None)
        except Exception as error:  # a job's error is reported to its `failed` callback, never lost
            self._finish(None, error)
        else:
            self._finish(result, None)

    def _finish(self, result: Any, error: Exception | None) -> None:
        # The window may have closed meanwhile and taken the signals with it: then nobody waits.
        with contextlib.suppress(RuntimeError):
            self.signals.finished.emit(self.job, result, error)


class ThreadRunner(QObject):
    """Runs jobs on a private thread pool; newer jobs under the same key supersede older ones."""

    sig_busy = Signal(str, str, float)  # key, label, fraction done (0 when unknown)
    sig_idle = Signal(str)  # key: nothing runs under it any more

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._current: dict[str, Job] = {}
        self._callbacks: dict[int, tuple[Done, Failed | None, _Signals]] = {}
        self._last_progress: dict[int, float] = {}

    def submit(
        self, key: str, work: Callable[[Job], Any], done: Done, failed: Failed | None = None, label: str = ""
    ) -> Job:
        old = self._current.get(key)
        if old is not None:
            old.cancel()
        signals = _Signals()
        job = Job(key, label, on_progress=lambda j: self._report(j, signals))
        signals.finished.connect(self._finished)
        signals.progressed.connect(self._progressed)
        self._current[key] = job
        self._callbacks[id(job)] = (done, failed, signals)
        self.sig_busy.emit(key, label, 0.0)
        self.pool.start(_Task(job, work, signals))
        return job

    def cancel(self, key: str) -> None:
        job = self._current.pop(key, None)
        if job is not None:
            job.cancel()
            self.sig_idle.emit(key)

    def busy(self, key: str | None = None) -> bool:
        return bool(self._current) if key is None else key in self._current

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until the pool is empty (tests and shutdown only)."""
        return self.pool.waitForDone(timeout_ms)

    def _report(self, job: Job, signals: _Signals) -> None:
        now = time.monotonic()
        if now - self._last_progress.get(id(job), 0.0) >= PROGRESS_INTERVAL_S:
            self._last_progress[id(job)] = now
            with contextlib.suppress(RuntimeError):  # as in _Task._finish: the window may be gone
                signals.progressed.emit(job)

    @Slot(object)
    def _progressed(self, job: Job) -> None:
        if self._current.get(job.key) is job:
            self.sig_busy.emit(job.key, job.label, job.fraction)

    @Slot(object, object, object)
    def _finished(self, job: Job, result: object, error: object) -> None:
        done, failed, _signals = self._callbacks.pop(id(job))
        self._last_progress.pop(id(job), None)
        if job.cancelled or self._current.get(job.key) is not job:
            return  # superseded or cancelled: the newer job's result is the one that counts
        del self._current[job.key]
        self.sig_idle.emit(job.key)
        if isinstance(error, Exception):
            if failed is None:
                raise error
            failed(error)
        else:
            done(result)
