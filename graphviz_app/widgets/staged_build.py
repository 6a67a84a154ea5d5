"""Building a tab over several turns of the event loop, each piece short, each plot painted once.

A pyqtgraph plot costs 15–60 ms to make, style and draw the first time, and the activations and
tiny-networks tabs have three or four of them: built in one turn, opening the tab froze the window.
Built a piece per turn (`run_in_turns`, `run_pieces`), each plot that arrived used to re-lay the tab
out, so the plots already there were resized and painted again: more turns, but longer ones.

`Slot` holds a plot's place in the layout from the start, with fixed size hints: the layout around it
is final before any plot exists, a plot built into it stays hidden until it is complete and then
shows at its final size, painted once, in its own turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QSize, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

# A timer, not a zero-delay call: Qt 6 posts those as events, and events posted while posted events
# are handled run in the same turn; every chained step then ran in one turn after all.
TURN_MS = 1
# A pyqtgraph PlotWidget's own size hints: a `Slot` for a plot takes them, the layout is then as with
# the plot in it.
PLOT_HINT, PLOT_MINIMUM = QSize(600, 480), QSize(68, 68)


def run_in_turns(context: QObject, steps: list[Callable[[], None]]) -> None:
    """Run each step on its own turn of the event loop (so that no single turn takes long); steps
    still waiting when `context` is deleted never run.

    The next step's timer starts from a posted call, i.e. after the repaint the step posted: timers
    already due (animations) run before it."""
    if steps:
        QTimer.singleShot(TURN_MS, context, lambda: (steps[0](), _then(context, steps[1:])))


def _then(context: QObject, steps: list[Callable[[], None]]) -> None:
    if steps:
        QTimer.singleShot(0, context, lambda: run_in_turns(context, steps))


def run_pieces(context: QObject, pieces: Iterator[None]) -> None:
    """`run_in_turns` for a generator: the code up to each `yield` is one turn's piece (the later
    pieces may use what the earlier ones made)."""

    def piece() -> None:
        if next(pieces, StopIteration) is not StopIteration:
            QTimer.singleShot(0, context, lambda: QTimer.singleShot(TURN_MS, context, piece))

    QTimer.singleShot(TURN_MS, context, piece)


class Slot(QWidget):
    """The place of a widget that is built later, with size hints of its own (never its content's).

    `hold(widget)` puts the widget in at its final size with its painting held (it is laid out and
    resized like a shown widget, so that what it links to settles now, not on a later paint);
    `show_content()` lets it paint. The layout around the slot never changes when the content comes.
    """

    def __init__(self, hint: QSize = PLOT_HINT, minimum: QSize = PLOT_MINIMUM, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hint, self._minimum = hint, minimum
        self.content: QWidget | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return self._hint

    def minimumSizeHint(self) -> QSize:
        return self._minimum

    def hold(self, widget: QWidget) -> None:
        self.content = widget
        widget.setUpdatesEnabled(False)
        widget.setParent(self)
        widget.setGeometry(self.rect())
        widget.show()

    def show_content(self) -> None:
        """Paint the content (on the next paint of the window): once, at its final size."""
        if self.content is not None:
            self.content.setUpdatesEnabled(True)

    def shown(self) -> bool:
        return self.content is not None and self.content.updatesEnabled()

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self.content is not None:
            self.content.setGeometry(self.rect())
        super().resizeEvent(event)
