"""Connect a widget to a Qt-free state's psygnal signals for as long as the widget lives.

psygnal holds bound methods weakly, so a view that Python collects drops out by itself; but a widget
whose C++ side Qt deleted (its parent closed) can keep a Python wrapper alive, and calling it then raises.
`observe` disconnects every slot when the widget's `destroyed` fires. It keeps only weak references to
the slots, so the widget can still be collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject


def observe(widget: QObject, connections: Iterable[tuple[Any, Callable[..., Any]]]) -> None:
    """Connect each (psygnal signal, bound method of `widget`) pair; disconnect them all when it is destroyed."""
    held: list[tuple[Any, weakref.WeakMethod[Callable[..., Any]]]] = []
    for signal, slot in connections:
        signal.connect(slot)
        held.append((signal, weakref.WeakMethod(slot)))  # type: ignore[arg-type]

    def drop(*_: object) -> None:
        for signal, ref in held:
            slot = ref()
            if slot is not None:
                signal.disconnect(slot, missing_ok=True)

    widget.destroyed.connect(drop)
