"""The debugger's quiz as one Qt-free state: the instructor's settings, the quiz running on the trace,
and how far the player may go while it runs.

`QuizState` is what the quiz dock and the gate picker on the graph both observe (neither talks to the
other): the dock edits the settings and answers; a click on a gate toggles it in the picked set. While
a quiz runs, the debugger's `AppState.reach` is the current question's step, so no control of the
player (→, Space, End, the timeline) can show a number before it is answered. A new graph, new input
values or another mode change the trace: the quiz on the old one stops.
"""

from __future__ import annotations

from psygnal import Signal

from core.quiz import Quiz, QuizSettings, Verdict
from graphviz_app.debugger.state import AppState


class QuizState:
    sig_settings_changed = Signal()  # what is asked changed (mode, k, tolerance, the picked gates)
    sig_quiz_changed = Signal()  # a quiz started, got an answer, finished or stopped

    def __init__(self, app: AppState) -> None:
        self.app = app
        self.settings = QuizSettings()
        self.quiz: Quiz | None = None
        self.stopped_because = ""  # why the last quiz stopped before its end ("" when it did not)
        app.sig_graph_changed.connect(self._trace_changed)
        app.sig_values_changed.connect(self._trace_changed)

    @property
    def running(self) -> bool:
        return self.quiz is not None and not self.quiz.finished

    @property
    def picking(self) -> bool:
        """A click on a gate picks it: "picked gates" is chosen and no quiz runs."""
        return self.settings.mode == "picked" and not self.running

    def set_settings(self, settings: QuizSettings) -> None:
        if settings != self.settings:
            self.settings = settings
            self.sig_settings_changed.emit()

    def toggle(self, node: int) -> bool:
        """Pick or unpick gate `node` (a click on it); False for a node that is not a gate of the graph."""
        if node not in {gate.id for gate in self.app.graph.gates}:
            return False
        self.set_settings(self.settings.toggled(node))
        return True

    @property
    def picked(self) -> frozenset[int]:
        """The picked gates that are gates of the graph on screen."""
        return self.settings.picked & {gate.id for gate in self.app.graph.gates}

    def start(self) -> Quiz:
        """A new quiz on the trace shown; the player goes back to the start and stops before the first question."""
        self.app.set_phase("both")  # questions come from both passes; a phase would hide some of them
        self.quiz = Quiz(self.app.trace, self.settings)
        self.stopped_because = ""
        self.app.set_reach(self.quiz.reachable)
        self.app.reset()
        self.sig_quiz_changed.emit()
        return self.quiz

    def answer(self, guess: float) -> Verdict:
        """Check `guess` against the current question; the player may then go up to the next one."""
        if self.quiz is None:
            raise ValueError("no quiz is running")
        verdict = self.quiz.answer(guess)
        self.app.set_reach(self.quiz.reachable)
        self.sig_quiz_changed.emit()
        return verdict

    def stop(self, because: str = "") -> None:
        """End the quiz now: every step may be shown again."""
        if self.quiz is None:
            return
        self.quiz = None
        self.stopped_because = because
        self.app.set_reach(None)
        self.sig_quiz_changed.emit()

    def _trace_changed(self, *_: object) -> None:
        if self.quiz is not None and self.quiz.trace is not self.app.trace:
            why = "the graph or its inputs changed: press Start for a quiz on what is shown now"
            self.stop(why if self.running else "")  # a finished quiz just goes (its score was said)
