"""Folding a subgraph into one gate, and unfolding it again.

`collapse(graph, ids, name="σ")` turns the selected gates into one gate whose body is the selection
as a graph of its own: its inputs are the values that flow into the selection from outside (`a`, `b`,
… in order of first use), its output the one value that leaves it. The folded gate's value is its
body's output, and its local derivatives ∂out/∂a, ∂out/∂b, … are its body's gradients, computed by
the same interpreter (a forward and a backward pass through the body), so every node outside keeps
its value and its gradient. On the lecture's sigmoid neuron, folding `*-1`, `exp`, `+1` and `1/x`
gives the slide's σ gate, local gradient (1 − σ)σ. `expand(graph, id)` puts the body back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from core.graph import Fold, Graph, Node
from core.interpreter import FLOATS, NUMPY_SCALARS, Backend, forward, plan_for, run
from core.ops import SCALAR_MATH, Op


def collapse(graph: Graph, node_ids: Iterable[int], name: str) -> Graph:
    """The graph with the gates `node_ids` folded into one gate called `name`; ValueError if the
    selection is not one gate (empty, an input in it, not connected, or more than one output)."""
    selection = _checked_selection(graph, set(node_ids))
    output = _the_output(graph, selection)
    # Values flowing in: the arguments from outside, in order of first use; constants are copied in.
    outside_args = list(dict.fromkeys(a for i in sorted(selection) for a in graph.nodes[i].args if a not in selection))
    arguments = [a for a in outside_args if graph.nodes[a].op != "const"]
    if not arguments:
        raise ValueError("the selection depends on no input: it is a constant, not a gate")
    body = _body(graph, selection, arguments, output)
    gate = Node(output, "fold", tuple(arguments), (), graph.nodes[output].name, Fold(name, body))
    nodes = [gate if node.id == output else node for node in graph.nodes if node.id not in selection - {output}]
    return _renumbered(graph, nodes)


def expand(graph: Graph, node_id: int) -> Graph:
    """The graph with the folded gate `node_id` replaced by the gates of its body (one level)."""
    if not 0 <= node_id < len(graph.nodes):
        raise ValueError(f"there is no node {node_id} in this graph")
    gate = graph.nodes[node_id]
    if gate.fold is None:
        raise ValueError(f"node {node_id} ({gate.label}) is not a folded gate")
    body = gate.fold.body
    # Body ids become fresh ids past the end, renumbered below; the body's inputs are the gate's args.
    fresh = {body.input_ids[name]: arg for name, arg in zip(body.inputs, gate.args)}
    inlined: list[Node] = []
    for node in body.nodes:
        if node.op == "input":
            continue
        new_id = gate.id if node.id == body.output else len(graph.nodes) + node.id
        fresh[node.id] = new_id
        name = gate.name if node.id == body.output else node.name
        inlined.append(Node(new_id, node.op, tuple(fresh[a] for a in node.args), node.params, name, node.fold))
    nodes: list[Node] = []
    for node in graph.nodes:
        nodes.extend(inlined if node.id == node_id else [node])
    return _renumbered(graph, nodes)


def fold_operation(fold: Fold) -> Op:
    """The op of a folded gate: forward and local gradients through its body, on any numbers; an
    argument with a derivative line of the program's own uses that formula instead (trusted, as a
    framework trusts a custom autograd function: `core.gradcheck` is what checks it)."""
    body = fold.body
    plan = plan_for(body)
    arity = len(body.inputs)
    given = {argument: plan_for(graph) for argument, graph in fold.derivatives}
    through_body = [name for name in body.inputs if name not in given]

    def backend(xp: Any) -> Backend:
        return FLOATS if xp is SCALAR_MATH else NUMPY_SCALARS  # numpy scalars and grids alike

    def value(xp: Any, *args: Any) -> Any:
        *operands, _param = args
        return forward(plan, operands, backend(xp))[plan.output]

    def local_grads(xp: Any, out: Any, *args: Any) -> Any:
        *operands, _param = args
        grads: list[Any] = []
        if through_body:
            _, grads = run(plan, operands, backend(xp))
        through = tuple(
            _shaped(forward(given[name], [*operands, out], backend(xp))[given[name].output], out)
            if name in given
            else grads[i]
            for name, i in zip(body.inputs, plan.input_ids)
        )
        return through[0] if arity == 1 else through

    return Op("fold", arity, fold.name, _formula(fold), value, local_grads)


def _shaped(local: Any, out: Any) -> Any:
    """A derivative line that is a constant (`d lin / d a = 1`) gives a number: on a grid, one per point."""
    if isinstance(out, np.ndarray) and np.ndim(local) == 0:
        return np.full_like(out, local, dtype=float)
    return local


def _formula(fold: Fold) -> str:
    body, texts = fold.body, fold.derivative_texts
    names = ", ".join(body.inputs)
    through = [name for name in body.inputs if name not in texts]
    parts = [f"∂{fold.name}/∂{name} = {texts[name]} (your derivative)" for name in body.inputs if name in texts]
    if through:
        gates = " → ".join(node.symbol for node in body.gates) or "none"
        shown = names if len(through) == len(body.inputs) else ", ".join(through)
        where = "through its body" if fold.defined else "through its gates"
        parts.append(f"∂{fold.name}/∂({shown}) {where}: {gates}")
    return "; ".join(parts)


def _checked_selection(graph: Graph, selection: set[int]) -> set[int]:
    if not selection:
        raise ValueError("the selection is empty: select the gates to fold")
    unknown = sorted(i for i in selection if not 0 <= i < len(graph.nodes))
    if unknown:
        raise ValueError(f"there is no node {unknown[0]} in this graph")
    leaves = [graph.nodes[i].label for i in sorted(selection) if graph.nodes[i].op == "input"]
    if leaves:
        raise ValueError(f"an input cannot be folded into a gate: {', '.join(leaves)}")
    selection = {i for i in selection if graph.nodes[i].args}  # selected constants: copied in anyway
    if not selection:
        raise ValueError("the selection has no gate: select the gates to fold")
    within = graph.to_networkx().subgraph(selection).to_undirected()
    if not nx.is_connected(within):
        parts = sorted(sorted(part) for part in nx.connected_components(within))
        shown = "; ".join(", ".join(graph.nodes[i].symbol for i in part) for part in parts)
        raise ValueError(f"the selection is not connected: it falls into {len(parts)} parts ({shown})")
    return selection


def _the_output(graph: Graph, selection: set[int]) -> int:
    """The one selected gate whose value is used outside the selection (or is the graph's output)."""
    leaving = [i for i in sorted(selection) if i == graph.output or any(u not in selection for u in graph.users[i])]
    if len(leaving) != 1:
        shown = ", ".join(graph.nodes[i].label for i in leaving)
        raise ValueError(f"the selection has {len(leaving)} outputs ({shown}); a gate has one output")
    return leaving[0]


def _body(graph: Graph, selection: set[int], arguments: list[int], output: int) -> Graph:
    names = [_argument_name(k) for k in range(len(arguments))]
    nodes: list[Node] = []
    body_id: dict[int, int] = {}
    for arg, name in zip(arguments, names):
        body_id[arg] = len(nodes)
        nodes.append(Node(len(nodes), "input", name=name))
    for i in sorted(selection):
        for a in graph.nodes[i].args:
            if a not in body_id and a not in selection:  # a constant flowing in
                body_id[a] = len(nodes)
                nodes.append(Node(len(nodes), "const", params=graph.nodes[a].params))
        node = graph.nodes[i]
        body_id[i] = len(nodes)
        nodes.append(Node(len(nodes), node.op, tuple(body_id[a] for a in node.args), node.params, node.name, node.fold))
    source = f"{graph.nodes[output].label} folded"
    return Graph(tuple(nodes), tuple(names), body_id[output], source)


def _argument_name(k: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[k] if k < 26 else f"a{k + 1}"


def _renumbered(graph: Graph, nodes: list[Node]) -> Graph:
    """`nodes` (topological, old ids) with dense ids; leaves nobody uses any more are dropped."""
    used = {a for node in nodes for a in node.args}
    output = graph.output
    nodes = [node for node in nodes if node.args or node.op == "input" or node.id in used or node.id == output]
    new_id = {node.id: k for k, node in enumerate(nodes)}
    renumbered = tuple(
        Node(new_id[node.id], node.op, tuple(new_id[a] for a in node.args), node.params, node.name, node.fold)
        for node in nodes
    )
    return Graph(renumbered, graph.inputs, new_id[output], graph.source)
