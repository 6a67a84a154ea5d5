"""Save and load a session: the debugger's expression, inputs, step position and phase, and every
other tab's settings, as a small JSON file.

    {"format": "graphviz_app.session", "version": 2, "expression": "(x + y) * z",
     "inputs": {"x": -2, "y": 5, "z": -4}, "cursor": 3, "phase": "both", "tab": "debugger",
     "lab": {…}, "activations": {…}, "networks": {…}}

The tabs' parts are their states' `to_dict()` (graphviz_app/lab/saved.py, activations/saved.py,
networks/saved.py say what is in them); this module only collects them. Version 1 files (the
debugger, the networks' data set and points, folds, quiz) still open. A tab's value that cannot be
used keeps the tab's own: the window shows those as one message, it never refuses the file for them.

Plain functions, no dialogs: a broken or foreign file raises `SessionError` *before* anything is
changed, so the window can show the message and the state stays as it was.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import core
from core.quiz import QuizSettings
from graphviz_app import TAB_NAMES
from graphviz_app.debugger.drawing import MAX_DRAWN_NODES
from graphviz_app.debugger.state import AppState, TooBig
from graphviz_app.files import write_atomically
from graphviz_app.networks.saved import SavedNetworks, parse_networks

FORMAT = "graphviz_app.session"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: before the lab, activations and the network's model were kept
TAB_PARTS = ("lab", "activations", "networks")  # the tabs with a part of their own in the file
PHASES = ("forward", "backward", "both")


class SessionError(ValueError):
    """A session file that cannot be loaded; the message says why, in the user's words."""


@dataclass(frozen=True)
class Session:
    expression: str
    inputs: dict[str, float]
    cursor: int = 0
    phase: str = "both"
    tab: str = "debugger"  # the tab in front when it was saved, by name (graphviz_app.TAB_NAMES)
    graph: core.Graph | None = field(default=None, compare=False, repr=False)  # `expression`, parsed once
    networks: SavedNetworks | None = None  # the tiny-networks tab's data set and own points, if it was open
    folds: tuple[tuple[str, tuple[int, ...], str], ...] = ()  # gates folded on screen (AppState.folds)
    quiz: dict = field(default_factory=dict)  # the quiz settings (core.quiz.QuizSettings.to_dict); {} in old files
    tabs: dict = field(default_factory=dict)  # tab name → its state's to_dict() (TAB_PARTS; absent if not kept)
    notes: tuple[str, ...] = ()  # parts of the file that were left out, in the user's words


def session_of(state: AppState, tab: str = "debugger", networks: SavedNetworks | None = None) -> Session:
    return Session(
        state.expression,
        dict(state.inputs),
        state.cursor,
        state.phase,
        tab,
        networks=networks,
        folds=tuple(state.folds),
    )


def to_json(session: Session) -> str:
    fields: dict[str, object] = {
        "format": FORMAT,
        "version": VERSION,
        "expression": session.expression,
        "inputs": session.inputs,
        "cursor": session.cursor,
        "phase": session.phase,
        "tab": session.tab,
    }
    if session.folds:
        fields["folds"] = [_fold_json(f) for f in session.folds]
    if session.networks is not None:
        fields["networks"] = session.networks.as_json()
    if session.quiz:
        fields["quiz"] = session.quiz
    fields.update({name: session.tabs[name] for name in TAB_PARTS if name in session.tabs})
    return json.dumps(fields, indent=2, ensure_ascii=False)


def _fold_json(fold: tuple[str, tuple[int, ...], str]) -> dict[str, object]:
    what, ids, name = fold
    return {"fold": list(ids), "name": name} if what == "fold" else {"unfold": ids[0]}


def _folds(raw: object) -> tuple[tuple[str, tuple[int, ...], str], ...]:
    """A session's "folds" (absent in older files): [{"fold": [ids], "name": "σ"}, {"unfold": id}, …]."""
    if not isinstance(raw, list):
        raise SessionError('"folds" must be a list of {"fold": [node ids], "name": …} or {"unfold": node id}')
    folds: list[tuple[str, tuple[int, ...], str]] = []
    for entry in raw:
        ids = entry.get("fold") if isinstance(entry, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        one = entry.get("unfold") if isinstance(entry, dict) else None
        if isinstance(ids, list) and ids and all(_node_id(i) for i in ids) and isinstance(name, str) and name:
            folds.append(("fold", tuple(ids), name[:40]))
        elif _node_id(one):
            folds.append(("unfold", (int(one),), ""))  # type: ignore[call-overload]
        else:
            raise SessionError(f'cannot read the fold {_shown(entry)}: expected {{"fold": [ids], "name": …}}')
    return tuple(folds)


def _node_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000


def save_session(
    state: AppState,
    path: str | Path,
    tab: str = "debugger",
    networks: SavedNetworks | None = None,
    quiz: dict | None = None,
    tabs: dict[str, dict] | None = None,
) -> None:
    """Write what the user is looking at (`tab`: the tab in front; `tabs`: the other tabs' to_dict(),
    a "networks" there replaces `networks`); OSError propagates as SessionError.

    Atomically: with the disk full, the previous file at `path` is left whole.
    """
    try:
        saved = replace(session_of(state, tab, networks), quiz=dict(quiz or {}), tabs=dict(tabs or {}))
        write_atomically(path, (to_json(saved) + "\n").encode("utf-8"))
    except OSError as error:
        raise SessionError(f"cannot write {path}: {error.strerror or error}") from error


def _finite_input(name: str, value: object) -> float:
    """A session's input value as a float, or SessionError saying why it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SessionError(f"input {name!r} must be a number, not {_shown(value)}")
    try:
        number = float(value)  # an int of 400 digits overflows
    except OverflowError:
        raise SessionError(f"input {name!r} is too big for a float: {_shown(value)}") from None
    if not math.isfinite(number):
        raise SessionError(f"input {name!r} must be a finite number, not {_shown(value)}")
    return number


def _shown(value: object, limit: int = 40) -> str:
    """A value for a message: its repr, cut in the middle when long."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit else f"a {len(str(value))}-digit number"
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]


def parse_session(text: str) -> Session:
    """Validate a session's JSON text completely (the expression must parse, every input be finite).

    The expression is parsed here, once; the graph travels in the Session to `apply_session`. A big
    program takes seconds to parse, so the window calls this on its runner, off the GUI thread.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, or an integer of over 4,300 digits
        raise SessionError(f"not a session file: invalid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError('not a graphviz_app session file (its "format" is missing or different)')
    if data.get("version") not in READABLE_VERSIONS or isinstance(data.get("version"), bool):
        raise SessionError(
            f"unsupported session version {data.get('version')!r} (this app reads versions 1 to {VERSION})"
        )
    expression = data.get("expression")
    if not isinstance(expression, str):
        raise SessionError("the session has no expression")
    try:
        graph = core.parse(expression)
    except core.ParseError as error:
        raise SessionError(f"the session's expression is invalid: {error}") from None
    raw_inputs = data.get("inputs", {})
    if not isinstance(raw_inputs, dict):
        raise SessionError('the session\'s "inputs" must be an object of name: number')
    inputs = {}
    for name in graph.inputs:
        inputs[name] = _finite_input(name, raw_inputs.get(name, 1.0))
    cursor = data.get("cursor", 0)
    if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
        raise SessionError(f'"cursor" must be a step number ≥ 0, not {cursor!r}')
    phase = data.get("phase", "both")
    if phase not in PHASES:
        raise SessionError(f'"phase" must be one of {", ".join(PHASES)}, not {phase!r}')
    tab = data.get("tab", "debugger")
    if tab not in TAB_NAMES:
        raise SessionError(f'"tab" must be one of {", ".join(TAB_NAMES)}, not {tab!r}')
    folds = _folds(data.get("folds", []))
    try:
        networks = parse_networks(data.get("networks"))
    except ValueError as error:
        raise SessionError(f"the session's own data is invalid: {error}") from None
    quiz = data.get("quiz", {})
    quiz = QuizSettings.from_dict(quiz).to_dict() if isinstance(quiz, dict) and quiz else {}
    tabs, notes = {}, []
    for name in TAB_PARTS:
        part = data.get(name)
        if isinstance(part, dict):
            tabs[name] = part
        elif part is not None:
            notes.append(f'"{name}" must be an object of settings, not {_shown(part)}: the tab kept its own')
    return Session(expression, inputs, cursor, phase, tab, graph, networks, folds, quiz, tabs, tuple(notes))


def read_session(path: str | Path) -> Session:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SessionError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    return parse_session(text)


def apply_session(state: AppState, session: Session) -> None:
    """Show a validated session: expression and inputs, then phase and step position.

    Through `AppState.set_expression`, with the graph `parse_session` made (not parsed again); the
    phase and step are placed once the new graph is shown (it is built off the GUI thread). A graph too
    big to draw is refused here, before anything changes.
    """
    nodes = len(session.graph.nodes)
    if nodes > MAX_DRAWN_NODES:
        raise SessionError(f"cannot show the session: {TooBig(nodes)}")

    def place() -> None:
        try:
            state.replay_folds(list(session.folds))
        except ValueError as error:  # a fold that no longer fits: the graph stays as far as it got
            refusals.append(f"a fold could not be made again: {error}")
        state.set_phase(session.phase)  # type: ignore[arg-type]
        state.set_cursor(session.cursor)  # clamped into the phase's range

    refusals: list[str] = []

    def note(message: str, _line: int, _column: int) -> None:
        if message:
            refusals.append(message)

    state.sig_error.connect(note)
    try:
        shown = state.set_expression(session.expression, session.inputs, graph=session.graph, then=place)
    finally:
        state.sig_error.disconnect(note)
    if not shown:
        raise SessionError(f"cannot show the session: {refusals[-1] if refusals else 'invalid expression'}")


def load_session(state: AppState, path: str | Path) -> Session:
    """Read, validate, then apply; on SessionError nothing has changed."""
    session = read_session(path)
    apply_session(state, session)
    return session
