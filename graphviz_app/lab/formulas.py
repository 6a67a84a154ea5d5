"""The update of one optimizer at one step, written out with its actual numbers (rich text).

Like the debugger's inspector: the rule in symbols, then the same rule with the numbers of this step,
then the result. Every result shown is read from the trajectory core computed (the state after the
step, the next point); only the intermediate terms of a line (μ·v, g², m̂ …) are multiplied out here
for display.
"""

from __future__ import annotations

import html

import numpy as np

from core.optimizers import OPTIMIZERS
from core.trajectory import Trajectory
from graphviz_app.theme import Colors, fmt, fmt_factor

SUMMARIES = {  # what the rule does, in the lecture's words (the others use their step's docstring)
    "sgd": "a step straight down the gradient, scaled by the learning rate.",
    "momentum": "heavy ball: a velocity sums up past gradients and carries the step through valleys.",
    "nesterov": "momentum that looks ahead: the step uses g + μ·v, the gradient plus where v is heading.",
}


def vec(v: np.ndarray | None) -> str:
    """A 2-vector as '(a, b)'."""
    if v is None:
        return "(0, 0)"
    return "(" + ", ".join(fmt(x) for x in np.asarray(v, float)) + ")"


class _Lines:
    """Collects 'name = symbols = numbers = result' lines as a table."""

    def __init__(self, c: Colors) -> None:
        self.c, self.rows = c, []

    def add(self, name: str, rule: str, numbers: str | None, result: str, color: str | None = None) -> None:
        """One quantity: its rule, the rule with this step's numbers (None: nothing to multiply out),
        and its value."""
        tint = f' style="color:{color}"' if color else ""
        self.rows.append(f"<tr><td><b{tint}>{name}</b></td><td>= {html.escape(rule)}</td></tr>")
        if numbers is not None:
            self.rows.append(f"<tr><td></td><td>= {html.escape(numbers)}</td></tr>")
        self.rows.append(f"<tr><td></td><td>= <b{tint}>{html.escape(result)}</b></td></tr>")

    def html(self) -> str:
        return (
            '<table cellspacing="0" cellpadding="1" '
            "style=\"font-size:11pt; font-family:'DejaVu Sans Mono',monospace;\">" + "".join(self.rows) + "</table>"
        )


def update_html(t: Trajectory, step: int, c: Colors) -> str:
    """Rich text explaining the step from point `step` to `step + 1` (the last step at the end)."""
    with np.errstate(all="ignore"):  # a diverging run's numbers overflow: they are shown as inf, quietly
        return _update_html(t, step, c)


def _update_html(t: Trajectory, step: int, c: Colors) -> str:
    spec = OPTIMIZERS[t.optimizer]
    summary = SUMMARIES.get(t.optimizer) or (spec.step.__doc__ or "").split("\n")[0].split(": ", 1)[-1]
    head = (
        f'<p><b style="color:{spec.color}; font-size:16pt">{spec.display_name}</b><br>'
        f'<span style="color:{c.muted}">{html.escape(summary)}</span></p>'
    )
    if t.steps == 0:
        return head + f'<p style="color:{c.warn}">{html.escape(t.message or "no step taken")}</p>'
    k = min(step, t.steps - 1)
    h = t.hyperparameters
    theta, new_theta, lr = t.points[k], t.points[k + 1], float(t.lrs[k])
    before, after = t.states[k], t.states[k + 1]
    g = np.asarray(t.grads[k], float)
    lines = _Lines(c)
    wd = float(h.get("weight_decay", 0.0))
    if wd:
        lines.add("g", "∇L(θ) + wd·θ", f"{vec(g)} + {fmt(wd)}·{vec(theta)}", vec(g + wd * theta), c.grad)
        g = g + wd * theta
    if t.optimizer in ("sgd", "momentum", "nesterov"):
        _sgd(lines, h, g, theta, new_theta, lr, before, after, c)
    elif t.optimizer == "adagrad":
        clr = lr / (1 + (after.step - 1) * float(h["lr_decay"]))
        lines.add("G", "G + g²", f"{vec(before.sum)} + {vec(g * g)}", vec(after.sum))
        rate = "lr" if clr == lr else f"lr / (1 + {after.step - 1}·lr_decay)"
        lines.add(
            "θ",
            f"θ − {rate}·g / (√G + ε)",
            f"{vec(theta)} − {fmt(clr)}·{vec(g)} / (√{vec(after.sum)} + {fmt(h['eps'])})",
            vec(new_theta),
            c.value,
        )
    elif t.optimizer == "rmsprop":
        a = float(h["alpha"])
        lines.add(
            "s",
            "α·s + (1 − α)·g²",
            f"{fmt(a)}·{vec(before.square_avg)} + {fmt(1 - a)}·{vec(g * g)}",
            vec(after.square_avg),
        )
        denominator = f"√{vec(after.square_avg)} + {fmt(h['eps'])}"
        root = "√s"
        if h["centered"]:  # centred: divide by the standard deviation, not the root mean square
            root = "√(s − ḡ²)"
            lines.add(
                "ḡ", "α·ḡ + (1 − α)·g", f"{fmt(a)}·{vec(before.grad_avg)} + {fmt(1 - a)}·{vec(g)}", vec(after.grad_avg)
            )
            squared = after.grad_avg * after.grad_avg
            denominator = f"√({vec(after.square_avg)} − {vec(squared)}) + {fmt(h['eps'])}"
        if after.momentum_buffer is not None:
            lines.add(
                "b",
                f"μ·b + g / ({root} + ε)",
                f"{fmt(h['momentum'])}·{vec(before.momentum_buffer)} + {vec(g)} / ({denominator})",
                vec(after.momentum_buffer),
                c.warn,
            )
            lines.add(
                "θ", "θ − lr·b", f"{vec(theta)} − {fmt(lr)}·{vec(after.momentum_buffer)}", vec(new_theta), c.value
            )
        else:
            lines.add(
                "θ",
                f"θ − lr·g / ({root} + ε)",
                f"{vec(theta)} − {fmt(lr)}·{vec(g)} / ({denominator})",
                vec(new_theta),
                c.value,
            )
    elif t.optimizer == "adam":
        b1, b2 = (float(b) for b in h["betas"])
        n = after.step
        lines.add(
            "m",
            "β₁·m + (1 − β₁)·g",
            f"{fmt(b1)}·{vec(before.exp_avg)} + {fmt(1 - b1)}·{vec(g)}",
            vec(after.exp_avg),
            c.warn,
        )
        lines.add(
            "v",
            "β₂·v + (1 − β₂)·g²",
            f"{fmt(b2)}·{vec(before.exp_avg_sq)} + {fmt_factor(1 - b2)}·{vec(g * g)}",
            vec(after.exp_avg_sq),
        )
        m_hat, v_hat = after.exp_avg / (1 - b1**n), after.exp_avg_sq / (1 - b2**n)
        lines.add("m̂", f"m / (1 − β₁^{n})", f"{vec(after.exp_avg)} / {fmt(1 - b1**n)}", vec(m_hat))
        lines.add("v̂", f"v / (1 − β₂^{n})", f"{vec(after.exp_avg_sq)} / {fmt(1 - b2**n)}", vec(v_hat))
        lines.add(
            "θ",
            "θ − lr·m̂ / (√v̂ + ε)",
            f"{vec(theta)} − {fmt(lr)}·{vec(m_hat)} / (√{vec(v_hat)} + {fmt(h['eps'])})",
            vec(new_theta),
            c.value,
        )
    gradient_line = (
        f"<p>step <b>{k} → {k + 1}</b> &nbsp; lr = <b>{fmt(lr)}</b><br>"
        f'θ = <b style="color:{c.value}">{vec(theta)}</b> &nbsp; loss = {fmt(t.losses[k])}<br>'
        f'g = ∇L(θ) = <b style="color:{c.grad}">{vec(t.grads[k])}</b></p>'
    )
    after_line = f"<p>loss after the step: <b>{fmt(t.losses[k + 1])}</b></p>"
    return head + gradient_line + lines.html() + after_line


def _sgd(
    lines: _Lines,
    h: dict,
    g: np.ndarray,
    theta: np.ndarray,
    new_theta: np.ndarray,
    lr: float,
    before: object,
    after: object,
    c: Colors,
) -> None:
    mu, damp = float(h["momentum"]), float(h["dampening"])
    if mu == 0:
        lines.add("θ", "θ − lr·g", f"{vec(theta)} − {fmt(lr)}·{vec(g)}", vec(new_theta), c.value)
        return
    v = after.momentum_buffer
    if before.momentum_buffer is None:
        lines.add("v", "g  (first step: the velocity starts as the gradient)", None, vec(v), c.warn)
    else:
        g_term = "g" if damp == 0 else "(1 − d)·g"
        g_numbers = vec(g) if damp == 0 else f"{fmt(1 - damp)}·{vec(g)}"
        lines.add("v", f"μ·v + {g_term}", f"{fmt(mu)}·{vec(before.momentum_buffer)} + {g_numbers}", vec(v), c.warn)
    if h["nesterov"]:
        lines.add(
            "θ",
            "θ − lr·(g + μ·v)",
            f"{vec(theta)} − {fmt(lr)}·({vec(g)} + {fmt(mu)}·{vec(v)})",
            vec(new_theta),
            c.value,
        )
    else:
        lines.add("θ", "θ − lr·v", f"{vec(theta)} − {fmt(lr)}·{vec(v)}", vec(new_theta), c.value)
