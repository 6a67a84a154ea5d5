"""Gates a program defines, `mysig(a) = 1 / (1 + exp(-a))`, and their derivative lines,
`d mysig / d a = out * (1 - out)`: how such a line is recognised, what the parser keeps of a gate
while the program is read, and the checks that turn a wrong line into a `ParseError` at its column.

These lines are not Python, so they are recognised before `ast` sees the line; the formula after `=`
is then an ordinary expression, which the parser builds (`GateGrammar._formula`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from keyword import iskeyword

from core.graph import Fold, Graph
from core.language import FUNCTIONS, NOT_NUMBERS, Operand, ParseError
from core.source import Source

# Patterns for `re.match` and `re.search`, which keep them compiled.
GATE_HEAD = r"([^\W\d]\w*)[ \t]*\(([^()]*)\)[ \t]*=(?!=)"
DERIVATIVE_HEAD = r"d[ \t]+([^\W\d]\w*)[ \t]*/[ \t]*d[ \t]+([^\W\d]\w*)[ \t]*=(?!=)"
ANY_HEAD = rf"(?:^|;)[ \t]*(?:{GATE_HEAD}|{DERIVATIVE_HEAD})"
OUT = "out"  # in a derivative line: the gate's own output


@dataclass(frozen=True)
class GateLine:
    """A gate definition or a derivative line, as the text matched it."""

    match: re.Match[str]
    derivative: bool
    line: int
    column: int  # 0-based offset of the match in its line's `ast` text


@dataclass
class GateDefinition:
    """A gate the program defined, while the program is read: its derivative lines may follow
    until it is first used, then it is one `Fold`, shared by every call."""

    name: str
    arguments: tuple[str, ...]
    body: Graph
    line: int
    derivatives: dict[str, tuple[Graph, int]] = field(default_factory=dict)  # argument -> (graph, line)
    first_use: int = 0  # the line of its first call; 0 while unused
    fold: Fold | None = None

    def frozen(self, line: int) -> Fold:
        if self.fold is None:
            given = tuple((a, self.derivatives[a][0]) for a in self.arguments if a in self.derivatives)
            self.fold, self.first_use = Fold(self.name, self.body, given, defined=True), line
        return self.fold


class GateGrammar:
    """The parser's part that reads gate lines (mixed into its builder): each check says what is
    wrong with the line and where."""

    source: Source
    names: dict[str, Operand]
    gates: dict[str, GateDefinition]

    def source_error(self, message: str, line: int, offset: int) -> ParseError:
        raise NotImplementedError

    def _formula(self, line_: GateLine, gate: str, arguments: tuple[str, ...], derivative: bool) -> Graph:
        raise NotImplementedError

    def _define_gate(self, gate: GateLine) -> None:
        """`name(a, b) = formula`: the formula becomes the gate's body, a graph of its arguments."""
        match, line, column = gate.match, gate.line, gate.column
        name = match.group(1)
        if name in FUNCTIONS:
            raise self.source_error(f"'{name}' is a built-in function; give your gate another name", line, column)
        if name in self.gates:
            message = f"'{name}' is already defined (line {self.gates[name].line}); a gate is defined once"
            raise self.source_error(message, line, column)
        if name in self.names:
            raise self.source_error(f"'{name}' is already a value; give the gate another name", line, column)
        if name.lower() in NOT_NUMBERS or iskeyword(name):
            raise self.source_error(f"'{name}' cannot be a gate's name", line, column)
        arguments: list[str] = []
        offset = column + match.start(2)
        for text in match.group(2).split(","):
            argument, at = text.strip(), offset + len(text) - len(text.lstrip())
            offset += len(text) + 1
            if not argument.isidentifier() or iskeyword(argument) or argument in FUNCTIONS or argument in self.gates:
                shown = f"'{argument}' is not" if argument else "missing"
                message = f"{shown} an argument name: a gate's arguments are plain names, like mysig(a) or lin(a, b)"
                raise self.source_error(message, line, at)
            if argument == OUT:
                message = f"'{OUT}' stands for the gate's output in derivative lines; call this argument otherwise"
                raise self.source_error(message, line, at)
            if argument in arguments:
                raise self.source_error(f"{name}() has the argument '{argument}' twice", line, at)
            arguments.append(argument)
        body = self._formula(gate, name, tuple(arguments), derivative=False)
        self.gates[name] = GateDefinition(name, tuple(arguments), body, line)

    def _define_derivative(self, line_: GateLine) -> None:
        """`d name / d a = formula`, in terms of the gate's arguments and `out`."""
        match, line, column = line_.match, line_.line, line_.column
        name, argument = match.group(1), match.group(2)
        at_name, at_argument = column + match.start(1), column + match.start(2)
        if name in FUNCTIONS:
            message = f"'{name}' is a built-in function: derivative lines are for the gates your program defines"
            raise self.source_error(message, line, at_name)
        gate = self.gates.get(name)
        if gate is None:
            message = f"there is no gate '{name}' above this line; define it first, like {name}(a) = …"
            raise self.source_error(message, line, at_name)
        if gate.first_use:
            message = f"write d {name} / d {argument} before {name} is first used (line {gate.first_use})"
            raise self.source_error(message, line, column)
        if argument not in gate.arguments:
            message = f"{name} has no argument '{argument}' (its arguments: {', '.join(gate.arguments)})"
            raise self.source_error(message, line, at_argument)
        if argument in gate.derivatives:
            message = f"d {name} / d {argument} is given twice (first on line {gate.derivatives[argument][1]})"
            raise self.source_error(message, line, column)
        graph = self._formula(line_, name, (*gate.arguments, OUT), derivative=True)
        gate.derivatives[argument] = (graph, line)
