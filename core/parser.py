"""Text → `Graph`: Python's `ast` with a whitelist, never `eval`.

The language: numbers, names, `+ - * / **` and `^` (power), unary minus, parentheses, calls of the
functions in `FUNCTIONS`, and programs of `name = expr` lines (or `;`-separated statements) whose
last line is the output. Constants fold into unary gates the way the lecture draws them (`1 + e` →
a `+1` gate, `-(…)` → `*-1`, `1/(…)` → `1/x`). Anything else raises `ParseError` with a message
that says what is wrong and where.

The vocabulary (functions, refused syntax, `ParseError`) is in `core.language`; lines that define
a gate or its derivative, in `core.gate_lines`.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterator
from keyword import iskeyword

import numpy as np

from core.gate_lines import ANY_HEAD, DERIVATIVE_HEAD, GATE_HEAD, OUT, GateDefinition, GateGrammar, GateLine
from core.graph import Fold, Graph, Node
from core.language import (
    BAD_OPERATORS,
    BINARY,
    FUNCTIONS,
    KNOWN,
    NOT_ALLOWED,
    NOT_NUMBERS,
    NOT_NUMBERS_MESSAGE,
    Const,
    FunctionSpec,
    Operand,
    ParseError,
    arguments_text,
)
from core.ops import OPS
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


class _Builder(GateGrammar):
    """Walks the (whitelisted) `ast` and emits nodes, folding constants into gates."""

    def __init__(
        self,
        source: Source,
        gates: dict[str, GateDefinition] | None = None,
        arguments: tuple[str, ...] | None = None,
        within: str | None = None,
        derivative: bool = False,
    ) -> None:
        self.source = source
        self.nodes: list[Node] = []
        self.names: dict[str, Operand] = {}  # names given by the program or created as inputs
        # id of an ast.Call -> the function's name and the parameters its operands fill
        self.call_slots: dict[int, tuple[str, list[str]]] = {}
        self.origin = (1, 0)  # where the text now being built starts: `ast` positions are relative to it
        self.gates: dict[str, GateDefinition] = {} if gates is None else gates  # shared with sub-builders
        # A gate's body or derivative line: only these names, all of them inputs, in this order.
        self.arguments = arguments
        self.within, self.derivative = within, derivative
        for name in arguments or ():
            self.names[name] = self._add("input", (), name=name)

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

    # ---- errors, at the user's line and column ----

    def error(self, message: str, node: ast.AST | None = None) -> ParseError:
        """An error at `node` (or where the current text starts)."""
        line, offset = self._where(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        return self.source_error(message, line, offset)

    def source_error(self, message: str, line: int, offset: int) -> ParseError:
        """An error at a 0-based character offset of line `line`'s `ast` text."""
        return ParseError(message, line, self.source.column(line, offset), self.source.multiline)

    def _where(self, lineno: int, col_offset: int) -> tuple[int, int]:
        """(line, character offset in that line) for an `ast` position relative to `self.origin`."""
        first_line, first_column = self.origin
        line = first_line + lineno - 1
        start = first_column if lineno == 1 else 0
        text = self.source.python_lines[min(line, len(self.source.python_lines)) - 1][start:]
        return line, start + len(text.encode()[:col_offset].decode(errors="ignore"))  # ast counts UTF-8 bytes

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

    def expression(self, root: ast.expr) -> Operand:
        """Post-order walk with an explicit stack: long chains like x+x+…+x never hit recursion limits."""
        results: list[Operand] = []
        todo: list[tuple[ast.AST, list[ast.AST] | None]] = [(root, None)]
        while todo:
            node, children = todo.pop()
            if children is not None:  # its operands are done: they are the last results
                args = results[-len(children) :]
                del results[-len(children) :]
                results.append(self._combine(node, args))
            elif isinstance(node, ast.Name):  # leaves, half of all nodes, need no second visit
                results.append(self._name(node))
            elif isinstance(node, ast.Constant):
                results.append(self._constant(node))
            else:
                children = self._children(node)
                todo.append((node, children))
                todo.extend([(child, None) for child in reversed(children)])
        return results[0]

    def _children(self, node: ast.AST) -> list[ast.AST]:
        """The operands of a whitelisted node; raises for everything else."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINARY:
                symbol = BAD_OPERATORS.get(type(node.op), type(node.op).__name__)
                raise self._operator_error(node, f"operator '{symbol}' is not supported; use + - * / ** or ^")
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
                raise self.error(f"operator '{symbol}' is not supported", node)
            return [node.operand]
        if isinstance(node, ast.Call):
            return self._call_operands(node)
        if isinstance(node, (ast.Constant, ast.Name)):
            return []
        message = NOT_ALLOWED.get(type(node), f"'{type(node).__name__}' is not allowed")
        raise self.error(message, node)

    def _operator_error(self, node: ast.BinOp, message: str) -> ParseError:
        # ast does not record where the operator is: find it between the two operands.
        line, start = self._where(node.left.end_lineno or node.lineno, node.left.end_col_offset or 0)
        text = self.source.python_lines[line - 1]
        offset = start + len(text[start:]) - len(text[start:].lstrip(" \t)"))
        return self.source_error(message, line, offset)

    def _call_operands(self, node: ast.Call) -> list[ast.AST]:
        if not isinstance(node.func, ast.Name):
            raise self.error("only the known functions can be called: " + KNOWN, node)
        name = node.func.id
        if name == self.within:
            if self.derivative:
                raise self.error(f"use {OUT} for {name}'s own value: a derivative line cannot call its gate", node)
            raise self.error(f"'{name}' calls itself: a gate cannot be recursive (it may call gates above it)", node)
        spec = self._spec(name)
        if spec is None:
            known = ", ".join([*FUNCTIONS, *self.gates])
            raise self.error(f"unknown function '{name}'; known: {known}", node)
        slots = list(spec.operands) + list(spec.params)
        given: dict[str, ast.AST] = {}
        starred = next((a for a in node.args if isinstance(a, ast.Starred)), None)
        if starred is not None:
            raise self.error(NOT_ALLOWED[ast.Starred], starred)
        if len(node.args) > len(slots):
            raise self.error(f"{name}() takes {arguments_text(spec)}, got {len(node.args)}", node)
        for slot, arg in zip(slots, node.args):
            given[slot] = arg
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg not in slots:
                shown = "**" if keyword.arg is None else keyword.arg
                raise self.error(f"{name}() has no parameter '{shown}'; parameters: {', '.join(slots)}", node)
            if keyword.arg in given:
                raise self.error(f"{name}() got '{keyword.arg}' twice", node)
            given[keyword.arg] = keyword.value
        missing = [s for s in spec.operands if s not in given]
        if missing:
            raise self.error(f"{name}() takes {arguments_text(spec)}, got {len(given)}", node)
        # Which parameter each operand fills, in the order the operands' results will come back.
        filled = [s for s in slots if s in given]
        self.call_slots[id(node)] = (name, filled)
        return [given[s] for s in filled]

    def _combine(self, node: ast.AST, args: list[Operand]) -> Operand:
        if isinstance(node, ast.BinOp):
            return self._binary(BINARY[type(node.op)], args[0], args[1])
        if isinstance(node, ast.UnaryOp):
            (a,) = args
            return a if isinstance(node.op, ast.UAdd) else self._scale(a, -1.0)
        return self._call(id(node), node, args)

    def _constant(self, node: ast.Constant) -> Const:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "strings are" if isinstance(value, (str, bytes)) else f"{type(value).__name__} values are"
            if isinstance(value, complex):
                what = "complex numbers are"
            raise self.error(f"{what} not allowed", node)
        try:
            return Const(float(value))
        except OverflowError:
            return Const(math.inf)

    def _name(self, node: ast.Name) -> Operand:
        name = node.id
        if name in FUNCTIONS or name in self.gates:
            kind = "function" if name in FUNCTIONS else "gate"
            raise self.error(f"'{name}' is a {kind}; call it like {name}(x)", node)
        if name not in self.names and self.arguments is not None:
            allowed = ", ".join(a for a in self.arguments if a != OUT)
            if self.derivative:
                allowed += f", or {OUT} for {self.within}'s output"
            raise self.error(f"'{name}' is not an argument of {self.within} (it can use {allowed})", node)
        if name not in self.names:
            if name.lower() in NOT_NUMBERS:  # never assigned either (`_assign`): checked once per name
                raise self.error(NOT_NUMBERS_MESSAGE.format(name=name), node)
            self.names[name] = self._add("input", (), name=name)
        return self.names[name]

    def _spec(self, name: str) -> FunctionSpec | None:
        if name in self.gates:
            return FunctionSpec("fold", self.gates[name].arguments)
        return FUNCTIONS.get(name)

    def _call(self, call_id: int, node: ast.AST, args: list[Operand]) -> Operand:
        name, filled = self.call_slots.pop(call_id)  # `_call_operands` checked the call
        by_slot = dict(zip(filled, args))
        if name in self.gates:  # one node per call, even on constants
            line = self._where(getattr(node, "lineno", 1), 0)[0]
            fold = self.gates[name].frozen(line)
            gate_args = tuple(self._node(by_slot[a]) for a in self.gates[name].arguments)
            return self._add("fold", gate_args, fold=fold)
        spec = FUNCTIONS[name]
        params = []
        for param, default in spec.params.items():
            value = by_slot.get(param, Const(default))
            if not isinstance(value, Const):
                raise self.error(f"{param} of {name}() must be a number", node)
            params.append(value.value)
        operands = [by_slot[s] for s in spec.operands]
        return self._gate(spec.op, operands, params[0] if params else None)

    # ---- constant folding into the lecture's gates ----

    def _binary(self, op: str, a: Operand, b: Operand) -> Operand:
        if isinstance(a, Const) and isinstance(b, Const):
            return self._gate(op, [a, b])
        if isinstance(b, Const):  # x ∘ c
            if op == "add":
                return self._gate("add_const", [a], b.value)
            if op == "sub":
                return self._gate("add_const", [a], -b.value)
            if op == "mul":
                return self._scale(a, b.value)
            if op == "div":
                return self._gate("div_const", [a], b.value)
            if op == "pow":
                return self._gate("pow_const", [a], b.value)
        elif isinstance(a, Const):  # c ∘ x
            if op == "add":
                return self._gate("add_const", [b], a.value)
            if op == "sub":
                return self._gate("add_const", [self._scale(b, -1.0)], a.value)
            if op == "mul":
                return self._scale(b, a.value)
            if op == "div":
                inverse = self._gate("recip", [b])
                return inverse if a.value == 1.0 else self._scale(inverse, a.value)
        return self._gate(op, [a, b])

    def _scale(self, a: Operand, factor: float) -> Operand:
        return self._gate("mul_const", [a], factor)

    def _gate(self, op: str, operands: list[Operand], param: float | None = None) -> Operand:
        constants = [x.value for x in operands if isinstance(x, Const)]
        if len(constants) == len(operands):  # fold: no gate for pure numbers
            with np.errstate(all="ignore"):
                return Const(float(OPS[op].forward(np, *[np.float64(v) for v in constants], param)))
        args = tuple([x if isinstance(x, int) else self._node(x) for x in operands])
        return self._add(op, args, () if param is None else (float(param),))

    def _node(self, operand: Operand) -> int:
        if isinstance(operand, Const):
            return self._add("const", (), params=(operand.value,))
        return operand

    def _add(
        self,
        op: str,
        args: tuple[int, ...],
        params: tuple[float, ...] = (),
        name: str | None = None,
        fold: Fold | None = None,
    ) -> int:
        self.nodes.append(Node(len(self.nodes), op, args, params, name, fold))
        return len(self.nodes) - 1

    def _finish(self, output: int, keep_inputs: bool = False, source: str | None = None) -> Graph:
        """Keep only what the output depends on, renumbered in topological order (and, for a gate's
        body, every argument: `lin(a, b) = b*2` still takes two)."""
        needed = {output} | ({n.id for n in self.nodes if n.op == "input"} if keep_inputs else set())
        for node in reversed(self.nodes[: output + 1]):
            if node.id in needed:
                needed.update(node.args)
        new_id: dict[int, int] = {}
        nodes: list[Node] = []
        for node in self.nodes:
            if node.id in needed:
                new_id[node.id] = len(nodes)
                args = tuple(new_id[a] for a in node.args)
                nodes.append(Node(len(nodes), node.op, args, node.params, node.name, node.fold))
        inputs = tuple(n.name for n in nodes if n.op == "input" and n.name is not None)
        return Graph(tuple(nodes), inputs, new_id[output], self.source.text if source is None else source)
