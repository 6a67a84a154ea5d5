"""The plots' shared style: readable axes on a projector."""

from __future__ import annotations


def test_a_log_axis_draws_grid_lines_only_where_it_writes_a_label(qtbot):
    import numpy as np

    from graphviz_app.widgets.plot_style import log_plot

    plot = log_plot()
    qtbot.addWidget(plot)
    plot.resize(400, 240)  # six decades in ~200 px: only 1, 10, 100 … get a label
    plot.getPlotItem().plot([1, 2, 3], [1e-4, 1.0, 1e2])
    plot.show()
    qtbot.waitExposed(plot)
    axis = plot.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: axis.range[0] < -3.5, timeout=5000)  # auto-ranged to the data
    low, high = axis.range
    ticks = [v for _, values in axis.tickValues(low, high, axis.geometry().height()) for v in values]
    labels = axis.logTickStrings(ticks, 1.0, 1.0)
    assert ticks and all(labels), "every tick (and so every grid line) has its label"
    assert all(abs(v - round(v)) < 1e-9 for v in ticks)  # whole decades only
    assert len(ticks) == len(set(np.round(ticks, 6)))
