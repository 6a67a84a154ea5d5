"""The tiny-networks tab: train logistic regression or a small MLP on 2-D data and watch it learn.

The model, its gradients and the optimizer step all live in `core` (`core.training.Trainer`); this
widget only chooses, steps and draws. A QTimer takes a few optimizer steps per tick (within a time
budget, so the window never freezes) and redraws the decision-boundary heat map (an ImageItem behind
the scatter plot, p = ½ drawn as a black contour) and the loss curve. "Show one sample in the
debugger" opens the loss graph of the chosen point, with the current weights, in the graph view.
Plots follow the light/dark theme (`AppState.sig_theme_changed`).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.activations import ACTIVATIONS
from core.datasets import DATASETS, Dataset, dataset
from core.networks import Model
from core.optimizers import OPTIMIZERS
from core.training import Trainer
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

GRID_SIZE = 90  # heat-map cells per side
TICK_MS = 40
TICK_BUDGET_S = 0.02  # stop stepping within a tick after this long: the event loop keeps half of each tick
NARROW_WIDTH = 1150  # below this the loss curve goes under the plane instead of beside it
BOUNDARY_EVERY_S = 0.1  # while training, repaint the heat map at most this often (a 90×90 grid of a 2-8-8-1
# network costs ~15 ms; the loss curve and the status are cheap and update every tick)
HIDDEN_LAYERS = {"logistic regression": 0, "1 hidden layer": 1, "2 hidden layers": 2}
DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.2, "rmsprop": 0.01, "adam": 0.1}
CLASS_COLORS = ("#08519c", "#a50f15")  # class 0 blue, class 1 red, like the heat map's ends
CLASS_COLORS_DARK = ("#6cb6ff", "#ff8a80")
HEAT_MAP = pg.ColorMap([0.0, 0.5, 1.0], ["#9ecae1", "#ffffff", "#fc9272"])
HEAT_MAP_DARK = pg.ColorMap([0.0, 0.5, 1.0], ["#1d4f7d", "#20242b", "#86342a"])  # p = ½ fades into the background
LOSS_COLOR = "#d62728"
NO_PARAMETER = "activation parameter: <i>none</i>"


class NetworksTab(QWidget):
    """Data set, model and optimizer on the left; decision boundary and loss curve on the right."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.dark = state.dark
        self.trainer: Trainer
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._boundary_drawn_at = 0.0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._build_controls())
        # Plane and loss side by side; stacked when the tab is narrow (docks open beside it).
        self.plots_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.plots_layout.addWidget(self._build_plane(), 3)
        self.plots_layout.addWidget(self._build_loss_plot(), 2)
        layout.addLayout(self.plots_layout, 1)
        self.reset()
        state.sig_theme_changed.connect(self.set_dark)
        self.set_dark(state.dark)

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = event.size().width() < NARROW_WIDTH
        self.plots_layout.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    # ---- building ----

    def _build_controls(self) -> QWidget:
        self.dataset_box = QComboBox()
        for name, make in DATASETS.items():
            self.dataset_box.addItem(make().display_name, name)
        self.model_box = QComboBox()
        self.model_box.addItems(list(HIDDEN_LAYERS))
        self.model_box.setCurrentText("1 hidden layer")
        self.product_feature_box = QCheckBox("extra feature x1·x2")
        self.width_box = QSpinBox()
        self.width_box.setRange(1, 8)
        self.width_box.setValue(2)
        self.activation_box = QComboBox()
        for name, activation in ACTIVATIONS.items():
            self.activation_box.addItem(activation.display_name, name)
        self.activation_box.setCurrentIndex(list(ACTIVATIONS).index("tanh"))
        # One slider for the chosen activation's slope / α (a new range per activation, the value kept
        # per activation); disabled for activations without one and for logistic regression.
        self.parameters = {name: a.default for name, a in ACTIVATIONS.items() if a.parameter is not None}
        self.parameter_slider = LabeledSlider("activation parameter", 0.0, 1.0, 0.0, decimals=2)
        self.optimizer_box = QComboBox()
        for name, optimizer in OPTIMIZERS.items():
            self.optimizer_box.addItem(optimizer.display_name, name)
        self.optimizer_box.setCurrentIndex(list(OPTIMIZERS).index("adam"))
        self.lr_slider = LabeledSlider("learning rate", 1e-4, 1.0, DEFAULT_LR["adam"], log_scale=True, decimals=2)
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, 200)
        self.steps_box.setValue(5)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 9999)
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.step_button = QPushButton("Step")
        self.reset_button = QPushButton("Reset")
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setStyleSheet(f"font-size: {FONT_PT}pt")
        self.status_label.setWordWrap(True)
        self.sample_box = QSpinBox()
        self.debug_button = QPushButton("Show in the debugger")

        model_form = QFormLayout()
        model_form.addRow("data", self.dataset_box)
        model_form.addRow("model", self.model_box)
        model_form.addRow(self.product_feature_box)
        model_form.addRow("width", self.width_box)
        model_form.addRow("activation", self.activation_box)
        model_form.addRow(self.parameter_slider)
        model_group = QGroupBox("Data and model")
        model_group.setLayout(model_form)
        train_form = QFormLayout()
        train_form.addRow("optimizer", self.optimizer_box)
        train_form.addRow(self.lr_slider)
        train_form.addRow("steps per tick", self.steps_box)
        train_form.addRow("start seed", self.seed_box)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.step_button, self.reset_button):
            buttons.addWidget(button)
        train_form.addRow(buttons)
        train_form.addRow(self.status_label)
        train_group = QGroupBox("Training")
        train_group.setLayout(train_form)
        debug_form = QFormLayout()
        debug_form.addRow("sample (or click one)", self.sample_box)
        debug_form.addRow(self.debug_button)
        debug_group = QGroupBox("Show one sample in the debugger")
        debug_group.setLayout(debug_form)

        for box in (self.dataset_box, self.model_box, self.activation_box, self.optimizer_box):
            box.currentIndexChanged.connect(self._on_setup_changed)
        self.optimizer_box.currentIndexChanged.connect(self._on_optimizer_changed)
        for spin in (self.width_box, self.seed_box):
            spin.valueChanged.connect(self._on_setup_changed)
        self.product_feature_box.toggled.connect(self._on_setup_changed)
        self.parameter_slider.sig_value_changed.connect(self._on_parameter_changed)
        self.lr_slider.sig_value_changed.connect(lambda lr: self.trainer.set_learning_rate(lr))
        self.train_button.toggled.connect(self.set_training)
        self.step_button.clicked.connect(lambda: self.step(1))
        self.reset_button.clicked.connect(self.reset)
        self.sample_box.valueChanged.connect(self._show_selected_sample)
        self.debug_button.clicked.connect(self.show_sample_in_debugger)

        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        for group in (model_group, train_group, debug_group):
            column.addWidget(group)
        column.addStretch(1)
        panel.setFixedWidth(310)
        return panel

    def _build_plane(self) -> pg.PlotWidget:
        self.plane_plot = pg.PlotWidget()
        style_plot(self.plane_plot, "decision boundary", "x1", "x2")
        # Not aspect-locked: the heat map then fills the plot instead of leaving blank bands beside it.
        self.boundary_image = pg.ImageItem()
        self.boundary_image.setColorMap(HEAT_MAP)
        self.boundary_image.setZValue(-20)
        self.plane_plot.addItem(self.boundary_image)
        self.boundary_line = pg.IsocurveItem(level=0.5)
        self.boundary_line.setParentItem(self.boundary_image)
        self.points = pg.ScatterPlotItem(hoverable=True)
        self.points.sigClicked.connect(self._on_point_clicked)
        self.plane_plot.addItem(self.points)
        self.selected_marker = pg.ScatterPlotItem(symbol="o", size=30, brush=None)
        self.plane_plot.addItem(self.selected_marker)
        legend = add_legend(self.plane_plot)
        self.legend_samples = [pg.ScatterPlotItem(symbol="o", size=14) for _ in CLASS_COLORS] + [pg.PlotDataItem()]
        for sample, label in zip(self.legend_samples, ("class 0", "class 1", "p = ½")):
            legend.addItem(sample, label)
        return self.plane_plot

    def _build_loss_plot(self) -> pg.PlotWidget:
        self.loss_plot = log_plot()
        style_plot(self.loss_plot, "mean loss", "step", "cross-entropy")
        self.loss_curve = self.loss_plot.plot([], [])
        # The current loss as a dot: before the first step the curve is one point, which a pen cannot draw.
        self.loss_marker = self.loss_plot.plot([], [], pen=None, symbol="o", symbolSize=14)
        self.loss_plot.getAxis("bottom").enableAutoSIPrefix(False)  # "step (x0.001)" reads as nonsense
        return self.loss_plot

    # ---- the run ----

    def model(self) -> Model:
        layers = HIDDEN_LAYERS[self.model_box.currentText()]
        activation = self.activation_box.currentData()
        return Model(
            (self.width_box.value(),) * layers,
            activation,
            self.product_feature_box.isChecked(),
            self.parameters.get(activation),
        )

    def data(self) -> Dataset:
        return dataset(self.dataset_box.currentData())

    def reset(self) -> None:
        """A fresh run with the chosen data, model, optimizer and seed; training pauses."""
        self.set_training(False)
        hidden = HIDDEN_LAYERS[self.model_box.currentText()] > 0
        self.width_box.setEnabled(hidden)
        self.activation_box.setEnabled(hidden)
        self._show_parameter(hidden)
        self.trainer = Trainer(
            self.model(),
            self.data(),
            self.optimizer_box.currentData(),
            lr=self.lr_slider.value(),
            seed=self.seed_box.value(),
        )
        self._draw_data()
        self.redraw()

    def set_training(self, on: bool) -> None:
        """Start or pause the timer that trains a few steps per tick."""
        if on and not self.trainer.diverged:
            self.timer.start()
        elif self.timer.isActive():
            self.timer.stop()
            self.redraw()  # the heat map may be a few steps behind the weights
        self.train_button.blockSignals(True)
        self.train_button.setChecked(self.timer.isActive())
        self.train_button.setText("Pause" if self.timer.isActive() else "Train")
        self.train_button.blockSignals(False)

    def step(self, k: int) -> int:
        """Take k optimizer steps now (within one tick's time budget) and redraw everything."""
        taken = self._train(k)
        self.redraw()
        return taken

    def _train(self, k: int) -> int:
        deadline = time.perf_counter() + TICK_BUDGET_S
        taken = 0
        while taken < k and time.perf_counter() < deadline and self.trainer.step(1):
            taken += 1
        return taken

    def _tick(self) -> None:
        self._train(self.steps_box.value())
        self.redraw(boundary=time.perf_counter() - self._boundary_drawn_at >= BOUNDARY_EVERY_S)
        if self.trainer.diverged:
            self.set_training(False)

    def _on_setup_changed(self, *_: object) -> None:
        self.reset()

    def _on_parameter_changed(self, value: float) -> None:
        activation = self.activation_box.currentData()
        if activation in self.parameters:
            self.parameters[activation] = value
            self.reset()

    def _show_parameter(self, hidden: bool) -> None:
        """Put the chosen activation's slope / α on the slider (disabled when there is none)."""
        activation = ACTIVATIONS[self.activation_box.currentData()]
        if activation.parameter is None:
            self.parameter_slider.setEnabled(False)
            self.parameter_slider.label.setText(NO_PARAMETER)
            return
        symbol = "α" if activation.parameter == "alpha" else activation.parameter
        self.parameter_slider.configure(
            f"{activation.display_name} {symbol}",
            activation.low,
            activation.high,
            self.parameters[activation.name],
            steps=round((activation.high - activation.low) / 0.01),
        )
        self.parameter_slider.setEnabled(hidden)

    def _on_optimizer_changed(self, *_: object) -> None:
        self.lr_slider.set_value(DEFAULT_LR[self.optimizer_box.currentData()])
        self.reset()

    # ---- drawing ----

    def set_dark(self, dark: bool) -> None:
        """Recolour both plots, the heat map, the points and the lines for the light or dark theme."""
        self.dark = bool(dark)
        c = plot_colors(self.dark)
        for plot in (self.plane_plot, self.loss_plot):
            set_plot_dark(plot, self.dark)
        self.boundary_image.setColorMap(HEAT_MAP_DARK if self.dark else HEAT_MAP)
        line = pg.mkPen(c.contrast, width=3)
        self.boundary_line.setPen(line)
        self.selected_marker.setPen(pg.mkPen(c.contrast, width=3))
        self.points.setPen(pg.mkPen("#ffffff", width=1.5))
        for sample, color in zip(self.legend_samples, self.class_colors()):
            sample.setBrush(pg.mkBrush(color))
            sample.setPen(pg.mkPen("#ffffff", width=1.5))
        self.legend_samples[-1].setPen(line)
        loss_color = readable_color(LOSS_COLOR, self.dark)
        self.loss_curve.setPen(pg.mkPen(loss_color, width=LINE_WIDTH))
        self.loss_marker.setSymbolBrush(pg.mkBrush(loss_color))
        self.loss_marker.setSymbolPen(pg.mkPen(c.background, width=2))
        self._draw_data()
        self.redraw()

    def class_colors(self) -> tuple[str, str]:
        return CLASS_COLORS_DARK if self.dark else CLASS_COLORS

    def _draw_data(self) -> None:
        data = self.trainer.data
        size = 20 if len(data) <= 10 else 10
        brushes = [pg.mkBrush(self.class_colors()[int(label)]) for label in data.y]
        self.points.setData(x=data.x1, y=data.x2, brush=brushes, size=size, data=np.arange(len(data)))
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(0, len(data) - 1)
        self.sample_box.blockSignals(False)
        x1_lo, x1_hi, x2_lo, x2_hi = data.bounds
        self._cell = ((x1_hi - x1_lo) / GRID_SIZE, (x2_hi - x2_lo) / GRID_SIZE)
        centers1 = x1_lo + (np.arange(GRID_SIZE) + 0.5) * self._cell[0]
        centers2 = x2_lo + (np.arange(GRID_SIZE) + 0.5) * self._cell[1]
        # indexing="ij": image[i, j] is column i (x1), row j (x2), pyqtgraph's default axis order
        self._grid = np.meshgrid(centers1, centers2, indexing="ij")
        self._plane_rect = QRectF(x1_lo, x2_lo, x1_hi - x1_lo, x2_hi - x2_lo)
        self.plane_plot.setRange(xRange=(x1_lo, x1_hi), yRange=(x2_lo, x2_hi), padding=0)
        self._show_selected_sample()

    def redraw(self, boundary: bool = True) -> None:
        """Loss curve and status (and, unless `boundary` is False, the heat map) from the current weights."""
        trainer = self.trainer
        if boundary:
            probability = trainer.predict(*self._grid)
            self.boundary_image.setImage(probability, levels=(0.0, 1.0), autoLevels=False)
            self.boundary_image.setRect(self._plane_rect)  # after setImage: the scale needs the image's size
            self.boundary_line.setData(probability)
            self._boundary_drawn_at = time.perf_counter()
        losses = np.maximum(trainer.losses, 1e-300)
        self.loss_curve.setData(np.arange(len(losses)), losses)
        self.loss_marker.setData([len(losses) - 1], losses[-1:])
        if len(trainer.losses) < 2:  # one point gives auto-range nothing to go by: show the first steps
            self.loss_plot.setXRange(-3, 100, padding=0)  # the starting dot clear of the axis
        else:
            self.loss_plot.enableAutoRange(axis="x")
        words = (
            f"{trainer.model.description}<br>step <b>{trainer.steps}</b> &nbsp; loss "
            f"<b>{trainer.loss:.4g}</b><br>accuracy <b>{trainer.accuracy:.0%}</b>"
        )
        if trainer.diverged:
            words += (
                f"<br><span style='color:{colors(self.dark).bad}'>diverged: lower the learning rate and Reset</span>"
            )
        self.status_label.setText(words)

    def _show_selected_sample(self, *_: object) -> None:
        i = self.sample_box.value()
        data = self.trainer.data
        self.selected_marker.setData([data.x1[i]], [data.x2[i]])

    def _on_point_clicked(self, _item: object, points: list, *_: object) -> None:
        if len(points):
            self.sample_box.setValue(int(points[0].data()))

    # ---- the debugger ----

    def show_sample_in_debugger(self) -> bool:
        """Open the loss graph of the chosen sample, with the current weights, in the graph view."""
        self.set_training(False)
        text, inputs = self.trainer.sample_program(self.sample_box.value())
        return self.state.show_in_debugger(text, inputs)
