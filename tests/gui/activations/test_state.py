"""ActivationsState without any widget: choices in, engine curves and the gradient chain out."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from core.activations import ACTIVATIONS, gradient_chain
from graphviz_app.activations.state import ActivationsState, DeadLayer
from graphviz_app.theme import Theme


class FakeDebugger:
    def __init__(self) -> None:
        self.shown: list[tuple[str, dict[str, float]]] = []

    def show_in_debugger(self, text: str, inputs: dict[str, float]) -> bool:
        self.shown.append((text, inputs))
        return True


@pytest.fixture
def state() -> ActivationsState:
    return ActivationsState(Theme(), debugger=FakeDebugger())


def test_the_state_module_imports_no_qt() -> None:
    code = "import sys, graphviz_app.activations.state; print(any(m.startswith('PySide6') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_showing_and_hiding_keeps_the_table_order_and_emits(state: ActivationsState) -> None:
    emitted: list[int] = []
    state.sig_curves_changed.connect(lambda: emitted.append(1))
    assert state.shown == ("sigmoid", "tanh", "relu")
    state.set_shown("elu", True)
    state.set_shown("sigmoid", False)
    assert state.shown == ("tanh", "relu", "elu") and set(state.curves) == {"tanh", "relu", "elu"}
    assert state.legend_texts == ["tanh(a)", "relu(a)", "elu(a, alpha=1)"]
    state.set_shown("elu", True)  # already shown: nothing happens
    assert len(emitted) == 2
    with pytest.raises(ValueError, match="valid"):
        state.set_shown("swish", True)


def test_a_parameter_changes_the_curve_and_the_chain_that_uses_it(state: ActivationsState) -> None:
    state.set_shown("leaky_relu", True)
    state.set_chain(activation="leaky_relu", weight=-1.0)
    state.set_parameter("leaky_relu", 0.3)
    assert state.curves["leaky_relu"].expression == "leaky_relu(a, slope=0.3)"
    assert state.curves["leaky_relu"].derivative[0] == pytest.approx(0.3)
    expected = gradient_chain("leaky_relu", 10, weight=-1.0, bias=0.5, start=1.0, parameter=0.3)
    assert state.chain.input_gradient == pytest.approx(expected.input_gradient)
    with pytest.raises(ValueError, match="no parameter"):
        state.set_parameter("tanh", 0.5)


def test_the_legend_writes_a_slid_parameter_with_the_number_formatter(state: ActivationsState) -> None:
    state.set_shown("elu", True)
    state.set_parameter("elu", 1.0999999999999999)  # what a slider's 110th tick of 0.01 gives
    assert state.curves["elu"].expression == "elu(a, alpha=1.0999999999999999)"  # the engine stays exact
    assert "elu(a, alpha=1.1)" in state.legend_texts


def test_saturated_regions_follow_the_threshold(state: ActivationsState) -> None:
    state.set_shown("tanh", False)
    state.set_shown("relu", False)
    state.set_threshold(0.01)
    regions = state.shaded_regions()
    assert [name for name, *_ in regions] == ["sigmoid", "sigmoid"]
    assert regions[0][2] == pytest.approx(-4.6, abs=0.02) and regions[1][1] == pytest.approx(4.6, abs=0.02)
    state.set_threshold(0.3)  # above σ'(0) = 0.25: saturated everywhere
    assert state.shaded_regions() == [("sigmoid", -5.0, 5.0)]
    with pytest.raises(ValueError):
        state.set_threshold(0.0)


def test_the_x_range_sets_the_grid_and_bad_ranges_keep_the_old_one(state: ActivationsState) -> None:
    state.set_x_range(-10, 2)
    assert state.grid[0] == -10 and state.grid[-1] == 2
    assert state.curves["sigmoid"].value[0] == pytest.approx(1 / (1 + np.exp(10)))
    for low, high in ((3, 1), (-1e9, 0), (float("nan"), 1)):
        with pytest.raises(ValueError):
            state.set_x_range(low, high)
    assert state.x_range == (-10.0, 2.0)


def test_hover_snaps_to_the_grid_and_reads_every_shown_curve(state: ActivationsState) -> None:
    assert state.readout() == []
    state.set_hover(0.004)
    assert state.hover == 0.0
    readout = {name: (f, slope) for name, f, slope in state.readout()}
    assert readout["sigmoid"] == pytest.approx((0.5, 0.25))
    assert readout["tanh"] == pytest.approx((0.0, 1.0))


def test_the_chain_and_its_references(state: ActivationsState) -> None:
    assert state.chain.layers == 10 and state.chain.input_gradient < 1e-6
    assert set(state.references) == {"relu"}  # the chosen one is not drawn twice
    assert np.allclose(state.references["relu"].gradients, 1.0)
    state.set_chain(activation="relu", layers=20)
    assert set(state.references) == {"sigmoid"} and state.chain.input_gradient == pytest.approx(1.0)
    with pytest.raises(ValueError):
        state.set_chain(layers=31)
    with pytest.raises(ValueError):
        state.set_chain(weight=float("inf"))
    assert state.layers == 20


def test_a_dead_relu_is_found_where_it_dies(state: ActivationsState) -> None:
    state.set_chain(activation="relu", layers=1, weight=1.0, bias=-2.0, start=1.0)  # a = 1 - 2 < 0
    assert state.dead_layer() == DeadLayer(1, 1, -1.0)
    state.set_chain(layers=3)  # h1 = 0, so layers 2 and 3 see a = -2: going back, layer 3 is the first dead one
    assert state.dead_layer() == DeadLayer(3, 3, -2.0)
    state.set_chain(bias=0.5)
    assert state.dead_layer() is None
    state.set_chain(weight=0.0)
    assert state.dead_layer() is None  # nothing passes, but no single layer is to blame


def test_show_in_debugger_hands_over_the_chain(state: ActivationsState) -> None:
    state.set_chain(layers=4, weight=0.7)
    assert state.show_in_debugger()
    text, inputs = state.debugger.shown[-1]  # type: ignore[union-attr]
    assert text.splitlines()[-1] == "h4 = sigmoid(w4*h3 + b4)"
    assert inputs["w3"] == pytest.approx(0.7) and inputs["x"] == 1.0
    assert not ActivationsState(Theme()).show_in_debugger()  # no debugger: refused, no crash


def test_every_activation_has_a_colour_in_both_themes() -> None:
    theme = Theme()
    light = [theme.activation_color(name) for name in ACTIVATIONS]
    theme.set_dark(True)
    dark = [theme.activation_color(name) for name in ACTIVATIONS]
    assert len(set(light)) == len(set(dark)) == len(ACTIVATIONS)
    assert not hasattr(next(iter(ACTIVATIONS.values())), "color")  # the engine holds no GUI colour
