"""The inputs dock on its own: names, gradients and the finite-difference check column."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from graphviz_app.debugger.inputs_panel import NAME_MAX_PX, SPARE_ROWS, InputsPanel
from graphviz_app.debugger.state import AppState


def make_panel(qtbot, expression: str, inputs: dict[str, float]) -> tuple[AppState, InputsPanel]:
    state = AppState(expression, inputs)
    panel = InputsPanel(state)
    qtbot.addWidget(panel)
    return state, panel


def test_a_non_finite_function_has_no_check_instead_of_a_red_cross(qtbot):
    # Regression: log(x) at x = -1 showed "✗ nan" as if the engine's gradient were wrong.
    state, panel = make_panel(qtbot, "log(x) * y", {"x": -1.0, "y": 2.0})
    for row in panel.rows.values():
        assert "n/a" in row.check.text() and "✗" not in row.check.text()
        assert "not finite" in row.check.toolTip()
    state.set_input("x", 2.0)
    panel._show_checks()
    assert "✓" in panel.rows["x"].check.text()


def test_a_gradient_too_fine_for_a_finite_difference_is_not_a_red_cross(qtbot):
    # Regression: ∂f/∂b = 1e-12 next to f ≈ 1.2e8 showed "✗ 1e+00" although the engine is right.
    _, panel = make_panel(qtbot, "a*b + 123456789", {"a": 1e-12, "b": 2.0})
    check = panel.rows["b"].check
    assert "too small to check" in check.text() and "✗" not in check.text()
    assert "too fine" not in check.text()  # jargon: the learner is told what it means
    assert "rounding noise" in check.toolTip()


def test_a_zero_relative_error_reads_0_not_0e00(qtbot):
    _, panel = make_panel(qtbot, "x * y", {"x": 0.0, "y": 0.0})
    assert panel.rows["x"].check.text().endswith("✓ 0</span>")


def test_a_long_input_name_is_elided_and_keeps_the_spin_box_in_view(qtbot):
    # Regression: a 34-letter name pushed the spin box and slider out of the dock.
    name = "very_long_variable_name_number_one"
    state, panel = make_panel(qtbot, f"{name} * 2", {name: 1.0})
    state.run_to_end()
    row = panel.rows[name]
    assert row.label.toolTip() == name and "…" in row.label.text()
    assert row.label.sizeHint().width() <= NAME_MAX_PX + 10
    assert "…" in row.grad.text() and name in row.grad.toolTip()


@pytest.mark.parametrize(
    ("typed", "value", "shown"),
    [
        ("1e-12", 1e-12, "1e-12"),
        ("123456789", 123456789.0, "123456789"),
        ("-2.5", -2.5, "-2.5"),
        ("0.000001234", 1.234e-06, "1.234e-06"),
    ],
)
def test_the_spin_box_takes_any_float_a_learner_types(qtbot, typed, value, shown):
    # Regression: typing 1e-12 gave 112 (no exponents) and small numbers were rounded to 6 decimals.
    state, panel = make_panel(qtbot, "x * y", {"x": 2.0, "y": 3.0})
    spin = panel.rows["x"].spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, typed)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state.inputs["x"] != 2.0)
    assert state.inputs["x"] == value
    assert spin.text() == shown


def test_the_dock_shows_the_gradient_known_at_the_cursor_not_the_final_one(qtbot):
    # x feeds both gates of x*y + x: after the first backward step only the + gate's 1 has reached it.
    state, panel = make_panel(qtbot, "x*y + x", {"x": 3.0, "y": 2.0})
    state.set_cursor(0)
    assert "?" in panel.rows["x"].grad.text() and "?" in panel.rows["y"].grad.text()
    state.set_cursor(state.forward_count + 1)
    assert "<b" in panel.rows["x"].grad.text() and ">1</b>" in panel.rows["x"].grad.text()
    assert "?" in panel.rows["y"].grad.text()
    state.set_cursor(state.step_count)
    assert ">3</b>" in panel.rows["x"].grad.text() and ">3</b>" in panel.rows["y"].grad.text()


def test_an_expression_with_nothing_to_play_shows_its_gradient(qtbot):
    # Regression: for `x` the dock said "∂f/∂x = ?  play the backward pass", with no step to play.
    state, panel = make_panel(qtbot, "x", {"x": 2.0})
    assert state.step_count == 0
    assert ">1</b>" in panel.rows["x"].grad.text()


def test_the_check_appears_only_once_the_gradient_is_known(qtbot):
    state, panel = make_panel(qtbot, "(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    state.set_cursor(0)
    panel._show_checks()
    assert panel.rows["x"].check.isHidden()
    state.set_cursor(state.step_count)
    assert not panel.rows["x"].check.isHidden()


def test_enter_in_a_spin_box_never_rounds_the_value(qtbot):
    # Regression: the box showed 10 digits, and Enter without typing set 0.123456789012345 to 0.123456789.
    state, panel = make_panel(qtbot, "x * y", {"x": 0.123456789012345, "y": 1e300})
    assert panel.rows["x"].spin.text() == "0.123456789012345"
    assert panel.rows["y"].spin.text() == "1e+300"  # not clamped to 1e+12
    for name in ("x", "y"):
        qtbot.keyClick(panel.rows[name].spin.lineEdit(), Qt.Key.Key_Return)
    qtbot.wait(20)
    assert state.inputs == {"x": 0.123456789012345, "y": 1e300}
    assert panel.rows["x"].spin.text() == "0.123456789012345"


@pytest.mark.parametrize(
    "typed, why", [("nan", "'nan' is not a finite number"), ("inf", "'inf' is not"), ("", "empty")]
)
def test_a_refused_number_keeps_the_value_and_says_why(qtbot, monkeypatch, typed, why):
    from PySide6.QtWidgets import QToolTip

    said: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda *args: said.append(args[1]))
    state, panel = make_panel(qtbot, "x * y", {"x": 3.0, "y": 2.0})
    spin = panel.rows["x"].spin
    panel.show()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), typed) if typed else qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Backspace)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    spin.clearFocus()
    assert state.inputs["x"] == 3.0
    assert any(why in text for text in said), said


def test_a_huge_value_is_shown_exactly_and_enter_keeps_it(qtbot):
    state, panel = make_panel(qtbot, "x * y", {"x": 1e300, "y": 2.0})
    spin = panel.rows["x"].spin
    assert float(spin.text()) == 1e300
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert state.inputs["x"] == 1e300


def test_forward_mode_shows_only_the_seed_inputs_derivative_at_the_end(qtbot):
    state, panel = make_panel(qtbot, "(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    state.set_mode("forward", "x")
    state.run_to_end()
    assert "-4" in panel.rows["x"].grad.text()  # ḟ along x = ∂f/∂x
    for name in ("y", "z"):
        assert "?" in panel.rows[name].grad.text() and f"along {name}" in panel.rows[name].grad.toolTip()
    state.set_cursor(0)
    assert "?" in panel.rows["x"].grad.text()
    state.set_mode("reverse")
    state.run_to_end()
    assert "3" in panel.rows["z"].grad.text()


def test_a_new_graph_shows_its_own_inputs_in_the_rows_there_were(qtbot):
    # The rows of the old graph's inputs are reused for the new one's (making rows is slow): each row
    # must name, show and edit its new input, and rows left over must be hidden.
    state, panel = make_panel(qtbot, "a * b + c", {"a": 1.0, "b": 2.0, "c": 3.0})
    panel.show()
    state.set_expression("x * yy", {"x": 4.0, "yy": -0.5})
    assert list(panel.rows) == ["x", "yy"]
    row = panel.rows["yy"]
    assert row.label.toolTip() == "yy" and ">yy<" in row.label.text()
    assert row.spin.value() == -0.5 and row.spin.isVisible()
    assert "∂f/∂yy" in row.grad.text()
    left_over = [r for r in panel._pool if r not in panel.rows.values()]
    assert len(left_over) == 1 and not any(w.isVisible() for w in left_over[0].widgets())
    row.slider.setValue(row.slider.value() + 20)  # the slider edits yy, not the input the row showed before
    qtbot.waitUntil(lambda: state.inputs["yy"] != -0.5, timeout=2000)
    assert state.inputs["x"] == 4.0 and set(state.inputs) == {"x", "yy"}
    state.set_expression("p + q + r + s", {})
    assert list(panel.rows) == ["p", "q", "r", "s"] and all(r.spin.isVisible() for r in panel.rows.values())
    assert ">s<" in panel.rows["s"].label.text()


def test_rows_are_made_ahead_in_idle_turns_and_a_new_graph_uses_them(qtbot):
    state, panel = make_panel(qtbot, "a * b", {"a": 1.0, "b": 2.0})
    panel.show()
    qtbot.waitUntil(lambda: len(panel._pool) >= 2 + SPARE_ROWS, timeout=5000)
    spare = panel._pool[2:]
    assert not any(w.isVisible() for row in spare for w in row.widgets())
    names = [f"w{i}" for i in range(10)]
    state.set_expression(" + ".join(names), {})
    assert list(panel.rows) == names and [panel.rows[n] for n in names[2:]] == spare[:8]
    assert all(panel.rows[n].spin.isVisible() and f">{n}<" in panel.rows[n].label.text() for n in names)


def test_an_expression_without_inputs_says_so(qtbot):
    _state, panel = make_panel(qtbot, "2 * 3", {})
    panel.show()
    assert panel.rows == {} and panel._none.isVisible() and not panel._note.isVisible()
