"""The same computation in PyTorch: a graph → a self-contained script that prints its gradients.

    script = core.to_pytorch(core.parse("(x + y) * z"), {"x": -2, "y": 5, "z": -4})

The script builds the expression on float64 tensors with `requires_grad=True`, calls `backward()`
and prints one line per input, `d<output>/d<name> = <gradient>`. Every gate maps to the torch
function whose kink and tie rules are the engine's (see core/ops.py): relu'(0) = 0 (torch.relu),
abs'(0) = 0 (torch.abs), max/min split a tie equally (torch.maximum/minimum), x**0 has slope 0,
leaky_relu/elu take the x ≤ 0 branch at 0, prelu is written as torch.where so that its slope
in α is 0 for x > 0, softplus is torch.logaddexp(x, 0) (exact for every x, where F.softplus
switches to x above its threshold). A gate the program defines becomes a Python function; one with
derivative lines of its own becomes a torch.autograd.Function that uses them, as the engine does.
Text only: this module never imports torch.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping

from core.graph import Fold, Graph, Node

# Names the script itself uses: a value of the user's with one of these names is renamed.
_RESERVED = frozenset({"torch", "F", "print", "float", "ctx", "grad_out", "tensor"})

_UNARY: dict[str, str] = {
    "recip": "torch.reciprocal({a})",
    "exp": "torch.exp({a})",
    "log": "torch.log({a})",
    "sqrt": "torch.sqrt({a})",
    "abs": "torch.abs({a})",
    "sin": "torch.sin({a})",
    "cos": "torch.cos({a})",
    "tanh": "torch.tanh({a})",
    "sigmoid": "torch.sigmoid({a})",
    "relu": "torch.relu({a})",
    "softplus": "torch.logaddexp({a}, torch.zeros_like({a}))",
    "add_const": "{a} + {p}",
    "mul_const": "{a} * {p}",
    "div_const": "{a} / {p}",
    "pow_const": "{a} ** {p}",
    "leaky_relu": "F.leaky_relu({a}, negative_slope={p})",
    "elu": "F.elu({a}, alpha={p})",
}
_BINARY: dict[str, str] = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "pow": "torch.pow({a}, {b})",
    "max": "torch.maximum({a}, {b})",
    "min": "torch.minimum({a}, {b})",
    "prelu": "torch.where({a} > 0, {a}, {b} * {a})",
}
TORCH_EXPRESSIONS: dict[str, str] = {**_UNARY, **_BINARY}
"""The torch expression of each op of core.ops (a, b: the operands, p: the gate's parameter)."""


def number(value: float) -> str:
    """A float as Python source that reads back exactly (inf and nan included)."""
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else '-float("inf")'
    return repr(float(value))


class _Names:
    """Unique, valid Python names for the script's variables."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def fresh(self, wish: str | None, fallback: str) -> str:
        base = wish if wish and wish.isidentifier() and not keyword.iskeyword(wish) else fallback
        if base in _RESERVED or base.startswith(("gate_", "Gate_")):
            base = f"{base}_"
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


class _Writer:
    def __init__(self) -> None:
        self.definitions: list[str] = []  # functions and classes of the program's gates
        self.gates: dict[int, str] = {}  # id(fold) -> what to call

    def body(
        self, graph: Graph, arguments: Mapping[str, str], names: _Names, indent: str, output: str | None = None
    ) -> tuple[list[str], str]:
        """The statements computing `graph` from variables `arguments` (input name → variable),
        and the variable holding its output."""
        lines: list[str] = []
        var: dict[int, str] = {}
        temp = 0
        used = _used(graph)
        for node in graph.nodes:
            if node.id not in used:
                continue
            if node.op == "input":
                var[node.id] = arguments[node.name or ""]
                continue
            if node.op == "const":
                var[node.id] = names.fresh(node.name, f"c{node.id}")
                lines.append(f"{indent}{var[node.id]} = torch.tensor({number(node.params[0])}, dtype=torch.float64)")
                continue
            temp += 1
            wish = node.name or (output if node.id == graph.output else None)
            var[node.id] = names.fresh(wish, f"t{temp}")
            lines.append(f"{indent}{var[node.id]} = {self.expression(node, [var[a] for a in node.args])}")
        return lines, var[graph.output]

    def expression(self, node: Node, args: list[str]) -> str:
        if node.op == "fold":
            assert node.fold is not None
            return f"{self.gate(node.fold)}({', '.join(args)})"
        template = TORCH_EXPRESSIONS.get(node.op)
        if template is None:
            raise ValueError(f"no PyTorch counterpart for the gate {node.op!r}")
        p = number(node.params[0]) if node.params else ""
        if p.startswith("-"):
            p = f"({p})"
        a = args[0]
        b = args[1] if len(args) > 1 else ""
        return template.format(a=a, b=b, p=p)

    def gate(self, fold: Fold) -> str:
        """The name to call a folded or defined gate by; its definition is written once."""
        known = self.gates.get(id(fold))
        if known is not None:
            return known
        taken = set(self.gates.values())
        base = f"gate_{fold.name}" if fold.name.isidentifier() else f"gate_{len(taken) + 1}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        function = self._function(f"{name}_body" if fold.derivatives else name, fold.body)
        self.definitions.append(function)
        if fold.derivatives:
            self.definitions.append(self._autograd_class(name, fold))
            self.gates[id(fold)] = f"{name}.apply"
        else:
            self.gates[id(fold)] = name
        return self.gates[id(fold)]

    def _function(self, name: str, graph: Graph, parameters: tuple[str, ...] | None = None) -> str:
        names = _Names()
        arguments = {argument: names.fresh(argument, f"a{i}") for i, argument in enumerate(parameters or graph.inputs)}
        lines, output = self.body(graph, arguments, names, "    ")
        head = f"def {name}({', '.join(arguments.values())}):"
        doc = f'    """{graph.source}"""' if graph.source and '"""' not in graph.source else None
        return "\n".join([head, *([doc] if doc else []), *lines, f"    return {output}"])

    def _autograd_class(self, name: str, fold: Fold) -> str:
        body = fold.body
        given = dict(fold.derivatives)
        names = _Names({"out"})
        arguments = [names.fresh(argument, f"a{i}") for i, argument in enumerate(body.inputs)]
        signature = ", ".join(arguments)
        lines = [
            f"class {name}(torch.autograd.Function):",
            f'    """{fold.name}: the program\'s own derivative lines, trusted as the app trusts them."""',
            "",
            "    @staticmethod",
            f"    def forward(ctx, {signature}):",
            f"        out = {name}_body({signature})",
            f"        ctx.save_for_backward({signature}, out)",
            "        return out",
            "",
            "    @staticmethod",
            "    def backward(ctx, grad_out):",
            f"        {signature}, out = ctx.saved_tensors",
        ]
        through = [a for a, v in zip(body.inputs, arguments) if a not in given]
        if through:  # an argument without a line of its own: differentiated through the body
            detached = {a: f"{v}_" for a, v in zip(body.inputs, arguments)}
            lines.append("        with torch.enable_grad():")
            for a, v in zip(body.inputs, arguments):
                lines.append(f"            {detached[a]} = {v}.detach().requires_grad_({a in through})")
            wrt = ", ".join(detached[a] for a in through)
            lines.append(
                f"            through = torch.autograd.grad({name}_body({', '.join(detached.values())}), "
                f"({wrt},), allow_unused=True)"
            )
        results = []
        for a, v in zip(body.inputs, arguments):
            if a in given:
                graph = given[a]
                env = dict(zip(body.inputs, arguments)) | {"out": "out"}
                inner = _Names({*arguments, "out"})
                statements, output = self.body(graph, {k: env[k] for k in graph.inputs}, inner, "        ")
                lines.append(f"        # d {fold.name} / d {a} = {graph.source}")
                lines.extend(statements)
                lines.append(f"        d_{v} = grad_out * {output}")
            else:
                i = through.index(a)
                lines.append(
                    f"        d_{v} = grad_out * through[{i}] if through[{i}] is not None else torch.zeros_like({v})"
                )
            results.append(f"d_{v}")
        lines.append(f"        return {', '.join(results)}")
        return "\n".join(lines)


def _used(graph: Graph) -> set[int]:
    """The nodes the output depends on (inputs always count: the script prints their gradients)."""
    used = {graph.output}
    for node in reversed(graph.nodes):
        if node.id in used:
            used.update(node.args)
    return used | set(graph.input_ids.values())


def output_name(graph: Graph) -> str:
    """The program's name for its output, or `f` for a bare expression."""
    node = graph.nodes[graph.output]
    return node.name if node.op != "input" and node.name else "f"


def to_pytorch(graph: Graph, inputs: Mapping[str, float]) -> str:
    """A self-contained Python script computing `graph` at `inputs` with torch, printing
    d<output>/d<input> for every input, exactly as the app computes them."""
    missing = [name for name in graph.inputs if name not in inputs]
    if missing:
        raise ValueError(f"no value for the input{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    writer = _Writer()
    names = _Names()
    output = output_name(graph)
    arguments = {name: names.fresh(name, f"x{i}") for i, name in enumerate(graph.inputs)}
    lines, result = writer.body(graph, arguments, names, "", output)
    source = [line.rstrip() for line in graph.source.strip().splitlines()]
    head = [
        "# The same computation in PyTorch, written by graphviz-app from:",
        *(f"#     {line}" for line in source),
        "",
        "import torch",
        "import torch.nn.functional as F",
        "",
    ]
    leaves = [
        f"{var} = torch.tensor({number(float(inputs[name]))}, dtype=torch.float64, requires_grad=True)"
        for name, var in arguments.items()
    ]
    tail = [
        "",
        f"if {result}.requires_grad:  # False only when the output is a constant",
        f"    {result}.backward()",
        f"for leaf in ({', '.join(arguments.values())}{',' if len(arguments) == 1 else ''}):",
        "    if leaf.grad is None:  # an input the output does not depend on: its gradient is 0",
        "        leaf.grad = torch.zeros_like(leaf)",
        "",
        *(f'print(f"d{output}/d{name} = {{{var}.grad.item()!r}}")' for name, var in arguments.items()),
    ]
    gates = ["\n\n\n".join(writer.definitions), "", ""] if writer.definitions else []
    return "\n".join([*head, *gates, *leaves, *lines, *tail]) + "\n"
