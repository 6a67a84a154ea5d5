"""The bottom half of the activations tab: the vanishing gradient of an N-layer chain, on a log axis.

A view of `ActivationsState`: the controls call `state.set_chain(...)`, `sig_chain_changed` redraws.
"Open in graph view" hands the same chain to the debugger (`state.show_in_debugger()`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.activations import ACTIVATIONS, MAX_LAYERS
from graphviz_app.activations.state import ActivationsState
from graphviz_app.numbers import number
from graphviz_app.widgets.plot_style import (
    FONT_PT,
    LINE_WIDTH,
    LabeledSlider,
    add_legend,
    cache_axes,
    log_plot,
    plot_colors,
    set_plot_dark,
    settle_axes,
    style_plot,
)
from graphviz_app.widgets.staged_build import Slot
from graphviz_app.widgets.text_size import TextSizer

LOG_FLOOR = 1e-30  # a dead ReLU's gradient is exactly 0; a log axis shows it at this floor
PANEL_WIDTH = 265


class ChainView(QWidget):
    """Chain settings on the left; |∂out/∂h| against layers back from the output on the right."""

    def __init__(self, state: ActivationsState, parent: QWidget | None = None, staged: bool = False) -> None:
        """`staged`: the controls now, the chart by the caller running `build()`'s pieces, one per turn."""
        super().__init__(parent)
        self.state = state
        self._built = False
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the chart and its result line
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._build_controls())
        self.chart_slot = Slot()  # the chart's place, there before it (staged_build.Slot)
        self._layout.addWidget(self.chart_slot, 1)
        if not staged:
            for _ in self.build():
                pass

    def ready(self) -> bool:
        return self._built

    def build(self) -> Iterator[None]:
        """The chart, its lines, then their colours and the first drawing (each some 20 ms, hidden in
        its slot), then the chart shown, and so painted, on a turn of its own."""
        self.chain_plot = log_plot(enableMenu=False)
        yield
        chart = QWidget()
        chart.setLayout(self._build_chart())
        self.chart_slot.hold(chart)
        yield
        self.chain_line = self.chain_plot.plot([], [], symbol="o", symbolSize=12)
        self.reference_lines: dict[str, pg.PlotDataItem] = {}
        yield
        names = list(ACTIVATIONS)
        for part in (names[: len(names) // 2], names[len(names) // 2 :]):  # a line is some 3–5 ms to make
            self.reference_lines.update({name: self.chain_plot.plot([], []) for name in part})
            yield
        cache_axes(self.chain_plot)
        self._follow_state()
        yield
        settle_axes(self.chain_plot)
        yield
        self.chart_slot.show_content()
        self._built = True

    def _follow_state(self) -> None:
        self.state.sig_chain_changed.connect(self.redraw)
        self.state.theme.changed.connect(self.set_dark)
        self.set_dark(self.state.theme.dark)

    def _build_controls(self) -> QGroupBox:
        state = self.state
        self.chain_activation = QComboBox()
        for name, activation in ACTIVATIONS.items():
            self.chain_activation.addItem(activation.display_name, name)
        self.chain_activation.setCurrentIndex(self.chain_activation.findData(state.chain_activation))
        self.layers_slider = LabeledSlider("layers N", 1, MAX_LAYERS, state.layers, steps=MAX_LAYERS - 1, decimals=0)
        self.weight_box = _spin(-5.0, 5.0, state.weight)
        self.bias_box = _spin(-5.0, 5.0, state.bias)
        self.start_box = _spin(-5.0, 5.0, state.start)
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
        group.setFixedWidth(PANEL_WIDTH)
        self.chain_activation.currentIndexChanged.connect(
            lambda _: state.set_chain(activation=self.chain_activation.currentData())
        )
        self.layers_slider.sig_value_changed.connect(lambda v: state.set_chain(layers=round(v)))
        self.weight_box.valueChanged.connect(lambda v: state.set_chain(weight=v))
        self.bias_box.valueChanged.connect(lambda v: state.set_chain(bias=v))
        self.start_box.valueChanged.connect(lambda v: state.set_chain(start=v))
        self.open_button.clicked.connect(state.show_in_debugger)
        return group

    def _build_chart(self) -> QVBoxLayout:
        style_plot(self.chain_plot, "", "layers back from the output (N = input x)", "|∂out/∂h|")
        self.sizer.plot(self.chain_plot)
        self.chain_legend = add_legend(self.chain_plot, offset=(10, -10))  # bottom left: lines fall to the right
        self._legend_labels: list[str] = []
        # The result is a wrapping QLabel, not the plot title: a long title would set the plot's minimum width.
        self.chain_summary = QLabel()
        self.chain_summary.setWordWrap(True)
        self.chain_summary.setTextFormat(Qt.TextFormat.RichText)
        self.sizer.style(self.chain_summary, f"font-size: {FONT_PT + 2}pt")
        self.sizer.fixed_height(self.chain_summary, FONT_PT + 2, 2)  # the dead-ReLU note must not resize the plot
        chart = QVBoxLayout()
        chart.setContentsMargins(0, 0, 0, 0)
        chart.addWidget(self.chain_summary)
        chart.addWidget(self.chain_plot, 1)
        return chart

    def set_dark(self, dark: bool) -> None:
        set_plot_dark(self.chain_plot, dark)
        for name, line in self.reference_lines.items():
            line.setPen(pg.mkPen(self.state.theme.activation_color(name), width=3, style=Qt.PenStyle.DashLine))
        self.redraw()

    def redraw(self) -> None:
        """The chain chart, its legend and the one-line result from the state."""
        state = self.state
        chain, name = state.chain, state.chain_activation
        color = state.theme.activation_color(name)
        distance = np.arange(chain.layers + 1)
        self.chain_line.setData(distance, np.maximum(chain.gradient_by_distance, LOG_FLOOR))
        self.chain_line.setPen(pg.mkPen(color, width=LINE_WIDTH))
        self.chain_line.setSymbolBrush(pg.mkBrush(color))
        self.chain_line.setSymbolPen(pg.mkPen(plot_colors(state.theme.dark).background, width=1.5))
        entries = [(self.chain_line, ACTIVATIONS[name].display_name)]
        for reference, line in self.reference_lines.items():
            other = state.references.get(reference)
            if other is None:
                line.setData([], [])
                continue
            line.setData(distance, np.maximum(other.gradient_by_distance, LOG_FLOOR))
            entries.append((line, f"{ACTIVATIONS[reference].display_name} (same w, b, x)"))
        labels = [text for _, text in entries]
        shown = [sample.item for sample, _ in self.chain_legend.items]
        if shown == [item for item, _ in entries]:  # the same lines: only new words (another activation)
            for (_, label), text, old in zip(self.chain_legend.items, labels, self._legend_labels):
                if text != old:
                    label.setText(text)
        else:  # a legend entry is a text item and a sample: remade only when the lines change
            self.chain_legend.clear()
            for item, text in entries:
                self.chain_legend.addItem(item, text)
        self._legend_labels = labels
        self._sync_controls()
        layers = chain.layers
        self.chain_summary.setText(
            f"<b>{ACTIVATIONS[name].display_name}</b>, {layers} layer{'s' if layers > 1 else ''}: what reaches "
            f"the input, |∂out/∂x| = <b>{number(chain.input_gradient)}</b>{self._dead_note()}"
        )

    def _dead_note(self) -> str:
        """Why exactly no gradient reaches the input (a dead ReLU, w = 0), or "" when some does."""
        state = self.state
        if state.chain.input_gradient != 0:
            return ""
        if state.weight == 0:
            return " — with w = 0 no layer passes any gradient back"
        dead = state.dead_layer()
        if dead is None:
            return ""
        return (
            f"<br><span style='color:{state.theme.colors.bad}'>dead: at layer {dead.layer} of {dead.layers}, "
            f"a = w·h + b = {number(dead.a)} ≤ 0 where f′(a) = 0, so nothing flows back below it "
            "(try w &gt; 0, or leaky ReLU)</span>"
        )

    def _sync_controls(self) -> None:
        """Show the state's settings in the controls without echoing them back."""
        state = self.state
        widgets = (self.chain_activation, self.layers_slider, self.weight_box, self.bias_box, self.start_box)
        for widget in widgets:
            widget.blockSignals(True)
        self.chain_activation.setCurrentIndex(self.chain_activation.findData(state.chain_activation))
        if round(self.layers_slider.value()) != state.layers:
            self.layers_slider.set_value(state.layers)
        for box, value in ((self.weight_box, state.weight), (self.bias_box, state.bias), (self.start_box, state.start)):
            box.setValue(value)
        for widget in widgets:
            widget.blockSignals(False)


def _spin(low: float, high: float, value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(2)
    box.setSingleStep(0.1)
    box.setValue(value)
    return box
