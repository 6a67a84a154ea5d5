"""The optimizers of the optimizer lab: torch.optim's update rules as pure functions over numpy vectors.

Each optimizer is a step function ``step(params, grad, state, *, lr, **hyperparameters) ->
(new_params, new_state)`` whose state is a frozen record (velocity, squared-gradient cache, m, v …),
so the GUI can show the state after every step and stepping back is free. The arithmetic follows
torch.optim's single-tensor code path operation by operation (same order, same rounding), so a
float64 run here reproduces ``torch.optim`` to the last few bits. ``OPTIMIZERS`` is the one table
the GUI reads: names, hyperparameters with their torch defaults and slider ranges, ordered
from simplest to most complex. ``StepLR`` and ``ExponentialLR`` give the learning rate per step
exactly as torch.optim.lr_scheduler does when stepped once after every optimizer step.

Each step function has a twin, ``*_floats``, that does the same arithmetic on lists of Python floats,
for the optimizer lab's 2-D points, where numpy's per-call overhead is most of the cost. Python floats
are IEEE float64 like numpy's, and + - * / and square roots are correctly rounded in both, so the
twins give the same bits as long as they do the same operations in the same order (a test checks
every option). Where Python raises instead of returning inf/nan (x/0, sqrt(-x)), the caller reruns
that step with the numpy function. A twin's state is the state record as a plain tuple, vectors as
lists: ``(step, *vector_fields)``; ``state_as_floats``/``state_from_floats`` convert.

The numpy step functions take an optional ``record`` dict and write into it the named terms of the
update as they computed them (the gradient with weight decay, Adam's bias corrections, m̂ and v̂, the
denominator, the step size …): the lab's update panel shows those, so no number on screen is a
second derivation of the rule. ``Trajectory.update(k)`` records step k that way.
"""

from core.optimizers.adadelta import AdadeltaState, adadelta_floats, adadelta_step
from core.optimizers.adagrad import AdagradState, adagrad_floats, adagrad_step
from core.optimizers.adam import AdamState, adam_floats, adam_step, adamw_floats, adamw_step
from core.optimizers.base import Floats, FloatState, FloatStep, HyperValue, state_as_floats, state_from_floats
from core.optimizers.rmsprop import RMSpropState, rmsprop_floats, rmsprop_step
from core.optimizers.sgd import SGDState, sgd_floats, sgd_step
from core.optimizers.table import OPTIMIZERS, Hyperparameter, Optimizer, optimizer_named
from core.schedules import ExponentialLR, LRSchedule, StepLR, constant_learning_rates

__all__ = [
    "OPTIMIZERS",
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "ExponentialLR",
    "FloatState",
    "FloatStep",
    "Floats",
    "HyperValue",
    "Hyperparameter",
    "LRSchedule",
    "Optimizer",
    "RMSpropState",
    "SGDState",
    "StepLR",
    "adadelta_floats",
    "adadelta_step",
    "adagrad_floats",
    "adagrad_step",
    "adam_floats",
    "adam_step",
    "adamw_floats",
    "adamw_step",
    "constant_learning_rates",
    "optimizer_named",
    "rmsprop_floats",
    "rmsprop_step",
    "sgd_floats",
    "sgd_step",
    "state_as_floats",
    "state_from_floats",
]
