"""The optimizer lab tab: paths equal core's trajectories, clicks move the start, divergence is a message."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest
from helpers.lab_tab import choose_surface, keep_only, path_of, set_steps, shown_lab
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.surfaces import SURFACES
from core.trajectory import optimize
from graphviz_app.debugger.state import AppState
from graphviz_app.lab import EXPRESSION, OptimizerLab, render_lab_png
from graphviz_app.lab.formulas import SUPERSCRIPT, update_html, vec
from graphviz_app.theme import LAB_DARK, LAB_LIGHT, LIGHT
from graphviz_app.widgets.background import ThreadRunner


@pytest.fixture
def lab_tab(qtbot) -> OptimizerLab:
    return shown_lab(qtbot)


def test_two_optimizers_draw_two_paths_ending_where_core_ends(lab_tab) -> None:
    choose_surface(lab_tab, "himmelblau")
    keep_only(lab_tab, "momentum", "adam")
    set_steps(lab_tab, 100)
    lab_tab.player.act_end.trigger()
    drawn = {name: path_of(lab_tab, name) for name in lab_tab.surface_plot.paths}
    assert {name for name, path in drawn.items() if len(path)} == {"momentum", "adam"}
    surface, settings = SURFACES["himmelblau"], lab_tab.lab.settings
    for name in ("momentum", "adam"):
        expected = optimize(surface.expression, name, surface.start_values(), 100, **settings[name].hyperparameters)
        assert len(drawn[name]) == 101
        np.testing.assert_allclose(drawn[name][-1], expected.points[-1], rtol=1e-12)
    assert lab_tab.player.counter.text() == "step 100 / 100"


def test_stepping_cuts_the_paths_and_moves_the_loss_cursor(lab_tab) -> None:
    set_steps(lab_tab, 50)
    lab_tab.player.act_reset.trigger()
    for _ in range(3):
        lab_tab.player.act_forward.trigger()
    assert len(path_of(lab_tab, "sgd")) == 4
    assert lab_tab.loss_plot.cursor.value() == 3
    assert "step 3 → 4" in lab_tab.update_panel.formula.toPlainText()


def test_a_real_click_on_the_surface_moves_the_start_and_recomputes(lab_tab, qtbot) -> None:
    lab_tab.show()
    qtbot.waitExposed(lab_tab)
    before = lab_tab.lab.trajectories["adam"]
    pixel = lab_tab.surface_plot.scene_position(0.5, -0.5)
    qtbot.mouseClick(lab_tab.surface_plot.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    x, y = lab_tab.lab.start
    assert abs(x - 0.5) < 0.05 and abs(y + 0.5) < 0.05
    after = lab_tab.lab.trajectories["adam"]
    assert after is not before
    np.testing.assert_allclose(after.points[0], (x, y))
    marker = lab_tab.surface_plot.start_marker.getData()
    assert (marker[0][0], marker[1][0]) == pytest.approx((x, y))
    assert "x = 0.5" in lab_tab.start_label.text() or "x = 0.4" in lab_tab.start_label.text()


def test_set_start_recomputes_every_run_from_there(lab_tab) -> None:
    lab_tab.lab.set_start(1.5, -0.5)
    lab_tab.lab.show_all()
    for name, _t in lab_tab.lab.trajectories.items():
        np.testing.assert_allclose(path_of(lab_tab, name)[0], (1.5, -0.5))


def test_a_diverging_learning_rate_shows_a_message_not_a_crash(lab_tab) -> None:
    row = lab_tab.optimizer_list.rows["sgd"]
    row.slider.setValue(row.slider.maximum())  # lr ≈ 3: Rosenbrock blows up within a few steps
    lab_tab.optimizer_list.apply_pending()
    lab_tab.lab.show_all()
    message = lab_tab.update_panel.messages.text()
    assert not lab_tab.update_panel.messages.isHidden()
    assert "SGD diverged at step" in message and "showing the path up to there" in message
    path = path_of(lab_tab, "sgd")
    assert 1 < len(path) < lab_tab.lab.steps and np.isfinite(path).all()
    assert "⚠" in lab_tab.legend.text()


def test_current_expression_surface_uses_the_debuggers_expression(qtbot) -> None:
    state = AppState("(x - 1)**2 + 3*(y + 2)**2 + z", {"x": 0.0, "y": 0.0, "z": 5.0})
    tab = shown_lab(qtbot, state)
    choose_surface(tab, EXPRESSION)
    assert tab.lab.surface.expression == state.expression
    assert tab.lab.surface.axes == ("x", "y") and tab.lab.surface.fixed == {"z": 5.0}
    assert not tab.axes_row.isHidden()
    tab.y_axis.setCurrentText("z")
    assert tab.lab.surface.axes == ("x", "z") and tab.lab.surface.fixed == {"y": 0.0}
    state.set_expression("x**2 + 10*y**2", {"x": 1.0, "y": 1.0})
    assert tab.lab.surface.expression == "x**2 + 10*y**2"
    assert tab.lab.surface.axes == ("x", "y")
    assert tab.lab.trajectories["adam"].points[0] == pytest.approx((1.0, 1.0))


def test_keyboard_shortcuts_play_and_show_all(lab_tab, qtbot) -> None:
    lab_tab.show()
    qtbot.waitExposed(lab_tab)
    lab_tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is lab_tab)
    lab_tab.surface_plot.setFocus()
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_End)
    assert lab_tab.lab.cursor == lab_tab.lab.steps
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Home)
    assert lab_tab.lab.cursor == 0
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Right)
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Right)
    assert lab_tab.lab.cursor == 2
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Left)
    assert lab_tab.lab.cursor == 1
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Space)
    assert lab_tab.player.playing
    qtbot.waitUntil(lambda: lab_tab.lab.cursor > 1, timeout=5000)  # generous: CI machines can be busy
    qtbot.keyClick(lab_tab.surface_plot, Qt.Key.Key_Space)
    assert not lab_tab.player.playing


def test_the_momentum_formula_shows_the_numbers_of_the_step() -> None:
    t = optimize("x**2 + 20*y**2", "momentum", {"x": 1.0, "y": 1.0}, steps=3, lr=0.01, momentum=0.9)
    text = update_html(t, 1, LIGHT, LAB_LIGHT)
    assert "μ·v + g" in text and "0.9·(2, 40)" in text
    assert "θ − lr·v" in text


def test_render_lab_png_writes_a_picture(tmp_path, qtbot) -> None:
    path = render_lab_png(str(tmp_path / "lab.png"), size=(800, 500))
    assert (tmp_path / "lab.png").stat().st_size > 10_000 and path.endswith("lab.png")


def test_debugger_input_changes_reach_the_expression_surface_only_the_last_one(qtbot) -> None:
    runner = ThreadRunner()
    state = AppState("x**2 + y**2 + z", {"x": 0.0, "y": 0.0, "z": 1.0}, runner=runner)
    tab = shown_lab(qtbot, state)
    choose_surface(tab, EXPRESSION)
    qtbot.waitUntil(lambda: not tab.lab.busy(), timeout=10000)
    arrived: list[dict] = []
    tab.lab.sig_surface_changed.connect(lambda: arrived.append(dict(tab.lab.surface.fixed)))
    for value in (2.0, 3.0, 4.0):  # a drag: three changes; the newer supersede the older
        state.set_input("z", value)
    assert tab.lab.surface.fixed == {"z": 1.0}  # nothing computed on the GUI thread
    qtbot.waitUntil(lambda: not tab.lab.busy(), timeout=10000)
    assert arrived == [{"z": 4.0}]
    runner.wait()


def test_a_hidden_lab_computes_nothing_until_shown(qtbot) -> None:
    state = AppState("x**2 + y**2 + z", {"x": 0.0, "y": 0.0, "z": 1.0})
    tab = shown_lab(qtbot, state)
    choose_surface(tab, EXPRESSION)
    tab.hide()
    state.set_input("z", 7.0)
    assert tab.lab.surface.fixed == {"z": 1.0}  # hidden: remembered, not computed
    tab.show()
    assert tab.lab.surface.fixed == {"z": 7.0}


class GatedRunner(ThreadRunner):
    """A ThreadRunner whose jobs, once `hold()` is called, wait for `release()` before they work.

    A race's length in time depends on the machine; held, it outlasts the progress bar's delay anywhere.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def submit(self, key, work, done, failed=None, label=""):
        def held(job):
            self.gate.wait(30)
            return work(job)

        return super().submit(key, held, done, failed, label)


def test_a_long_race_shows_progress_and_can_be_cancelled(qtbot) -> None:
    runner = GatedRunner()
    tab = shown_lab(qtbot, AppState(runner=runner))
    qtbot.waitUntil(lambda: not tab.lab.busy(), timeout=10000)
    before = tab.lab.trajectories
    runner.hold()
    tab.lab.set_steps(5000)
    choose_surface(tab, "beale")
    assert tab.lab.busy()
    assert not tab.progress_row.isVisible()  # no bar at once: a short job would only flicker
    qtbot.waitUntil(lambda: tab.progress_row.isVisible(), timeout=5000)
    tab.cancel_button.click()
    assert not tab.lab.busy() and not tab.progress_row.isVisible()
    assert tab.lab.trajectories is before and tab.lab.surface_key == "beale"
    runner.release()
    runner.wait()
    QApplication.processEvents()
    assert tab.lab.trajectories is before  # the cancelled race never arrives


def test_adam_panel_shows_the_bias_corrected_moment_of_this_step(lab_tab) -> None:
    """m̂ after step k is m / (1 − β₁^(k+1)): with t − 1 the first step would divide by zero."""
    keep_only(lab_tab, "adam")
    lab_tab.lab.set_inspected("adam")
    t = lab_tab.lab.trajectories["adam"]
    for k in (0, 1, 4):
        lab_tab.lab.set_cursor(k)
        text = lab_tab.update_panel.formula.toPlainText()
        m = t.states[k + 1].exp_avg
        right, wrong = vec(m / (1 - 0.9 ** (k + 1))), vec(m / (1 - 0.9**k)) if k else "inf"
        assert f"m / (1 − β₁{str(k + 1).translate(SUPERSCRIPT)})" in text
        m_hat_line = text.split("m̂")[1].split("v̂")[0]
        assert right in m_hat_line and wrong not in m_hat_line


def test_optimizer_colours_come_from_the_theme_and_follow_it(qtbot) -> None:
    state = AppState()
    tab = shown_lab(qtbot, state)
    pen = tab.surface_plot.paths["adam"].opts["pen"]
    assert pen.color().name() == LAB_LIGHT.optimizers["adam"]
    state.set_dark(True)
    assert tab.surface_plot.paths["adam"].opts["pen"].color().name() == LAB_DARK.optimizers["adam"]
    assert tab.lab.theme is state.theme
    assert LAB_DARK.optimizers["adam"] in tab.legend.text()


@pytest.mark.parametrize("expression", ["exp(x)", "2*3", "log(-x*y)", "x/y", "1e300*x*x + y"])
def test_any_typed_expression_is_a_surface_without_errors_or_warnings(qtbot, expression):
    state = AppState()
    tab = shown_lab(qtbot, state)
    state.set_expression(expression)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow in a diverging run is shown, never printed
        choose_surface(tab, EXPRESSION)
        tab.lab.show_all()
        QApplication.processEvents()


def test_hyperparameter_editors_stop_below_one_so_adam_never_divides_by_zero(lab_tab) -> None:
    """β₁ = 0.9999 shown with 3 decimals used to round to 1.0: Adam's bias correction 1 − β₁ⁿ was 0."""
    for row in lab_tab.optimizer_list.rows.values():
        for spin, _key, _index in row.spins:
            assert spin.maximum() < 1.0
            spin.setValue(spin.maximum())
    lab_tab.lab.show_all()
    assert set(lab_tab.lab.trajectories) == set(lab_tab.optimizer_list.rows)
    assert lab_tab.lab.error == ""


def test_an_optimizer_rule_that_cannot_run_is_a_message(lab_tab) -> None:
    lab_tab.lab.set_hyperparameter("adam", "betas", (1.0, 0.999))  # e.g. from a saved setting
    assert "beta parameter at index 0" in lab_tab.update_panel.messages.text()
    lab_tab.lab.set_hyperparameter("adam", "betas", (0.9, 0.999))
    assert lab_tab.update_panel.messages.isHidden() and "adam" in lab_tab.lab.trajectories


def test_loss_axis_labels_only_what_fits_within_one_decade(lab_tab) -> None:
    lab_tab.show()
    choose_surface(lab_tab, "rastrigin")  # every loss between 18 and 80: pyqtgraph stacked 2·10¹ … 9·10¹
    lab_tab.lab.show_all()
    QApplication.processEvents()
    axis = lab_tab.loss_plot.plot_item.getAxis("left")
    values = [np.log10(v) for v in range(20, 100, 10)]
    labels = [text for text in axis.logTickStrings(values, 1.0, 0.1) if text]
    assert 0 < len(labels) < len(values)


@pytest.mark.parametrize("name", ["adadelta", "adamw"])
def test_adadelta_and_adamw_race_and_explain_their_recorded_state(lab_tab, name) -> None:
    tab, lab = lab_tab, lab_tab.lab
    assert name in lab.trajectories and name in tab.optimizer_list.rows
    lab.set_inspected(name)
    lab.set_cursor(3)
    u = lab.trajectories[name].update(3)
    assert u is not None
    text = tab.update_panel.formula.toPlainText()
    if name == "adadelta":
        assert "√(u + ε) / √(s + ε) · g" in text and vec(u.terms["delta"]) in text
    else:
        assert "θ·(1 − lr·wd)" in text and vec(u.terms["decayed"]) in text


def test_every_run_has_its_head_at_its_path_end_in_its_colour(lab_tab) -> None:
    """The heads are one item (a spot per run); each still sits where its run got to, in its colour."""
    choose_surface(lab_tab, "himmelblau")
    keep_only(lab_tab, "sgd", "momentum", "adam")
    set_steps(lab_tab, 60)
    lab_tab.lab.set_cursor(25)
    colours = LAB_LIGHT.optimizers if not lab_tab.lab.dark else LAB_DARK.optimizers
    for name in ("sgd", "momentum", "adam"):
        head = lab_tab.surface_plot.head_of(name)
        assert head is not None
        (x, y), colour = head
        np.testing.assert_allclose((x, y), lab_tab.lab.trajectories[name].points[25])
        np.testing.assert_allclose((x, y), path_of(lab_tab, name)[-1])
        assert colour.name() == colours[name].lower()
    assert lab_tab.surface_plot.head_of("nesterov") is None
    keep_only(lab_tab)
    assert lab_tab.surface_plot.head_of("adam") is None and not lab_tab.surface_plot.heads.isVisible()
