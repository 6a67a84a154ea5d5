"""What the inspector says about a node that was clicked: its value and gradient at the cursor, its
local derivative with numbers, and the steps where they are computed (links that go there).

Plain text in, rich text out (no widget): every number comes from the trace, formatted by numbers.py.
"""

from __future__ import annotations

import html

import core
from graphviz_app.debugger.state import AppState
from graphviz_app.numbers import factor, number
from graphviz_app.theme import Colors

STEP_LINK = "step:"  # an inspector link that moves the cursor to the step after it ("step:7")


def computed_at(trace: core.Trace, node_id: int) -> tuple[int | None, int | None]:
    """The cursors at which the node's value and its (final) gradient are first known; None: never in
    this trace (an input's value is known from the start: 0)."""
    value = 0 if not any(isinstance(s, core.ForwardStep) and s.node == node_id for s in trace.steps) else None
    grad = None
    for step in trace.steps:
        if isinstance(step, core.ForwardStep) and step.node == node_id and value is None:
            value = step.index + 1
        if isinstance(step, core.BackwardStep) and any(a.arg == node_id for a in step.args):
            grad = step.index + 1  # the last contribution makes it final
        if isinstance(step, core.BackwardStep) and step.node == node_id and not step.args and grad is None:
            grad = step.index + 1
    return value, grad


def node_card(state: AppState, node_id: int, names: dict[int, str], c: Colors) -> str:
    """The clicked node, as rich text for the inspector."""
    graph = state.graph
    node = graph.nodes[node_id]
    name = html.escape(names[node_id])
    st = state.state()
    value, grad = st.values.get(node_id), st.grads.get(node_id)
    value_at, grad_at = computed_at(state.trace, node_id)
    if node_id == graph.output and state.trace.mode != "forward":
        grad_at = state.forward_count if grad_at is None else grad_at  # ∂f/∂f = 1 as the backward pass starts
    kind = "gate" if node.args else ("constant" if node.op == "const" else "input")
    what = f"{kind} <b>{html.escape(node.symbol)}</b>" + (
        f" <span style='color:{c.muted}'>({name}, op {html.escape(node.op)})</span>" if node.args else ""
    )
    out = [f"<p style='font-size:x-large; margin:4px 0'><b>Node</b>: {what}</p>"]
    out.append(_line("value", name, value, value_at, state, c.value, c))
    if state.trace.mode != "forward":
        out.append(_line("gradient ∂f/∂", name, grad, grad_at, state, c.grad, c))
    if node.args:
        out.append(f"<p style='color:{c.muted}'>local derivative: {html.escape(node.formula)}</p>")
        backward = next((s for s in state.trace.steps if isinstance(s, core.BackwardStep) and s.node == node_id), None)
        if backward is not None and state.cursor > backward.index:
            for ag in backward.args:
                out.append(f"<p>∂{name}/∂{html.escape(names[ag.arg])} = {html.escape(factor(ag.local_grad))}</p>")
        elif backward is not None:
            out.append(
                f"<p style='color:{c.muted}'>its local derivatives are evaluated at "
                f"<a href='{STEP_LINK}{backward.index + 1}' style='color:{c.text}'>step {backward.index + 1}</a></p>"
            )
    out.append(f"<p style='color:{c.muted}'>→ or ← goes back to the steps</p>")
    return "".join(out)


def _line(label: str, name: str, x: float | None, at: int | None, state: AppState, colour: str, c: Colors) -> str:
    """ "value = 0.73 (computed at step 7)" or "value: not computed yet (step 7 computes it)"."""
    title = f"{label}{name}" if label.endswith("∂") else label
    where = "" if at is None or at == 0 else f"<a href='{STEP_LINK}{at}' style='color:{c.text}'>step {at}</a>"
    if x is None:
        when = f" ({where} computes it)" if where else ""
        return f"<p>{title}: <span style='color:{c.muted}'>not computed yet{when}</span></p>"
    shown = f"<b style='color:{colour if abs(x) != float('inf') and x == x else c.warn}'>{html.escape(number(x))}</b>"
    return f"<p style='font-size:large'>{title} = {shown}" + (f" (computed at {where})" if where else "") + "</p>"
