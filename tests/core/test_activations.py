"""Activation curves and the vanishing-gradient chain, all computed by the engine."""

from __future__ import annotations

import numpy as np
import pytest

from core.activations import (
    ACTIVATIONS,
    MAX_LAYERS,
    activation_curve,
    activation_named,
    chain_program,
    gradient_chain,
    parsed,
    saturated_intervals,
)

# Away from the kink at 0, where relu-like derivatives are one-sided.
GRID = np.concatenate([np.linspace(-6, -0.05, 60), np.linspace(0.05, 6, 60)])

REFERENCE = {
    "sigmoid": lambda a, p: 1 / (1 + np.exp(-a)),
    "tanh": lambda a, p: np.tanh(a),
    "relu": lambda a, p: np.maximum(a, 0),
    "leaky_relu": lambda a, p: np.where(a > 0, a, p * a),
    "prelu": lambda a, p: np.where(a > 0, a, p * a),
    "elu": lambda a, p: np.where(a > 0, a, p * (np.exp(a) - 1)),
    "softplus": lambda a, p: np.log1p(np.exp(a)),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("parameter", [None, 0.3])
def test_derivative_agrees_with_finite_differences(name: str, parameter: float | None) -> None:
    curve = activation_curve(name, GRID, parameter)
    h = 1e-6
    plus = activation_curve(name, GRID + h, parameter).value
    minus = activation_curve(name, GRID - h, parameter).value
    numeric = (plus - minus) / (2 * h)
    np.testing.assert_allclose(curve.derivative, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_match_the_textbook_formulas(name: str) -> None:
    activation = activation_named(name)
    curve = activation_curve(name, GRID)
    np.testing.assert_allclose(curve.value, REFERENCE[name](GRID, activation.default), rtol=1e-12, atol=1e-12)
    assert curve.value.shape == curve.derivative.shape == GRID.shape


def test_expressions_parse_with_parameters() -> None:
    assert activation_named("leaky_relu").expression("a", 0.2) == "leaky_relu(a, slope=0.2)"
    assert activation_named("prelu").expression("a", -0.5) == "prelu(a, -0.5)"
    assert activation_named("elu").expression("a") == "elu(a, alpha=1.0)"
    assert parsed("prelu(a, -0.5)").inputs == ("a",)
    with pytest.raises(ValueError, match="valid"):
        activation_named("swish")


def test_saturation_mask_and_intervals() -> None:
    a = np.linspace(-10, 10, 2001)
    curve = activation_curve("sigmoid", a)
    mask = curve.saturated(0.01)
    intervals = saturated_intervals(a, mask)
    assert len(intervals) == 2
    (left_lo, left_hi), (right_lo, right_hi) = intervals
    assert left_lo == -10 and right_hi == 10
    # σ'(a) = 0.01 at |a| ≈ 4.5951
    assert left_hi == pytest.approx(-4.6, abs=0.02) and right_lo == pytest.approx(4.6, abs=0.02)
    assert saturated_intervals(a, activation_curve("relu", a).saturated(0.5)) == [(-10.0, 0.0)]


def test_chain_program_names_every_layer() -> None:
    text = chain_program("sigmoid", 3)
    assert text.splitlines() == ["h1 = sigmoid(w1*x + b1)", "h2 = sigmoid(w2*h1 + b2)", "h3 = sigmoid(w3*h2 + b3)"]
    names = {node.name for node in parsed(text).nodes}
    assert {"h1", "h2", "h3", "x", "w1", "b3"} <= names
    with pytest.raises(ValueError):
        chain_program("relu", MAX_LAYERS + 1)


def test_ten_sigmoid_layers_kill_the_gradient_relu_keeps_it() -> None:
    sigmoid = gradient_chain("sigmoid", 10, weight=1.0, bias=0.5, start=1.0)
    relu = gradient_chain("relu", 10, weight=1.0, bias=0.5, start=1.0)
    assert relu.input_gradient == pytest.approx(1.0)
    assert sigmoid.input_gradient < 1e-4 * relu.input_gradient
    # it dies layer after layer: each sigmoid layer multiplies by at most 1/4
    assert np.all(np.diff(sigmoid.gradient_by_distance) < 0)
    assert sigmoid.gradients[-1] == 1.0


def test_chain_gradients_are_products_of_local_derivatives() -> None:
    chain = gradient_chain("tanh", 5, weight=0.8, bias=0.1, start=0.3)
    h = chain.values
    local = 0.8 * (1 - h[1:] ** 2)  # ∂h_k/∂h_{k-1}
    expected = np.append(np.cumprod(local[::-1])[::-1], 1.0)
    np.testing.assert_allclose(chain.gradients, np.abs(expected), rtol=1e-12)
    np.testing.assert_allclose(chain.weight_gradients, np.abs(expected[1:] * (1 - h[1:] ** 2) * h[:-1]), rtol=1e-12)
    assert set(chain.inputs) == {"x"} | {f"w{k}" for k in range(1, 6)} | {f"b{k}" for k in range(1, 6)}
