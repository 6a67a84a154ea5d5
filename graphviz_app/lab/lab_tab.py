"""The optimizer lab tab: surface choice and optimizer checklist on the left, the surface with the race
and the loss chart in the middle, the explained update on the right, the player on top.

`OptimizerLab(state)` builds its own `LabState` (reachable as `.lab`) with the debugger's theme and
runner, and forwards the debugger's expression to it, so the "current expression" surface follows
what the user typed. The lab computes only while it is shown. The player is the debugger's
(`widgets.player.Player`): Space plays, → steps, ← steps back, Home resets, End shows every step;
its window-wide shortcuts are live only while the lab is the visible tab.

Opening the tab must not stall the window: with a background runner (the window's) the two plots,
the costly part (~50 ms each), are built in later turns of the event loop (`finish_building` does
it at once); with `InlineRunner` (tests, headless pictures) everything is built in the constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.optimizers import OPTIMIZERS
from graphviz_app.debugger.state import AppState
from graphviz_app.jobs import InlineRunner
from graphviz_app.lab.aspect_frame import AspectFrame
from graphviz_app.lab.lab_state import EXPRESSION, JOB_KEY, LabState
from graphviz_app.lab.legend_strip import LegendStrip
from graphviz_app.lab.loss_plot import LossPlot
from graphviz_app.lab.optimizer_list import OptimizerList
from graphviz_app.lab.race_controls import RaceControls
from graphviz_app.lab.staging import BUILD_STAGES, Stages
from graphviz_app.lab.surface_plot import SurfacePlot
from graphviz_app.lab.update_panel import UpdatePanel
from graphviz_app.numbers import number as fmt
from graphviz_app.widgets.player import LAB_SPEEDS, Player

PROGRESS_AFTER_MS = 300  # shorter jobs show no progress bar (it would only flicker)
DEBOUNCE_S = 0.04  # in the window: a burst of changes (a drag) starts one race, not one per value


class OptimizerLab(QWidget):
    """The whole lab; every part observes `self.lab`."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        runner = state.runner
        self.lab = LabState(
            state.theme,
            runner,
            active=False,  # until shown (showEvent)
            debounce_s=0.0 if isinstance(runner, InlineRunner) else DEBOUNCE_S,
        )
        self.lab.set_expression(state.expression, state.inputs)
        self.destroyed.connect(partial(_detach, self.lab))
        self.surface_plot: SurfacePlot | None = None  # built by _build_surface_plot (see the module doc)
        self.loss_plot: LossPlot | None = None
        # In the window the plots redraw in stages, one per turn of the event loop (lab/staging.py).
        self.stages = None if isinstance(runner, InlineRunner) else Stages(self)
        self.optimizer_list = OptimizerList(self.lab, build_rows=self.stages is None)
        self.player = Player(self.lab, phases=False, speeds=LAB_SPEEDS)
        self.update_panel = UpdatePanel(self.lab)
        self.legend = LegendStrip(self.lab)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("computing the race … %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("stop this computation; the last result stays on screen")
        self.cancel_button.clicked.connect(self.lab.cancel)
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.setVisible(False)
        # Showing the bar must not move the plots (a relayout repaints them all, slowly, mid-race).
        policy = self.progress_row.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress_row.setSizePolicy(policy)
        self.progress_row.setFixedWidth(360)
        self._progress_timer = QTimer(self, singleShot=True, interval=PROGRESS_AFTER_MS)
        self._progress_timer.timeout.connect(self._show_progress)

        self.surface_choice = QComboBox()
        # Long titles ("Logistic regression loss over …") must not widen the whole column.
        self.surface_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.surface_choice.setMinimumContentsLength(14)
        for key, title in LabState.surface_choices():
            self.surface_choice.addItem(title, key)
        self.surface_choice.currentIndexChanged.connect(lambda i: self.lab.set_surface(self.surface_choice.itemData(i)))
        self.x_axis, self.y_axis = QComboBox(), QComboBox()
        for combo in (self.x_axis, self.y_axis):
            combo.currentIndexChanged.connect(self._axes_chosen)
        self.axes_row = QWidget()
        axes_layout = QHBoxLayout(self.axes_row)
        axes_layout.setContentsMargins(0, 0, 0, 0)
        for text, combo in (("x axis", self.x_axis), ("y axis", self.y_axis)):
            axes_layout.addWidget(QLabel(text))
            axes_layout.addWidget(combo, 1)
        self.steps = QSpinBox(minimum=10, maximum=5000, singleStep=100, value=self.lab.steps)
        self.steps.setToolTip("how many steps every optimizer takes")
        # Arrow clicks and typing change the value many times; the race reruns once they pause.
        self._steps_timer = QTimer(self, singleShot=True, interval=300)
        self._steps_timer.timeout.connect(self._apply_steps)
        self.steps.valueChanged.connect(self._steps_timer.start)
        self.steps.editingFinished.connect(self._apply_steps)
        self.start_label = QLabel(wordWrap=True)
        surface_box = QGroupBox("Surface")
        form = QFormLayout(surface_box)
        form.addRow(self.surface_choice)
        form.addRow(self.axes_row)
        form.addRow("steps", self.steps)
        self.race_controls = RaceControls(self.lab)
        form.addRow(self.race_controls)
        form.addRow(self.start_label)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.optimizer_list)
        self.optimizer_scroll = scroll
        self._fit_optimizer_column()
        optimizers_box = QGroupBox("Optimizers")
        QVBoxLayout(optimizers_box).addWidget(scroll)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(surface_box)
        left_layout.addWidget(optimizers_box, 1)

        plots = QSplitter(Qt.Orientation.Vertical)
        self.plots = plots
        # Empty slots hold the plots' places until they are built: a plot added later then resizes
        # nothing (a resize repaints the other plot, once more per splitter adjustment).
        for _ in range(2):
            plots.addWidget(QWidget())
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 1)
        plots.setSizes([300, 100])
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.legend)
        middle_layout.addWidget(plots, 1)

        columns = QSplitter(Qt.Orientation.Horizontal)
        columns.addWidget(left)
        columns.addWidget(middle)
        columns.addWidget(self.update_panel)
        columns.setStretchFactor(0, 0)
        columns.setStretchFactor(1, 1)
        columns.setStretchFactor(2, 0)
        columns.setSizes([400, 900, 320])
        self.update_panel.setMaximumWidth(420)
        self.columns = columns
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.player, 1)
        top.addWidget(self.progress_row)
        layout.addLayout(top)
        layout.addWidget(columns, 1)

        self.lab.sig_surface_changed.connect(self._show_surface)
        self.lab.sig_trajectories_changed.connect(self._show_start)
        self.lab.sig_axes_changed.connect(self._fill_axes)
        self.lab.sig_busy_changed.connect(self._busy_changed)
        if hasattr(runner, "sig_busy"):  # the window's ThreadRunner reports how far a job is
            runner.sig_busy.connect(self._progressed)
        state.sig_graph_changed.connect(self._forward_expression)
        state.sig_values_changed.connect(self._forward_expression)
        self._fill_axes()
        self._show_surface()
        self._show_start()
        names = list(OPTIMIZERS)
        quarter = -(-len(names) // 4)
        self._to_build: list[Callable[[], None]] = [
            *(partial(self._build_rows, names[k : k + quarter]) for k in range(0, len(names), quarter)),
            self._build_surface_plot,
            self._build_loss_plot,
        ]
        if self.stages is None:
            self.finish_building()
        else:  # one piece per turn of the event loop (a posted call would run them all in one)
            for stage, build in zip(BUILD_STAGES, self._to_build, strict=True):
                self.stages.request(stage, partial(self._run_build, build))

    # ---- building the rows and the plots ----

    def finish_building(self) -> None:
        """Build whatever is not built yet, now, and draw what is waiting to be drawn."""
        if self.stages is not None:
            self.stages.flush()
        while self._to_build:
            self._run_build(self._to_build[0])

    def _run_build(self, build: Callable[[], None]) -> None:
        if build in self._to_build:
            self._to_build.remove(build)
            build()

    def ready(self) -> bool:
        """Every part built and drawn (a `LazyTab` asks)."""
        return not self._to_build and not (self.stages is not None and self.stages.pending())

    def _build_rows(self, names: list[str]) -> None:
        self.optimizer_list.add_rows(names)
        self._fit_optimizer_column()

    def _fit_optimizer_column(self) -> None:
        scroll = self.optimizer_scroll
        scroll.setMinimumWidth(
            self.optimizer_list.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        columns = getattr(self, "columns", None)
        if columns is None:
            return
        # Rows built after the first layout: a splitter does not widen a column for them by itself.
        # (They are built before the plots, so the plots are not resized once drawn.)
        sizes = columns.sizes()
        left = columns.widget(0)
        left.layout().activate()
        need = max(left.sizeHint().width(), left.minimumSizeHint().width())
        need = min(need, int(0.4 * sum(sizes)))  # the plots keep their room whatever the rows ask for
        if sizes and sizes[0] < need:
            columns.setSizes([need, max(0, sizes[1] - (need - sizes[0])), *sizes[2:]])

    def _build_surface_plot(self) -> None:
        self._fit_optimizer_column()  # again: the rows are polished now (their fonts, their real sizes)
        self.surface_plot = SurfacePlot(self.lab, stages=self.stages)
        self.surface_frame = AspectFrame(self.surface_plot)  # the heat map fills the plot, no blank bands
        self._fill_slot(0, self.surface_frame)
        total = sum(self.plots.sizes())  # on screen now: three quarters for the surface, the rest for the loss
        self.plots.setSizes([total * 3 // 4, total - total * 3 // 4])

    def _build_loss_plot(self) -> None:
        self.loss_plot = LossPlot(self.lab, stages=self.stages)
        self._fill_slot(1, self.loss_plot)

    def _fill_slot(self, index: int, plot: QWidget) -> None:
        sizes = self.plots.sizes()
        slot = self.plots.replaceWidget(index, plot)
        self.plots.setSizes(sizes)
        if slot is not None:
            slot.deleteLater()

    # ---- computing only while shown ----

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.lab.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.lab.set_active(False)

    def _forward_expression(self) -> None:
        self.lab.set_expression(self.state.expression, self.state.inputs)

    # ---- progress of long jobs ----

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            if not self._progress_timer.isActive() and self.progress_row.isHidden():
                self.progress.setValue(0)
                self._progress_timer.start()
        else:
            self._progress_timer.stop()
            self.progress_row.setVisible(False)

    def _show_progress(self) -> None:
        self.progress_row.setVisible(self.lab.busy())

    def _progressed(self, key: str, _label: str, fraction: float) -> None:
        if key == JOB_KEY:
            self.progress.setValue(round(fraction * 1000))

    def _show_surface(self) -> None:
        self.surface_choice.blockSignals(True)
        self.surface_choice.setCurrentIndex(self.surface_choice.findData(self.lab.surface_key))
        self.surface_choice.blockSignals(False)
        self.axes_row.setVisible(self.lab.surface_key == EXPRESSION)
        self._fill_axes()

    def _fill_axes(self) -> None:
        """The debugger's inputs as axis choices, showing the lab's current pair."""
        names = self.lab.axis_choices()
        for combo, current in zip((self.x_axis, self.y_axis), self.lab.expression_axes):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(max(0, names.index(current) if current in names else 0))
            combo.blockSignals(False)

    def _axes_chosen(self) -> None:
        x, y = self.x_axis.currentText(), self.y_axis.currentText()
        if x and y and x != y:
            self.lab.set_expression_axes(x, y)

    def _apply_steps(self) -> None:
        self._steps_timer.stop()
        if self.steps.value() != self.lab.steps:
            self.lab.set_steps(self.steps.value())

    def _show_start(self) -> None:
        if self.steps.value() != self.lab.steps and not self._steps_timer.isActive():  # set from a session
            self.steps.blockSignals(True)
            self.steps.setValue(self.lab.steps)
            self.steps.blockSignals(False)
        ax, ay = self.lab.surface.axes
        x, y = self.lab.start
        self.start_label.setText(f"start {ax} = {fmt(x)}, {ay} = {fmt(y)}<br><i>click the surface to move it</i>")

    def run_all(self) -> None:
        """Show every step at once (the End key)."""
        self.player.run_to_end()


def _detach(lab: LabState) -> None:
    """The tab is gone: its job's result must not reach deleted views, nor the theme a dead state."""
    lab.cancel()
    lab.theme.changed.disconnect(lab._theme_changed)
