"""What a session keeps of the tiny-networks tab: the data set chosen and the user's own points.

    "networks": {"data": "custom", "points": [[-0.5, 0.2, 0], [0.4, 0.6, 1]]}

`networks_of` reads it from a `NetworkState`, `parse_networks` validates a session's JSON value
(ValueError with what is wrong and which point), `restore_networks` puts it back into a state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.datasets import CUSTOM, DATASETS

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
