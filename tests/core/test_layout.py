"""Tests for core.layout: a layered left-to-right drawing of computational graphs."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.layout import _RECENT, count_crossings, layered_drawing, layout_digraph


def random_tree(parents: list[int]) -> nx.DiGraph:
    """An expression tree: node i+1 is an argument of node parents[i] (which is <= i).

    Edges go from argument to user, so node 0 is the output and the leaves are the inputs.
    """
    graph = nx.DiGraph()
    graph.add_node(0)
    for child, parent in enumerate(parents, start=1):
        graph.add_edge(child, parent % child)
    return graph


def random_dag(n: int, seed: int) -> nx.DiGraph:
    """Expression-like DAG: gates take 1-2 recent values, some values are used twice."""
    rng = random.Random(seed)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(3))
    for v in range(3, n):
        graph.add_node(v)
        for _ in range(rng.choice((1, 2))):
            graph.add_edge(rng.randrange(max(0, v - 6), v), v)
    return graph


def sigmoid_neuron() -> nx.DiGraph:
    """f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))), gates as on the lecture slide."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(5), op="input")  # w0 x0 w1 x1 w2
    for user, args in {5: (0, 1), 6: (2, 3), 7: (5, 6), 8: (7, 4), 9: (8,), 10: (9,), 11: (10,), 12: (11,)}.items():
        graph.add_node(user, op="gate")
        for arg in args:
            graph.add_edge(arg, user)
    return graph


def assert_valid(graph: nx.DiGraph, pos: dict) -> None:
    assert set(pos) == set(graph.nodes)
    assert len(set(pos.values())) == len(pos), "two nodes share a position"
    for u, v in graph.edges:
        assert pos[u][0] < pos[v][0], f"edge {u}->{v} does not point right"
    columns: dict[float, list[float]] = {}
    for x, y in pos.values():
        columns.setdefault(x, []).append(y)
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(ys)), "slots closer than 1.0"


def test_empty_and_single_node() -> None:
    assert layout_digraph(nx.DiGraph()) == {}
    graph = nx.DiGraph()
    graph.add_node(0)
    assert layout_digraph(graph) == {0: (0.0, 0.0)}


def test_sigmoid_neuron_draws_like_the_slide() -> None:
    graph = sigmoid_neuron()
    pos = layout_digraph(graph)
    assert_valid(graph, pos)
    assert all(pos[v][0] == 0.0 for v in range(5))  # every input in the first column
    assert [pos[v][0] for v in range(8, 13)] == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert pos[0][1] < pos[1][1] < pos[2][1] < pos[3][1]  # argument order top to bottom
    assert count_crossings(graph, pos, layered_drawing(graph).bends) == 0
    assert len({pos[v][1] for v in range(9, 13)}) == 1  # the unary chain runs straight


@pytest.mark.parametrize("seed", range(20))
def test_random_dags_are_valid_layered_drawings(seed: int) -> None:
    graph = random_dag(60, seed)
    drawing = layered_drawing(graph)
    assert_valid(graph, drawing.positions)
    sources = [v for v in graph if graph.in_degree(v) == 0]
    sinks = [v for v in graph if graph.out_degree(v) == 0]
    last = max(x for x, _ in drawing.positions.values())
    assert all(drawing.positions[v][0] == 0.0 for v in sources)  # all users within the span
    if len(sinks) == 1:
        assert drawing.positions[sinks[0]][0] == last
    assert drawing.crossings == count_crossings(graph, drawing.positions, drawing.bends, drawing.copies)


def test_bend_points_sit_on_every_layer_in_between() -> None:
    graph = random_dag(80, 1)
    drawing = layered_drawing(graph)
    assert set(drawing.bends) == set(graph.edges)
    for (u, v), points in drawing.bends.items():
        xu, xv = drawing.positions[u][0], drawing.positions[v][0]
        assert [x for x, _ in points] == [float(x) for x in range(int(xu) + 1, int(xv))]
    every_point = list(drawing.positions.values()) + [p for b in drawing.bends.values() for p in b]
    assert len(set(every_point)) == len(every_point)  # bends never sit on a node or each other


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=60))
def test_trees_have_no_crossings(parents: list[int]) -> None:
    graph = random_tree(parents)
    drawing = layered_drawing(graph)
    assert_valid(graph, drawing.positions)
    assert drawing.crossings == 0
    assert count_crossings(graph, drawing.positions, drawing.bends) == 0
    root_x = drawing.positions[0][0]
    assert root_x == max(x for x, _ in drawing.positions.values())


def test_far_inputs_and_constants_move_next_to_their_user() -> None:
    graph = nx.DiGraph()
    graph.add_node(0, op="input")
    graph.add_node(1, op="const")
    chain = list(range(2, 12))
    nx.add_path(graph, [0, *chain])
    graph.add_edge(1, 4)  # a constant used at layer 3
    graph.add_node(12, op="input")
    graph.add_edge(12, 11)  # an input first used 10 layers in
    pos = layout_digraph(graph)
    assert pos[1][0] == pos[4][0] - 1
    assert pos[12][0] == pos[11][0] - 1
    pinned = layered_drawing(graph, max_input_span=None).positions
    assert pinned[12][0] == 0.0 and pinned[1][0] == pinned[4][0] - 1


def test_fanout_gate_moves_towards_its_users() -> None:
    # x feeds a, a feeds three late users: a sits just left of them, not next to x.
    graph = nx.DiGraph(
        [(0, 1), (0, 2), (2, 3), (3, 4), (1, 5), (1, 6), (1, 7), (4, 5), (4, 6), (4, 7), (5, 8), (6, 8), (7, 9), (8, 9)]
    )
    pos = layout_digraph(graph)
    assert_valid(graph, pos)
    assert pos[1][0] == pos[5][0] - 1


def test_crossing_reduction_beats_the_naive_order() -> None:
    # Sources 0..3; gate 4 uses 0 and 3, gate 5 uses 1 and 2: in id order the edges cross.
    graph = nx.DiGraph([(0, 4), (3, 4), (1, 5), (2, 5), (4, 6), (5, 6), (0, 7), (2, 7), (7, 8), (6, 8)])
    drawing = layered_drawing(graph)
    naive = {
        v: (x, float(sorted(u for u in graph if drawing.positions[u][0] == x).index(v)))
        for v, (x, _) in drawing.positions.items()
    }
    naive_crossings = count_crossings(graph, naive)
    assert naive_crossings > 0
    assert drawing.crossings < naive_crossings
    assert drawing.crossings == count_crossings(graph, drawing.positions, drawing.bends)


@pytest.mark.parametrize("seed", range(5))
def test_sweeps_never_make_it_worse(seed: int) -> None:
    graph = random_dag(120, seed)
    assert layered_drawing(graph).crossings <= layered_drawing(graph, sweeps=0).crossings


def test_count_crossings_geometry() -> None:
    graph = nx.DiGraph([(0, 2), (1, 3)])
    assert count_crossings(graph, {0: (0, 0), 1: (0, 1), 2: (1, 1), 3: (1, 0)}) == 1
    assert count_crossings(graph, {0: (0, 0), 1: (0, 1), 2: (1, 0), 3: (1, 1)}) == 0
    # A long edge is cut at the column in between; its bend decides where it passes.
    graph = nx.DiGraph([(0, 1), (1, 2), (3, 2)])
    pos = {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (0, 1)}
    assert count_crossings(graph, pos, {(3, 2): [(1, -1)]}) == 1
    assert count_crossings(graph, pos, {(3, 2): [(1, 1)]}) == 0


def test_layout_is_deterministic() -> None:
    graph = random_dag(200, 7)
    first = layered_drawing(graph)
    _RECENT.clear()  # drawn again, not reused
    assert layered_drawing(graph) == first
    _RECENT.clear()
    assert layered_drawing(random_dag(200, 7)) == first  # the same graph built again


def test_500_node_graph_is_laid_out_without_overlap() -> None:
    # Speed is measured by benchmarks/bench_layout.py, not here; this checks the big case is correct.
    graph = random_dag(500, 3)
    pos = layered_drawing(graph).positions
    assert len(set(pos.values())) == len(pos) == graph.number_of_nodes()


def test_layout_of_a_parsed_expression() -> None:
    import core
    from core.layout import layout

    g = core.parse("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    pos = layout(g)
    graph = g.to_networkx()
    assert_valid(graph, pos)
    assert set(pos) == {node.id for node in g.nodes}
    assert pos[g.output][0] == max(x for x, _ in pos.values())
    assert all(isinstance(x, float) and isinstance(y, float) for x, y in pos.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200), max_size=120))
def test_inversion_count_matches_pairwise(values: list[int]) -> None:
    from core.layout_order import _inversions

    pairwise = sum(a > b for i, a in enumerate(values) for b in values[i + 1 :])
    assert _inversions(values) == pairwise


def test_first_argument_above_in_a_dag() -> None:
    # x feeds both arguments of the output, second argument first: no order has a crossing, so
    # the drawing follows argument order (the output's first argument, node 2, on top).
    graph = nx.DiGraph([(0, 1), (0, 2)])
    graph.add_edges_from([(2, 3), (1, 3)])
    pos = layout_digraph(graph)
    assert pos[2][1] < pos[1][1]


def parsed(text: str) -> nx.DiGraph:
    import core

    return core.parse(text).to_networkx()


def edge_span(drawing, u, v) -> float:
    start = drawing.copies.get((u, v), drawing.positions[u])
    return drawing.positions[v][0] - start[0]


def test_a_weight_reused_by_a_deep_chain_is_copied_next_to_each_use() -> None:
    # h1 = tanh(x*w + b) ... h40: w and b feed every layer; one edge per use would cross the drawing.
    lines = ["h0 = x"] + [f"h{i} = tanh(h{i - 1} * w + b)" for i in range(1, 41)]
    graph = parsed("\n".join(lines))
    w = next(v for v, data in graph.nodes(data=True) if data["label"] == "w")
    drawing = layered_drawing(graph)
    assert_valid(graph, drawing.positions)
    assert all(edge_span(drawing, w, user) == 1.0 for user in graph.succ[w])
    assert len({drawing.copies[(w, user)] for user in graph.succ[w] if (w, user) in drawing.copies}) == 39
    assert sum(len(points) for points in drawing.bends.values()) <= 1  # only b: layer 0, first used in 2
    assert drawing.crossings == count_crossings(graph, drawing.positions, drawing.bends, drawing.copies) == 0


def test_copies_never_share_a_place_with_nodes_or_each_other() -> None:
    graph = parsed("\n".join(["v0 = x"] + [f"v{i} = v{i - 1} * x + c" for i in range(1, 30)]))
    drawing = layered_drawing(graph)
    points = list(drawing.positions.values()) + list(set(drawing.copies.values()))
    assert len(set(points)) == len(points)
    for (leaf, user), at in drawing.copies.items():
        assert graph.in_degree(leaf) == 0 and 1.0 <= drawing.positions[user][0] - at[0] <= 2.0


def test_leaves_whose_users_are_close_are_drawn_once() -> None:
    drawing = layered_drawing(parsed("x * x + x"))
    assert drawing.copies == {}
    assert (
        layered_drawing(
            parsed("\n".join(["v0 = x"] + [f"v{i} = v{i - 1} * x" for i in range(1, 9)])), max_input_span=None
        ).copies
        == {}
    )


def test_a_long_sum_keeps_its_terms_next_to_their_plus() -> None:
    # Each product sits just left of the + that adds it, not at the far left with a long edge.
    graph = parsed(" + ".join(f"a{i}*b{i}" for i in range(40)))
    drawing = layered_drawing(graph)
    gates = [v for v in graph if graph.in_degree(v) > 0]
    assert all(edge_span(drawing, u, v) == 1.0 for v in gates for u in graph.pred[v] if graph.in_degree(u) > 0)
    assert max(edge_span(drawing, u, v) for u, v in graph.edges) <= 5.0


# ---------------------------------------------------------------------------------------------
# tall drawings: the tiny network's sample graph, its neurons folded (issue 9)


def tiny_network_graph(folded: bool):
    """The networks tab's "Show in the debugger" graph: a 2-2-1 tanh network's loss for one sample."""
    import core
    from core.datasets import dataset
    from core.networks import Model, sample_program

    model = Model(hidden=(2,), activation="tanh")
    graph = core.parse(sample_program(model, model.initial_weights(0), dataset("xor"), 0)[0])
    for name in ("h1_1", "h1_2") if folded else ():
        top = next(n for n in graph.nodes if n.name == name)
        neuron, todo = set(), [top.id]
        while todo:  # the unit's weighted sum and its activation
            node = graph.nodes[todo.pop()]
            if node.args and node.id not in neuron:
                neuron.add(node.id)
                todo += node.args
        graph = core.collapse(graph, neuron, name.replace("h1_", "n"))
    return graph


def columns(drawing) -> dict[float, int]:
    """How many points (nodes, copies, bends) each layer holds: what makes a drawing tall."""
    points = [*drawing.positions.values(), *set(drawing.copies.values())]
    points += [p for bends in drawing.bends.values() for p in bends]
    counts: dict[float, int] = {}
    for x, _ in points:
        counts[x] = counts.get(x, 0) + 1
    return counts


def height(drawing) -> float:
    ys = [y for _, y in drawing.positions.values()] + [y for b in drawing.bends.values() for _, y in b]
    return max(ys) - min(ys)


@pytest.mark.parametrize("folded", [False, True])
def test_the_tiny_network_sample_is_no_taller_than_a_lecture_view_shows(folded: bool) -> None:
    # Its inputs all in layer 0 made a column of 11 (folded) or 8 rows: a 1280x800 view shows ~7 slots
    # legibly. Inputs now sit next to their first user, so a weight sits beside the gate it scales.
    graph = tiny_network_graph(folded).to_networkx()
    drawing = layered_drawing(graph)
    assert_valid(graph, drawing.positions)
    assert height(drawing) <= 7.0
    assert max(columns(drawing).values()) <= 8
    assert all(edge_span(drawing, u, v) <= 2.0 for u, v in graph.edges if graph.in_degree(u) == 0)
    assert drawing.crossings == count_crossings(graph, drawing.positions, drawing.bends, drawing.copies) <= 1


def test_a_folded_neurons_leaves_take_turns_in_two_columns() -> None:
    # Five edges into one gate from one column leave no room for their numbers at lecture size: every
    # other leaf used only there sits one layer further left, so half the numbers sit in the gap before.
    graph = tiny_network_graph(folded=True).to_networkx()
    drawing = layered_drawing(graph)
    neurons = [v for v, op in graph.nodes(data="op") if op == "fold"]
    assert len(neurons) == 2
    for neuron in neurons:
        spans = [edge_span(drawing, leaf, neuron) for leaf in graph.pred[neuron]]
        assert spans == [2.0, 1.0, 2.0, 1.0, 2.0]  # w, x1, w, x2, b: the shared x1, x2 stay near


def test_a_tall_drawing_spreads_its_sparse_layers_within_its_tallest_column() -> None:
    # The gates right of the folded neurons had their slots 1.0 apart: the numbers of two edges into
    # one gate overlapped. Spread up to 2.0 apart, but never beyond the tallest column's height.
    graph = tiny_network_graph(folded=True).to_networkx()
    drawing = layered_drawing(graph)
    neurons = sorted(drawing.positions[v][1] for v, op in graph.nodes(data="op") if op == "fold")
    assert len(neurons) == 2 and neurons[1] - neurons[0] >= 3.0
    assert height(drawing) == max(columns(drawing).values()) - 1


def test_the_lecture_examples_keep_their_inputs_on_the_left() -> None:
    # Only a tall drawing changes: every example is drawn as when inputs always sat in layer 0.
    import core

    for example in core.examples():
        graph = example.graph().to_networkx()
        assert layered_drawing(graph) == layered_drawing(graph, compact=False), example.name
