"""core.layout reuses a recent drawing of the same structure (editing a constant of a big expression)."""

from __future__ import annotations

import sys

import pytest

import core
from core.layout import LayeredDrawing, _layered_drawing, layered_drawing
from core.layout_order import MAX_ITERATIONS

LAYOUT = sys.modules["core.layout"]  # `core.layout` the attribute is the function of that name


def wide(units: int, constant: int) -> str:
    hidden = [f"v{i}*tanh(a{i}*x + b{i}*y + c{i})" for i in range(units)]
    return " + ".join(hidden) + f" + {constant}"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The graphs actually laid out (not reused), in order; the cache starts empty."""
    monkeypatch.setattr(LAYOUT, "_RECENT", {})
    calls: list[object] = []

    def counting(G, *args):  # type: ignore[no-untyped-def]
        calls.append(G)
        return _layered_drawing(G, *args)

    monkeypatch.setattr(LAYOUT, "_layered_drawing", counting)
    return calls


def fresh(text: str) -> LayeredDrawing:
    return _layered_drawing(core.parse(text).to_networkx(), 4, MAX_ITERATIONS, 1, True)


def test_another_constant_reuses_the_drawing_which_equals_a_fresh_one(drawn: list[object]) -> None:
    first = layered_drawing(core.parse(wide(4, 1)).to_networkx())
    second = layered_drawing(core.parse(wide(4, 2)).to_networkx())
    assert len(drawn) == 1
    assert second == first == fresh(wide(4, 2))


def test_a_changed_structure_is_drawn_again(drawn: list[object]) -> None:
    layered_drawing(core.parse(wide(4, 1)).to_networkx())
    bigger = layered_drawing(core.parse(wide(5, 1)).to_networkx())
    assert len(drawn) == 2
    assert bigger == fresh(wide(5, 1))
    # A constant where an input was, same edges: constants are placed apart, so drawn again too.
    layered_drawing(core.parse("x*y + 1").to_networkx())
    layered_drawing(core.parse("x*2 + 1").to_networkx())
    assert len(drawn) == 4


def test_other_options_are_drawn_again(drawn: list[object]) -> None:
    graph = core.parse(wide(3, 1)).to_networkx()
    layered_drawing(graph)
    layered_drawing(graph, sweeps=0)
    assert len(drawn) == 2


def test_each_caller_gets_its_own_copy(drawn: list[object]) -> None:
    graph = core.parse(wide(3, 1)).to_networkx()
    first = layered_drawing(graph)
    first.positions.clear()
    for points in first.bends.values():
        points.clear()
    first.copies.clear()
    assert layered_drawing(graph) == fresh(wide(3, 1))
    assert len(drawn) == 1


def test_only_the_last_few_are_kept(drawn: list[object]) -> None:
    for units in range(1, LAYOUT.RECENT_DRAWINGS + 2):
        layered_drawing(core.parse(wide(units, 1)).to_networkx())
    layered_drawing(core.parse(wide(1, 1)).to_networkx())  # the oldest: dropped
    layered_drawing(core.parse(wide(3, 1)).to_networkx())  # still kept
    assert len(drawn) == LAYOUT.RECENT_DRAWINGS + 2
