"""The one application-state object the debugger's views observe.

`AppState` holds what the user is looking at: the expression, its graph and layout, the input
values, the step trace and the cursor (how many steps have been played). Views take it in their
constructor, connect to its `sig_…` signals and call its methods; they never talk to each other and
never compute gradients themselves — everything comes from `core`.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QObject, Signal

import core
from graphviz_app.debugger.drawing import Drawing, prepare_drawing
from graphviz_app.jobs import InlineRunner, Runner
from graphviz_app.theme import Theme

Phase = Literal["forward", "backward", "both"]
MAX_DRAWN_NODES = 2000  # about a second to lay out and draw on a small machine


class AppState(QObject):
    """Expression → graph → trace, plus the cursor into the trace."""

    sig_graph_changed = Signal()  # a new graph: views rebuild their items
    sig_values_changed = Signal()  # same graph, new input values: views relabel, cursor kept
    sig_cursor_changed = Signal(int)  # the step position changed (argument: the new cursor)
    sig_error = Signal(str, int, int)  # message, line, column of a rejected expression; "" clears it
    sig_phase_changed = Signal(str)
    sig_show_debugger = Signal()  # another tab asked to show the current graph in the debugger
    sig_theme_changed = Signal(bool)  # True = dark: views recolour (the window applies the style sheet)

    def __init__(
        self,
        expression: str = "(x + y) * z",
        inputs: dict[str, float] | None = None,
        theme: Theme | None = None,
        runner: Runner | None = None,
    ) -> None:
        super().__init__()
        # Shared with every tab: the one theme, and where heavy work runs (a thread pool in the window).
        self.theme = theme or Theme()
        self.runner: Runner = runner or InlineRunner()
        self.theme.changed.connect(self.sig_theme_changed.emit)
        self.drawing: Drawing | None = None
        self.expression = ""
        self.graph: core.Graph = core.parse("x")
        self.positions: dict[int, tuple[float, float]] = {}
        self.inputs: dict[str, float] = {}
        self.trace: core.Trace = self.graph.trace({"x": 0.0})
        self.result: core.Result = self.graph.evaluate({"x": 0.0})
        self.cursor = 0
        self.phase: Phase = "both"
        if not self.set_expression(expression, inputs):
            raise ValueError(f"invalid start expression {expression!r}")

    # ---- the expression ----

    def set_expression(
        self, text: str, inputs: dict[str, float] | None = None, graph: core.Graph | None = None
    ) -> bool:
        """Parse `text`; on success show its graph (cursor at 0), else emit `sig_error` and keep the old one.

        Input values are kept by name where the new graph has the same inputs; new inputs start at 1.0
        unless `inputs` gives them. `graph`: `text` already parsed (a session file, parsed off the GUI
        thread), so it is not parsed twice.
        """
        if graph is None:
            try:
                graph = core.parse(text)
            except core.ParseError as error:
                self.sig_error.emit(error.reason, error.line, error.column)
                return False
        if len(graph.nodes) > MAX_DRAWN_NODES:
            # The engine handles it, but laying out and drawing it would freeze the window for seconds.
            self.sig_error.emit(
                f"this graph has {len(graph.nodes):,} nodes; the debugger draws at most "
                f"{MAX_DRAWN_NODES:,} (core.parse evaluates it fine in Python)",
                1,
                1,
            )
            return False
        values = {name: float((inputs or {}).get(name, self.inputs.get(name, 1.0))) for name in graph.inputs}
        self.expression = text
        self.graph = graph
        self.drawing = prepare_drawing(graph)
        self.positions = self.drawing.positions
        self.inputs = values
        self.cursor = 0
        self._recompute()
        self.sig_error.emit("", 0, 0)
        self.sig_graph_changed.emit()
        self.sig_cursor_changed.emit(self.cursor)
        return True

    def show_in_debugger(self, text: str, inputs: dict[str, float]) -> bool:
        """Load an expression from another tab (activations, networks) and bring the debugger forward."""
        if not self.set_expression(text, inputs):
            return False
        self.sig_show_debugger.emit()
        return True

    def load_example(self, name: str) -> bool:
        """Show one of `core.examples()` (by file stem or short name) with its default inputs."""
        found = core.example(name)
        return self.set_expression(found.expression, found.inputs)

    # ---- the look ----

    @property
    def dark(self) -> bool:
        return self.theme.dark

    def set_dark(self, dark: bool) -> None:
        self.theme.set_dark(dark)

    # ---- the inputs ----

    def set_input(self, name: str, value: float) -> None:
        """Change one input: re-evaluate, keep the step position."""
        if name not in self.inputs or self.inputs[name] == value:
            return
        self.inputs[name] = float(value)
        self._recompute()
        self.sig_values_changed.emit()

    def set_inputs(self, values: dict[str, float]) -> None:
        changed = {k: float(v) for k, v in values.items() if k in self.inputs}
        if not changed:
            return
        self.inputs.update(changed)
        self._recompute()
        self.sig_values_changed.emit()

    def _recompute(self) -> None:
        self.result = self.graph.evaluate(self.inputs)
        self.trace = self.graph.trace(self.inputs)
        self.cursor = min(self.cursor, len(self.trace))
        self._gradcheck: core.GradCheck | None = None

    def gradcheck(self) -> core.GradCheck:
        """Every input's gradient against a central finite difference, computed when first asked
        for (two evaluations per input: views ask for it after edits settle, not on every edit)."""
        if self._gradcheck is None:
            self._gradcheck = core.gradcheck(self.graph, self.inputs)
        return self._gradcheck

    # ---- the cursor ----

    @property
    def forward_count(self) -> int:
        return len(self.graph.gates)

    @property
    def step_count(self) -> int:
        return len(self.trace)

    def set_cursor(self, k: int) -> None:
        k = max(self.first_step, min(int(k), self.last_step))
        if k != self.cursor:
            self.cursor = k
            self.sig_cursor_changed.emit(k)

    def step_forward(self) -> bool:
        """One step on; False when already at the end of the chosen phase."""
        before = self.cursor
        self.set_cursor(self.cursor + 1)
        return self.cursor != before

    def step_back(self) -> bool:
        before = self.cursor
        self.set_cursor(self.cursor - 1)
        return self.cursor != before

    def reset(self) -> None:
        self.set_cursor(self.first_step)

    def run_to_end(self) -> None:
        self.set_cursor(self.last_step)

    def set_phase(self, phase: Phase) -> None:
        """forward: steps 0..n; backward: starts from the finished forward pass; both: everything."""
        if phase == self.phase:
            return
        self.phase = phase
        self.sig_phase_changed.emit(phase)
        self.set_cursor(self.cursor)  # clamp into the phase's range

    @property
    def first_step(self) -> int:
        return self.forward_count if self.phase == "backward" else 0

    @property
    def last_step(self) -> int:
        return self.forward_count if self.phase == "forward" else len(self.trace)

    def state(self) -> core.TraceState:
        """Values and gradients known at the cursor."""
        return self.trace.state(self.cursor)

    def counter_text(self) -> str:
        """'forward 3/8' or 'backward 5/8'."""
        n = self.forward_count
        if self.cursor <= n and not (self.phase == "backward" and self.cursor == n):
            return f"forward {self.cursor}/{n}"
        return f"backward {self.cursor - n}/{n}"
