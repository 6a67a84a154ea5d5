"""Predict, then reveal: the quiz of the debugger, without Qt.

Before a step is shown the learner types the number it will produce (a gate's value going forward,
the gradient a gate sends into an argument going back); `Quiz.answer` checks it with a relative
tolerance, keeps the score and, for a wrong answer, names the rule of that gate.

    quiz = Quiz(graph.trace(inputs), QuizSettings(mode="backward"))
    quiz.current            # the question asked before the next step is revealed
    quiz.answer(-4.0)       # Verdict(correct=True, truth=-4.0, ...)

What is asked (`QuizSettings.mode`): "every" step, only the "backward" pass, "random" — k gates
drawn with a seed (their forward and backward steps) — or "picked" gates (node ids, chosen by clicking).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.graph import Graph, Node
from core.trace import BackwardStep, ForwardStep, Trace

MODES = ("every", "backward", "random", "picked")
DEFAULT_TOLERANCE = 0.01  # 1 %: hand arithmetic rounds, a projector shows three digits

_FORWARD_RULES = {
    "add": "a + gate adds its inputs",
    "sub": "a − gate subtracts its second input from its first",
    "mul": "a * gate multiplies its inputs",
    "div": "a / gate divides its first input by its second",
    "pow": "a ^ gate raises its first input to the power of its second",
    "max": "a max gate passes on the larger input",
    "min": "a min gate passes on the smaller input",
    "add_const": "a +c gate adds its constant",
    "mul_const": "a *c gate multiplies by its constant",
    "div_const": "a /c gate divides by its constant",
    "relu": "relu passes a positive input and gives 0 otherwise",
}
_BACKWARD_RULES = {
    "add": "a + gate sends the upstream gradient to both inputs unchanged",
    "sub": "a − gate sends upstream to its first input and −upstream to its second",
    "mul": "a * gate sends back the other input times upstream",
    "div": "a / gate sends upstream/b to a and −upstream·a/b² to b",
    "max": "a max gate routes upstream to the larger input (half each at a tie), 0 to the other",
    "min": "a min gate routes upstream to the smaller input (half each at a tie), 0 to the other",
    "add_const": "a +c gate passes upstream through unchanged",
    "mul_const": "a *c gate sends back its constant times upstream",
    "relu": "relu passes upstream where its input was positive, 0 elsewhere",
    "sigmoid": "a σ gate sends back σ(x)·(1 − σ(x)) times upstream",
    "tanh": "a tanh gate sends back (1 − tanh²x) times upstream",
    "exp": "an exp gate sends back its own output times upstream",
    "log": "a log gate sends back upstream divided by its input",
}


@dataclass(frozen=True)
class QuizSettings:
    """What the instructor chose to ask."""

    mode: str = "every"
    count: int = 3  # k of "random"
    seed: int = 0  # the draw of "random", so that a class sees the same questions
    picked: frozenset[int] = frozenset()  # node ids of "picked"
    tolerance: float = DEFAULT_TOLERANCE  # relative

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown quiz mode {self.mode!r}: one of {', '.join(MODES)}")
        if not (0 < self.tolerance < 1):
            raise ValueError(f"the tolerance must be between 0 and 1 (relative), not {self.tolerance:g}")
        if self.count < 1:
            raise ValueError(f"the number of random gates must be at least 1, not {self.count}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "count": self.count,
            "seed": self.seed,
            "picked": sorted(self.picked),
            "tolerance": self.tolerance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuizSettings:
        """Settings read back from a session; anything missing or unreadable takes its default."""
        default = cls()
        try:
            picked = frozenset(int(n) for n in data.get("picked", ()))
            settings = cls(
                mode=str(data.get("mode", default.mode)),
                count=int(data.get("count", default.count)),
                seed=int(data.get("seed", default.seed)),
                picked=picked,
                tolerance=float(data.get("tolerance", default.tolerance)),
            )
        except (TypeError, ValueError, OverflowError):
            return default
        return settings

    def toggled(self, node: int) -> QuizSettings:
        """The settings with gate `node` picked or unpicked (a click on it)."""
        picked = self.picked ^ {node}
        return replace(self, mode="picked", picked=frozenset(picked))


@dataclass(frozen=True)
class Question:
    """One hidden number: what step `step` (its trace index) will show."""

    step: int
    node: int  # the gate
    phase: str  # "forward" | "backward"
    answer: float
    target: int | None = None  # backward: the argument the gradient goes into
    prompt: str = ""


@dataclass(frozen=True)
class Verdict:
    correct: bool
    truth: float
    guess: float
    hint: str  # the rule of the gate (empty when correct)
    error: float  # relative error of the guess


def close_enough(guess: float, truth: float, tolerance: float = DEFAULT_TOLERANCE) -> bool:
    """Within `tolerance` relative to the truth (absolutely near 0, where relative means nothing)."""
    if math.isnan(truth) or math.isnan(guess):
        return math.isnan(truth) and math.isnan(guess)
    if math.isinf(truth) or math.isinf(guess):
        return guess == truth
    return math.isclose(guess, truth, rel_tol=tolerance, abs_tol=tolerance * 1e-3)


def relative_error(guess: float, truth: float) -> float:
    if guess == truth:
        return 0.0
    if truth == 0 or not math.isfinite(truth) or not math.isfinite(guess):
        return math.inf
    return abs(guess - truth) / abs(truth)


def _name(graph: Graph, node_id: int) -> str:
    node = graph.nodes[node_id]
    return node.name if node.name else f"the {node.symbol} gate"


def hint(graph: Graph, question: Question) -> str:
    """The rule that gives the number: named for the lecture's gates, the local derivative otherwise."""
    node: Node = graph.nodes[question.node]
    rules = _FORWARD_RULES if question.phase == "forward" else _BACKWARD_RULES
    rule = rules.get(node.op)
    if rule is not None:
        return rule
    if question.phase == "forward":
        return f"compute {node.symbol} of the input values"
    return f"local gradient × upstream, with {node.formula}"


def questions(trace: Trace, settings: QuizSettings) -> tuple[Question, ...]:
    """The questions of a run, in step order, as `settings` choose them."""
    graph = trace.graph
    gates = [node.id for node in graph.gates]
    if settings.mode == "random":
        chosen = set(random.Random(settings.seed).sample(gates, min(settings.count, len(gates))))
    elif settings.mode == "picked":
        chosen = set(settings.picked) & set(gates)
    else:
        chosen = set(gates)
    asked: list[Question] = []
    for step in trace.steps:
        if step.node not in chosen:
            continue
        if isinstance(step, ForwardStep):
            if settings.mode == "backward":
                continue
            prompt = f"value of {_name(graph, step.node)}?"
            asked.append(Question(step.index, step.node, "forward", float(step.value), prompt=prompt))
        elif isinstance(step, BackwardStep):
            for arg in step.args:
                if graph.nodes[arg.arg].op == "const":
                    continue  # no gradient flows into a constant: nothing to predict
                prompt = f"gradient {_name(graph, step.node)} sends into {_name(graph, arg.arg)}?"
                asked.append(
                    Question(step.index, step.node, "backward", float(arg.contribution), arg.arg, prompt=prompt)
                )
    return tuple(asked)


@dataclass
class Quiz:
    """A quiz over one run: the questions in order, the learner's verdicts, the score."""

    trace: Trace
    settings: QuizSettings = field(default_factory=QuizSettings)

    def __post_init__(self) -> None:
        self.questions = questions(self.trace, self.settings)
        self.verdicts: list[Verdict] = []

    @property
    def current(self) -> Question | None:
        """The question to answer now, or None when all are answered."""
        done = len(self.verdicts)
        return self.questions[done] if done < len(self.questions) else None

    def asked_before(self, step_index: int) -> Question | None:
        """The unanswered question that must be answered before trace step `step_index` is shown."""
        question = self.current
        return question if question is not None and question.step <= step_index else None

    @property
    def reachable(self) -> int | None:
        """The furthest cursor the player may show: every step before the current question's (its
        number stays hidden until answered); None when every question is answered."""
        question = self.current
        return None if question is None else question.step

    def answer(self, guess: float) -> Verdict:
        question = self.current
        if question is None:
            raise ValueError("every question is answered")
        correct = close_enough(guess, question.answer, self.settings.tolerance)
        verdict = Verdict(
            correct,
            question.answer,
            guess,
            "" if correct else hint(self.trace.graph, question),
            relative_error(guess, question.answer),
        )
        self.verdicts.append(verdict)
        return verdict

    @property
    def score(self) -> tuple[int, int]:
        """(right, answered)."""
        return sum(v.correct for v in self.verdicts), len(self.verdicts)

    @property
    def finished(self) -> bool:
        return self.current is None
