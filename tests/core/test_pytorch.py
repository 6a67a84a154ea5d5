"""core.to_pytorch: the script's text for every function of the language (torch is not needed)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import core
from core.ops import OPS
from core.pytorch import TORCH_EXPRESSIONS


def script(text: str, **inputs: float) -> str:
    return core.to_pytorch(core.parse(text), inputs)


def lines(text: str, **inputs: float) -> list[str]:
    return script(text, **inputs).splitlines()


def test_the_lecture_circuit_reads_like_a_pytorch_exercise() -> None:
    out = lines("(x+y)*z", x=-2, y=5, z=-4)
    assert "import torch" in out
    assert "x = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)" in out
    assert "z = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)" in out
    assert "t1 = x + y" in out
    assert "f = t1 * z" in out
    assert "    f.backward()" in out
    assert out[-3:] == [
        'print(f"df/dx = {x.grad.item()!r}")',
        'print(f"df/dy = {y.grad.item()!r}")',
        'print(f"df/dz = {z.grad.item()!r}")',
    ]


def test_a_program_prints_the_name_of_its_output() -> None:
    out = lines("q = x + y\nloss = q * z", x=1, y=2, z=3)
    assert "q = x + y" in out
    assert "loss = q * z" in out
    assert 'print(f"dloss/dq = {q.grad.item()!r}")' not in out
    assert 'print(f"dloss/dx = {x.grad.item()!r}")' in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + y", "x + y"),
        ("x - y", "x - y"),
        ("x * y", "x * y"),
        ("x / y", "x / y"),
        ("x ** y", "torch.pow(x, y)"),
        ("max(x, y)", "torch.maximum(x, y)"),
        ("min(x, y)", "torch.minimum(x, y)"),
        ("prelu(x, y)", "torch.where(x > 0, x, y * x)"),
        ("x + 2.5", "x + 2.5"),
        ("x - 2", "x + (-2.0)"),
        ("3 * x", "x * 3.0"),
        ("x / 4", "x / 4.0"),
        ("x ** 3", "x ** 3.0"),
        ("x ** 0", "x ** 0.0"),
        ("1 / x", "torch.reciprocal(x)"),
        ("exp(x)", "torch.exp(x)"),
        ("log(x)", "torch.log(x)"),
        ("sqrt(x)", "torch.sqrt(x)"),
        ("abs(x)", "torch.abs(x)"),
        ("sin(x)", "torch.sin(x)"),
        ("cos(x)", "torch.cos(x)"),
        ("tanh(x)", "torch.tanh(x)"),
        ("sigmoid(x)", "torch.sigmoid(x)"),
        ("relu(x)", "torch.relu(x)"),
        ("softplus(x)", "torch.logaddexp(x, torch.zeros_like(x))"),
        ("leaky_relu(x)", "F.leaky_relu(x, negative_slope=0.01)"),
        ("leaky_relu(x, slope=0.2)", "F.leaky_relu(x, negative_slope=0.2)"),
        ("elu(x)", "F.elu(x, alpha=1.0)"),
        ("elu(x, alpha=0.5)", "F.elu(x, alpha=0.5)"),
    ],
)
def test_every_function_maps_to_its_torch_counterpart(text: str, expected: str) -> None:
    inputs = dict.fromkeys(core.parse(text).inputs, 0.5)
    assert f"f = {expected}" in lines(text, **inputs)


def test_every_gate_of_the_engine_has_a_torch_expression() -> None:
    computed = {name for name, op in OPS.items() if op.arity > 0}
    assert computed == set(TORCH_EXPRESSIONS)


def test_every_function_name_of_the_language_is_covered() -> None:
    for name, spec in core.FUNCTIONS.items():
        assert spec.op in TORCH_EXPRESSIONS, name


def test_constants_in_a_two_operand_gate_are_tensors() -> None:
    out = lines("max(x, 2)", x=1)
    constant = next(line for line in out if "torch.tensor(2.0" in line)
    name = constant.split(" = ")[0]
    assert constant == f"{name} = torch.tensor(2.0, dtype=torch.float64)"
    assert f"f = torch.maximum(x, {name})" in out


def test_inf_and_nan_inputs_are_written_as_floats() -> None:
    out = lines("x * y", x=float("inf"), y=float("nan"))
    assert 'x = torch.tensor(float("inf"), dtype=torch.float64, requires_grad=True)' in out
    assert 'y = torch.tensor(float("nan"), dtype=torch.float64, requires_grad=True)' in out


def test_names_that_clash_with_the_script_are_renamed_but_printed_as_typed() -> None:
    out = lines("torch * F + print", torch=1, F=2, print=3)
    assert "torch_ = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)" in out
    assert 'print(f"df/dtorch = {torch_.grad.item()!r}")' in out
    assert 'print(f"df/dprint = {print_.grad.item()!r}")' in out


def test_a_defined_gate_becomes_a_function_and_its_derivative_lines_an_autograd_function() -> None:
    plain = script("lin(a) = 3 * a + 1\nv = lin(x) * y", x=1, y=2)
    assert "def gate_lin(a):" in plain
    assert "v = gate_lin(x) * y" in plain.splitlines() or "t1 = gate_lin(x)" in plain
    custom = script("sq(a, b) = a * b\nd sq / d a = b + 1\nu = sq(x, y)", x=1, y=2)
    assert "class gate_sq(torch.autograd.Function):" in custom
    assert "# d sq / d a = b + 1" in custom
    assert "u = gate_sq.apply(x, y)" in custom


def test_a_missing_input_value_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no value for the input y"):
        core.to_pytorch(core.parse("x * y"), {"x": 1.0})


@pytest.mark.parametrize(
    "text",
    [
        "(x+y)*z",
        "max(x, y) + softplus(x) - elu(y, alpha=2)",
        "sq(a, b) = a * b\nd sq / d b = a\nu = sq(x, y) + sq(y, 1)",
    ],
)
def test_the_script_is_valid_python(text: str) -> None:
    inputs = dict.fromkeys(core.parse(text).inputs, 1.0)
    ast.parse(script(text, **inputs))


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "check_pytorch.py"


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_prints_the_engines_gradients() -> None:  # pragma: no cover - only where torch is installed
    done = subprocess.run([sys.executable, str(FIXTURE)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
