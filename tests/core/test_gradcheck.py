"""core.gradcheck: agreement, a real mismatch, and differences too fine for a finite difference."""

from __future__ import annotations

import dataclasses
import importlib
import math
from typing import Any

import numpy as np
import pytest

import core
from core.gradcheck import TOLERANCE, InputCheck
from core.ops import OPS, Op


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


# ---- one batched pass, and a tolerance that catches a small error ----

gradcheck_module = importlib.import_module("core.gradcheck")


def _sin_with_local_gradient_off_by(relative: float) -> Op:
    sin = OPS["sin"]
    return dataclasses.replace(sin, local_grads=lambda xp, out, a, p: xp.cos(a) * (1.0 + relative))


def test_a_local_gradient_wrong_by_one_part_in_a_thousand_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    text, point = "sin(x) * y + x", {"x": 0.7, "y": 2.0}
    right = core.gradcheck(core.parse(text), point)
    assert right.ok and right.max_rel_error < TOLERANCE
    monkeypatch.setitem(OPS, "sin", _sin_with_local_gradient_off_by(1e-3))
    wrong = core.gradcheck(core.parse(text), point)  # a new graph compiles the patched op
    assert not wrong.ok
    assert not wrong.inputs["x"].agrees and not wrong.inputs["x"].unresolved
    assert 1e-4 < wrong.inputs["x"].rel_error < 1e-3  # ∂/∂x = 2cos(0.7)(1 + 1e-3) + 1 against 2cos(0.7) + 1
    assert wrong.inputs["y"].agrees  # ∂/∂y = sin x does not go through sin's local gradient


@pytest.mark.parametrize(
    "text, point",
    [
        ("x*x*y + exp(y)", {"x": 1.5, "y": -0.5}),
        ("a = x*y\nb = a + x\nc = a * b\nc - a/y + max(a, b)", {"x": 2.0, "y": 3.0}),
        ("sigmoid(w0*x0 + w1*x1 + w2)", {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
        ("log(x) + y", {"x": -1.0, "y": 4.0}),  # nan for x, and no warning
    ],
)
def test_the_batched_differences_are_the_two_point_differences(text: str, point: dict[str, float]) -> None:
    g = core.parse(text)
    check = core.gradcheck(g, point)
    for name, item in check.inputs.items():
        h = 1e-6 * max(1.0, abs(point[name]))
        up = g.evaluate({**point, name: point[name] + h}).value
        down = g.evaluate({**point, name: point[name] - h}).value
        np.testing.assert_allclose(item.numeric, (up - down) / (2 * h), rtol=1e-6, atol=1e-9)
        assert item.analytic == g.evaluate(point).grad[name] or math.isnan(item.analytic)


def test_gradcheck_runs_one_forward_pass_for_all_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    real_forward = gradcheck_module.forward

    def counting(plan: Any, inputs: Any, backend: Any, recorder: Any = None) -> Any:
        passes.append(len(inputs))
        return real_forward(plan, inputs, backend, recorder)

    monkeypatch.setattr(gradcheck_module, "forward", counting)
    names = [f"w{k}" for k in range(12)]
    check = core.gradcheck(core.parse(" + ".join(f"{n}*{n}" for n in names)), dict.fromkeys(names, 0.5))
    assert passes == [12]  # one batched pass, each of the 12 inputs a column of 24 points
    assert check.ok and len(check.inputs) == 12


def test_many_inputs_go_in_blocks_with_the_same_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"w{k}" for k in range(12)]
    g = core.parse(" + ".join(f"sin({a}*{b})" for a, b in zip(names, names[1:] + names[:1])))
    point = {name: 0.1 * k - 0.4 for k, name in enumerate(names)}
    whole = core.gradcheck(g, point)
    monkeypatch.setattr(gradcheck_module, "BLOCK", 5)  # 12 inputs: blocks of 5, 5 and 2
    blocks = core.gradcheck(g, point)
    assert [blocks.inputs[n].numeric for n in names] == [whole.inputs[n].numeric for n in names]
    assert blocks.ok and whole.ok
