"""The lab's redraws after one change, one per turn of the event loop.

A 5,000-step race arrives and the surface plot (heat map, contours), the six paths and the loss chart
must all be redrawn, and each redraw is painted. Done in one turn that is 100–200 ms of GUI time: the
window freezes. `Stages` runs one requested redraw per turn instead (a zero-interval timer started
again once the previous redraw is painted), so paints, key presses and timers come between them and
no turn is long.

    stages.request(SURFACE, self.draw_surface)   # again before it ran: it still runs once

Stages run in the order of their number, lowest first; a stage asked for while it is pending runs
once, with the latest callable. Without `Stages` (tests, pictures) the views draw at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

# The order of the lab's redraws: what the eye goes to first, and the cheapest to see, first.
SURFACE, PATHS, CURSOR, CURVES, RATE_MARKS = range(5)
# Building, before any redraw: the tab's parts (lab_tab.py: two halves of the optimizer rows, the
# surface plot, the loss chart), then the rest of each plot (surface_plot.py, loss_plot.py).
BUILD_STAGES = (-9, -8, -7, -6)
COLORBAR, RUN_ITEMS, LOSS_ITEMS = -5, -4, -3


class Stages(QObject):
    """Requested redraws, run one per turn of the event loop in the order of their stage number."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[int, Callable[[], None]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_next)

    def request(self, stage: int, draw: Callable[[], None]) -> None:
        self._pending[stage] = draw
        if not self._timer.isActive():
            self._timer.start()

    def pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> None:
        """Run every pending redraw now (a picture taken right away, a test)."""
        self._timer.stop()
        while self._pending:
            self._pending.pop(min(self._pending))()

    def _run_next(self) -> None:
        if not self._pending:
            return
        draw = self._pending.pop(min(self._pending))
        try:
            draw()
        finally:
            if self._pending:
                # The draw posted its plot's repaint; a call posted now runs after it, so the next
                # stage's timer starts once that paint is done: timers already due (an animation,
                # a heartbeat) come first, then the next stage.
                QTimer.singleShot(0, self, self._arm)

    def _arm(self) -> None:
        if self._pending and not self._timer.isActive():
            self._timer.start()
