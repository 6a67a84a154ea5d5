"""Text → `Graph`: Python's `ast` with a whitelist, never `eval`.

The language: numbers, names, `+ - * / **` and `^` (power), unary minus, parentheses, calls of the
functions in `FUNCTIONS`, and programs of `name = expr` lines (or `;`-separated statements) whose
last line is the output. Constants fold into unary gates the way the lecture draws them (`1 + e` →
a `+1` gate, `-(…)` → `*-1`, `1/(…)` → `1/x`). Anything else raises `ParseError` with a message
that says what is wrong and where.

This module reads the program: its statements in order, lines too deep for `ast` cut at their
`;`, `=`, `+ -` and `* /`, syntax errors at the user's column. One expression's walk and its
constant folding are in `core.expressions`; the vocabulary (functions, refused syntax,
`ParseError`) is in `core.language`; lines that define a gate or its derivative, in `core.gate_lines`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from keyword import iskeyword

from core.expressions import ExpressionBuilder
from core.gate_lines import ANY_HEAD, DERIVATIVE_HEAD, GATE_HEAD, GateGrammar, GateLine
from core.graph import Graph, Node
from core.language import FUNCTIONS, NOT_NUMBERS, NOT_NUMBERS_MESSAGE, Const, Operand, ParseError
from core.source import Piece, Source, split_top_level

MAX_LENGTH = 2_000_000  # characters; a 10,000-line program is ~300,000
_UNREADABLE = "[\x00\ud800-\udfff]"  # a pattern for `re.search`, which keeps it compiled


def parse(text: str) -> Graph:
    """Parse an expression or a program into a `Graph`; raise `ParseError` if it is not one."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the text is too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    source = Source(text)
    unreadable = re.search(_UNREADABLE, source.text)
    if unreadable:  # `ast` cannot even be handed these: a null byte, or a surrogate UTF-8 cannot encode
        before, char = source.text[: unreadable.start()], unreadable.group()
        message = (
            "a null byte is not allowed"
            if char == "\x00"
            else f"invalid character U+{ord(char):04X} (half of a UTF-16 surrogate pair, not a character)"
        )
        raise ParseError(message, before.count("\n") + 1, len(before) - before.rfind("\n"), source.multiline)
    if not source.text.strip():
        raise ParseError("the expression is empty")
    return _Builder(source).program()


# A statement `ast` could not take whole (too deep): a target, or None, and its value in pieces.
_LongStatement = tuple[str | None, list[Piece], tuple[int, int]]
_Statement = tuple["ast.stmt | _LongStatement | GateLine", tuple[int, int]]  # and where its text starts (line, column)


class _Builder(ExpressionBuilder, GateGrammar):
    """The program: statements in order (each an expression, `ExpressionBuilder`), gate lines."""

    def program(self) -> Graph:
        """Every statement in order; the last one's value is the output."""
        output: Operand = Const(0.0)
        previous: _Statement | None = None  # one statement behind: only the last may be a bare expression
        for statement in self._statements():
            if previous is not None:
                output = self._statement(*previous, last=False)
            previous = statement
        if previous is None:
            raise ParseError("the expression is empty")
        output = self._statement(*previous, last=True)
        return self._finish(self._node(output))

    def _statements(self) -> Iterator[_Statement]:
        """The program's statements, parsed by `ast` one logical line at a time."""
        for line, text in self.source.statements():
            if re.search(ANY_HEAD, text):
                yield from self._gate_statements(line, text)
                continue
            try:
                module = ast.parse(text, mode="exec")
            except SyntaxError as e:
                raise self._syntax_error(e, (line, 0)) from None
            except (RecursionError, MemoryError):  # too deep for `ast`: split it at its `;`s and its + and -
                for part in split_top_level(text, line, 0, ";"):
                    statement = self._long_statement(part)
                    if statement is not None:  # `x;` ends in an empty statement, as Python allows
                        yield statement, (part.line, part.column)
                continue
            except (ValueError, OverflowError):
                raise ParseError("the expression is too long for the parser", line, 1, self.source.multiline) from None
            for statement in module.body:
                yield statement, (line, 0)

    def _gate_statements(self, line: int, text: str) -> Iterator[_Statement]:
        """A line with a gate definition or a derivative line in it, statement by statement."""
        for part in split_top_level(text, line, 0, ";") if ";" in text else [Piece("", text, line, 0)]:
            gate, derivative = re.match(GATE_HEAD, part.text), re.match(DERIVATIVE_HEAD, part.text)
            if gate or derivative:
                match = derivative or gate
                assert match is not None
                yield GateLine(match, derivative is not None, part.line, part.column), (part.line, part.column)
                continue
            statement = self._long_statement(part)
            if statement is not None:
                yield statement, (part.line, part.column)

    def _long_statement(self, part: Piece) -> ast.stmt | _LongStatement | None:
        try:  # one of several `;`-separated statements may be an ordinary one
            self.origin = (part.line, part.column)
            body = ast.parse(part.text, mode="exec").body
            return body[0] if body else None
        except (RecursionError, MemoryError):
            pass
        except SyntaxError as e:
            raise self._syntax_error(e, (part.line, part.column)) from None
        target = None
        pieces = split_top_level(part.text, part.line, part.column, "=")
        if len(pieces) == 2:
            target = pieces[0].text.strip()
            if not target.isidentifier() or iskeyword(target):
                raise self.source_error("assign to one plain name, like q = x + y", part.line, part.column)
            part = pieces[1]
        return target, split_top_level(part.text, part.line, part.column, "+-"), (part.line, part.column)

    def _statement(
        self, statement: ast.stmt | _LongStatement | GateLine, origin: tuple[int, int], last: bool
    ) -> Operand:
        self.origin = origin
        if isinstance(statement, GateLine):
            if last:
                raise self.source_error(
                    "the program has no output: after defining gates, use them (f = mysig(x))", *origin
                )
            if statement.derivative:
                self._define_derivative(statement)
            else:
                self._define_gate(statement)
            return Const(0.0)
        if isinstance(statement, tuple):
            target, pieces, _ = statement
            if target is None and not last:
                raise self.error("only the last line may be a bare expression; name this value (name = …)")
            value = self._long_sum(pieces)
            return value if target is None else self._assign(target, value, None)
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise self.error("assign to one plain name, like q = x + y", statement)
            return self._assign(statement.targets[0].id, self.expression(statement.value), statement)
        if isinstance(statement, ast.Expr):
            if not last:
                raise self.error("only the last line may be a bare expression; name this value (name = …)", statement)
            return self.expression(statement.value)
        if isinstance(statement, ast.AugAssign):
            raise self.error("'+=' and similar are not allowed; write q = q + …", statement)
        kind = type(statement).__name__.lower()
        raise self.error(f"'{kind}' statements are not allowed", statement)

    def _assign(self, target: str, value: Operand, statement: ast.stmt | None) -> Operand:
        if target.lower() in NOT_NUMBERS:
            raise self.error(NOT_NUMBERS_MESSAGE.format(name=target), statement)
        if target in FUNCTIONS:
            raise self.error(f"'{target}' is a function name and cannot be assigned", statement)
        if target in self.gates:
            raise self.error(f"'{target}' is a gate (line {self.gates[target].line}) and cannot be assigned", statement)
        return self._name_value(target, value)

    def _formula(self, line_: GateLine, gate: str, arguments: tuple[str, ...], derivative: bool) -> Graph:
        """The expression after a gate line's `=`, as a graph whose inputs are `arguments` in order."""
        match, line = line_.match, line_.line
        rest = match.string[match.end() :]
        text = rest.lstrip(" \t")
        column = line_.column + match.end() + len(rest) - len(text)
        shown = text.split("#", 1)[0].strip()
        if not shown:
            raise self.source_error("the formula is missing after '='", line, column)
        builder = _Builder(self.source, self.gates, arguments, gate, derivative)
        builder.origin = (line, column)
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as e:
            raise self._syntax_error(e, (line, column)) from None
        except (RecursionError, MemoryError, ValueError, OverflowError):
            raise self.source_error("the formula is nested too deeply for the parser", line, column) from None
        output = builder.expression(tree.body)
        return builder._finish(builder._node(output), keep_inputs=True, source=shown)

    def _long_sum(self, pieces: list[Piece]) -> Operand:
        """t₀ ± t₁ ± … folded left to right, as `ast` would nest it; a term too deep for `ast` is cut
        at its * and / in turn. Deeper than that (x**x**…, - - - x, f(f(…))) is an error."""
        value: Operand | None = None
        for piece in pieces:
            try:
                self.origin = (piece.line, piece.column)
                term = self.expression(ast.parse(piece.text, mode="eval").body)
            except SyntaxError as e:
                raise self._syntax_error(e, (piece.line, piece.column)) from None
            except (RecursionError, MemoryError):
                factors = split_top_level(piece.text, piece.line, piece.column, "*/")
                if len(factors) == 1:
                    raise self.source_error(
                        "the expression is nested too deeply for the parser", piece.line, piece.column
                    ) from None
                term = self._long_sum(factors)
            op = {"": "", "+": "add", "-": "sub", "*": "mul", "/": "div"}[piece.operator]
            value = term if value is None else self._binary(op, value, term)
        assert value is not None  # split_top_level gives at least one piece for a statement
        return value

    def _syntax_error(self, e: SyntaxError, origin: tuple[int, int]) -> ParseError:
        reason = (e.msg or "invalid syntax").replace("perhaps you forgot a comma?", "").strip(" ?.")
        line = origin[0] + (e.lineno or 1) - 1
        offset = (origin[1] if (e.lineno or 1) == 1 else 0) + (e.offset or 1) - 1  # SyntaxError counts characters
        if "Exceeds the limit" in reason:
            reason = "a number with too many digits"
            # Python reports no column for this one: point at the longest run of digits on the line.
            runs = re.finditer(r"\d+", self.source.python_lines[min(line, len(self.source.python_lines)) - 1])
            longest = max(runs, key=lambda m: len(m.group()), default=None)
            offset = longest.start() if longest else 0
        if "nested" in reason:
            return self.source_error("the expression is nested too deeply (over 200 brackets)", line, offset)
        if "invalid decimal literal" in reason:
            # `2x`: Python's words are about literals; say what to write (multiplication is explicit).
            text = self.source.python_lines[min(line, len(self.source.python_lines)) - 1]
            glued = re.finditer(r"(?<![\w.])(\d+(?:\.\d*)?)([A-Za-z_]\w*)", text)
            found = min(glued, key=lambda m: abs(m.start() - offset), default=None)
            if found is not None:
                number, name = found.groups()
                return self.source_error(
                    f"a number right before a name: write {number}*{name} (multiplication needs *)", line, found.start()
                )
        return self.source_error(f"syntax error: {reason}", line, offset)

    def _name_value(self, target: str, value: Operand) -> Operand:
        if isinstance(value, int) and self.nodes[value].op != "input" and self.nodes[value].name is None:
            node = self.nodes[value]
            self.nodes[value] = Node(node.id, node.op, node.args, node.params, target, node.fold)
        self.names[target] = value
        return value
