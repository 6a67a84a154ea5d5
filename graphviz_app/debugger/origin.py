"""Where a nan or an inf began, as the debugger shows it: the step that made it, the way it went, and
what usually causes it.

Qt-free: `core.Result.problems` finds the origins (`core.diagnosis`); this module only maps the first
of them onto the step trace (the cursor to jump to), onto the graph (the nodes and edges it passed
through) and onto words a learner can act on (log of 0, exp overflow, a difference that became 0, a
learning rate too large).
"""

from __future__ import annotations

from dataclasses import dataclass

import core

# What usually makes each kind of origin happen, in the words of a training run that went wrong.
_LEARNING_RATE = "in training, a learning rate too large makes the weights grow until something overflows"


@dataclass(frozen=True)
class Origin:
    """The first `core.Problem` of a run, placed on the trace and on the graph.

    `cursor`: the cursor just after the step that made it (0 for an input or constant that is nan
    itself). `path`: the nodes the nan went through: from a value origin on to the output; from a
    gradient origin back towards the inputs, as the backward pass carries it. `edges`: (arg, user)
    pairs joining two nodes of the path."""

    problem: core.Problem
    cursor: int
    path: frozenset[int]
    edges: frozenset[tuple[int, int]]
    cause: str
    nodes: frozenset[int]  # every origin on the trace (the first is `problem.node`)


def find_origin(graph: core.Graph, result: core.Result, trace: core.Trace) -> Origin | None:
    """The first origin of `result` on `trace`, or None when every number is finite."""
    # A forward-mode trace has no backward pass: only value origins are on it.
    problems = [p for p in result.problems if p.where == "value" or trace.mode != "forward"]
    if not problems:
        return None
    problem = problems[0]
    path = _downstream(graph, problem.node) if problem.where == "value" else _upstream(graph, problem.node)
    edges = frozenset((arg, node.id) for node in graph.nodes if node.id in path for arg in node.args if arg in path)
    cause = usual_cause(graph, problem)
    return Origin(
        problem, step_after(trace, problem), frozenset(path), edges, cause, frozenset(p.node for p in problems)
    )


def step_after(trace: core.Trace, problem: core.Problem) -> int:
    """The cursor just after the step where `problem` began (its forward or its backward step)."""
    phase = "forward" if problem.where == "value" else "backward"
    for step in trace.steps:
        if step.node == problem.node and step.phase == phase:
            return step.index + 1
    return 0  # a leaf: nan before any step is played


def _downstream(graph: core.Graph, start: int) -> set[int]:
    """`start` and the nodes on a way from it to the output."""
    reach, todo = {start}, [start]
    while todo:
        for user in graph.users[todo.pop()]:
            if user not in reach:
                reach.add(user)
                todo.append(user)
    return (reach & _upstream(graph, graph.output)) | {start}


def _upstream(graph: core.Graph, start: int) -> set[int]:
    """`start` and every node it is computed from."""
    reach, todo = {start}, [start]
    while todo:
        for arg in graph.nodes[todo.pop()].args:
            if arg not in reach:
                reach.add(arg)
                todo.append(arg)
    return reach


def usual_cause(graph: core.Graph, problem: core.Problem) -> str:
    """What usually leads to this kind of origin at this kind of gate, in a sentence."""
    op, kind = graph.nodes[problem.node].op, problem.kind
    if kind == "input":
        return "an input was set to nan or ∞ — often a number copied from a run that had already diverged"
    if op == "log" and problem.where == "value":
        return (
            "the log of a probability that became exactly 0 (a sigmoid or softmax that saturated); "
            "losses add a small ε inside the log, or use log-softmax"
        )
    if op == "exp":
        return (
            "exp overflows above 709: usually a softmax that does not subtract the largest input first, "
            f"or {_LEARNING_RATE}"
        )
    if op == "sqrt" or (op in ("pow", "pow_const") and kind == "domain"):
        return (
            "a root of a variance or distance that went slightly below 0 by rounding, or is exactly "
            "0 where the slope of √ is infinite; add a small ε under the root"
        )
    if kind == "division by zero":
        return (
            "dividing by a difference that became 0 (x − y with x = y), or by a norm or variance "
            "that vanished; add a small ε to the denominator"
        )
    if kind == "0·inf":
        return "an infinite local slope (√ or 1/x at 0) met a zero upstream gradient: 0·∞ is nan"
    if kind == "overflow":
        return f"numbers larger than a float holds (1.8e308): {_LEARNING_RATE}"
    if op == "log":
        return "the slope of log at 0 is infinite: a probability that became exactly 0"
    return f"a number outside what this gate is defined for; {_LEARNING_RATE}"
