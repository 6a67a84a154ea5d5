"""Tiny classifiers in the plane, written as engine programs: logistic regression and small MLPs.

A model is text in the engine's language. For a 2-2-1 tanh network:

    h1_1 = tanh(w1_1_1*x1 + w1_1_2*x2 + b1_1)
    h1_2 = tanh(w1_2_1*x1 + w1_2_2*x2 + b1_2)
    z = w2_1_1*h1_1 + w2_1_2*h1_2 + b2_1
    loss = softplus(z) - y*z

`w{layer}_{unit}_{input}` is torch's `weight[unit, input]` of layer `layer`, `b{layer}_{unit}` its bias,
`z` the logit and p = σ(z) the predicted probability of class 1. The last line is binary
cross-entropy written so that it never overflows: −y·log σ(z) − (1−y)·log(1−σ(z)) = softplus(z) − y·z.

Training feeds the whole data set at once: x1, x2 and y are arrays of shape (n,), the weights are
scalars, the engine broadcasts, and each weight's gradient comes back as the (n,) array of per-sample
gradients. The gradient of the mean loss is their mean. No derivative here is written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.activations import activation_named, parsed
from core.datasets import Dataset
from core.graph import Graph

MAX_WIDTH = 8  # units per hidden layer


@dataclass(frozen=True)
class Model:
    """Which network: `hidden` widths (() is logistic regression), activation, and the x1·x2 feature."""

    hidden: tuple[int, ...] = ()
    activation: str = "tanh"
    product_feature: bool = False  # the lecture's hand-made extra feature x1·x2
    parameter: float | None = None  # the activation's slope / α, if it has one

    def __post_init__(self) -> None:
        if len(self.hidden) > 2 or any(not 1 <= w <= MAX_WIDTH for w in self.hidden):
            raise ValueError(f"at most two hidden layers of width 1..{MAX_WIDTH}, got {self.hidden}")
        activation_named(self.activation)

    @property
    def description(self) -> str:
        """'logistic regression + x1·x2' or '2-4-1 tanh network'."""
        features = "x1, x2, x1·x2" if self.product_feature else "x1, x2"
        if not self.hidden:
            return "logistic regression on " + features
        sizes = "-".join(str(n) for n in (len(self.features), *self.hidden, 1))
        return f"{sizes} {activation_named(self.activation).display_name} network on {features}"

    @property
    def features(self) -> tuple[str, ...]:
        return ("x1", "x2", "x1x2") if self.product_feature else ("x1", "x2")

    @cached_property
    def layers(self) -> tuple[tuple[str, ...], ...]:
        """The names of each layer's units: the features, the hidden layers, then the logit `z`."""
        hidden = tuple(tuple(f"h{k}_{j}" for j in range(1, width + 1)) for k, width in enumerate(self.hidden, 1))
        return (self.features, *hidden, ("z",))

    @cached_property
    def weight_names(self) -> tuple[str, ...]:
        """Every trainable number in program order: layer by layer, each unit's weights then its bias."""
        names: list[str] = []
        for k in range(1, len(self.layers)):
            for j in range(1, len(self.layers[k]) + 1):
                names += [f"w{k}_{j}_{i}" for i in range(1, len(self.layers[k - 1]) + 1)] + [f"b{k}_{j}"]
        return tuple(names)

    def logit_program(self) -> str:
        """The lines that compute the logit z from x1, x2 (and the weights)."""
        lines = ["x1x2 = x1*x2"] if self.product_feature else []
        activation = activation_named(self.activation)
        for k in range(1, len(self.layers)):
            below = self.layers[k - 1]
            for j, unit in enumerate(self.layers[k], 1):
                total = " + ".join(f"w{k}_{j}_{i}*{name}" for i, name in enumerate(below, 1)) + f" + b{k}_{j}"
                output_layer = k == len(self.layers) - 1
                lines.append(f"{unit} = " + (total if output_layer else activation.expression(total, self.parameter)))
        return "\n".join(lines)

    def preactivation_program(self) -> str:
        """The logit program with each hidden unit's weighted sum named: a{k}_{j}, then h{k}_{j} = f(a{k}_{j})."""
        lines = ["x1x2 = x1*x2"] if self.product_feature else []
        activation = activation_named(self.activation)
        for k in range(1, len(self.layers)):
            below = self.layers[k - 1]
            for j, unit in enumerate(self.layers[k], 1):
                total = " + ".join(f"w{k}_{j}_{i}*{name}" for i, name in enumerate(below, 1)) + f" + b{k}_{j}"
                if k == len(self.layers) - 1:
                    lines.append(f"{unit} = {total}")
                else:
                    lines += [f"a{k}_{j} = {total}", f"{unit} = " + activation.expression(f"a{k}_{j}", self.parameter)]
        return "\n".join(lines)

    def loss_program(self) -> str:
        """The per-sample loss: binary cross-entropy of σ(z) against y, in its overflow-free form."""
        return self.logit_program() + "\nloss = softplus(z) - y*z"

    def probability_program(self) -> str:
        """The predicted probability of class 1, p = σ(z)."""
        return self.logit_program() + "\np = sigmoid(z)"

    def initial_weights(self, seed: int = 0) -> np.ndarray:
        """torch.nn.Linear's default start: U(−1/√fan_in, 1/√fan_in) for weights and biases alike."""
        rng = np.random.default_rng(seed)
        chunks = []
        for k in range(1, len(self.layers)):
            fan_in = len(self.layers[k - 1])
            bound = 1.0 / np.sqrt(fan_in)
            chunks.append(rng.uniform(-bound, bound, len(self.layers[k]) * (fan_in + 1)))
        return np.concatenate(chunks)


@dataclass(frozen=True, eq=False)
class LossAndGradient:
    """The mean loss, its gradient over the flat weight vector, and what else one evaluation gives."""

    loss: float
    gradient: np.ndarray  # ∂(mean loss)/∂weights, in `Model.weight_names` order
    per_sample_loss: np.ndarray  # (n,)
    per_sample_gradients: np.ndarray  # (n, weights): row i is ∂loss_i/∂weights
    logits: np.ndarray  # (n,): z for every sample

    def accuracy(self, y: np.ndarray) -> float:
        """Fraction of samples on the right side of the boundary p = ½ (z = 0)."""
        return float(np.mean((self.logits > 0) == (np.asarray(y) > 0.5)))


def weight_inputs(model: Model, weights: np.ndarray) -> dict[str, float]:
    """The flat weight vector as the engine's named inputs."""
    return {name: float(w) for name, w in zip(model.weight_names, weights, strict=True)}


def loss_and_gradient(model: Model, weights: np.ndarray, data: Dataset) -> LossAndGradient:
    """One vectorized engine pass over the whole data set: loss, mean gradient, per-sample gradients."""
    graph = parsed(model.loss_program())
    result = graph.evaluate({**weight_inputs(model, weights), "x1": data.x1, "x2": data.x2, "y": data.y})
    n = len(data)
    per_sample = np.column_stack([np.broadcast_to(result.grad[name], (n,)) for name in model.weight_names])
    losses = np.array(np.broadcast_to(result.value, (n,)), dtype=float)
    logits = np.array(np.broadcast_to(result.values[_logit_id(graph)], (n,)), dtype=float)
    return LossAndGradient(float(losses.mean()), per_sample.mean(axis=0), losses, per_sample, logits)


def predict(model: Model, weights: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """p = σ(z) at every point of broadcastable arrays x1, x2 (e.g. a grid for the heat map)."""
    graph = parsed(model.probability_program())
    value, _ = graph.value_and_grad(
        {**weight_inputs(model, weights), "x1": np.asarray(x1, float), "x2": np.asarray(x2, float)}
    )
    return np.array(np.broadcast_to(value, np.broadcast_shapes(np.shape(x1), np.shape(x2))), dtype=float)


def sample_program(model: Model, weights: np.ndarray, data: Dataset, index: int) -> tuple[str, dict[str, float]]:
    """The loss of one sample as (program text, inputs) for `AppState.show_in_debugger`."""
    if not 0 <= index < len(data):
        raise IndexError(f"sample {index} out of range 0..{len(data) - 1}")
    inputs = {
        **weight_inputs(model, weights),
        "x1": float(data.x1[index]),
        "x2": float(data.x2[index]),
        "y": float(data.y[index]),
    }
    return model.loss_program(), inputs


def inactive_units(model: Model, weights: np.ndarray, data: Dataset) -> tuple[np.ndarray, ...]:
    """For each hidden layer, which units have a weighted sum a ≤ 0 on every sample of `data`.

    For ReLU such a unit is dead: ReLU'(a) = 0 for a < 0, so no sample sends any gradient through it
    and its incoming weights never change again. Leaky ReLU passes slope·gradient, so its unit can
    come back; for sigmoid and tanh a ≤ 0 is no trap at all."""
    if not model.hidden or not len(data):
        return tuple(np.zeros(width, dtype=bool) for width in model.hidden)
    graph = parsed(model.preactivation_program())
    result = graph.evaluate({**weight_inputs(model, weights), "x1": data.x1, "x2": data.x2})
    ids = {node.name: node.id for node in graph.nodes if node.op != "input"}
    return tuple(
        np.array([bool(np.all(np.asarray(result.values[ids[f"a{k}_{j}"]]) <= 0)) for j in range(1, width + 1)])
        for k, width in enumerate(model.hidden, 1)
    )


def _logit_id(graph: Graph) -> int:
    return next(node.id for node in graph.nodes if node.name == "z" and node.op != "input")
