"""core.gradcheck: agreement, a real mismatch, and differences too fine for a finite difference."""

from __future__ import annotations

import core
from core.gradcheck import InputCheck


def test_a_correct_gradient_agrees() -> None:
    check = core.gradcheck(core.parse("x*x*y + exp(y)"), {"x": 1.5, "y": -0.5})
    assert check.ok and all(item.agrees for item in check.inputs.values())
    assert check.max_rel_error < 1e-8


def test_a_wrong_gradient_is_caught() -> None:
    wrong = InputCheck("x", analytic=2.0, numeric=3.0, rel_error=1 / 3, noise=1e-9)
    assert not wrong.ok and not wrong.unresolved


def test_a_gradient_too_fine_for_the_difference_is_unresolved_not_wrong() -> None:
    # f ≈ 1.2e8: a step of 2e-6 in b cannot see ∂f/∂b = 1e-12 through f's rounding.
    check = core.gradcheck(core.parse("a*b + 123456789"), {"a": 1e-12, "b": 2.0})
    item = check.inputs["b"]
    assert item.rel_error > 0.5  # the plain comparison would call it wrong …
    assert item.unresolved and item.ok  # … but the difference is within the rounding noise
    assert check.ok  # a (∂f/∂a = 2) is blurred by the same noise, and within it
