"""The expression bar: a rejected expression shows its message and a caret under the exact column."""

from __future__ import annotations

import re

import pytest

from graphviz_app.debugger.expression_bar import LONG_PROGRAM, ExpressionBar, single_line
from graphviz_app.debugger.state import AppState


def error_lines(bar: ExpressionBar) -> tuple[str, str]:
    """The source line and the caret line of the error label (the `<pre>` block), as plain text."""
    pre = re.search(r"<pre[^>]*>(.*)</pre>", bar.error.text(), re.S)
    assert pre is not None, bar.error.text()
    source, caret = pre.group(1).split("\n")
    return source, caret


@pytest.mark.parametrize(
    ("text", "culprit"),
    [("(x + * y", "*"), ("x + y)", ")"), ("a * b + foo(c)", "f")],
)
def test_the_caret_stands_under_the_offending_character(qtbot, text, culprit):
    state = AppState()
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    bar.line.setText(text)
    bar.build()
    source, caret = error_lines(bar)
    assert source == text
    assert caret.strip() == "^" and caret.endswith("^")
    assert source[len(caret) - 1] == culprit


def test_a_good_expression_clears_the_message(qtbot):
    state = AppState()
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    bar.line.setText("x +")
    bar.build()
    assert not bar.error.isHidden()
    bar.line.setText("x + 1")
    bar.build()
    assert bar.error.isHidden()


def test_a_program_with_comments_builds_the_same_from_the_single_line(qtbot):
    # Regression: the lines were joined with "; ", so the comment swallowed `b = a * 2` and f went 6 → 3.
    program = "a = x  # the input\nb = a * 2"
    state = AppState(program, {"x": 3.0})
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    assert "#" not in bar.line.text()
    bar.build()
    assert state.expression == program
    assert state.result.value == 6.0
    bar.line.setText(bar.line.text() + " + 1")  # an edit on the line builds what the line says
    bar.build()
    assert state.result.value == 7.0


def test_a_long_program_is_never_cut_by_the_line(qtbot):
    # Regression: QLineEdit's default maxLength (32,767) cut a long program and Enter built the cut text.
    program = "a" * 40_000 + " * 2"
    assert len(program) > 32_767
    state = AppState("x")
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    bar.line.setText(program)
    assert bar.line.text() == program
    bar.recall(-1)
    bar.recall(+1)
    bar.line.setText(program)
    bar.build()
    assert state.expression == program


def test_a_long_program_opens_in_the_editor_a_turn_after_its_graph(qtbot):
    # Laying out a very long text takes a while: it gets its own event-loop turn, not the graph's,
    # and a program of many lines goes to the editor (faster to lay out than one long line).
    program = "\n".join(f"v{i} = x * {i}" for i in range(3000)) + "\nf = v2999 + v1"
    assert len(program) > LONG_PROGRAM
    state = AppState("x + 1")
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    bar.show()
    state.set_expression(program)
    assert bar.line.text() == "x + 1" and not bar.multiline  # not yet
    qtbot.waitUntil(lambda: bar.multiline)
    assert bar.editor.toPlainText() == program and bar.editor.isVisible()
    assert bar.history[-1] == program and bar.text() == program
    bar.set_multiline(False)  # back on one line, the program as one line
    assert bar.line.text() == single_line(program)
    state.set_expression("x * 3")  # a short one is shown at once
    assert bar.line.text() == "x * 3"
    one_line = "a" * (LONG_PROGRAM + 10) + " * 2"  # long but one line: stays on the line
    state.set_expression(one_line)
    qtbot.waitUntil(lambda: bar.line.text() == one_line)
    assert not bar.multiline


def test_the_multi_line_editor_takes_gate_definitions_and_shows_their_mistakes(qtbot):
    state = AppState()
    bar = ExpressionBar(state)
    qtbot.addWidget(bar)
    bar.set_multiline(True)
    program = "mysig(a) = 1 / (1 + exp(-a))\nd mysig / d a = out * (1 - out)\nf = mysig(w*x + b)"
    bar.editor.setPlainText(program)
    assert bar.build()
    assert state.expression == program
    assert [n.symbol for n in state.graph.gates][-1] == "mysig"
    bar.set_multiline(False)  # on one line the program reads '; '-separated, and builds the same graph
    assert bar.line.text() == program.replace("\n", "; ")
    bar.line.setText(bar.line.text() + " ")
    assert bar.build()
    assert [n.symbol for n in state.graph.gates][-1] == "mysig"
    bar.set_multiline(True)
    bar.editor.setPlainText("mysig(a) = 1 / (1 + exp(-a))\nd mysig / d z = 1\nf = mysig(x)")
    assert not bar.build()
    source, caret = error_lines(bar)
    assert source == "d mysig / d z = 1" and source[len(caret) - 1] == "z"
    assert "line 2, column 13" in bar.error.text()
    assert state.expression.startswith("mysig(a) = 1 / (1 + exp(-a));")  # the last good program stays
    assert state.graph.gates[-1].symbol == "mysig"


@pytest.mark.parametrize("dark", [False, True])
def test_underscores_stay_visible_while_the_expression_line_has_focus(qtbot, shown_window, dark):
    # Regression: the focus frame's extra pixel of border cut the text area, and `leaky_relu` read
    # "leaky relu" while typing. The row of underscores must be drawn with and without focus.
    from PySide6.QtWidgets import QApplication

    from graphviz_app import theme
    from graphviz_app.debugger.state import AppState

    app = QApplication.instance()
    app.setStyleSheet(theme.style_sheet(dark))  # as the app runs (a window's own style did not show the bug)
    win = shown_window(AppState())
    win.resize(1280, 800)
    line = win.expression_bar.line
    line.setText("leaky_relu(x) " + "_" * 12)

    def underscore_pixels() -> int:
        image = line.grab().toImage()
        background = image.pixelColor(image.width() // 2, image.height() // 2 - 6).lightness()  # right of the text
        rows = [
            sum(1 for x in range(image.width()) if abs(image.pixelColor(x, y).lightness() - background) > 80)
            for y in range(image.height() // 2, image.height() - 3)  # above the frame
        ]
        return max(rows)  # the underscores' row: the widest run of text-coloured pixels

    win.view.setFocus()
    unfocused = underscore_pixels()
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    focused = underscore_pixels()
    app.setStyleSheet("")  # later tests run without the app's style, as before
    assert unfocused > 50 and focused > 0.8 * unfocused
