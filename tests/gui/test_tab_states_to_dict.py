"""Every tab's state goes to a dict of JSON values and back (what sessions keep), and a value that
cannot be used keeps the tab's own with a message naming it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphviz_app.activations.state import ActivationsState
from graphviz_app.lab.lab_state import LabState
from graphviz_app.networks.state import NetworkState
from graphviz_app.theme import Theme


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data))


def changed_lab() -> LabState:
    lab = LabState(steps=50)
    lab.set_surface("beale")
    lab.set_start(1.25, -0.5)
    lab.set_steps(80)
    lab.set_enabled("sgd", False)
    lab.set_hyperparameter("adam", "lr", 0.037)
    lab.set_hyperparameter("adam", "betas", (0.8, 0.95))
    lab.set_hyperparameter("rmsprop", "centered", True)
    lab.set_decay("momentum", "step")
    lab.set_decay_parameters("momentum", step_size=7, step_gamma=0.25)
    lab.set_decay("adagrad", "exponential")
    lab.set_decay_parameters("adagrad", exp_gamma=0.9)
    lab.set_rate_race("nesterov", (0.01, 0.002, 3e-4))
    lab.set_race_kind("learning_rates")
    lab.set_batch(batch_size=3, seed=5, lr=0.05)
    lab.set_cursor(33)
    lab.set_inspected("momentum")
    return lab


def test_the_lab_round_trips_every_setting() -> None:
    lab = changed_lab()
    saved = through_json(lab.to_dict())
    fresh = LabState(steps=50)
    assert fresh.to_dict() != saved
    assert fresh.from_dict(saved) == []
    assert fresh.to_dict() == saved
    assert fresh.settings == lab.settings  # tuples (betas) come back as tuples
    assert (fresh.surface_key, fresh.start, fresh.cursor, fresh.steps) == ("beale", (1.25, -0.5), 33, 80)
    assert [r.run for r in fresh.racers()] == [r.run for r in lab.racers()]


def test_the_lab_keeps_its_own_value_for_each_bad_one() -> None:
    lab = LabState(steps=50)
    messages = lab.from_dict(
        {
            "surface": "moon",
            "steps": -3,
            "start": [1, "a"],
            "optimizers": {
                "adam": {"enabled": "yes", "hyperparameters": {"lr": -1, "betas": [0.9, 1.5], "nope": 1}},
                "sgd": {"decay": "sometimes", "step_size": 0},
                "lion": {},
            },
            "rate_race": {"rates": []},
            "cursor": 10**9,
        }
    )
    fresh = LabState(steps=50)
    assert lab.to_dict() == fresh.to_dict()
    text = "\n".join(messages)
    for part in ("surface", "steps", "start", "Adam: enabled", "lr", "betas", "nope", "SGD: decay", "step_size"):
        assert part in text
    assert "lion" in text and "rates" in text and "cursor" in text
    (message,) = LabState().from_dict("not an object")
    assert message == "lab: expected an object of settings, not 'not an object' (kept every default)"


def changed_activations() -> ActivationsState:
    state = ActivationsState(Theme())
    state.set_shown("relu", False)
    state.set_shown("elu", True)
    state.set_shown("leaky_relu", True)
    state.set_parameter("leaky_relu", 0.2)
    state.set_parameter("elu", 0.7)
    state.set_threshold(0.02)
    state.set_x_range(-8.0, 3.5)
    state.set_chain(activation="tanh", layers=6, weight=1.5, bias=-0.25, start=0.75)
    return state


def test_the_activations_round_trip_every_setting() -> None:
    state = changed_activations()
    saved = through_json(state.to_dict())
    fresh = ActivationsState(Theme())
    assert fresh.to_dict() != saved
    assert fresh.from_dict(saved) == []
    assert fresh.to_dict() == saved
    assert np.array_equal(fresh.chain.gradients, state.chain.gradients)
    assert fresh.legend_texts == state.legend_texts


def test_the_activations_keep_their_own_value_for_each_bad_one() -> None:
    state = ActivationsState(Theme())
    messages = state.from_dict(
        {"shown": ["swish"], "parameters": {"leaky_relu": 1e9, "relu": 1}, "range": [3, -3], "chain": {"layers": 0}}
    )
    assert state.to_dict() == ActivationsState(Theme()).to_dict()
    text = "\n".join(messages)
    assert all(word in text for word in ("shown", "leaky_relu", "relu", "range", "layers"))


def trained_network(update_lr: bool = False) -> NetworkState:
    state = NetworkState(Theme(), update_s=0.0)
    state.set_dataset("circle")
    state.set_model(hidden_layers=2, width=5, activation="leaky_relu")
    state.set_parameter(0.2)
    state.set_optimizer("momentum")
    state.set_learning_rate(0.3)
    state.set_seed(4)
    state.set_train_steps(120)
    state.set_race_threshold(0.4)
    state.race_steps = 800
    state.train()
    if update_lr:  # a rate changed mid-run: training again from the seed cannot find these weights
        state.set_learning_rate(0.05)
        state.step(30)
    state.set_sample(7)
    return state


@pytest.mark.parametrize("update_lr", [False, True])
def test_the_network_comes_back_at_its_step_with_its_weights(update_lr: bool) -> None:
    state = trained_network(update_lr)
    saved = through_json(state.to_dict())
    assert saved["steps"] == state.trainer.steps > 100 and len(saved["weights"]) == state.trainer.weights.size
    fresh = NetworkState(Theme(), update_s=0.0)
    assert fresh.from_dict(saved) == []
    assert fresh.to_dict() == saved
    assert fresh.trainer.steps == state.trainer.steps
    assert np.array_equal(fresh.trainer.weights, state.trainer.weights)
    assert fresh.snapshot.loss == pytest.approx(state.snapshot.loss, rel=1e-12)
    assert len(fresh.snapshot.losses) == len(state.snapshot.losses)


def test_the_network_keeps_its_own_value_for_each_bad_one() -> None:
    state = NetworkState(Theme(), update_s=0.0)
    before = state.to_dict()
    messages = state.from_dict(
        {
            "model": {"width": 12, "activation": "swish"},
            "optimizer": "lion",
            "lr": float("inf"),
            "seed": -1,
            "steps": "many",
            "weights": [1, 2],
        }
    )
    assert state.to_dict() == before
    text = "\n".join(messages)
    assert all(word in text for word in ("width", "activation", "optimizer", "lr", "seed", "steps", "weights"))


def test_old_sessions_points_only_restore_the_points() -> None:
    state = NetworkState(Theme(), update_s=0.0)
    assert state.from_dict({"data": "custom", "points": [[0.1, 0.2, 0], [0.3, -0.4, 1]]}) == []
    assert state.dataset_name == "custom" and state.points == [(0.1, 0.2, 0), (0.3, -0.4, 1)]
    assert state.trainer is not None and state.trainer.steps == 0


def test_a_long_run_is_trained_back_in_shown_chunks_to_the_same_weights() -> None:
    from graphviz_app.networks.state import RESUME_CHUNK

    original = NetworkState(Theme(), update_s=0.0)
    original.set_train_steps(2 * RESUME_CHUNK + 100)
    original.train()
    saved = through_json(original.to_dict())
    fresh = NetworkState(Theme(), update_s=0.0)
    shown: list[int] = []
    fresh.sig_trained.connect(lambda: shown.append(fresh.trainer.steps))
    assert fresh.from_dict(saved) == []
    assert fresh.trainer.steps == 2 * RESUME_CHUNK + 100
    assert RESUME_CHUNK in shown and 2 * RESUME_CHUNK in shown  # the curve grows while it comes back
    assert np.array_equal(fresh.trainer.weights, original.trainer.weights)
