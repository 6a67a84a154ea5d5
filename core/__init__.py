"""The engine: expressions → computational graphs → forward values and backward gradients.

Pure Python and numpy; never imports Qt.

    g = core.parse("(x + y) * z")
    r = g.evaluate({"x": -2, "y": 5, "z": -4})   # r.value == -12.0, r.grad == {"x": -4, "y": -4, "z": 3}
    steps = g.trace({"x": -2, "y": 5, "z": -4})  # forward steps, then backward steps
    core.layout(g)                               # {node_id: (x, y)}
"""

from core.activations import (
    ACTIVATIONS,
    Activation,
    ActivationCurve,
    GradientChain,
    activation_curve,
    activation_named,
    chain_program,
    gradient_chain,
    saturated_intervals,
)
from core.datasets import DATASETS, Dataset, dataset
from core.diagnosis import Problem
from core.evaluate import Result, evaluate
from core.examples import Example, example, examples
from core.fold import collapse, expand
from core.forward_mode import JVP, jvp
from core.gradcheck import GateCheck, GradCheck, InputCheck, gradcheck
from core.graph import Fold, Graph, Node
from core.language import FUNCTIONS, ParseError
from core.layout import layout
from core.networks import LossAndGradient, Model, loss_and_gradient, predict, sample_program
from core.ops import OPS, Op
from core.optimizers import OPTIMIZERS, ExponentialLR, Hyperparameter, Optimizer, StepLR
from core.parser import parse
from core.pytorch import to_pytorch
from core.surfaces import SURFACES, Surface, SurfaceGrid, surface_from_expression, surface_grid
from core.trace import ArgumentGradient, BackwardStep, ForwardStep, TangentStep, Trace, TraceState
from core.training import Trainer
from core.trajectory import Trajectory, optimize, optimize_many

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FUNCTIONS",
    "JVP",
    "OPS",
    "OPTIMIZERS",
    "SURFACES",
    "Activation",
    "ActivationCurve",
    "ArgumentGradient",
    "BackwardStep",
    "Dataset",
    "Example",
    "ExponentialLR",
    "Fold",
    "ForwardStep",
    "GateCheck",
    "GradCheck",
    "GradientChain",
    "Graph",
    "Hyperparameter",
    "InputCheck",
    "LossAndGradient",
    "Model",
    "Node",
    "Op",
    "Optimizer",
    "ParseError",
    "Problem",
    "Result",
    "StepLR",
    "Surface",
    "SurfaceGrid",
    "TangentStep",
    "Trace",
    "TraceState",
    "Trainer",
    "Trajectory",
    "activation_curve",
    "activation_named",
    "chain_program",
    "collapse",
    "dataset",
    "evaluate",
    "example",
    "examples",
    "expand",
    "gradcheck",
    "gradient_chain",
    "jvp",
    "layout",
    "loss_and_gradient",
    "optimize",
    "optimize_many",
    "parse",
    "predict",
    "sample_program",
    "saturated_intervals",
    "surface_from_expression",
    "surface_grid",
    "to_pytorch",
]
