"""What a session keeps of the activations tab (`ActivationsState.to_dict` / `from_dict` call these):

    "activations": {"shown": ["sigmoid", "relu"], "parameters": {"leaky_relu": 0.1, "elu": 1.0},
                    "threshold": 0.05, "range": [-5, 5],
                    "chain": {"activation": "sigmoid", "layers": 10, "weight": 1, "bias": 0.5, "input": 1}}

Restoring goes through the state's setters; a value that cannot be used keeps the tab's own and is
one line of the returned messages (`graphviz_app.restore`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.activations import ACTIVATIONS, MAX_LAYERS
from graphviz_app.restore import Restorer, activation_parameters, choice, number, pair, shown, whole

if TYPE_CHECKING:
    from graphviz_app.activations.state import ActivationsState


def activations_to_dict(state: ActivationsState) -> dict[str, object]:
    return {
        "shown": list(state.shown),
        "parameters": dict(state.parameters),
        "threshold": state.threshold,
        "range": list(state.x_range),
        "chain": {
            "activation": state.chain_activation,
            "layers": state.layers,
            "weight": state.weight,
            "bias": state.bias,
            "input": state.start,
        },
    }


def activations_from_dict(state: ActivationsState, data: object) -> list[str]:
    r = Restorer("activations", data)
    r.apply("shown", lambda v: _set_shown(state, v), list(state.shown))
    parameters = activation_parameters(
        "activations", r.data.get("parameters", {}), state.parameters, state.set_parameter
    )
    r.apply("threshold", lambda v: state.set_threshold(number(v, 1e-12, 1e6)), state.threshold)
    r.apply("range", lambda v: state.set_x_range(*pair(v)), list(state.x_range))
    chain = Restorer("activations: chain", r.data.get("chain", {}))
    chain.apply("activation", lambda v: state.set_chain(activation=choice(v, ACTIVATIONS)), state.chain_activation)
    chain.apply("layers", lambda v: state.set_chain(layers=whole(v, 1, MAX_LAYERS)), state.layers)
    chain.apply("weight", lambda v: state.set_chain(weight=number(v)), state.weight)
    chain.apply("bias", lambda v: state.set_chain(bias=number(v)), state.bias)
    chain.apply("input", lambda v: state.set_chain(start=number(v)), state.start)
    return r.messages + parameters + chain.messages


def _set_shown(state: ActivationsState, value: object) -> None:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of activation names, not {shown(value)}")
    names = [choice(v, ACTIVATIONS) for v in value]
    for name in ACTIVATIONS:
        state.set_shown(name, name in names)
