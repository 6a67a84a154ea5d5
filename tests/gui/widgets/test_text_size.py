"""Ctrl+= / Ctrl+− (the window's text size) reach every text a view sizes itself, on every tab:
plot ticks and axis labels, the player's counter, the lab's update panel, labels with their own style."""

from __future__ import annotations

import gc
import re

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from graphviz_app import theme
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow


@pytest.fixture
def styled_window(qtbot):
    """The window as the app runs it: every tab, and its style sheet (whose sizes beat the app font)."""
    app = QApplication.instance()
    # Windows of earlier tests, closed but not yet deleted, must not be restyled with this one.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    app.setStyleSheet(theme.style_sheet(False))  # not apply_theme: a new QStyle per test crashes Qt
    win = MainWindow(AppState(), extra_tabs=True)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.set_text_scale(1.0)  # the application font is shared by every later test
    app.setStyleSheet("")  # later tests run without the app's theme, as before


def points(css: str) -> list[float]:
    return [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)pt", css)]


def tick_size(plot) -> float:
    return plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()


def label_size(plot) -> float:
    return points(plot.getPlotItem().getAxis("bottom").labelStyle["font-size"])[0]


def sizes(qtbot, win) -> dict[str, float]:
    lab, activations, networks = (win.open_tab(name) for name in ("lab", "activations", "networks"))
    qtbot.waitUntil(lambda: all(getattr(page, "ready", lambda: True)() for page in (lab, activations, networks)))
    curves = activations.curves_view
    return {
        "player counter": win.player.counter.font().pointSizeF(),
        "lab surface ticks": tick_size(lab.surface_plot),
        "lab loss ticks": tick_size(lab.loss_plot),
        "lab loss axis label": label_size(lab.loss_plot),
        "lab update formula": points(lab.update_panel.formula.toHtml().split("<body", 1)[1])[-1],
        "lab update legend": max(points(lab.update_panel.legend.text())),
        "lab legend": min(points(lab.legend.text())),  # the ☆ min mark: there before the race arrives
        "activations ticks": tick_size(curves.value_plot),
        "activations axis label": label_size(curves.value_plot),
        "activations legend": points(curves.legend_strip.styleSheet())[0],
        "chain ticks": tick_size(activations.chain_view.chain_plot),
        "networks plane ticks": tick_size(networks.plane),
        "networks loss ticks": tick_size(networks.loss.plot),
        "networks status": points(networks.status_label.styleSheet())[0],
    }


def test_a_text_size_change_reaches_every_tab(qtbot, styled_window):
    win = styled_window
    before = sizes(qtbot, win)
    win.set_text_scale(1.5)
    QApplication.processEvents()
    larger = sizes(qtbot, win)
    grown = {name: larger[name] / before[name] for name in before}
    assert {name: ratio for name, ratio in grown.items() if ratio != pytest.approx(1.5, rel=0.08)} == {}
    win.set_text_scale(1.0)
    QApplication.processEvents()
    assert sizes(qtbot, win) == pytest.approx(before, rel=0.01)


def test_a_tab_built_after_the_change_starts_at_the_new_size(qtbot, styled_window):
    win = styled_window
    win.set_text_scale(2.0)
    activations = win.open_tab("activations")
    qtbot.waitUntil(activations.ready)
    assert tick_size(activations.curves_view.value_plot) == pytest.approx(2 * 12)  # FONT_PT - 1
