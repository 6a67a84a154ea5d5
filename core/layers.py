"""Step 1 of `core.layout`: which layer (x) each node of a computational graph is drawn in.

A gate sits one layer right of its latest argument and is pulled towards its first user; inputs and
constants are placed by `place_sources`, with leaf copies next to distant groups of users; a tall
drawing is made compact by `split_fan_ins`. The module doc of `core.layout` tells the whole story.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx

# A leaf copy serves its first user's layer and this many layers after it.
COPY_REACH = 1
# A drawing is tall when a layer holds more points (nodes, copies, bends) than MAX_ROWS, which is
# what a 1280x800 view next to the docks shows at a zoom where the numbers are legible
# (graph_view.MIN_FIT_ZOOM), and at least TALL_ASPECT times as many as there are layers: the GUI
# draws a layer about 1.5 slots wide and views are about 1.65 times as wide as high, so such a
# drawing is about as tall as the view's proportions or taller. Wider drawings (a long program) are
# shown in part anyway, following the steps, and keep their inputs on the left.
MAX_ROWS = 7
TALL_ASPECT = 0.75
# In a tall drawing, a gate with this many leaf arguments takes them from two layers.
FAN_IN_SPLIT = 4


@dataclass(frozen=True)
class LeafCopy:
    """A vertex that draws leaf `of` once more, next to a group of its users (`k` numbers it)."""

    of: Hashable
    k: int


def assign_layers(G: nx.DiGraph) -> dict[Hashable, int]:
    """Layer of every gate: longest path from the sources, then pulled right towards its users.

    Sources get a provisional layer here; `place_sources` decides where they (and their copies) go.
    """
    topo = list(nx.topological_sort(G))
    layer: dict[Hashable, int] = {}
    for v in topo:
        layer[v] = max((layer[u] for u in G.pred[v]), default=-1) + 1
    _pull_towards_users(G, topo, layer)
    return layer


def _pull_towards_users(G: nx.DiGraph, topo: list[Hashable], layer: dict[Hashable, int]) -> None:
    """Move gates just left of their first user when that shortens more edges than it lengthens.

    Moving a gate one layer right shortens each of its out-edges by one and lengthens the in-edges
    of the arguments that stay behind. Arguments that are leaves, or gates used only here, follow
    (they are visited after it, going right to left), so only arguments that are gates with other
    users count against the move. Sinks never move.
    """
    for v in reversed(topo):
        users, args = G.succ[v], G.pred[v]
        if not args or not users:
            continue
        staying = sum(1 for a in args if G.pred[a] and len(G.succ[a]) > 1)
        if len(users) > staying:
            layer[v] = min(layer[w] for w in users) - 1


def place_sources(
    G: nx.DiGraph, layer: dict[Hashable, int], max_input_span: int | None, next_to_users: bool = False
) -> dict[tuple[Hashable, Hashable], Hashable]:
    """Inputs in layer 0 unless their first user is far away (or `next_to_users`); constants next
    to their user.

    Returns which vertex serves each edge out of a source that is drawn with copies: the source
    itself serves its first group of users, a `LeafCopy` (layered here too) each later group.
    """
    served_by: dict[tuple[Hashable, Hashable], Hashable] = {}
    for v in G.nodes:
        if G.pred[v] or not G.succ[v]:
            continue
        users = sorted(G.succ[v], key=lambda w: layer[w])
        first_user = layer[users[0]]
        is_constant = G.nodes[v].get("op") == "const"
        too_far = max_input_span is not None and first_user > max_input_span
        layer[v] = first_user - 1 if is_constant or too_far or next_to_users else 0
        if max_input_span is None or layer[users[-1]] - first_user <= max_input_span:
            continue
        # Groups of users at most COPY_REACH layers after the group's first; one vertex per group.
        group_start, vertex = first_user, v
        for w in users:
            if layer[w] > group_start + COPY_REACH:
                group_start = layer[w]
                vertex = LeafCopy(v, len(served_by))
                layer[vertex] = group_start - 1
            served_by[(v, w)] = vertex
    return served_by


def split_fan_ins(G: nx.DiGraph, layer: dict[Hashable, int]) -> None:
    """Every other leaf argument (in argument order) of a gate with FAN_IN_SPLIT or more leaf
    arguments moves one layer further left, when the gate is its only user; layers then start at 0.

    In the folded neuron n(w1, x1, w2, x2, b) the weights and the bias move, and the inputs x1, x2,
    which the other neuron uses too, stay next to both.
    """
    moved = False
    for gate in G.nodes:
        leaves = [a for a in G.pred[gate] if not G.pred[a]]
        if len(leaves) < FAN_IN_SPLIT:
            continue
        for leaf in leaves[::2]:
            if len(G.succ[leaf]) == 1 and layer[leaf] == layer[gate] - 1:
                layer[leaf] -= 1
                moved = True
    lowest = min(layer.values())
    if moved and lowest != 0:
        for v in layer:
            layer[v] -= lowest


def is_tall(G: nx.DiGraph, layer: Mapping[Hashable, int]) -> bool:
    """Whether the drawing of G with these layers is tall (see MAX_ROWS)."""
    tallest = tallest_layer(G, layer)
    return tallest > MAX_ROWS and tallest >= TALL_ASPECT * (max(layer[v] for v in G.nodes) + 1)


def tallest_layer(G: nx.DiGraph, layer: Mapping[Hashable, int]) -> int:
    """The most vertices one layer will hold: its nodes and the virtual nodes of edges across it."""
    counts = [0] * (max(layer[v] for v in G.nodes) + 2)
    for v in G.nodes:
        counts[layer[v]] += 1
    crossing = [0] * len(counts)  # +1 where edges start crossing layers, -1 where they end
    for u, v in G.edges:
        if layer[v] - layer[u] > 1:
            crossing[layer[u] + 1] += 1
            crossing[layer[v]] -= 1
    tallest = running = 0
    for count, change in zip(counts, crossing):
        running += change
        tallest = max(tallest, count + running)
    return tallest
