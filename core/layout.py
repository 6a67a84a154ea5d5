"""Where each node of a computational graph is drawn: a layered drawing from left to right.

Inputs sit on the left, the output on the right, and every edge points to the right, the way the
lecture slides draw backpropagation. It is the classic Sugiyama pipeline, kept small:

1. **layers** — x is the layer index. A gate sits one layer right of its latest argument, then is
   pulled right to just left of its first user when it has more users than arguments that cannot
   follow it (gates whose value also goes elsewhere): a side branch of a long sum sits next to the
   `+` it feeds, not at the far left with an edge across the drawing. Inputs sit in layer 0 like on
   the slides, unless their first user is more than `max_input_span` layers away: then, and always
   for constants (nodes whose `op` attribute is "const"), they sit just left of their first user.
   **Leaf copies**: an input or constant whose users lie further apart than `max_input_span` layers
   (a weight reused by every layer of a deep chain) is drawn again next to each group of nearby
   users, as network diagrams do, instead of one edge per use running across the drawing (each of
   which would need a virtual node in every layer it crosses: the drawing would fill with them).
   `LayeredDrawing.copies` says where each edge that starts at a copy begins.
   **Tall drawings** (a layer holding more than `core.layers.MAX_ROWS` points: the tiny network's sample, whose
   weights all stood in layer 0) are drawn more compactly, as network diagrams are: every input sits
   just left of its first user, and a gate with `FAN_IN_SPLIT` or more leaf arguments takes every
   other leaf used only there from one layer further left, so half its edges' numbers sit in the
   gap before (five edges converging on one gate from one column left no room for ten numbers).
2. **dummy nodes** — an edge that spans several layers gets one virtual node per layer it crosses,
   so that every remaining edge joins neighbouring layers.
3. **order within layers** — a depth-first walk from the output over the arguments (first argument
   first) gives an order with no crossings at all for tree-shaped expressions; for general DAGs,
   `core.layout_order` then runs Graphviz dot's crossing reduction (median and barycenter sweeps,
   each followed by swaps of neighbours) from that and a few other starts, and keeps the best.
4. **y coordinates** — each layer in turn is placed as close as possible (least squares) to the
   mean y of its neighbours, keeping slots at least 1.0 apart and in order; virtual nodes pull
   harder so long edges run straight. y grows with the slot: the first argument gets the smaller y.
   A drawing still tall after compaction spreads its sparser layers up to `SPREAD_GAP` apart, within
   the height of its tallest layer (the view has no height to spare to widen the slots of a tall
   drawing, and two edges into one gate from slots 1.0 apart have no room for their numbers).

No Qt here: the result is plain `{node_id: (x, y)}`; the GUI scales it to pixels.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import networkx as nx
import numpy as np

from core.layers import LeafCopy, assign_layers, is_tall, place_sources, split_fan_ins
from core.layout_order import MAX_ITERATIONS, reduce_crossings

Point = tuple[float, float]
Edge = tuple[int, int]

# Virtual nodes weigh more than real ones when a layer is placed, so long edges stay straight and
# the real nodes move around them (dot weights its virtual chains the same way).
DUMMY_WEIGHT = 4.0
# A node with no neighbour on the side a sweep looks at only weakly keeps its place.
LONELY_WEIGHT = 0.25
# In a drawing still tall after that, sparse layers' slots are up to this far apart (a 0.5 multiple).
SPREAD_GAP = 2.0


class HasNetworkx(Protocol):
    """What `layout` needs from the engine's Graph."""

    def to_networkx(self) -> nx.DiGraph: ...


@dataclass(frozen=True)
class LayeredDrawing:
    """A finished drawing: real node positions, bend points of long edges, and its crossings."""

    positions: dict[Any, Point]
    bends: dict[tuple[Any, Any], list[Point]]  # (arg, user) -> points at the layers in between
    crossings: int
    # (leaf, user) -> where the copy of `leaf` drawn for `user` sits; such an edge starts there.
    copies: dict[tuple[Any, Any], Point] = field(default_factory=dict)


@dataclass
class _LayeredGraph:
    """The proper layered graph: real vertices 0..n-1 first, then the virtual ones."""

    nodes: list[Hashable]  # the real nodes; vertex i is nodes[i]
    layer: list[int]  # per vertex
    ups: list[list[int]] = field(default_factory=list)  # neighbours one layer to the left
    downs: list[list[int]] = field(default_factory=list)  # neighbours one layer to the right
    chains: dict[tuple[Hashable, Hashable], list[int]] = field(default_factory=dict)

    @property
    def num_layers(self) -> int:
        return max(self.layer, default=-1) + 1

    def is_dummy(self, vertex: int) -> bool:
        return vertex >= len(self.nodes)


# ---------------------------------------------------------------------------------------------
# public API


def layout(g: HasNetworkx) -> dict[int, Point]:
    """Position of every node of the engine's graph `g`: {node_id: (x, y)}, x = layer index."""
    return dict(_drawing_of(g).positions)


def layout_edges(g: HasNetworkx) -> dict[Edge, list[Point]]:
    """Bend points of every edge of `g` (empty for edges between neighbouring layers).

    Drawing an edge as the polyline arg -> bends -> user reproduces the crossings counted here.
    """
    return {edge: list(points) for edge, points in _drawing_of(g).bends.items()}


def _drawing_of(g: HasNetworkx) -> LayeredDrawing:
    # Graphs are immutable, and the GUI asks for positions and bend points of the same graph one
    # after the other: draw it once and keep the drawing on the graph (as evaluate keeps its plan).
    drawing = getattr(g, "__dict__", {}).get("_layered_drawing")
    if drawing is None:
        drawing = layered_drawing(g.to_networkx())
        if hasattr(g, "__dict__"):
            object.__setattr__(g, "_layered_drawing", drawing)
    return drawing


def layout_digraph(G: nx.DiGraph) -> dict[int, Point]:
    """Position of every node of a DAG whose edges go from argument to user."""
    return layered_drawing(G).positions


# The last few drawings by structure (see `_structure`): editing a constant of a big expression
# ("… + 1" -> "… + 2") gives the same structure again, and its drawing is reused instead of redone.
_RECENT: dict[tuple[Hashable, ...], LayeredDrawing] = {}
RECENT_DRAWINGS = 8
_RECENT_LOCK = threading.Lock()  # builds run on worker threads, other tabs lay out on the GUI thread


def layered_drawing(
    G: nx.DiGraph,
    *,
    max_input_span: int | None = 4,
    sweeps: int = MAX_ITERATIONS,
    rounds: int = 1,
    compact: bool = True,
) -> LayeredDrawing:
    """The whole drawing of DAG `G`: positions, bend points and the number of crossings.

    `max_input_span=None` keeps every source in layer 0; `sweeps` caps the crossing reduction's
    iterations per start (see core.layout_order), and `sweeps=0` skips it. `compact=False` draws
    a tall drawing as any other (inputs in layer 0, slots 1.0 apart).

    A structure drawn recently (the same nodes, constants, edges and options) is not drawn again:
    the drawing depends on nothing else. Each call returns its own copy.
    """
    key = (_structure(G), max_input_span, sweeps, rounds, compact)
    with _RECENT_LOCK:
        drawing = _RECENT.get(key)
    if drawing is None:
        drawing = _layered_drawing(G, max_input_span, sweeps, rounds, compact)
    with _RECENT_LOCK:
        _RECENT.pop(key, None)
        _RECENT[key] = drawing  # the newest last
        while len(_RECENT) > RECENT_DRAWINGS:
            del _RECENT[next(iter(_RECENT))]
    return LayeredDrawing(
        dict(drawing.positions),
        {edge: list(points) for edge, points in drawing.bends.items()},
        drawing.crossings,
        dict(drawing.copies),
    )


def _structure(G: nx.DiGraph) -> tuple[Hashable, ...]:
    """All the drawing depends on: the nodes in order with whether each is a constant, and every
    node's arguments and users in order (the crossing reduction's starts follow those orders)."""
    const = [data.get("op") == "const" for _, data in G.nodes(data=True)]
    return (
        tuple(G.nodes),
        tuple(const),
        tuple(tuple(G.pred[v]) for v in G.nodes),
        tuple(tuple(G.succ[v]) for v in G.nodes),
    )


def _layered_drawing(
    G: nx.DiGraph, max_input_span: int | None, sweeps: int, rounds: int, compact: bool
) -> LayeredDrawing:
    if G.number_of_nodes() == 0:
        return LayeredDrawing({}, {}, 0)
    gate_layers = assign_layers(G)
    layers = dict(gate_layers)
    served_by = place_sources(G, layers, max_input_span)
    H = _with_copies(G, served_by)
    spread = False
    if compact and max_input_span is not None and is_tall(H, layers):
        layers = dict(gate_layers)
        served_by = place_sources(G, layers, max_input_span, next_to_users=True)
        split_fan_ins(G, layers)
        H = _with_copies(G, served_by)
        spread = is_tall(H, layers)
    lg = _make_proper(H, layers)
    orders, crossings = reduce_crossings(lg.ups, lg.downs, _initial_orders(lg), sweeps)
    y = _assign_y(lg, orders, rounds, spread)
    at = {node: (float(lg.layer[i]), y[i]) for i, node in enumerate(lg.nodes)}
    positions = {node: at[node] for node in G.nodes}
    bends: dict[tuple[Any, Any], list[Point]] = {}
    copies: dict[tuple[Any, Any], Point] = {}
    for (arg, user), chain in lg.chains.items():
        leaf = arg.of if isinstance(arg, LeafCopy) else arg
        bends[(leaf, user)] = [(float(lg.layer[d]), y[d]) for d in chain]
        if leaf is not arg:
            copies[(leaf, user)] = at[arg]
    return LayeredDrawing(positions, bends, crossings, copies)


def count_crossings(
    G: nx.DiGraph,
    pos: Mapping[Any, Point],
    bends: Mapping[tuple[Any, Any], Sequence[Point]] | None = None,
    copies: Mapping[tuple[Any, Any], Point] | None = None,
) -> int:
    """Number of pairs of edge pieces that cross, for any left-to-right drawing.

    The distinct x of the nodes are the layers. Each edge is the polyline through its bend points
    (a straight segment when it has none) and is cut where it passes each layer; two pieces in the
    same gap between layers cross when their ends swap order. Pieces that share an end don't cross.
    An edge listed in `copies` starts at that copy of its argument instead of the argument itself.
    """
    copies = copies or {}
    columns = np.array(sorted({float(x) for x, _ in (*pos.values(), *copies.values())}))
    gaps: dict[int, list[tuple[float, float]]] = {}
    for u, v in G.edges:
        points = [copies.get((u, v), pos[u]), *((bends or {}).get((u, v), ())), pos[v]]
        # Spline control points may wobble back and forth; the edge as a whole runs rightwards.
        points.sort(key=lambda p: p[0])
        first = int(np.searchsorted(columns, points[0][0]))
        last = int(np.searchsorted(columns, points[-1][0]))
        px, py = zip(*points)
        ys = np.interp(columns[first : last + 1], px, py)
        for k in range(last - first):
            gaps.setdefault(first + k, []).append((float(ys[k]), float(ys[k + 1])))
    return sum(_crossing_pairs(np.array(pieces)) for pieces in gaps.values())


# ---------------------------------------------------------------------------------------------
# 1. layers


def _with_copies(G: nx.DiGraph, served_by: Mapping[tuple[Hashable, Hashable], Hashable]) -> nx.DiGraph:
    """G with the copies as extra sources: each edge leaves the vertex that serves it."""
    if not served_by:
        return G
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes(data=True))
    for node in G.nodes:
        for arg in G.pred[node]:  # argument order, as _make_proper expects
            H.add_edge(served_by.get((arg, node), arg), node)
    return H


# ---------------------------------------------------------------------------------------------
# 2. dummy nodes


def _make_proper(G: nx.DiGraph, layer: Mapping[Hashable, int]) -> _LayeredGraph:
    """Split every long edge into a chain of virtual vertices, one per layer it crosses."""
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    lg = _LayeredGraph(nodes, [layer[v] for v in nodes])
    lg.ups = [[] for _ in nodes]
    lg.downs = [[] for _ in nodes]
    for node in nodes:
        # G.pred keeps insertion order, which is argument order for the engine's graphs.
        for arg in G.pred[node]:
            previous, chain = index[arg], []
            for between in range(layer[arg] + 1, layer[node]):
                dummy = len(lg.layer)
                lg.layer.append(between)
                lg.ups.append([previous])
                lg.downs.append([])
                lg.downs[previous].append(dummy)
                chain.append(dummy)
                previous = dummy
            lg.downs[previous].append(index[node])
            lg.ups[index[node]].append(previous)
            lg.chains[(arg, node)] = chain
    return lg


# ---------------------------------------------------------------------------------------------
# 3. order within layers


def _initial_orders(lg: _LayeredGraph) -> list[list[list[int]]]:
    """Start orders for the crossing reduction, the one that is crossing-free for trees first.

    That one walks depth-first from the sinks over the arguments (first argument first) and
    appends each vertex on its first visit: every subtree occupies a contiguous run of slots in
    each layer, in argument order, so a tree-shaped expression has no crossing at all. The others
    walk in the other direction or order, which mostly gives the first layer a different order.
    """
    real = range(len(lg.nodes))
    sinks = [v for v in real if not lg.downs[v]]
    sources = [v for v in real if not lg.ups[v]]
    return [
        _depth_first_order(lg, sinks, lg.ups, first_first=True),
        _depth_first_order(lg, sinks, lg.ups, first_first=False),
        _depth_first_order(lg, sources, lg.downs, first_first=True),
        _depth_first_order(lg, sources, lg.downs, first_first=False),
    ]


def _depth_first_order(
    lg: _LayeredGraph, roots: list[int], neighbours: list[list[int]], first_first: bool
) -> list[list[int]]:
    """Vertices per layer in the order a depth-first walk from `roots` first reaches them."""
    orders: list[list[int]] = [[] for _ in range(lg.num_layers)]
    seen = [False] * len(lg.layer)
    for root in roots:
        stack = [root]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = True
            orders[lg.layer[v]].append(v)
            stack.extend(reversed(neighbours[v]) if first_first else neighbours[v])
    return orders


def _crossing_pairs(pieces: np.ndarray) -> int:
    """Pairs among m segments (left end, right end) whose ends come in opposite orders."""
    if len(pieces) < 2:
        return 0
    left = np.sign(pieces[:, 0, None] - pieces[None, :, 0])
    right = np.sign(pieces[:, 1, None] - pieces[None, :, 1])
    return int(np.count_nonzero(left * right < 0)) // 2


# ---------------------------------------------------------------------------------------------
# 4. y coordinates


def _assign_y(lg: _LayeredGraph, orders: list[list[int]], rounds: int, spread: bool = False) -> list[float]:
    """y per vertex: sweeps that pull each layer towards its neighbours, then a balancing pass.

    `spread`: each layer's slots are as far apart (up to SPREAD_GAP) as the tallest layer's height
    allows, and no layer reaches beyond that height.
    """
    tallest = max(len(order) for order in orders)
    bound = (tallest - 1) / 2 if spread else math.inf
    gaps = [_spread_gap(len(order), tallest) if spread else 1.0 for order in orders]
    y = [0.0] * len(lg.layer)
    for order, gap in zip(orders, gaps):
        for i, v in enumerate(order):
            y[v] = (i - (len(order) - 1) / 2) * gap
    both = [up + down for up, down in zip(lg.ups, lg.downs)]
    weight = [DUMMY_WEIGHT if lg.is_dummy(v) else 1.0 for v in range(len(lg.layer))]
    for _ in range(rounds):
        for r in range(1, len(orders)):
            _place_layer(orders[r], lg.ups, y, weight, gaps[r], bound)
        for r in reversed(range(len(orders) - 1)):
            _place_layer(orders[r], lg.downs, y, weight, gaps[r], bound)
    for order, gap in zip(orders, gaps):
        _place_layer(order, both, y, weight, gap, bound)
    return _snap_and_centre(y, len(lg.nodes))


def _spread_gap(count: int, tallest: int) -> float:
    """Slot distance for a layer of `count` in a spread drawing: a multiple of 0.5 (so that snapping to
    the 0.5 grid keeps it exactly), 1.0 to SPREAD_GAP, that fits the tallest layer's height."""
    if count < 2:
        return 1.0
    return max(1.0, min(SPREAD_GAP, math.floor(2 * (tallest - 1) / (count - 1)) / 2))


def _place_layer(
    order: list[int],
    neighbours: list[list[int]],
    y: list[float],
    weight: list[float],
    gap: float = 1.0,
    bound: float = math.inf,
) -> None:
    """Least-squares placement of one layer near its neighbours' mean y, slots >= `gap` apart,
    every y within -bound ... bound.

    With z_i = y_i - i·gap the constraint y_{i+1} >= y_i + gap becomes z non-decreasing, which is
    isotonic regression, solved exactly in linear time by pooling adjacent violators. The bound holds
    for all slots when the first z is >= -bound and the last <= bound - (n-1)·gap; clipping the
    isotonic solution to that range is the solution with the bound.
    """
    # Blocks of pooled slots, as parallel lists: weighted sum of targets, total weight, length.
    sums: list[float] = []
    weights: list[float] = []
    lengths: list[int] = []
    for i, v in enumerate(order):
        ns = neighbours[v]
        if len(ns) == 1:
            w = weight[v]
            s = (y[ns[0]] - i * gap) * w
        elif ns:
            w = weight[v]
            s = (sum([y[u] for u in ns]) / len(ns) - i * gap) * w
        else:
            w = LONELY_WEIGHT
            s = (y[v] - i * gap) * w
        n = 1
        # Pool with the previous block while its mean lies above this one's (a violation).
        while sums and sums[-1] * w > s * weights[-1]:
            s += sums.pop()
            w += weights.pop()
            n += lengths.pop()
        sums.append(s)
        weights.append(w)
        lengths.append(n)
    low, high = -bound, bound - (len(order) - 1) * gap
    i = 0
    for s, w, n in zip(sums, weights, lengths):
        z = min(max(s / w, low), high)
        for _ in range(n):
            y[order[i]] = z + i * gap
            i += 1


def _snap_and_centre(y: list[float], num_real: int) -> list[float]:
    """Round to a 0.5 grid (rounding keeps 1.0 gaps, since 1.0 is a grid step) and centre on 0."""
    snapped = [math.floor(2 * value + 0.5) / 2 for value in y]
    real = snapped[:num_real]
    shift = math.floor(max(real) + min(real) + 0.5) / 2  # midpoint of the real nodes, on the grid
    return [value - shift for value in snapped]
