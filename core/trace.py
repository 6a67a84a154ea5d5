"""The step trace: one evaluation recorded as immutable steps the GUI can play back.

Forward steps come first (one per gate, in topological order), then backward steps (one per gate,
in reverse order). They are not computed here: a recorder hooked into the interpreter's loops
(`core.interpreter`) writes down the very run `evaluate` makes. The screen after k steps is
`trace.state(k)`, a pure function of the first k steps, so stepping back costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.evaluate import all_scalars, given_inputs
from core.forward_mode import Tangents, seed_tangents
from core.graph import Graph
from core.interpreter import Backend, Sent, plan_for, run_on_scalars


@dataclass(frozen=True)
class ForwardStep:
    """A gate computed its output from its argument values."""

    index: int  # position in the whole trace
    node: int
    input_values: tuple[float, ...]
    value: float
    finite: bool

    phase = "forward"


@dataclass(frozen=True)
class TangentStep(ForwardStep):
    """Forward mode: a gate computed its value and, with it, its tangent from its arguments' tangents
    (q̇ = ∂q/∂x·ẋ + ∂q/∂y·ẏ; the local gradients are the ones the backward pass would use)."""

    input_tangents: tuple[float, ...]
    local_grads: tuple[float, ...]
    tangent: float


@dataclass(frozen=True)
class ArgumentGradient:
    """What one backward step sends into one argument: local gradient × upstream = contribution."""

    arg: int  # node id of the argument
    local_grad: float
    contribution: float
    accumulated: float  # the argument's gradient after adding this contribution (fan-out sums)


@dataclass(frozen=True)
class BackwardStep:
    """A gate passed its upstream gradient back to its arguments (the chain rule, once)."""

    index: int
    node: int
    upstream_grad: float
    args: tuple[ArgumentGradient, ...]
    finite: bool

    phase = "backward"


Step = ForwardStep | BackwardStep


@dataclass(frozen=True)
class TraceState:
    """What is known after some steps: values and gradients so far, and the step just taken."""

    values: dict[int, float]
    grads: dict[int, float]
    edge_grads: dict[tuple[int, int], float]  # (arg, node) -> contribution sent along that edge
    step: Step | None
    tangents: dict[int, float] = field(default_factory=dict)  # forward mode: every tangent known so far


@dataclass(frozen=True, eq=False)
class Trace:
    graph: Graph
    inputs: dict[str, float]
    steps: tuple[Step, ...]
    leaf_values: dict[int, float] = field(repr=False)  # inputs and constants: known before step 1
    mode: str = "reverse"  # "forward": tangent steps only, no backward pass
    leaf_tangents: dict[int, float] = field(default_factory=dict, repr=False)  # forward mode: the seed, 0s

    @property
    def forward(self) -> tuple[ForwardStep, ...]:
        return tuple(s for s in self.steps if isinstance(s, ForwardStep))

    @property
    def backward(self) -> tuple[BackwardStep, ...]:
        return tuple(s for s in self.steps if isinstance(s, BackwardStep))

    def __len__(self) -> int:
        return len(self.steps)

    def state(self, k: int) -> TraceState:
        """The state after the first k steps (0 = nothing computed yet, len(trace) = all done)."""
        k = max(0, min(k, len(self.steps)))
        values = dict(self.leaf_values)
        tangents = dict(self.leaf_tangents)
        grads: dict[int, float] = {}
        edge_grads: dict[tuple[int, int], float] = {}
        for step in self.steps[:k]:
            if isinstance(step, ForwardStep):
                values[step.node] = step.value
                if isinstance(step, TangentStep):
                    tangents[step.node] = step.tangent
            else:
                grads.setdefault(step.node, step.upstream_grad)
                for arg in step.args:
                    grads[arg.arg] = arg.accumulated
                    edge_grads[(arg.arg, step.node)] = edge_grads.get((arg.arg, step.node), 0.0) + arg.contribution
        return TraceState(values, grads, edge_grads, self.steps[k - 1] if k else None, tangents)


class _StepRecorder:
    """Writes the interpreter's steps down as frozen records, as plain floats."""

    def __init__(self, tangents: Tangents | None = None) -> None:
        self.steps: list[Step] = []
        self.tangents = tangents  # forward mode: each forward step carries its tangent too

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        if self.tangents is not None:
            self.tangents.forward_step(node, args, value)
            self.steps.append(self._tangent_step(node, args, value, self.tangents))
            return
        value = float(value)
        self.steps.append(ForwardStep(len(self.steps), node, tuple(map(float, args)), value, math.isfinite(value)))

    def _tangent_step(self, node: int, args: tuple[Any, ...], value: Any, tangents: Tangents) -> TangentStep:
        value, tangent = float(value), float(tangents.tangents[node])
        gate = tangents.graph.nodes[node]
        return TangentStep(
            len(self.steps),
            node,
            tuple(map(float, args)),
            value,
            math.isfinite(value) and math.isfinite(tangent),
            tuple(float(tangents.tangents[arg]) for arg in gate.args),
            tuple(map(float, tangents.local_grads[node])),
            tangent,
        )

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        upstream = float(upstream)
        args = tuple(ArgumentGradient(arg, float(local), float(to), float(total)) for arg, local, to, total in sent)
        finite = math.isfinite(upstream) and all(math.isfinite(arg.contribution) for arg in args)
        self.steps.append(BackwardStep(len(self.steps), node, upstream, args, finite))


def trace(
    graph: Graph, inputs: Mapping[str, float], mode: str = "reverse", tangent: Mapping[str, float] | None = None
) -> Trace:
    """Run `graph` on scalar inputs and record every step of the same run as `evaluate` (mode "reverse":
    forward steps, then backward steps) or as `core.jvp` (mode "forward", along `tangent`: one
    `TangentStep` per gate with its value and its tangent, and no backward pass)."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    if mode == "forward" and tangent is None:
        raise ValueError("forward mode needs a tangent: how fast each input moves, like {'x': 1.0}")
    given = given_inputs(graph, inputs)
    if not all_scalars(given):
        raise ValueError("a trace needs scalar inputs, not arrays")
    seed = [float(t) for t in seed_tangents(graph, tangent)] if tangent is not None and mode == "forward" else None
    recorders: list[_StepRecorder] = []

    def fresh_recorder(backend: Backend) -> _StepRecorder:  # a second attempt (numpy, after a math error) starts over
        recorders.append(_StepRecorder(Tangents(graph, seed, backend) if seed is not None else None))
        return recorders[-1]

    floats = [float(v) for v in given]
    values, _ = run_on_scalars(plan_for(graph), floats, fresh_recorder, with_backward=seed is None)
    leaves = {node.id: values[node.id] for node in graph.nodes if node.is_leaf}
    leaf_tangents = {}
    if seed is not None:
        by_name = dict(zip(graph.inputs, seed))
        leaf_tangents = {node.id: by_name.get(node.name or "", 0.0) for node in graph.nodes if node.is_leaf}
    return Trace(graph, dict(zip(graph.inputs, floats)), tuple(recorders[-1].steps), leaves, mode, leaf_tangents)
