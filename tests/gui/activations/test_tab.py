"""The activation explorer tab as a view of its state: curves, shading, hover, the chain chart, the theme."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from core.activations import ACTIVATIONS, parsed
from graphviz_app.activations.curves_view import visible_curve_count
from graphviz_app.activations.state import ActivationsState
from graphviz_app.activations.tab import ActivationsTab, make_tab
from graphviz_app.debugger.state import AppState


@pytest.fixture
def app_state() -> AppState:
    return AppState()


@pytest.fixture
def tab(qtbot, app_state: AppState) -> ActivationsTab:
    widget = ActivationsTab(ActivationsState.of_app(app_state))
    qtbot.addWidget(widget)
    return widget


def _check(tab: ActivationsTab, name: str, on: bool) -> None:
    items = tab.curves_view.activation_list
    for i in range(items.count()):
        item = items.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == name:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def test_the_window_builds_the_tab_in_turns_sharing_the_debuggers_theme_and_runner(qtbot, app_state) -> None:
    tab = make_tab(app_state)
    qtbot.addWidget(tab)
    assert tab.state.theme is app_state.theme and tab.state.runner is app_state.runner
    assert not tab.ready()  # the plots come on later turns of the event loop
    qtbot.waitUntil(tab.ready, timeout=5000)
    assert visible_curve_count(tab.curves_view.value_plot) == 3 and len(tab.chain_view.chain_line.xData) == 11


def test_ticking_activations_changes_the_state_and_the_plots(tab: ActivationsTab) -> None:
    view = tab.curves_view
    assert visible_curve_count(view.value_plot) == 3
    _check(tab, "elu", True)
    _check(tab, "sigmoid", False)
    assert tab.state.shown == ("tanh", "relu", "elu")
    assert visible_curve_count(view.derivative_plot) == 3
    assert "elu(a, alpha=1)" in view.legend_strip.text() and "sigmoid(a)" not in view.legend_strip.text()
    tab.state.set_shown("softplus", True)  # a change from elsewhere shows in the list too
    softplus = view.activation_list.item(list(ACTIVATIONS).index("softplus"))
    assert softplus.checkState() == Qt.CheckState.Checked
    assert visible_curve_count(view.value_plot) == 4


def test_parameter_slider_changes_the_curve(tab: ActivationsTab) -> None:
    _check(tab, "leaky_relu", True)
    tab.curves_view.parameter_sliders["leaky_relu"].set_value(0.3)
    assert tab.state.parameters["leaky_relu"] == pytest.approx(0.3)
    derivative_item = tab.curves_view.curve_items["leaky_relu"][1]
    assert derivative_item.yData[0] == pytest.approx(0.3)
    assert "leaky_relu(a, slope=0.3)" in tab.curves_view.legend_strip.text()


def test_saturation_shading_follows_the_threshold(tab: ActivationsTab) -> None:
    _check(tab, "tanh", False)
    _check(tab, "relu", False)  # sigmoid alone: saturated on both tails
    tab.curves_view.threshold_slider.set_value(0.01)
    assert tab.curves_view.shown_region_count() == 2
    tab.curves_view.threshold_slider.set_value(0.3)  # above σ'(0) = 0.25: saturated everywhere
    assert tab.curves_view.shown_region_count() == 1


def test_hovering_shows_the_line_and_the_readout(tab: ActivationsTab, qtbot) -> None:
    view = tab.curves_view
    assert not any(line.isVisible() for line in view.hover_lines)  # nothing hovered yet
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    position = view.derivative_plot.getPlotItem().vb.mapViewToScene(QPointF(2.0, 0.5))
    view.derivative_plot.scene().sigMouseMoved.emit(position)
    assert tab.state.hover == pytest.approx(2.0)
    assert "a = +2.00" in view.readout.text() and "f′ = 0.105" in view.readout.text()  # σ'(2)
    assert all(line.isVisible() for line in view.hover_lines)
    assert view.hover_lines[0].value() == pytest.approx(2.0)


def test_the_range_boxes_set_the_a_range_and_refuse_an_empty_one(tab: ActivationsTab) -> None:
    view = tab.curves_view
    view.range_low.setValue(-10.0)
    view.range_low.editingFinished.emit()
    assert tab.state.x_range == (-10.0, 5.0)
    assert view.curve_items["sigmoid"][0].xData[0] == -10.0
    view.range_low.setValue(7.0)  # above the upper end: refused, the box shows the range again
    view.range_low.editingFinished.emit()
    assert tab.state.x_range == (-10.0, 5.0) and view.range_low.value() == -10.0


def test_chain_chart_shows_the_vanishing_gradient(tab: ActivationsTab) -> None:
    chain = tab.chain_view
    x, y = chain.chain_line.xData, chain.chain_line.yData  # getData() would give log10 on a log axis
    assert len(x) == 11  # 10 layers + the input
    assert y[0] == pytest.approx(1.0) and y[-1] < 1e-6
    assert np.allclose(chain.reference_lines["relu"].yData, 1.0)
    labels = [label.text for _, label in chain.chain_legend.items]
    assert labels == ["sigmoid", "ReLU (same w, b, x)"]  # the chosen one is not drawn twice
    chain.layers_slider.set_value(20)
    assert len(chain.chain_line.xData) == 21
    chain.chain_activation.setCurrentIndex(chain.chain_activation.findData("elu"))  # both references now
    lines = [sample.item for sample, _ in chain.chain_legend.items]
    assert lines == [chain.chain_line, chain.reference_lines["sigmoid"], chain.reference_lines["relu"]]
    chain.chain_activation.setCurrentIndex(chain.chain_activation.findData("tanh"))  # the same lines: relabelled
    assert [sample.item for sample, _ in chain.chain_legend.items] == lines
    labels = [label.text for _, label in chain.chain_legend.items]
    assert labels == [ACTIVATIONS["tanh"].display_name, "sigmoid (same w, b, x)", "ReLU (same w, b, x)"]
    chain.chain_activation.setCurrentIndex(chain.chain_activation.findData("relu"))
    assert np.allclose(chain.chain_line.yData, 1.0)
    assert [label.text for _, label in chain.chain_legend.items] == ["ReLU", "sigmoid (same w, b, x)"]
    assert "|∂out/∂x| = <b>1</b>" in chain.chain_summary.text()


def test_open_in_graph_view_loads_the_chain_into_the_debugger(tab: ActivationsTab, qtbot) -> None:
    tab.chain_view.layers_slider.set_value(4)
    tab.chain_view.weight_box.setValue(0.7)
    debugger = tab.state.debugger
    shown: list[bool] = []
    debugger.sig_show_debugger.connect(lambda: shown.append(True))  # a psygnal signal: waitSignal is Qt-only
    tab.chain_view.open_button.click()
    qtbot.waitUntil(lambda: bool(shown))
    assert debugger.expression == tab.state.chain.program
    assert debugger.expression.splitlines()[-1] == "h4 = sigmoid(w4*h3 + b4)"
    assert len(debugger.graph) == len(parsed(tab.state.chain.program)) == 1 + 4 * 5
    assert debugger.inputs["w3"] == pytest.approx(0.7)
    assert abs(debugger.result.grad["x"]) == pytest.approx(tab.state.chain.input_gradient)


def test_dark_theme_recolours_the_plots_and_curves(tab: ActivationsTab) -> None:
    plots = (tab.curves_view.value_plot, tab.curves_view.derivative_plot, tab.chain_view.chain_plot)
    assert [plot.backgroundBrush().color().name() for plot in plots] == ["#ffffff"] * 3
    sigmoid = tab.curves_view.curve_items["sigmoid"][0]
    assert sigmoid.opts["pen"].color().name() == tab.state.theme.activation_color("sigmoid") == "#1f77b4"
    tab.state.theme.set_dark(True)
    assert [plot.backgroundBrush().color().name() for plot in plots] == ["#15181d"] * 3
    axis = tab.curves_view.value_plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().lightness() > 200  # light tick labels on the dark background
    assert sigmoid.opts["pen"].color().lightness() > 150  # tab10's blue is lightened, not left to sink
    tab.state.theme.set_dark(False)
    assert tab.curves_view.value_plot.backgroundBrush().color().name() == "#ffffff"


def test_a_dark_theme_gives_a_dark_tab_from_the_start(qtbot) -> None:
    app_state = AppState()
    app_state.set_dark(True)
    widget = ActivationsTab(ActivationsState.of_app(app_state))
    qtbot.addWidget(widget)
    assert widget.chain_view.chain_plot.backgroundBrush().color().name() == "#15181d"


def test_the_legend_sits_above_the_plots_and_never_covers_a_curve(tab: ActivationsTab) -> None:
    for name in ACTIVATIONS:
        _check(tab, name, True)
    assert tab.curves_view.value_plot.getPlotItem().legend is None
    text = tab.curves_view.legend_strip.text()
    assert all(expression in text for expression in tab.state.legend_texts)
    assert len(tab.state.legend_texts) == len(ACTIVATIONS)


def test_a_dead_relu_chain_says_where_and_why(tab: ActivationsTab) -> None:
    chain = tab.chain_view
    chain.chain_activation.setCurrentIndex(chain.chain_activation.findData("relu"))
    chain.layers_slider.set_value(1)
    chain.weight_box.setValue(-2.0)  # a = -2·1 + 0.5 < 0: ReLU passes nothing back
    text = chain.chain_summary.text()
    assert "1 layer:" in text and "|∂out/∂x| = <b>0</b>" in text
    assert "dead: at layer 1 of 1, a = w·h + b = -1.5" in text
    chain.weight_box.setValue(1.0)
    assert "dead" not in chain.chain_summary.text()


def test_only_one_activation_is_shaded_the_one_selected(tab: ActivationsTab) -> None:
    view = tab.curves_view
    for name in ACTIVATIONS:
        _check(tab, name, True)  # all seven ticked: their shadings used to stack into brown
    colours = {region.brush.color().name() for region in view._shading if region.isVisible()}
    assert len(colours) == 1 and view.shaded_name() == next(iter(ACTIVATIONS))
    assert colours == {QColor(view.color(view.shaded_name())).name()}
    tanh_row = list(ACTIVATIONS).index("tanh")
    view.activation_list.setCurrentRow(tanh_row)
    assert view.shaded_name() == "tanh"
    shaded = [region for region in view._shading if region.isVisible()]
    assert shaded and {region.brush.color().name() for region in shaded} == {QColor(view.color("tanh")).name()}
    assert "tanh" in view.derivative_plot.getPlotItem().titleLabel.text.lower()


def test_the_window_builds_the_plots_in_their_places_and_links_their_a_axes(qtbot, app_state) -> None:
    tab = make_tab(app_state)  # staged, as the window builds it
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    view = tab.curves_view
    places = (view.value_slot.geometry(), view.derivative_slot.geometry())
    qtbot.waitUntil(tab.ready, timeout=10000)
    assert (view.value_slot.geometry(), view.derivative_slot.geometry()) == places
    assert view.value_slot.shown() and view.derivative_slot.shown() and tab.chain_view.chart_slot.shown()
    view.value_plot.setXRange(-2.0, 2.0, padding=0)  # a zoom on f(a) moves f′(a) with it
    low, high = view.derivative_plot.getPlotItem().vb.viewRange()[0]
    assert (round(low, 6), round(high, 6)) == (-2.0, 2.0)
