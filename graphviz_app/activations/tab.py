"""The activation explorer tab: f(a), f'(a), saturation, and the vanishing gradient of a deep chain.

Every number drawn comes from `core.activations` (the engine evaluates each activation's expression on
a grid, and the N-layer chain as one real graph). "Open in graph view" hands that same chain to the
debugger through `AppState.show_in_debugger`. Plots use big fonts and thick lines for a projector, and
follow the light/dark theme (`AppState.sig_theme_changed`).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.activations import (
    ACTIVATIONS,
    MAX_LAYERS,
    ActivationCurve,
    GradientChain,
    activation_curve,
    gradient_chain,
    saturated_intervals,
)
from graphviz_app.debugger.state import AppState
from graphviz_app.theme import colors
from graphviz_app.widgets.plot_style import (
    FONT_PT,
    LINE_WIDTH,
    LabeledSlider,
    add_legend,
    log_plot,
    plot_colors,
    readable_color,
    set_plot_dark,
    style_plot,
)

GRID = np.linspace(-5.0, 5.0, 801)
LOG_FLOOR = 1e-30  # a dead ReLU's gradient is exactly 0; a log axis shows it at this floor


class ActivationsTab(QWidget):
    """f and f' of chosen activations (top) and the vanishing-gradient chain (bottom)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.dark = state.dark
        self.curves: dict[str, ActivationCurve] = {}
        self.chain: GradientChain | None = None
        self._shading: list[pg.LinearRegionItem] = []
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_explorer())
        splitter.addWidget(self._build_chain())
        splitter.setSizes([560, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        state.sig_theme_changed.connect(self.set_dark)
        self.set_dark(state.dark)  # also draws the curves and the chain

    # ---- building ----

    def _build_explorer(self) -> QWidget:
        self.activation_list = QListWidget()
        for name, activation in ACTIVATIONS.items():
            item = QListWidgetItem(activation.display_name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = name in ("sigmoid", "tanh", "relu")
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.activation_list.addItem(item)
        self.activation_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.activation_list.itemChanged.connect(lambda _: self.update_curves())
        self.parameter_sliders: dict[str, LabeledSlider] = {}
        controls = QVBoxLayout()
        controls.addWidget(QLabel("<b>Activations</b>"))
        controls.addWidget(self.activation_list, 1)
        for name, activation in ACTIVATIONS.items():
            if activation.parameter is None:
                continue
            slider = LabeledSlider(
                f"{activation.display_name} {_symbol(activation.parameter)}",
                activation.low,
                activation.high,
                activation.default,
                steps=round((activation.high - activation.low) / 0.01),
                decimals=2,
            )
            slider.sig_value_changed.connect(self._on_parameter_changed)
            self.parameter_sliders[name] = slider
            controls.addWidget(slider)
        self.threshold_slider = LabeledSlider(
            "shade saturation: |f′| &lt;", 0.001, 0.5, 0.05, log_scale=True, decimals=2
        )
        self.threshold_slider.sig_value_changed.connect(lambda _: self.update_curves())
        controls.addWidget(self.threshold_slider)
        panel = QWidget()
        panel.setLayout(controls)
        panel.setFixedWidth(265)

        self.value_plot = pg.PlotWidget()
        self.derivative_plot = pg.PlotWidget()
        style_plot(self.value_plot, "f(a)", "a", "f(a)")
        style_plot(self.derivative_plot, "f′(a)", "a", "f′(a)")
        # The legend is a line of text above the plots, not a box inside one: with several activations
        # checked, or on a small screen, no corner of f(a) is free of curves.
        self.legend_strip = QLabel(objectName="activationLegend")
        self.legend_strip.setTextFormat(Qt.TextFormat.RichText)
        self.legend_strip.setWordWrap(True)
        self.legend_strip.setStyleSheet(f"font-size: {FONT_PT}pt")
        self.legend_texts: list[str] = []  # the engine's expression of every shown activation
        self.curve_items: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        for name in ACTIVATIONS:
            value_item, derivative_item = pg.PlotDataItem(), pg.PlotDataItem()
            self.value_plot.addItem(value_item)
            self.derivative_plot.addItem(derivative_item)
            self.curve_items[name] = (value_item, derivative_item)
        self.derivative_plot.setXLink(self.value_plot)
        self.value_plot.setXRange(-5, 5, padding=0.02)
        self.hover_lines = []
        for plot in (self.value_plot, self.derivative_plot):
            line = pg.InfiniteLine(angle=90, movable=False)
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.hover_lines.append(line)
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._on_mouse_moved(p, pos))
        self.readout = QLabel("Hover over a plot to read a, f(a) and f′(a).")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setMinimumHeight(30)
        self.readout.setStyleSheet(f"font-size: {FONT_PT}pt")
        plots = QHBoxLayout()
        plots.addWidget(self.value_plot)
        plots.addWidget(self.derivative_plot)
        right = QVBoxLayout()
        right.addWidget(self.legend_strip)
        right.addLayout(plots, 1)
        right.addWidget(self.readout)
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panel)
        layout.addLayout(right, 1)
        return box

    def _build_chain(self) -> QWidget:
        self.chain_activation = QComboBox()
        for name, activation in ACTIVATIONS.items():
            self.chain_activation.addItem(activation.display_name, name)
        self.layers_slider = LabeledSlider("layers N", 1, MAX_LAYERS, 10, steps=MAX_LAYERS - 1, decimals=0)
        self.weight_box = _spin(-5.0, 5.0, 1.0)
        self.bias_box = _spin(-5.0, 5.0, 0.5)
        self.start_box = _spin(-5.0, 5.0, 1.0)
        self.open_button = QPushButton("Open in graph view")
        form = QFormLayout()
        form.addRow("activation", self.chain_activation)
        form.addRow(self.layers_slider)
        form.addRow("weight w", self.weight_box)
        form.addRow("bias b", self.bias_box)
        form.addRow("input x", self.start_box)
        form.addRow(self.open_button)
        group = QGroupBox("Chain h_k = f(w·h_(k−1) + b)")
        group.setLayout(form)
        group.setFixedWidth(265)
        self.chain_activation.currentIndexChanged.connect(lambda _: self.update_chain())
        self.layers_slider.sig_value_changed.connect(lambda _: self.update_chain())
        for box in (self.weight_box, self.bias_box, self.start_box):
            box.valueChanged.connect(lambda _: self.update_chain())
        self.open_button.clicked.connect(self.open_in_graph_view)

        self.chain_plot = log_plot()
        style_plot(self.chain_plot, "", "layers back from the output (N = input x)", "|∂out/∂h|")
        self.chain_legend = add_legend(self.chain_plot, offset=(10, -10))  # bottom left: lines fall to the right
        self.chain_line = self.chain_plot.plot([], [], name="chosen", symbol="o", symbolSize=12)
        self.reference_lines = {
            name: self.chain_plot.plot([], [], name=f"{ACTIVATIONS[name].display_name} (same w, b)")
            for name in ("relu", "sigmoid")
        }
        # The result is a wrapping QLabel, not the plot title: a long title would set the plot's minimum width.
        self.chain_summary = QLabel()
        self.chain_summary.setWordWrap(True)
        self.chain_summary.setTextFormat(Qt.TextFormat.RichText)
        self.chain_summary.setStyleSheet(f"font-size: {FONT_PT + 2}pt")
        chart = QVBoxLayout()
        chart.addWidget(self.chain_summary)
        chart.addWidget(self.chain_plot, 1)
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(group)
        layout.addLayout(chart, 1)
        return box

    # ---- the theme ----

    def color(self, name: str) -> str:
        """An activation's colour, lightened on the dark background."""
        return readable_color(ACTIVATIONS[name].color, self.dark)

    def set_dark(self, dark: bool) -> None:
        """Recolour plots, curves, the list and the readout for the light or dark theme."""
        self.dark = bool(dark)
        for plot in (self.value_plot, self.derivative_plot, self.chain_plot):
            set_plot_dark(plot, self.dark)
        for i in range(self.activation_list.count()):
            item = self.activation_list.item(i)
            item.setForeground(QColor(self.color(item.data(Qt.ItemDataRole.UserRole))))
        for name, items in self.curve_items.items():
            for item in items:
                item.setPen(pg.mkPen(self.color(name), width=LINE_WIDTH))
        for line in self.hover_lines:
            line.setPen(pg.mkPen(plot_colors(self.dark).contrast, width=2, style=Qt.PenStyle.DashLine))
        for name, line in self.reference_lines.items():
            line.setPen(pg.mkPen(self.color(name), width=3, style=Qt.PenStyle.DashLine))
        self.update_curves()
        self.update_chain()
        if self.hover_lines[0].isVisible():
            self.show_readout(self.hover_lines[0].value())

    # ---- reacting ----

    def checked_activations(self) -> list[str]:
        items = (self.activation_list.item(i) for i in range(self.activation_list.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def parameter(self, name: str) -> float | None:
        slider = self.parameter_sliders.get(name)
        return None if slider is None else slider.value()

    def _on_parameter_changed(self, _: float) -> None:
        self.update_curves()
        if self.chain_activation.currentData() in self.parameter_sliders:
            self.update_chain()

    def update_curves(self) -> None:
        """Recompute f and f' of every checked activation with the engine and redraw both plots.

        The plot items are made once and only get new data here: creating pyqtgraph items costs
        milliseconds each, and this runs on every slider tick.
        """
        checked = self.checked_activations()
        self.curves = {name: activation_curve(name, GRID, self.parameter(name)) for name in checked}
        threshold = self.threshold_slider.value()
        regions = []
        for name, (value_item, derivative_item) in self.curve_items.items():
            curve = self.curves.get(name)
            value_item.setVisible(curve is not None)
            derivative_item.setVisible(curve is not None)
            if curve is None:
                continue
            value_item.setData(GRID, curve.value)
            derivative_item.setData(GRID, curve.derivative)
            shade = QColor(self.color(name))
            shade.setAlpha(55 if self.dark else 40)
            for lo, hi in saturated_intervals(GRID, curve.saturated(threshold)):
                regions.append(((-1e3 if lo <= GRID[0] else lo, 1e3 if hi >= GRID[-1] else hi), shade))
        while len(self._shading) < len(regions):
            region = pg.LinearRegionItem(movable=False, pen=pg.mkPen(None))
            region.setZValue(-10)
            self.derivative_plot.addItem(region, ignoreBounds=True)
            self._shading.append(region)
        for region, ((lo, hi), shade) in zip(self._shading, regions):
            region.setRegion((lo, hi))
            region.setBrush(pg.mkBrush(shade))
        for k, region in enumerate(self._shading):
            region.setVisible(k < len(regions))
        self.shaded_regions = [bounds for bounds, _ in regions]
        # Fixed ranges keep the picture still while a slider moves; they only grow for negative slopes.
        lowest_value = min((float(c.value.min()) for c in self.curves.values()), default=0.0)
        lowest_slope = min((float(c.derivative.min()) for c in self.curves.values()), default=0.0)
        self.value_plot.setYRange(min(-1.5, lowest_value - 0.2), 3.0, padding=0.02)
        self.derivative_plot.setYRange(min(-0.1, lowest_slope - 0.1), 1.15, padding=0.02)
        # The legend lists what is shown, with the engine's text (parameters included).
        self.legend_texts = [self.curves[name].expression for name in checked]
        self.legend_strip.setText(
            " &nbsp; ".join(
                f'<span style="color:{self.color(name)}; font-size:{FONT_PT + 5}pt">━</span>&nbsp;'
                f"<b>{html.escape(self.curves[name].expression)}</b>"
                for name in checked
            )
            or "<i>tick an activation on the left</i>"
        )

    def show_readout(self, a: float) -> str:
        """Put a, f(a), f'(a) of every shown activation under the plots (what hovering does)."""
        i = int(np.abs(GRID - a).argmin())
        parts = [f"<b>a = {GRID[i]:+.2f}</b>"]
        for curve in self.curves.values():
            parts.append(
                f"<span style='color:{self.color(curve.activation.name)}'><b>{curve.activation.display_name}</b>: "
                f"f = {curve.value[i]:.4g}, f′ = {curve.derivative[i]:.4g}</span>"
            )
        text = " &nbsp;|&nbsp; ".join(parts)
        self.readout.setText(text)
        for line in self.hover_lines:
            line.setPos(float(GRID[i]))
            line.setVisible(True)
        return text

    def _on_mouse_moved(self, plot: pg.PlotWidget, position) -> None:
        view = plot.getPlotItem().vb
        if plot.sceneBoundingRect().contains(position):
            self.show_readout(view.mapSceneToView(position).x())

    def update_chain(self) -> None:
        """Evaluate the N-layer chain with the engine and redraw the log-scale gradient chart."""
        name = self.chain_activation.currentData()
        layers = round(self.layers_slider.value())
        settings = {"weight": self.weight_box.value(), "bias": self.bias_box.value(), "start": self.start_box.value()}
        self.chain = gradient_chain(name, layers, parameter=self.parameter(name), **settings)
        distance = np.arange(layers + 1)
        activation = ACTIVATIONS[name]
        self.chain_line.setData(distance, np.maximum(self.chain.gradient_by_distance, LOG_FLOOR))
        self.chain_line.setPen(pg.mkPen(self.color(name), width=LINE_WIDTH))
        self.chain_line.setSymbolBrush(pg.mkBrush(self.color(name)))
        self.chain_line.setSymbolPen(pg.mkPen(plot_colors(self.dark).background, width=1.5))
        self.chain_legend.clear()
        self.chain_legend.addItem(self.chain_line, activation.display_name)
        for reference, line in self.reference_lines.items():
            if reference == name:
                line.setData([], [])
                continue
            other = gradient_chain(reference, layers, **settings)
            line.setData(distance, np.maximum(other.gradient_by_distance, LOG_FLOOR))
            self.chain_legend.addItem(line, f"{ACTIVATIONS[reference].display_name} (same w, b, x)")
        self.chain_summary.setText(
            f"<b>{activation.display_name}</b>, {layers} layer{'s' if layers > 1 else ''}: what reaches the "
            f"input, |∂out/∂x| = <b>{self.chain.input_gradient:.3g}</b>{self._dead_note(settings)}"
        )

    def _dead_note(self, settings: dict[str, float]) -> str:
        """Why exactly no gradient reaches the input (a dead ReLU, w = 0), or "" when some does."""
        gradients = self.chain.gradients  # index k: ∂out/∂h_k, k = 0 the input
        if gradients[0] != 0 or not np.isfinite(gradients).all():
            return ""
        if settings["weight"] == 0:
            return " — with w = 0 no layer passes any gradient back"
        # The layer nearest the output whose input gets no gradient: there f′(a) = 0.
        k = max(k for k in range(1, len(gradients)) if gradients[k - 1] == 0 and gradients[k] != 0)
        a = settings["weight"] * self.chain.values[k - 1] + settings["bias"]
        return (
            f"<br><span style='color:{colors(self.dark).bad}'>dead: at layer {k} of {len(gradients) - 1}, "
            f"a = w·h + b = "
            f"{a:.3g} ≤ 0 where f′(a) = 0, so nothing flows back below it (try w &gt; 0, "
            "or leaky ReLU)</span>"
        )

    def open_in_graph_view(self) -> bool:
        """Load the chain's program and input values into the debugger and bring it forward."""
        if self.chain is None:
            return False
        return self.state.show_in_debugger(self.chain.program, self.chain.inputs)


def _symbol(parameter: str) -> str:
    return "α" if parameter == "alpha" else parameter


def _spin(low: float, high: float, value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(2)
    box.setSingleStep(0.1)
    box.setValue(value)
    return box
