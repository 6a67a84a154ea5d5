"""The quiz dock: predict the hidden number of the next step, then see it revealed.

Displays a `core.quiz.Quiz` (all logic there) and moves the debugger's cursor: to just before the
asked step while the learner thinks, one step on once the answer is checked.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
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

MODE_TITLES = {
    "every": "every step",
    "backward": "backward pass only",
    "random": "k random gates",
    "picked": "picked gates",
}


class QuizPanel(QWidget):
    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.quiz: Quiz | None = None
        self.settings = QuizSettings()
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_TITLES[mode], mode)
        self.count = QSpinBox(minimum=1, maximum=50, value=self.settings.count)
        self.tolerance = QDoubleSpinBox(minimum=0.1, maximum=50.0, value=self.settings.tolerance * 100, suffix=" %")
        self.tolerance.setToolTip("an answer counts as right within this relative error")
        self.start_button = QPushButton("Start quiz")
        self.start_button.clicked.connect(self.start)
        self.question = QLabel("Press Start: each step's number is hidden until you predict it.")
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.question.setFont(font)
        self.guess = QLineEdit(placeholderText="your prediction, Enter")
        self.guess.setMinimumWidth(120)
        self.guess.returnPressed.connect(self.check)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.score = QLabel("")
        form = QFormLayout()
        form.addRow("Ask", self.mode)
        form.addRow("k", self.count)
        form.addRow("Tolerance", self.tolerance)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.start_button)
        layout.addWidget(self.question)
        layout.addWidget(self.guess)
        layout.addWidget(self.score)
        layout.addWidget(self.verdict)
        layout.addStretch(1)

    def set_large(self, on: bool) -> None:
        """Presentation mode: type big enough for the back row."""
        base = self.font().pointSizeF()
        for label, scale in ((self.question, 1.9 if on else 1.4), (self.verdict, 1.4 if on else 1.0)):
            font = label.font()
            font.setPointSizeF(base * scale)
            label.setFont(font)
        font = self.guess.font()
        font.setPointSizeF(base * (1.4 if on else 1.0))
        self.guess.setFont(font)

    def apply_settings(self, settings: QuizSettings) -> None:
        """Settings from a session: shown in the controls, used by the next Start."""
        self.settings = settings
        self.mode.setCurrentIndex(max(0, self.mode.findData(settings.mode)))
        self.count.setValue(settings.count)
        self.tolerance.setValue(settings.tolerance * 100)

    def current_settings(self) -> QuizSettings:
        return QuizSettings(
            mode=self.mode.currentData(),
            count=self.count.value(),
            seed=self.settings.seed,
            picked=self.settings.picked,
            tolerance=self.tolerance.value() / 100,
        )

    def start(self) -> None:
        self.settings = self.current_settings()
        self.quiz = Quiz(self.state.trace, self.settings)
        self.state.reset()
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
        verdict = quiz.answer(guess)
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
