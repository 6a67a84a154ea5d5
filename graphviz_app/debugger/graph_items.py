"""The pieces the graph canvas is drawn with: node shapes, edges with arrows, edge labels, colours.

Everything here only paints what it is told: numbers arrive already computed (from `TraceState`)
and are turned into short texts by `format_number`, the one number formatter of the canvas (tooltips
add the exact float via `numbers.tip`). Items keep their geometry when their text changes,
so relabeling a 100-node graph is a loop of cheap `set_text` calls, not a rebuild.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget

from core.graph import Node
from graphviz_app.numbers import tip as number_tip

# Qt's enums by their full names, looked up once: the short spellings (`Qt.NoPen`) go through PySide's
# slow compatibility lookup, ~3.5 µs each, and items are made and painted by the thousand.
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_SOLID, _DASH, _DOT = Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine
_ROUND_CAP, _ROUND_JOIN = Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
_CENTER = Qt.AlignmentFlag.AlignCenter
_BELOW = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
_DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
_NO_PEN_OBJECT = QPen(_NO_PEN)  # an enum argument costs a conversion on every call; a pen object does not


@dataclass(frozen=True)
class Palette:
    """The canvas colours of one theme (values green and gradients red, as on the slides)."""

    background: QColor
    node_fill: QColor
    input_fill: QColor
    const_fill: QColor
    stroke: QColor
    text: QColor
    pending: QColor
    value: QColor
    grad: QColor
    warning: QColor
    label_background: QColor


LIGHT = Palette(
    QColor("#ffffff"),
    QColor("#ffffff"),
    QColor("#e8f0fb"),
    QColor("#ececec"),
    QColor("#37474f"),
    QColor("#1c1c1c"),
    QColor("#b9bec4"),
    QColor("#1a8c2e"),
    QColor("#c62828"),
    QColor("#e65100"),
    QColor(255, 255, 255, 225),
)
DARK = Palette(
    QColor("#1b1d21"),
    QColor("#2a2d33"),
    QColor("#22324a"),
    QColor("#34373d"),
    QColor("#cfd8dc"),
    QColor("#eceff1"),
    QColor("#5c636b"),
    QColor("#66d47e"),
    QColor("#ff6e6e"),
    QColor("#ffab40"),
    QColor(27, 29, 33, 225),
)


@functools.cache
def pixel_font(pixels: int, bold: bool = False, italic: bool = False) -> QFont:
    """Fonts sized in pixels, so sizes mean the same on every screen and in exported images."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setItalic(italic)
    return font


# Fonts are made on first use, not at import: QFont wants a QGuiApplication to exist.
def symbol_font() -> QFont:
    return pixel_font(22, bold=True)


def name_font() -> QFont:
    return pixel_font(20, bold=True)


def const_font() -> QFont:
    return pixel_font(16)


def caption_font() -> QFont:
    return pixel_font(15, italic=True)


def label_font() -> QFont:
    return pixel_font(17, bold=True)


# Font metrics per (font, text): the same few texts ("-0.00", "1") are measured over and over.
@functools.lru_cache(maxsize=4096)
def text_width(font: QFont, text: str) -> float:
    return QFontMetricsF(font).horizontalAdvance(text)


@functools.lru_cache(maxsize=64)
def text_height(font: QFont) -> float:
    return QFontMetricsF(font).height()


# Zoomed out below this level of detail, texts are not drawn (unreadable, and most of the paint time).
TEXT_LOD = 0.22


class _Painted(QGraphicsRectItem):
    """An item that paints itself within a fixed rect (`set_bounds`), with no outline of its own.

    The bounding rect lives in C++ (a QGraphicsRectItem's rect): the scene asks for it many times per
    item when it indexes and paints, and a Python `boundingRect` made a 5,000-node scene crawl.
    `parent` given to the constructor costs a third of a later `setParentItem` (no Python override check).
    """

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setPen(_NO_PEN_OBJECT)

    def set_bounds(self, rect: QRectF) -> None:
        self.setRect(rect)


class GraphRoot(QGraphicsRectItem):
    """The parent of one graph's items: a new graph is made under a hidden root, then swapped in."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setPen(_NO_PEN)


class NodeItem(_Painted):
    """A gate (circle, or a pill for long symbols), an input (box with its name) or a constant (grey box)."""

    GATE_RADIUS = 29.0
    GLOW = 20.0

    def __init__(
        self,
        node: Node,
        is_output: bool,
        palette: Palette,
        fans_out: bool = False,
        copy_count: int = 0,
        caption: str | None = None,
        parent: QGraphicsItem | None = None,
    ) -> None:
        super().__init__(parent)
        self.node = node
        # A leaf reused far apart is drawn again beside its users (`copy_count` > 0 on the copies);
        # `linked` is the original with all its copies: hovering one highlights them all.
        self.copy_count = copy_count
        self.linked: list[NodeItem] = []
        self.highlighted = False
        self.shown: tuple | None = None  # what the view last showed here, so unchanged nodes are skipped
        self.kind = "gate" if node.args else ("const" if node.op == "const" else "input")
        self.is_output = is_output
        self.palette = palette
        self.status = "done"  # "pending" (not computed yet), "done", "forward" / "backward" (current step)
        self.warning = False
        self.origin = False  # a nan or ∞ began here (not merely passed through): drawn apart from ⚠
        # Where a value feeds several gates, its gradient is the sum of what comes back along each edge:
        # shown under the node ("Σ 7") because no single edge carries it.
        self.fans_out = fans_out
        self.grad_sum = ""
        self.numbers: tuple[float | None, float | None] = (None, None)  # value, gradient at the cursor
        self.font = {"gate": symbol_font, "input": name_font, "const": const_font}[self.kind]()
        symbol_width = text_width(self.font, node.symbol)
        if self.kind == "gate":
            self.half = QPointF(max(self.GATE_RADIUS, symbol_width / 2 + 11), self.GATE_RADIUS)
        elif self.kind == "input":
            self.half = QPointF(max(28.0, symbol_width / 2 + 13), 22.0)
        else:
            self.half = QPointF(max(20.0, symbol_width / 2 + 9), 16.0)
        # The gate's name as the inspector says it ("g2", "q", "f · output": gate_names), when given.
        self.caption = (
            caption
            if caption is not None
            else (
                (f"{node.name} · output" if node.name else "output")
                if is_output
                else (node.name if self.kind == "gate" and node.name else "")
            )
        )
        m = self.GLOW + 2
        bounds = QRectF(-self.half.x() - m, -self.half.y() - m, 2 * (self.half.x() + m), 2 * (self.half.y() + m))
        bounds.setBottom(bounds.bottom() + 26 * self._caption_lines())
        self.set_bounds(bounds)
        self.setAcceptHoverEvents(True)  # tooltips
        self.setZValue(2)
        self.setCacheMode(_DEVICE_CACHE)  # repaints of a large graph cost a third less

    def _caption_lines(self) -> int:
        return bool(self.caption) + self.fans_out

    def outline(self, margin: float) -> QRectF:
        """The shape with its output ring, `margin` wider all round (no caption): where marks go."""
        ring = (6.0 if self.is_output else 0.0) + margin
        return QRectF(
            -self.half.x() - ring, -self.half.y() - ring, 2 * (self.half.x() + ring), 2 * (self.half.y() + ring)
        )

    def body_rect(self) -> QRectF:
        """The shape, its output ring and its caption (not the glow): what labels must not cover."""
        rect = self.outline(0.0)
        rect.setBottom(rect.bottom() + 22 * self._caption_lines())
        return rect

    def boundary_point(self, towards: QPointF) -> QPointF:
        """Where a line from the centre towards `towards` (scene coordinates) leaves the shape."""
        at = self.pos()
        px, py = at.x(), at.y()
        dx, dy = towards.x() - px, towards.y() - py  # in floats: QPointF's arithmetic, fewer wrapper calls
        if dx == 0 and dy == 0:
            return at
        ring = 6 if self.is_output else 0
        hx, hy = self.half.x() + ring, self.half.y() + ring
        if self.kind == "gate":  # ellipse
            t = 1 / math.hypot(dx / hx, dy / hy)
        else:  # box
            t = min(hx / abs(dx) if dx else math.inf, hy / abs(dy) if dy else math.inf)
        return QPointF(px + dx * t, py + dy * t)

    def set_status(self, status: str, warning: bool, grad_sum: str = "") -> None:
        if (status, warning, grad_sum) != (self.status, self.warning, self.grad_sum):
            self.status, self.warning, self.grad_sum = status, warning, grad_sum
            self.update()

    def set_origin(self, on: bool) -> None:
        if on != self.origin:
            self.origin = on
            self.update()

    def toolTip(self) -> str:
        """Made when asked for (the scene's help event, tests): relabeling only stores the numbers."""
        node, (value, grad) = self.node, self.numbers
        tip = (
            f"{node.label}\nop: {node.op}   symbol: {node.symbol}\n{number_tip('value', value)}\n"
            f"{number_tip('gradient', grad)}\nlocal derivative: {node.formula}"
        )
        if self.copy_count:
            tip += f"\n(drawn again next to its users: {len(self.linked)} places)"
        if self.origin:
            tip += "\nthe nan or ∞ began here (Ctrl+G goes to its step)"
        return tip

    def hoverEnterEvent(self, event) -> None:
        for item in self.linked:
            item.set_highlighted(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        for item in self.linked:
            item.set_highlighted(False)
        super().hoverLeaveEvent(event)

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        p = self.palette
        hx, hy = self.half.x(), self.half.y()
        shape = QRectF(-hx, -hy, 2 * hx, 2 * hy)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.highlighted:  # one of a leaf's copies is under the mouse: all of them light up
            painter.setPen(QPen(p.value, 6.0))
            painter.setBrush(_NO_BRUSH)
            self._draw_shape(painter, shape.adjusted(-7, -7, 7, 7))
        if self.status in ("forward", "backward"):  # the current step: a soft glow of the phase colour
            glow = QColor(p.value if self.status == "forward" else p.grad)
            painter.setPen(_NO_PEN)
            ring = 6.0 if self.is_output else 0.0
            for i in range(5, 0, -1):  # translucent layers add up to a soft halo (SVG-friendly, no effect)
                glow.setAlpha(45 + 10 * (5 - i))
                painter.setBrush(glow)
                grow = ring + 2 + (self.GLOW - ring) * i / 5
                self._draw_shape(painter, shape.adjusted(-grow, -grow, grow, grow))
        if self.origin:  # where it began: a solid warning disc behind the shape, unlike a plain ⚠ outline
            painter.setPen(QPen(p.warning, 4.0, _DASH))
            painter.setBrush(QColor(p.warning.red(), p.warning.green(), p.warning.blue(), 70))
            self._draw_shape(painter, shape.adjusted(-12, -12, 12, 12))
        pending = self.status == "pending"
        stroke = p.warning if self.warning else (p.pending if pending else p.stroke)
        fill = {"gate": p.node_fill, "input": p.input_fill, "const": p.const_fill}[self.kind]
        painter.setBrush(p.background if pending else fill)
        pen = QPen(stroke, 3.0 if self.kind != "const" else 2.0)
        if pending:
            pen.setStyle(_DASH)
        elif self.copy_count:
            pen.setStyle(_DOT)  # a copy: the same leaf, drawn again
        painter.setPen(pen)
        self._draw_shape(painter, shape)
        if self.is_output:
            painter.setBrush(_NO_BRUSH)
            self._draw_shape(painter, shape.adjusted(-6, -6, 6, 6))
        if lod < TEXT_LOD:
            return
        painter.setPen(p.pending if pending else (p.warning if self.warning else p.text))
        painter.setFont(self.font)
        painter.drawText(shape, _CENTER, self.node.symbol)
        below = QRectF(-hx - 60, hy + (8 if self.is_output else 2), 2 * hx + 120, 24)
        if self.caption or self.warning or self.origin:
            painter.setFont(caption_font())
            caption = ("✖ began here " if self.origin else "⚠ " if self.warning else "") + self.caption
            painter.drawText(below, _BELOW, caption)
            below.translate(0, 22)
        if self.grad_sum:
            painter.setFont(label_font())
            painter.setPen(p.warning if self.grad_sum.startswith("Σ ⚠") else p.grad)
            painter.drawText(below, _BELOW, self.grad_sum)

    def _draw_shape(self, painter: QPainter, rect: QRectF) -> None:
        if self.kind == "gate":
            painter.drawEllipse(rect)
        else:
            radius = 10.0 if self.kind == "input" else 6.0
            painter.drawRoundedRect(rect, radius, radius)


class EdgeItem(_Painted):
    """A line (smooth through bend points) from argument to user, with an arrowhead at the user."""

    ARROW = 13.0

    def __init__(
        self, points: list[QPointF], palette: Palette, uses: int = 1, parent: QGraphicsItem | None = None
    ) -> None:
        super().__init__(parent)
        # `x*x` draws one edge that its gate reads twice: a "2 uses" badge near the arrow says so.
        self.uses = uses
        self._points = points
        self._path: QPainterPath | None = None  # the whole edge, tip included: made when a dot travels it
        self.palette = palette
        self.pending = False
        self.on_nan_path = False  # the way a nan went from where it began: a wide warning band under the line
        # In plain floats (the same arithmetic as QPointF's, a tenth of the wrapper calls): made by the hundred.
        end, before = points[-1], points[-2]
        ex, ey = end.x(), end.y()
        dx, dy = ex - before.x(), ey - before.y()
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        bx, by = ex - ux * self.ARROW, ey - uy * self.ARROW
        sx, sy = -uy * (self.ARROW * 0.45), ux * (self.ARROW * 0.45)
        self.arrow = QPolygonF([end, QPointF(bx + sx, by + sy), QPointF(bx - sx, by - sy)])
        # The line stops inside the arrowhead, so its cap never pokes out beside the tip.
        stop = QPointF(ex - ux * (self.ARROW * 0.6), ey - uy * (self.ARROW * 0.6))
        if len(points) == 2:  # most edges: a straight line
            self.line = QPainterPath(points[0])
            self.line.lineTo(stop)
        else:
            self.line = smooth_path([*points[:-1], stop])
        bounds = self.line.boundingRect().united(self.arrow.boundingRect()).adjusted(-5, -5, 5, 5)
        # "2 uses", not "×2": a "×2" on an edge reads as a gate that multiplies by 2.
        self.badge_text = f"{uses} uses"
        self.badge = QRectF()
        if uses > 1:
            self.badge = QRectF(0, 0, text_width(caption_font(), self.badge_text) + 12, 20)
            back = self.badge.width() / 2 + 16  # clear of the arrowhead
            at = self.path.percentAtLength(max(0.0, self.path.length() - back))
            self.badge.moveCenter(self.path.pointAtPercent(at))
            bounds = bounds.united(self.badge)
        self.set_bounds(bounds)
        # Numbers change on every edit and dirty the lines under them: repainting those from a pixmap
        # instead of drawing the curves again keeps an input edit within a frame.
        self.setCacheMode(_DEVICE_CACHE)

    @property
    def path(self) -> QPainterPath:
        """The whole edge, from the argument to the arrow's tip: travelling dots follow it."""
        if self._path is None:
            self._path = smooth_path(self._points)
        return self._path

    def set_pending(self, pending: bool) -> None:
        if pending != self.pending:
            self.pending = pending
            self.update()

    def set_on_nan_path(self, on: bool) -> None:
        if on != self.on_nan_path:
            self.on_nan_path = on
            self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colour = self.palette.pending if self.pending else self.palette.stroke
        if self.on_nan_path:
            band = QColor(self.palette.warning)
            band.setAlpha(110)
            painter.setPen(QPen(band, 9.0, _SOLID, _ROUND_CAP, _ROUND_JOIN))
            painter.setBrush(_NO_BRUSH)
            painter.drawPath(self.line)
            colour = self.palette.warning
        painter.setPen(QPen(colour, 2.4, _SOLID, _ROUND_CAP, _ROUND_JOIN))
        painter.setBrush(_NO_BRUSH)
        painter.drawPath(self.line)
        painter.setPen(_NO_PEN)
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(self.arrow)
        if self.uses > 1:
            painter.setBrush(self.palette.label_background)
            painter.setPen(QPen(colour, 1.5))
            painter.drawRoundedRect(self.badge, 6, 6)
            painter.setPen(self.palette.text)
            painter.setFont(caption_font())
            painter.drawText(self.badge, _CENTER, self.badge_text)

    def tip_at(self, point: QPointF) -> str:
        """The badge's tooltip when `point` (item coordinates) is on it; elsewhere the edge has none."""
        if self.uses < 2 or not self.badge.contains(point):
            return ""
        return (
            f"The gate reads this value {self.uses} times (as in x*x): one line is drawn, and the gradient "
            f"sent back along it is the sum of its {self.uses} uses"
        )


class EdgeLabel(_Painted):
    """A number on an edge, centred on its position, over a subtle rounded background."""

    PAD = QPointF(5.0, 1.0)
    _metrics: QFontMetricsF | None = None

    def __init__(
        self, colour: QColor, palette: Palette, font: QFont | None = None, parent: QGraphicsItem | None = None
    ) -> None:
        super().__init__(parent)
        font = font or label_font()
        self.text = ""
        self.what = ""  # "value" / "gradient": the tooltip's words, made only when asked for
        self.number: float | None = None
        self.colour = colour
        self.palette = palette
        self.font = font
        self.zoomed_out = False
        self._rect = QRectF()
        self.half_width = 0.0  # half the plate's width, in Python: relabeling compares it for every edge
        self.setZValue(3)
        # No pixmap cache: a label changes on nearly every step and edit, and a changed cache is drawn twice.
        self.setVisible(False)  # until it has a text: an empty plate is an empty path in an SVG export

    def set_text(self, text: str, colour: QColor, number: float | None = None, what: str = "") -> None:
        """Change the text; geometry changes only when the width does (cheap relabel).

        `number` and `what` make the tooltip ("value: 0.7311", "exact: 0.7310585786300049") when asked for.
        """
        self.number, self.what = number, what
        if text == self.text and colour == self.colour:
            return
        if text != self.text:
            width = text_width(self.font, text) + 2 * self.PAD.x()
            height = text_height(self.font) + 2 * self.PAD.y()
            self._rect = QRectF(-width / 2, -height / 2, width, height)
            self.half_width = width / 2
            self.set_bounds(self._rect)
            self.text = text
        self.colour = colour
        self.show_if_text()
        self.update()

    def toolTip(self) -> str:
        return number_tip(self.what, self.number) if self.what else ""

    def set_zoomed_out(self, zoomed_out: bool) -> None:
        """Zoomed out so far that numbers are unreadable: hidden (painting thousands is what costs)."""
        self.zoomed_out = zoomed_out
        self.show_if_text()

    def show_if_text(self) -> None:
        visible = bool(self.text) and not self.zoomed_out
        if visible != self.isVisible():  # setVisible itself costs, even when nothing changes
            self.setVisible(visible)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(_NO_PEN)
        painter.setBrush(self.palette.label_background)
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setPen(self.colour)
        painter.setFont(self.font)
        painter.drawText(self._rect, _CENTER, self.text)


def smooth_path(points: list[QPointF], corner: float = 60.0) -> QPainterPath:
    """A polyline through `points` whose corners are rounded off, so long edges bend smoothly."""
    path = QPainterPath(points[0])
    for before, bend, after in zip(points, points[1:], points[2:]):
        d1, d2 = before - bend, after - bend
        l1, l2 = math.hypot(d1.x(), d1.y()) or 1.0, math.hypot(d2.x(), d2.y()) or 1.0
        cut = min(corner, l1 / 2, l2 / 2)
        path.lineTo(bend + d1 * (cut / l1))
        path.quadTo(bend, bend + d2 * (cut / l2))
    path.lineTo(points[-1])
    return path


class GateRing(QGraphicsItem):
    """A ring round a gate (a circle round a round gate, a pill round a long name), a child of its
    item: the mark other tools put on gates (a selection, a quiz pick, a wrong derivative)."""

    def __init__(self, node: NodeItem, colour: str, margin: float, width: float, dashed: bool, z: float) -> None:
        super().__init__(node)
        self.colour = QColor(colour)
        self.ring = node.outline(margin)
        self.pen = QPen(self.colour, width, _DASH if dashed else _SOLID)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        w = self.pen.widthF()
        return self.ring.adjusted(-w, -w, w, w)

    def paint(self, painter: QPainter, option: object, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.pen)
        painter.setBrush(_NO_BRUSH)
        radius = self.ring.height() / 2
        painter.drawRoundedRect(self.ring, radius, radius)
