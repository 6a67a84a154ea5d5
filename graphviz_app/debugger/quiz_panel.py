"""The quiz dock: predict the hidden number of the next step, then see it revealed.

Displays the debugger's `QuizState` (a `core.quiz.Quiz` does the checking) and moves the debugger's
cursor: to just before the asked step while the learner thinks, one step on once the answer is
checked. The state keeps the player from going further than the question (`AppState.reach`). With
"picked gates", the gates are picked by clicking them on the graph (`quiz_picks.QuizPicks`); the dock
says how many are picked.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.quiz import MODES, Quiz, QuizSettings
from core.trace import BackwardStep
from graphviz_app import numbers
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.quiz_state import QuizState

MODE_TITLES = {
    "every": "every step",
    "backward": "backward pass only",
    "random": "k random gates",
    "picked": "picked gates",
}
PRESENTING_WIDTH = 460  # the dock's width in presentation mode: the large type fits without wrapping every word
LARGE = 1.6  # presentation mode: every text of the dock this many times its normal size


class QuizPanel(QWidget):
    def __init__(self, state, parent: QWidget | None = None, quiz_state: QuizState | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.quiz_state = quiz_state or QuizState(state)
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_TITLES[mode], mode)
        self.count = QSpinBox(minimum=1, maximum=50, value=self.settings.count)
        self.tolerance = QDoubleSpinBox(minimum=0.1, maximum=50.0, value=self.settings.tolerance * 100, suffix=" %")
        self.tolerance.setToolTip("an answer counts as right within this relative error")
        self.picked = QLabel()
        self.picked.setWordWrap(True)
        self.picked.setToolTip("click a gate on the graph to pick it, click again to unpick it")
        for control in (self.mode, self.count, self.tolerance):
            signal = control.currentIndexChanged if isinstance(control, QComboBox) else control.valueChanged
            signal.connect(self._controls_changed)
        self.start_button = QPushButton("Start quiz")
        self.start_button.clicked.connect(self.start)
        self.question = QLabel("Press Start: each step's number is hidden until you predict it.")
        self.question.setObjectName("quizQuestion")
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.question.setFont(font)
        self.guess = QLineEdit(placeholderText="your prediction, Enter", objectName="quizGuess")
        self.guess.setMinimumWidth(120)
        self.guess.returnPressed.connect(self.check)
        self.verdict = QLabel("", objectName="quizVerdict")
        self.verdict.setWordWrap(True)
        self.score = QLabel("")
        form = QFormLayout()
        form.addRow("Ask", self.mode)
        form.addRow("k", self.count)
        form.addRow("Tolerance", self.tolerance)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.picked)
        layout.addWidget(self.start_button)
        layout.addWidget(self.question)
        layout.addWidget(self.guess)
        layout.addWidget(self.score)
        layout.addWidget(self.verdict)
        layout.addStretch(1)
        self.large = False
        observe(
            self,
            [
                (self.quiz_state.sig_settings_changed, self._show_settings),
                (self.quiz_state.sig_quiz_changed, self._show_quiz),
                (state.sig_graph_changed, self._show_picked),
            ],
        )
        self._show_settings()

    @property
    def quiz(self) -> Quiz | None:
        return self.quiz_state.quiz

    @property
    def settings(self) -> QuizSettings:
        return self.quiz_state.settings

    def set_large(self, on: bool) -> None:
        """Presentation mode: every text of the dock (the settings rows, spin boxes and buttons too) big
        enough for the back row, and the dock wide enough for it. A style sheet, because fonts set on a
        parent do not reach every child under the application's style sheet (spin boxes' line edits,
        the form's labels)."""
        self.large = bool(on)
        if not on:
            self.setStyleSheet("")
            self.setMinimumWidth(0)
            return
        base = QApplication.font().pointSizeF() * LARGE
        sizes = {"*": 1.0, "#quizQuestion": 1.4, "#quizVerdict": 1.1, "#quizGuess": 1.25}
        self.setStyleSheet(" ".join(f"{selector} {{ font-size: {base * k:.1f}pt; }}" for selector, k in sizes.items()))
        self.setMinimumWidth(PRESENTING_WIDTH)

    def apply_settings(self, settings: QuizSettings) -> None:
        """Settings from a session: shown in the controls, used by the next Start."""
        self.quiz_state.set_settings(settings)
        self._show_settings()

    def current_settings(self) -> QuizSettings:
        return QuizSettings(
            mode=self.mode.currentData(),
            count=self.count.value(),
            seed=self.settings.seed,
            picked=self.settings.picked,
            tolerance=self.tolerance.value() / 100,
        )

    def _controls_changed(self, *_: object) -> None:
        self.quiz_state.set_settings(self.current_settings())

    def _show_settings(self) -> None:
        settings = self.settings
        for control, value in (
            (self.mode, max(0, self.mode.findData(settings.mode))),
            (self.count, settings.count),
            (self.tolerance, settings.tolerance * 100),
        ):
            control.blockSignals(True)
            control.setCurrentIndex(value) if isinstance(control, QComboBox) else control.setValue(value)
            control.blockSignals(False)
        self.count.setEnabled(settings.mode == "random")
        self._show_picked()

    def _show_picked(self, *_: object) -> None:
        picking = self.settings.mode == "picked"
        n = len(self.quiz_state.picked)
        self.picked.setVisible(picking)
        self.start_button.setEnabled(not picking or n > 0 or self.quiz_state.running)
        if not picking:
            return
        if n == 0:
            self.picked.setText("No gate picked yet: click gates on the graph to pick them (again to unpick).")
        else:
            gates = "gate" if n == 1 else "gates"
            self.picked.setText(f"{n} {gates} picked (marked ? on the graph): click a gate to pick or unpick it.")

    def _show_quiz(self) -> None:
        self.start_button.setText("Restart quiz" if self.quiz_state.running else "Start quiz")
        if self.quiz is None and self.quiz_state.stopped_because:
            self.question.setText(f"Quiz stopped: {self.quiz_state.stopped_because}.")
            self.guess.clear()
        self._show_picked()

    def start(self) -> None:
        self.quiz_state.set_settings(self.current_settings())
        self.quiz_state.start()
        self.verdict.setText("")
        self._ask()

    def _score_and_next(self):
        """Show the score; the next question, or None when the quiz is over (then it says so)."""
        quiz = self.quiz
        if quiz is None:
            return None
        right, answered = quiz.score
        self.score.setText(f"score {right} / {answered}  ·  tolerance {quiz.settings.tolerance:.0%}")
        if quiz.current is None:
            self.question.setText(f"Done: {right} of {answered} right.")
        return quiz.current

    def _ask(self) -> None:
        question = self._score_and_next()
        if question is None:
            if self.quiz is not None:
                self.state.run_to_end()
            return
        self.state.set_cursor(question.step)  # everything before the asked step is shown
        self.question.setText(f"Step {question.step + 1}: {question.prompt}")
        self.guess.clear()
        self.guess.setFocus()

    def check(self) -> None:
        quiz = self.quiz
        if quiz is None or quiz.current is None:
            return
        text = self.guess.text().strip().replace("−", "-")
        try:
            guess = float(text)
        except ValueError:
            self.verdict.setText(f"“{text}” is not a number: type e.g. -4 or 0.25")
            return
        question = quiz.current
        verdict = self.quiz_state.answer(guess)
        if quiz.current is None or quiz.current.step != question.step:
            self.state.set_cursor(question.step + 1)  # reveal the step (once all its numbers are asked)
        line = self._chain_rule(question)
        if verdict.correct:
            self.verdict.setText(f"✔ right: {numbers.full(verdict.truth)}{line}")
        else:
            self.verdict.setText(f"✘ it is {numbers.full(verdict.truth)}. Hint: {verdict.hint}{line}")
        self._ask_next_after_reveal()

    def _chain_rule(self, question) -> str:
        step = self.state.trace.steps[question.step]
        if isinstance(step, BackwardStep):
            for arg in step.args:
                if arg.arg == question.target:
                    return (
                        f"\n{numbers.number(arg.local_grad)} × {numbers.number(step.upstream_grad)} "
                        f"= {numbers.number(arg.contribution)}   (local × upstream)"
                    )
        return ""

    def _ask_next_after_reveal(self) -> None:
        nxt = self._score_and_next()
        if nxt is None:
            return
        self.state.set_cursor(max(self.state.cursor, nxt.step))  # up to the next asked step
        self.question.setText(f"Next, step {nxt.step + 1}: {nxt.prompt}")
        self.guess.clear()
