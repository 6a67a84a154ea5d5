"""Animation export from the optimizer lab (the race, a frame every k steps) and the tiny networks
(a training from its start): frame counts, frames that differ, the tab's own picture untouched, cancel."""

from __future__ import annotations

import itertools

import pytest
from PIL import Image
from PySide6.QtWidgets import QDialog, QFileDialog

from graphviz_app.export import animation_dialog
from graphviz_app.export.animation_dialog import AnimationExport, AnimationSettings
from graphviz_app.export.frame_sources import RaceFrames, TrainingFrames, default_every, frame_steps
from graphviz_app.jobs import InlineRunner
from graphviz_app.lab.lab_state import LabState
from graphviz_app.networks.state import NetworkState
from graphviz_app.theme import Theme


def export(qtbot, source, path, fps=5.0) -> AnimationExport:
    job = AnimationExport(source, str(path), fps, show_progress=False, runner=InlineRunner())
    with qtbot.waitSignal(job.finished, timeout=60000):
        job.start()
    return job


def test_a_long_race_gets_a_sensible_number_of_frames():
    assert frame_steps(10, 4) == [0, 4, 8, 10]  # the last step always has its frame
    assert len(frame_steps(5000, default_every(5000))) == 101
    with pytest.raises(ValueError, match="too many"):
        frame_steps(5000, 1)
    with pytest.raises(ValueError, match="k ≥ 1"):
        frame_steps(10, 0)


def test_the_race_exports_a_frame_every_k_steps_and_the_lab_does_not_move(qtbot, tmp_path, frames_of):
    lab = LabState(steps=300)
    lab.set_cursor(120)
    source = RaceFrames(lab, (480, 360), every=50)
    assert source.total == 7  # 0, 50, …, 300
    path = tmp_path / "race.gif"
    export(qtbot, source, path)
    frames = frames_of(path)
    assert len(frames) == 7
    assert all(a != b for a, b in itertools.pairwise(frames))
    with Image.open(path) as image:
        assert image.size == (480, 360) and image.info["duration"] == 200
    assert lab.cursor == 120  # the tab's cursor stayed where the user left it


def test_a_race_still_being_computed_cannot_be_exported():
    lab = LabState(steps=100, active=False)  # nothing computed yet
    with pytest.raises(ValueError, match="still being computed"):
        RaceFrames(lab)


def test_a_training_exports_a_frame_every_k_steps_from_its_start(qtbot, tmp_path, frames_of):
    state = NetworkState(Theme(), InlineRunner(), update_s=0.0)
    state.step(7)
    shown = state.snapshot
    source = TrainingFrames(state, (480, 300), steps=60, every=20)
    assert source.total == 4
    path = tmp_path / "training.gif"
    export(qtbot, source, path)
    frames = frames_of(path)
    assert len(frames) == 4
    assert all(a != b for a, b in itertools.pairwise(frames))
    assert state.snapshot is shown and state.trainer.steps == 7  # the tab's run is untouched


def test_cancelling_while_drawing_writes_nothing(qtbot, tmp_path):
    lab = LabState(steps=200)
    path = tmp_path / "cancelled.gif"
    job = AnimationExport(
        RaceFrames(lab, (320, 240), every=2), str(path), 5.0, show_progress=False, runner=InlineRunner()
    )
    job.start()
    qtbot.waitUntil(lambda: len(job.frames) >= 2, timeout=20000)
    job.cancel()
    drawn = len(job.frames)
    qtbot.wait(100)
    assert len(job.frames) == drawn < job.total
    assert not path.exists()


def test_cancelling_the_training_stops_it(qtbot, tmp_path):
    from graphviz_app.widgets.background import ThreadRunner

    state = NetworkState(Theme(), InlineRunner(), update_s=0.0)
    runner = ThreadRunner()
    path = tmp_path / "t.gif"
    job = AnimationExport(
        TrainingFrames(state, (320, 240), steps=20_000, every=40), str(path), 5.0, show_progress=False, runner=runner
    )
    failed = []
    job.failed.connect(failed.append)
    job.start()
    job.cancel()
    qtbot.wait(300)
    assert job.job.cancelled  # the training on the worker stops at its next progress report
    assert job._frames is None and not job.frames and not failed
    assert not path.exists()


@pytest.mark.parametrize(("tab", "source_type", "every"), [("lab", RaceFrames, 25), ("networks", TrainingFrames, 250)])
def test_file_export_animation_acts_on_the_tab_in_front(
    qtbot, tmp_path, monkeypatch, tab, source_type, every, frames_of
):
    from graphviz_app.debugger.state import AppState
    from graphviz_app.main_window import MainWindow

    win = MainWindow(AppState("x*y", {"x": 2.0, "y": 3.0}, runner=InlineRunner()), extra_tabs=True)
    qtbot.addWidget(win)
    page = win.open_tab(tab)
    if tab == "lab":
        page.lab.set_active(True)  # as when the tab is on screen
        page.lab.set_steps(100)
    else:
        page.state.set_train_steps(100)
    path = tmp_path / f"from_{tab}.gif"
    chosen = {}

    def accept(dialog: AnimationSettings) -> QDialog.DialogCode:
        dialog.every.setValue(every)  # 100 steps of the race at k = 25, 1000 … 100 of a training: 5 frames
        if dialog.steps_box is not None:
            dialog.steps_box.setValue(1000)
        chosen["count"] = dialog.count.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AnimationSettings, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "GIF (*.gif)")))
    started = []
    monkeypatch.setattr(win, "watch_animation_export", started.append)
    win.export_animation_dialog()
    (job,) = started
    assert isinstance(job.source, source_type) and chosen["count"].startswith("5 frames")
    qtbot.waitUntil(lambda: path.exists(), timeout=60000)
    assert len(frames_of(path)) == 5
    assert animation_dialog.PREPARE_KEY != animation_dialog.ENCODE_KEY


@pytest.mark.parametrize(("tab", "every", "frames"), [("lab", 150, 5), ("networks", 250, 5)])
def test_headless_export_of_the_race_and_of_a_training(tmp_path, capsys, tab, every, frames, frames_of):
    from graphviz_app import app

    path = tmp_path / f"{tab}.gif"
    args = ["--tab", tab, "--export-animation", str(path), "--every", str(every), "--size", "400x300"]
    assert app.main([*args, "--fps", "5"]) == 0
    assert f"{frames} frames at 5 fps" in capsys.readouterr().out
    shown = frames_of(path)
    assert len(shown) == frames and all(a != b for a, b in itertools.pairwise(shown))


def test_headless_export_refuses_a_tab_without_an_animation(tmp_path, capsys):
    from graphviz_app import app

    assert app.main(["--tab", "activations", "--export-animation", str(tmp_path / "a.gif")]) == 2
    assert "not activations" in capsys.readouterr().err
