"""The one application-state object the debugger's views observe.

`AppState` holds what the user is looking at: the expression, its graph and layout, the input
values, the step trace and the cursor (how many steps have been played). Views take it in their
constructor, connect to its `sig_…` signals and call its methods; they never talk to each other and
never compute gradients themselves — everything comes from `core`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from psygnal import Signal

import core
from graphviz_app.debugger import collector
from graphviz_app.debugger.drawing import MAX_DRAWN_NODES, Drawing, prepare_drawing
from graphviz_app.debugger.origin import Origin, find_origin
from graphviz_app.jobs import Cancelled, InlineRunner, Job, Runner

if TYPE_CHECKING:  # the theme module draws with Qt; the state only holds the app's Theme object
    from graphviz_app.theme import Theme

Phase = Literal["forward", "backward", "both"]
Mode = Literal["reverse", "forward"]
BUILD_KEY = "debugger.build"
CHECK_KEY = "debugger.gradcheck"


class TooBig(ValueError):
    """A program with more nodes than the debugger draws (the engine itself handles it)."""

    def __init__(self, nodes: int) -> None:
        super().__init__(
            f"this graph has {nodes:,} nodes; the debugger draws at most {MAX_DRAWN_NODES:,} "
            "(core.parse evaluates it fine in Python)"
        )


@dataclass(frozen=True)
class Build:
    """Everything a new expression needs before it can be shown, computed off the GUI thread."""

    text: str
    graph: core.Graph
    inputs: dict[str, float]
    result: core.Result
    trace: core.Trace
    drawing: Drawing
    # Where a nan or ∞ began on `trace` (None: all finite), worked out here rather than by the first
    # view to ask, on the GUI thread (~15 ms on a 5,000-node graph).
    origin: Origin | None


def _checked(graph: core.Graph, inputs: dict[str, float], job: Job | None = None) -> core.GradCheck:
    if job is not None:  # not while a scene is being made: it would take the GIL from the GUI thread
        collector.wait_until_settled(lambda: job.cancelled)
        if job.cancelled:
            raise Cancelled(job.key)
    with collector.paused():
        return core.gradcheck(graph, inputs)


def build(text: str, inputs: dict[str, float], job: Job | None = None, graph: core.Graph | None = None) -> Build:
    """Parse, evaluate, trace and lay out `text` (ParseError / TooBig when it cannot be shown).

    `graph`: `text` already parsed (a session file parsed off the GUI thread), so it is not parsed twice.
    """
    with collector.paused():  # a full collection in the middle would hold the GIL for ~0.3 s
        return _build(text, inputs, job, graph)


def _build(text: str, inputs: dict[str, float], job: Job | None, graph: core.Graph | None) -> Build:
    report = job.progress if job is not None else (lambda fraction, text="": None)
    report(0.0, "reading the program")
    if graph is None:
        graph = core.parse(text)
    if len(graph.nodes) > MAX_DRAWN_NODES:
        raise TooBig(len(graph.nodes))
    values = {name: float(inputs.get(name, 1.0)) for name in graph.inputs}
    report(0.15, "evaluating")
    result = graph.evaluate(values)
    trace = graph.trace(values)
    report(0.3, f"laying out {len(graph.nodes):,} nodes")
    drawing = prepare_drawing(graph)
    graph.users  # noqa: B018 - computed (and cached) here: on the GUI thread it cost the scene's first slice 20 ms
    origin = find_origin(graph, result, trace)
    report(1.0, "drawing")
    return Build(text, graph, values, result, trace, drawing, origin)


def computes_sigmoid(body: core.Graph) -> bool:
    """Whether a gate's body is 1/(1 + e^−a) of its one argument (checked at a few points, any form)."""
    if len(body.inputs) != 1:
        return False
    points = (-3.0, -0.5, 0.0, 1.5, 4.0)
    return all(abs(body.evaluate({body.inputs[0]: a}).value - 1 / (1 + math.exp(-a))) < 1e-12 for a in points)


class AppState:
    """Expression → graph → trace, plus the cursor into the trace.

    Qt-free (psygnal signals, like the other tabs' states): views connect to its `sig_…` signals; the
    runner's progress reports (a `ThreadRunner`'s Qt `sig_busy`) are reached through the runner alone.
    """

    sig_graph_changed = Signal()  # a new graph: views rebuild their items
    sig_values_changed = Signal()  # same graph, new input values: views relabel, cursor kept
    sig_cursor_changed = Signal(int)  # the step position changed (argument: the new cursor)
    sig_error = Signal(str, int, int)  # message, line, column of a rejected expression; "" clears it
    sig_phase_changed = Signal(str)
    sig_show_debugger = Signal()  # another tab asked to show the current graph in the debugger
    sig_theme_changed = Signal(bool)  # True = dark: views recolour (the window applies the style sheet)
    sig_building = Signal(str, float)  # a new graph is being built off the GUI thread: what, fraction done
    sig_built = Signal()  # the build finished, failed or was cancelled: nothing is being built any more
    sig_gradcheck_ready = Signal()  # `gradcheck()` has a result for the current inputs
    sig_mode_changed = Signal(str)  # "reverse" (backprop) or "forward" (tangents along `seed`)
    sig_reach_changed = Signal()  # how far the cursor may go changed (a quiz hides the steps not yet answered)
    sig_node_inspected = Signal(object)  # a node was clicked (its id): the inspector shows it, until a step

    def __init__(
        self,
        expression: str = "(x + y) * z",
        inputs: dict[str, float] | None = None,
        theme: Theme | None = None,
        runner: Runner | None = None,
    ) -> None:
        # Shared with every tab: the one theme, and where heavy work runs (a thread pool in the window).
        if theme is None:
            from graphviz_app.theme import Theme

            theme = Theme()
        self.theme = theme
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
        self.mode: Mode = "reverse"
        self.reach: int | None = None  # the furthest cursor that may be shown (a running quiz); None: any
        self.seed = ""  # forward mode: the input whose tangent is 1 (every other input's is 0)
        # What was folded and unfolded since the expression was built, in order (sessions replay it):
        # ("fold", node ids, name) or ("unfold", (node id,), "").
        self.folds: list[tuple[str, tuple[int, ...], str]] = []
        self.building = False
        self._state_at: tuple[core.Trace, int, core.TraceState] | None = None
        self._gradcheck: core.GradCheck | None = None
        self._checking = False
        self._origin: tuple[core.Trace, Origin | None] | None = None
        busy = getattr(self.runner, "sig_busy", None)
        if busy is not None:  # a ThreadRunner: its progress reports become ours
            busy.connect(self._on_runner_busy)
        # The first graph is built at once (on the caller's thread): there is no old one to show.
        try:
            self._apply(build(expression, inputs or {}))
        except (core.ParseError, TooBig) as error:
            raise ValueError(f"invalid start expression {expression!r}: {error}") from None

    # ---- the expression ----

    def set_expression(
        self,
        text: str,
        inputs: dict[str, float] | None = None,
        graph: core.Graph | None = None,
        then: Callable[[], None] | None = None,
    ) -> bool:
        """Build `text`'s graph through the runner; on success show it (cursor at 0), else emit
        `sig_error` and keep the old one. A newer call supersedes a build still running.

        Input values are kept by name where the new graph has the same inputs; new inputs start at 1.0
        unless `inputs` gives them. `graph`: `text` already parsed (see `build`); `then` runs once the new
        graph is shown (a session's step position). Returns False when the text was rejected at once (an
        inline runner), True when it was shown or is still being built.
        """
        values = {**self.inputs, **{k: float(v) for k, v in (inputs or {}).items()}}
        outcome: list[bool] = []

        def done(result: Build) -> None:
            outcome.append(True)
            self._finish_building()
            self.folds = []  # a new program: its gates as written
            with collector.paused():  # every view rebuilds now: no full collection in the middle
                self._apply(result)
            if then is not None:
                then()

        def failed(error: Exception) -> None:
            outcome.append(False)
            self._finish_building()
            if isinstance(error, core.ParseError):
                self.sig_error.emit(error.reason, error.line, error.column)
            else:
                self.sig_error.emit(str(error), 1, 1)

        self.building = True
        self.runner.submit(
            BUILD_KEY, lambda job: build(text, values, job, graph), done, failed, label="building the graph"
        )
        return outcome[0] if outcome else True

    def cancel_build(self) -> None:
        """Stop a build still running (Esc); the graph on screen stays."""
        if self.building:
            self.runner.cancel(BUILD_KEY)
            self._finish_building()

    def _finish_building(self) -> None:
        self.building = False
        self.sig_built.emit()

    def _on_runner_busy(self, key: str, label: str, fraction: float) -> None:
        if key == BUILD_KEY and self.building:
            self.sig_building.emit(label, fraction)

    def _apply(self, result: Build) -> None:
        self.expression = result.text
        self.graph = result.graph
        self.drawing = result.drawing
        self.positions = result.drawing.positions
        self.inputs = dict(result.inputs)
        self.result, self.trace = result.result, result.trace
        if self.mode == "forward":
            self.trace = self._forward_trace()
        else:
            self._origin = (self.trace, result.origin)
        self._gradcheck = None
        self.cursor = 0
        self.sig_error.emit("", 0, 0)
        self.sig_graph_changed.emit()
        self.sig_cursor_changed.emit(self.cursor)

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
        self.trace = self._forward_trace() if self.mode == "forward" else self.graph.trace(self.inputs)
        self.cursor = min(self.cursor, len(self.trace))
        self._gradcheck = None
        self._state_at = None

    def gradcheck(self) -> core.GradCheck | None:
        """Every input's gradient against a central finite difference, or None while it is computed.

        Two evaluations per input: it runs through the runner when first asked for (views ask once
        edits settle), and `sig_gradcheck_ready` says when it is there.
        """
        if self._gradcheck is None and not self._checking:
            graph, inputs = self.graph, dict(self.inputs)

            def done(check: core.GradCheck) -> None:
                if graph is self.graph and inputs == self.inputs:
                    self._gradcheck = check
                    if not inline:
                        self.sig_gradcheck_ready.emit()

            inline = True
            self._checking = True
            try:
                self.runner.submit(
                    CHECK_KEY, lambda job: _checked(graph, inputs, job), done, lambda error: None, label="checking"
                )
            finally:
                self._checking = False
            inline = False
        return self._gradcheck

    # ---- folding gates into one ----

    def fold(self, node_ids: set[int], name: str) -> None:
        """Fold the gates `node_ids` into one gate called `name` (`core.collapse`; ValueError says why
        a selection cannot be folded, and the graph stays). The trace starts again on the folded graph."""
        name = name.strip() or "g"
        self._show_graph(core.collapse(self.graph, node_ids, name))
        self.folds.append(("fold", tuple(sorted(node_ids)), name))

    def unfold(self, node_id: int) -> None:
        """Put a folded gate's body back (`core.expand`, one level)."""
        self._show_graph(core.expand(self.graph, node_id))
        self.folds.append(("unfold", (node_id,), ""))

    def replay_folds(self, folds: list[tuple[str, tuple[int, ...], str]]) -> None:
        """Fold and unfold as recorded in `folds` (a session's); ValueError when one no longer fits."""
        for what, ids, name in folds:
            if what == "fold":
                self.fold(set(ids), name)
            else:
                self.unfold(ids[0])

    def fold_name(self, node_ids: set[int]) -> str:
        """The name to suggest for folding `node_ids`: σ when they compute a sigmoid of their one input."""
        try:
            folded = core.collapse(self.graph, node_ids, "g")
        except ValueError:
            return "g"
        gate = next(node for node in folded.nodes if node.fold is not None and node.fold.name == "g")
        return "σ" if gate.fold is not None and computes_sigmoid(gate.fold.body) else "g"

    def _show_graph(self, graph: core.Graph) -> None:
        if len(graph.nodes) > MAX_DRAWN_NODES:
            raise TooBig(len(graph.nodes))
        values = {name: self.inputs.get(name, 1.0) for name in graph.inputs}
        trace = graph.trace(values)
        result = graph.evaluate(values)
        origin = find_origin(graph, result, trace)
        self._apply(Build(self.expression, graph, values, result, trace, prepare_drawing(graph), origin))

    # ---- forward mode ----

    def set_mode(self, mode: Mode, seed: str | None = None) -> None:
        """Play reverse mode (forward values, then backprop) or forward mode: each gate's value and its
        tangent along `seed` (that input moves at speed 1, the others stay). Cursor kept where it can be."""
        if mode not in ("reverse", "forward"):
            raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
        if seed is not None and seed not in self.graph.inputs:
            raise ValueError(f"no input {seed!r} to seed; inputs: {', '.join(self.graph.inputs)}")
        if mode == "forward" and not self.graph.inputs:
            return  # nothing to differentiate by: a graph of constants
        if mode == self.mode and (mode == "reverse" or seed in (None, self.seed)):
            return
        self.mode, self.seed = mode, seed or self.seed
        if mode == "forward" and self.phase == "backward":
            self.set_phase("both")  # forward mode has no backward pass to start from
        self._recompute()
        self.sig_mode_changed.emit(mode)
        self.sig_values_changed.emit()
        self.sig_cursor_changed.emit(self.cursor)

    def _forward_trace(self) -> core.Trace:
        if self.seed not in self.graph.inputs:
            self.seed = self.graph.inputs[0] if self.graph.inputs else ""
        if not self.seed:  # no inputs: nothing to seed, reverse mode it is
            self.mode = "reverse"
            return self.graph.trace(self.inputs)
        return self.graph.trace(self.inputs, mode="forward", tangent={self.seed: 1.0})

    # ---- where a nan began ----

    @property
    def origin(self) -> Origin | None:
        """The first place a nan or ∞ began at these inputs (None when all is finite); made once per trace."""
        if self._origin is None or self._origin[0] is not self.trace:
            self._origin = (self.trace, find_origin(self.graph, self.result, self.trace))
        return self._origin[1]

    def go_to_origin(self) -> bool:
        """Move the cursor to the step where the first nan or ∞ began (False when there is none)."""
        origin = self.origin
        if origin is None:
            return False
        if not self.first_step <= origin.cursor <= self.last_step:
            self.set_phase("both")  # a gradient origin seen from the forward phase, or the reverse
        self.set_cursor(origin.cursor)
        return True

    # ---- the cursor ----

    @property
    def forward_count(self) -> int:
        return len(self.graph.gates)

    @property
    def step_count(self) -> int:
        return len(self.trace)

    def inspect_node(self, node_id: int | None) -> None:
        """Show this node in the inspector (its value, gradient, local derivative and their steps)."""
        if node_id is None or 0 <= node_id < len(self.graph.nodes):
            self.sig_node_inspected.emit(node_id)

    def set_cursor(self, k: int) -> None:
        k = max(self.first_step, min(int(k), self.last_step))
        if k != self.cursor:
            self.cursor = k
            self.sig_cursor_changed.emit(k)

    def set_reach(self, reach: int | None) -> None:
        """Let the cursor go no further than `reach` (None: to the end). The one gate every control
        passes through (→, Space, End, the timeline, a session's step): `last_step` honours it, so a
        quiz's hidden steps cannot be shown before they are answered. The cursor is pulled back to it."""
        reach = None if reach is None else max(0, int(reach))
        if reach == self.reach:
            return
        self.reach = reach
        self.sig_reach_changed.emit()
        self.set_cursor(self.cursor)

    def step_forward(self) -> bool:
        """One step on; False when already at the end of the chosen phase (or of what may be shown)."""
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
        """forward: steps 0..n; backward: starts from the finished forward pass; both: everything.

        Forward mode has no backward pass (each gate computes its tangent with its value): "backward"
        is refused there, as the player's disabled Backward button says."""
        if phase == self.phase or (phase == "backward" and self.mode == "forward"):
            return
        self.phase = phase
        self.sig_phase_changed.emit(phase)
        self.set_cursor(self.cursor)  # clamp into the phase's range

    @property
    def first_step(self) -> int:
        return self.forward_count if self.phase == "backward" else 0

    @property
    def last_step(self) -> int:
        end = self.forward_count if self.phase == "forward" else len(self.trace)
        return end if self.reach is None else max(self.first_step, min(end, self.reach))

    def state(self) -> core.TraceState:
        """Values and gradients known at the cursor (every view asks after each change: made once)."""
        if self._state_at is None or self._state_at[0] is not self.trace or self._state_at[1] != self.cursor:
            self._state_at = (self.trace, self.cursor, self.trace.state(self.cursor))
        return self._state_at[2]

    def counter_text(self) -> str:
        """'forward 3/8' or 'backward 5/8'."""
        n = self.forward_count
        if self.cursor <= n and not (self.phase == "backward" and self.cursor == n):
            return f"forward {self.cursor}/{n}"
        return f"backward {self.cursor - n}/{n}"
