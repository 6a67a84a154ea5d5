"""The activation explorer tab: curves from the engine, saturation shading, hover, the chain chart."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.activations import ACTIVATIONS, parsed
from graphviz_app.activations.tab import ActivationsTab
from graphviz_app.debugger.state import AppState


@pytest.fixture
def tab(qtbot) -> ActivationsTab:
    widget = ActivationsTab(AppState())
    qtbot.addWidget(widget)
    return widget


def _check(tab: ActivationsTab, name: str, on: bool) -> None:
    for i in range(tab.activation_list.count()):
        item = tab.activation_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == name:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def _visible_curves(plot) -> int:
    return sum(item.isVisible() for item in plot.getPlotItem().listDataItems())


def test_checked_activations_are_drawn_with_their_derivatives(tab: ActivationsTab) -> None:
    assert tab.checked_activations() == ["sigmoid", "tanh", "relu"]
    assert _visible_curves(tab.value_plot) == 3
    assert tab.legend_texts == ["sigmoid(a)", "tanh(a)", "relu(a)"]
    _check(tab, "elu", True)
    _check(tab, "sigmoid", False)
    assert set(tab.curves) == {"tanh", "relu", "elu"}
    assert _visible_curves(tab.derivative_plot) == 3
    assert tab.legend_texts == ["tanh(a)", "relu(a)", "elu(a, alpha=1.0)"]


def test_parameter_slider_changes_the_curve(tab: ActivationsTab) -> None:
    _check(tab, "leaky_relu", True)
    tab.parameter_sliders["leaky_relu"].set_value(0.3)
    curve = tab.curves["leaky_relu"]
    assert curve.expression == "leaky_relu(a, slope=0.3)"
    assert curve.derivative[0] == pytest.approx(0.3)
    assert "leaky_relu(a, slope=0.3)" in tab.legend_texts
    assert "leaky_relu(a, slope=0.3)" in tab.legend_strip.text()


def test_saturation_shading_follows_the_threshold(tab: ActivationsTab) -> None:
    _check(tab, "tanh", False)
    _check(tab, "relu", False)  # sigmoid alone: saturated on both tails
    tab.threshold_slider.set_value(0.01)
    assert len(tab.shaded_regions) == 2
    tab.threshold_slider.set_value(0.3)  # above σ'(0) = 0.25: saturated everywhere
    assert len(tab.shaded_regions) == 1
    assert sum(region.isVisible() for region in tab._shading) == 1


def test_hover_readout_shows_a_f_and_derivative(tab: ActivationsTab) -> None:
    text = tab.show_readout(0.0)
    assert "a = +0.00" in text and "f = 0.5" in text and "f′ = 0.25" in text
    assert tab.hover_lines[0].isVisible() or not tab.isVisible()


def test_chain_chart_shows_the_vanishing_gradient(tab: ActivationsTab) -> None:
    x, y = tab.chain_line.xData, tab.chain_line.yData  # getData() would give log10 on a log axis
    assert len(x) == 11  # 10 layers + the input
    assert y[0] == pytest.approx(1.0) and y[-1] < 1e-6
    assert np.allclose(tab.reference_lines["relu"].yData, 1.0)
    tab.layers_slider.set_value(20)
    assert len(tab.chain_line.xData) == 21
    tab.chain_activation.setCurrentIndex(tab.chain_activation.findData("relu"))
    assert np.allclose(tab.chain_line.yData, 1.0)
    assert "|∂out/∂x| = <b>1</b>" in tab.chain_summary.text()


def test_open_in_graph_view_loads_the_chain_into_the_debugger(tab: ActivationsTab, qtbot) -> None:
    tab.layers_slider.set_value(4)
    tab.weight_box.setValue(0.7)
    with qtbot.waitSignal(tab.state.sig_show_debugger):
        tab.open_button.click()
    state = tab.state
    assert state.expression == tab.chain.program
    assert state.expression.splitlines()[-1] == "h4 = sigmoid(w4*h3 + b4)"
    assert len(state.graph) == len(parsed(tab.chain.program)) == 1 + 4 * 5
    assert state.inputs["w3"] == pytest.approx(0.7)
    assert abs(state.result.grad["x"]) == pytest.approx(tab.chain.input_gradient)


def test_moving_the_mouse_over_a_plot_reads_out_there(tab: ActivationsTab, qtbot) -> None:
    from PySide6.QtCore import QPointF

    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    position = tab.derivative_plot.getPlotItem().vb.mapViewToScene(QPointF(2.0, 0.5))
    tab.derivative_plot.scene().sigMouseMoved.emit(position)
    assert "a = +2.00" in tab.readout.text()
    assert tab.hover_lines[1].isVisible()


def test_dark_theme_recolours_the_plots(tab: ActivationsTab) -> None:
    plots = (tab.value_plot, tab.derivative_plot, tab.chain_plot)
    light = [plot.backgroundBrush().color().name() for plot in plots]
    assert light == ["#ffffff"] * 3
    tab.state.set_dark(True)
    assert [plot.backgroundBrush().color().name() for plot in plots] == ["#15181d"] * 3
    axis = tab.value_plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().lightness() > 200  # light tick labels on the dark background
    sigmoid_pen = tab.curve_items["sigmoid"][0].opts["pen"]
    assert sigmoid_pen.color().lightness() > 150  # tab10's blue is lightened, not left to sink
    tab.state.set_dark(False)
    assert tab.value_plot.backgroundBrush().color().name() == "#ffffff"


def test_a_dark_state_gives_a_dark_tab_from_the_start() -> None:
    state = AppState()
    state.set_dark(True)
    widget = ActivationsTab(state)
    assert widget.chain_plot.backgroundBrush().color().name() == "#15181d"
    widget.deleteLater()


def test_the_legend_sits_above_the_plots_and_never_covers_a_curve(tab: ActivationsTab) -> None:
    for name in ACTIVATIONS:
        _check(tab, name, True)
    assert tab.value_plot.getPlotItem().legend is None
    assert len(tab.legend_texts) == len(ACTIVATIONS)
    assert all(text in tab.legend_strip.text() for text in ("sigmoid(a)", "softplus(a)"))


def test_a_dead_relu_chain_says_where_and_why(tab: ActivationsTab) -> None:
    tab.chain_activation.setCurrentIndex(tab.chain_activation.findData("relu"))
    tab.layers_slider.set_value(1)
    tab.weight_box.setValue(-2.0)  # a = -2·1 + 0.5 < 0: ReLU passes nothing back
    text = tab.chain_summary.text()
    assert "1 layer:" in text and "|∂out/∂x| = <b>0</b>" in text
    assert "dead: at layer 1 of 1, a = w·h + b = -1.5" in text
    tab.weight_box.setValue(1.0)
    assert "dead" not in tab.chain_summary.text()
