"""The look of the debugger: light/dark style sheets, the colours of rich text, readable numbers.

Style sheets are plain files in `resources/styles/` found with `importlib.resources` (never relative
to the working directory). Colours follow the slides: forward values green, gradients red.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

from PySide6.QtGui import QColor, QFont, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
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


def style_sheet(dark: bool) -> str:
    """The QSS text of the light or dark theme."""
    name = "dark.qss" if dark else "light.qss"
    return (resources.files("resources") / "styles" / name).read_text(encoding="utf-8")


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


def apply_theme(app: QApplication, dark: bool) -> None:
    """Switch the whole application between the light and the dark theme."""
    app.setStyle("Fusion")
    app.setPalette(_palette(dark))
    app.setStyleSheet(style_sheet(dark))


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


def fmt(x: float) -> str:
    """A number as a learner reads it: 4 significant digits, no '-0', words for non-finite values."""
    if x is None:
        return "?"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    text = f"{x:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        # 4.129·10⁻⁸ as on a slide: "10^-8" reads as a formula to evaluate, not as a number.
        text = f"{mantissa}·10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return text


def fmt_full(x: float) -> str:
    """Full precision, for tooltips."""
    return repr(float(x)) if x is not None else "not computed yet"


def fmt_factor(x: float) -> str:
    """A number as a factor in a product: negative numbers in parentheses, `(-4) · 1`."""
    text = fmt(x)
    return f"({text})" if text.startswith(("-", "−")) else text
