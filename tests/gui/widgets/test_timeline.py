"""The player's timeline: a slider over the steps of the phase; dragging it moves the cursor."""

from __future__ import annotations

from graphviz_app.debugger.state import AppState
from graphviz_app.widgets.player import LAB_SPEEDS, Player


def test_dragging_the_timeline_moves_to_any_step_and_pauses(qtbot):
    state = AppState()
    state.load_example("sigmoid_neuron")
    player = Player(state)
    qtbot.addWidget(player)
    timeline = player.scrubber
    assert (timeline.minimum(), timeline.maximum(), timeline.value()) == (0, len(state.trace), 0)
    player.play()
    timeline.setValue(11)  # what a drag does, position by position
    assert state.cursor == 11 and not player.playing
    assert player.counter.text() == "backward 3/8"  # 8 forward steps, then 3 of the backward pass
    timeline.setValue(3)
    assert state.cursor == 3


def test_the_timeline_follows_the_cursor_and_the_phase(qtbot):
    state = AppState()
    state.load_example("sigmoid_neuron")
    player = Player(state)
    qtbot.addWidget(player)
    state.step_forward()
    state.step_forward()
    assert player.scrubber.value() == 2
    state.set_phase("backward")
    assert (player.scrubber.minimum(), player.scrubber.maximum()) == (state.first_step, state.last_step)
    assert player.scrubber.value() == state.cursor
    state.load_example("circuit")  # a new graph: a new range
    assert player.scrubber.maximum() == state.last_step


def test_the_lab_has_a_timeline_too(qtbot):
    from graphviz_app.lab.lab_state import LabState

    lab = LabState(steps=400)
    player = Player(lab, phases=False, speeds=LAB_SPEEDS)
    qtbot.addWidget(player)
    assert player.scrubber.maximum() == lab.last_step
    player.scrubber.setValue(250)
    assert lab.cursor == 250 and player.counter.text() == "step 250 / 400"
    player.scrubber.setValue(100)  # back as well as forward
    assert lab.cursor == 100
