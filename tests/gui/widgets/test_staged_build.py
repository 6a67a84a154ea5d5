"""Tabs built in pieces: each piece on its own turn, a plot held in its slot until it is complete, the
layout around a slot untouched when its plot comes, and a plot's axes measured before its first paint."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from graphviz_app.widgets.plot_style import set_plot_dark, settle_axes, style_plot
from graphviz_app.widgets.staged_build import PLOT_HINT, PLOT_MINIMUM, Slot, run_pieces


def test_each_piece_runs_on_a_later_turn_and_may_use_what_the_earlier_made(qtbot) -> None:
    context = QWidget()
    qtbot.addWidget(context)
    made: list[str] = []

    def pieces():
        made.append("first")
        yield
        made.append(made[0] + " then second")
        yield
        made.append("last")

    run_pieces(context, pieces())
    assert made == []  # nothing in the turn that asked
    QApplication.processEvents()
    assert len(made) <= 1  # one turn runs at most one piece
    qtbot.waitUntil(lambda: made == ["first", "first then second", "last"], timeout=2000)


def test_pieces_left_when_their_context_goes_never_run(qtbot) -> None:
    context = QWidget()
    made: list[int] = []

    def pieces():
        made.append(1)
        context.deleteLater()  # the tab closes while it is being built
        yield
        made.append(2)

    run_pieces(context, pieces())
    qtbot.waitUntil(lambda: made == [1], timeout=2000)
    qtbot.wait(50)
    assert made == [1]


def test_a_slot_keeps_its_size_when_its_content_comes_and_holds_its_painting_until_shown(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    row = QHBoxLayout(window)
    slot = Slot()
    other = Slot()
    row.addWidget(slot, 3)
    row.addWidget(other, 2)
    window.resize(900, 500)
    window.show()
    qtbot.waitExposed(window)
    before = (slot.geometry(), other.geometry())
    assert slot.sizeHint() == PLOT_HINT and slot.minimumSizeHint() == PLOT_MINIMUM
    content = QLabel("a label far wider than the slot would be laid out for " * 8)
    assert content.sizeHint().width() > QSize(900, 0).width()  # a content's own hints do not reach the layout
    slot.hold(content)
    QApplication.processEvents()
    assert (slot.geometry(), other.geometry()) == before
    assert content.geometry() == slot.rect()  # laid out at its final size while held
    assert not content.updatesEnabled() and not slot.shown()
    slot.show_content()
    assert content.updatesEnabled() and slot.shown() and content.isVisible()
    window.resize(1000, 500)
    QApplication.processEvents()
    assert content.geometry() == slot.rect()


@pytest.mark.parametrize("ranged", ["set", "auto"])
def test_settled_axes_keep_their_width_through_the_first_paint(qtbot, ranged: str) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    style_plot(plot, "title", "x", "y")
    plot.resize(500, 400)
    if ranged == "set":
        plot.setYRange(-123456.0, 123456.0, padding=0)  # labels wider than the axis starts with
    else:  # an auto range: pyqtgraph brings it up to date only when it paints
        plot.plot([0.0, 1.0], [-123456.0, 123456.0])
    plot.show()
    axis = plot.getPlotItem().getAxis("left")
    settle_axes(plot)
    QApplication.processEvents()
    settled = axis.width()
    plot.grab()  # the first paint
    QApplication.processEvents()
    assert axis.width() == settled


def test_an_unchanged_theme_is_not_applied_again_but_a_new_one_is(qtbot) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    style_plot(plot, "title", "x", "y")
    axis = plot.getPlotItem().getAxis("bottom")
    calls: list[object] = []
    original = axis.setLabel
    axis.setLabel = lambda *a, **k: (calls.append(a), original(*a, **k))  # type: ignore[method-assign]
    set_plot_dark(plot, False)
    assert calls == []  # the same colours and sizes: nothing rewritten
    set_plot_dark(plot, True)
    assert len(calls) == 1 and plot.plot_dark
    assert axis.labelStyle["color"] == "#e6edf3"  # the dark theme's text colour
