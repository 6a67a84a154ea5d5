"""The step trace: one evaluation recorded as immutable steps the GUI can play back.

Forward steps come first (one per gate, in topological order), then backward steps (one per gate,
in reverse order). The screen after k steps is `trace.state(k)`, a pure function of the first k
steps, so stepping back costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from core.graph import Graph
from core.ops import OPS


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


def trace(graph: Graph, inputs: Mapping[str, float]) -> Trace:
    """Run `graph` on scalar inputs and record every forward and backward step."""
    result = graph.evaluate(inputs)
    if np.ndim(result.value) != 0:
        raise ValueError("a trace needs scalar inputs, not arrays")
    values = result.values
    steps: list[Step] = []
    for node in graph.gates:
        steps.append(
            ForwardStep(
                len(steps),
                node.id,
                tuple(values[a] for a in node.args),
                values[node.id],
                math.isfinite(values[node.id]),
            )
        )
    grads = [0.0] * len(graph.nodes)
    grads[graph.output] = 1.0
    with np.errstate(all="ignore"):
        for node in reversed(graph.gates):
            op = OPS[node.op]
            # numpy scalars, so that a zero division gives inf/nan like `evaluate` instead of raising.
            local = op.local_grads(
                np, np.float64(values[node.id]), *(np.float64(values[a]) for a in node.args), node.param
            )
            local = (local,) if op.arity == 1 else local
            upstream = grads[node.id]
            sent = []
            for arg, local_grad in zip(node.args, local):
                contribution = float(upstream * local_grad)
                grads[arg] += contribution
                sent.append(ArgumentGradient(arg, float(local_grad), contribution, grads[arg]))
            finite = math.isfinite(upstream) and all(math.isfinite(s.contribution) for s in sent)
            steps.append(BackwardStep(len(steps), node.id, upstream, tuple(sent), finite))
    leaves = {node.id: values[node.id] for node in graph.nodes if node.is_leaf}
    return Trace(graph, {name: float(inputs[name]) for name in graph.inputs}, tuple(steps), leaves)
