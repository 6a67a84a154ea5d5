"""What File → Export animation… draws on each tab: the debugger's steps, the optimizer race, a
network's training.

A `FrameSource` says how many frames there will be, does the slow work first on a background runner
(`prepare`: training the network), then draws the frames one at a time on the GUI thread (`frames`:
a generator, so that the exporter draws one per event-loop turn and the window keeps answering).
The race and the training are drawn by throwaway views bound to a private copy of the tab's state:
the tab's own picture and cursor never move while it exports.

A long race gives a sensible number of frames with a frame every k steps (`frame_steps`): a
5,000-step race at k = 50 is 101 frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

from psygnal import SignalInstance
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from graphviz_app.debugger.state import AppState
from graphviz_app.export import animation
from graphviz_app.jobs import InlineRunner, Job
from graphviz_app.lab.lab_state import LabState
from graphviz_app.networks.snapshot import TrainingSnapshot, snapshot_of
from graphviz_app.networks.state import NetworkState

MAX_FRAMES = 1000  # beyond this a GIF is tens of megabytes and minutes to draw: choose a larger k
TARGET_FRAMES = 100  # the default k aims at about this many frames
S = TypeVar("S")


class FrameSource(Protocol):
    total: int  # frames the animation will have
    what: str  # "the steps", "the race", "the training": for the progress dialog

    def prepare(self, job: Job) -> Any: ...  # slow work, on the runner; its result goes to frames()

    # One frame per next(), on the GUI thread; None: not a frame, a piece of setting up (the caller
    # comes back in the next turn of the event loop).
    def frames(self, prepared: Any) -> Iterator[QImage | None]: ...


def frame_steps(steps: int, every: int) -> list[int]:
    """The steps drawn: 0, k, 2k, … and always the last one."""
    if every < 1:
        raise ValueError(f"a frame every k steps needs k ≥ 1, not {every}")
    drawn = list(range(0, steps + 1, every))
    if drawn[-1] != steps:
        drawn.append(steps)
    if len(drawn) > MAX_FRAMES:
        raise ValueError(
            f"{len(drawn):,} frames is too many (at most {MAX_FRAMES:,}): draw a frame every "
            f"{math.ceil(steps / (MAX_FRAMES - 1))} steps or more"
        )
    return drawn


def default_every(steps: int) -> int:
    """k such that a run of `steps` steps gives about TARGET_FRAMES frames."""
    return max(1, math.ceil(steps / TARGET_FRAMES))


def private_copy(state: S) -> S:
    """A copy of a tab state with the same data and signals of its own (views bound to it never
    see, nor move, the original). Plain attributes are shared: nothing here changes them but the cursor."""
    copy = object.__new__(type(state))
    for name, value in vars(state).items():
        if not isinstance(value, SignalInstance):  # psygnal keeps each instance's signals in its __dict__
            setattr(copy, name, value)
    return copy


def _grab(widget: QWidget) -> QImage:
    QApplication.processEvents()  # layouts and pyqtgraph's pending range updates
    return widget.grab().toImage()


def _offscreen(widget: QWidget, size: tuple[int, int]) -> None:
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(*size)
    widget.show()


class DebuggerFrames:
    """The debugger's stepping: the first frame (nothing computed), then one per step."""

    what = "the steps"

    def __init__(self, state: AppState, size: tuple[int, int] | None = animation.DEFAULT_SIZE) -> None:
        self.state, self.size = state, size
        self.total = animation.frame_count(state)

    def prepare(self, job: Job) -> None:
        return None

    def frames(self, prepared: None) -> Iterator[QImage | None]:
        return animation.render_images(self.state, self.size)


class RaceFrames:
    """The optimizer race as it runs: paths and loss curves cut at step 0, k, 2k, …, the last."""

    what = "the race"

    def __init__(self, lab: LabState, size: tuple[int, int] = animation.DEFAULT_SIZE, every: int = 1) -> None:
        if lab.grid is None or lab.busy() or not lab.trajectories:
            raise ValueError("the race is still being computed: export once its paths are drawn")
        self.lab, self.size = lab, size
        self.steps = frame_steps(lab.steps, every)
        self.total = len(self.steps)

    def prepare(self, job: Job) -> None:
        return None  # the race is computed already (the lab shows it)

    def frames(self, prepared: None) -> Iterator[QImage | None]:
        from graphviz_app.lab.aspect_frame import AspectFrame
        from graphviz_app.lab.legend_strip import LegendStrip
        from graphviz_app.lab.loss_plot import LossPlot
        from graphviz_app.lab.surface_plot import SurfacePlot

        copy = private_copy(self.lab)
        copy.runner = InlineRunner()
        # As in the lab: the surface at its own shape on the left (a wide frame would leave blank bands
        # beside the heat map), the legend and the loss chart beside it.
        picture = QWidget()
        row = QHBoxLayout(picture)
        column = QVBoxLayout()
        column.addWidget(LegendStrip(copy))
        try:
            # Each plot costs tens of milliseconds (the heat map most): one per turn of the event loop.
            row.addWidget(AspectFrame(SurfacePlot(copy)), 3)
            yield None
            column.addWidget(LossPlot(copy), 1)
            row.addLayout(column, 2)
            yield None
            _offscreen(picture, self.size)
            yield None
            for step in self.steps:
                copy.set_cursor(step)
                yield _grab(picture)
        finally:
            picture.close()
            picture.deleteLater()


class TrainingFrames:
    """A network's training from its start with the tab's settings: the decision boundary and the loss
    curve after 0, k, 2k, … steps. The training runs in `prepare` (on the runner)."""

    what = "the training"

    def __init__(
        self, state: NetworkState, size: tuple[int, int] = animation.DEFAULT_SIZE, steps: int = 0, every: int = 1
    ) -> None:
        if not len(state.train_data):
            raise ValueError("there are no training points to train on")
        self.state, self.size = state, size
        self.steps = frame_steps(steps or state.train_steps, every)
        self.total = len(self.steps)
        # The settings as they are now, for the worker (the user may change the tab meanwhile).
        self.settings = (state.model(), state.train_data, state.optimizer, state.lr, state.seed, state.batch_size)
        self.test, self.grid = state.test_data, state.grid

    def prepare(self, job: Job) -> list[TrainingSnapshot]:
        from core.training import Trainer

        model, data, optimizer, lr, seed, batch = self.settings
        trainer = Trainer(model, data, optimizer, lr=lr, seed=seed, batch_size=batch or None, test=self.test)
        grid, shots = self.grid, []
        for i, step in enumerate(self.steps):
            while trainer.steps < step and trainer.step(1):
                pass
            shots.append(snapshot_of(trainer, grid))
            job.progress((i + 1) / len(self.steps), "training")  # a cancelled export stops here
        return shots

    def frames(self, prepared: list[TrainingSnapshot]) -> Iterator[QImage | None]:
        from graphviz_app.networks.plots import LossView, PlaneView

        copy = private_copy(self.state)
        copy.runner, copy.race, copy.debugger, copy.training = InlineRunner(), None, None, False
        picture = QWidget()
        row = QHBoxLayout(picture)
        plane = PlaneView(copy)
        yield None  # each view costs tens of milliseconds: one per turn of the event loop
        loss = LossView(copy)
        row.addWidget(plane, 3)
        row.addWidget(loss, 2)
        try:
            _offscreen(picture, self.size)
            yield None
            for snapshot in prepared:
                copy.snapshot = snapshot
                copy.sig_trained.emit()
                yield _grab(picture)
        finally:
            theme = self.state.theme
            for view in (plane, loss):  # the theme outlives these views
                theme.changed.disconnect(view.set_dark, missing_ok=True)
            picture.close()
            picture.deleteLater()


def export_frames(source: FrameSource, path: str, fps: float) -> int:
    """Prepare, draw and write every frame at once (headless); returns the number of frames."""
    prepared = source.prepare(Job("export-animation"))
    frames = [animation.png(image) for image in source.frames(prepared) if image is not None]
    animation.encode(frames, path, fps)
    return len(frames)


def export_tab_animation(
    tab: str, path: str, fps: float, size: tuple[int, int], every: int | None = None, dark: bool = False
) -> int:
    """`--tab lab|networks --export-animation`: the default race, or the default network's training."""
    from graphviz_app.theme import Theme

    theme = Theme()
    theme.set_dark(dark)
    source: FrameSource
    if tab == "lab":
        lab = LabState(theme)
        source = RaceFrames(lab, size, every or default_every(lab.steps))
    else:
        state = NetworkState(theme, InlineRunner(), update_s=0.0)
        source = TrainingFrames(state, size, every=every or default_every(state.train_steps))
    return export_frames(source, path, fps)
