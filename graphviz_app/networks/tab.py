"""The tiny-networks tab: train logistic regression or a small MLP on 2-D data and watch it learn.

Assembly and controls only. The model, its gradients and the optimizer step live in `core`
(`core.training.Trainer`); what the user chose and the run's snapshots live in `NetworkState`
(Qt-free, `state.py`), which trains off the GUI thread through the debugger's runner. The pictures
are `plots.py`. "Show in the debugger" opens the chosen sample's loss graph, with the current
weights, in the graph view.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.activations import ACTIVATIONS
from core.datasets import CUSTOM, DATASETS, DISPLAY_NAMES
from core.networks import MAX_WIDTH
from core.optimizers import OPTIMIZERS
from graphviz_app.debugger import collector
from graphviz_app.debugger.state import AppState
from graphviz_app.lab.staging import Stages
from graphviz_app.networks.network_view import NetworkView
from graphviz_app.networks.plots import LossView, PlaneView
from graphviz_app.networks.race_panel import RacePanel
from graphviz_app.networks.state import MAX_TRAIN_STEPS, NetworkState
from graphviz_app.numbers import number
from graphviz_app.widgets.plot_style import FONT_PT, LabeledSlider, settle_axes
from graphviz_app.widgets.staged_build import Slot, run_pieces
from graphviz_app.widgets.text_size import TextSizer

NARROW_WIDTH = 1150  # below this the loss curve goes under the plane instead of beside it
HIDDEN_LAYERS = {"logistic regression": 0, "1 hidden layer": 1, "2 hidden layers": 2}
NO_PARAMETER = "activation parameter: <i>none</i>"
PANEL_WIDTH = 310
OWN_POINTS_HINT = "click: class 0 · Shift+click: class 1 · right-click: remove"


class NetworksTab(QWidget):
    """Data set, model and optimizer on the left; decision boundary and loss curve on the right."""

    def __init__(self, state: NetworkState, parent: QWidget | None = None, staged: bool = False) -> None:
        """`staged`: build the two plots on later turns of the event loop, a piece of ~20 ms per turn,
        so that opening the tab never stalls the window; `ready()` says when they are there."""
        super().__init__(parent)
        self.state = state
        self.sizer = TextSizer(state.theme)  # Ctrl+= / Ctrl+− reach the labels with their own size
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._build_controls())
        # Plane and loss side by side; stacked when the tab is narrow (docks open beside it). Each plot
        # has its place (a `Slot`) from the start: the layout is final before the plots are made, and
        # a plot that arrives resizes nothing (a resize repaints every plot, 40–50 ms each).
        self.plots_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        layout.addLayout(self.plots_layout, 1)
        self.plane_slot = Slot(QSize(600, 480), QSize(68, 68))  # the hints of the plots themselves
        self.loss_slot = Slot(QSize(600, 526), QSize(77, 114))
        self.network_view = NetworkView(state)
        self.race_panel = RacePanel(state)
        self.plots_layout.addWidget(self.plane_slot, 3)
        column = QVBoxLayout()
        column.addWidget(self.network_view, 1)
        column.addWidget(self.loss_slot, 3)
        column.addWidget(self.race_panel)
        self.plots_layout.addLayout(column, 2)
        self.plane: PlaneView
        self.loss: LossView
        self._built = False
        # In the window each plot redraws on a turn of its own (lab/staging.py); tests draw at once.
        self.stages = Stages(self) if staged else None
        if staged:
            run_pieces(self, self._build_plots())
        else:
            for _ in self._build_plots():
                pass
        state.sig_setup_changed.connect(self._sync_controls)
        state.sig_trained.connect(self._show_status)
        # While the plots paint a new snapshot or new points, the next chunk or build waits (off the
        # GIL): computed beside the paint, it stretched a 20 ms paint to 40–60 ms.
        self._holding = [False]  # a list: the `destroyed` handler must not need `self`
        self.destroyed.connect(lambda *_, holding=self._holding: _release(holding))
        state.sig_setup_changed.connect(self._hold_while_painting)
        state.sig_trained.connect(self._hold_while_painting)
        state.sig_training_changed.connect(self._show_training)
        state.sig_progress.connect(self._show_progress)
        state.sig_sample_changed.connect(self._show_sample)
        state.sig_error.connect(lambda _: self._show_status())
        state.theme.changed.connect(lambda _: self._show_status())
        self._sync_controls()
        self._show_status()
        self._show_training(state.training)

    def ready(self) -> bool:
        return self._built and (self.stages is None or not self.stages.pending())

    def _hold_while_painting(self) -> None:
        if not self._holding[0]:
            self._holding[0] = True
            collector.hold()
            # Posted after the plots' repaints: runs once they are painted (as lab/staging.py does).
            QTimer.singleShot(0, self, lambda: _release(self._holding))

    def stop_work(self) -> None:
        """The window is closing: stop training (MainWindow.closeEvent)."""
        self.state.pause()

    def _build_plots(self) -> Iterator[None]:
        """The two plots, a piece per turn when staged: each built hidden in its slot, then shown (and so
        painted) on a turn of its own."""
        self.plane = PlaneView(self.state, staged=True, stages=self.stages)
        self.plane_slot.hold(self.plane)
        yield
        for _ in self.plane.build():
            yield
        yield
        settle_axes(self.plane)
        yield
        self.plane_slot.show_content()
        yield
        self.loss = LossView(self.state, staged=True, stages=self.stages)
        self.loss_slot.hold(self.loss)
        for _ in self.loss.build():
            yield
        yield
        settle_axes(self.loss.plot)
        yield
        self.loss_slot.show_content()
        self._built = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = event.size().width() < NARROW_WIDTH
        self.plots_layout.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    # ---- building ----

    def _build_controls(self) -> QWidget:
        state = self.state
        self.dataset_box = QComboBox()
        for name in (*DATASETS, CUSTOM):
            self.dataset_box.addItem(DISPLAY_NAMES[name], name)
        self.points_hint = QLabel(OWN_POINTS_HINT)
        self.points_hint.setWordWrap(True)
        self.clear_button = QPushButton("Clear points")
        self.clear_button.setToolTip("Remove all of your own points")
        self.model_box = QComboBox()
        self.model_box.addItems(list(HIDDEN_LAYERS))
        self.product_feature_box = QCheckBox("extra feature x1·x2")
        # Typing "12" in a box whose maximum is 8 would silently keep the "1": the box takes two digits,
        # applies on Enter, and a width over the maximum is clamped with a notice under it.
        self.width_box = QSpinBox()
        self.width_box.setRange(1, 99)
        self.width_box.setKeyboardTracking(False)
        self.width_box.setToolTip(f"units per hidden layer, 1 to {MAX_WIDTH}")
        self.width_notice = QLabel(wordWrap=True)
        self.width_notice.setVisible(False)
        self.activation_box = QComboBox()
        for name, activation in ACTIVATIONS.items():
            self.activation_box.addItem(activation.display_name, name)
        # One slider for the chosen activation's slope / α (a new range per activation, the value kept
        # per activation in the state); disabled for activations without one and for logistic regression.
        self.parameter_slider = LabeledSlider("activation parameter", 0.0, 1.0, 0.0, decimals=2)
        self.optimizer_box = QComboBox()
        for name, optimizer in OPTIMIZERS.items():
            self.optimizer_box.addItem(optimizer.display_name, name)
        self.lr_slider = LabeledSlider("learning rate", 1e-4, 1.0, state.lr, log_scale=True, decimals=2)
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, 200)
        self.steps_box.setValue(state.steps_per_update)
        self.train_steps_box = QSpinBox()
        self.train_steps_box.setRange(1, MAX_TRAIN_STEPS)
        self.train_steps_box.setSingleStep(100)
        self.train_steps_box.setValue(state.train_steps)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 9999)
        self.batch_box = QSpinBox()
        self.batch_box.setRange(0, 10_000)
        self.batch_box.setSpecialValueText("all points")
        self.batch_box.setToolTip(
            "Points per step: each step descends the mean gradient of a minibatch drawn without replacement,"
            " reshuffled every epoch (fixed by the seed). 'all points': full-batch gradient descent."
        )
        self.test_box = QDoubleSpinBox()
        self.test_box.setRange(0.0, 90.0)
        self.test_box.setSingleStep(10.0)
        self.test_box.setDecimals(0)
        self.test_box.setSuffix(" % test")
        self.test_box.setToolTip("The share of points held out (drawn as rings, chosen by the seed): never trained on")
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.step_button = QPushButton("Step")
        self.reset_button = QPushButton("Reset")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.sizer.style(self.status_label, f"font-size: {FONT_PT}pt")
        self.status_label.setWordWrap(True)
        self.sample_box = QSpinBox()
        self.debug_button = QPushButton("Show in the debugger")

        model_form = QFormLayout()
        model_form.addRow("data", self.dataset_box)
        own = QHBoxLayout()
        own.addWidget(self.points_hint, 1)
        own.addWidget(self.clear_button)
        model_form.addRow(own)
        model_form.addRow("held out", self.test_box)
        model_form.addRow("model", self.model_box)
        model_form.addRow(self.product_feature_box)
        model_form.addRow("width", self.width_box)
        model_form.addRow(self.width_notice)
        model_form.addRow("activation", self.activation_box)
        model_form.addRow(self.parameter_slider)
        model_group = QGroupBox("Data and model")
        model_group.setLayout(model_form)
        train_form = QFormLayout()
        train_form.addRow("optimizer", self.optimizer_box)
        train_form.addRow(self.lr_slider)
        train_form.addRow("steps per Train", self.train_steps_box)
        train_form.addRow("steps per update", self.steps_box)
        train_form.addRow("batch size", self.batch_box)
        train_form.addRow("start seed", self.seed_box)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.step_button, self.reset_button):
            buttons.addWidget(button)
        train_form.addRow(buttons)
        train_form.addRow(self.progress_bar)
        train_form.addRow(self.status_label)
        train_group = QGroupBox("Training")
        train_group.setLayout(train_form)
        debug_form = QFormLayout()
        debug_form.addRow("sample (or click one)", self.sample_box)
        debug_form.addRow(self.debug_button)
        debug_group = QGroupBox("Show one sample in the debugger")
        debug_group.setLayout(debug_form)

        self.dataset_box.currentIndexChanged.connect(lambda _: state.set_dataset(self.dataset_box.currentData()))
        self.model_box.currentTextChanged.connect(lambda text: state.set_model(hidden_layers=HIDDEN_LAYERS[text]))
        self.product_feature_box.toggled.connect(lambda on: state.set_model(product_feature=on))
        self.width_box.valueChanged.connect(self._width_typed)
        self.activation_box.currentIndexChanged.connect(
            lambda _: state.set_model(activation=self.activation_box.currentData())
        )
        self.parameter_slider.sig_value_changed.connect(state.set_parameter)
        self.optimizer_box.currentIndexChanged.connect(lambda _: state.set_optimizer(self.optimizer_box.currentData()))
        self.lr_slider.sig_value_changed.connect(state.set_learning_rate)
        self.steps_box.valueChanged.connect(state.set_steps_per_update)
        self.train_steps_box.valueChanged.connect(state.set_train_steps)
        self.seed_box.valueChanged.connect(state.set_seed)
        self.batch_box.valueChanged.connect(state.set_batch_size)
        self.test_box.valueChanged.connect(lambda percent: state.set_test_fraction(percent / 100))
        self.clear_button.clicked.connect(state.clear_points)
        self.train_button.toggled.connect(lambda on: state.train() if on else state.pause())
        self.step_button.clicked.connect(lambda: state.step(1))
        self.reset_button.clicked.connect(state.reset)
        self.sample_box.valueChanged.connect(state.set_sample)
        self.debug_button.clicked.connect(state.show_sample_in_debugger)

        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        for group in (model_group, train_group, debug_group):
            column.addWidget(group)
        column.addStretch(1)
        # In a scroll area: at 1280×800 the groups are taller than the tab, the last one stays reachable.
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(PANEL_WIDTH + 16)
        panel.setFixedWidth(PANEL_WIDTH)
        return scroll

    # ---- from the state to the controls ----

    def _sync_controls(self) -> None:
        """Show the state's settings (after a change from anywhere) without echoing them back."""
        state = self.state
        boxes = (
            self.dataset_box,
            self.model_box,
            self.product_feature_box,
            self.width_box,
            self.activation_box,
            self.optimizer_box,
            self.seed_box,
            self.sample_box,
            self.lr_slider,
            self.batch_box,
            self.test_box,
            self.steps_box,
            self.train_steps_box,
        )
        for box in boxes:
            box.blockSignals(True)
        self.dataset_box.setCurrentIndex(self.dataset_box.findData(state.dataset_name))
        self.model_box.setCurrentText(next(t for t, n in HIDDEN_LAYERS.items() if n == state.hidden_layers))
        self.product_feature_box.setChecked(state.product_feature)
        self.width_box.setValue(state.width)
        self.activation_box.setCurrentIndex(self.activation_box.findData(state.activation))
        self.optimizer_box.setCurrentIndex(self.optimizer_box.findData(state.optimizer))
        self.seed_box.setValue(state.seed)
        self.steps_box.setValue(state.steps_per_update)
        self.train_steps_box.setValue(state.train_steps)
        self.batch_box.setRange(0, max(len(state.train_data) - 1, 0))
        self.batch_box.setValue(state.batch_size)
        self.test_box.setValue(round(state.test_fraction * 100))
        self.sample_box.setRange(0, len(state.data) - 1)
        self.sample_box.setValue(state.sample)
        if abs(self.lr_slider.value() - state.lr) > 1e-3 * state.lr:
            self.lr_slider.set_value(state.lr)
        for box in boxes:
            box.blockSignals(False)
        hidden = state.hidden_layers > 0
        self.width_box.setEnabled(hidden)
        own = state.dataset_name == CUSTOM
        self.points_hint.setVisible(own)
        self.clear_button.setVisible(own)
        self.activation_box.setEnabled(hidden)
        self._show_parameter(hidden)

    def _width_typed(self, width: int) -> None:
        """A width over the maximum is clamped, and the notice says so (never a silent change)."""
        if width > MAX_WIDTH:
            self.width_box.blockSignals(True)
            self.width_box.setValue(MAX_WIDTH)
            self.width_box.blockSignals(False)
            self.width_notice.setText(
                f"<span style='color:{self.state.theme.colors.bad}'>a hidden layer has at most {MAX_WIDTH} "
                f"units: {width} became {MAX_WIDTH}</span>"
            )
        self.width_notice.setVisible(width > MAX_WIDTH)
        self.state.set_model(width=min(width, MAX_WIDTH))

    def _show_parameter(self, hidden: bool) -> None:
        """Put the chosen activation's slope / α on the slider (disabled when there is none)."""
        activation = ACTIVATIONS[self.state.activation]
        if activation.parameter is None:
            self.parameter_slider.setEnabled(False)
            self.parameter_slider.label.setText(NO_PARAMETER)
            return
        symbol = "α" if activation.parameter == "alpha" else activation.parameter
        self.parameter_slider.configure(
            f"{activation.display_name} {symbol}",
            activation.low,
            activation.high,
            self.state.parameters[activation.name],
            steps=round((activation.high - activation.low) / 0.01),
        )
        self.parameter_slider.setEnabled(hidden)

    def _show_training(self, on: bool) -> None:
        self.train_button.blockSignals(True)
        self.train_button.setChecked(on)
        self.train_button.setText("Pause" if on else "Train")
        self.train_button.blockSignals(False)
        self.progress_bar.setVisible(on)

    def _show_progress(self, fraction: float) -> None:
        self.progress_bar.setValue(round(fraction * 1000))

    def _show_sample(self, index: int) -> None:
        self.sample_box.blockSignals(True)
        self.sample_box.setValue(index)
        self.sample_box.blockSignals(False)

    def _show_status(self) -> None:
        state, snapshot = self.state, self.state.snapshot
        bad = state.theme.colors.bad
        if snapshot is None:
            words = f"{state.model().description}<br><i>building the network…</i>"
        else:
            words = (
                f"{snapshot.model.description}<br>step <b>{snapshot.steps}</b> &nbsp; loss "
                f"<b>{number(snapshot.loss)}</b><br>accuracy <b>{snapshot.accuracy:.0%}</b>"
            )
            if snapshot.diverged:
                why = html.escape(snapshot.divergence.split(" (lr")[0]) if snapshot.divergence else ""
                words += (
                    f"<br><span style='color:{bad}'>diverged{' at ' + why if why else ''}: lower the learning "
                    "rate and Reset</span>"
                )
        if state.error:
            words += f"<br><span style='color:{bad}'>{state.error}</span>"
        self.status_label.setText(words)


def _release(holding: list[bool]) -> None:
    if holding[0]:
        holding[0] = False
        collector.unhold()


def make_tab(app: AppState) -> NetworksTab:
    """The tab as the window builds it: a state sharing the debugger's theme and runner."""
    return NetworksTab(NetworkState.of_app(app), staged=True)
