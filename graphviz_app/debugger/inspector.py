"""The inspector dock: the step at the cursor written out with its actual numbers.

Forward:  `q = x + y = -2 + 5 = 3`
Backward: `∂f/∂x = ∂f/∂q · ∂q/∂x = (-4) · 1 = -4`, and at a fan-out the accumulation
`∂f/∂a += contribution: old + contribution = new`. Every number comes from the trace step
(`core.ForwardStep` / `core.BackwardStep`); nothing is computed here except the formatting.
"""

from __future__ import annotations

import html
import math

from PySide6.QtWidgets import QTextBrowser, QWidget

import core
from core.diagnosis import precision_note
from graphviz_app.debugger.gate_names import node_names
from graphviz_app.debugger.node_card import STEP_LINK, node_card
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState, computes_sigmoid
from graphviz_app.debugger.tangents import dotted, passes_line, tangent_colour, tangent_rule
from graphviz_app.numbers import number
from graphviz_app.theme import colors, fmt, fmt_factor, fmt_full

__all__ = ["Inspector", "apply_text", "node_names"]

INFIX = {"add": " + ", "sub": " − ", "mul": " · ", "div": " / ", "pow": " ^ "}
ORIGIN_LINK = "origin"  # the inspector's link to the step where the first nan began
INSPECTOR_POINT_SIZE = 15  # read from the back of a lecture hall


def apply_text(node: core.Node, operands: list[str]) -> str:
    """`a + b`, `1 / a`, `exp(a)` … with the operands given as text (names or numbers)."""
    p = node.param
    if node.op in INFIX:
        return INFIX[node.op].join(operands)
    a = operands[0]
    if node.op == "add_const":
        return f"{a} + {fmt(p)}" if p >= 0 else f"{a} − {fmt(-p)}"
    if node.op == "mul_const":
        return f"{fmt(p)} · {a}"
    if node.op == "div_const":
        return f"{a} / {fmt_factor(p)}"
    if node.op == "pow_const":
        return f"{a} ^ {fmt_factor(p)}"
    if node.op == "recip":
        return f"1 / {a}"
    return f"{node.operation.label(p) if node.op != 'leaky_relu' else 'leaky_relu'}({', '.join(operands)})"


def _numbers(node: core.Node, values: tuple[float, ...]) -> list[str]:
    # Negative numbers after the first operand of an infix or constant gate get parentheses: 5 + (-3).
    if node.op in INFIX or node.op in ("add_const", "mul_const", "div_const", "pow_const", "recip"):
        return [fmt(v) if i == 0 and node.op in ("add", "sub") else fmt_factor(v) for i, v in enumerate(values)]
    return [fmt(v) for v in values]


class Inspector(QTextBrowser):
    """Shows the chain rule of the step at `state.cursor` as rich text."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.state = state
        self.setOpenLinks(False)
        font = self.font()
        font.setPointSize(INSPECTOR_POINT_SIZE)
        self.setFont(font)
        self.setMinimumWidth(280)
        self.anchorClicked.connect(self._on_link)
        self.node: int | None = None  # a clicked node shown instead of the step, until the cursor moves
        self._shown: tuple[object, ...] = ()  # what the text was made from: one Enter emits 3 signals
        moved = (state.sig_graph_changed, state.sig_cursor_changed, state.sig_phase_changed, state.sig_mode_changed)
        observe(
            self,
            [
                (state.sig_node_inspected, self.show_node),
                *((signal, self.back_to_step) for signal in moved),  # the step is the news again
                (state.sig_values_changed, self._refresh_if_moved),
                (state.sig_theme_changed, self.refresh),
                (state.sig_gradcheck_ready, self.refresh),  # a program gate's derivative checked: say so
            ],
        )
        self.refresh()

    def show_node(self, node_id: int | None) -> None:
        """A node was clicked: what is known about it (None: the step at the cursor again)."""
        self.node = node_id
        self.refresh()

    def back_to_step(self, *_: object) -> None:
        self.node = None
        self._refresh_if_moved()

    def _shown_from(self) -> tuple[object, ...]:
        state = self.state
        return (state.graph, state.trace, state.result, state.cursor, state.phase, state.mode, state.seed, self.node)

    def _refresh_if_moved(self, *_: object) -> None:
        # Enter emits graph, cursor and values changed in turn: the text is made once (~4 ms each on
        # a big program); objects are compared by identity, so any rebuilt graph/trace/result refreshes.
        shown, old = self._shown_from(), self._shown
        same_objects = bool(old) and all(a is b for a, b in zip(shown[:3], old[:3], strict=True))
        if same_objects and shown[3:] == old[3:]:
            return
        self.refresh()

    def refresh(self, *_: object) -> None:
        state = self.state
        self._shown = self._shown_from()
        self.c = colors(state.dark)
        self.names = node_names(state.graph)
        self.full: list[str] = []  # the same equations in full precision, for the tooltip
        if self.node is not None and self.node < len(state.graph.nodes):
            self.setHtml(f"<div style='color:{self.c.text}'>{node_card(state, self.node, self.names, self.c)}</div>")
            self.setToolTip("")
            return
        step = state.state().step
        parts = [
            f"<p style='color:{self.c.muted}'>step {state.cursor} of {state.step_count} · "
            f"{html.escape(state.counter_text())}</p>"
        ]
        # The backward phase starts on the finished forward pass: its last forward step is not the news.
        here = self._at_origin()
        if not here:
            parts.append(self._origin_note(step))
        if step is None or state.cursor == state.first_step:
            parts.append(self._at_start())
        elif isinstance(step, core.ForwardStep):
            parts.append(self._forward(step))
        else:
            parts.append(self._backward(step))
        if here:  # the news of this step: what went wrong, and why it usually does
            parts.append(self._origin_note(step))
        if step is not None and state.cursor != state.first_step:
            parts.append(self._wrong_derivative_note(state.graph.nodes[step.node]))
        if state.cursor == state.step_count and state.trace.mode == "forward":
            parts.append(self._forward_mode_summary())
        elif state.cursor == state.step_count:
            parts.append(self._summary())
        elif state.phase == "forward" and state.cursor == state.forward_count:
            parts.append(self._forward_done())
        self.setHtml(f"<div style='color:{self.c.text}'>{''.join(parts)}</div>")
        self.setToolTip("\n".join(self.full) or "")

    # ---- pieces ----

    def _val(self, x: float, kind: str = "value") -> str:
        colour = self.c.value if kind == "value" else self.c.grad
        if not math.isfinite(x):
            colour = self.c.warn
        return f"<b style='color:{colour}'>{html.escape(fmt(x))}</b>"

    def _node_header(self, node: core.Node, what: str) -> str:
        name = html.escape(self.names[node.id])
        return (
            f"<p style='font-size:x-large; margin:4px 0'><b>{what}</b> at gate "
            f"<b>{html.escape(node.symbol)}</b> <span style='color:{self.c.muted}'>({name}, op "
            f"{html.escape(node.op)})</span></p>"
            f"<p style='color:{self.c.muted}'>local derivative: {html.escape(node.formula)}"
            f"{html.escape(self._operand_names(node))}</p>"
        )

    def _operand_names(self, node: core.Node) -> str:
        # The formulas use a, b (or x); say which nodes those are here.
        letters = {"prelu": ("x", "α")}.get(node.op, ("a", "b") if node.operation.arity == 2 else ("x",))
        if node.fold is not None:  # a gate with a body: its formulas use its own argument names
            letters = node.fold.body.inputs
        values = self.state.state().values  # known for every operand once the gate has run
        pairs = [
            f"{letter} = {self.names[arg]}" + (f" = {fmt(values[arg])}" if arg in values else "")
            for letter, arg in zip(letters, node.args)
        ]
        return f"   with {', '.join(pairs)}" if pairs else ""

    def _at_start(self) -> str:
        state = self.state
        if state.phase == "backward":
            f = state.trace.state(state.forward_count).values[state.graph.output]
            return (
                f"<p>Forward pass done: f = {self._val(f)}.</p>"
                f"<p>Press → to start the backward pass from ∂f/∂f = {self._val(1.0, 'grad')}.</p>"
            )
        inputs = ", ".join(f"{html.escape(k)} = {self._val(v)}" for k, v in state.inputs.items())
        return (
            f"<p>Nothing computed yet.</p><p>Inputs: {inputs}</p>"
            "<p>Press → to compute the first gate, Space to play.</p>"
            f"<p style='color:{self.c.muted}'>{html.escape(passes_line(len(state.graph.inputs)))}</p>"
        )

    def _forward(self, step: core.ForwardStep) -> str:
        node = self.state.graph.nodes[step.node]
        names = [self.names[a] for a in node.args]
        symbolic = apply_text(node, names)
        numeric = apply_text(node, _numbers(node, step.input_values))
        me = self.names[node.id]
        line = f"{html.escape(me)} = {html.escape(symbolic)} = {html.escape(numeric)} = {self._val(step.value)}"
        self.full.append(
            f"{me} = {apply_text(node, [fmt_full(v) for v in step.input_values])} = {fmt_full(step.value)}"
        )
        if isinstance(step, core.TangentStep):
            line += self._tangent_line(step, node, names)
        warn = "" if step.finite else f"<p style='color:{self.c.warn}'>⚠ {self._why_not_finite(step, node)}</p>"
        return self._node_header(node, "Forward") + f"<p style='font-size:large'>{line}</p>" + warn

    def _backward(self, step: core.BackwardStep) -> str:
        graph = self.state.graph
        node = graph.nodes[step.node]
        me = html.escape(self.names[node.id])
        before = self.state.trace.state(step.index).grads  # gradients before this step
        out = [self._node_header(node, "Backward")]
        if node.id == graph.output:
            out.append(f"<p>start: ∂f/∂f = {self._val(1.0, 'grad')}</p>")
        else:
            out.append(f"<p>upstream: ∂f/∂{me} = {self._val(step.upstream_grad, 'grad')}</p>")
        seen = dict(before)
        for ag in step.args:
            arg = html.escape(self.names[ag.arg])
            if node.id == graph.output:
                # ∂f/∂f · ∂f/∂x would say ∂f/∂x in terms of itself: the start, 1, times the output
                # gate's own formula's derivative, as the slide writes ∂f/∂z = q.
                own = html.escape(apply_text(node, [self.names[a] for a in node.args]))
                factors = f"1 · ∂({own})/∂{arg}"
            else:
                factors = f"∂f/∂{me} · ∂{me}/∂{arg}"
            chain = (
                f"∂f/∂{arg} = {factors}<br>&nbsp;&nbsp;&nbsp;&nbsp;= "
                f"{html.escape(fmt_factor(step.upstream_grad))} · "
                f"{html.escape(fmt_factor(ag.local_grad))} = {self._val(ag.contribution, 'grad')}"
            )
            self.full.append(
                f"∂f/∂{self.names[ag.arg]} ← {fmt_full(step.upstream_grad)} · "
                f"{fmt_full(ag.local_grad)} = {fmt_full(ag.contribution)}"
            )
            out.append(f"<p style='font-size:large'>{chain}</p>")
            values = [self.state.state().values.get(a, math.nan) for a in node.args]
            lost = precision_note(node, values, step.upstream_grad, ag.local_grad, ag.contribution)
            if lost:
                out.append(f"<p style='color:{self.c.warn}'>⚠ {html.escape(lost)}</p>")
            if ag.arg in seen:
                old = seen[ag.arg]
                out.append(
                    f"<p>fan-out, gradients add up: ∂f/∂{arg} += {html.escape(fmt(ag.contribution))}"
                    f"<br>&nbsp;&nbsp;{html.escape(fmt(old))} + {html.escape(fmt_factor(ag.contribution))}"
                    f" = {self._val(ag.accumulated, 'grad')}</p>"
                )
                self.full.append(
                    f"  accumulated: {fmt_full(old)} + {fmt_full(ag.contribution)} = {fmt_full(ag.accumulated)}"
                )
            elif len(graph.users[ag.arg]) > 1:
                out.append(
                    f"<p style='color:{self.c.muted}'>{arg} feeds {len(graph.users[ag.arg])} gates: "
                    "their contributions will add up.</p>"
                )
            seen[ag.arg] = ag.accumulated
        if node.fold is not None and len(step.args) == 1 and computes_sigmoid(node.fold.body):
            sigma = self.state.state().values.get(node.id, math.nan)  # the slide's σ gate: (1 − σ)σ
            out.append(
                f"<p>σ gate: ∂σ/∂{html.escape(self.names[step.args[0].arg])} = σ(1 − σ) = "
                f"{html.escape(fmt(sigma))} · (1 − {html.escape(fmt(sigma))}) = "
                f"{self._val(step.args[0].local_grad, 'grad')}</p>"
            )
        if not step.finite and not self._at_origin():
            out.append(
                f"<p style='color:{self.c.warn}'>⚠ a gradient is not finite: the local derivative is "
                "infinite here (1/x or √x at 0, …) or a nan came from the forward pass</p>"
            )
        return "".join(out)

    def _wrong_derivative_note(self, node: core.Node) -> str:
        """At a program gate whose derivative disagrees with finite differences of its body: both
        numbers, and what that means for the gradients (the check comes from the state, in the background)."""
        if node.fold is None or not node.fold.defined:
            return ""
        check = self.state.gradcheck()  # None while it is computed: sig_gradcheck_ready refreshes
        gate = next((g for g in check.gates if g.node == node.id), None) if check is not None else None
        if gate is None or gate.ok:
            return ""
        name = node.fold.name
        lines = []
        for argument, arg in gate.arguments.items():
            if not arg.ok:
                lines.append(
                    f"∂{html.escape(name)}/∂{html.escape(argument)}: your derivative: "
                    f"<b>{html.escape(number(arg.analytic))}</b>; finite differences: "
                    f"<b>{html.escape(number(arg.numeric))}</b>"
                )
        return (
            f"<p style='color:{self.c.bad}'><b>✗ This gate's derivative looks wrong.</b><br>{'<br>'.join(lines)}</p>"
            f"<p style='color:{self.c.muted}'>The derivative you wrote for {html.escape(name)} disagrees with "
            "finite differences of its own body at these inputs. The backward pass trusts your formula (as a "
            "framework trusts a custom autograd function), so every gradient sent back through this gate, and "
            "the inputs' gradients, are off. Double-click the gate to see its body.</p>"
        )

    def _on_link(self, url) -> None:
        if url.toString() == ORIGIN_LINK:
            self.state.go_to_origin()
        elif url.toString().startswith(STEP_LINK):
            self.state.set_cursor(int(url.toString()[len(STEP_LINK) :]))

    def _at_origin(self) -> bool:
        origin = self.state.origin
        return origin is not None and self.state.cursor == origin.cursor

    def _origin_note(self, step: core.ForwardStep | core.BackwardStep | None) -> str:
        """Where the first nan or ∞ began, once it has: here (what happened, what usually causes it), or
        elsewhere (a link that moves the player there)."""
        origin = self.state.origin
        if origin is None or self.state.cursor < origin.cursor:
            return ""
        problem = origin.problem
        gate = self.state.graph.nodes[problem.node]
        what = "value" if problem.where == "value" else "gradient"
        message = html.escape(problem.message)
        cause = f"<br><span style='color:{self.c.muted}'>What usually causes it: {html.escape(origin.cause)}</span>"
        if self.state.cursor == origin.cursor:
            return (
                f"<p style='color:{self.c.warn}'><b>✖ The nan/∞ began here</b> (its {what}; every number "
                f"it received was finite): {message}{cause}</p>"
            )
        if step is not None and step.finite and self.state.cursor != self.state.step_count:
            return ""
        where = f"gate <b>{html.escape(gate.symbol)}</b> ({html.escape(self.names[gate.id])}), step {origin.cursor}"
        return (
            f"<p style='color:{self.c.warn}'>✖ The first nan/∞ began at {where}: {message} "
            f"<a href='{ORIGIN_LINK}' style='color:{self.c.warn}'><b>Go to where it began</b></a> (Ctrl+G)</p>"
        )

    def _why_not_finite(self, step: core.ForwardStep, node: core.Node) -> str:
        """What a learner should know about a nan or ∞ value: at a gate where one began, what makes such
        a number; at any other gate, that it only passed on what an input already was."""
        origin = self.state.origin
        if origin is not None and node.id not in origin.nodes:
            bad = [self.names[a] for a, v in zip(node.args, step.input_values, strict=False) if not math.isfinite(v)]
            came = f"from {', '.join(bad)}" if bad else "from an input"
            return (
                f"{fmt(step.value)} came in {came}: this gate computed correctly with it, and passes it on; "
                "the first nan/∞ began earlier (Ctrl+G goes there)"
            )
        if math.isnan(step.value):
            return (
                "nan, not a number: this gate is undefined for its input (log or √ of a negative number, "
                "∞ − ∞, 0 · ∞), and every value computed from it is nan too"
            )
        return "infinite: a division by zero, log(0) or an overflow (exp of a large number)"

    def _tangent_line(self, step: core.TangentStep, node: core.Node, names: list[str]) -> str:
        me = self.names[node.id]
        symbolic, numeric = tangent_rule(step, node, me, names)
        colour = tangent_colour(self.state.dark) if math.isfinite(step.tangent) else self.c.warn
        self.full.append(f"{dotted(me)} = {symbolic} = {fmt_full(step.tangent)}")
        return (
            f"<br><span style='color:{colour}'>{html.escape(dotted(me))} = {html.escape(symbolic)} = "
            f"{html.escape(numeric)} = <b>{html.escape(fmt(step.tangent))}</b></span>"
        )

    def _forward_mode_summary(self) -> str:
        state = self.state
        seed, output = state.seed, state.graph.output
        tangent = state.state().tangents.get(output, math.nan)
        others = [name for name in state.graph.inputs if name != seed]
        more = (
            f" ∂f/∂{', ∂f/∂'.join(map(html.escape, others))} need one more forward pass each (seed another input)."
            if others
            else ""
        )
        colour = tangent_colour(state.dark)
        return (
            f"<hr><p><b>Forward mode done.</b> ḟ = <b style='color:{colour}'>{html.escape(fmt(tangent))}</b>"
            f" = ∂f/∂{html.escape(seed)}: this pass moved {html.escape(seed)} alone.{more}</p>"
            f"<p style='color:{self.c.muted}'>{html.escape(passes_line(len(state.graph.inputs)))}</p>"
        )

    def _forward_done(self) -> str:
        f = self.state.state().values[self.state.graph.output]
        return f"<hr><p>Forward pass complete: f = {self._val(f)}</p>"

    def _summary(self) -> str:
        state = self.state
        grads = state.state().grads
        rows = "".join(
            f"<tr><td>∂f/∂{html.escape(name)}&nbsp;=&nbsp;</td>"
            f"<td>{self._val(grads.get(node_id, 0.0), 'grad')}</td></tr>"
            for name, node_id in state.graph.input_ids.items()
        )
        passes = html.escape(passes_line(len(state.graph.inputs)))
        return (
            f"<hr><p><b>Backward pass complete.</b> Input gradients:</p><table>{rows}</table>"
            f"<p style='color:{self.c.muted}'>{passes}</p>"
        )
