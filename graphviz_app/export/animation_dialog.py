"""File → Export animation…: choose file, frames per second and size; frames are drawn one per timer
tick (the window keeps answering, a progress dialog shows how far it got and can cancel), and the
GIF is encoded on the state's background runner."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from graphviz_app.debugger.state import AppState
from graphviz_app.export import animation


class AnimationSettings(QDialog):
    """Frames per second and pixel size of the exported animation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.fps = QDoubleSpinBox(minimum=0.1, maximum=60.0, value=animation.DEFAULT_FPS, singleStep=0.5)
        self.fps.setToolTip("frames per second: each step of the forward and backward pass is one frame")
        self.width_box = QSpinBox(minimum=160, maximum=3840, value=animation.DEFAULT_SIZE[0], singleStep=80)
        self.height_box = QSpinBox(minimum=120, maximum=2160, value=animation.DEFAULT_SIZE[1], singleStep=60)
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(self.height_box)
        form = QFormLayout(self)
        form.addRow("Frames per second", self.fps)
        form.addRow("Size (pixels)", size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def size_pixels(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()


class AnimationExport(QObject):
    """One running export: a frame per timer tick, then encoding on the runner."""

    finished = Signal(str)  # the path written
    failed = Signal(str)  # what went wrong

    def __init__(
        self,
        state: AppState,
        path: str,
        fps: float,
        size: tuple[int, int],
        parent: QWidget | None = None,
        show_progress: bool = True,
    ) -> None:
        super().__init__(parent)
        self.state, self.path, self.fps = state, path, fps
        self.total = animation.frame_count(state)
        self.frames: list[bytes] = []
        self._frames = animation.render_frames(state, size)
        self.progress: QProgressDialog | None = None
        if show_progress:
            self.progress = QProgressDialog("Drawing the frames…", "Cancel", 0, self.total + 1, parent)
            self.progress.setWindowTitle("Export animation")
            self.progress.setMinimumDuration(300)
            self.progress.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        self.cancelled = False

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self.cancelled = True
        self._timer.stop()
        self._frames.close()

    def _next(self) -> None:
        try:
            frame = next(self._frames, None)
        except (OSError, ValueError) as error:
            self._timer.stop()
            self._fail(str(error))
            return
        if frame is None:
            self._timer.stop()
            self._encode()
            return
        self.frames.append(frame)
        if self.progress is not None:
            self.progress.setValue(len(self.frames))
            self.progress.setLabelText(f"Drawing frame {len(self.frames)} of {self.total}…")

    def _encode(self) -> None:
        if self.progress is not None:
            self.progress.setLabelText("Writing the file…")
        frames, path, fps = list(self.frames), self.path, self.fps
        self.state.runner.submit(
            "export-animation",
            lambda job: animation.encode(frames, path, fps),
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


def ask_and_export(parent: QWidget, state: AppState) -> AnimationExport | None:
    """The dialogs, then a started export (None when the user cancelled)."""
    settings = AnimationSettings(parent)
    if settings.exec() != QDialog.DialogCode.Accepted:
        return None
    kinds = "GIF (*.gif)" + (";;MP4 (*.mp4)" if animation.mp4_available() else "")
    path, _ = QFileDialog.getSaveFileName(parent, "Export animation", "steps.gif", kinds)
    if not path:
        return None
    if Path(path).suffix.lower() not in animation.SUFFIXES:
        path = f"{path}.gif"
    export = AnimationExport(state, path, settings.fps.value(), settings.size_pixels, parent)
    export.start()
    return export
