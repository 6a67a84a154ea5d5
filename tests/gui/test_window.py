"""The debugger window, driven like a learner would: type, press Enter, step, edit inputs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow

CIRCUIT = {"x": -2.0, "y": 5.0, "z": -4.0}
NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


@pytest.fixture
def window(shown_window):
    state = AppState()
    state.load_example("circuit")
    return shown_window(state)


def type_expression(qtbot, win, text):
    line = win.expression_bar.line
    line.clear()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_opens_on_the_circuit_example(window):
    assert window.state.inputs == CIRCUIT
    assert window.state.result.value == -12
    assert "q = x + y" in window.windowTitle()
    assert window.tabs.tabText(0) == "Graph"


def test_typing_an_expression_and_enter_builds_the_graph(qtbot, window):
    type_expression(qtbot, window, "a * b + exp(c)")
    graph = window.state.graph
    assert len(graph.nodes) == 6  # a, b, *, c, exp, +
    assert len(window.view.node_items()) == 6
    assert window.state.expression == "a * b + exp(c)"
    assert "a * b + exp(c)" in window.windowTitle()
    assert not window.expression_bar.error.isVisible()
    assert set(window.inputs_panel.rows) == {"a", "b", "c"}


def test_invalid_expression_shows_error_with_caret_and_keeps_old_graph(qtbot, window):
    old = window.state.graph
    type_expression(qtbot, window, "(x + * y")
    assert window.state.graph is old
    error = window.expression_bar.error
    assert error.isVisible()
    assert "syntax" in error.text()
    assert "    ^" in error.text()  # caret under column 5
    assert len(window.view.node_items()) == len(old.nodes)
    type_expression(qtbot, window, "x * y")  # a good expression clears the message
    assert not error.isVisible()


def test_a_long_error_never_widens_the_window(qtbot, window):
    window.resize(1200, 800)
    qtbot.wait(10)
    type_expression(qtbot, window, "(x + y) * z + exp(x) * (y - z) * sigmoid(x*y*z + 1) - tanh(x - y) + foo(z)")
    qtbot.wait(10)
    assert window.width() <= 1200
    error = window.expression_bar.error.text()
    assert "unknown function" in error and "column 69" in error
    assert "…" in error  # only the part of the line around the caret is shown


def test_stepping_forward_shows_values_in_state_and_inspector(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.state.cursor == 1
    assert window.state.state().values[2] == 3.0
    assert "q = x + y = -2 + 5 = 3" in window.inspector.toPlainText()
    assert window.view.edge_labels()[(2, 4)][0] == "3"
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.state.state().values[4] == -12.0
    assert "f = q · z = 3 · (-4) = -12" in window.inspector.toPlainText()
    assert window.player.counter.text() == "forward 2/2"


def test_backward_pass_gives_the_lectures_gradients_on_the_circuit(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.state.cursor == window.state.step_count
    grads = window.state.state().grads
    assert [grads[i] for i in (0, 1, 3, 2)] == [-4.0, -4.0, 3.0, -4.0]
    rows = window.inputs_panel.rows
    assert "-4" in rows["x"].grad.text() and "-4" in rows["y"].grad.text() and "3" in rows["z"].grad.text()
    assert "✓" in rows["x"].check.text()
    # the step at the + gate: ∂f/∂x = ∂f/∂q · ∂q/∂x = (-4) · 1 = -4
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    text = window.inspector.toPlainText()
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x" in text and "= (-4) · 1 = -4" in text


def test_backward_pass_gives_the_lectures_gradients_on_the_sigmoid_neuron(qtbot, window):
    window.state.load_example("sigmoid_neuron")
    window.state.run_to_end()
    expected = {"w0": "-0.1966", "x0": "0.3932", "w1": "-0.3932", "x1": "-0.5898", "w2": "0.1966"}
    grads = window.state.result.grad
    for name, text in expected.items():
        assert round(grads[name], 2) == round(float(text), 2)
        assert text in window.inputs_panel.rows[name].grad.text()
    assert round(window.state.result.value, 2) == 0.73
    assert "Backward pass complete" in window.inspector.toPlainText()


def test_fan_out_shows_the_accumulation(qtbot, window):
    type_expression(qtbot, window, "x * x + x")
    window.state.run_to_end()
    texts = []
    for k in range(window.state.forward_count + 1, window.state.step_count + 1):
        window.state.set_cursor(k)
        texts.append(window.inspector.toPlainText())
    assert any("fan-out" in t and "+=" in t for t in texts)


def test_editing_an_input_updates_values_and_gradients_and_keeps_the_cursor(qtbot, window):
    window.state.run_to_end()
    cursor = window.state.cursor
    spin = window.inputs_panel.rows["z"].spin
    spin.setValue(2.0)
    qtbot.waitUntil(lambda: window.state.inputs["z"] == 2.0, timeout=5000)
    assert window.state.cursor == cursor
    assert window.state.result.value == 6.0
    assert "∂f/∂x = <b" in window.inputs_panel.rows["x"].grad.text()
    assert ">2<" in window.inputs_panel.rows["x"].grad.text()  # ∂f/∂x = z = 2
    assert window.view.edge_labels()[(4, None)][0] == "6"


def test_slider_drags_are_coalesced_into_one_evaluation(qtbot, window):
    calls = []
    window.state.sig_values_changed.connect(lambda: calls.append(1))
    slider = window.inputs_panel.rows["x"].slider
    for position in range(10, 60, 5):
        slider.setValue(position)
    qtbot.waitUntil(lambda: len(calls) >= 1, timeout=5000)
    qtbot.wait(20)
    assert len(calls) == 1
    assert window.state.inputs["x"] == window.inputs_panel.rows["x"].spin.value()


def test_examples_combo_loads_an_example(qtbot, window):
    combo = window.expression_bar.examples
    index = combo.findData("02_sigmoid_neuron")
    combo.activated.emit(index)
    assert window.state.inputs == NEURON
    assert combo.currentIndex() == 0


def test_multiline_mode_builds_with_ctrl_enter(qtbot, window):
    bar = window.expression_bar
    bar.expand.setChecked(True)
    assert bar.editor.isVisible() and not bar.line.isVisible()
    bar.editor.setPlainText("a = u * v\nb = a + u")
    bar.editor.setFocus()
    qtbot.keyClick(bar.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.state.expression == "a = u * v\nb = a + u"
    bar.expand.setChecked(False)
    assert bar.line.text() == "a = u * v; b = a + u"


def test_show_debugger_switches_to_the_graph_tab(qtbot, window):
    from PySide6.QtWidgets import QLabel

    window.add_tab(QLabel("other"), "Other")
    window.tabs.setCurrentIndex(1)
    window.state.show_in_debugger("a + b", {"a": 1, "b": 2})
    assert window.tabs.currentIndex() == 0


def test_dark_theme_switches_the_view_and_the_actions(qtbot, window):
    window.act_dark.trigger()
    assert window.state.dark and window.act_dark.isChecked()
    window.act_light.trigger()
    assert not window.state.dark and window.act_light.isChecked()
    window.act_dark.trigger()
    window.act_dark.trigger()  # Ctrl+D again: back to light
    assert not window.state.dark and window.act_light.isChecked()


def test_session_round_trip_through_the_window(qtbot, window, tmp_path):
    window.state.set_input("x", 1.5)
    window.state.set_cursor(3)
    path = tmp_path / "s.json"
    assert window.save_session_file(path)
    window.state.load_example("sigmoid_neuron")
    assert window.open_session_file(path)
    assert window.state.inputs["x"] == 1.5 and window.state.cursor == 3


def test_broken_session_shows_a_message_and_changes_nothing(qtbot, window, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something else"}')
    before = (window.state.expression, dict(window.state.inputs), window.state.cursor)
    assert not window.open_session_file(path)
    assert "not a graphviz_app session" in window.statusBar().currentMessage()
    assert (window.state.expression, window.state.inputs, window.state.cursor) == before
    for box in list(window._dialogs):
        box.close()


def test_export_png_and_svg_from_the_window(qtbot, window, tmp_path):
    for suffix in ("png", "svg"):
        path = tmp_path / f"g.{suffix}"
        assert window.export_file(path)
        assert path.stat().st_size > 0


def test_multiline_error_points_at_its_line(qtbot, window):
    bar = window.expression_bar
    bar.expand.setChecked(True)
    bar.editor.setPlainText("a = u * v\nb = a +")
    bar.build()
    assert bar.error.isVisible()
    assert "line 2" in bar.error.text() and "b = a +" in bar.error.text()
    assert window.state.expression == "q = x + y\nf = q * z"  # the old graph stays


def test_arrow_keys_in_a_spin_box_edit_the_number_not_the_cursor(qtbot, window):
    spin = window.inputs_panel.rows["x"].spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Right)
    qtbot.keyClick(spin, Qt.Key.Key_Left)
    assert window.state.cursor == 0


def test_finite_difference_check_follows_edits(qtbot, window):
    check = window.inputs_panel.rows["x"].check
    window.inputs_panel.rows["z"].spin.setValue(7.0)
    qtbot.waitUntil(lambda: "engine: 7.0" in check.toolTip(), timeout=2000)  # ∂f/∂x = z
    assert "✓" in check.text()


def test_other_tabs_are_built_when_first_shown_and_hide_the_docks(qtbot):
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    titles = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert titles[0] == "Graph" and len(titles) >= 2
    win.tabs.setCurrentIndex(1)
    page = win.tabs.widget(1)
    assert page.page is None and page._loading.isVisible()  # a click paints "Loading …" first
    qtbot.waitUntil(page.ready, timeout=10000)
    assert "could not be loaded" not in getattr(page.page, "text", lambda: "")()
    assert not win.inspector_dock.isVisible() and not win.inputs_dock.isVisible()
    win.state.show_in_debugger("a * b", {"a": 2, "b": 3})
    assert win.tabs.currentIndex() == 0
    assert win.inspector_dock.isVisible() and win.inputs_dock.isVisible()


def test_help_dialogs_are_not_modal(qtbot, window):
    window.show_shortcuts()
    box = window._dialogs[-1]
    assert box.isVisible() and not box.isModal()
    assert "play / pause" in box.text()
    box.close()


def test_a_graph_too_large_to_draw_is_refused_with_a_message(qtbot, window):
    old = window.state.graph
    window.expression_bar.line.setText("+".join(f"x{i}" for i in range(2600)))  # 5,199 nodes; typing takes seconds
    qtbot.keyClick(window.expression_bar.line, Qt.Key.Key_Return)
    assert window.state.graph is old
    assert "5,199 nodes" in window.expression_bar.error.text()
    assert "at most 5,000" in window.expression_bar.error.text()


def test_after_enter_the_arrow_keys_step_the_new_graph(qtbot, window):
    # Regression: after Enter the focus stayed in the line, so → moved the text cursor instead of stepping.
    window.expression_bar.line.setFocus()
    type_expression(qtbot, window, "a * b")
    assert window.view.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert window.state.cursor == 1
    window.expression_bar.line.setFocus()
    type_expression(qtbot, window, "a * ")  # a mistake: keep typing where the error is
    assert window.expression_bar.line.hasFocus()


def test_quit_has_its_shortcut_without_a_desktop(window):
    quit_action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Quit")
    assert quit_action.shortcut().toString() == "Ctrl+Q"


def test_presentation_mode_hides_the_docks_and_brings_them_back(qtbot, window):
    window.act_present.trigger()  # F11
    assert window.isFullScreen()
    assert not window.inputs_dock.isVisible() and not window.inspector_dock.isVisible()
    window.tabs.setCurrentIndex(0)  # coming back to the Graph tab keeps them hidden while presenting
    assert not window.inspector_dock.isVisible()
    window.act_present.trigger()
    assert not window.isFullScreen()
    assert window.inputs_dock.isVisible() and window.inspector_dock.isVisible()


def test_up_and_down_recall_earlier_expressions(qtbot, window):
    for text in ("x * y", "exp(x) + y"):
        type_expression(qtbot, window, text)
    line = window.expression_bar.line
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_Up)
    assert line.text() == "exp(x) + y"
    qtbot.keyClick(line, Qt.Key.Key_Up)
    assert line.text() == "x * y"
    qtbot.keyClick(line, Qt.Key.Key_Up)
    assert line.text() == "q = x + y; f = q * z"  # the example the window opened on
    qtbot.keyClick(line, Qt.Key.Key_Down)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert window.state.expression == "x * y"


def test_tabs_are_opened_by_name_whatever_their_order(qtbot, monkeypatch):
    from graphviz_app import main_window
    from graphviz_app.networks.tab import NetworksTab

    # A wheel without the lab: the other tabs move one place left, their names do not.
    monkeypatch.setattr(main_window, "EXTRA_TABS", [t for t in main_window.EXTRA_TABS if t[0] != "lab"])
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    page = win.open_tab("networks")
    assert isinstance(page, NetworksTab) and win.current_tab() == "networks"
    assert win.tabs.tabText(win.tabs.currentIndex()) == "Tiny networks"
    with pytest.raises(main_window.UnknownTab, match="not available"):
        win.open_tab("lab")
    with pytest.raises(main_window.UnknownTab, match="valid: debugger, lab, activations, networks"):
        win.open_tab("graphs")
    assert win.current_tab() == "networks"  # a refused name leaves the tab in front alone


def test_about_shows_the_version(qtbot, window):
    import graphviz_app

    box = window.show_about()
    assert box.isVisible() and not box.isModal()
    assert f"graphviz-app {graphviz_app.__version__}" in box.text()
    box.close()


def test_a_session_remembers_its_tab_by_name(qtbot, tmp_path):
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    win.open_tab("activations")
    path = tmp_path / "s.json"
    assert win.save_session_file(path)
    win.open_tab("debugger")
    assert win.open_session_file(path)
    assert win.current_tab() == "activations"


def test_a_session_is_parsed_off_the_gui_thread(qtbot, tmp_path):
    import threading

    from graphviz_app import session
    from graphviz_app.widgets.background import ThreadRunner

    runner = ThreadRunner()
    win = MainWindow(AppState(runner=runner))
    qtbot.addWidget(win)
    path = tmp_path / "s.json"
    path.write_text('{"format": "graphviz_app.session", "version": 1, "expression": "a * b", "inputs": {"a": 2}}')
    threads = []
    parse = session.parse_session

    def spy(text):
        threads.append(threading.current_thread())
        return parse(text)

    session.parse_session = spy
    try:
        assert win.open_session_file(path)  # started; the result comes later
        qtbot.waitUntil(lambda: win.state.expression == "a * b", timeout=5000)
    finally:
        session.parse_session = parse
    assert threads and threads[0] is not threading.main_thread()
    assert win.state.inputs == {"a": 2.0, "b": 1.0}


def test_a_message_quoting_a_session_file_is_plain_text(qtbot, window, tmp_path):
    # Regression: a "phase" of "<h1>Session OK</h1>" was rendered as a big heading in the error box.
    path = tmp_path / "html.json"
    path.write_text('{"format": "graphviz_app.session", "version": 1, "expression": "x", "phase": "<h1>OK</h1>"}')
    assert not window.open_session_file(path)
    box = window._dialogs[-1]
    assert box.textFormat() == Qt.TextFormat.PlainText and "<h1>OK</h1>" in box.text()
    box.close()


def test_help_texts_never_reach_the_status_bar_as_html(qtbot, window):
    window.show_shortcuts()
    window.show_about().close()
    assert "<" not in window.statusBar().currentMessage()
    for box in list(window._dialogs):
        box.close()


def test_f1_twice_brings_the_open_box_forward_and_closing_it_gives_the_graph_the_keys(qtbot, window):
    window.show()
    window.show_shortcuts()
    window.show_shortcuts()
    assert [box.windowTitle() for box in window._dialogs] == ["Keyboard shortcuts"]
    assert window.show_about() is window.show_about()
    window.expression_bar.line.setFocus()
    for box in list(window._dialogs):
        box.done(0)
    qtbot.waitUntil(lambda: window.view.hasFocus() or QApplication.focusWidget() is window.view, timeout=2000)
    assert window._dialogs == []


def test_nothing_is_unsaved_after_opening_saving_or_only_stepping(qtbot, window, tmp_path):
    assert not window.has_unsaved_changes()
    window.state.set_cursor(3)  # stepping is not work
    assert not window.has_unsaved_changes()
    window.state.set_input("x", 1.5)
    assert window.has_unsaved_changes()
    path = tmp_path / "s.json"
    assert window.save_session_file(path)
    assert not window.has_unsaved_changes()
    window.state.load_example("sigmoid_neuron")
    assert window.has_unsaved_changes()
    assert window.open_session_file(path)
    assert not window.has_unsaved_changes()


def test_quit_with_unsaved_work_asks_and_cancel_keeps_the_window(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def answer(self, doing):
        asked.append(doing)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(MainWindow, "ask_unsaved", answer)
    window.close()
    assert not asked and not window.isVisible()  # nothing changed: closes without a question
    window.show()
    window.state.set_input("x", 1.5)
    window.close()
    assert asked == ["quitting"] and window.isVisible()
    monkeypatch.setattr(MainWindow, "ask_unsaved", lambda self, doing: QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible()


def test_unbuilt_text_counts_as_unsaved_and_an_example_keeps_it_in_history(qtbot, window):
    bar = window.expression_bar
    bar.line.setText("a * b + c")
    assert window.has_unsaved_changes()
    window.state.load_example("sigmoid_neuron")  # from the Examples menu
    assert "a * b + c" in bar.history
    bar.line.setFocus()
    while bar.line.text() != "a * b + c" and bar._recalled > 0:
        qtbot.keyClick(bar.line, Qt.Key.Key_Up)
    assert bar.line.text() == "a * b + c"


def test_unbuilt_text_in_the_editor_comes_back_with_up(qtbot, window):
    bar = window.expression_bar
    bar.expand.setChecked(True)
    bar.editor.setPlainText("q = u * v\nq + 1")
    combo = bar.examples
    combo.activated.emit(combo.findData("02_sigmoid_neuron"))
    assert bar.editor.toPlainText() != "q = u * v\nq + 1"
    assert "q = u * v\nq + 1" in bar.history


def test_a_fold_is_unsaved_work(qtbot, window):
    assert not window.has_unsaved_changes()
    graph = window.state.graph
    window.state.fold({graph.gates[0].id}, "q")
    assert window.has_unsaved_changes()
