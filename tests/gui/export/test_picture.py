"""Headless pictures of the canvas: non-empty PNG (with the expected pixel size) and SVG."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState
from graphviz_app.export.picture import export_scene, export_size


def finished_state() -> AppState:
    state = AppState("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    state.run_to_end()
    return state


def test_export_scene_png_has_twice_the_scene_size(qtbot, tmp_path):
    state = finished_state()
    view = GraphView(state)
    qtbot.addWidget(view)
    expected = export_size(view.graph_rect())
    path = tmp_path / "graph.png"
    export_scene(state, str(path))
    image = QImage(str(path))
    assert path.stat().st_size > 1000 and not image.isNull()
    assert (image.width(), image.height()) == (expected.width(), expected.height())
    assert image.width() > 600  # 2x: crisp on a projector


def test_export_scene_with_size_and_dark_theme(qtbot, tmp_path):
    path = tmp_path / "graph.png"
    export_scene(finished_state(), str(path), dark=True, size=(800, 500))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (800, 500)
    assert image.pixelColor(2, 2).lightness() < 60  # dark background


def test_export_scene_svg(qtbot, tmp_path):
    path = tmp_path / "graph.svg"
    export_scene(finished_state(), str(path))
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text and "-12" in text and "1.00" in text


def test_view_export_keeps_observing(qtbot, tmp_path):
    state = finished_state()
    view = GraphView(state)
    qtbot.addWidget(view)
    view.export(str(tmp_path / "a.svg"))
    view.export(str(tmp_path / "a.png"))
    assert (tmp_path / "a.svg").stat().st_size > 0 and (tmp_path / "a.png").stat().st_size > 0
    export_scene(state, str(tmp_path / "b.png"))  # a throwaway view must not break this one
    state.set_input("x", 0.0)
    assert view.edge_labels()[(0, 2)][0] == "0"


def test_every_step_exports_the_same_frame(qtbot, tmp_path):
    state = AppState("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    sizes = set()
    for k in (0, 2, state.step_count):
        state.set_cursor(k)
        export_scene(state, str(tmp_path / f"step{k}.png"))
        image = QImage(str(tmp_path / f"step{k}.png"))
        sizes.add((image.width(), image.height()))
    assert len(sizes) == 1  # slides of consecutive steps line up


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_an_unwritable_path_is_an_error_for_every_format(qtbot, tmp_path, suffix):
    # Regression: Qt's SVG generator failed silently, and the command line said "wrote …".
    with pytest.raises(OSError):
        export_scene(finished_state(), str(tmp_path / "no such folder" / f"graph.{suffix}"))


def test_a_failed_export_leaves_the_previous_picture_whole(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "graph.svg"
    path.write_text("<svg>the previous picture</svg>")

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("graphviz_app.files.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        export_scene(finished_state(), str(path))
    assert path.read_text() == "<svg>the previous picture</svg>"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
