"""The computational graph: a flat list of nodes in topological order (like a jaxpr).

A `Graph` is what the parser builds and everything else reads: the evaluator walks it forwards and
backwards, the trace records that walk, the layout places its nodes, the GUI draws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx

from core.ops import OPS, Op

if TYPE_CHECKING:
    from core.evaluate import Result
    from core.trace import Trace


@dataclass(frozen=True, eq=False)
class Fold:
    """A gate made of a subgraph (`core.fold.collapse`, or a gate the program defines, `defined`):
    its name, drawn on the node, and its body, a graph whose inputs are the gate's arguments in order.
    `derivatives` are the program's own derivative lines, by argument: graphs of the gate's arguments
    and `out` (the gate's output), trusted in the backward pass; an argument without one is
    differentiated through the body."""

    name: str
    body: Graph
    derivatives: tuple[tuple[str, Graph], ...] = ()  # (argument, d name / d argument)
    defined: bool = False  # a gate the program defines (`name(a) = …`), not a fold of its gates

    @property
    def derivative_texts(self) -> dict[str, str]:
        """The text of each derivative line the program gave, by argument."""
        return {argument: graph.source for argument, graph in self.derivatives}

    @cached_property
    def operation(self) -> Op:
        from core.fold import fold_operation

        return fold_operation(self)


@dataclass(frozen=True, slots=True)
class Node:
    """One node: an input, a constant or a gate applied to earlier nodes."""

    id: int
    op: str  # a key of core.ops.OPS, or "fold" for a gate made of a subgraph
    args: tuple[int, ...] = ()
    params: tuple[float, ...] = ()  # the gate's constant (c of `+c`, slope, alpha) or a constant's value
    name: str | None = None  # an input's name, or the name a program gave this value
    fold: Fold | None = None  # the folded gate's name and body (op == "fold")

    @property
    def param(self) -> float | None:
        return self.params[0] if self.params else None

    @property
    def operation(self) -> Op:
        return self.fold.operation if self.fold is not None else OPS[self.op]

    @property
    def symbol(self) -> str:
        """What is drawn on the node: the input's name, or the gate's symbol (`+`, `*-1`, `σ` …)."""
        if self.op == "input":
            return self.name or "?"
        return self.operation.label(self.param)

    @property
    def label(self) -> str:
        """The symbol, with the program's name for this value where it has one (`q = +`)."""
        if self.op != "input" and self.name:
            return f"{self.name} = {self.symbol}"
        return self.symbol

    @property
    def formula(self) -> str:
        """The local derivative in words, for the inspector."""
        return self.operation.derivative_formula(self.param)

    @property
    def is_leaf(self) -> bool:
        return not self.args


@dataclass(frozen=True, eq=False)
class Graph:
    """A computational graph: `nodes` in topological order, the last one used is `output`."""

    nodes: tuple[Node, ...]
    inputs: tuple[str, ...]  # input names in order of first appearance
    output: int  # id of the output node
    source: str = ""  # the text it was parsed from

    def evaluate(self, inputs: Mapping[str, Any]) -> Result:
        """Forward pass, then reverse mode: value and d(output)/d(every node)."""
        from core.evaluate import evaluate

        return evaluate(self, inputs)

    def value_and_grad(self, inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        """(value, grad) of `evaluate`: the output value and the gradient by input name."""
        from core.evaluate import value_and_grad

        return value_and_grad(self, inputs)

    def trace(
        self, inputs: Mapping[str, float], mode: str = "reverse", tangent: Mapping[str, float] | None = None
    ) -> Trace:
        """The same run as immutable step records: forward steps, then backward steps; or, with
        mode="forward", one step per gate with its value and its tangent along `tangent`."""
        from core.trace import trace

        return trace(self, inputs, mode, tangent)

    @cached_property
    def input_ids(self) -> dict[str, int]:
        return {node.name: node.id for node in self.nodes if node.op == "input" and node.name}

    @cached_property
    def gates(self) -> tuple[Node, ...]:
        """The nodes that compute something (not inputs, not constants), in topological order."""
        return tuple(node for node in self.nodes if not node.is_leaf)

    @cached_property
    def users(self) -> dict[int, tuple[int, ...]]:
        """For each node id, the ids of the nodes that take it as an argument."""
        users: dict[int, list[int]] = {node.id: [] for node in self.nodes}
        for node in self.nodes:
            for arg in dict.fromkeys(node.args):
                users[arg].append(node.id)
        return {k: tuple(v) for k, v in users.items()}

    def to_networkx(self) -> nx.DiGraph:
        """A DiGraph with the same node ids, edges from argument to user (one edge per pair)."""
        graph = nx.DiGraph()
        for node in self.nodes:
            graph.add_node(node.id, op=node.op, label=node.label)
        for node in self.nodes:
            for arg in node.args:
                graph.add_edge(arg, node.id)
        return graph

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return f"Graph({self.source!r}, {len(self.nodes)} nodes, inputs={self.inputs})"
