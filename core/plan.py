"""The compiled plan: a `Graph` worked out once into flat rows for the interpreter's two loops.

Each gate is one row of small ints (what kind of gate, its node id, its arguments' ids) and what
its kind needs (an operator, a constant local gradient, a local-gradient function), the jaxpr way;
the forward rows in topological order, the backward rows reversed, with each argument's "already
has a gradient" flag (`core.interpreter.add_at_fan_out` sums there) known before any run. The
loops that read the rows are `core.interpreter`'s.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.graph import Graph
from core.ops import SCALAR_MATH, Op

# What kind of gate a row of `Plan.forward` is: the forward loop branches on it once per gate (small
# ints compared with `==`, the commonest first). a·b and a+b are written out in the loop (one bytecode
# each, no call); the other operators of two values are called as they are (`Op.plain`, e.g.
# `operator.sub`), with no Python frame between. A gate of one argument and a parameter with a plain
# operator (x+c, c·x, x/c) is such a gate too: its parameter waits in a slot of `values` past the
# nodes (`Plan.params`), and `b` points there; so does the parameter of every other one-argument gate.
MUL = 1  # values[a] * values[b]
ADD = 2  # values[a] + values[b]
PLAIN = 3  # fn(values[a], values[b])
UNARY = 4  # fn(xp, values[a], param), the parameter (or None) in values[b]
BINARY = 5  # fn(xp, values[a], values[b], param), the parameter in `Plan.binary_params`
WIDE = 6  # a folded gate of three or more arguments (`core.fold`): arguments and parameter in `Plan.wide`

# What kind of gate a row of `Plan.backward` is: how its local gradients are had. Those known before
# any run (they depend on the parameter only) are in the row, and a local gradient of exactly 1 is
# known to be one there: the upstream gradient is passed on, not multiplied (a pass over a grid).
SCALE = 1  # one argument, local gradient the constant `local` (c·x → c, x/c → 1/c)
PRODUCT = 2  # a·b: each argument's local gradient is the other argument's value
SUM = 3  # a+b: both local gradients are 1
PASS = 4  # one argument, local gradient 1 (x+c)
CALL = 5  # one argument: `local` = (local_grads, param), called as local_grads(xp, out, a, param)
CALL_BINARY = 6  # two arguments: the same, local_grads(xp, out, a, b, param) → (local_a, local_b)
CONSTANT = 7  # two arguments, local gradients the constants `local` = (local_a, local_b), e.g. a−b → (1, −1)
CALL_WIDE = 8  # a folded gate of three or more arguments: `local` as for CALL


class ForwardGate(NamedTuple):
    """The fields of one row of `Plan.forward`: one gate as the forward loop reads it."""

    node: int
    kind: int  # MUL, ADD, PLAIN, UNARY, BINARY or WIDE
    a: int
    b: int  # the second argument, or the slot of the parameter (past the nodes) of a one-argument gate
    forward: Callable[..., Any] | None  # None for MUL and ADD


class BackwardGate(NamedTuple):
    """The fields of one row of `Plan.backward`: one gate as the backward loop reads it."""

    node: int
    kind: int  # SCALE, PRODUCT, SUM, PASS, CALL, CALL_BINARY, CONSTANT or CALL_WIDE
    a: int
    b: int  # `a` again for a gate of one argument
    local: Any  # the constant(s) of SCALE, PASS and CONSTANT; (Op.local_grads, param) of the CALLs
    a_fans_out: bool  # `a` already got a gradient from a gate later in the graph: add to it
    b_fans_out: bool


# The rows are stored as plain tuples: CPython unpacks an exact tuple in a `for` header faster than
# a NamedTuple (a subclass), which is ~15% of the scalar loops, and each field less is ~3% more.
# `Plan.forward_gates()` and `Plan.backward_gates()` give the named view.
ForwardRow = tuple[int, int, int, int, Callable[..., Any] | None]
BackwardRow = tuple[int, int, int, int, Any, bool, bool]


@dataclass(frozen=True)
class Plan:
    """A graph compiled for the two loops: its leaves, its gates both ways, and what gets no gradient."""

    size: int
    input_ids: tuple[int, ...]  # node ids of `graph.inputs`, in that order
    constants: tuple[tuple[int, float], ...]  # (node id, value)
    forward: tuple[ForwardRow, ...]  # topological order
    backward: tuple[BackwardRow, ...]  # reversed, only the gates the output depends on
    unreached: tuple[int, ...]  # nodes the output does not depend on: gradient 0
    output: int
    # A folded gate of three or more arguments (`core.fold`): its arguments, whether each fans out
    # and its parameter. Rare, so the rows of the ordinary gates stay as they are.
    wide: dict[int, tuple[tuple[int, ...], tuple[bool, ...], float | None]] = field(default_factory=dict)
    # The parameters of the one-argument gates, each distinct one once: the forward loop holds them
    # in `values` from index `size` on (and cuts them off before returning the values).
    params: tuple[float | None, ...] = ()
    binary_params: dict[int, float | None] = field(default_factory=dict)  # by node id, for BINARY rows

    def forward_gates(self) -> list[ForwardGate]:
        return [ForwardGate(*row) for row in self.forward]

    def backward_gates(self) -> list[BackwardGate]:
        return [BackwardGate(*row) for row in self.backward]


def compile_plan(graph: Graph) -> Plan:
    """Everything about the two loops that does not depend on the numbers, worked out once."""
    reached = {graph.output}
    for node in reversed(graph.nodes):
        if node.id in reached:
            reached.update(node.args)
    size = len(graph.nodes)
    slots: dict[str, int] = {}  # a parameter (by its exact bits: float.hex) → its slot in `values`
    params: list[float | None] = []
    forward: list[ForwardRow] = []
    wide: dict[int, tuple[tuple[int, ...], tuple[bool, ...], float | None]] = {}
    binary_params: dict[int, float | None] = {}
    for node in graph.gates:
        op, args, param = node.operation, node.args, node.param
        plain = op.plain
        if op.arity == 1:
            key = "none" if param is None else float(param).hex()
            if key not in slots:
                slots[key] = size + len(params)
                params.append(param)
            b = slots[key]
        else:
            b = args[1] if op.arity == 2 else -1
        if op.arity > 2:
            wide[node.id] = (args, (), param)
            forward.append((node.id, WIDE, args[0], b, op.forward))
        elif plain is None:
            if op.arity == 2:
                binary_params[node.id] = param
            forward.append((node.id, UNARY if op.arity == 1 else BINARY, args[0], b, op.forward))
        elif plain is operator.mul or plain is operator.add:
            forward.append((node.id, MUL if plain is operator.mul else ADD, args[0], b, None))
        else:
            forward.append((node.id, PLAIN, args[0], b, plain))
    backward: list[BackwardRow] = []
    has_gradient: set[int] = set()  # filled in backward order: who already got a contribution
    known: dict[tuple[str, str], tuple[int, Any]] = {}  # (op, parameter's bits) → its kind and constant(s)
    for node in reversed(graph.gates):
        if node.id not in reached:
            continue
        op, param = node.operation, node.param
        if op.arity > 2:
            args = node.args
            wide[node.id] = (args, tuple(arg in has_gradient for arg in args), param)
            has_gradient.update(args)
            backward.append((node.id, CALL_WIDE, args[0], -1, (op.local_grads, param), False, False))
            continue
        unary = op.arity == 1
        a, b = node.args[0], node.args[0 if unary else 1]
        local: Any = (op.local_grads, param)
        if op.product:
            kind, local = PRODUCT, None
        elif op.constant_local_grads:  # they depend on the parameter only: worked out once per parameter
            which = (op.name, "none" if param is None else float(param).hex())
            if which not in known:
                known[which] = _constant_local_grads(op, param)
            kind, local = known[which]  # one float object for each distinct constant (compact memory)
        else:
            kind = CALL if unary else CALL_BINARY
        a_fans_out = a in has_gradient
        has_gradient.add(a)
        b_fans_out = not unary and b in has_gradient
        has_gradient.add(b)
        backward.append((node.id, kind, a, b, local, a_fans_out, b_fans_out))
    forward_rows, backward_rows = _compact(forward, backward, size + len(params))
    return Plan(
        size=size,
        input_ids=tuple(graph.input_ids[name] for name in graph.inputs),
        constants=tuple((node.id, node.params[0]) for node in graph.nodes if node.op == "const"),
        forward=forward_rows,
        backward=backward_rows,
        unreached=tuple(node.id for node in graph.nodes if node.id not in reached),
        output=graph.output,
        wide=wide,
        params=tuple(params),
        binary_params=binary_params,
    )


def _constant_local_grads(op: Op, param: float | None) -> tuple[int, Any]:
    """The kind of backward row and the local gradient(s) of a gate whose local gradients depend on
    its parameter only: they are called on zeros."""
    if op.arity == 1:
        local = float(op.local_grads(SCALAR_MATH, 0.0, 0.0, param))
        return (PASS if local == 1.0 else SCALE), local
    found = op.local_grads(SCALAR_MATH, 0.0, 0.0, 0.0, param)
    pair = (float(found[0]), float(found[1]))
    return (SUM if pair == (1.0, 1.0) else CONSTANT), pair


def _compact(forward: list[ForwardRow], backward: list[BackwardRow], slots: int) -> tuple[Any, Any]:
    """The same rows, built again in one go with fresh int objects side by side in memory (`range`'s)
    for the ids above 256 (CPython caches the small ones): the loops then read a few compact blocks
    of memory, not ids strewn over the heap by the parser (~15% of the scalar loops' time on a
    10k-node graph)."""
    ids = list(range(slots))
    ids.append(-1)  # ids[-1]: b of a gate of three or more arguments stays -1
    return (
        tuple([(ids[node], kind, ids[a], ids[b], fn) for node, kind, a, b, fn in forward]),
        tuple([(ids[node], kind, ids[a], ids[b], local, fa, fb) for node, kind, a, b, local, fa, fb in backward]),
    )


def plan_for(graph: Graph) -> Plan:
    # Cached on the graph: compiling is the only per-graph cost, evaluation is the per-call cost.
    plan: Plan | None = graph.__dict__.get("_plan")
    if plan is None:
        plan = compile_plan(graph)
        object.__setattr__(graph, "_plan", plan)
    return plan
