"""While a quiz runs no control of the player shows a step whose number is still to be predicted:
→, Space (play), End, the timeline and the Play menu all stop at the question (`AppState.reach`)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.quiz import QuizSettings
from graphviz_app.debugger.quiz_state import QuizState
from graphviz_app.debugger.state import AppState
from graphviz_app.widgets.player import Player


def circuit() -> AppState:
    return AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})


@pytest.fixture
def quizzing(qtbot):
    """A player over a circuit whose backward-pass quiz has just started (first question unanswered)."""
    state = circuit()
    quiz = QuizState(state)
    quiz.set_settings(QuizSettings("backward"))
    quiz.start()
    player = Player(state)
    qtbot.addWidget(player)
    hidden = quiz.quiz.current.step
    return state, quiz, player, hidden


def test_step_forward_stops_before_the_hidden_step(quizzing):
    state, _quiz, player, hidden = quizzing
    for _ in range(10):
        player.act_forward.trigger()
    assert state.cursor == hidden
    assert not player.act_forward.isEnabled()


def test_run_to_end_stops_before_the_hidden_step(quizzing):
    state, _quiz, player, hidden = quizzing
    player.act_end.trigger()
    assert state.cursor == hidden
    assert not player.act_end.isEnabled()


def test_playing_stops_before_the_hidden_step(quizzing, qtbot):
    state, _quiz, player, hidden = quizzing
    player.speed.setValue(player.speed.maximum())
    player.act_play.trigger()
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert state.cursor == hidden


def test_the_timeline_ends_at_the_hidden_step(quizzing):
    state, _quiz, player, hidden = quizzing
    assert player.scrubber.maximum() == hidden
    player.scrubber.setValue(len(state.trace))  # a drag to the far right
    assert state.cursor == hidden
    state.set_cursor(len(state.trace))  # and any other caller (a session's step, Ctrl+G)
    assert state.cursor == hidden


def test_an_answer_opens_the_way_to_the_next_question_and_the_end_lifts_the_gate(quizzing):
    state, quiz, player, _hidden = quizzing
    while quiz.running:
        before = quiz.quiz.current.step
        quiz.answer(quiz.quiz.current.answer)
        if quiz.running:
            assert state.last_step == quiz.quiz.current.step >= before
            assert player.scrubber.maximum() == quiz.quiz.current.step
    player.act_end.trigger()
    assert state.cursor == len(state.trace)
    assert state.reach is None


def test_a_new_graph_or_new_inputs_stop_the_quiz_and_free_the_player(quizzing):
    state, quiz, player, _hidden = quizzing
    state.set_input("x", 1.0)
    assert quiz.quiz is None and state.reach is None
    assert "changed" in quiz.stopped_because
    player.act_end.trigger()
    assert state.cursor == len(state.trace)


def test_the_window_keys_respect_the_quiz(shown_window, qtbot):
    state = circuit()
    win = shown_window(state)
    panel = win.quiz_panel
    panel.mode.setCurrentIndex(panel.mode.findData("backward"))
    panel.start()
    hidden = panel.quiz.current.step
    win.view.setFocus()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_End):
        qtbot.keyClick(win.view, key)
    assert state.cursor == hidden
    qtbot.keyClick(win.view, Qt.Key.Key_Space)
    qtbot.wait(300)
    assert state.cursor == hidden
    assert "?" in panel.question.text()
