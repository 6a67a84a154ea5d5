"""Tiny-network training speed: one engine pass over the data set per step, and the heat-map grid.

Run: .venv/bin/python benchmarks/bench_networks.py
The tab trains on a worker (`graphviz_app/networks/state.py`): each chunk waits 40 ms, then takes
`steps per update` steps and computes the heat map, so "step ms" × steps + "grid ms" is how long the
picture lags behind. The event-loop gaps of the tab are in bench_gaps_networks.py.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this tree, not an install

from core.datasets import dataset
from core.networks import Model
from core.training import Trainer


def per_call(fn, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    grid = np.meshgrid(np.linspace(-1.5, 1.5, 90), np.linspace(-1.5, 1.5, 90), indexing="ij")
    models = [Model(), Model(product_feature=True), Model((2,), "tanh"), Model((8,), "relu"), Model((8, 8), "relu")]
    print(f"{'model':45s} {'data':10s} {'n':>4s} {'step ms':>8s} {'grid ms':>8s}")
    for model in models:
        for name in ("xor", "spiral"):
            trainer = Trainer(model, dataset(name), "adam", lr=0.05)
            step = per_call(lambda trainer=trainer: trainer.step(1), 50)
            predict = per_call(lambda trainer=trainer: trainer.predict(*grid), 10)
            print(f"{model.description:45s} {name:10s} {len(trainer.data):4d} {step * 1e3:8.2f} {predict * 1e3:8.2f}")


if __name__ == "__main__":
    main()
