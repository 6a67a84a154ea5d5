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
from core.graph import Graph
from core.interpreter import Sent, plan_for, run_on_scalars


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


@dataclass(frozen=True, eq=False)
class Trace:
    graph: Graph
    inputs: dict[str, float]
    steps: tuple[Step, ...]
    leaf_values: dict[int, float] = field(repr=False)  # inputs and constants: known before step 1

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
        grads: dict[int, float] = {}
        edge_grads: dict[tuple[int, int], float] = {}
        for step in self.steps[:k]:
            if isinstance(step, ForwardStep):
                values[step.node] = step.value
            else:
                grads.setdefault(step.node, step.upstream_grad)
                for arg in step.args:
                    grads[arg.arg] = arg.accumulated
                    edge_grads[(arg.arg, step.node)] = edge_grads.get((arg.arg, step.node), 0.0) + arg.contribution
        return TraceState(values, grads, edge_grads, self.steps[k - 1] if k else None)


class _StepRecorder:
    """Writes the interpreter's steps down as frozen records, as plain floats."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        value = float(value)
        self.steps.append(ForwardStep(len(self.steps), node, tuple(map(float, args)), value, math.isfinite(value)))

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        upstream = float(upstream)
        args = tuple(ArgumentGradient(arg, float(local), float(to), float(total)) for arg, local, to, total in sent)
        finite = math.isfinite(upstream) and all(math.isfinite(arg.contribution) for arg in args)
        self.steps.append(BackwardStep(len(self.steps), node, upstream, args, finite))


def trace(graph: Graph, inputs: Mapping[str, float]) -> Trace:
    """Run `graph` on scalar inputs and record every forward and backward step (the same run as `evaluate`)."""
    given = given_inputs(graph, inputs)
    if not all_scalars(given):
        raise ValueError("a trace needs scalar inputs, not arrays")
    recorders: list[_StepRecorder] = []

    def fresh_recorder() -> _StepRecorder:  # a second attempt (on numpy, after a math error) starts over
        recorders.append(_StepRecorder())
        return recorders[-1]

    values, _ = run_on_scalars(plan_for(graph), [float(v) for v in given], fresh_recorder)
    leaves = {node.id: values[node.id] for node in graph.nodes if node.is_leaf}
    return Trace(graph, dict(zip(graph.inputs, map(float, given))), tuple(recorders[-1].steps), leaves)
