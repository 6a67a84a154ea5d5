"""A session keeps every tab: change each, save, open in a fresh window, everything is back; old
(version 1) files still open; a tab's value that cannot be used is a message, never a refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from graphviz_app import session
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow

VERSION_1 = Path(__file__).parent.parent / "fixtures" / "sessions" / "version1.json"


def window(qtbot) -> MainWindow:
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    return win


def change_every_tab(win: MainWindow) -> None:
    win.state.set_expression("x*y + x", {"x": 1.5, "y": -2.0})
    lab = win.open_tab("lab").lab
    lab.set_surface("saddle")
    lab.set_start(0.75, -0.5)
    lab.set_enabled("adagrad", False)
    lab.set_hyperparameter("adam", "lr", 0.02)
    lab.set_decay("sgd", "exponential")
    lab.set_decay_parameters("sgd", exp_gamma=0.97)
    lab.set_rate_race("momentum", (0.01, 0.001))
    lab.set_cursor(42)
    activations = win.open_tab("activations").state
    activations.set_shown("elu", True)
    activations.set_parameter("elu", 0.4)
    activations.set_x_range(-3.0, 7.0)
    activations.set_chain(activation="relu", layers=4, weight=2.0)
    network = win.open_tab("networks").state
    network.set_dataset("circle")
    network.set_model(hidden_layers=2, width=4, activation="relu")
    network.set_learning_rate(0.05)
    network.race_steps = 700
    network.step(25)


def test_every_tab_comes_back_in_a_fresh_window(qtbot, tmp_path) -> None:
    win = window(qtbot)
    change_every_tab(win)
    assert win.has_unsaved_changes()
    path = tmp_path / "all.json"
    assert win.save_session_file(path)
    assert not win.has_unsaved_changes()
    saved = json.loads(path.read_text())
    assert saved["version"] == 2 and {"lab", "activations", "networks"} <= set(saved)

    other = window(qtbot)
    assert other.open_session_file(path)
    for name in ("lab", "activations", "networks"):
        page = other.tab_page(name)
        mine, theirs = (getattr(p, "lab", None) or p.state for p in (win.tab_page(name), page))
        assert theirs.to_dict() == mine.to_dict(), name
    network = other.tab_page("networks").state
    assert network.trainer.steps == 25
    assert np.array_equal(network.trainer.weights, win.tab_page("networks").state.trainer.weights)
    assert other.tab_page("lab").lab.cursor == 42
    assert other.state.expression == "x*y + x" and other.state.inputs == {"x": 1.5, "y": -2.0}
    assert other.current_tab() == "networks"
    assert not other.has_unsaved_changes()


def test_changing_any_tab_is_unsaved_work(qtbot, tmp_path) -> None:
    win = window(qtbot)
    path = tmp_path / "s.json"
    lab = win.open_tab("lab").lab
    win.open_tab("activations")
    assert not win.has_unsaved_changes()  # a tab that was only looked at holds no work
    assert win.save_session_file(path)
    lab.set_cursor(10)
    assert not win.has_unsaved_changes()  # the step is where one looks, like the debugger's
    lab.set_hyperparameter("sgd", "lr", 0.004)
    assert win.has_unsaved_changes()
    assert win.save_session_file(path)
    win.tab_page("activations").state.set_threshold(0.2)
    assert win.has_unsaved_changes()
    assert win.save_session_file(path)
    network = win.open_tab("networks").state
    assert not win.has_unsaved_changes()
    network.set_model(width=3)
    assert win.has_unsaved_changes()


def test_a_version_1_file_still_opens(qtbot, tmp_path) -> None:
    path = tmp_path / "old.json"
    shutil.copy(VERSION_1, path)
    win = window(qtbot)
    assert win.open_session_file(path)
    assert win.state.expression == "(x + y) * z" and win.state.inputs == {"x": -2.0, "y": 5.0, "z": -4.0}
    network = win.tab_page("networks").state
    assert network.dataset_name == "custom" and network.points == [(-0.5, -0.25, 0), (0.5, 0.75, 1), (1.0, -1.0, 1)]
    assert win.current_tab() == "networks"
    assert win.quiz_panel.current_settings().tolerance == 0.05
    assert not win.has_unsaved_changes()
    assert not [box for box in win._dialogs if box.isVisible()]  # nothing to say about an old file


def test_unusable_tab_values_open_with_defaults_and_say_which(qtbot, tmp_path) -> None:
    data = json.loads(VERSION_1.read_text())
    data.update(
        version=2,
        lab={"surface": "moon", "steps": 200},
        activations="all of them",
        networks={**data["networks"], "model": {"width": 12}},
    )
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))
    win = window(qtbot)
    assert win.open_session_file(path)
    assert win.tab_page("lab").lab.steps == 200 and win.tab_page("lab").lab.surface_key == "rosenbrock"
    assert win.tab_page("networks").state.width == 2 and len(win.tab_page("networks").state.points) == 3
    (box,) = [box for box in win._dialogs if box.isVisible()]
    text = box.text()
    assert "lab: surface" in text and "moon" in text and '"activations" must be an object' in text
    assert "model: width" in text and "12" in text


def test_a_session_saved_without_the_extra_tabs_keeps_only_the_debugger(tmp_path) -> None:
    path = tmp_path / "plain.json"
    session.save_session(AppState(), path)
    assert not {"lab", "activations", "networks"} & set(json.loads(path.read_text()))


def test_the_opened_tabs_controls_show_the_restored_values(qtbot, tmp_path) -> None:
    win = window(qtbot)
    change_every_tab(win)
    win.tab_page("lab").lab.set_steps(250)
    win.tab_page("networks").state.set_train_steps(321)
    path = tmp_path / "all.json"
    assert win.save_session_file(path)
    other = window(qtbot)
    assert other.open_session_file(path)
    lab = other.open_tab("lab")
    lab.finish_building()
    assert lab.steps.value() == 250
    assert lab.surface_choice.currentData() == "saddle"
    assert not lab.optimizer_list.rows["adagrad"].check.isChecked()
    assert lab.optimizer_list.rows["sgd"].decay.currentData() == "exponential"
    curves = other.open_tab("activations")
    qtbot.waitUntil(curves.ready)
    assert (curves.curves_view.range_low.value(), curves.curves_view.range_high.value()) == (-3.0, 7.0)
    assert curves.curves_view.parameter_sliders["elu"].value() == pytest.approx(0.4, rel=1e-2)
    assert curves.chain_view.chain_activation.currentData() == "relu"
    assert curves.state.parameters["elu"] == 0.4  # the slider's own steps did not round it
    networks = other.open_tab("networks")
    assert networks.width_box.value() == 4 and networks.train_steps_box.value() == 321
    assert networks.lr_slider.value() == pytest.approx(0.05, rel=1e-2)
    assert networks.state.lr == 0.05
    assert networks.race_panel.steps_box.value() == 700


def test_with_the_windows_thread_runner_the_network_is_trained_back_off_the_gui_thread(qtbot, tmp_path) -> None:
    from graphviz_app.widgets.background import ThreadRunner

    win = window(qtbot)
    change_every_tab(win)
    path = tmp_path / "all.json"
    assert win.save_session_file(path)
    runner = ThreadRunner()
    other = MainWindow(AppState(runner=runner), extra_tabs=True)
    qtbot.addWidget(other)
    other.show()
    other.open_session_file(path)
    qtbot.waitUntil(lambda: other.state.expression == "x*y + x", timeout=10000)
    network = other.tab_page("networks").state
    assert not other.has_unsaved_changes()  # while the run is trained back, it is the saved one
    qtbot.waitUntil(
        lambda: network.trainer is not None and network.trainer.steps == 25 and not network.busy(), timeout=20000
    )
    assert np.array_equal(network.trainer.weights, win.tab_page("networks").state.trainer.weights)
    assert other.tab_page("lab").lab.cursor == 42
    assert not other.has_unsaved_changes()
    runner.wait()
