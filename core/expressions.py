"""One expression → nodes of a graph: the whitelisted `ast` walk, and constants folded into gates.

`ExpressionBuilder` turns an `ast` expression (numbers, names, `+ - * / **`, unary minus, calls of
`FUNCTIONS` and of the program's own gates) into `Node`s, folding constants into unary gates the way
the lecture draws them (`1 + e` → a `+1` gate, `-(…)` → `*-1`, `1/(…)` → `1/x`), and says what is
wrong, and where, as a `ParseError` for anything else. The program level (statements, lines too
deep for `ast`, gate lines) is `core.parser`'s builder, which extends this one.
"""

from __future__ import annotations

import ast
import math

import numpy as np

from core.gate_lines import OUT, GateDefinition
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
from core.source import Source


class ExpressionBuilder:
    """Walks the (whitelisted) `ast` of expressions and emits nodes, folding constants into gates."""

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
