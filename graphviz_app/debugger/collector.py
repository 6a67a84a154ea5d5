"""Python's cycle collector, kept out of the way while a big graph is built and drawn.

Building a 5,000-node graph makes hundreds of thousands of objects; each full collection then walks
all of them and held the GIL for 100–500 ms, on whichever thread it happened (measured with
`benchmarks/bench_gaps_debugger.py`): the window froze although every piece of work was short.
So automatic collection pauses while a build or a chunked scene is in progress (a counter, since
builds and scenes overlap, on two threads), and once a graph is on screen its objects are frozen
(`gc.freeze`): later collections skip them. Our graphs, traces and items hold no reference cycles,
so freezing keeps nothing alive that reference counting would not free.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0


def pause() -> None:
    global _pauses
    with _lock:
        _pauses += 1
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


@contextmanager
def paused() -> Iterator[None]:
    pause()
    try:
        yield
    finally:
        resume()
