"""How fast `core.layout` draws large expression graphs, and how many crossings it leaves.

Run: `python benchmarks/bench_layout.py`. First the programs that used to explode (leaves reused
far apart, long sums: seconds and up to 750,000 virtual vertices before leaf copies), parsed by
`core.parse`; then for 100, 500 and 2000 random nodes the median time of several layouts and the
crossings of the drawing (long edges drawn through their bend points).
When Graphviz's `dot` is installed, it also lays out the same graphs with `dot` and counts the
crossings of that drawing with the same counter (edges through their spline control points), so
the two numbers can be compared; without `dot` those columns say so and the rest still runs.

dot chooses its own layers (ranks), which changes the number of virtual vertices and so the
problem, so it runs twice: once free ("dot own ranks") and once held to our layers ("dot our
ranks": every edge gets `minlen` = its length in our drawing, and as the graph is connected, the
only ranking with every edge at its minimum is ours). The second compares the orderings alone.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, no install

import core
from core.layout import Point, count_crossings, layered_drawing

SIZES = (100, 500, 2000)
RUNS = 7
DOT_TIMEOUT_S = 120.0  # dot needs minutes for the 2000-node graph on a slow machine


def deep_chain(layers: int = 500) -> str:
    """h0 = x, then h_i = tanh(h_{i-1} * w + b): one weight and one bias reused by every layer."""
    return "\n".join(["h0 = x"] + [f"h{i} = tanh(h{i - 1} * w + b)" for i in range(1, layers)])


def sum_of_products(terms: int = 300) -> str:
    return " + ".join(f"a{i}*b{i}" for i in range(terms))


def power_chain(lines: int = 400) -> str:
    """v_i = v_{i-1} * x: one input used by every line."""
    return "\n".join(["v0 = x"] + [f"v{i} = v{i - 1} * x" for i in range(1, lines)])


def mixed_program(lines: int = 1312, seed: int = 0) -> str:
    """A long program (1,982 nodes by default) mixing recent values and a dozen reused weights."""
    rng = random.Random(seed)
    weights = [f"w{i}" for i in range(12)]
    names = ["x", "y"]
    out = []
    shapes = ["{a} * {b} + {c}", "tanh({a} * {b})", "{a} + {b} * {c}", "exp(-{a}) * {b}"]
    for i in range(lines):
        a = rng.choice(names[-6:])
        b = rng.choice(weights) if rng.random() < 0.5 else rng.choice(names[-12:])
        shape, c = rng.choice(shapes), rng.choice(weights)
        out.append(f"t{i} = " + shape.format(a=a, b=b, c=c))
        names.append(f"t{i}")
    out.append(" + ".join(names[-8:]))
    return "\n".join(out)


PROGRAMS = {
    "deep chain, 500 layers": deep_chain,
    "sum of 300 products": sum_of_products,
    "v_i = v_{i-1}*x, 400 lines": power_chain,
    "mixed program": mixed_program,
}


def expression_dag(n: int, seed: int = 0, window: int = 8) -> nx.DiGraph:
    """A random DAG shaped like an expression graph, with one output.

    n/10 inputs, then gates with 1-2 arguments: the first is the oldest value nobody uses yet (so
    everything flows into one output), the second is again an unused value or a recent one
    (fan-out), now and then an input (a weight used again late). Leftover values are summed last.
    """
    rng = random.Random(seed)
    n_inputs = max(2, n // 10)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n_inputs), op="input")
    unused = list(range(n_inputs))
    v = n_inputs
    while v < n or len(unused) > 1:
        recent = range(max(0, v - window), v)
        fresh = list(unused) if v < n else unused[:2]
        args: list[int] = []
        for k in range(1 if (v < n and rng.random() < 0.3) else 2):
            r = rng.random()
            if fresh and (k == 0 or r < 0.6 or v >= n):
                args.append(fresh.pop(0))
            elif r < 0.95 or v >= n:
                args.append(rng.choice(recent))
            else:
                args.append(rng.randrange(n_inputs))
        graph.add_node(v, op="mul")
        for arg in args:
            graph.add_edge(arg, v)
            if arg in unused:
                unused.remove(arg)
        unused.append(v)
        v += 1
    return graph


def dot_crossings(graph: nx.DiGraph, layer: dict[int, float] | None = None) -> tuple[int, float] | str:
    """Crossings of dot's drawing of `graph` and the seconds dot took, or why there are none.

    With `layer`, dot is held to those layers (x of our drawing) instead of choosing its own.
    """
    lines = ["digraph G {", "rankdir=LR;", *(f"{v};" for v in graph)]
    for u, v in graph.edges:
        minlen = "" if layer is None else f" [minlen={int(layer[v] - layer[u])}]"
        lines.append(f"{u} -> {v}{minlen};")
    lines.append("}")
    start = time.perf_counter()
    try:
        plain = subprocess.run(
            ["dot", "-Tplain"],
            input="\n".join(lines),
            capture_output=True,
            text=True,
            check=True,
            timeout=DOT_TIMEOUT_S,
        ).stdout
    except subprocess.TimeoutExpired:
        return f"> {DOT_TIMEOUT_S:.0f} s"
    except (subprocess.SubprocessError, OSError):
        return "dot failed"
    seconds = time.perf_counter() - start
    pos: dict[int, Point] = {}
    bends: dict[tuple[int, int], list[Point]] = {}
    for line in plain.splitlines():
        fields = line.split()
        if fields[0] == "node":
            # Nodes of one rank share their x; rounding removes print noise so ranks are columns.
            pos[int(fields[1])] = (round(float(fields[2]), 2), float(fields[3]))
        elif fields[0] == "edge":
            count = int(fields[3])
            coords = [float(c) for c in fields[4 : 4 + 2 * count]]
            bends[(int(fields[1]), int(fields[2]))] = list(zip(coords[::2], coords[1::2]))
    return count_crossings(graph, pos, bends), seconds


def programs() -> None:
    print(f"{'program':<28} {'nodes':>6} {'vertices':>9} {'copies':>7} {'median ms':>10} {'crossings':>10}")
    for name, make in PROGRAMS.items():
        graph = core.parse(make()).to_networkx()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            drawing = layered_drawing(graph)
            times.append(time.perf_counter() - start)
        copies = len(set(drawing.copies.values()))
        vertices = len(drawing.positions) + copies + sum(len(b) for b in drawing.bends.values())
        ms = statistics.median(times) * 1000
        print(f"{name:<28} {len(graph):>6} {vertices:>9} {copies:>7} {ms:>10.1f} {drawing.crossings:>10}")
    print()


def main() -> None:
    programs()
    has_dot = shutil.which("dot") is not None
    print(
        f"{'nodes':>6} {'vertices':>9} {'median ms':>10} {'crossings':>10} {'dot own ranks':>15} {'dot our ranks':>15}"
    )
    for n in SIZES:
        graph = expression_dag(n)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            drawing = layered_drawing(graph)
            times.append(time.perf_counter() - start)
        copies = len(set(drawing.copies.values()))  # dot draws each leaf once: a slightly different problem
        vertices = len(drawing.positions) + copies + sum(len(b) for b in drawing.bends.values())
        assert drawing.crossings == count_crossings(graph, drawing.positions, drawing.bends, drawing.copies)
        own = ours = "no dot"
        if has_dot:
            own = _dot_column(dot_crossings(graph))
            layer = {v: x for v, (x, _) in drawing.positions.items()}
            # Held to our layers dot is no faster: skip it where it already ran out of time.
            ours = "skipped" if own.startswith(">") else _dot_column(dot_crossings(graph, layer))
        ms = statistics.median(times) * 1000
        print(f"{n:>6} {vertices:>9} {ms:>10.1f} {drawing.crossings:>10} {own:>15} {ours:>15}")


def _dot_column(result: tuple[int, float] | str) -> str:
    return result if isinstance(result, str) else f"{result[0]} ({result[1]:.1f} s)"


if __name__ == "__main__":
    main()
