"""The off-thread part of drawing a surface: contour lines lie on their level, the heat map's values."""

from __future__ import annotations

import numpy as np

from core.surfaces import SURFACES, surface_grid
from graphviz_app.lab.drawing import color_field, contour_segments, prepare_surface


def test_contours_of_a_bowl_are_circles_at_their_level() -> None:
    xs = ys = np.linspace(-2.0, 2.0, 81)
    X, Y = np.meshgrid(xs, ys)
    x, y = contour_segments(X**2 + Y**2, (-2.0, 2.0), (-2.0, 2.0), np.array([1.0, 2.25]))
    ends = np.isfinite(x)
    radius = np.hypot(x[ends], y[ends])
    assert np.isnan(x[2::3]).all() and np.isnan(y[2::3]).all()  # (start, end, nan) triples
    near_one, near_one_half = np.abs(radius - 1.0) < 0.01, np.abs(radius - 1.5) < 0.01
    assert (near_one | near_one_half).all()
    assert near_one.sum() > 100 and near_one_half.sum() > 100  # both circles, all the way round
    assert np.ptp(np.arctan2(y[ends][near_one], x[ends][near_one])) > 6.2


def test_contours_follow_rows_along_y() -> None:
    xs, ys = np.linspace(0.0, 4.0, 41), np.linspace(0.0, 1.0, 11)
    X = np.meshgrid(xs, ys)[0]
    x, y = contour_segments(X, (0.0, 4.0), (0.0, 1.0), np.array([2.05]))  # a vertical line x = 2.05
    np.testing.assert_allclose(x[np.isfinite(x)], 2.05)
    assert set(np.round(y[np.isfinite(y)], 6)) == set(np.round(ys, 6))


def test_a_flat_field_has_no_contours() -> None:
    x, y = contour_segments(np.ones((5, 5)), (0.0, 1.0), (0.0, 1.0), np.array([0.5]))
    assert x.size == 0 and y.size == 0


def test_log_colour_spans_the_decades_and_hides_non_finite_values() -> None:
    shown, label = color_field(np.array([[1.0, 10.0], [1e6, np.inf]]), log_color=True)
    assert label.startswith("log") and np.isfinite(shown).all() and shown[1, 1] == shown.max()


def test_prepare_surface_levels_lie_inside_the_heat_map_range() -> None:
    s = SURFACES["himmelblau"]
    drawing = prepare_surface(s, surface_grid(s.expression, s.axes, s.x_range, s.y_range, 60))
    assert drawing.shown.shape == (60, 60) and drawing.low < drawing.high
    finite = np.isfinite(drawing.contour_x)
    assert finite.any()
    assert s.x_range[0] <= drawing.contour_x[finite].min() and drawing.contour_x[finite].max() <= s.x_range[1]
