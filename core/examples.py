"""The lecture's graphs (and one per activation) as small data files in `resources/examples/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from core.graph import Graph
from core.parser import parse


@dataclass(frozen=True)
class Example:
    """An expression with its default input values, as shown in the Examples menu."""

    name: str  # the file's stem, e.g. "02_sigmoid_neuron"
    title: str
    expression: str
    inputs: dict[str, float]
    description: str = ""
    wrong_gates: tuple[str, ...] = ()  # gates of its own shipped with a wrong derivative, for students to find

    def graph(self) -> Graph:
        return parse(self.expression)


def examples() -> list[Example]:
    """Every example, in file-name order."""
    folder = resources.files("resources") / "examples"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found.append(
                Example(
                    entry.name.removesuffix(".json"),
                    data["title"],
                    data["expression"],
                    {k: float(v) for k, v in data["inputs"].items()},
                    data.get("description", ""),
                    tuple(data.get("wrong_gates", ())),
                )
            )
    return found


def example(name: str) -> Example:
    """The example whose file stem is `name` or ends with `_name` (e.g. "sigmoid_neuron")."""
    for candidate in examples():
        if candidate.name == name or candidate.name.split("_", 1)[-1] == name:
            return candidate
    raise KeyError(f"no example named {name!r}; known: " + ", ".join(e.name for e in examples()))
