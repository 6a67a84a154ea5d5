"""The forward/backward stepping as an animation: one frame per step plus the first (nothing computed).

`render_frames` draws the frames of a throwaway `GraphView` (GUI thread, offscreen, a frame at a
time so that a window can stay responsive between them); `encode` writes them as a GIF with Pillow
(pure, any thread), or MP4 where the optional `imageio-ffmpeg` encoder is installed.
`export_animation` does both at once, for the headless `--export-animation`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from graphviz_app.debugger.state import AppState
from graphviz_app.files import write_atomically

DEFAULT_FPS = 2.0
DEFAULT_SIZE = (1280, 720)
SUFFIXES = (".gif", ".mp4")


def check_path(path: str | Path) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"the file name must end in .gif or .mp4, not {suffix or 'nothing'!r}")
    if suffix == ".mp4" and not mp4_available():
        raise ValueError("MP4 needs the optional encoder: pip install 'graphviz-app[video]' (imageio-ffmpeg)")


def mp4_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("imageio_ffmpeg") is not None and importlib.util.find_spec("imageio") is not None


def frame_states(state: AppState) -> AppState:
    """A private copy of `state` to step through: the window's own cursor is not moved. The same graph
    (folded gates stay folded) in the same mode (forward mode plays tangents)."""
    copy = AppState("x")
    copy.set_expression(state.expression, dict(state.inputs), graph=state.graph)
    if state.mode == "forward":
        copy.set_mode("forward", state.seed or None)
    copy.set_dark(state.dark)
    return copy


def render_frames(
    state: AppState, size: tuple[int, int] | None = DEFAULT_SIZE, dark: bool | None = None
) -> Iterator[bytes]:
    """PNG bytes of each frame: cursor 0 (nothing computed), then after every step. Yields one at a
    time so that a caller can keep its window responsive between frames."""
    for image in render_images(state, size, dark):
        yield png(image)


def render_images(
    state: AppState, size: tuple[int, int] | None = DEFAULT_SIZE, dark: bool | None = None
) -> Iterator[QImage]:
    """The frames as images (compressing them to PNG can then happen on another thread)."""
    from graphviz_app.debugger.graph_view import GraphView

    copy = frame_states(state)
    if dark is not None:
        copy.set_dark(dark)
    view = GraphView(copy)
    try:
        view.set_animation_ms(0)
        view.set_dark(copy.dark)
        for k in range(copy.step_count + 1):
            copy.set_cursor(k)
            view.highlight_current = k not in (copy.forward_count, copy.step_count)
            yield view.frame(size)
    finally:
        view.detach()
        view.deleteLater()


def frame_count(state: AppState) -> int:
    return state.step_count + 1


def png(image: QImage) -> bytes:
    """A frame as PNG bytes (what `encode` reads). QImage is not a widget: any thread may call this,
    and Qt lets go of the GIL while it compresses (about 50 ms for a 1280×720 frame)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("could not encode a frame")
    buffer.close()
    return bytes(data.data())


def encode(frames: Sequence[bytes], path: str | Path, fps: float = DEFAULT_FPS) -> None:
    """Write PNG frames as a looping GIF (or MP4) at `fps` frames per second. No Qt: any thread."""
    from PIL import Image

    check_path(path)
    if not frames:
        raise ValueError("no frames to write")
    if not 0 < fps <= 60:
        raise ValueError(f"frames per second must be between 0 and 60, not {fps:g}")
    images = [Image.open(io.BytesIO(frame)).convert("RGB") for frame in frames]
    if Path(path).suffix.lower() == ".mp4":
        _encode_mp4(images, path, fps)
        return
    out = io.BytesIO()
    images[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
        disposal=1,
    )
    write_atomically(str(path), out.getvalue())


def _encode_mp4(images: list, path: str | Path, fps: float) -> None:
    import imageio.v2 as imageio
    import numpy as np

    even = [image.crop((0, 0, image.width // 2 * 2, image.height // 2 * 2)) for image in images]
    target = Path(path)
    partial = target.with_name(f".{target.stem}.partial.mp4")  # a failed encoding leaves no broken file
    try:
        with imageio.get_writer(str(partial), fps=fps, codec="libx264", macro_block_size=1) as writer:
            for image in even:
                writer.append_data(np.asarray(image))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def export_animation(
    state: AppState,
    path: str | Path,
    fps: float = DEFAULT_FPS,
    size: tuple[int, int] | None = DEFAULT_SIZE,
    dark: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Render and write the whole animation; returns the number of frames."""
    check_path(path)
    total = frame_count(state)
    frames = []
    for frame in render_frames(state, size, dark):
        frames.append(frame)
        if progress is not None:
            progress(len(frames), total)
    encode(frames, path, fps)
    return len(frames)
