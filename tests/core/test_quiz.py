"""core.quiz: which steps are asked, checking with a relative tolerance, scoring, hints."""

from __future__ import annotations

import math

import pytest

import core
from core.quiz import Quiz, QuizSettings, close_enough, questions

CIRCUIT = {"x": -2.0, "y": 5.0, "z": -4.0}


def circuit_trace():
    return core.parse("(x+y)*z").trace(CIRCUIT)


def test_every_step_asks_each_forward_value_and_each_gradient_sent_back():
    trace = circuit_trace()
    asked = questions(trace, QuizSettings("every"))
    forward = [q for q in asked if q.phase == "forward"]
    backward = [q for q in asked if q.phase == "backward"]
    assert [q.answer for q in forward] == [3.0, -12.0]
    # * sends z·up = -4 into q and q·up = 3 into z; + sends -4 into x and into y.
    assert sorted(q.answer for q in backward) == [-4.0, -4.0, -4.0, 3.0]
    assert [q.step for q in asked] == sorted(q.step for q in asked)


def test_backward_only_asks_no_forward_value():
    asked = questions(circuit_trace(), QuizSettings("backward"))
    assert asked and all(q.phase == "backward" for q in asked)


def test_random_gates_are_k_gates_drawn_reproducibly_by_seed():
    trace = core.parse("sigmoid(w0*x0 + w1*x1 + w2)").trace({"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    settings = QuizSettings("random", count=2, seed=7)
    first = questions(trace, settings)
    assert first == questions(trace, settings)
    assert len({q.node for q in first}) == 2
    assert {q.phase for q in first} == {"forward", "backward"}
    others = {tuple(q.node for q in questions(trace, QuizSettings("random", count=2, seed=s))) for s in range(10)}
    assert len(others) > 1


def test_picked_gates_are_the_only_ones_asked_and_a_click_toggles():
    trace = circuit_trace()
    mul = trace.graph.output
    settings = QuizSettings().toggled(mul)
    assert settings.mode == "picked"
    assert {q.node for q in questions(trace, settings)} == {mul}
    assert questions(trace, settings.toggled(mul)) == ()


def test_answers_within_the_relative_tolerance_score_and_wrong_ones_get_the_rule():
    quiz = Quiz(circuit_trace(), QuizSettings("every", tolerance=0.05))
    assert quiz.answer(3.1).correct  # 3.3 % off the 3
    wrong = quiz.answer(12.0)  # -12 is the value: a sign error
    assert not wrong.correct
    assert wrong.truth == -12.0
    assert "multiplies" in wrong.hint
    q = quiz.current
    assert q is not None and q.phase == "backward"
    verdict = quiz.answer(q.answer + 100)
    assert verdict.hint == "a * gate sends back the other input times upstream"
    assert quiz.score == (1, 3)
    while not quiz.finished:
        quiz.answer(quiz.current.answer)
    assert quiz.score == (len(quiz.questions) - 2, len(quiz.questions))
    with pytest.raises(ValueError):
        quiz.answer(0.0)


def test_a_question_must_be_answered_before_its_step_is_shown():
    quiz = Quiz(circuit_trace(), QuizSettings("backward"))
    first = quiz.current
    assert quiz.asked_before(0) is None
    assert quiz.asked_before(first.step) is first


def test_close_enough_is_relative_and_handles_zero_nan_inf():
    assert close_enough(100.9, 100.0, 0.01)
    assert not close_enough(101.1, 100.0, 0.01)
    assert close_enough(0.0, 0.0)
    assert not close_enough(0.5, 0.0)
    assert close_enough(math.nan, math.nan)
    assert not close_enough(1.0, math.nan)
    assert close_enough(math.inf, math.inf)


def test_settings_round_trip_and_old_or_bad_data_gives_defaults():
    settings = QuizSettings("picked", count=4, seed=3, picked=frozenset({5, 2}), tolerance=0.02)
    assert QuizSettings.from_dict(settings.to_dict()) == settings
    assert QuizSettings.from_dict({}) == QuizSettings()
    assert QuizSettings.from_dict({"mode": "sometimes"}) == QuizSettings()
    assert QuizSettings.from_dict({"tolerance": "lots"}) == QuizSettings()
    with pytest.raises(ValueError, match="quiz mode"):
        QuizSettings("sometimes")


def test_the_reachable_step_stops_before_each_unanswered_question_and_is_lifted_at_the_end():
    quiz = Quiz(circuit_trace(), QuizSettings("backward"))
    steps = [q.step for q in quiz.questions]
    seen = []
    while not quiz.finished:
        seen.append(quiz.reachable)
        quiz.answer(quiz.current.answer)
    assert seen == steps  # * asks two numbers at one step: the reach stays until both are answered
    assert quiz.reachable is None
