"""The update of one optimizer at one step, written out with its actual numbers (rich text).

Like the debugger's inspector: the rule in symbols, then the same rule with the numbers of this step,
then the result. Every number shown is one that core recorded while taking the step
(`Trajectory.update(k)`: the step function's own terms — g, m, v, m̂, v̂, the denominator, the
step size …, and the states before and after); nothing here repeats the optimizer's arithmetic.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from core.optimizers import OPTIMIZERS
from core.trajectory import Trajectory, Update
from graphviz_app.numbers import factor as fmt_factor
from graphviz_app.numbers import number as fmt
from graphviz_app.theme import Colors, LabColors

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

SUMMARIES = {  # what the rule does, in the lecture's words (the others use their step's docstring)
    "sgd": "a step straight down the gradient, scaled by the learning rate.",
    "momentum": "heavy ball: a velocity sums up past gradients and carries the step through valleys.",
    "nesterov": "momentum that looks ahead: the step uses g + μ·v, the gradient plus where v is heading.",
}


def vec(v: Any) -> str:
    """A 2-vector as '(a, b)'; an absent state field (None) is the zero it starts as."""
    if v is None:
        return "(0, 0)"
    return "(" + ", ".join(fmt(x) for x in np.asarray(v, float)) + ")"


class _Lines:
    """Collects 'name = symbols = numbers = result' lines as a table."""

    def __init__(self) -> None:
        self.rows: list[str] = []

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
            "style=\"font-family:'DejaVu Sans Mono',monospace;\">" + "".join(self.rows) + "</table>"
        )


def update_html(t: Trajectory, step: int, c: Colors, lab: LabColors) -> str:
    """Rich text explaining the step from point `step` to `step + 1` (the last step at the end)."""
    spec = OPTIMIZERS[t.optimizer]
    summary = SUMMARIES.get(t.optimizer) or (spec.step.__doc__ or "").split("\n")[0].split(": ", 1)[-1]
    head = (
        f'<p><b style="color:{lab.optimizers[t.optimizer]}; font-size:18pt">{spec.display_name}</b><br>'
        f'<span style="color:{c.muted}">{html.escape(summary)}</span></p>'
    )
    u = t.update(step)
    if u is None:
        return head + f'<p style="color:{c.warn}">{html.escape(t.message or "no step taken")}</p>'
    lines = _Lines()
    h, terms = t.hyperparameters, u.terms
    wd = float(h.get("weight_decay", 0.0))  # type: ignore[arg-type]
    if wd and t.optimizer == "adamw":  # decoupled: the weights shrink, the gradient stays as it is
        lines.add("θ′", "θ·(1 − lr·wd)", f"{vec(u.point)}·(1 − {fmt(u.lr)}·{fmt(wd)})", vec(terms["decayed"]), c.value)
    elif wd:
        lines.add("g", "∇L(θ) + wd·θ", f"{vec(u.grad)} + {fmt(wd)}·{vec(u.point)}", vec(terms["g"]), c.grad)
    if t.optimizer in ("sgd", "momentum", "nesterov"):
        _sgd(lines, h, u, c, lab)
    elif t.optimizer == "adagrad":
        _adagrad(lines, h, u, c)
    elif t.optimizer == "rmsprop":
        _rmsprop(lines, h, u, c, lab)
    elif t.optimizer == "adadelta":
        _adadelta(lines, h, u, c)
    elif t.optimizer in ("adam", "adamw"):
        _adam(lines, h, u, c, lab)
    gradient_line = (
        f"<p>step <b>{u.step} → {u.step + 1}</b> &nbsp; lr = <b>{fmt(u.lr)}</b><br>"
        f'θ = <b style="color:{c.value}">{vec(u.point)}</b> &nbsp; loss = {fmt(u.loss)}<br>'
        f'g = ∇L(θ) = <b style="color:{c.grad}">{vec(u.grad)}</b></p>'
    )
    after_line = f"<p>loss after the step: <b>{fmt(u.new_loss)}</b></p>"
    return head + gradient_line + lines.html() + after_line


def _sgd(lines: _Lines, h: Mapping[str, Any], u: Update, c: Colors, lab: LabColors) -> None:
    theta, g, lr = vec(u.point), vec(u.terms["g"]), fmt(u.lr)
    mu, damp = float(h["momentum"]), float(h["dampening"])
    if mu == 0:
        lines.add("θ", "θ − lr·g", f"{theta} − {lr}·{g}", vec(u.new_point), c.value)
        return
    v = vec(u.terms["v"])
    if u.before.momentum_buffer is None:
        lines.add("v", "g  (first step: the velocity starts as the gradient)", None, v, lab.velocity)
    else:
        g_term = "g" if damp == 0 else "(1 − d)·g"
        g_numbers = g if damp == 0 else f"{fmt(1 - damp)}·{g}"
        lines.add("v", f"μ·v + {g_term}", f"{fmt(mu)}·{vec(u.before.momentum_buffer)} + {g_numbers}", v, lab.velocity)
    if h["nesterov"]:
        lines.add("θ", "θ − lr·(g + μ·v)", f"{theta} − {lr}·({g} + {fmt(mu)}·{v})", vec(u.new_point), c.value)
    else:
        lines.add("θ", "θ − lr·v", f"{theta} − {lr}·{v}", vec(u.new_point), c.value)


def _adagrad(lines: _Lines, h: Mapping[str, Any], u: Update, c: Colors) -> None:
    terms = u.terms
    lines.add("G", "G + g²", f"{vec(u.before.sum)} + {vec(terms['g2'])}", vec(terms["G"]))
    clr = float(terms["clr"])
    rate = "lr" if clr == u.lr else f"lr / (1 + {u.after.step - 1}·lr_decay)"
    lines.add(
        "θ",
        f"θ − {rate}·g / (√G + ε)",
        f"{vec(u.point)} − {fmt(clr)}·{vec(terms['g'])} / (√{vec(terms['G'])} + {fmt(h['eps'])})",
        vec(u.new_point),
        c.value,
    )


def _rmsprop(lines: _Lines, h: Mapping[str, Any], u: Update, c: Colors, lab: LabColors) -> None:
    terms, a = u.terms, float(h["alpha"])
    g = vec(terms["g"])
    lines.add(
        "s",
        "α·s + (1 − α)·g²",
        f"{fmt(a)}·{vec(u.before.square_avg)} + {fmt(1 - a)}·{vec(terms['g2'])}",
        vec(terms["s"]),
    )
    denominator, root = f"√{vec(terms['s'])} + {fmt(h['eps'])}", "√s"
    if h["centered"]:  # centred: divide by the standard deviation, not the root mean square
        root = "√(s − ḡ²)"
        lines.add("ḡ", "α·ḡ + (1 − α)·g", f"{fmt(a)}·{vec(u.before.grad_avg)} + {fmt(1 - a)}·{g}", vec(terms["g_avg"]))
        denominator = f"√({vec(terms['s'])} − {vec(terms['g_avg2'])}) + {fmt(h['eps'])}"
    if "b" in terms:
        b = vec(terms["b"])
        momentum = fmt(h["momentum"])
        lines.add(
            "b",
            f"μ·b + g / ({root} + ε)",
            f"{momentum}·{vec(u.before.momentum_buffer)} + {g} / ({denominator})",
            b,
            lab.velocity,
        )
        lines.add("θ", "θ − lr·b", f"{vec(u.point)} − {fmt(u.lr)}·{b}", vec(u.new_point), c.value)
    else:
        lines.add(
            "θ",
            f"θ − lr·g / ({root} + ε)",
            f"{vec(u.point)} − {fmt(u.lr)}·{g} / ({denominator})",
            vec(u.new_point),
            c.value,
        )


def _adadelta(lines: _Lines, h: Mapping[str, Any], u: Update, c: Colors) -> None:
    terms, rho, eps = u.terms, float(h["rho"]), fmt(h["eps"])
    lines.add(
        "s",
        "ρ·s + (1 − ρ)·g²",
        f"{fmt(rho)}·{vec(u.before.square_avg)} + {fmt(1 - rho)}·{vec(terms['g2'])}",
        vec(terms["s"]),
    )
    lines.add(
        "Δ",
        "√(u + ε) / √(s + ε) · g",
        f"√({vec(u.before.acc_delta)} + {eps}) / √({vec(terms['s'])} + {eps}) · {vec(terms['g'])}",
        vec(terms["delta"]),
    )
    lines.add(
        "u",
        "ρ·u + (1 − ρ)·Δ²",
        f"{fmt(rho)}·{vec(u.before.acc_delta)} + {fmt(1 - rho)}·{vec(terms['delta'])}²",
        vec(terms["u"]),
    )
    lines.add("θ", "θ − lr·Δ", f"{vec(u.point)} − {fmt(u.lr)}·{vec(terms['delta'])}", vec(u.new_point), c.value)


def _adam(lines: _Lines, h: Mapping[str, Any], u: Update, c: Colors, lab: LabColors) -> None:
    terms = u.terms
    b1, b2 = (float(b) for b in h["betas"])
    t = str(int(terms["t"])).translate(SUPERSCRIPT)  # β₁ to the step count, as on a slide: β₁³
    lines.add(
        "m",
        "β₁·m + (1 − β₁)·g",
        f"{fmt(b1)}·{vec(u.before.exp_avg)} + {fmt(1 - b1)}·{vec(terms['g'])}",
        vec(terms["m"]),
        lab.velocity,
    )
    lines.add(
        "v",
        "β₂·v + (1 − β₂)·g²",
        f"{fmt(b2)}·{vec(u.before.exp_avg_sq)} + {fmt_factor(1 - b2)}·{vec(terms['g2'])}",
        vec(terms["v"]),
    )
    v_name = "v"
    if terms["v_max"] is not None:  # AMSGrad: the largest v so far goes into the denominator
        lines.add("v_max", "max(v_max, v)", None, vec(terms["v_max"]))
        v_name = "v_max"
    lines.add("m̂", f"m / (1 − β₁{t})", f"{vec(terms['m'])} / {fmt(terms['bias_correction1'])}", vec(terms["m_hat"]))
    lines.add(
        "v̂",
        f"{v_name} / (1 − β₂{t})",
        f"{vec(terms['v_max'] if terms['v_max'] is not None else terms['v'])} / {fmt(terms['bias_correction2'])}",
        vec(terms["v_hat"]),
    )
    decayed = "decayed" in terms and float(h["weight_decay"]) != 0  # AdamW: from the shrunk weights θ′
    theta, start = ("θ′", vec(terms["decayed"])) if decayed else ("θ", vec(u.point))
    lines.add(
        "θ",
        f"{theta} − lr·m̂ / (√v̂ + ε)",
        f"{start} − {fmt(u.lr)}·{vec(terms['m_hat'])} / (√{vec(terms['v_hat'])} + {fmt(h['eps'])})",
        vec(u.new_point),
        c.value,
    )
