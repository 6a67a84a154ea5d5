"""The lab's redraws after one change, one per turn of the event loop.

A 5,000-step race arrives and the surface plot (heat map, contours), the six paths and the loss chart
must all be redrawn, and each redraw is painted. Done in one turn that is 100–200 ms of GUI time: the
window freezes. `Stages` runs one requested redraw per turn instead (a zero-interval timer started
again once the previous redraw is painted), so paints, key presses and timers come between them and
no turn is long.

    stages.request(SURFACE, self.draw_surface)   # again before it ran: it still runs once

Stages run in the order of their number, lowest first; a stage asked for while it is pending runs
once, with the latest callable. Without `Stages` (tests, pictures) the views draw at once.

While redraws are pending, background work that can wait (`collector.wait_until_settled`: the next
race, freeing the replaced one) waits off the GIL (`collector.hold`): each time the GUI thread
comes back from a Qt call it would otherwise queue for the GIL behind that worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from graphviz_app.debugger import collector

# The order of the lab's redraws: what the eye goes to first, and the cheapest to see, first. The
# plot's new shape (lab/aspect_frame.py) comes before its heat map; the heat map and the contour
# lines are two stages: each is painted into its own cache once, and the two paints together were
# one long turn.
FIT, SURFACE, CONTOURS, PATHS, CURSOR, CURVES, RATE_MARKS = range(7)
# Building, before any redraw: the tab's parts (lab_tab.py: four quarters of the optimizer rows, the
# surface plot, the loss chart), then the rest of each plot (surface_plot.py, loss_plot.py), each
# piece some 20 ms at most.
BUILD_STAGES = (-20, -19, -18, -17, -16, -15)
COLORBAR, RUN_ITEMS, RUN_FOLLOW, LOSS_ITEMS, LOSS_FOLLOW = -14, -13, -12, -11, -10


class Stages(QObject):
    """Requested redraws, run one per turn of the event loop in the order of their stage number."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[int, Callable[[], None]] = {}
        self._held = [False]  # a list: the `destroyed` handler below must not need `self`
        self.destroyed.connect(lambda *_, held=self._held: _unhold(held))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_next)

    def request(self, stage: int, draw: Callable[[], None]) -> None:
        self._pending[stage] = draw
        if not self._held[0]:
            self._held[0] = True
            collector.hold()
        if not self._timer.isActive():
            self._timer.start()

    def pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> None:
        """Run every pending redraw now (a picture taken right away, a test)."""
        self._timer.stop()
        try:
            while self._pending:
                self._pending.pop(min(self._pending))()
        finally:
            self._settle()

    def _run_next(self) -> None:
        if not self._pending:
            return
        draw = self._pending.pop(min(self._pending))
        try:
            draw()
        finally:
            if not self._pending:  # held until the last redraw is painted too
                QTimer.singleShot(0, self, self._settle)
            else:
                # The draw posted its plot's repaint; a call posted now runs after it, so the next
                # stage's timer starts once that paint is done: timers already due (an animation,
                # a heartbeat) come first, then the next stage.
                QTimer.singleShot(0, self, self._arm)

    def _settle(self) -> None:
        if not self._pending:
            _unhold(self._held)

    def _arm(self) -> None:
        if self._pending and not self._timer.isActive():
            self._timer.start()


def _unhold(held: list[bool]) -> None:
    if held[0]:
        held[0] = False
        collector.unhold()
