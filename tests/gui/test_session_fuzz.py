"""Hostile session files: whatever a file holds, loading it shows it or raises `SessionError` (a clear
message), and a refused file changes nothing on screen."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graphviz_app import session
from graphviz_app.debugger.state import AppState
from graphviz_app.session import SessionError

HOSTILE_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["x\r1,", "a = x\rb = a * 2", "x\r\n\ty", "x\ud800", "é * σ", "x * inf", "(" * 300 + "x"]),
)
NUMBER_TEXT = st.sampled_from(["1e400", "-1e400", "9" * 400, "9" * 5000, "NaN", "Infinity", "1.5", "-0.0", "true"])
VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.text(max_size=5),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "format": st.one_of(st.just(session.FORMAT), st.text(max_size=5)),
        "version": st.one_of(st.just(session.VERSION), VALUE),
        "expression": st.one_of(HOSTILE_TEXT, VALUE),
        "inputs": st.one_of(st.dictionaries(st.text(max_size=3), VALUE, max_size=3), VALUE),
        "cursor": VALUE,
        "phase": st.one_of(st.sampled_from(["forward", "backward", "both", "<h1>Session OK</h1>"]), VALUE),
        "tab": st.one_of(st.sampled_from(["debugger", "lab", "networks", "activations"]), VALUE),
    },
)


def session_text(fields: dict, number: str) -> str:
    """The JSON of `fields`, with a raw number json cannot make (400 digits, 1e400) as input x."""
    fields = {"format": session.FORMAT, "version": session.VERSION, **fields}
    text = json.dumps(fields, allow_nan=True)
    if isinstance(fields.get("inputs"), dict):
        text = text.replace('"inputs": {', f'"inputs": {{"x": {number}, ', 1).replace(", }", "}")
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fields=FIELDS, number=NUMBER_TEXT, cut=st.integers(min_value=0, max_value=400))
@example(fields={"expression": "x * y", "inputs": {}}, number="9" * 5000, cut=0)
@example(fields={"expression": "a = x\rb = a * 2", "inputs": {}}, number="1e400", cut=0)
@example(fields={"expression": "x", "phase": "<h1>Session OK</h1>"}, number="1.5", cut=0)
def test_any_session_file_loads_or_is_a_session_error_that_changes_nothing(fields, number, cut) -> None:
    text = session_text(fields, number)
    if cut:
        text = text[:-cut]  # a file cut short by a full disk
    state = AppState("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    before = state.expression, dict(state.inputs), state.cursor, state.phase
    try:
        loaded = session.parse_session(text)
        session.apply_session(state, loaded)
    except SessionError as error:
        assert str(error)
        assert (state.expression, dict(state.inputs), state.cursor, state.phase) == before
        return
    assert state.expression == loaded.expression


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=60))
def test_any_bytes_in_a_session_file_are_a_session_error_or_a_session(tmp_path_factory, data) -> None:
    path = tmp_path_factory.mktemp("s") / "s.json"
    path.write_bytes(data)
    try:
        session.read_session(path)
    except SessionError as error:
        assert str(path) in str(error) or "session" in str(error)
