"""The activation explorer tab: f(a), f′(a), saturation, and the vanishing gradient of a deep chain.

Assembly only: one `ActivationsState` (Qt-free, `state.py`) and two views of it, the curves on top
(`curves_view.py`) and the N-layer chain below (`chain_view.py`). Every number drawn comes from
`core.activations`; colours come from the one `Theme` the state holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from graphviz_app.activations.chain_view import ChainView
from graphviz_app.activations.curves_view import CurvesView
from graphviz_app.activations.state import ActivationsState
from graphviz_app.debugger.state import AppState
from graphviz_app.widgets.staged_build import run_pieces


class ActivationsTab(QWidget):
    """f and f′ of chosen activations (top) and the vanishing-gradient chain (bottom)."""

    def __init__(self, state: ActivationsState, parent: QWidget | None = None, staged: bool = False) -> None:
        """`staged`: build the plots a piece per turn of the event loop (staged_build.run_pieces), so
        that opening the tab does the work in short pieces; `ready()` says when all are there."""
        super().__init__(parent)
        self.state = state
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.curves_view = CurvesView(state, staged=True)
        self.splitter.addWidget(self.curves_view)
        # An empty slot holds the chain's place until it is made: the curves above then keep their size
        # (a resize would repaint both plots again, 100 ms on a slow machine).
        self._chain_slot = QWidget()
        self.splitter.addWidget(self._chain_slot)
        self.splitter.setSizes([560, 440])
        self.chain_view: ChainView
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)
        self._built = False
        if staged:
            run_pieces(self, self._build())
        else:
            for _ in self._build():
                pass

    def ready(self) -> bool:
        return self._built

    def _build(self) -> Iterator[None]:
        """The curves' pieces, then the chain's: one driver, so that no turn runs two pieces."""
        yield from self.curves_view.build()
        yield
        self._add_chain()
        yield
        yield from self.chain_view.build()
        self._built = True

    def _add_chain(self) -> None:
        self.chain_view = ChainView(self.state, staged=True)
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(1, self.chain_view)
        self.splitter.setSizes(sizes)
        self._chain_slot.deleteLater()


def make_tab(app: AppState) -> ActivationsTab:
    """The tab as the window builds it: a state sharing the debugger's theme and runner."""
    return ActivationsTab(ActivationsState.of_app(app), staged=True)
