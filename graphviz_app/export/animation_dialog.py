"""File → Export animation…: choose file, frames per second and size (and, for the optimizer race and
a network's training, a frame every k steps); the slow part of a source (training the network) runs
on the background runner, then frames are drawn one per timer tick (the window keeps answering, a
progress dialog shows how far it got and can cancel), and the file is encoded on the runner."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from graphviz_app.debugger.state import AppState
from graphviz_app.export import animation
from graphviz_app.export.frame_sources import MAX_FRAMES, DebuggerFrames, FrameSource, default_every
from graphviz_app.jobs import Job, Runner

PREPARE_KEY = "export-animation.prepare"
_END = object()  # the frames have run out
ENCODE_KEY = "export-animation"


class AnimationSettings(QDialog):
    """Frames per second and pixel size of the exported animation; for a run of `steps` steps (the
    race, a training) also a frame every k steps, with the number of frames that gives."""

    def __init__(
        self,
        parent: QWidget | None = None,
        steps: int | None = None,
        fps: float = animation.DEFAULT_FPS,
        what: str = "each step of the forward and backward pass",
        training: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.fps = QDoubleSpinBox(minimum=0.1, maximum=60.0, value=fps, singleStep=0.5)
        self.fps.setToolTip(f"frames per second: {what} is one frame")
        self.width_box = QSpinBox(minimum=160, maximum=3840, value=animation.DEFAULT_SIZE[0], singleStep=80)
        self.height_box = QSpinBox(minimum=120, maximum=2160, value=animation.DEFAULT_SIZE[1], singleStep=60)
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(self.height_box)
        form = QFormLayout(self)
        form.addRow("Frames per second", self.fps)
        form.addRow("Size (pixels)", size)
        self.steps_box: QSpinBox | None = None
        self.every: QSpinBox | None = None
        self.count = QLabel()
        if steps is not None:
            if training:  # how long the exported training runs (the tab's Train-click length to start)
                self.steps_box = QSpinBox(minimum=1, maximum=100_000, value=steps, singleStep=100)
                self.steps_box.setToolTip("training steps from the start, with the tab's settings and seed")
                self.steps_box.valueChanged.connect(self._count)
                form.addRow("Training steps", self.steps_box)
            self.every = QSpinBox(minimum=1, maximum=100_000, value=default_every(steps))
            self.every.setToolTip("one frame after every k steps (and one for the start and the last step)")
            self.every.valueChanged.connect(self._count)
            form.addRow("A frame every k steps", self.every)
            form.addRow("", self.count)
            self.fps.valueChanged.connect(self._count)
            self._steps = steps
            self._count()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)

    @property
    def size_pixels(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()

    @property
    def steps(self) -> int:
        return self.steps_box.value() if self.steps_box is not None else self._steps

    @property
    def every_k(self) -> int:
        return self.every.value() if self.every is not None else 1

    def _count(self, *_: object) -> None:
        frames = len(range(0, self.steps + 1, self.every_k)) + (self.steps % self.every_k != 0)
        self.count.setText(f"{frames:,} frames, {frames / self.fps.value():.1f} s at this frame rate")
        if hasattr(self, "ok"):
            self.ok.setEnabled(frames <= MAX_FRAMES)
        if frames > MAX_FRAMES:
            self.count.setText(f"{frames:,} frames: at most {MAX_FRAMES:,}, choose a larger k")


class AnimationExport(QObject):
    """One running export: the source's slow part on the runner, a frame per timer tick, then encoding."""

    finished = Signal(str)  # the path written
    failed = Signal(str)  # what went wrong

    def __init__(
        self,
        source: AppState | FrameSource,
        path: str,
        fps: float,
        size: tuple[int, int] = animation.DEFAULT_SIZE,
        parent: QWidget | None = None,
        show_progress: bool = True,
        runner: Runner | None = None,
    ) -> None:
        """`source`: what to draw (the debugger's `AppState` means its steps at `size`)."""
        super().__init__(parent)
        if isinstance(source, AppState):
            runner = runner or source.runner
            source = DebuggerFrames(source, size)
        if runner is None:
            raise ValueError("an export needs a runner for its background work")
        self.source, self.runner, self.path, self.fps = source, runner, path, fps
        self.total = source.total
        self.frames: list[Future[bytes]] = []  # each frame's PNG, compressed on a thread of its own
        self._compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frames")
        self._frames: Iterator[QImage | None] | None = None
        self.progress: QProgressDialog | None = None
        if show_progress:
            self.progress = QProgressDialog(f"Preparing {source.what}…", "Cancel", 0, self.total + 1, parent)
            self.progress.setWindowTitle("Export animation")
            self.progress.setMinimumDuration(300)
            self.progress.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        self.cancelled = False

    def start(self) -> None:
        self.job = self.runner.submit(
            PREPARE_KEY, self.source.prepare, self._prepared, lambda e: self._fail(str(e)), label="preparing frames"
        )

    def _prepared(self, prepared: object) -> None:
        if self.cancelled:
            return
        self._frames = self.source.frames(prepared)
        self._timer.start()

    def cancel(self) -> None:
        self.cancelled = True
        self.runner.cancel(PREPARE_KEY)
        self._timer.stop()
        if self._frames is not None:
            self._frames.close()  # type: ignore[attr-defined]  # a generator: its views are let go
        self._compressor.shutdown(wait=False, cancel_futures=True)

    def _next(self) -> None:
        try:
            frame = next(self._frames, _END)  # type: ignore[arg-type]
        except (OSError, ValueError) as error:
            self._timer.stop()
            self._fail(str(error))
            return
        if frame is _END:
            self._timer.stop()
            self._encode()
            return
        if frame is None:  # the source set something up this turn: no frame yet
            return
        # Drawing must stay on the GUI thread; compressing the picture need not (half of each frame's time).
        self.frames.append(self._compressor.submit(animation.png, frame))
        if self.progress is not None:
            self.progress.setValue(len(self.frames))
            self.progress.setLabelText(f"Drawing frame {len(self.frames)} of {self.total}…")

    def _encode(self) -> None:
        if self.progress is not None:
            self.progress.setLabelText("Writing the file…")
        pending, path, fps = list(self.frames), self.path, self.fps
        self._compressor.shutdown(wait=False)  # the frames already submitted still complete

        def write(job: Job) -> None:
            animation.encode([frame.result() for frame in pending], path, fps)

        self.runner.submit(
            ENCODE_KEY,
            write,
            lambda _result: self._done(),
            lambda error: self._fail(str(error)),
            label="writing the animation",
        )

    def _done(self) -> None:
        if self.progress is not None:
            self.progress.setValue(self.total + 1)
        if not self.cancelled:
            self.finished.emit(self.path)

    def _fail(self, message: str) -> None:
        if self.progress is not None:
            self.progress.cancel()
        self.failed.emit(message)


def choose_path(parent: QWidget, name: str) -> str | None:
    kinds = "GIF (*.gif)" + (";;MP4 (*.mp4)" if animation.mp4_available() else "")
    path, _ = QFileDialog.getSaveFileName(parent, "Export animation", name, kinds)
    if not path:
        return None
    return path if Path(path).suffix.lower() in animation.SUFFIXES else f"{path}.gif"


def ask_and_export(parent: QWidget, state: AppState) -> AnimationExport | None:
    """The dialogs, then a started export of the debugger's steps (None when the user cancelled)."""
    settings = AnimationSettings(parent)
    if settings.exec() != QDialog.DialogCode.Accepted:
        return None
    path = choose_path(parent, "steps.gif")
    if path is None:
        return None
    export = AnimationExport(state, path, settings.fps.value(), settings.size_pixels, parent)
    export.start()
    return export


def ask_and_export_race(parent: QWidget, lab, runner: Runner) -> AnimationExport | None:
    """The optimizer race: a frame every k steps (about a hundred frames by default)."""
    from graphviz_app.export.frame_sources import RaceFrames

    settings = AnimationSettings(parent, steps=lab.steps, fps=10.0, what="every k steps of the race")
    if settings.exec() != QDialog.DialogCode.Accepted:
        return None
    source = RaceFrames(lab, settings.size_pixels, settings.every_k)  # ValueError: the race is not there yet
    path = choose_path(parent, "race.gif")
    if path is None:
        return None
    export = AnimationExport(source, path, settings.fps.value(), parent=parent, runner=runner)
    export.start()
    return export


def ask_and_export_training(parent: QWidget, state, runner: Runner) -> AnimationExport | None:
    """A network's training from the start: a frame every k steps."""
    from graphviz_app.export.frame_sources import TrainingFrames

    settings = AnimationSettings(
        parent, steps=state.train_steps, fps=10.0, what="every k steps of the training", training=True
    )
    if settings.exec() != QDialog.DialogCode.Accepted:
        return None
    source = TrainingFrames(state, settings.size_pixels, settings.steps, settings.every_k)
    path = choose_path(parent, "training.gif")
    if path is None:
        return None
    export = AnimationExport(source, path, settings.fps.value(), parent=parent, runner=runner)
    export.start()
    return export
