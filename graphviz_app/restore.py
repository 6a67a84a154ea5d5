"""Putting a tab's saved settings back, one value at a time: a value that cannot be used keeps the
tab's own (its default) and becomes one line of the message the window shows, never an exception.

    restorer = Restorer("lab", data)                      # data: the tab's dict from the session file
    restorer.apply("steps", lambda v: lab.set_steps(whole(v, 1, 5000)))
    restorer.messages                                      # ["lab: steps: … (kept 600)"]

The checkers below (`number`, `whole`, `choice`, `pair`) turn a JSON value into the Python value a
state's setter takes, or raise ValueError saying what was expected; the setters check the rest.
Qt-free: the tabs' states use it in their `from_dict`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from core.activations import ACTIVATIONS

LIMIT = 40  # characters of a bad value quoted in a message


def shown(value: object) -> str:
    """A value for a message: its repr, cut in the middle when long."""
    text = repr(value)
    return text if len(text) <= LIMIT else text[: LIMIT // 2] + "…" + text[-LIMIT // 2 :]


def number(value: object, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite float within [low, high] (bool and text are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, not {shown(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{shown(value)} is too big for a number") from None
    if not math.isfinite(result) or not low <= result <= high:
        raise ValueError(f"expected a finite number between {low:g} and {high:g}, not {shown(value)}")
    return result


def whole(value: object, low: int, high: int) -> int:
    """An int within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"expected a whole number from {low} to {high}, not {shown(value)}")
    return value


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, not {shown(value)}")
    return value


def choice(value: object, valid: Iterable[str]) -> str:
    names = list(valid)
    if not isinstance(value, str) or value not in names:
        raise ValueError(f"expected one of {', '.join(names)}, not {shown(value)}")
    return value


def pair(value: object, low: float = -math.inf, high: float = math.inf) -> tuple[float, float]:
    """Two finite numbers ([x, y] in the file)."""
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"expected [a, b], not {shown(value)}")
    return number(value[0], low, high), number(value[1], low, high)


class Restorer:
    """Applies a saved dict's values through setters; what fails is noted, not raised."""

    def __init__(self, tab: str, data: object) -> None:
        self.tab = tab
        self.messages: list[str] = []
        if isinstance(data, dict):
            self.data: dict[str, object] = data
        else:
            self.data = {}
            self.messages.append(f"{tab}: expected an object of settings, not {shown(data)} (kept every default)")

    def apply(self, key: str, setter: Callable[[object], object], kept: object = None) -> bool:
        """Call `setter(data[key])` if the key is there; True if it was applied. `kept` is what stays
        (for the message) when it fails."""
        if key not in self.data:
            return False
        try:
            setter(self.data[key])
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
            stays = "" if kept is None else f" (kept {shown(kept)})"
            self.messages.append(f"{self.tab}: {key}: {error}{stays}")
            return False
        return True

    def note(self, message: str) -> None:
        self.messages.append(f"{self.tab}: {message}")


def activation_parameters(
    tab: str, data: object, current: Mapping[str, float], setter: Callable[[str, float], object]
) -> list[str]:
    """Saved activation parameters (`{name: value}`) through `setter(name, value)`, each within its
    activation's range; the messages say what was left out or kept."""
    parameters = Restorer(f"{tab}: parameter", data)
    for name in parameters.data:
        if name not in current:
            parameters.note(f"{shown(name)} is not an activation with a parameter (left out)")
            continue
        spec = ACTIVATIONS[name]
        parameters.apply(name, lambda v, n=name, a=spec: setter(n, number(v, a.low, a.high)), current[name])
    return parameters.messages
