"""Text → `Graph`: Python's `ast` with a whitelist, never `eval`.

The language: numbers, names, `+ - * / **` and `^` (power), unary minus, parentheses, calls of the
functions in `FUNCTIONS`, and programs of `name = expr` lines (or `;`-separated statements) whose
last line is the output. Constants fold into unary gates the way the lecture draws them (`1 + e` →
a `+1` gate, `-(…)` → `*-1`, `1/(…)` → `1/x`). Anything else raises `ParseError` with a message
that says what is wrong and where.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from dataclasses import dataclass, field, replace

import numpy as np

from core.graph import Graph, Node
from core.ops import OPS

MAX_LENGTH = 2_000_000  # characters; a 10,000-line program is ~300,000


class ParseError(ValueError):
    """Text that is not an expression of the language. `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, multiline: bool = False) -> None:
        where = f"line {line}, column {column}" if multiline else f"column {column}"
        super().__init__(f"{message} at {where}")
        self.reason = message
        self.line = line
        self.column = column
        self.position = column


@dataclass(frozen=True)
class FunctionSpec:
    """A callable function: the op it builds, its operand names, its constant parameters."""

    op: str
    operands: tuple[str, ...] = ("a",)
    params: dict[str, float] = field(default_factory=dict)  # name -> default


FUNCTIONS: dict[str, FunctionSpec] = {
    **{
        name: FunctionSpec(name)
        for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "softplus")
    },
    "leaky_relu": FunctionSpec("leaky_relu", params={"slope": 0.01}),
    "elu": FunctionSpec("elu", params={"alpha": 1.0}),
    "prelu": FunctionSpec("prelu", ("a", "alpha")),
    "max": FunctionSpec("max", ("a", "b")),
    "min": FunctionSpec("min", ("a", "b")),
}
KNOWN = ", ".join(FUNCTIONS)

_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_BAD_OPERATORS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
_NOT_ALLOWED = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[ ]') are not allowed",
    ast.Slice: "subscripts ('[ ]') are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.IfExp: "'if … else' is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples (',') are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Await: "'await' is not allowed",
}


@dataclass(frozen=True)
class Const:
    """A constant operand, kept out of the graph until it cannot be folded into a gate."""

    value: float


Operand = int | Const  # a node id or a constant


class _Source:
    """The user's text, the text given to `ast` (`^` → `**`, indentation stripped) and the map
    from positions in the second back to columns of the first."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.multiline = len(text.strip().splitlines()) > 1
        lines, self.columns = [], []
        for line in text.split("\n"):
            stripped = len(line) - len(line.lstrip(" \t"))
            out, cols = [], []
            for i, ch in enumerate(line[stripped:], start=stripped):
                out.append("**" if ch == "^" else ch)
                cols.extend([i, i] if ch == "^" else [i])
            lines.append("".join(out))
            cols.append(len(line))
            self.columns.append(cols)
        self.python = "\n".join(lines)
        self.python_lines = lines

    def column(self, line: int, char_offset: int) -> int:
        """1-based column in the user's text for a 0-based character offset in the `ast` text."""
        cols = self.columns[min(max(line, 1), len(self.columns)) - 1]
        return cols[min(max(char_offset, 0), len(cols) - 1)] + 1

    def error(self, message: str, node: ast.AST | None = None, line: int = 1, offset: int = 0) -> ParseError:
        if node is not None:
            line = getattr(node, "lineno", 1)
            encoded = self.python_lines[line - 1].encode()[: getattr(node, "col_offset", 0)]
            offset = len(encoded.decode(errors="ignore"))  # ast counts UTF-8 bytes, users count characters
        return ParseError(message, line, self.column(line, offset), self.multiline)


def parse(text: str) -> Graph:
    """Parse an expression or a program into a `Graph`; raise `ParseError` if it is not one."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the text is too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    source = _Source(text)
    if "\x00" in text:
        before = text[: text.index("\x00")]
        raise ParseError(
            "a null byte is not allowed", before.count("\n") + 1, len(before) - before.rfind("\n"), source.multiline
        )
    if not text.strip():
        raise ParseError("the expression is empty")
    limit = sys.getrecursionlimit()
    try:
        # ast's C code allows nesting of 3 × the recursion limit; 4000 admits sums of ~11,000 terms
        # while keeping its C stack far below the 8 MB a thread gets.
        sys.setrecursionlimit(max(limit, 4000))
        module = ast.parse(source.python, mode="exec")
    except SyntaxError as e:
        reason = (e.msg or "invalid syntax").replace("perhaps you forgot a comma?", "").strip(" ?.")
        line = e.lineno or 1
        offset = (e.offset or 1) - 1
        if "Exceeds the limit" in reason:
            reason = "a number with too many digits"
            # Python reports no column for this one: point at the longest run of digits on the line.
            runs = re.finditer(r"\d+", source.python_lines[min(line, len(source.python_lines)) - 1])
            longest = max(runs, key=lambda m: len(m.group()), default=None)
            offset = longest.start() if longest else 0
        if "nested" in reason:
            raise ParseError("the expression is nested too deeply", line, 1, source.multiline) from None
        raise source.error(f"syntax error: {reason}", line=line, offset=offset) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ParseError("the expression is nested too deeply or too long for the parser") from None
    finally:
        sys.setrecursionlimit(limit)
    return _Builder(source).program(module)


class _Builder:
    """Walks the (whitelisted) `ast` and emits nodes, folding constants into gates."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.nodes: list[Node] = []
        self.names: dict[str, Operand] = {}  # names given by the program or created as inputs
        # id of an ast.Call -> the function's name and the parameters its operands fill
        self.call_slots: dict[int, tuple[str, list[str]]] = {}

    def program(self, module: ast.Module) -> Graph:
        if not module.body:
            raise ParseError("the expression is empty")
        output: Operand = Const(0.0)
        for k, statement in enumerate(module.body):
            last = k == len(module.body) - 1
            if isinstance(statement, ast.Assign):
                if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                    raise self.source.error("assign to one plain name, like q = x + y", statement)
                target = statement.targets[0].id
                if target in FUNCTIONS:
                    raise self.source.error(f"'{target}' is a function name and cannot be assigned", statement)
                output = self._name_value(target, self.expression(statement.value))
            elif isinstance(statement, ast.Expr):
                if not last:
                    raise self.source.error(
                        "only the last line may be a bare expression; name this value (name = …)", statement
                    )
                output = self.expression(statement.value)
            elif isinstance(statement, ast.AugAssign):
                raise self.source.error("'+=' and similar are not allowed; write q = q + …", statement)
            else:
                kind = type(statement).__name__.lower()
                raise self.source.error(f"'{kind}' statements are not allowed", statement)
        return self._finish(self._node(output))

    def _name_value(self, target: str, value: Operand) -> Operand:
        if isinstance(value, int) and self.nodes[value].op != "input" and self.nodes[value].name is None:
            self.nodes[value] = replace(self.nodes[value], name=target)
        self.names[target] = value
        return value

    def expression(self, root: ast.expr) -> Operand:
        """Post-order walk with an explicit stack: long chains like x+x+…+x never hit recursion limits."""
        results: list[Operand] = []
        todo: list[tuple[ast.AST, list[ast.AST] | None]] = [(root, None)]
        while todo:
            node, children = todo.pop()
            if children is None:
                children = self._children(node)
                todo.append((node, children))
                todo.extend((child, None) for child in reversed(children))
            else:
                args = results[len(results) - len(children) :]
                del results[len(results) - len(children) :]
                results.append(self._combine(node, args))
        return results[0]

    def _children(self, node: ast.AST) -> list[ast.AST]:
        """The operands of a whitelisted node; raises for everything else."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                symbol = _BAD_OPERATORS.get(type(node.op), type(node.op).__name__)
                raise self._operator_error(node, f"operator '{symbol}' is not supported; use + - * / ** or ^")
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
                raise self.source.error(f"operator '{symbol}' is not supported", node)
            return [node.operand]
        if isinstance(node, ast.Call):
            return self._call_operands(node)
        if isinstance(node, (ast.Constant, ast.Name)):
            return []
        message = _NOT_ALLOWED.get(type(node), f"'{type(node).__name__}' is not allowed")
        raise self.source.error(message, node)

    def _operator_error(self, node: ast.BinOp, message: str) -> ParseError:
        # ast does not record where the operator is: find it between the two operands.
        line = node.left.end_lineno or node.lineno
        text = self.source.python_lines[line - 1]
        start = len(text.encode()[: node.left.end_col_offset or 0].decode(errors="ignore"))
        offset = start + len(text[start:]) - len(text[start:].lstrip(" \t)"))
        return self.source.error(message, line=line, offset=offset)

    def _call_operands(self, node: ast.Call) -> list[ast.AST]:
        if not isinstance(node.func, ast.Name):
            raise self.source.error("only the known functions can be called: " + KNOWN, node)
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self.source.error(f"unknown function '{name}'; known: {KNOWN}", node)
        slots = list(spec.operands) + list(spec.params)
        given: dict[str, ast.AST] = {}
        starred = next((a for a in node.args if isinstance(a, ast.Starred)), None)
        if starred is not None:
            raise self.source.error(_NOT_ALLOWED[ast.Starred], starred)
        if len(node.args) > len(slots):
            raise self.source.error(f"{name}() takes {_count(spec)}, got {len(node.args)}", node)
        for slot, arg in zip(slots, node.args):
            given[slot] = arg
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg not in slots:
                shown = "**" if keyword.arg is None else keyword.arg
                raise self.source.error(f"{name}() has no parameter '{shown}'; parameters: {', '.join(slots)}", node)
            if keyword.arg in given:
                raise self.source.error(f"{name}() got '{keyword.arg}' twice", node)
            given[keyword.arg] = keyword.value
        missing = [s for s in spec.operands if s not in given]
        if missing:
            raise self.source.error(f"{name}() takes {_count(spec)}, got {len(given)}", node)
        # Which parameter each operand fills, in the order the operands' results will come back.
        filled = [s for s in slots if s in given]
        self.call_slots[id(node)] = (name, filled)
        return [given[s] for s in filled]

    def _combine(self, node: ast.AST, args: list[Operand]) -> Operand:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            (a,) = args
            return a if isinstance(node.op, ast.UAdd) else self._scale(a, -1.0)
        if isinstance(node, ast.BinOp):
            return self._binary(_BINARY[type(node.op)], args[0], args[1])
        return self._call(id(node), node, args)

    def _constant(self, node: ast.Constant) -> Const:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "strings are" if isinstance(value, (str, bytes)) else f"{type(value).__name__} values are"
            if isinstance(value, complex):
                what = "complex numbers are"
            raise self.source.error(f"{what} not allowed", node)
        try:
            return Const(float(value))
        except OverflowError:
            return Const(math.inf)

    def _name(self, node: ast.Name) -> Operand:
        name = node.id
        if name in FUNCTIONS:
            raise self.source.error(f"'{name}' is a function; call it like {name}(x)", node)
        if name not in self.names:
            self.names[name] = self._add("input", (), name=name)
        return self.names[name]

    def _call(self, call_id: int, node: ast.AST, args: list[Operand]) -> Operand:
        name, filled = self.call_slots.pop(call_id)  # `_call_operands` checked the call
        spec = FUNCTIONS[name]
        by_slot = dict(zip(filled, args))
        params = []
        for param, default in spec.params.items():
            value = by_slot.get(param, Const(default))
            if not isinstance(value, Const):
                raise self.source.error(f"{param} of {name}() must be a number", node)
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
        args = tuple(self._node(x) for x in operands)
        return self._add(op, args, params=() if param is None else (float(param),))

    def _node(self, operand: Operand) -> int:
        if isinstance(operand, Const):
            return self._add("const", (), params=(operand.value,))
        return operand

    def _add(self, op: str, args: tuple[int, ...], params: tuple[float, ...] = (), name: str | None = None) -> int:
        self.nodes.append(Node(len(self.nodes), op, args, params, name))
        return len(self.nodes) - 1

    def _finish(self, output: int) -> Graph:
        """Keep only what the output depends on, renumbered in topological order."""
        needed = {output}
        for node in reversed(self.nodes[: output + 1]):
            if node.id in needed:
                needed.update(node.args)
        new_id: dict[int, int] = {}
        nodes: list[Node] = []
        for node in self.nodes:
            if node.id in needed:
                new_id[node.id] = len(nodes)
                nodes.append(replace(node, id=len(nodes), args=tuple(new_id[a] for a in node.args)))
        inputs = tuple(n.name for n in nodes if n.op == "input" and n.name is not None)
        return Graph(tuple(nodes), inputs, new_id[output], self.source.text)


def _count(spec: FunctionSpec) -> str:
    n = len(spec.operands)
    words = f"{n} argument{'s' if n > 1 else ''}"
    if spec.params:
        words += " (and optional " + ", ".join(f"{k}={v:g}" for k, v in spec.params.items()) + ")"
    return words
