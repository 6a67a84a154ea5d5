"""The short name of every node, shared by the graph (captions under gates) and the inspector (Qt-free).

Inputs and named program lines keep their names (`q = x + y` is q), constants read as their number,
the output is f, and every other gate is g1, g2… in the order it is computed. The graph writes the
same name under each gate, so "∂f/∂g2" in the inspector points at a gate a student can find.
"""

from __future__ import annotations

from core.graph import Graph
from graphviz_app.numbers import number


def node_names(graph: Graph) -> dict[int, str]:
    """A short name per node: inputs and named values keep theirs, the output is f, other gates g1, g2…"""
    taken = {node.name for node in graph.nodes if node.name}
    names: dict[int, str] = {}
    count = 0
    for node in graph.nodes:
        if node.name:
            names[node.id] = node.name
        elif node.op == "const":
            names[node.id] = number(node.param)
        elif node.id == graph.output and "f" not in taken:
            names[node.id] = "f"
        else:
            count += 1
            name = f"g{count}"
            while name in taken:
                name += "'"
            names[node.id] = name
    return names


def graph_caption(graph: Graph, node_id: int, names: dict[int, str]) -> str:
    """What the graph writes under a node: a gate's name ("g2", "q"), "f · output" at the output;
    nothing under inputs and constants (their box already shows the name or the number)."""
    node = graph.nodes[node_id]
    if node_id == graph.output:
        return f"{names[node_id]} · output" if node.args else "output"
    return names[node_id] if node.args else ""
