"""Animation export: a GIF frame per step plus the first, frames that differ, fps and size honoured."""

from __future__ import annotations

import itertools
import subprocess

import pytest
from PIL import Image

from graphviz_app import app
from graphviz_app.debugger.state import AppState
from graphviz_app.export import animation
from graphviz_app.export.animation_dialog import AnimationExport


def circuit() -> AppState:
    return AppState("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0})


def test_one_frame_per_step_plus_the_first_and_consecutive_frames_differ(qapp, tmp_path, frames_of):
    state = circuit()
    path = tmp_path / "steps.gif"
    seen = []
    count = animation.export_animation(state, path, fps=4, size=(320, 200), progress=lambda i, n: seen.append((i, n)))
    assert count == state.step_count + 1
    frames = frames_of(path)
    assert len(frames) == state.step_count + 1
    assert all(a != b for a, b in itertools.pairwise(frames))
    assert seen[-1] == (count, count)
    with Image.open(path) as image:
        assert image.size == (320, 200)
        assert image.info["duration"] == 250


def test_the_windows_state_is_not_moved_by_an_export(qapp, tmp_path):
    state = circuit()
    state.set_cursor(2)
    animation.export_animation(state, tmp_path / "a.gif", size=(160, 120))
    assert state.cursor == 2


def test_a_bad_suffix_or_fps_is_a_clear_error(qapp, tmp_path):
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        animation.export_animation(circuit(), tmp_path / "a.avi")
    with pytest.raises(ValueError, match="frames per second"):
        animation.encode([b"x"], tmp_path / "a.gif", fps=0)


def test_the_window_export_draws_a_frame_per_tick_and_reports_the_file(qtbot, tmp_path, frames_of):
    state = circuit()
    path = tmp_path / "w.gif"
    export = AnimationExport(state, str(path), 2.0, (320, 200), show_progress=False)
    with qtbot.waitSignal(export.finished, timeout=20000) as done:
        export.start()
    assert done.args == [str(path)]
    assert len(frames_of(path)) == state.step_count + 1


def test_a_cancelled_window_export_writes_nothing(qtbot, tmp_path):
    path = tmp_path / "c.gif"
    export = AnimationExport(circuit(), str(path), 2.0, (160, 120), show_progress=False)
    export.start()
    export.cancel()
    qtbot.wait(50)
    assert not path.exists()


def test_headless_export_animation(tmp_path, capsys, frames_of):
    path = tmp_path / "out.gif"
    args = ["--expr", "(x+y)*z", "--set", "x=-2", "--set", "y=5", "--set", "z=-4"]
    assert app.main([*args, "--export-animation", str(path), "--fps", "2", "--size", "400x300"]) == 0
    assert "frames at 2 fps" in capsys.readouterr().out
    assert len(frames_of(path)) == circuit().step_count + 1


def test_an_mp4_has_a_frame_per_step_plus_the_first_and_they_differ(qapp, tmp_path):
    pytest.importorskip("imageio", reason="MP4 needs the optional [video] extra (imageio-ffmpeg)")
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg", reason="MP4 needs the optional [video] extra")
    assert animation.mp4_available()
    state = circuit()
    path = tmp_path / "steps.mp4"
    count = animation.export_animation(state, path, fps=4, size=(320, 200))
    assert count == state.step_count + 1
    assert path.stat().st_size > 0
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == count
    assert seconds == pytest.approx(count / 4, abs=0.3)
    # Decode every frame to raw RGB with the encoder's own ffmpeg (one subprocess, its pipes closed).
    decoded = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    size = 320 * 200 * 3
    assert len(decoded) == count * size  # 320×200 pixels, one picture per frame
    pictures = [decoded[i : i + size] for i in range(0, len(decoded), size)]
    assert all(a != b for a, b in itertools.pairwise(pictures))


def test_the_animation_plays_the_graph_as_shown_folded_gates_and_forward_mode_included(qapp, tmp_path, frames_of):
    state = AppState()
    state.load_example("sigmoid_neuron")
    sigmoid = {n.id for n in state.graph.gates if n.op in ("mul_const", "exp", "add_const", "recip")}
    unfolded = state.step_count
    state.fold(sigmoid, "σ")
    assert state.step_count < unfolded
    assert animation.export_animation(state, tmp_path / "folded.gif", size=(320, 200)) == state.step_count + 1
    state.set_mode("forward", "x0")
    assert state.step_count == len(state.graph.gates)
    assert animation.export_animation(state, tmp_path / "forward.gif", size=(320, 200)) == state.step_count + 1
    assert len(frames_of(tmp_path / "forward.gif")) == state.step_count + 1
