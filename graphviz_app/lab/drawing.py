"""The off-thread part of drawing a loss surface: what the heat map shows and its contour lines.

Plain numpy (no Qt), so `LabState`'s background job prepares it together with the grid and the GUI
thread only hands finished arrays to pyqtgraph. Contours are marching squares, vectorized over every
cell of the grid at once (pyqtgraph's isocurve walks the cells in Python: 0.4 s for 14 levels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.surfaces import Surface, SurfaceGrid

Array = npt.NDArray[np.float64]
CONTOUR_LEVELS = 14
CONTOUR_STRIDE = 2  # contours from every 2nd grid node: 100×100 cells, still smooth, fewer lines to paint


def color_field(Z: Array, log_color: bool) -> tuple[Array, str]:
    """What the heat map shows: the loss, or log10(loss − min + ε) when it spans many decades."""
    finite = Z[np.isfinite(Z)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    shown = np.where(np.isfinite(Z), Z, high)
    if not log_color:
        return shown, "loss"
    eps = max((high - low) * 1e-5, 1e-12)
    return np.log10(shown - low + eps), "log₁₀(loss − min + ε)"


def contour_segments(
    field: Array, x_range: tuple[float, float], y_range: tuple[float, float], levels: Array
) -> tuple[Array, Array]:
    """Every contour line of `field` (rows along y) as short segments: x and y arrays of
    (start, end, nan) triples, ready for a line item that breaks at nan."""
    n_y, n_x = field.shape
    xs, ys = np.linspace(*x_range, n_x), np.linspace(*y_range, n_y)
    x0, y0 = np.meshgrid(xs[:-1], ys[:-1])
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    # Corners of every cell: a (x0, y0), b (x1, y0), c (x1, y1), d (x0, y1).
    a, b, c, d = field[:-1, :-1], field[:-1, 1:], field[1:, 1:], field[1:, :-1]
    parts_x: list[Array] = []
    parts_y: list[Array] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for level in levels:
            # The crossing on each edge (bottom, right, top, left), where the edge's ends straddle the level.
            edges = ((a, b), (b, c), (d, c), (a, d))
            crossed = np.stack([(p > level) != (q > level) for p, q in edges])
            where = [(level - p) / (q - p) for p, q in edges]
            px = np.stack([x0 + where[0] * dx, x0 + dx, x0 + where[2] * dx, x0])
            py = np.stack([y0, y0 + where[1] * dy, y0 + dy, y0 + where[3] * dy])
            count = crossed.sum(axis=0)
            # Two crossings: one segment between them. Four (a saddle): bottom–left and top–right.
            two = count == 2
            first = np.argmax(crossed, axis=0)
            second = 3 - np.argmax(crossed[::-1], axis=0)
            pairs = [(first[two], second[two], two)]
            four = count == 4
            if four.any():
                pairs += [(np.zeros(four.sum(), int), np.full(four.sum(), 3), four)]
                pairs += [(np.full(four.sum(), 1), np.full(four.sum(), 2), four)]
            for e1, e2, cells in pairs:
                rows, cols = np.nonzero(cells)
                seg_x = np.stack([px[e1, rows, cols], px[e2, rows, cols], np.full(len(rows), np.nan)], axis=1)
                seg_y = np.stack([py[e1, rows, cols], py[e2, rows, cols], np.full(len(rows), np.nan)], axis=1)
                parts_x.append(seg_x.ravel())
                parts_y.append(seg_y.ravel())
    if not parts_x:
        return np.empty(0), np.empty(0)
    return np.concatenate(parts_x), np.concatenate(parts_y)


@dataclass(frozen=True, eq=False)
class SurfaceDrawing:
    """A surface ready to draw: the heat map's values and label, its level range, the contour lines."""

    shown: Array  # rows along y, like the grid
    label: str
    low: float
    high: float
    contour_x: Array
    contour_y: Array


def prepare_surface(surface: Surface, grid: SurfaceGrid) -> SurfaceDrawing:
    shown, label = color_field(grid.Z, surface.log_color)
    low, high = float(shown.min()), float(shown.max())
    levels = np.linspace(low, high, CONTOUR_LEVELS + 2)[1:-1]
    x_nodes, y_nodes = grid.X[0, ::CONTOUR_STRIDE], grid.Y[::CONTOUR_STRIDE, 0]
    contour_x, contour_y = contour_segments(
        shown[::CONTOUR_STRIDE, ::CONTOUR_STRIDE],
        (float(x_nodes[0]), float(x_nodes[-1])),
        (float(y_nodes[0]), float(y_nodes[-1])),
        levels,
    )
    return SurfaceDrawing(shown, label, low, high, contour_x, contour_y)
