"""The expression bar: type an expression (or a multi-line program), build its graph, see parse errors.

Single-line by default (Enter builds); the toggle expands it to a multi-line editor (Ctrl+Enter
builds). A rejected expression shows its message under the bar with a caret under the column, in a
warning colour; the old graph stays because `AppState.set_expression` keeps it. Programs with
several lines show as `a = …; b = …` in the single line, which the parser reads the same way.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import core
from core.parser import MAX_LENGTH
from graphviz_app.debugger.observe import observe
from graphviz_app.debugger.state import AppState
from graphviz_app.theme import monospace_font

EXAMPLES_PROMPT = "Examples…"
SNIPPET_LEAD = 50  # characters of the source shown before the caret
# A program longer than this is shown a turn after its graph arrives, in the multi-line editor if it
# has several lines: laying out a long text then gets an event-loop turn of its own instead of
# lengthening the turn that shows the new graph.
LONG_PROGRAM = 20_000


def single_line(text: str) -> str:
    """A program's lines joined by '; ' so that it fits one line and still parses the same.

    Comments are left out: on one line, a `#` would swallow every statement after it. The bar keeps
    the original text and builds that when the line is left as shown (see `ExpressionBar.build`).
    """
    lines = text.splitlines()
    if "#" in text:
        lines = [line.split("#", 1)[0] for line in lines]
    return "; ".join(filter(None, map(str.strip, lines)))  # C loops: a 6,000-line program in ~1 ms


class ExpressionBar(QWidget):
    """Text → `state.set_expression`; shows `state.sig_error` under the text."""

    sig_built = Signal()  # the typed text became the graph: the window hands the keys (→, Space) to it

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._submitted = ""  # the text last sent, so the caret lines up with what was parsed
        self._programs: dict[str, str] = {}  # a program as the line shows it → the program as written

        self.line = QLineEdit(objectName="expressionLine")
        self.line.setPlaceholderText("type an expression, e.g. (x + y) * z  — Enter builds the graph")
        self.line.setClearButtonEnabled(True)
        self.line.setMaxLength(MAX_LENGTH)  # Qt's default, 32,767, would cut long programs silently
        self.line.setMinimumWidth(220)
        self.line.returnPressed.connect(self.build)
        # ↑ / ↓ recall earlier graphs, as in a shell: students retype variations of one expression.
        self.history: list[str] = []
        self._recalled = 0
        for key, step in (("Up", -1), ("Down", 1)):
            QShortcut(
                QKeySequence(key),
                self.line,
                lambda step=step: self.recall(step),
                context=Qt.ShortcutContext.WidgetShortcut,
            )
        self.editor = QPlainTextEdit(objectName="expressionEditor")
        self.editor.setPlaceholderText(
            "a program: one `name = expression` per line; the last line is the output. Ctrl+Enter builds."
        )
        self.editor.setVisible(False)
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 6 + 16)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.editor, self.build, context=Qt.ShortcutContext.WidgetShortcut)

        self.expand = QToolButton(text="Multi-line", checkable=True)
        self.expand.setToolTip("Switch between a single line and a multi-line program editor")
        self.expand.toggled.connect(self.set_multiline)
        self.build_button = QPushButton("Build")
        self.build_button.setToolTip("Build the graph (Enter; Ctrl+Enter in the multi-line editor)")
        self.build_button.clicked.connect(self.build)
        self.examples = QComboBox()
        self.examples.setToolTip("Load one of the lecture's examples")
        self.examples.addItem(EXAMPLES_PROMPT, None)
        for example in core.examples():
            self.examples.addItem(example.title, example.name)
        self.examples.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.examples.setMinimumContentsLength(8)
        self.examples.view().setMinimumWidth(420)  # the open list shows the full titles
        self.examples.activated.connect(self._example_chosen)

        self.error = QLabel(objectName="expressionError")
        self.error.setFont(monospace_font())
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setVisible(False)
        self.error.setWordWrap(True)
        # A long message or source line is clipped or wrapped, never allowed to widen the window.
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        # The editor takes the line's place in the same row; the buttons stay at the top right.
        self.single = QWidget()  # "f =" and the line, shown together
        single_row = QHBoxLayout(self.single)
        single_row.setContentsMargins(0, 0, 0, 0)
        single_row.addWidget(QLabel("f ="))
        single_row.addWidget(self.line, 1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        top = Qt.AlignmentFlag.AlignTop
        row.addWidget(self.single, 1, top)
        row.addWidget(self.editor, 1)
        # Buttons side by side next to the line; stacked beside the taller multi-line editor.
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.buttons.setContentsMargins(0, 0, 0, 0)
        for widget in (self.expand, self.build_button, self.examples):
            self.buttons.addWidget(widget)
        row.addLayout(self.buttons)
        row.setAlignment(self.buttons, top)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 4)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.error)

        observe(self, [(state.sig_graph_changed, self._show_expression), (state.sig_error, self.show_error)])
        self._show_expression()

    # ---- reading and building ----

    @property
    def multiline(self) -> bool:
        return self.expand.isChecked()

    def text(self) -> str:
        """The program to build: the editor's text, or the line's (as written, if the line shows a program)."""
        if self.multiline:
            return self.editor.toPlainText()
        return self._programs.get(self.line.text(), self.line.text())

    def has_unbuilt_text(self) -> bool:
        """The line or editor holds text that differs from the program on screen."""
        text = self.text()
        return bool(text.strip()) and text != self.state.expression

    def _show_on_line(self, program: str, shown: str | None = None) -> None:
        """`shown`: `single_line(program)`, if known (a long program's costs ~10 ms)."""
        shown = single_line(program) if shown is None else shown
        if shown != program:
            self._programs[shown] = program
            while len(self._programs) > len(self.history) + 1:  # no older than the history
                del self._programs[next(iter(self._programs))]
        self.line.setText(shown)

    def build(self) -> bool:
        """Send the text to the state; an error comes back through `sig_error`."""
        self._submitted = self.text()
        built = self.state.set_expression(self._submitted)
        if built:
            self.sig_built.emit()
        return built

    def set_multiline(self, on: bool, program: str | None = None, focus: bool = True) -> None:
        """`program`: what the editor shows when it opens (else the line's text, carried over)."""
        # Carry the text over: newline-separated in the editor, '; '-separated on the line.
        if on:
            text = self.line.text()
            if program is None:
                program = self._programs.get(text) or text.replace("; ", "\n").replace(";", "\n")
            self.editor.setPlainText(program)
        else:
            self._show_on_line(self.editor.toPlainText())
        self.expand.blockSignals(True)
        self.expand.setChecked(on)
        self.expand.blockSignals(False)
        self.buttons.setDirection(QBoxLayout.Direction.TopToBottom if on else QBoxLayout.Direction.LeftToRight)
        self.single.setVisible(not on)  # a program names its own values: no "f =" in front
        self.editor.setVisible(on)
        if focus:
            (self.editor if on else self.line).setFocus()

    def _example_chosen(self, index: int) -> None:
        name = self.examples.itemData(index)
        self.examples.setCurrentIndex(0)  # the combo is a menu, not a selection
        if name:
            self.state.load_example(name)

    # ---- showing the state ----

    def recall(self, step: int) -> None:
        """Put an earlier expression on the line (-1 = one further back); past the newest, an empty line."""
        self._recalled = max(0, min(len(self.history), self._recalled + step))
        self._show_on_line(self.history[self._recalled] if self._recalled < len(self.history) else "")

    def _show_expression(self) -> None:
        if len(self.state.expression) > LONG_PROGRAM:
            QTimer.singleShot(0, self, self._show_current_expression)
        else:
            self._show_current_expression()

    def _show_current_expression(self) -> None:
        text = self.state.expression
        unbuilt = self.text()
        if unbuilt.strip() and unbuilt != text and unbuilt not in self.history:
            # Typed but never built, and about to be replaced (an example, a session): ↑ brings it back.
            self.history.append(unbuilt)
        if not self.history or self.history[-1] != text:
            self.history.append(text)
        self._recalled = len(self.history)
        if not self.multiline and len(text) > LONG_PROGRAM and "\n" in text:
            # A long program of many lines opens in the editor: it reads better there, and the editor
            # lays it out ~4x faster than the line does (a 3,300-line program: ~7 ms against ~30).
            self.set_multiline(True, text, focus=False)
        if self.multiline:
            if self.editor.toPlainText() != text:
                self.editor.setPlainText(text)
        elif (on_line := self.line.text()) != text and on_line != (shown := single_line(text)):
            self._show_on_line(text, shown)
            self.line.setCursorPosition(0)  # show the beginning of a long expression

    def show_error(self, message: str, line: int, column: int) -> None:
        """The message, then the offending line with a caret under `column` (1-based)."""
        if not message:
            self.error.clear()
            self.error.setVisible(False)
            return
        lines = (self._submitted or self.text()).splitlines() or [""]
        source = lines[min(max(line, 1), len(lines)) - 1]
        where = f"line {line}, column {column}" if len(lines) > 1 else f"column {column}"
        offset = max(column - 1, 0)
        if offset > SNIPPET_LEAD:  # a long line: show the part around the caret, not the window's width
            source, offset = "…" + source[offset - SNIPPET_LEAD + 1 :], SNIPPET_LEAD
        caret = " " * offset + "^"
        self.error.setText(
            f"<b>⚠ {html.escape(message)}</b> ({where})<pre style='margin:0'>{html.escape(source)}\n{caret}</pre>"
        )
        self.error.setToolTip(f"{message} at {where}")
        self.error.setVisible(True)
