"""Minibatches on a surface built from data: reproducible from the seed, batch N is full batch bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from core.gradcheck import gradcheck
from core.parser import parse
from core.regression import MinibatchGradients, optimize_minibatch, regression_data, regression_surface
from core.trajectory import optimize

SGD = ("sgd", {"lr": 0.1})


def test_the_surface_is_the_mean_squared_error_and_its_minimum_is_least_squares() -> None:
    data = regression_data(12, seed=4)
    surface = regression_surface(data)
    graph = parse(surface.expression)
    w, b = 0.7, -0.2
    assert graph.evaluate({"w": w, "b": b}).value == pytest.approx(np.mean((w * data.x + b - data.y) ** 2), rel=1e-12)
    _, grad = graph.value_and_grad(dict(zip(surface.axes, surface.minima[0])))
    assert abs(grad["w"]) < 1e-9 and abs(grad["b"]) < 1e-9


def test_per_sample_gradients_agree_with_central_differences() -> None:
    data = regression_data(6, seed=1)
    gradients = MinibatchGradients(data, 2)
    _, grads = gradients.per_sample([0.3, -0.4])
    for i in range(len(data)):
        check = gradcheck(gradients.graph, {"w": 0.3, "b": -0.4, "x": float(data.x[i]), "y": float(data.y[i])})
        assert check.ok
        assert grads[i] == pytest.approx([check.inputs["w"].analytic, check.inputs["b"].analytic], rel=1e-9)


def test_batch_size_n_is_the_full_batch_run_bit_for_bit() -> None:
    data = regression_data(16)
    full = optimize_minibatch(data, SGD, (-1.0, 2.0), 80, batch_size=16, seed=3)
    other_seed = optimize_minibatch(data, SGD, (-1.0, 2.0), 80, batch_size=16, seed=9)
    assert np.array_equal(full.points, other_seed.points)  # all N points every step: no randomness left
    assert np.array_equal(full.grads, full.full_grads)
    # and it is gradient descent on the drawn surface (the engine's own mean, to rounding)
    surface = regression_surface(data)
    reference = optimize(surface.expression, "sgd", {"w": -1.0, "b": 2.0}, 80, lr=0.1)
    np.testing.assert_allclose(full.points, reference.points, rtol=1e-12, atol=1e-12)


def test_minibatch_runs_repeat_from_the_seed_and_wobble() -> None:
    data = regression_data(24)
    a = optimize_minibatch(data, SGD, (-1.0, 2.0), 120, batch_size=3, seed=5)
    b = optimize_minibatch(data, SGD, (-1.0, 2.0), 120, batch_size=3, seed=5)
    c = optimize_minibatch(data, SGD, (-1.0, 2.0), 120, batch_size=3, seed=6)
    assert np.array_equal(a.points, b.points) and not np.array_equal(a.points, c.points)
    assert not np.allclose(a.grads, a.full_grads)  # each step's minibatch gradient is off the full one
    full = optimize_minibatch(data, SGD, (-1.0, 2.0), 120, batch_size=24)
    # near the bottom the full-batch run settles; the minibatch run keeps jittering around it
    assert np.std(np.diff(a.losses[60:])) > 10 * np.std(np.diff(full.losses[60:]))


def test_each_epoch_uses_every_point_once() -> None:
    data = regression_data(10)
    gradients = MinibatchGradients(data, 4, seed=2)
    for _ in range(3):  # batches of 4, 4, 2
        gradients([0.0, 0.0])
    assert sorted(np.concatenate(gradients.batches_drawn).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="batch size"):
        MinibatchGradients(data, 11)
