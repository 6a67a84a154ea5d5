"""The quiz dock displays core.quiz and steps the debugger: hidden before, revealed after the answer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from graphviz_app.debugger.quiz_panel import QuizPanel
from graphviz_app.debugger.state import AppState


def test_predict_then_reveal_on_the_circuit(qtbot):
    state = AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})
    panel = QuizPanel(state)
    qtbot.addWidget(panel)
    panel.mode.setCurrentIndex(panel.mode.findData("backward"))
    panel.start()
    question = panel.quiz.current
    assert state.cursor == question.step  # the asked step is not shown yet
    qtbot.keyClicks(panel.guess, "3")  # wrong: * sends z·upstream = -4 into q
    qtbot.keyClick(panel.guess, Qt.Key.Key_Return)
    assert state.cursor == question.step  # * sends into q and z: z's number stays hidden until asked
    assert "other input times upstream" in panel.verdict.text()
    assert "× " in panel.verdict.text()
    assert panel.quiz.score == (0, 1)
    qtbot.keyClicks(panel.guess, str(panel.quiz.current.answer))
    qtbot.keyClick(panel.guess, Qt.Key.Key_Return)
    assert panel.quiz.score == (1, 2)
    assert state.cursor > question.step  # both numbers of the * step answered: it is shown
    assert "score 1 / 2" in panel.score.text()


def test_a_typo_is_a_message_not_an_answer(qtbot):
    state = AppState("x*y", {"x": 2.0, "y": 3.0})
    panel = QuizPanel(state)
    qtbot.addWidget(panel)
    panel.start()
    qtbot.keyClicks(panel.guess, "six")
    qtbot.keyClick(panel.guess, Qt.Key.Key_Return)
    assert "not a number" in panel.verdict.text()
    assert panel.quiz.score == (0, 0)


def test_sessions_keep_the_quiz_settings_and_old_files_still_open(qtbot, tmp_path):
    from core.quiz import QuizSettings
    from graphviz_app import session
    from graphviz_app.main_window import MainWindow

    state = AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})
    win = MainWindow(state)
    qtbot.addWidget(win)
    win.quiz_panel.apply_settings(QuizSettings("random", count=2, tolerance=0.05))
    path = tmp_path / "s.json"
    assert win.save_session_file(path)
    loaded = session.read_session(path)
    assert QuizSettings.from_dict(loaded.quiz) == QuizSettings("random", count=2, tolerance=0.05)
    other = MainWindow(AppState("x", {"x": 1.0}))
    qtbot.addWidget(other)
    assert other.open_session_file(path)
    assert other.quiz_panel.current_settings().mode == "random"
    old = tmp_path / "old.json"
    old.write_text('{"format": "graphviz_app.session", "version": 1, "expression": "x*y"}', encoding="utf-8")
    assert session.read_session(old).quiz == {}


def test_presentation_mode_scales_every_text_of_the_dock_and_widens_it(shown_window):
    from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLabel, QPushButton

    from graphviz_app.debugger.quiz_panel import PRESENTING_WIDTH

    win = shown_window(AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}))
    panel = win.quiz_panel
    normal = QApplication.font().pointSizeF()
    texts = [
        *panel.findChildren(QLabel),
        *panel.findChildren(QPushButton),
        *panel.findChildren(QComboBox),
        *(box.lineEdit() for box in panel.findChildren(QAbstractSpinBox)),
    ]
    panel.mode.setCurrentIndex(panel.mode.findData("backward"))
    panel.start()
    win.set_presenting(True)
    assert win.quiz_dock.isVisible()
    for widget in texts:
        widget.ensurePolished()
        assert widget.fontInfo().pointSizeF() >= normal * 1.5, widget  # the form's labels and spin boxes too
    assert panel.width() >= PRESENTING_WIDTH
    win.set_presenting(False)
    for widget in texts:
        widget.ensurePolished()
    assert panel.count.lineEdit().fontInfo().pointSizeF() < normal * 1.2


def test_new_inputs_stop_a_running_quiz_and_the_dock_says_so(qtbot):
    state = AppState("x*y", {"x": 2.0, "y": 3.0})
    panel = QuizPanel(state)
    qtbot.addWidget(panel)
    panel.start()
    assert panel.start_button.text() == "Restart quiz"
    state.set_input("x", 5.0)
    assert panel.quiz is None and state.reach is None
    assert panel.question.text().startswith("Quiz stopped: the graph or its inputs changed")
    assert panel.start_button.text() == "Start quiz"
