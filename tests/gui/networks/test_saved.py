"""Sessions keep the tiny-networks tab's own points: saved with the session, back when it is opened."""

from __future__ import annotations

import json

import pytest

from graphviz_app import session
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow
from graphviz_app.networks.saved import SavedNetworks, parse_networks


def test_own_points_survive_save_and_open_in_a_new_window(qtbot, tmp_path) -> None:
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    state = win.open_tab("networks").state
    state.set_dataset("custom")
    for x1, x2, label in ((-0.5, -0.25, 0), (0.5, 0.75, 1), (1.0, -1.0, 1)):
        state.add_point(x1, x2, label)
    path = tmp_path / "own.json"
    assert win.save_session_file(path)
    assert (
        json.loads(path.read_text())["networks"].items()
        >= {
            "data": "custom",
            "points": [[-0.5, -0.25, 0], [0.5, 0.75, 1], [1.0, -1.0, 1]],
        }.items()
    )
    other = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(other)
    other.show()
    assert other.open_session_file(path)
    restored = other.tab_page("networks").state
    assert restored.dataset_name == "custom" and len(restored.data) == 3
    assert restored.points == [(-0.5, -0.25, 0), (0.5, 0.75, 1), (1.0, -1.0, 1)]
    assert other.current_tab() == "networks"


def test_a_session_without_the_networks_tab_has_no_networks_field(tmp_path) -> None:
    path = tmp_path / "plain.json"
    session.save_session(AppState(), path)
    assert "networks" not in json.loads(path.read_text()) and session.read_session(path).networks is None


@pytest.mark.parametrize(
    "raw, message",
    [
        ([1, 2], "must be an object"),
        ({"data": "moons"}, "data must be one of"),
        ({"points": [[0, 0, 2]]}, "own point 1: the class is 0 or 1"),
        ({"points": [[0, 0, 0], [0, "a", 1]]}, "own point 2: x2 must be a finite number"),
        ({"points": [[0, 0]]}, "own point 1 must be"),
    ],
)
def test_bad_own_points_are_a_clear_message_and_nothing_loads(raw, message, tmp_path) -> None:
    with pytest.raises(ValueError, match=message):
        parse_networks(raw)
    text = json.dumps({"format": "graphviz_app.session", "version": 1, "expression": "x", "networks": raw})
    with pytest.raises(session.SessionError, match="own data is invalid"):
        session.parse_session(text)


def test_parsed_points_are_floats_and_classes() -> None:
    assert parse_networks({"data": "xor", "points": [[1, 2, 1]]}) == SavedNetworks("xor", ((1.0, 2.0, 1),))
