"""Minibatches, the train/test split, dead units, the activations race and the user's own points."""

from __future__ import annotations

import numpy as np
import pytest

from core.datasets import CUSTOM_BOUNDS, custom, dataset, train_test_split
from core.networks import Model, inactive_units, loss_and_gradient
from core.training import RACE_ACTIVATIONS, BatchSchedule, Trainer, race_activations, steps_to_reach


def test_an_epoch_draws_every_point_once_then_reshuffles() -> None:
    schedule = BatchSchedule(10, 4, seed=3)
    epochs = [[schedule.next_batch() for _ in range(3)] for _ in range(3)]
    for batches in epochs:
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(np.concatenate(batches).tolist()) == list(range(10))  # without replacement
    orders = [np.concatenate(batches).tolist() for batches in epochs]
    assert orders[0] != orders[1] and orders[1] != orders[2]  # a new permutation each epoch
    assert schedule.epoch == 3


def test_the_schedule_is_fixed_by_the_seed() -> None:
    def drawn(seed: int) -> list[list[int]]:
        schedule = BatchSchedule(40, 7, seed)
        return [schedule.next_batch().tolist() for _ in range(20)]

    assert drawn(5) == drawn(5)
    assert drawn(5) != drawn(6)


def test_batch_sizes_outside_one_to_n_are_refused() -> None:
    with pytest.raises(ValueError):
        BatchSchedule(10, 0)
    with pytest.raises(ValueError):
        Trainer(Model((2,)), dataset("xor"), batch_size=5)


def test_batch_size_n_is_the_full_batch_run_bit_for_bit() -> None:
    data = dataset("circle")
    full = Trainer(Model((3,), "tanh"), data, "adam", lr=0.05, seed=1)
    same = Trainer(Model((3,), "tanh"), data, "adam", lr=0.05, seed=1, batch_size=len(data))
    full.step(30)
    same.step(30)
    assert same.losses == full.losses
    assert np.array_equal(same.weights, full.weights)
    smaller = Trainer(Model((3,), "tanh"), data, "adam", lr=0.05, seed=1, batch_size=len(data) - 1)
    smaller.step(30)
    assert smaller.losses != full.losses


def test_a_step_descends_the_minibatch_mean_gradient() -> None:
    model, data = Model((2,), "tanh"), dataset("blobs")
    trainer = Trainer(model, data, "sgd", lr=0.3, seed=4, batch_size=8)
    start = trainer.weights.copy()
    trainer.step(1)
    batch = BatchSchedule(len(data), 8, seed=4).next_batch()
    expected = loss_and_gradient(model, start, data.subset(batch))
    np.testing.assert_array_equal(trainer.weights, start - 0.3 * expected.gradient)
    assert trainer.batch_losses == [expected.loss]
    assert trainer.losses[1] == loss_and_gradient(model, trainer.weights, data).loss  # the whole set's loss


def test_minibatch_runs_repeat_from_the_seed_and_are_noisier() -> None:
    data = dataset("noisy_xor")

    def run(seed: int, batch: int) -> Trainer:
        trainer = Trainer(Model((4,), "tanh"), data, "sgd", lr=0.5, seed=seed, batch_size=batch)
        trainer.step(60)
        return trainer

    assert run(2, 4).losses == run(2, 4).losses
    assert run(2, 4).losses != run(3, 4).losses
    noise = [float(np.std(np.diff(run(2, b).batch_losses))) for b in (len(data), 4)]
    assert noise[1] > 3 * noise[0]  # the minibatch losses jump from step to step, the full ones glide


def test_a_fork_steps_on_without_changing_the_original() -> None:
    trainer = Trainer(Model((2,), "tanh"), dataset("blobs"), "sgd", lr=0.3, seed=0, batch_size=10)
    trainer.step(3)
    fork = trainer.fork()
    fork.step(5)
    trainer.step(5)
    assert fork.losses == trainer.losses  # the same batches: the fork's schedule was a copy
    assert len(trainer.batch_losses) == 8


def test_the_split_is_fixed_by_the_seed_and_holds_every_point_once() -> None:
    data = dataset("circle")
    train, test = train_test_split(data, 0.25, seed=7)
    assert len(test) == 40 and len(train) == 120
    points = {(a, b) for a, b in zip(data.x1, data.x2)}
    parts = [(a, b) for part in (train, test) for a, b in zip(part.x1, part.x2)]
    assert sorted(parts) == sorted(points)
    again, _ = train_test_split(data, 0.25, seed=7)
    other, _ = train_test_split(data, 0.25, seed=8)
    assert np.array_equal(again.x1, train.x1) and not np.array_equal(other.x1, train.x1)
    whole, nothing = train_test_split(data, 0.0)
    assert np.array_equal(whole.x1, data.x1) and len(nothing) == 0
    kept, _ = train_test_split(dataset("xor"), 0.9)
    assert len(kept) == 1  # one point always stays for training
    with pytest.raises(ValueError):
        train_test_split(data, 1.0)


def test_test_points_are_measured_after_every_step_and_never_trained_on() -> None:
    train, test = train_test_split(dataset("spiral"), 0.3, seed=0)
    trainer = Trainer(Model((8,), "relu"), train, "adam", lr=0.05, seed=0, test=test)
    trainer.step(150)
    assert len(trainer.test_losses) == len(trainer.losses) == 151
    assert trainer.test_losses[-1] == loss_and_gradient(trainer.model, trainer.weights, test).loss
    assert trainer.test_accuracies[-1] == loss_and_gradient(trainer.model, trainer.weights, test).accuracy(test.y)
    alone = Trainer(Model((8,), "relu"), train, "adam", lr=0.05, seed=0)
    alone.step(150)
    assert alone.losses == trainer.losses  # measuring the test points changes nothing of the run
    assert trainer.test_losses[-1] > trainer.losses[-1]  # the gap: new data is harder


def dead_network() -> tuple[Model, np.ndarray]:
    """A 2-3-1 ReLU net whose unit 2 sums to ≤ 0 everywhere on the XOR square (bias −5), the others live."""
    model = Model((3,), "relu")
    weights = dict.fromkeys(model.weight_names, 0.5)
    weights.update(w1_2_1=1.0, w1_2_2=1.0, b1_2=-5.0, b1_3=0.0)
    return model, np.array([weights[n] for n in model.weight_names])


def test_units_whose_sum_is_never_positive_are_found() -> None:
    model, weights = dead_network()
    (layer,) = inactive_units(model, weights, dataset("xor"))
    assert layer.tolist() == [False, True, False]
    two = Model((2, 2), "relu")
    w = dict.fromkeys(two.weight_names, 1.0)  # every sum positive where x1 + x2 > −1 …
    w.update(b2_1=-50.0)  # … but the second layer's first unit
    layers = inactive_units(two, np.array([w[n] for n in two.weight_names]), dataset("blobs"))
    assert [layer.tolist() for layer in layers] == [[False, False], [True, False]]


def test_a_dead_relu_gets_no_gradient_and_a_leaky_one_does() -> None:
    model, weights = dead_network()
    data = dataset("xor")
    gradient = dict(zip(model.weight_names, loss_and_gradient(model, weights, data).gradient))
    assert [gradient[n] for n in ("w1_2_1", "w1_2_2", "b1_2")] == [0.0, 0.0, 0.0]
    assert gradient["b1_1"] != 0.0
    leaky = Model((3,), "leaky_relu", parameter=0.1)
    leaky_gradient = dict(zip(leaky.weight_names, loss_and_gradient(leaky, weights, data).gradient))
    assert leaky_gradient["b1_2"] != 0.0
    assert inactive_units(leaky, weights, data)[0].tolist() == [False, True, False]


def test_the_race_starts_every_activation_from_the_same_weights() -> None:
    data = dataset("xor")
    runs = race_activations(Model((2,), "tanh"), data, 200, "adam", lr=0.05, seed=0)
    assert list(runs) == list(RACE_ACTIVATIONS)
    starts = {Trainer(Model((2,), name), data, seed=0).weights.tobytes() for name in RACE_ACTIVATIONS}
    assert len(starts) == 1
    for name, losses in runs.items():
        alone = Trainer(Model((2,), name), data, "adam", lr=0.05, seed=0)
        alone.step(200)
        assert losses == alone.losses
    assert len({round(r[-1], 12) for r in runs.values()}) == 5  # five different runs


def test_race_progress_can_stop_it() -> None:
    seen: list[float] = []

    def stop_halfway(fraction: float) -> None:
        seen.append(fraction)
        if fraction >= 0.5:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        race_activations(Model((2,)), dataset("xor"), 100, progress=stop_halfway)
    assert seen == sorted(seen) and 0.5 <= seen[-1] < 0.7


def test_steps_to_reach_a_threshold() -> None:
    assert steps_to_reach([1.0, 0.5, 0.2, 0.3, 0.1], 0.25) == 2
    assert steps_to_reach([1.0, 0.5], 0.25) is None
    assert steps_to_reach([0.1], 0.25) == 0


def test_own_points_keep_a_fixed_plane_and_train() -> None:
    empty = custom([])
    assert len(empty) == 0 and empty.bounds == CUSTOM_BOUNDS
    points = custom([(-0.5, -0.5, 0), (0.5, 0.5, 1), (-0.6, 0.4, 0), (0.7, -0.2, 1)])
    assert points.bounds == CUSTOM_BOUNDS and points.y.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert custom([(3.0, 0.0, 1)]).bounds[1] == pytest.approx(3.3)
    with pytest.raises(ValueError):
        custom([(0.0, 0.0, 2)])
    with pytest.raises(ValueError):
        Trainer(Model(), empty)
    trainer = Trainer(Model(), points, "adam", lr=0.1)
    trainer.step(100)
    assert trainer.accuracy == 1.0


@pytest.mark.parametrize("lr", [float("nan"), -0.1])
def test_a_learning_rate_torch_refuses_is_refused_at_the_start_and_mid_run(lr: float) -> None:
    with pytest.raises(ValueError, match=r"lr|learning rate"):
        Trainer(Model((2,)), dataset("xor"), "sgd", lr=lr)
    trainer = Trainer(Model((2,)), dataset("xor"), "sgd", lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        trainer.set_learning_rate(lr)
    assert trainer.lr == 0.1


def test_set_weights_puts_a_saved_run_back_and_the_loss_follows() -> None:
    model, data = Model((3,), "tanh"), dataset("xor")
    trained = Trainer(model, data, "adam", lr=0.1, seed=0)
    trained.step(40)
    fresh = Trainer(model, data, "adam", lr=0.1, seed=0)
    fresh.set_weights(trained.weights)
    assert np.array_equal(fresh.weights, trained.weights)
    assert fresh.loss == pytest.approx(loss_and_gradient(model, trained.weights, data).loss, rel=1e-12)
    assert fresh.loss == pytest.approx(trained.loss, rel=1e-12)
    assert fresh.accuracy == trained.accuracy
    fresh.step(1)  # the optimizer goes on from the new weights
    assert fresh.steps == 1 and np.isfinite(fresh.loss)


@pytest.mark.parametrize("weights", [np.zeros(3), np.full(13, np.nan)])
def test_set_weights_refuses_the_wrong_count_or_non_finite_values(weights: np.ndarray) -> None:
    trainer = Trainer(Model((3,), "tanh"), dataset("xor"), "adam", lr=0.1, seed=0)
    before = trainer.weights.copy()
    with pytest.raises(ValueError, match="weights"):
        trainer.set_weights(weights)
    assert np.array_equal(trainer.weights, before)
