"""The inputs dock: every input with a spin box and a slider, its gradient and a finite-difference check.

Edits go to `AppState.set_inputs`, which re-evaluates and keeps the step position. Slider drags fire
many signals per second, so changes are coalesced by a 0-ms single-shot timer: one re-evaluation per
pass of the event loop, however fast the mouse moves. The gradient shown is the one known at the
cursor (so the dock does not give away the backward pass before it is played); the check compares
the engine's gradient with the central difference of `AppState.gradcheck`.
"""

from __future__ import annotations

import html
import math
import sys

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QValidator
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.numbers import tip
from graphviz_app.theme import colors, fmt, fmt_full

SLIDER_STEPS = 400  # slider positions across value ± SLIDER_HALF_RANGE
SLIDER_HALF_RANGE = 10.0
SPIN_LIMIT = sys.float_info.max  # any finite float: a session or --set may bring 1e300
CHECK_DELAY_MS = 80
NAME_MAX_PX = 110  # longer input names are elided in the middle
# Rows made ahead, one per idle turn, so that a new graph with this many inputs finds its rows ready:
# making 14 rows when a program's graph arrived held the window for ~30 ms.
SPARE_ROWS = 16


class NumberSpinBox(QDoubleSpinBox):
    """Any float a learner types, `1e-12` and `123456789` included; shows 2 rather than 2.000000.

    QDoubleSpinBox's own validator knows no exponents (typing 1e-12 gave 112) and rounds to its
    decimals (1e-12 became 0), so parsing and showing go through Python's float syntax instead.
    """

    def textFromValue(self, value: float) -> str:
        """Short where that is exact (2, not 2.000000), else every digit: Enter must never round a value."""
        short = f"{value:.10g}"
        return short if float(short) == value else repr(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # Not (yet) a number: "-", "1e" may still become one; anything else ("nan", "abc") is let
            # through too, so that Enter can say why it is refused (fixup) rather than eat the keys.
            return QValidator.State.Intermediate, text, pos
        ok = math.isfinite(value) and self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def sizeHint(self) -> QSize:
        # Qt sizes the box for its widest value (±1.8e308 in full): size it for typical numbers instead,
        # so the slider keeps its room; a longer value scrolls inside the box.
        hint = super().sizeHint()
        hint.setWidth(min(hint.width(), self.fontMetrics().horizontalAdvance("-0.000000000") + 40))
        return hint

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def fixup(self, text: str) -> str:
        """Called when editing ends on text that is not a number: the old value stays, and we say why."""
        stripped = text.strip()
        why = "the box was empty" if not stripped else f"{stripped!r} is not a finite number"
        QToolTip.showText(
            self.mapToGlobal(self.rect().bottomLeft()),
            f"{why}: type a number such as 2.5 or 1e-3",
            self,
            self.rect(),
            4000,
        )
        return text


class InputRow:
    """The widgets of one input; the panel owns the logic."""

    def __init__(self, name: str, value: float) -> None:
        self.label = QLabel()
        self.spin = NumberSpinBox()
        self.spin.setRange(-SPIN_LIMIT, SPIN_LIMIT)
        self.spin.setDecimals(323)  # no rounding: the smallest doubles keep their digits
        self.spin.setSingleStep(0.1)
        self.spin.setKeyboardTracking(False)  # typing "-2.5" must not evaluate at "-", "-2", "-2."
        self.spin.setMinimumWidth(80)
        self.spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # the slider takes the rest
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setMinimumWidth(70)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← / → keep stepping the trace
        self.grad = QLabel()
        self.check = QLabel()
        self.show_input(name, value)

    def show_input(self, name: str, value: float) -> None:
        """Show input `name` (its value `value`): a new graph's inputs reuse the rows of the old one's."""
        self.name = name
        # A long name is elided (full name in the tooltip): it must not push the spin box out of the dock.
        bold = self.label.font()
        bold.setBold(True)
        shown = QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideMiddle, NAME_MAX_PX)
        self.label.setText(f"<b>{html.escape(shown)}</b>")
        self.label.setToolTip(name)
        # Wide enough for any 4-significant-digit gradient, so the label never runs into the check mark.
        self.grad_name = shown
        self.grad.setMinimumWidth(
            self.grad.fontMetrics().horizontalAdvance(f"∂f/∂{shown} = ")
            + QFontMetrics(bold).horizontalAdvance("-0.00000")
            + 6
        )
        self.center = value

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.spin, self.slider, self.grad, self.check)

    def slider_position(self, value: float) -> int:
        offset = (value - self.center + SLIDER_HALF_RANGE) / (2 * SLIDER_HALF_RANGE)
        return round(min(max(offset, 0.0), 1.0) * SLIDER_STEPS)

    def slider_value(self, position: int) -> float:
        return self.center - SLIDER_HALF_RANGE + 2 * SLIDER_HALF_RANGE * position / SLIDER_STEPS


class InputsPanel(QScrollArea):
    """Edit the inputs; see each one's gradient and whether it passes the finite-difference check."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.rows: dict[str, InputRow] = {}
        self._pool: list[InputRow] = []  # every row made, in grid order: the first len(rows) are shown
        self._grid: QGridLayout | None = None
        self._note = QLabel(wordWrap=True)
        self._none = QLabel("This expression has no inputs.")
        self._spare_timer = QTimer(self, singleShot=True, interval=0)
        self._spare_timer.timeout.connect(self._make_spare_row)
        self._pending: dict[str, float] = {}
        self._flush_timer = QTimer(self, singleShot=True, interval=0)
        self._flush_timer.timeout.connect(self._flush)
        # The finite-difference check costs 2 evaluations per input: run it once edits pause, so that the
        # labels themselves update within a frame even on graphs of ~100 nodes.
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._show_checks)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        observe(
            self,
            [
                (state.sig_graph_changed, self._rebuild),
                (state.sig_values_changed, self._show_values),
                (state.sig_cursor_changed, self._show_gradients),
                (state.sig_mode_changed, self._show_gradients),
                (state.sig_theme_changed, self._show_values),
                (state.sig_gradcheck_ready, self._show_checks),  # the check runs in the background
            ],
        )
        self._rebuild()

    # ---- building ----

    def _rebuild(self) -> None:
        self._pending.clear()
        if self._grid is not None and list(self.rows) == list(self.state.graph.inputs):
            # The same inputs (an edited expression, most often): the rows stay, only their numbers
            # change. Making 50 rows of widgets took ~100 ms on the GUI thread.
            for name, row in self.rows.items():
                row.center = self.state.inputs[name]
            self._show_values()
            self._show_checks()
            return
        # Other inputs: the rows there are show them (a row is ~1 ms to make, and a new body for the
        # scroll area another ~10 ms); only the rows missing are made, those left over are hidden.
        if self._grid is None:
            self._make_body()
        assert self._grid is not None
        self.rows.clear()
        for i, name in enumerate(self.state.graph.inputs):
            if i < len(self._pool):
                row = self._pool[i]
                row.show_input(name, self.state.inputs[name])
                for widget in row.widgets()[:4]:  # the check shows once there is a gradient
                    widget.show()
            else:
                row = self._add_row(name)
            self.rows[name] = row
        for i, row in enumerate(self._pool):
            shown = i < len(self.rows)
            if not shown:
                for widget in row.widgets():
                    widget.hide()
            # A hidden row's second line would keep its height: blank space above the note.
            self._grid.setRowMinimumHeight(2 * i + 1, row.grad.sizeHint().height() + 10 if shown else 0)
        self._note.setText(
            f"<span style='color:{colors(self.state.dark).muted}'>✓ = the gradient agrees "
            "with a finite-difference check (relative error shown)</span>"
        )
        self._note.setVisible(bool(self.rows))
        self._none.setVisible(not self.rows)
        self._show_values()
        self._show_checks()  # a new graph: check at once, there is no drag to wait for
        QTimer.singleShot(0, self._fit_width)  # once the new rows are polished (style-sheet fonts)
        self._spare_timer.start()

    def _make_spare_row(self) -> None:
        """One hidden row more for a later graph's inputs, in an idle turn (see SPARE_ROWS)."""
        if len(self._pool) >= len(self.rows) + SPARE_ROWS or not self.state.graph.inputs:
            return
        row = self._add_row(self.state.graph.inputs[0])
        for widget in row.widgets():
            widget.hide()
            widget.ensurePolished()  # now, not when a graph's arrival shows it
        self._spare_timer.start()

    def _make_body(self) -> None:
        body = QWidget()
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(2, 1)
        column = QVBoxLayout(body)
        column.addLayout(grid)
        column.addWidget(self._note)
        column.addWidget(self._none)
        column.addStretch(1)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._grid = grid
        self.setWidget(body)

    def _add_row(self, name: str) -> InputRow:
        """A new row at the end of the grid, two lines per input so that the dock stays narrow: value +
        slider, then gradient + check. Its signals name the input the row shows at the time."""
        assert self._grid is not None
        row = InputRow(name, self.state.inputs[name])
        r = 2 * len(self._pool)
        self._grid.addWidget(row.label, r, 0)
        self._grid.addWidget(row.spin, r, 1)
        self._grid.addWidget(row.slider, r, 2)
        below = QHBoxLayout()
        below.addWidget(row.grad)
        below.addStretch(1)
        below.addWidget(row.check)
        self._grid.addLayout(below, r + 1, 1, 1, 2)
        for widget in row.widgets()[:4]:  # at once, not in a later turn (the check: once there is a gradient)
            widget.show()
        row.spin.valueChanged.connect(lambda v, row=row: self._spin_changed(row.name, v))
        row.slider.valueChanged.connect(lambda p, row=row: self._slider_moved(row.name, p))
        self._pool.append(row)
        return row

    def minimumSizeHint(self) -> QSize:
        # No horizontal scrolling: the dock is at least as wide as its rows (asked at layout time, when
        # the style sheet's fonts are known).
        body = self.widget()
        width = body.minimumSizeHint().width() if body is not None else 200
        return QSize(width + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth() + 2, 120)

    def _fit_width(self) -> None:
        # QDockWidget sizes by its content's minimumSize, not by the hint: make it explicit.
        self.setMinimumWidth(self.minimumSizeHint().width())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_width()

    # ---- edits → state ----

    def _spin_changed(self, name: str, value: float) -> None:
        row = self.rows[name]
        if not math.isfinite(value):
            return
        if abs(value - row.center) > SLIDER_HALF_RANGE:
            row.center = value  # typed far away: move the slider's range along
        row.slider.blockSignals(True)
        row.slider.setValue(row.slider_position(value))
        row.slider.blockSignals(False)
        self._queue(name, value)

    def _slider_moved(self, name: str, position: int) -> None:
        row = self.rows[name]
        value = round(row.slider_value(position), 4)
        row.spin.blockSignals(True)
        row.spin.setValue(value)
        row.spin.blockSignals(False)
        self._queue(name, value)

    def _queue(self, name: str, value: float) -> None:
        self._pending[name] = value
        self._flush_timer.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, {}
        if pending:
            self.state.set_inputs(pending)

    # ---- state → labels ----

    def _show_values(self, *_: object) -> None:
        for name, row in self.rows.items():
            value = self.state.inputs[name]
            if row.spin.value() != value and name not in self._pending:
                row.spin.blockSignals(True)
                row.spin.setValue(value)
                row.spin.blockSignals(False)
                row.slider.blockSignals(True)
                row.slider.setValue(row.slider_position(value))
                row.slider.blockSignals(False)
            row.spin.setToolTip(tip(name, value))
        self._show_gradients()
        self._check_timer.start()

    def _show_gradients(self, *_: object) -> None:
        c = colors(self.state.dark)
        state = self.state
        grads = state.state().grads
        finished = state.cursor >= state.step_count  # also a graph with nothing to play, like `x`
        forward = state.mode == "forward"  # one pass gives ∂f/∂seed only: the output's tangent
        for name, row in self.rows.items():
            if forward:
                grad = state.state().tangents.get(state.graph.output) if finished and name == state.seed else None
            else:
                grad = state.result.grad[name] if finished else grads.get(state.graph.input_ids[name])
            shown = html.escape(row.grad_name)
            row.check.setVisible(grad is not None)  # nothing to check before the gradient is known
            if grad is None:
                row.grad.setText(f"<span style='color:{c.muted}'>∂f/∂{shown} = ?</span>")
                row.grad.setToolTip(
                    f"forward mode gives it with a pass along {name}"
                    if forward and name != state.seed
                    else "not computed yet: play the " + ("forward pass" if forward else "backward pass")
                )
            else:
                colour = c.grad if math.isfinite(grad) else c.warn
                row.grad.setText(f"∂f/∂{shown} = <b style='color:{colour}'>{fmt(grad)}</b>")
                row.grad.setToolTip(tip(f"∂f/∂{name}", grad))

    def _show_checks(self) -> None:
        self._check_timer.stop()
        c = colors(self.state.dark)
        if not self.rows:
            return
        check = self.state.gradcheck()
        if check is None:
            return  # still being computed: sig_gradcheck_ready brings it
        for name, row in self.rows.items():
            item = check.inputs[name]
            numbers = (
                f"engine: {fmt_full(item.analytic)}\ncentral difference: {fmt_full(item.numeric)}\n"
                f"relative error: {item.rel_error!r}"
            )
            if not (math.isfinite(item.numeric) and math.isfinite(item.analytic)):
                # nan/inf is not a wrong gradient: there is simply nothing finite to compare.
                row.check.setText(f"<span style='color:{c.muted}'>– n/a</span>")
                row.check.setToolTip("no finite-difference check: f or its gradient is not finite here\n" + numbers)
                continue
            if item.unresolved:
                row.check.setText(f"<span style='color:{c.muted}'>– too small to check</span>")
                row.check.setToolTip(
                    "a central difference cannot resolve a gradient this small next to a "
                    "value of f this large (rounding noise ≈ "
                    f"{fmt_full(item.noise)}); nothing is wrong\n" + numbers
                )
                continue
            ok = item.ok
            error = "0" if item.rel_error == 0 else f"{item.rel_error:.0e}"  # not "0e+00"
            row.check.setText(f"<span style='color:{c.ok if ok else c.bad}'>{'✓' if ok else '✗'} {error}</span>")
            row.check.setToolTip("finite-difference check (relative error of the gradient)\n" + numbers)
