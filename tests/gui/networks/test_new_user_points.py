"""Issue 12's tiny-networks points: the width box never changes the model silently; the loss chart
has no wall of horizontal gridlines."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.networks import MAX_WIDTH
from graphviz_app.debugger.state import AppState
from graphviz_app.networks.state import NetworkState
from graphviz_app.networks.tab import NetworksTab


@pytest.fixture
def tab(qtbot) -> NetworksTab:
    app = AppState()
    widget = NetworksTab(NetworkState(app.theme, app.runner, app, update_s=0.0))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def type_width(qtbot, tab: NetworksTab, text: str) -> None:
    tab.width_box.setFocus()
    tab.width_box.selectAll()
    qtbot.keyClicks(tab.width_box, text)
    qtbot.keyClick(tab.width_box, Qt.Key.Key_Return)


def test_typing_a_width_applies_it_once_not_its_first_digit(qtbot, tab: NetworksTab) -> None:
    widths = []
    tab.state.sig_setup_changed.connect(lambda: widths.append(tab.state.width))
    type_width(qtbot, tab, "5")
    assert tab.state.width == 5 and widths == [5] and tab.width_notice.isHidden()


def test_a_width_over_the_maximum_is_clamped_with_a_notice(qtbot, tab: NetworksTab) -> None:
    type_width(qtbot, tab, "12")
    assert tab.state.width == MAX_WIDTH and tab.width_box.value() == MAX_WIDTH
    assert tab.width_notice.isVisible()
    assert "12" in tab.width_notice.text() and f"at most {MAX_WIDTH}" in tab.width_notice.text()
    type_width(qtbot, tab, "3")
    assert tab.state.width == 3 and tab.width_notice.isHidden()


def test_the_loss_chart_draws_no_wall_of_gridlines(tab: NetworksTab) -> None:
    plot_item = tab.loss.plot.getPlotItem()
    assert plot_item.getAxis("left").grid is False  # the log axis would draw one per 2…9 of each decade
    assert plot_item.getAxis("bottom").grid is False  # and the step axis one every two steps
