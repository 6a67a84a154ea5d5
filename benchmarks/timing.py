"""Shared timing helper for the benchmark scripts (run them as `python benchmarks/bench_….py`)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeats: int = 7) -> float:
    """The fastest of `repeats` runs, in seconds: the least disturbed by whatever else the machine does."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
