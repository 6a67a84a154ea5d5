"""Forward mode as the debugger writes it: dotted names and the tangent rule with its numbers.

`q̇ = ẋ + ẏ = 1 + 0 = 1`, `ḟ = ∂f/∂q·q̇ + ∂f/∂z·ż = (-4)·1 + (-2)·0 = -4`: every number comes from
the trace's `core.TangentStep` (its argument tangents and local gradients); nothing is differentiated
here. Qt-free; the colour tangents are drawn in is here too, so the canvas and the inspector agree.
"""

from __future__ import annotations

import unicodedata

import core
from graphviz_app.theme import fmt, fmt_factor

# Tangents get a colour of their own: not the values' green nor the gradients' red (violet, as in
# colah's "Calculus on Computational Graphs" figures of forward-mode derivatives).
TANGENT_LIGHT = "#6a3fb5"
TANGENT_DARK = "#c3a6ff"
COMBINING_DOT = "\u0307"


def tangent_colour(dark: bool) -> str:
    return TANGENT_DARK if dark else TANGENT_LIGHT


def dotted(name: str) -> str:
    """The tangent of `name`: a dot over its first letter (q̇, ġ1), or (3)˙ for a number."""
    if not name or not name[0].isalpha():
        return f"({name})˙"
    return unicodedata.normalize("NFC", name[0] + COMBINING_DOT + name[1:])  # ẋ as one character where it has one


def tangent_rule(step: core.TangentStep, node: core.Node, me: str, args: list[str]) -> tuple[str, str]:
    """(symbolic, numeric) right-hand sides of the tangent rule at this gate, without `mė =`."""
    tangents, locals_ = step.input_tangents, step.local_grads
    if node.op in ("add", "sub"):  # the local gradients are ±1: q̇ = ẋ + ẏ
        sign = " + " if node.op == "add" else " − "
        symbolic = sign.join(dotted(a) for a in args)
        numeric = sign.join(fmt(t) if i == 0 else fmt_factor(t) for i, t in enumerate(tangents))
        return symbolic, numeric
    if len(args) == 1 and node.op in ("add_const",):  # q = x + c: q̇ = ẋ
        return dotted(args[0]), fmt(tangents[0])
    symbolic = " + ".join(f"∂{me}/∂{a}·{dotted(a)}" for a in args)
    numeric = " + ".join(f"{fmt_factor(g)}·{fmt_factor(t)}" for g, t in zip(locals_, tangents))
    return symbolic, numeric


def passes_line(inputs: int) -> str:
    """How many passes each mode needs for every derivative of a one-output graph with `inputs` inputs."""
    return (
        f"every ∂f/∂input: forward mode {inputs} pass{'es' * (inputs != 1)} (one per input) · "
        "reverse mode 1 (one per output)"
    )
