"""The player: buttons and window-wide keys move the cursor; text fields keep their own keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from graphviz_app.debugger.state import AppState
from graphviz_app.widgets.player import Player


@pytest.fixture
def window(shown_window):
    state = AppState()
    state.load_example("sigmoid_neuron")  # 8 gates: 16 steps
    return shown_window(state)


def test_keys_step_reset_and_run_to_end(qtbot, window):
    state = window.state
    window.inspector.setFocus()
    for _ in range(3):
        qtbot.keyClick(window.inspector, Qt.Key.Key_Right)
    assert state.cursor == 3 and window.player.counter.text() == "forward 3/8"
    qtbot.keyClick(window.inspector, Qt.Key.Key_Left)
    assert state.cursor == 2
    qtbot.keyClick(window.inspector, Qt.Key.Key_End)
    assert state.cursor == 16 and window.player.counter.text() == "backward 8/8"
    qtbot.keyClick(window.inspector, Qt.Key.Key_Home)
    assert state.cursor == 0


def test_typing_in_the_expression_bar_keeps_space_and_arrows(qtbot, window):
    line = window.expression_bar.line
    line.setFocus()
    line.clear()
    qtbot.keyClicks(line, "a + b")
    qtbot.keyClick(line, Qt.Key.Key_Left)
    qtbot.keyClick(line, Qt.Key.Key_Home)
    qtbot.keyClick(line, Qt.Key.Key_F)
    assert line.text() == "fa + b"
    assert window.state.cursor == 0
    assert not window.player.playing


def test_space_plays_and_playing_reaches_the_end_then_stops(qtbot, window):
    window.player.speed.setValue(window.player.speed.maximum())
    window.inspector.setFocus()
    qtbot.keyClick(window.inspector, Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(lambda: not window.player.playing, timeout=3000)
    assert window.state.cursor == window.state.step_count
    qtbot.keyClick(window.inspector, Qt.Key.Key_Space)  # at the end, play starts over
    assert window.player.playing and window.state.cursor <= 1
    qtbot.keyClick(window.inspector, Qt.Key.Key_Space)
    assert not window.player.playing


def test_phase_buttons_clamp_the_cursor(qtbot):
    state = AppState()
    player = Player(state)
    qtbot.addWidget(player)
    n = state.forward_count
    player.phase_buttons["backward"].click()
    assert state.phase == "backward" and state.cursor == n
    assert player.counter.text() == f"backward 0/{n}"
    player.act_end.trigger()
    assert state.cursor == state.step_count
    player.phase_buttons["forward"].click()
    assert state.cursor == n and player.counter.text() == f"forward {n}/{n}"
    assert not player.act_forward.isEnabled()


def test_new_graph_stops_playing(qtbot):
    state = AppState()
    player = Player(state)
    qtbot.addWidget(player)
    player.play()
    state.set_expression("a * b")
    assert not player.playing


def test_speed_slider_sets_the_interval(qtbot):
    player = Player(AppState())
    qtbot.addWidget(player)
    player.speed.setValue(20)  # 10 steps per second
    assert player.timer.interval() == 100
    assert player.speed_label.text() == "10/s"


def test_the_lab_plays_many_steps_per_tick_with_the_same_player(qtbot):
    from graphviz_app.lab.lab_state import LabState
    from graphviz_app.widgets.player import LAB_SPEEDS

    lab = LabState(steps=400)
    player = Player(lab, phases=False, speeds=LAB_SPEEDS)
    qtbot.addWidget(player)
    assert not player.phase_buttons and player.counter.text() == "step 0 / 400"
    player.speed.setValue(player.speed.maximum())  # 1000 steps per second
    assert player.speed_label.text() == "1000/s" and player.timer.interval() == 30
    player.play()
    player._tick()  # the first tick shows a step at once
    assert lab.cursor == 1
    player._tick()  # then each tick moves the 30 steps that came due, not one
    assert lab.cursor == 31 and player.counter.text() == "step 31 / 400"
    player.act_end.trigger()
    assert lab.cursor == 400 and not player.playing and not player.act_forward.isEnabled()
    player.act_back.trigger()
    assert lab.cursor == 399
    player.speed.setValue(player.speed.minimum())  # 1 step per second: one step per tick
    assert player.timer.interval() == 1000 and player.speed_label.text() == "1/s"
