"""The activation explorer tab: f(a), f′(a), saturation, and the vanishing gradient of a deep chain.

Assembly only: one `ActivationsState` (Qt-free, `state.py`) and two views of it, the curves on top
(`curves_view.py`) and the N-layer chain below (`chain_view.py`). Every number drawn comes from
`core.activations`; colours come from the one `Theme` the state holds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from graphviz_app.activations.chain_view import ChainView
from graphviz_app.activations.curves_view import CurvesView, run_in_turns
from graphviz_app.activations.state import ActivationsState
from graphviz_app.debugger.state import AppState


class ActivationsTab(QWidget):
    """f and f′ of chosen activations (top) and the vanishing-gradient chain (bottom)."""

    def __init__(self, state: ActivationsState, parent: QWidget | None = None, staged: bool = False) -> None:
        """`staged`: build the chain half on a later turn of the event loop, so that opening the tab
        does the work in two short pieces; `ready()` says when both are there."""
        super().__init__(parent)
        self.state = state
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.curves_view = CurvesView(state, staged=staged)
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
        if staged:
            # After the curves' five pieces (curves_view.py), so that no turn does two pieces.
            run_in_turns(self, [*(lambda: None for _ in range(5)), lambda: self._add_chain(staged=True)])
        else:
            self._add_chain()

    def ready(self) -> bool:
        return self.curves_view.ready() and hasattr(self, "chain_view") and self.chain_view.ready()

    def _add_chain(self, staged: bool = False) -> None:
        self.chain_view = ChainView(self.state, staged=staged)
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(1, self.chain_view)
        self.splitter.setSizes(sizes)
        self._chain_slot.deleteLater()


def make_tab(app: AppState) -> ActivationsTab:
    """The tab as the window builds it: a state sharing the debugger's theme and runner."""
    return ActivationsTab(ActivationsState.of_app(app), staged=True)
