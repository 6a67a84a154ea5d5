"""The optimizer lab's work off the GUI thread: what one background job is given (`Request`, copied
when it is submitted), what it computes (the surface's grid if it changed, then the race) and what it
gives back (`Outcome`); and the freeing, on a thread of its own, of the race a new one replaced.
`LabState` (lab/lab_state.py) submits `compute` on its runner.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import core
from core.regression import RegressionData, optimize_minibatch, regression_surface
from core.surfaces import SURFACES, Surface, SurfaceGrid, surface_from_expression, surface_grid
from core.trajectory import RunSpec, Trajectory, optimize_many
from graphviz_app.debugger import collector
from graphviz_app.jobs import Job
from graphviz_app.lab.drawing import SurfaceDrawing, prepare_surface

EXPRESSION = "expression"  # the surface key of "the debugger's current expression"
REGRESSION = "regression"  # the surface built from data: full-batch against minibatch SGD
GRID_SIZE = 200


@dataclass(frozen=True)
class Racer:
    """One run of the race: its colour slot, what it runs, its name on screen, its batch size (0: all)."""

    slot: str
    run: RunSpec
    label: str
    batch_size: int = 0


@dataclass(frozen=True)
class Request:
    """Everything one background job needs, copied when the job is submitted (threads share nothing)."""

    surface_key: str
    expression: str
    values: Mapping[str, float]
    axes: tuple[str, str]
    racers: tuple[Racer, ...]
    start: tuple[float, float] | None  # None: the surface's own start
    steps: int
    shown: Surface | None  # the surface on screen: reused when the request is for the same one
    grid: SurfaceGrid | None
    drawing: SurfaceDrawing | None
    debounce_s: float
    regression: RegressionData | None = None
    batch_seed: int = 0


@dataclass(frozen=True)
class Outcome:
    surface: Surface
    grid: SurfaceGrid
    drawing: SurfaceDrawing
    start: tuple[float, float]
    trajectories: dict[str, Trajectory]
    error: str
    race_ms: float


def _expression_surface(request: Request) -> Surface:
    ax, ay = request.axes
    cx, cy = float(request.values.get(ax, 0.0)), float(request.values.get(ay, 0.0))
    held = {k: v for k, v in request.values.items() if k not in request.axes}
    # The window is centred on the debugger's point, which is also where the runs start.
    return surface_from_expression(
        request.expression, (ax, ay), held, (cx - 3.0, cx + 3.0), (cy - 3.0, cy + 3.0), start=(cx, cy)
    )


def compute(request: Request, job: Job) -> Outcome:
    """The lab's background work: the surface and its grid if they changed, then the race.

    A race makes hundreds of thousands of small lists and tuples; a full cycle collection meanwhile
    would walk the whole heap holding the GIL (100 ms and more, the window frozen), so automatic
    collection pauses while it runs (`debugger.collector`; races make no reference cycles)."""
    waited = 0.0
    while waited < request.debounce_s:  # a burst of changes (a drag): only the last one gets past this
        time.sleep(0.01)
        waited += 0.01
        job.progress(0.0)
    # Not while the GUI thread draws the last result (lab/staging.py): the race would take the GIL
    # from it at every Qt call it makes.
    collector.wait_until_settled(lambda: job.cancelled, timeout_s=SETTLE_TIMEOUT_S)
    with collector.paused():
        return _compute(request, job)


def _compute(request: Request, job: Job) -> Outcome:
    if request.surface_key == EXPRESSION:
        surface = _expression_surface(request)
    elif request.surface_key == REGRESSION and request.regression is not None:
        surface = regression_surface(request.regression)
    else:
        surface = SURFACES[request.surface_key]
    job.progress(0.05, "surface")
    if request.shown == surface and request.grid is not None and request.drawing is not None:
        grid, drawing = request.grid, request.drawing
    else:
        grid = surface_grid(
            surface.expression, surface.axes, surface.x_range, surface.y_range, GRID_SIZE, surface.fixed
        )
        job.progress(0.1, "surface")
        drawing = prepare_surface(surface, grid)
    job.progress(0.15, "race")
    start = request.start or surface.start
    began, error = time.perf_counter(), ""
    try:
        if request.regression is not None:
            found = [
                optimize_minibatch(request.regression, r.run, start, request.steps, r.batch_size, request.batch_seed)
                for r in request.racers
            ]
        else:
            found = optimize_many(
                surface.expression,
                [r.run for r in request.racers],
                dict(zip(surface.axes, start)),
                request.steps,
                surface.fixed,
                progress=lambda fraction: job.progress(0.15 + 0.85 * fraction, "race"),
            )
    except (ValueError, core.ParseError) as problem:  # a user's expression or setting we cannot run
        error, found = str(problem), []
    except ArithmeticError as problem:  # core rejects bad settings first; this is the last safety net
        error, found = f"these hyperparameters cannot run ({problem})", []
    race_ms = (time.perf_counter() - began) * 1e3
    return Outcome(surface, grid, drawing, start, {r.slot: t for r, t in zip(request.racers, found)}, error, race_ms)


RELEASE_DELAY_S = 0.05
SETTLE_TIMEOUT_S = 2.0  # the longest a race or a release waits for the GUI thread's redraws
FREE_CHUNK = 500  # items freed at a time: well under a millisecond holding the GIL
BIG = 1000  # a sequence this long is freed in chunks


def _big_sequences(roots: list[object], depth: int = 4) -> list[list[object]]:
    """Copies of the long lists and tuples reachable from `roots` within `depth` references (a
    race's recorded states): held in the copies, their items outlive the containers, so that
    freeing the containers is quick and the items can be freed a chunk at a time."""
    found: list[list[object]] = []
    seen: set[int] = set()
    level = list(roots)
    for _ in range(depth):
        following: list[object] = []
        for obj in level:
            if id(obj) in seen or isinstance(obj, (type, str, bytes, int, float)):
                continue
            seen.add(id(obj))
            if isinstance(obj, (list, tuple)) and len(obj) >= BIG:
                found.append(list(obj))
            else:
                following.extend(gc.get_referents(obj))
        level = following
    return found


def _release(box: list[tuple[object, ...]]) -> None:
    time.sleep(RELEASE_DELAY_S)  # the caller's references go first: the last one is this thread's
    collector.wait_until_settled(lambda: False, timeout_s=SETTLE_TIMEOUT_S)  # not while the GUI draws
    garbage = box.pop()
    pieces = _big_sequences(list(garbage))
    del garbage  # the containers only: their items live on in `pieces`
    for piece in pieces:
        while piece:
            del piece[-FREE_CHUNK:]
            time.sleep(0.0005)  # off the GIL between chunks: one free of it all held it for 20–40 ms


def release_elsewhere(*garbage: object) -> None:
    """Let a thread of its own free what a new race replaced: 8 × 5,000 optimizer states take
    20–40 ms to free, which on the GUI thread would be part of the arrival's turn; there, in small
    chunks, and once the GUI thread has drawn the new race."""
    box = [garbage]
    del garbage
    threading.Thread(target=_release, args=(box,), name="lab-release", daemon=True).start()
