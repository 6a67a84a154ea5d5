"""Python's cycle collector, kept out of the way while a big graph is built and drawn.

Building a 5,000-node graph makes hundreds of thousands of objects; each full collection then walks
all of them and held the GIL for 100–500 ms, on whichever thread it happened (measured with
`benchmarks/bench_gaps_debugger.py`): the window froze although every piece of work was short.
So automatic collection pauses while a build or a chunked scene is in progress (a counter, since
builds and scenes overlap, on two threads), and once a graph is on screen its objects are frozen
(`gc.freeze`): later collections skip them. Our graphs, traces and items hold no reference cycles,
so freezing keeps nothing alive that reference counting would not free.

While anything is paused, work that can wait (`wait_until_settled`) waits, off the GIL. GUI work
that leaves the collector alone can hold such work back too (`hold` / `unhold`: the lab's staged
redraws of a race that arrived).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_holds = 0  # GUI work in progress (hold) that does not pause the collector
_settled = threading.Event()  # set while nothing is paused: no build and no scene in progress
_settled.set()


def pause() -> None:
    global _pauses
    with _lock:
        _pauses += 1
        _settled.clear()
        gc.disable()


def resume(settle: bool = False) -> None:
    """End one pause; with `settle`, freeze what exists now (the graph just shown) first.

    The last pause to end freezes too: the objects made meanwhile would otherwise all sit in the
    youngest generation, and the first collection after it would walk them all at once (~70 ms).
    """
    global _pauses
    with _lock:
        _pauses = max(0, _pauses - 1)
        if settle or _pauses == 0:
            gc.freeze()
        if _pauses == 0:
            gc.enable()
            if _holds == 0:
                _settled.set()


def hold() -> None:
    """GUI work begins that background work able to wait should not compete with for the GIL;
    unlike `pause`, the collector runs as usual (nothing is frozen)."""
    global _holds
    with _lock:
        _holds += 1
        _settled.clear()


def unhold() -> None:
    """End one `hold`."""
    global _holds
    with _lock:
        _holds = max(0, _holds - 1)
        if _holds == 0 and _pauses == 0:
            _settled.set()


@contextmanager
def paused() -> Iterator[None]:
    pause()
    try:
        yield
    finally:
        resume()


def wait_until_settled(stop: Callable[[], bool], timeout_s: float = 20.0, poll_s: float = 0.05) -> None:
    """On a worker thread, block until no build, scene or held GUI work is in progress, `stop()` is true (its job
    was cancelled) or `timeout_s` passed; on the main thread (an inline runner) return at once.

    Background work that can wait (the gradient check of a new graph) calls this first: run beside
    the GUI thread making a big scene, it took the GIL from it for 100 ms at a time.
    """
    if threading.current_thread() is threading.main_thread():
        return  # the pause may be this thread's own: waiting would never end
    deadline = time.monotonic() + timeout_s
    while not _settled.wait(poll_s):
        if stop() or time.monotonic() > deadline:
            return
