"""What a session keeps of the tiny-networks tab: the data set chosen and the user's own points,
and (since session version 2) the model, the optimizer, the training step and the weights.

    "networks": {"data": "custom", "points": [[-0.5, 0.2, 0], [0.4, 0.6, 1]],
                 "model": {"hidden_layers": 1, "width": 3, "activation": "tanh", "product_feature": false},
                 "parameters": {"leaky_relu": 0.01}, "optimizer": "adam", "lr": 0.1, "seed": 0,
                 "batch_size": 0, "test_fraction": 0.0, "steps_per_update": 5, "train_steps": 1000,
                 "race_steps": 500, "race_threshold": 0.3, "sample": 0, "steps": 250, "weights": [0.12, -0.4, …]}

`parse_networks` validates the data set and points strictly (as version 1 did: ValueError with what
is wrong and which point); `network_to_dict` / `network_from_dict` (`NetworkState.to_dict` /
`from_dict`) handle the rest, where a value that cannot be used keeps the tab's own and becomes a
message. The training step comes back by training again from the seed (runs are deterministic),
then the saved weights are put in place, so the loss curve is there too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.activations import ACTIVATIONS
from core.datasets import CUSTOM, DATASETS
from core.networks import MAX_WIDTH
from core.optimizers import OPTIMIZERS
from graphviz_app.restore import Restorer, activation_parameters, choice, flag, number, shown, whole

if TYPE_CHECKING:  # sessions read this module at start-up; the tab's state is imported with the tab
    from graphviz_app.networks.state import NetworkState

Point = tuple[float, float, int]


@dataclass(frozen=True)
class SavedNetworks:
    data: str
    points: tuple[Point, ...]

    def as_json(self) -> dict[str, object]:
        return {"data": self.data, "points": [list(p) for p in self.points]}


def networks_of(state: NetworkState) -> SavedNetworks:
    return SavedNetworks(state.dataset_name, tuple(state.points))


def _point(index: int, raw: object) -> Point:
    where = f"own point {index + 1}"
    if not isinstance(raw, list) or len(raw) != 3:
        raise ValueError(f"{where} must be [x1, x2, class], not {raw!r}"[:120])
    x1, x2, label = raw
    for name, value in (("x1", x1), ("x2", x2)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise ValueError(f"{where}: {name} must be a finite number, not {value!r}"[:120])
    if label not in (0, 1) or isinstance(label, bool):
        raise ValueError(f"{where}: the class is 0 or 1, not {label!r}"[:120])
    return float(x1), float(x2), int(label)


def parse_networks(raw: object) -> SavedNetworks | None:
    """A session's "networks" value (None when the session has none)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError('"networks" must be an object with "data" and "points"')
    data = raw.get("data", CUSTOM)
    if data not in DATASETS and data != CUSTOM:
        raise ValueError(f'"networks" data must be one of {", ".join([*DATASETS, CUSTOM])}, not {data!r}'[:160])
    points = raw.get("points", [])
    if not isinstance(points, list):
        raise ValueError('"networks" points must be a list of [x1, x2, class]')
    return SavedNetworks(data, tuple(_point(i, p) for i, p in enumerate(points)))


def restore_networks(state: NetworkState, saved: SavedNetworks) -> None:
    state.set_points(list(saved.points))
    state.set_dataset(saved.data)


def network_to_dict(state: NetworkState) -> dict[str, object]:
    steps, weights = state.run_position()
    return {
        **networks_of(state).as_json(),
        "model": {
            "hidden_layers": state.hidden_layers,
            "width": state.width,
            "activation": state.activation,
            "product_feature": state.product_feature,
        },
        "parameters": dict(state.parameters),
        "optimizer": state.optimizer,
        "lr": state.lr,
        "seed": state.seed,
        "batch_size": state.batch_size,
        "test_fraction": state.test_fraction,
        "steps_per_update": state.steps_per_update,
        "train_steps": state.train_steps,
        "race_steps": state.race_steps,
        "race_threshold": state.race_threshold,
        "sample": state.sample,
        "steps": steps,
        "weights": None if weights is None else [float(w) for w in weights],
    }


def network_from_dict(state: NetworkState, data: object) -> list[str]:
    """Put a session's "networks" back (data set and points too); one message per value left out."""
    from graphviz_app.networks.state import MAX_TRAIN_STEPS

    r = Restorer("tiny networks", data)
    saved = None
    if "data" in r.data or "points" in r.data:
        try:
            saved = parse_networks(r.data)
        except ValueError as error:
            r.note(f"{error} (kept the data set)")
    if saved is not None:
        restore_networks(state, saved)
    parameters = activation_parameters(
        "tiny networks", r.data.get("parameters", {}), state.parameters, state.parameters.__setitem__
    )
    model = Restorer("tiny networks: model", r.data.get("model", {}))
    model.apply("hidden_layers", lambda v: state.set_model(hidden_layers=whole(v, 0, 2)), state.hidden_layers)
    model.apply("width", lambda v: state.set_model(width=whole(v, 1, MAX_WIDTH)), state.width)
    model.apply("activation", lambda v: state.set_model(activation=choice(v, ACTIVATIONS)), state.activation)
    model.apply("product_feature", lambda v: state.set_model(product_feature=flag(v)), state.product_feature)
    r.apply("optimizer", lambda v: state.set_optimizer(choice(v, OPTIMIZERS)), state.optimizer)
    r.apply("lr", lambda v: state.set_learning_rate(number(v, 1e-12, 1e6)), state.lr)
    r.apply("seed", lambda v: state.set_seed(whole(v, 0, 2**32 - 1)), state.seed)
    r.apply("test_fraction", lambda v: state.set_test_fraction(number(v, 0.0, 0.9)), state.test_fraction)
    r.apply("batch_size", lambda v: state.set_batch_size(whole(v, 0, 10**6)), state.batch_size)
    r.apply("steps_per_update", lambda v: state.set_steps_per_update(whole(v, 1, 10**4)), state.steps_per_update)
    r.apply("train_steps", lambda v: state.set_train_steps(whole(v, 1, MAX_TRAIN_STEPS)), state.train_steps)
    r.apply("race_steps", lambda v: setattr(state, "race_steps", whole(v, 10, 20_000)), state.race_steps)
    r.apply("race_threshold", lambda v: state.set_race_threshold(number(v, 1e-12, 1e6)), state.race_threshold)
    state.reset()  # the activation parameters above were put in place without a run of their own
    r.apply("sample", lambda v: state.set_sample(whole(v, 0, 10**6)), state.sample)
    try:
        steps = whole(r.data.get("steps", 0), 0, 10 * MAX_TRAIN_STEPS)
    except ValueError as error:
        r.note(f"steps: {error} (a fresh run instead)")
        steps = 0
    weights = r.data.get("weights")
    count = state.model().initial_weights(state.seed).size
    if weights is not None and not (
        isinstance(weights, list) and len(weights) == count and all(_finite(w) for w in weights)
    ):
        r.note(f"weights: expected a list of {count} finite numbers, not {shown(weights)} (trained from the seed)")
        weights = None
    if steps or weights is not None:
        state.resume_at(steps, weights)
    return r.messages + parameters + model.messages


def _finite(value: object) -> bool:
    try:
        number(value)
    except ValueError:
        return False
    return True
