"""Tiny networks as engine programs: gradients from the engine, training with the lab's optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from core.activations import parsed
from core.datasets import DATASETS, dataset
from core.networks import Model, loss_and_gradient, predict, sample_program
from core.optimizers import OPTIMIZERS
from core.training import Trainer


def test_program_of_a_2_2_1_network_reads_like_the_lecture() -> None:
    model = Model((2,), "tanh")
    assert model.loss_program().splitlines() == [
        "h1_1 = tanh(w1_1_1*x1 + w1_1_2*x2 + b1_1)",
        "h1_2 = tanh(w1_2_1*x1 + w1_2_2*x2 + b1_2)",
        "z = w2_1_1*h1_1 + w2_1_2*h1_2 + b2_1",
        "loss = softplus(z) - y*z",
    ]
    assert model.weight_names == ("w1_1_1", "w1_1_2", "b1_1", "w1_2_1", "w1_2_2", "b1_2", "w2_1_1", "w2_1_2", "b2_1")
    assert len(model.initial_weights(0)) == 9
    assert model.description == "2-2-1 tanh network on x1, x2"


@pytest.mark.parametrize(
    "model",
    [
        Model(),
        Model(product_feature=True),
        Model((3,), "relu"),
        Model((4, 2), "leaky_relu", parameter=0.2),
        Model((2, 2), "prelu"),
    ],
)
def test_every_weight_is_an_input_of_the_graph(model: Model) -> None:
    graph = parsed(model.loss_program())
    assert set(graph.inputs) == set(model.weight_names) | {"x1", "x2", "y"}
    assert len(model.initial_weights(1)) == len(model.weight_names)


def test_invalid_models_are_rejected() -> None:
    with pytest.raises(ValueError):
        Model((2, 2, 2))
    with pytest.raises(ValueError):
        Model((9,))
    with pytest.raises(ValueError):
        Model((2,), "swish")


def test_loss_is_binary_cross_entropy() -> None:
    model, data = Model((3,), "tanh"), dataset("noisy_xor")
    weights = model.initial_weights(3)
    result = loss_and_gradient(model, weights, data)
    p = predict(model, weights, data.x1, data.x2)
    bce = -(data.y * np.log(p) + (1 - data.y) * np.log(1 - p))
    np.testing.assert_allclose(result.per_sample_loss, bce, rtol=1e-10)
    assert result.loss == pytest.approx(bce.mean())
    np.testing.assert_allclose(1 / (1 + np.exp(-result.logits)), p, rtol=1e-12)


def test_mean_loss_gradient_is_the_mean_of_per_sample_gradients() -> None:
    model, data = Model((2, 3), "elu", product_feature=True), dataset("circle")
    weights = model.initial_weights(5)
    batch = loss_and_gradient(model, weights, data)
    graph = parsed(model.loss_program())
    named = dict(zip(model.weight_names, weights))
    for i in range(0, len(data), 17):  # each sample on its own, through the scalar path
        single = graph.evaluate({**named, "x1": float(data.x1[i]), "x2": float(data.x2[i]), "y": float(data.y[i])})
        np.testing.assert_allclose(
            batch.per_sample_gradients[i], [single.grad[n] for n in model.weight_names], rtol=1e-10, atol=1e-14
        )
        assert batch.per_sample_loss[i] == pytest.approx(single.value, rel=1e-12)
    np.testing.assert_allclose(batch.gradient, batch.per_sample_gradients.mean(axis=0))


def test_mean_loss_gradient_agrees_with_finite_differences() -> None:
    model, data = Model((2,), "sigmoid"), dataset("blobs")
    weights = model.initial_weights(2)
    gradient = loss_and_gradient(model, weights, data).gradient
    h = 1e-6
    for j in range(len(weights)):
        step = np.zeros_like(weights)
        step[j] = h
        numeric = (
            loss_and_gradient(model, weights + step, data).loss - loss_and_gradient(model, weights - step, data).loss
        ) / (2 * h)
        assert gradient[j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_two_layer_tanh_network_solves_xor_with_adam() -> None:
    trainer = Trainer(Model((2,), "tanh"), dataset("xor"), "adam", lr=0.1, seed=0)
    trainer.step(300)
    assert trainer.accuracy == 1.0
    assert trainer.loss < 0.01
    assert trainer.steps == 300 and len(trainer.losses) == 301


def test_logistic_regression_cannot_solve_xor() -> None:
    trainer = Trainer(Model(), dataset("xor"), "adam", lr=0.1, seed=0)
    trainer.step(300)
    assert trainer.accuracy <= 0.75
    assert trainer.loss == pytest.approx(np.log(2), abs=1e-3)  # the best a line can do: p = ½ everywhere


def test_the_x1_x2_feature_lets_logistic_regression_solve_xor() -> None:
    trainer = Trainer(Model(product_feature=True), dataset("xor"), "adam", lr=0.1, seed=0)
    trainer.step(300)
    assert trainer.accuracy == 1.0


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_lowers_the_loss(optimizer: str) -> None:
    # Adadelta's steps are sized by its own running averages: torch's default lr is 1.
    lr = 1.0 if optimizer == "adadelta" else 0.05
    trainer = Trainer(Model((4,), "relu"), dataset("blobs"), optimizer, lr=lr, seed=0)
    trainer.step(40)
    assert trainer.loss < trainer.losses[0]
    assert trainer.accuracy > 0.9


def test_steps_can_be_taken_in_slices() -> None:
    whole = Trainer(Model((3,), "tanh"), dataset("circle"), "momentum", lr=0.1, seed=1)
    sliced = Trainer(Model((3,), "tanh"), dataset("circle"), "momentum", lr=0.1, seed=1)
    whole.step(30)
    for _ in range(10):
        sliced.step(3)
    np.testing.assert_array_equal(whole.weights, sliced.weights)
    assert whole.losses == sliced.losses


def test_divergence_stops_training_at_the_last_finite_weights() -> None:
    trainer = Trainer(Model((2,), "relu"), dataset("blobs"), "sgd", lr=1e300, seed=0)
    taken = trainer.step(20)
    assert trainer.diverged and taken < 20
    assert np.isfinite(trainer.weights).all() and trainer.step(5) == 0


def test_predict_on_a_grid_and_sample_program_for_the_debugger() -> None:
    trainer = Trainer(Model((2,), "tanh"), dataset("xor"), "adam", lr=0.1, seed=0)
    trainer.step(200)
    g1, g2 = np.meshgrid(np.linspace(-0.5, 1.5, 30), np.linspace(-0.5, 1.5, 20))
    p = trainer.predict(g1, g2)
    assert p.shape == (20, 30) and ((p > 0) & (p < 1)).all()
    text, inputs = trainer.sample_program(1)
    assert inputs["x1"] == 0.0 and inputs["x2"] == 1.0 and inputs["y"] == 1.0
    result = parsed(text).evaluate(inputs)
    assert result.value == pytest.approx(trainer.evaluation.per_sample_loss[1])
    with pytest.raises(IndexError):
        sample_program(trainer.model, trainer.weights, trainer.data, 4)


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_are_fixed_and_two_class(name: str) -> None:
    a, b = dataset(name), dataset(name)
    np.testing.assert_array_equal(a.x1, b.x1)
    assert set(np.unique(a.y)) == {0.0, 1.0}
    assert a.x1.shape == a.x2.shape == a.y.shape == (len(a),)
    lo1, hi1, lo2, hi2 = a.bounds
    assert lo1 < a.x1.min() and a.x1.max() < hi1 and lo2 < a.x2.min() and a.x2.max() < hi2


def test_xor_is_the_lectures_four_points() -> None:
    data = dataset("xor")
    assert list(zip(data.x1, data.x2, data.y)) == [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
    with pytest.raises(ValueError, match="valid"):
        dataset("moons")


def test_a_diverging_run_names_the_step_and_the_quantity_that_first_overflowed() -> None:
    trainer = Trainer(Model((2,), "relu"), dataset("blobs"), "sgd", lr=1e300, seed=0)
    assert trainer.divergence == ""
    trainer.step(20)
    step = trainer.steps + 1  # the step that was refused
    assert trainer.divergence.startswith(f"step {step}: ")
    # Replay the refused step by hand: the first non-finite quantity is the one named.
    weights, _ = trainer.optimizer.step(
        trainer.weights, trainer.gradient, trainer.optimizer.new_state(trainer.weights), lr=1e300
    )
    with np.errstate(all="ignore"):
        after = loss_and_gradient(trainer.model, weights, trainer.data)
    if not np.isfinite(weights).all():
        first = trainer.model.weight_names[int(np.argmax(~np.isfinite(weights)))]
        assert f"the weight {first} " in trainer.divergence
    elif not np.isfinite(after.loss):
        assert "the loss " in trainer.divergence
    else:
        first = trainer.model.weight_names[int(np.argmax(~np.isfinite(after.gradient)))]
        assert f"the gradient ∂loss/∂{first} " in trainer.divergence
    assert "learning rate" in trainer.divergence


def test_a_run_that_never_diverges_names_nothing() -> None:
    trainer = Trainer(Model((2,), "tanh"), dataset("blobs"), "sgd", lr=0.1, seed=0)
    trainer.step(10)
    assert not trainer.diverged and trainer.divergence == ""
