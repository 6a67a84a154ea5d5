"""NetworkState without any widget: settings in, runs through the runner, snapshots out."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from core.datasets import CUSTOM, DATASETS, DISPLAY_NAMES, dataset
from core.networks import Model, loss_and_gradient
from core.training import RACE_ACTIVATIONS, steps_to_reach
from graphviz_app.jobs import Job
from graphviz_app.networks.snapshot import GRID_SIZE
from graphviz_app.networks.state import NetworkState
from graphviz_app.theme import Theme


class FakeDebugger:
    def __init__(self) -> None:
        self.shown: list[tuple[str, dict[str, float]]] = []

    def show_in_debugger(self, text: str, inputs: dict[str, float]) -> bool:
        self.shown.append((text, inputs))
        return True


class HeldRunner:
    """Keeps submitted jobs until `finish()`: what a thread pool looks like from the GUI thread."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Job, object, object]] = {}
        self.cancelled: list[str] = []

    def submit(self, key, work, done, failed=None, label=""):
        job = Job(key, label)
        self.jobs[key] = (job, work, done)
        return job

    def cancel(self, key: str) -> None:
        if self.jobs.pop(key, None) is not None:
            self.cancelled.append(key)

    def finish(self) -> None:
        (key,) = self.jobs
        job, work, done = self.jobs.pop(key)
        done(work(job))  # type: ignore[operator]


@pytest.fixture
def state() -> NetworkState:
    return NetworkState(Theme(), debugger=FakeDebugger(), update_s=0.0)


def test_the_state_module_imports_no_qt() -> None:
    code = "import sys, graphviz_app.networks.state; print(any(m.startswith('PySide6') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_starts_on_xor_with_a_2_2_1_tanh_network(state: NetworkState) -> None:
    snapshot = state.snapshot
    assert snapshot is not None and snapshot.steps == 0
    assert snapshot.model.description == "2-2-1 tanh network on x1, x2"
    assert snapshot.probability.shape == (GRID_SIZE, GRID_SIZE)
    expected = loss_and_gradient(Model((2,), "tanh"), Model((2,), "tanh").initial_weights(0), dataset("xor"))
    assert snapshot.loss == pytest.approx(expected.loss)


def test_display_names_match_the_data_sets() -> None:
    names = {name: make().display_name for name, make in DATASETS.items()}
    assert names == {name: text for name, text in DISPLAY_NAMES.items() if name != CUSTOM}


def test_train_runs_the_chosen_number_of_steps_and_lowers_the_loss(state: NetworkState) -> None:
    progress: list[float] = []
    training: list[bool] = []
    state.sig_progress.connect(progress.append)
    state.sig_training_changed.connect(training.append)
    state.set_train_steps(300)
    state.train()
    assert state.snapshot is not None and state.snapshot.steps == 300
    assert state.snapshot.loss < state.snapshot.losses[0] and len(state.snapshot.losses) == 301
    assert training == [True, False] and not state.training
    assert progress[0] == 0.0 and progress[-1] == 1.0 and progress == sorted(progress)
    assert len(progress) == 1 + 300 // state.steps_per_update  # one update per chunk


def test_a_newer_setting_supersedes_the_running_chunk() -> None:
    runner = HeldRunner()
    state = NetworkState(Theme(), runner, update_s=0.0)
    assert state.snapshot is None and state.busy()  # the first build waits on the runner
    runner.finish()
    state.train()
    assert set(runner.jobs) == {"networks.train"}
    state.set_dataset("circle")  # mid-chunk: the run is cancelled, a new build is under way
    assert runner.cancelled == ["networks.train"] and not state.training
    assert state.snapshot is not None and state.snapshot.steps == 0 and len(state.data) == 160
    runner.finish()
    assert len(state.snapshot.losses) == 1 and state.snapshot.model == state.model()


def test_pause_cancels_the_chunk_and_keeps_the_last_snapshot() -> None:
    runner = HeldRunner()
    state = NetworkState(Theme(), runner, update_s=0.0)
    runner.finish()
    state.train()
    runner.finish()  # one chunk arrives: 5 steps
    assert state.snapshot is not None and state.snapshot.steps == 5 and state.busy()
    state.pause()
    assert not state.busy() and not runner.jobs and state.snapshot.steps == 5
    assert state.trainer is not None and state.trainer.steps == 5  # the worker's copy never leaked back


def test_learning_rate_changes_mid_run_without_a_reset(state: NetworkState) -> None:
    state.step(5)
    state.set_learning_rate(0.01)
    assert state.trainer is not None and state.trainer.steps == 5 and state.trainer.lr == 0.01
    with pytest.raises(ValueError):
        state.set_learning_rate(-1.0)
    assert state.lr == 0.01


def test_settings_reset_the_run_and_bad_ones_change_nothing(state: NetworkState) -> None:
    state.step(10)
    state.set_model(hidden_layers=0, product_feature=True)
    assert state.snapshot is not None and state.snapshot.steps == 0
    assert state.snapshot.model.description == "logistic regression on x1, x2, x1·x2"
    for bad in ({"hidden_layers": 3}, {"width": 9}, {"activation": "swish"}):
        with pytest.raises(ValueError):
            state.set_model(**bad)
    assert state.model() == Model((), "tanh", True)
    state.set_optimizer("sgd")
    assert state.trainer is not None and state.trainer.optimizer.name == "sgd" and state.lr == 0.5
    with pytest.raises(ValueError):
        state.set_dataset("moons")


def test_the_activation_parameter_is_kept_per_activation(state: NetworkState) -> None:
    state.set_model(activation="leaky_relu")
    assert state.model().parameter == pytest.approx(0.1)
    state.set_parameter(0.3)
    assert state.trainer is not None and "slope=0.3" in state.trainer.model.loss_program()
    state.set_model(activation="elu")
    assert state.model().parameter == 1.0
    state.set_model(activation="leaky_relu")
    assert state.model().parameter == pytest.approx(0.3)


def diverge(state: NetworkState) -> None:
    """Train a ReLU network with plain SGD at lr 1e300: it diverges within 200 steps."""
    state.set_model(activation="relu")
    state.set_dataset("blobs")
    state.set_optimizer("sgd")
    state.set_learning_rate(1e300)
    state.set_train_steps(200)
    state.train()


def test_a_diverging_run_stops_and_says_so(state: NetworkState) -> None:
    diverge(state)
    assert state.snapshot is not None and state.snapshot.diverged and not state.training
    assert state.snapshot.steps < 200
    assert np.isfinite(state.snapshot.weights).all()


def test_a_failing_run_is_a_message_and_the_old_snapshot_stays(state: NetworkState) -> None:
    before = state.snapshot
    messages: list[str] = []
    state.sig_error.connect(messages.append)
    state.runner.submit = lambda key, work, done, failed=None, label="": failed(RuntimeError("out of memory"))  # type: ignore[method-assign]
    state.step(1)
    assert messages == ["training failed: out of memory"] and state.snapshot is before


def test_show_sample_in_debugger_hands_over_the_loss_graph(state: NetworkState) -> None:
    state.step(20)
    state.set_sample(2)
    assert state.show_sample_in_debugger()
    text, inputs = state.debugger.shown[-1]  # type: ignore[union-attr]
    assert text == state.model().loss_program()
    assert (inputs["x1"], inputs["x2"], inputs["y"]) == (1.0, 0.0, 1.0)
    assert state.trainer is not None and inputs["w1_1_1"] == pytest.approx(state.trainer.weights[0])
    state.set_sample(99)
    assert state.sample == 3  # clamped into the data set


def test_level_segments_trace_a_circle() -> None:
    from graphviz_app.networks.snapshot import level_segments

    xs = ys = np.linspace(-1, 1, 41)
    values = np.hypot(*np.meshgrid(xs, ys, indexing="ij"))
    segments = level_segments(values, xs, ys, level=0.5)
    radii = np.hypot(segments[..., 0], segments[..., 1])
    assert len(segments) > 40 and np.allclose(radii, 0.5, atol=0.01)  # every end lies on the circle
    assert len(level_segments(values, xs, ys, level=5.0)) == 0  # the level is never reached


def test_the_snapshot_carries_the_decision_boundary(state: NetworkState) -> None:
    state.step(200)
    snapshot = state.snapshot
    assert snapshot is not None and snapshot.boundary.shape[1:] == (2, 2) and len(snapshot.boundary) > 10
    lo1, hi1, lo2, hi2 = state.data.bounds
    x1, x2 = snapshot.boundary[..., 0], snapshot.boundary[..., 1]
    assert (lo1 <= x1).all() and (x1 <= hi1).all() and (lo2 <= x2).all() and (x2 <= hi2).all()


def test_the_batch_size_trains_on_minibatches_and_the_snapshot_has_their_losses(state: NetworkState) -> None:
    state.set_dataset("noisy_xor")
    state.set_batch_size(8)
    state.step(10)
    snapshot = state.snapshot
    assert snapshot is not None and snapshot.batch_size == 8 and len(snapshot.batch_losses) == 10
    assert state.trainer is not None and state.trainer.batch_size == 8
    state.set_batch_size(10_000)  # more than there are points: the whole set
    assert state.batch_size == 0 and state.trainer is not None and state.trainer.full_batch


def test_test_points_are_held_out_and_measured(state: NetworkState) -> None:
    state.set_dataset("circle")
    state.set_test_fraction(0.25)
    assert len(state.train_data) == 120 and len(state.test_data) == 40 and len(state.data) == 160
    state.step(20)
    snapshot = state.snapshot
    assert snapshot is not None and len(snapshot.test_losses) == 21 and snapshot.test_accuracy is not None
    state.set_test_fraction(0.0)
    assert state.snapshot is not None and state.snapshot.test_accuracy is None and len(state.test_data) == 0


def test_own_points_are_added_removed_and_cleared(state: NetworkState) -> None:
    state.set_dataset("custom")
    assert state.snapshot is None and "click on the plane" in state.error
    state.train()
    assert not state.training  # nothing to train on
    state.add_point(-0.5, -0.5, 0)
    state.add_point(0.5, 0.5, 1)
    state.add_point(0.6, -0.4, 1)
    assert state.error == "" and state.snapshot is not None and len(state.data) == 3
    assert state.remove_point_near(0.55, 0.5, radius=0.2) and len(state.data) == 2
    assert not state.remove_point_near(1.4, 1.4, radius=0.2) and len(state.data) == 2
    state.step(50)
    assert state.snapshot is not None and state.snapshot.accuracy == 1.0
    with pytest.raises(ValueError):
        state.add_point(0.0, 0.0, 2)
    state.clear_points()
    assert len(state.data) == 0 and state.snapshot is None


def test_dead_units_come_with_the_snapshot(state: NetworkState) -> None:
    state.set_model(activation="relu", width=3)
    assert state.trainer is not None
    weights = dict(zip(state.trainer.model.weight_names, state.trainer.weights))
    weights.update(b1_1=1.0, b1_3=1.0, w1_1_1=0.5, w1_1_2=0.5, w1_3_1=0.5, w1_3_2=0.5)  # alive everywhere
    weights.update(b1_2=-5.0, w1_2_1=-1.0, w1_2_2=-1.0)  # unit 2 never sums above 0 on the XOR square
    state.trainer.weights = np.array([weights[n] for n in state.trainer.model.weight_names])
    state.step(1)
    snapshot = state.snapshot
    assert snapshot is not None and snapshot.inactive[0].tolist() == [False, True, False]
    assert snapshot.inactive_count == 1


def test_the_race_runs_through_the_runner_and_a_new_setup_drops_it() -> None:
    runner = HeldRunner()
    state = NetworkState(Theme(), runner, update_s=0.0)
    runner.finish()
    state.race_steps = 150
    state.start_race()
    assert state.race_running and set(runner.jobs) == {"networks.race"}
    runner.finish()
    race = state.race
    assert race is not None and not state.race_running and list(race.losses) == list(RACE_ACTIVATIONS)
    assert all(len(losses) == 151 for losses in race.losses.values())
    state.set_race_threshold(0.3)
    counts = state.race.steps_to_threshold() if state.race is not None else {}
    assert counts["tanh"] == steps_to_reach(race.losses["tanh"], 0.3)
    state.start_race()
    state.set_dataset("blobs")  # the race was for the old data: cancelled and gone
    assert "networks.race" in runner.cancelled and state.race is None and not state.race_running


def test_a_diverging_run_names_its_step_and_quantity(state: NetworkState) -> None:
    diverge(state)
    snapshot = state.snapshot
    assert snapshot is not None and snapshot.diverged
    assert snapshot.divergence.startswith(f"step {snapshot.steps + 1}: the ")
