"""The lab never does all its GUI work in one turn of the event loop: staged redraws, a tab built in
pieces, a replaced race freed on another thread, long paths and curves thinned only for drawing."""

from __future__ import annotations

import threading
import time
import weakref

import numpy as np
from PySide6.QtCore import QTimer

from core.optimizers import OPTIMIZERS
from graphviz_app.debugger import collector
from graphviz_app.debugger.state import AppState
from graphviz_app.lab import OptimizerLab
from graphviz_app.lab.lab_state import LabState
from graphviz_app.lab.loss_plot import DRAWN_COLUMNS, peaks
from graphviz_app.lab.race_job import RELEASE_DELAY_S, _big_sequences
from graphviz_app.lab.staging import Stages
from graphviz_app.lab.surface_plot import DRAWN_POINTS, drawn_points
from graphviz_app.widgets.background import ThreadRunner


def test_stages_run_in_order_once_each_with_the_event_loop_between(qtbot) -> None:
    stages, ran = Stages(), []

    def first() -> None:
        ran.append("first")
        QTimer.singleShot(0, lambda: ran.append("a turn of the event loop"))

    stages.request(2, lambda: ran.append("old second"))
    stages.request(0, first)
    stages.request(2, lambda: ran.append("second"))  # asked again before it ran: the latest runs, once
    assert ran == [] and stages.pending()  # nothing at once
    qtbot.waitUntil(lambda: not stages.pending())
    qtbot.wait(20)
    assert ran == ["first", "a turn of the event loop", "second"]


def test_flush_runs_every_pending_stage_now() -> None:
    stages, ran = Stages(), []
    for stage in (3, 1, 2):
        stages.request(stage, lambda stage=stage: ran.append(stage))
    stages.flush()
    assert ran == [1, 2, 3] and not stages.pending()


def test_the_lab_in_the_window_builds_in_pieces_then_shows_every_part(qtbot) -> None:
    runner = ThreadRunner()
    tab = OptimizerLab(AppState(runner=runner))
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    assert tab.surface_plot is None and tab.loss_plot is None and not tab.optimizer_list.rows  # not yet
    assert not tab.ready()
    qtbot.waitUntil(lambda: tab.ready() and not tab.lab.busy(), timeout=20000)
    assert list(tab.optimizer_list.rows) == list(OPTIMIZERS)
    assert tab.surface_plot is not None and tab.loss_plot is not None
    assert tab.surface_plot.image.image is not None  # the heat map
    assert tab.surface_plot.contours.isVisible() and len(tab.surface_plot.contours.getData()[0]) > 0
    assert tab.surface_plot.colorbar is not None and tab.loss_plot.cursor is not None
    assert tab.lab.drawing is not None and tab.lab.drawing.label != "loss"  # Rosenbrock: a log colour scale
    assert tab.surface_plot.colorbar.axis.labelText == tab.lab.drawing.label
    tab.lab.set_surface("bowl")  # the same shape (no resize follows the refit), a linear colour scale
    qtbot.waitUntil(lambda: tab.lab.drawing is not None and tab.lab.drawing.label == "loss", timeout=20000)
    qtbot.waitUntil(tab.ready, timeout=5000)
    assert tab.surface_plot.colorbar.axis.labelText == "loss"  # the refit ran before the heat map: relabelled
    assert tab.lab.trajectories
    for name, t in tab.lab.trajectories.items():
        x, y = tab.surface_plot.paths[name].getData()
        assert (x[-1], y[-1]) == tuple(t.points[tab.lab.cursor])
        steps, _ = tab.loss_plot.curves[name].getData()
        assert steps[-1] == t.steps
    runner.wait()


def test_a_replaced_race_is_freed_on_another_thread(qtbot) -> None:
    lab = LabState(steps=50)
    freed_on: list[str] = []
    old = next(iter(lab.trajectories.values()))
    weakref.finalize(old, lambda: freed_on.append(threading.current_thread().name))
    del old
    lab.set_steps(60)  # a new race replaces the old one
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on == ["lab-release"]


def test_a_long_path_is_drawn_through_fewer_points_the_state_keeps_them_all(qtbot) -> None:
    points = np.cumsum(np.random.default_rng(1).normal(size=(5001, 2)), axis=0)
    drawn = drawn_points(points)
    assert len(drawn) <= DRAWN_POINTS
    np.testing.assert_array_equal(drawn[0], points[0])
    np.testing.assert_array_equal(drawn[-1], points[-1])
    assert len(drawn_points(points[:100])) == 100  # a short path: every point
    tab = OptimizerLab(AppState())  # inline: built and drawn at once
    qtbot.addWidget(tab)
    tab.show()  # the lab computes only while shown
    tab.lab.set_steps(5000)
    tab.lab.show_all()
    t = tab.lab.trajectories["adam"]
    x, y = tab.surface_plot.paths["adam"].getData()
    assert len(t.points) == t.steps + 1 and t.steps > DRAWN_POINTS  # the state: every step
    assert len(x) <= DRAWN_POINTS and (x[-1], y[-1]) == tuple(t.points[-1]) and (x[0], y[0]) == tuple(t.points[0])


def test_a_long_loss_curve_keeps_each_columns_extremes_and_its_last_point() -> None:
    y = np.abs(np.sin(np.arange(5001) / 7.0)) + 1e-3
    y[1234] = 50.0  # a spike
    xs, ys = peaks(np.arange(len(y)), y)
    assert len(xs) <= 2 * DRAWN_COLUMNS + 1
    assert ys.max() == 50.0 and ys.min() == y.min()
    assert (xs[-1], ys[-1]) == (5000, y[-1])


def test_pending_redraws_hold_back_waiting_workers_until_the_last_one_is_painted(qtbot) -> None:
    stages = Stages()
    finished = threading.Event()
    stages.request(0, lambda: None)
    stages.request(1, lambda: None)
    worker = threading.Thread(target=lambda: (collector.wait_until_settled(lambda: False), finished.set()))
    worker.start()
    try:
        assert not finished.wait(0.2)  # redraws pending: the worker keeps off the GIL
        qtbot.waitUntil(finished.is_set, timeout=5000)  # the last redraw is done (and painted): it goes on
        assert not stages.pending()
    finally:
        stages.flush()
        worker.join()


def test_a_deleted_stages_object_does_not_hold_workers_forever(qtbot) -> None:
    stages = Stages()
    stages.request(0, lambda: None)
    stages.deleteLater()
    del stages
    finished = threading.Event()
    worker = threading.Thread(target=lambda: (collector.wait_until_settled(lambda: False), finished.set()))
    worker.start()
    qtbot.waitUntil(finished.is_set, timeout=5000)
    worker.join()


def test_a_replaced_race_is_freed_only_once_the_redraws_are_done(qtbot) -> None:
    lab = LabState(steps=2000)
    freed: list[str] = []
    old = next(iter(lab.trajectories.values()))
    weakref.finalize(old, lambda: freed.append(threading.current_thread().name))
    assert any(len(piece) >= 2000 for piece in _big_sequences([lab.trajectories]))  # freed in chunks
    del old
    collector.hold()  # as pending redraws do
    try:
        lab.set_steps(60)
        time.sleep(RELEASE_DELAY_S + 0.2)
        assert not freed
    finally:
        collector.unhold()
    qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    assert freed == ["lab-release"]


def test_a_long_path_skips_the_steps_within_a_cell_of_the_one_before_but_keeps_its_corners() -> None:
    zigzag = np.column_stack([np.arange(400) * 0.1, np.where(np.arange(400) % 2, 1.0, -1.0)])
    converged = np.full((4000, 2), 3.0) + np.arange(4000)[:, None] * 1e-9  # all within one cell
    points = np.vstack([zigzag, converged])
    drawn = drawn_points(points, cell=0.01)
    np.testing.assert_array_equal(drawn[0], points[0])
    np.testing.assert_array_equal(drawn[-1], points[-1])
    np.testing.assert_array_equal(drawn[:400], zigzag)  # every corner of the zig-zag
    assert len(drawn) <= 402  # the converged tail: its first and last points
    assert len(drawn_points(points[:500], cell=0.01)) == 500  # up to the limit: every point
