"""The one number formatter: every number the app shows goes through here (Qt-free).

number(-0.19661193324148188) -> "-0.1966"     inspector, legends, panels (4 significant digits)
edge(0.7310585786300049)     -> "0.73"        the short label on a graph edge
seed(1.0)                    -> "1.00"        ∂f/∂f on the output's stub, as on the slides
full(0.1)                    -> "0.1"         the exact float (repr), or "not computed yet"
tip("value", 0.7310585786300049) -> "value: 0.7311\nexact: 0.7310585786300049"   tooltips
factor(-4.0)                 -> "(-4)"        a factor in a product, as on a slide
"""

from __future__ import annotations

import math

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(x: float | None) -> str:
    """A number as a learner reads it: 4 significant digits, no '-0', words for non-finite values."""
    if x is None:
        return "?"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    text = f"{x:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        # 4.129·10⁻⁸ as on a slide: "10^-8" reads as a formula to evaluate, not as a number.
        text = f"{mantissa}·10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return text


def edge(value: float) -> str:
    """A slide-like short number: "-4", "0.73", "1.37", "0.0012", "1.2e5", "8.3e-7"; "⚠ nan" if not finite."""
    if not math.isfinite(value):
        return "⚠ " + ("nan" if math.isnan(value) else ("∞" if value > 0 else "-∞"))
    if value == 0:
        return "0"  # also turns -0.0 into "0"
    size = abs(value)
    if size < 1e6 and abs(value - round(value)) < 1e-9 * max(1.0, size):
        return str(round(value))
    if size < 0.01 or size >= 1e4:
        text = f"{value:.2g}" if size < 0.01 else f"{value:.3g}"
        mantissa, e, exponent = text.partition("e")
        # "8.3e-7", not "8.3e-07": on crowded edges every character counts.
        return f"{mantissa}e{int(exponent)}" if e else text
    return f"{value:.2f}" if size < 100 else f"{value:.4g}"


def seed(value: float) -> str:
    """The gradient on the output's stub, ∂f/∂f: "1.00" as the slides print it (where backprop starts)."""
    return f"{value:.2f}" if math.isfinite(value) else edge(value)


def full(x: float | None) -> str:
    """Full precision, for tooltips; `None` means the number is not known yet at the cursor."""
    return "not computed yet" if x is None else repr(float(x))


def tip(what: str, x: float | None) -> str:
    """A tooltip line: the number as everywhere else, then its exact float on a second line when the
    short form rounded it (0.7311 / exact: 0.7310585786300049), so no tooltip shows 17 digits alone."""
    if x is None:
        return f"{what}: not computed yet"
    x = float(x)
    if not math.isfinite(x) or float(f"{x:.4g}") == x:  # the short form is already exact
        return f"{what}: {number(x)}"
    return f"{what}: {number(x)}\nexact: {x!r}"


def factor(x: float) -> str:
    """A number as a factor in a product: negative numbers in parentheses, `(-4) · 1`."""
    text = number(x)
    return f"({text})" if text.startswith(("-", "−")) else text
