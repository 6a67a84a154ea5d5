"""The inspector writes each step's chain rule with the trace's numbers; bad numbers never crash it."""

from __future__ import annotations

import pytest

from graphviz_app.debugger.inspector import Inspector, node_names
from graphviz_app.debugger.state import AppState
from graphviz_app.theme import fmt, fmt_factor


def test_number_formatting():
    assert fmt(-4.0) == "-4" and fmt(0.19661193324148188) == "0.1966" and fmt(-0.0) == "0"
    assert (
        fmt(float("nan")) == "nan"
        and fmt(float("inf")) == "∞"
        and fmt(1.5e-9) == "1.5·10⁻⁹"
        and fmt(1.235e8) == "1.235·10⁸"
    )
    assert fmt_factor(-4.0) == "(-4)" and fmt_factor(2.0) == "2"


def test_node_names_follow_the_program_and_number_the_rest():
    state = AppState("1 / (1 + exp(-(a*b)))")
    names = node_names(state.graph)
    assert names[state.graph.output] == "f"
    assert sorted(n for n in names.values() if n.startswith("g")) == ["g1", "g2", "g3", "g4"]


def test_sigmoid_neuron_forward_and_backward_text(qtbot):
    state = AppState()
    state.load_example("sigmoid_neuron")
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(5)  # the *-1 gate
    assert "= -1 · 1 = -1" in inspector.toPlainText()
    state.set_cursor(8)  # 1/x, the output
    assert "f = 1 / g7 = 1 / 1.368 = 0.7311" in inspector.toPlainText()
    state.set_cursor(9)  # backward starts at the output
    assert "∂f/∂f = 1" in inspector.toPlainText()
    assert "= 1 · (-0.5344) = -0.5344" in inspector.toPlainText()
    assert "-0.53444" in inspector.toolTip()  # full precision in the tooltip
    state.set_cursor(0)
    assert "Nothing computed yet" in inspector.toPlainText()


@pytest.mark.parametrize(
    "expression, inputs", [("log(x) * y", {"x": -1, "y": 2}), ("1 / x", {"x": 0}), ("exp(x) * 0", {"x": 1000})]
)
def test_non_finite_values_are_flagged_not_crashing(qtbot, expression, inputs):
    state = AppState(expression, inputs)
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    for k in range(state.step_count + 1):
        state.set_cursor(k)
        inspector.toPlainText()
    state.run_to_end()
    assert "Backward pass complete" in inspector.toPlainText()


def test_backward_phase_starts_on_the_finished_forward_pass_not_its_last_step(qtbot):
    # Regression: "backward 0/2" showed "Forward at gate *" (the last forward step) in the inspector.
    state = AppState()
    state.load_example("circuit")
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_phase("backward")
    assert state.counter_text() == "backward 0/2"
    text = inspector.toPlainText()
    assert "Forward pass done: f = -12" in text and "Forward at gate" not in text
    state.set_phase("both")  # the same cursor in "both" is the forward pass's last step
    assert "Forward at gate" in inspector.toPlainText()


@pytest.mark.parametrize(
    ("expression", "inputs", "says"),
    [("log(x) * y", {"x": -1.0, "y": 2.0}, "not a number"), ("1 / x", {"x": 0.0}, "division by zero")],
)
def test_a_non_finite_value_is_explained(qtbot, expression, inputs, says):
    # Regression: the inspector only said "the value is not finite", not what nan or ∞ means here.
    state = AppState(expression, inputs)
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(1)
    assert says in inspector.toPlainText()
    state.run_to_end()  # the backward pass through it neither crashes nor hides it
    assert "Backward pass complete" in inspector.toPlainText()


def test_at_a_fan_out_the_inspector_adds_the_contribution_to_the_old_total(qtbot):
    # x feeds both gates of x*y + x: the + gate gives it 1, then the * gate adds y = 2, so 1 + 2 = 3.
    state = AppState("x*y + x", {"x": 3.0, "y": 2.0})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(state.forward_count + 2)  # the second backward step: the * gate
    text = inspector.toPlainText()
    assert "fan-out, gradients add up: ∂f/∂x += 2" in text
    assert "1 + 2 = 3" in text


def test_a_gradient_lost_to_underflow_is_said_at_its_step(qtbot):
    state = AppState("(-1e300)/a", {"a": 1e200})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    texts = []
    for cursor in range(state.step_count + 1):
        state.set_cursor(cursor)
        texts.append(inspector.toPlainText())
    flagged = [t for t in texts if "underflow" in t]
    assert len(flagged) == 1 and "∂(1/x)/∂x = −1/x² = -1e-400" in flagged[0]


def test_only_the_gate_where_a_nan_began_is_called_undefined(qtbot):
    state = AppState("log(x) * y + 2", {"x": -1.0, "y": 3.0})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    texts = {}
    for cursor in range(1, state.forward_count + 1):
        state.set_cursor(cursor)
        step = state.state().step
        texts[state.graph.nodes[step.node].op] = inspector.toPlainText()
    assert "undefined for its input" in texts["log"]
    for op in ("mul", "add_const"):
        assert "undefined for its input" not in texts[op], op
        assert "came in from" in texts[op] and "computed correctly" in texts[op]


def test_the_output_gates_backward_line_is_not_circular(qtbot):
    state = AppState("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(state.forward_count + 1)  # the first backward step: the output gate
    text = inspector.toPlainText()
    assert "∂f/∂f ·" not in text
    assert "∂f/∂g1 = 1 · ∂f/∂g1" not in text  # nor in terms of itself with the start written as 1
    assert "∂f/∂z = 1 · ∂(g1 · z)/∂z" in text.replace("\xa0", " ")
    assert "= 1 · 3 = 3" in text.replace("\xa0", " ")


def test_the_local_derivative_says_which_numbers_its_letters_stand_for(qtbot):
    state = AppState("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    state.set_cursor(state.forward_count + 1)  # the output gate's backward step: every value is known
    assert "with a = g1 = 3, b = z = -4" in inspector.toPlainText().replace("\xa0", " ")


def test_the_inspector_at_a_wrong_program_gate_states_both_numbers_and_what_they_mean(qtbot):
    import math

    import core
    from graphviz_app.numbers import number

    text = "mysig(a) = 1 / (1 + exp(-a))\nd mysig / d a = out * out\nf = mysig(w*x + b)"
    state = AppState(text, {"w": 2.0, "x": -1.0, "b": 0.5})
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    mysig = next(n.id for n in state.graph.nodes if n.fold is not None and n.fold.name == "mysig")
    backward = next(s for s in state.trace.steps if isinstance(s, core.BackwardStep) and s.node == mysig)
    state.set_cursor(backward.index + 1)
    s = 1 / (1 + math.exp(1.5))
    shown = inspector.toPlainText()
    assert f"your derivative: {number(s * s)}; finite differences: {number(s * (1 - s))}" in shown
    assert "trusts your formula" in shown
    state.set_cursor(1)  # the w*x gate: nothing wrong there
    assert "finite differences:" not in inspector.toPlainText()
    state.set_expression(text.replace("out * out", "out * (1 - out)"))  # the right derivative: no note
    state.set_cursor(backward.index + 1)
    assert "finite differences:" not in inspector.toPlainText()


def test_enter_writes_the_inspector_once_and_still_follows_every_change(qtbot, monkeypatch):
    state = AppState("(x+y)*z")
    inspector = Inspector(state)
    qtbot.addWidget(inspector)
    made = []
    original = inspector.refresh

    def counting(*args: object) -> None:
        made.append(state.expression)
        original(*args)

    monkeypatch.setattr(inspector, "refresh", counting)
    assert state.set_expression("(x+y)*z + x*x")  # graph, cursor and values change: one refresh
    assert made == ["(x+y)*z + x*x"]
    assert "x" in inspector.toPlainText()
    state.set_inputs({"x": 3.0})  # new values: the text follows them
    assert len(made) == 2
    state.set_cursor(state.step_count)
    assert len(made) == 3 and "∂f/∂" in inspector.toPlainText()
