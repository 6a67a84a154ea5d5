"""Forward mode: a tangent next to every value, carried through the interpreter's forward loop.

Reverse mode gives d(output)/d(every input) in one backward pass; forward mode gives the derivative
of every node along one direction of the inputs (the tangent) in the forward pass itself, one pass
per direction. Each gate's tangent is the chain rule read forwards: q = x + y gives q̇ = ẋ + ẏ,
f = q·z gives ḟ = z·q̇ + q·ż, the same local gradients the backward pass multiplies by (colah's
"Calculus on Computational Graphs"). The tangents are a `Recorder` on the one forward loop, as the
design wants, not a second evaluator: `Tangents` computes each gate's tangent right after its value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.evaluate import all_scalars, given_inputs
from core.graph import Graph
from core.interpreter import GRIDS, Backend, Sent, forward, plan_for, run_on_scalars


@dataclass(frozen=True, eq=False)
class JVP:
    """The output's `value` and `tangent` (d output along the tangent = Σ grad_i · tangent_i), and
    every node's value and tangent, by node id."""

    graph: Graph
    value: Any
    tangent: Any
    values: list[Any]
    tangents: list[Any]


class Tangents:
    """A recorder: after each gate's value, its tangent Σ ∂gate/∂arg · arg's tangent."""

    def __init__(self, graph: Graph, seed: Sequence[Any], backend: Backend) -> None:
        self.graph, self.xp = graph, backend.xp
        self.tangents: list[Any] = [0.0] * len(graph.nodes)  # constants: 0
        for name, tangent in zip(graph.inputs, seed):
            self.tangents[graph.input_ids[name]] = tangent
        self.local_grads: dict[int, tuple[Any, ...]] = {}

    def forward_step(self, node: int, args: tuple[Any, ...], value: Any) -> None:
        gate = self.graph.nodes[node]
        op = gate.operation
        local = op.local_grads(self.xp, value, *args, gate.param)
        locals_ = (local,) if op.arity == 1 else tuple(local)
        self.local_grads[node] = locals_
        tangent = locals_[0] * self.tangents[gate.args[0]]
        for grad, arg in zip(locals_[1:], gate.args[1:]):
            tangent = tangent + grad * self.tangents[arg]
        self.tangents[node] = tangent

    def backward_step(self, node: int, upstream: Any, sent: tuple[Sent, ...]) -> None:
        pass  # forward mode has no backward pass


def seed_tangents(graph: Graph, tangent: Mapping[str, Any]) -> list[Any]:
    """The tangent of each of `graph.inputs`, in order: 0 for one left out, an error for an unknown name."""
    unknown = [name for name in tangent if name not in graph.input_ids]
    if unknown:
        raise ValueError(
            f"no input {', '.join(map(repr, unknown))} to give a tangent; inputs: {', '.join(graph.inputs)}"
        )
    return [tangent.get(name, 0.0) for name in graph.inputs]


def jvp(graph: Graph, inputs: Mapping[str, Any], tangent: Mapping[str, Any]) -> JVP:
    """Forward mode at `inputs` along `tangent` (by input name; floats or broadcastable arrays)."""
    given, seed = given_inputs(graph, inputs), seed_tangents(graph, tangent)
    plan = plan_for(graph)
    if all_scalars(given) and all_scalars(seed):
        floats, seeds = [float(v) for v in given], [float(t) for t in seed]
        watching: list[Tangents] = []

        def fresh(backend: Backend) -> Tangents:  # the last attempt (math, then numpy scalars) counts
            watching.append(Tangents(graph, seeds, backend))
            return watching[-1]

        values, _ = run_on_scalars(plan, floats, fresh, with_backward=False)
        tangents = [float(t) for t in watching[-1].tangents]
    else:
        arrays = [np.asarray(v, dtype=float) for v in given]
        recorder = Tangents(graph, [np.asarray(t, dtype=float) for t in seed], GRIDS)
        with np.errstate(all="ignore"):
            values = forward(plan, arrays, GRIDS, recorder)
        tangents = recorder.tangents
    return JVP(graph, values[plan.output], tangents[plan.output], values, tangents)
