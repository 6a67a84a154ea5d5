"""The expression language's vocabulary: its functions, what `ast` nodes and operators it refuses
(with the words to say so), the names that are not numbers, and `ParseError`. The parser
(`core.parser`) and the gate lines (`core.gate_lines`) both read from here."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Not names: an input called `inf` set to 1 would silently stand for infinity. nan and inf are what a
# gate gives when it breaks, and the debugger reports where that happened; they are never typed in.
NOT_NUMBERS = frozenset({"nan", "inf", "infinity"})
NOT_NUMBERS_MESSAGE = (
    "'{name}': nan/inf are not numbers you can type; they are what a gate gives when it breaks "
    "(log(-1), 1/0). For a very large number write one, like 1e300"
)


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

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
BAD_OPERATORS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
NOT_ALLOWED = {
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


def arguments_text(spec: FunctionSpec) -> str:
    n = len(spec.operands)
    words = f"{n} argument{'s' if n > 1 else ''}"
    if spec.params:
        words += " (and optional " + ", ".join(f"{k}={v:g}" for k, v in spec.params.items()) + ")"
    return words
