"""Engine speed: forward+backward per node, parsing a long program, and a 400×400 surface grid.

Run: .venv/bin/python benchmarks/bench_engine.py (it measures the `core` of the tree it lives in,
not whichever one the virtualenv has installed).

On a shared machine the µs/node figure moves with the neighbours by ±30 %; to see what a change of
the engine did, compare it with another commit in one process, the two taking turns:
.venv/bin/python benchmarks/bench_engine.py --against main   (or any git revision)
prints both figures, the ratio (median of 40 interleaved rounds) and whether every value and every
gradient is the same float, bit for bit.
"""

from __future__ import annotations

import importlib
import random
import re
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
from timing import best_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core


def random_program(lines: int, seed: int = 0) -> str:
    """An MLP-like scalar program: each line combines two earlier values with + or * (micrograd's ops),
    with a tanh every tenth line so values stay bounded."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    out = []
    for i in range(lines):
        x, y = rng.choice(names[-20:]), rng.choice(names[-50:])
        op = rng.choice(["+", "*"])
        expr = f"tanh({x} {op} {y})" if i % 10 == 9 else f"{x} {op} {y} * 0.5"
        out.append(f"v{i} = {expr}")
        names.append(f"v{i}")
    return "\n".join(out)


def interleaved_best_of(fns: list[Callable[[], object]], repeats: int = 15) -> list[float]:
    """The fastest run of each, taking turns: on a shared machine a ratio of two timings taken
    minutes apart says more about the neighbours than about the code."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return best


def core_at(revision: str) -> ModuleType:
    """The `core` package as it is at a git revision, imported beside this one as `core_at_<revision>`
    (its own imports of `core` rewritten to that name), for an A/B in one process."""
    root = Path(__file__).resolve().parent.parent
    git = ["git", "-C", str(root)]
    name = "core_at_" + re.sub(r"\W", "_", revision)
    folder = Path(tempfile.mkdtemp(prefix="bench_engine_"))
    listed = subprocess.run([*git, "ls-tree", "-r", "--name-only", revision, "core"], capture_output=True, text=True)
    if listed.returncode != 0:
        raise SystemExit(f"no revision {revision!r}: {listed.stderr.strip()}")
    for path in listed.stdout.split():
        if path.endswith(".py"):
            text = subprocess.run(
                [*git, "show", f"{revision}:{path}"], capture_output=True, text=True, check=True
            ).stdout
            text = re.sub(r"\b(from|import) core\b", rf"\1 {name}", text)
            target = folder / name / Path(path).relative_to("core")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module(name)


def against(revision: str, rounds: int = 40) -> None:
    """This tree's engine and `revision`'s on the 10k-node program, taking turns in one process."""
    other = core_at(revision)
    text = random_program(6_700)
    mine, theirs = core.parse(text), other.parse(text)
    inputs = dict.fromkeys(mine.inputs, 0.3)
    a, b = mine.evaluate(inputs), theirs.evaluate(inputs)

    def bits(numbers: list[float]) -> list[bytes]:
        return [struct.pack("d", float(x)) for x in numbers]

    same = bits(a.values) == bits(b.values) and bits(a.grads) == bits(b.grads)
    nodes, ratios, figures = len(mine.nodes), [], []
    for _ in range(rounds):  # each round: the best of 5 runs of each, taking turns
        here, there = interleaved_best_of([lambda: mine.evaluate(inputs), lambda: theirs.evaluate(inputs)], 5)
        ratios.append(here / there)
        figures.append((here / nodes * 1e6, there / nodes * 1e6))
    quartiles = " ".join(f"{q:.3f}" for q in statistics.quantiles(ratios, n=4))
    print(f"graph: {nodes} nodes; values and gradients bit for bit the same as {revision}'s: {same}")
    print(
        f"forward+backward: this tree {statistics.median(f[0] for f in figures):.3f} µs/node, {revision} "
        f"{statistics.median(f[1] for f in figures):.3f} µs/node (medians of {rounds} rounds); "
        f"ratio {statistics.median(ratios):.3f} (quartiles {quartiles})"
    )


def main() -> None:
    if sys.argv[1:2] == ["--against"] and len(sys.argv) == 3:
        against(sys.argv[2])
        return
    text = random_program(6_700)
    parse_time = best_of(lambda: core.parse(text), 3)
    graph = core.parse(text)
    inputs = dict.fromkeys(graph.inputs, 0.3)
    graph.evaluate(inputs)  # compile once
    run = best_of(lambda: graph.evaluate(inputs), 30)  # ~5 ms each: many tries, for a shared machine
    print(f"graph: {len(graph.nodes)} nodes, {len(graph.gates)} gates, from {text.count(chr(10)) + 1} lines")
    print(f"forward+backward: {run * 1e3:.2f} ms = {run / len(graph.nodes) * 1e6:.3f} µs/node")
    print(f"parse {text.count(chr(10)) + 1}-line program: {parse_time * 1e3:.0f} ms")
    long_text = random_program(10_000)
    print(f"parse 10,000-line program: {best_of(lambda: core.parse(long_text), 3) * 1e3:.0f} ms")

    rosenbrock = core.parse("(1 - x)**2 + 100*(y - x**2)**2")
    xs = np.linspace(-2, 2, 400)
    X, Y = np.meshgrid(xs, xs)

    def by_hand() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        value = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
        dx = -2 * (1 - X) - 400 * X * (Y - X**2)
        dy = 200 * (Y - X**2)
        return value, dx, dy

    engine, keeping_all, hand = interleaved_best_of(
        [
            lambda: rosenbrock.evaluate({"x": X, "y": Y}),
            lambda: rosenbrock.evaluate({"x": X, "y": Y}).values,
            by_hand,
        ]
    )
    print(
        f"400×400 grid, value+gradient: engine evaluate() {engine * 1e3:.2f} ms, numpy by hand "
        f"{hand * 1e3:.2f} ms (ratio {engine / hand:.2f}); reading every node's arrays too (.values) "
        f"{keeping_all * 1e3:.2f} ms (ratio {keeping_all / hand:.2f})"
    )

    weights = [f"w{k}" for k in range(100)]
    layer = [f"h{k} = tanh({w} * {weights[k - 1]} + 0.1)" for k, w in enumerate(weights)]
    hundred = core.parse("\n".join([*layer, " + ".join(f"h{k}" for k in range(100))]))
    at = dict.fromkeys(weights, 0.3)
    print(
        f"gradcheck, {len(hundred.inputs)} inputs and {len(hundred.nodes)} nodes: "
        f"{best_of(lambda: core.gradcheck(hundred, at)) * 1e3:.1f} ms (one batched forward pass)"
    )

    # Last: after a parse this big, numpy's temporaries reuse its memory and the grid figures change.
    longest = random_program(65_000)  # just under core.parser.MAX_LENGTH
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = best_of(lambda: core.parse(longest), 1)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # kB → MB on Linux
    print(f"parse {len(longest):,}-character program: {seconds:.1f} s, peak memory grew by {grown:.0f} MB")
    sum_text = "+".join(["x"] * 100_000)  # a left spine 100,000 BinOps deep: too deep for `ast` in one go
    print(f"parse a sum of 100,000 terms: {best_of(lambda: core.parse(sum_text), 1):.1f} s")


if __name__ == "__main__":
    main()
