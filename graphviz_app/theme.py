"""The look of the debugger: light/dark style sheets, the colours of rich text, readable numbers.

Style sheets are plain files in `resources/styles/` found with `importlib.resources` (never relative
to the working directory). Colours follow the slides: forward values green, gradients red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from psygnal import Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from graphviz_app.numbers import factor as fmt_factor
from graphviz_app.numbers import full as fmt_full
from graphviz_app.numbers import number as fmt

__all__ = ["fmt", "fmt_factor", "fmt_full"]  # old names, kept while views move to graphviz_app.numbers

BASE_POINT_SIZE = 12  # large enough for the back row of a lecture hall, small enough for 1280×800


@dataclass(frozen=True)
class Colors:
    """Colours used in rich text (inspector, inputs dock, error line)."""

    text: str
    muted: str
    value: str  # forward values (green on the slides)
    grad: str  # gradients (red on the slides)
    warn: str  # parse errors, non-finite numbers
    ok: str
    bad: str


LIGHT = Colors(
    text="#1b1f24", muted="#57606a", value="#1a7f37", grad="#c62828", warn="#b35900", ok="#1a7f37", bad="#c62828"
)
DARK = Colors(
    text="#e6edf3", muted="#9da7b3", value="#56d364", grad="#ff7b72", warn="#f0a040", ok="#56d364", bad="#ff7b72"
)


def colors(dark: bool) -> Colors:
    return DARK if dark else LIGHT


def style_sheet(dark: bool, text_scale: float = 1.0) -> str:
    """The QSS text of the light or dark theme, every font size `text_scale` times its own."""
    name = "dark.qss" if dark else "light.qss"
    text = (resources.files("resources") / "styles" / name).read_text(encoding="utf-8")
    icons = Path(str(resources.files("resources") / "icons")).as_posix()  # QSS url()s want a file path
    return scaled_points(text.replace("@ICONS@", icons), text_scale)


def scaled_points(css: str, text_scale: float) -> str:
    """Style text (QSS, or rich text's `font-size:14pt`) with every point size `text_scale` times its own."""
    if text_scale == 1.0:
        return css
    return re.sub(r"(\d+(?:\.\d+)?)pt\b", lambda m: f"{float(m.group(1)) * text_scale:.3g}pt", css)


def _palette(dark: bool) -> QPalette:
    # Fusion + a palette colours the parts QSS does not reach (scroll bars, menus, tooltips).
    palette = QPalette()
    if not dark:
        return QApplication.style().standardPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2228",
        QPalette.ColorRole.WindowText: DARK.text,
        QPalette.ColorRole.Base: "#15181d",
        QPalette.ColorRole.AlternateBase: "#23272e",
        QPalette.ColorRole.Text: DARK.text,
        QPalette.ColorRole.Button: "#2a2f37",
        QPalette.ColorRole.ButtonText: DARK.text,
        QPalette.ColorRole.Highlight: "#2f6feb",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2a2f37",
        QPalette.ColorRole.ToolTipText: DARK.text,
        QPalette.ColorRole.PlaceholderText: DARK.muted,
        QPalette.ColorRole.Link: "#58a6ff",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6e7681"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6e7681"))
    return palette


def apply_theme(app: QApplication, dark: bool, text_scale: float = 1.0) -> None:
    """Switch the whole application between the light and the dark theme (at this text size)."""
    app.setStyle("Fusion")
    app.setPalette(_palette(dark))
    app.setStyleSheet(style_sheet(dark, text_scale))


def app_icon() -> QIcon:
    """The window icon from resources/icons (an SVG, drawn by Qt's svg image plugin)."""
    data = (resources.files("resources") / "icons" / "graphviz-app.svg").read_bytes()
    pixmap = QPixmap()
    pixmap.loadFromData(data, "SVG")
    return QIcon(pixmap)


def base_font() -> QFont:
    font = QApplication.font()
    font.setPointSize(BASE_POINT_SIZE)
    return font


def monospace_font(point_size: int = BASE_POINT_SIZE) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSize(point_size)
    return font


class Theme:
    """The one light/dark switch of the window; every view reads it and connects to `changed`.

    Qt-free (a psygnal signal): the tab states hold it, so nothing copies the dark flag around.
    """

    changed = Signal(bool)  # True = dark
    # The window's text size (Ctrl+= / Ctrl+−, presentation): every view that sizes its own texts
    # (plots' ticks and labels, rich text, labels with their own style) sizes them with `pt` and
    # redraws them when this is emitted; the style sheet and the graph's numbers follow it too.
    text_scale_changed = Signal(float)

    def __init__(self, dark: bool = False) -> None:
        self.dark = bool(dark)
        self.text_scale = 1.0

    @property
    def colors(self) -> Colors:
        return colors(self.dark)

    def set_dark(self, dark: bool) -> None:
        if bool(dark) != self.dark:
            self.dark = bool(dark)
            self.changed.emit(self.dark)

    def set_text_scale(self, scale: float) -> None:
        if float(scale) != self.text_scale:
            self.text_scale = float(scale)
            self.text_scale_changed.emit(self.text_scale)

    def pt(self, points: float) -> float:
        """A font size in points at the window's text size."""
        return round(points * self.text_scale, 2)

    def activation_color(self, name: str) -> str:
        """An activation's colour in the current theme (the palette is at the end of this module)."""
        return activation_color(name, self.dark)


# ---- activation colours (activations and tiny-networks tabs) ----
# tab10 on white; on the dark background the same hues lightened to HSL lightness ≥ 0.66, so that blue,
# brown and purple stay readable on a projector. Colours are the app's business, not the engine's.
ACTIVATION_COLORS_LIGHT = {
    "sigmoid": "#1f77b4",
    "tanh": "#ff7f0e",
    "relu": "#2ca02c",
    "leaky_relu": "#d62728",
    "prelu": "#9467bd",
    "elu": "#8c564b",
    "softplus": "#e377c2",
}
ACTIVATION_COLORS_DARK = {
    "sigmoid": "#6bb3e6",
    "tanh": "#ffa352",
    "relu": "#77da77",
    "leaky_relu": "#e46c6d",
    "prelu": "#aa86cb",
    "elu": "#c3978e",
    "softplus": "#e377c2",
}


def activation_color(name: str, dark: bool) -> str:
    """The colour of activation `name` (an engine name such as "leaky_relu") in the light or dark theme."""
    return (ACTIVATION_COLORS_DARK if dark else ACTIVATION_COLORS_LIGHT)[name]


# ---- the optimizer lab's colours (one palette, light and dark; core carries none) ----


@dataclass(frozen=True)
class LabColors:
    """Every colour the optimizer lab draws with: one per optimizer, the arrows, the markers."""

    optimizers: dict[str, str]  # by core.optimizers name, simplest first
    gradient: str  # the −gradient arrow
    velocity: str  # the −velocity (momentum buffer, Adam's m) arrow
    marker: str  # start point and minima, filled
    marker_edge: str
    contour: str  # contour lines over the heat map (#rrggbbaa)
    cursor: str  # the loss chart's current-step line
    off: str  # an optimizer that is not running
    panel: str  # the update panel's background
    full_gradient: str = "#7b1fa2"  # a minibatch run's −gradient over all the points, beside the batch's


# tab10 on white; lightened on the dark background so thin paths stay visible on a projector.
LAB_LIGHT = LabColors(
    optimizers={
        "sgd": "#1f77b4",
        "momentum": "#ff7f0e",
        "nesterov": "#2ca02c",
        "adagrad": "#9467bd",
        "rmsprop": "#d62728",
        "adadelta": "#e377c2",
        "adam": "#17becf",
        "adamw": "#8c564b",
    },
    gradient="#e53935",
    velocity="#ffb300",
    marker="#ffffff",
    marker_edge="#000000",
    contour="#ffffff6e",
    cursor="#888888",
    off="#888888",
    panel="#ffffff",
)
LAB_DARK = LabColors(
    optimizers={
        "sgd": "#58a6ff",
        "momentum": "#ffa657",
        "nesterov": "#56d364",
        "adagrad": "#d2a8ff",
        "rmsprop": "#ff7b72",
        "adadelta": "#f778ba",
        "adam": "#39d5e6",
        "adamw": "#d2a679",
    },
    gradient="#ff6f61",
    velocity="#ffc940",
    marker="#ffffff",
    marker_edge="#000000",
    contour="#ffffff6e",
    cursor="#9da7b3",
    off="#6e7681",
    panel="#15181d",
    full_gradient="#e0b0ff",
)


def lab_colors(theme: Theme) -> LabColors:
    """The lab's palette for the theme in force."""
    return LAB_DARK if theme.dark else LAB_LIGHT
