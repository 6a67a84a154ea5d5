"""The expression bar: a rejected expression shows its message and a caret under the exact column."""

from __future__ import annotations

import re

import pytest

from graphviz_app.debugger.expression_bar import ExpressionBar
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
