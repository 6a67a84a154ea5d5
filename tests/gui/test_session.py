"""Session files: save → load round-trips; broken or foreign files raise SessionError and change nothing."""

from __future__ import annotations

import json

import pytest

from graphviz_app import session
from graphviz_app.debugger.state import AppState
from graphviz_app.session import SessionError


def snapshot(state):
    return state.expression, dict(state.inputs), state.cursor, state.phase


def test_save_then_load_round_trips(tmp_path):
    state = AppState()
    state.load_example("sigmoid_neuron")
    state.set_input("w0", 2.5)
    state.set_phase("backward")
    state.set_cursor(11)
    path = tmp_path / "neuron.json"
    session.save_session(state, path)
    data = json.loads(path.read_text())
    assert data["format"] == "graphviz_app.session" and data["version"] == session.VERSION == 2
    other = AppState()
    session.load_session(other, path)
    assert snapshot(other) == snapshot(state)


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json at all", "invalid JSON"),
        ("[1, 2]", "not a graphviz_app session"),
        ('{"format": "other"}', "not a graphviz_app session"),
        ('{"format": "graphviz_app.session", "version": 99, "expression": "x"}', "unsupported session version"),
        ('{"format": "graphviz_app.session", "version": 1}', "no expression"),
        ('{"format": "graphviz_app.session", "version": 1, "expression": "x +"}', "expression is invalid"),
        (
            '{"format": "graphviz_app.session", "version": 1, "expression": "x", "inputs": {"x": "a"}}',
            "must be a number",
        ),
        ('{"format": "graphviz_app.session", "version": 1, "expression": "x", "inputs": {"x": NaN}}', "finite number"),
        ('{"format": "graphviz_app.session", "version": 1, "expression": "x", "cursor": -1}', "cursor"),
        ('{"format": "graphviz_app.session", "version": 1, "expression": "x", "phase": "sideways"}', "phase"),
    ],
)
def test_broken_files_raise_and_change_nothing(tmp_path, text, message):
    state = AppState()
    state.set_cursor(1)
    before = snapshot(state)
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SessionError, match=message):
        session.load_session(state, path)
    assert snapshot(state) == before


def test_missing_file_is_a_session_error(tmp_path):
    with pytest.raises(SessionError, match="cannot read"):
        session.read_session(tmp_path / "nope.json")


def test_missing_inputs_default_and_cursor_is_clamped():
    loaded = session.parse_session(
        '{"format": "graphviz_app.session", "version": 1, "expression": "a*b", "inputs": {"a": 3}, "cursor": 99}'
    )
    state = AppState()
    session.apply_session(state, loaded)
    assert state.inputs == {"a": 3.0, "b": 1.0}
    assert state.cursor == state.step_count


def test_the_expression_is_parsed_once(tmp_path, monkeypatch):
    import core

    calls = []
    parse = core.parse
    monkeypatch.setattr(core, "parse", lambda text: calls.append(len(text)) or parse(text))
    path = tmp_path / "s.json"
    path.write_text('{"format": "graphviz_app.session", "version": 1, "expression": "q = a * b; f = q + a"}')
    state = AppState()
    calls.clear()
    session.load_session(state, path)
    assert calls == [len("q = a * b; f = q + a")]
    assert state.expression == "q = a * b; f = q + a"


def test_a_graph_too_big_to_draw_says_so_and_changes_nothing(tmp_path):
    program = "+".join(f"x{i}" for i in range(2600))  # 5,199 nodes
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "graphviz_app.session", "version": 1, "expression": program}))
    state = AppState()
    before = snapshot(state)
    with pytest.raises(SessionError, match="5,199 nodes; the debugger draws at most 5,000"):
        session.load_session(state, path)
    assert snapshot(state) == before


def test_the_tab_is_saved_by_name_and_checked(tmp_path):
    state = AppState()
    path = tmp_path / "s.json"
    session.save_session(state, path, tab="networks")
    assert json.loads(path.read_text())["tab"] == "networks"
    assert session.read_session(path).tab == "networks"
    with pytest.raises(SessionError, match="tab"):
        session.parse_session('{"format": "graphviz_app.session", "version": 1, "expression": "x", "tab": 3}')


def test_the_step_is_placed_once_a_graph_built_off_the_gui_thread_is_shown(qtbot, tmp_path):
    from graphviz_app.widgets.background import ThreadRunner

    path = tmp_path / "s.json"
    state = AppState("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    state.set_cursor(3)
    session.save_session(state, path)
    threaded = AppState("a * b", runner=ThreadRunner())
    session.load_session(threaded, path)
    qtbot.waitUntil(lambda: threaded.expression == "(x + y) * z", timeout=5000)
    assert threaded.cursor == 3 and threaded.inputs == {"x": -2.0, "y": 5.0, "z": -4.0}


def test_a_failed_save_keeps_the_previous_session_file(tmp_path, monkeypatch):
    # Regression: with the disk full the old session was already truncated when the error came.
    path = tmp_path / "work.json"
    session.save_session(AppState("(x + y) * z"), path)
    before = path.read_text()

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("graphviz_app.files.os.fsync", disk_full)
    with pytest.raises(SessionError, match="No space left"):
        session.save_session(AppState("a * b"), path)
    assert path.read_text() == before


@pytest.mark.parametrize(
    ("inputs_json", "says"),
    [
        ('{"x": 1' + "0" * 400 + "}", "too big for a float"),  # Regression: OverflowError escaped
        ('{"x": 1' + "0" * 5000 + "}", "invalid JSON"),  # Regression: json's ValueError escaped
        ('{"x": "2"}', "must be a number"),
        ('{"x": 1e999}', "must be a finite number"),
    ],
)
def test_an_input_that_is_not_a_float_is_a_clear_message(tmp_path, inputs_json, says):
    path = tmp_path / "bad.json"
    path.write_text(
        '{"format": "graphviz_app.session", "version": 1, "expression": "x * 2", "inputs": ' + inputs_json + "}"
    )
    state = AppState()
    before = snapshot(state)
    with pytest.raises(SessionError, match=says) as error:
        session.load_session(state, path)
    assert len(str(error.value)) < 200
    assert snapshot(state) == before


def test_a_session_keeps_the_programs_own_gates_and_their_derivatives(tmp_path):
    state = AppState()
    state.load_example("own_gates")
    state.set_input("w2", -2.5)
    path = tmp_path / "gates.json"
    session.save_session(state, path)
    other = AppState()
    session.load_session(other, path)
    assert snapshot(other) == snapshot(state)
    folds = [(n.fold.name, n.fold.derivative_texts) for n in other.graph.nodes if n.fold is not None]
    assert ("mysig", {"a": "exp(-a) / (1 + exp(-a))"}) in folds
    assert ("lin", {"w": "x", "x": "w"}) in folds
    assert other.result.grad == state.result.grad  # the same (wrong) derivative is used after loading
