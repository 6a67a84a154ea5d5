"""Pictures of the graph canvas for slides and READMEs: PNG (2× for crisp projection) or SVG.

`render_scene` writes any scene area to a file; `export_scene` builds a throwaway `GraphView` for an
`AppState` without showing a window (the caller already made a QApplication, e.g. offscreen).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from graphviz_app.debugger.state import AppState
from graphviz_app.files import write_atomically

PNG_SCALE = 2.0  # pixels per scene unit when no size is asked for: sharp on a projector


def export_size(rect: QRectF, size: tuple[int, int] | None = None) -> QSize:
    """The pixel size of an export of `rect`: `size` if given, else the scene area at PNG_SCALE."""
    if size is not None:
        return QSize(int(size[0]), int(size[1]))
    return QSize(math.ceil(rect.width() * PNG_SCALE), math.ceil(rect.height() * PNG_SCALE))


def render_scene(
    scene: QGraphicsScene, rect: QRectF, path: str, background: QColor, size: tuple[int, int] | None = None
) -> None:
    """Render `rect` of `scene` into `path` (.svg → SVG, anything else → PNG), aspect kept, centred.

    The picture is made in memory and then written atomically, so a failure raises OSError (Qt's SVG
    generator alone would fail silently) and never leaves a truncated file.
    """
    pixels = export_size(rect, size)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if Path(path).suffix.lower() == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(pixels)
        generator.setViewBox(QRectF(0, 0, pixels.width(), pixels.height()))
        generator.setTitle("computational graph")
        _paint(generator, scene, rect, pixels, background)
    else:
        image = QImage(pixels, QImage.Format_ARGB32_Premultiplied)
        image.fill(background)
        _paint(image, scene, rect, pixels, background)
        if not image.save(buffer, "PNG"):
            raise OSError(f"could not encode {path} as PNG")
    buffer.close()
    write_atomically(path, data.data())


def render_image(
    scene: QGraphicsScene, rect: QRectF, background: QColor, size: tuple[int, int] | None = None
) -> QImage:
    """`rect` of `scene` as an image in memory (the frames of an animation)."""
    pixels = export_size(rect, size)
    image = QImage(pixels, QImage.Format_ARGB32_Premultiplied)
    image.fill(background)
    _paint(image, scene, rect, pixels, background)
    return image


def _paint(device, scene: QGraphicsScene, rect: QRectF, pixels: QSize, background: QColor) -> None:
    painter = QPainter(device)
    try:
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        target = QRectF(0, 0, pixels.width(), pixels.height())
        painter.fillRect(target, background)
        scene.render(painter, target, rect, Qt.KeepAspectRatio)
    finally:
        painter.end()


def export_scene(state: AppState, path: str, dark: bool = False, size: tuple[int, int] | None = None) -> None:
    """Write the graph of `state` at its cursor to PNG/SVG without showing a window.

    At the end of a pass nothing is "current" any more, so the picture shows no step highlight.
    """
    from graphviz_app.debugger.graph_view import GraphView

    view = GraphView(state)
    try:
        view.set_animation_ms(0)
        view.highlight_current = state.cursor not in (state.forward_count, state.step_count)
        view.set_dark(dark)
        view.export(path, size)
    finally:
        view.detach()
        view.deleteLater()
