"""Surfaces: every named surface parses, its minima are real minima, grids agree with the engine."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.surfaces import (
    LOGISTIC_DATA,
    SURFACES,
    Surface,
    logistic_loss_expression,
    surface_from_expression,
    surface_grid,
)

NAMED = list(SURFACES.values())


def _at(surface: Surface, point: tuple[float, float]) -> core.Result:
    return core.parse(surface.expression).evaluate({**surface.fixed, **dict(zip(surface.axes, point))})


def test_the_lab_has_the_classic_surfaces() -> None:
    assert {"bowl", "ellipse", "rosenbrock", "beale", "himmelblau", "saddle", "rastrigin", "logistic"} <= set(SURFACES)
    assert SURFACES["logistic"].axes == ("w", "b")
    assert SURFACES["saddle"].minima == ()
    assert len(SURFACES["himmelblau"].minima) == 4


@pytest.mark.parametrize("surface", NAMED, ids=[s.name for s in NAMED])
def test_surface_parses_with_its_axes_as_inputs(surface: Surface) -> None:
    assert set(core.parse(surface.expression).inputs) == set(surface.axes)
    assert surface.x_range[0] < surface.start[0] < surface.x_range[1]
    assert surface.y_range[0] < surface.start[1] < surface.y_range[1]
    assert np.isfinite(_at(surface, surface.start).value)


@pytest.mark.parametrize("surface", [s for s in NAMED if s.minima], ids=lambda s: s.name)
def test_known_minima_are_flat_and_lowest_on_the_grid(surface: Surface) -> None:
    grid = surface_grid(surface.expression, surface.axes, surface.x_range, surface.y_range, n=201)
    for point in surface.minima:
        result = _at(surface, point)
        assert max(abs(g) for g in result.grad.values()) < 1e-8
        assert result.value <= grid.Z.min() + 1e-12


@pytest.mark.parametrize("surface", NAMED, ids=[s.name for s in NAMED])
def test_grid_shapes_and_gradient_equal_pointwise_evaluation(surface: Surface) -> None:
    grid = surface_grid(surface.expression, surface.axes, surface.x_range, surface.y_range, n=30)
    assert all(a.shape == (30, 30) for a in grid)
    assert grid.X[0, 0] == surface.x_range[0] and grid.X[0, -1] == surface.x_range[1]
    assert grid.Y[0, 0] == surface.y_range[0] and grid.Y[-1, 0] == surface.y_range[1]
    for i, j in [(0, 0), (7, 19), (29, 3), (15, 15)]:
        result = _at(surface, (grid.X[i, j], grid.Y[i, j]))
        assert grid.Z[i, j] == pytest.approx(result.value, rel=1e-12, abs=1e-12)
        assert grid.dZdX[i, j] == pytest.approx(result.grad[surface.axes[0]], rel=1e-12, abs=1e-12)
        assert grid.dZdY[i, j] == pytest.approx(result.grad[surface.axes[1]], rel=1e-12, abs=1e-12)


def test_grid_gradient_matches_finite_differences() -> None:
    h = 1e-6
    grid = surface_grid("x**2*y + sin(x*y)", x_range=(-1, 1), y_range=(-1, 1), n=5)
    right = surface_grid("x**2*y + sin(x*y)", x_range=(-1 + h, 1 + h), y_range=(-1, 1), n=5)
    left = surface_grid("x**2*y + sin(x*y)", x_range=(-1 - h, 1 - h), y_range=(-1, 1), n=5)
    np.testing.assert_allclose(grid.dZdX, (right.Z - left.Z) / (2 * h), atol=1e-7)


def test_log_color_marks_the_steep_surfaces() -> None:
    assert SURFACES["rosenbrock"].log_color and SURFACES["beale"].log_color
    assert not SURFACES["bowl"].log_color


def test_logistic_loss_is_mean_cross_entropy() -> None:
    w, b = 0.7, -0.3
    z = np.array([x * w + b for x, _ in LOGISTIC_DATA])
    labels = np.array([label for _, label in LOGISTIC_DATA])
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    value = core.parse(logistic_loss_expression()).evaluate({"w": w, "b": b}).value
    assert value == pytest.approx(expected, rel=1e-12)


def test_other_inputs_are_held_fixed_on_the_grid() -> None:
    grid = surface_grid("x*y + z**2", fixed={"z": 3.0}, n=4)
    np.testing.assert_allclose(grid.Z, grid.X * grid.Y + 9.0)
    np.testing.assert_allclose(grid.dZdX, grid.Y)


def test_an_axis_the_expression_ignores_is_flat() -> None:
    grid = surface_grid("x**2", n=4)
    np.testing.assert_array_equal(grid.dZdY, 0.0)
    np.testing.assert_allclose(grid.Z, grid.X**2)


def test_undefined_points_are_nan_not_errors() -> None:
    grid = surface_grid("log(x) + y", x_range=(-1.0, 1.0), n=5)
    assert np.isnan(grid.Z[:, 0]).all() and np.isfinite(grid.Z[:, -1]).all()


def test_surface_from_user_expression() -> None:
    surface = surface_from_expression(
        "(a - 1)**2 + 100*(b - a**2)**2 + c", fixed={"c": 2.0}, x_range=(-2, 2), y_range=(-1, 3)
    )
    assert surface.axes == ("a", "b") and surface.fixed == {"c": 2.0}
    assert surface.log_color
    assert _at(surface, (1.0, 1.0)).value == 2.0


def test_surface_from_expression_needs_values_for_other_inputs() -> None:
    with pytest.raises(ValueError, match="'c'"):
        surface_from_expression("a + b + c")
    with pytest.raises(core.ParseError):
        surface_from_expression("a +* b")


def test_a_programs_surface_title_keeps_its_lines_apart():
    # A plot title is one line: the lines of a program must not run together ("q = x + y f = q * z").
    surface = surface_from_expression("q = x + y\n\nf = q * z", fixed={"z": -4.0})
    assert surface.title == "q = x + y; f = q * z"
    assert surface.expression == "q = x + y\n\nf = q * z"
