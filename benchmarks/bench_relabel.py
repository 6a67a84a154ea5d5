"""How long the graph canvas takes to relabel a ~100-node graph (offscreen), against a 16 ms frame,
and how long Enter takes in the window from the key press to the new graph painted.

Relabeling happens on every step and on every input edit, so it must stay well under one frame.
Run: `python benchmarks/bench_relabel.py`
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, no install

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from graphviz_app.debugger.graph_view import GraphView
from graphviz_app.debugger.state import AppState


def wide_expression(units: int = 12, swapped: int = 0) -> str:
    """A two-layer tanh network of `units` hidden units on inputs x, y: about 8 nodes per unit.

    In the first `swapped` units x and y change places: the same size, another structure.
    """
    hidden = [f"v{i}*tanh(a{i}*{'xy'[i < swapped]} + b{i}*{'yx'[i < swapped]} + c{i})" for i in range(units)]
    return " + ".join(hidden)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    from graphviz_app.app import GUI_SWITCH_INTERVAL_S

    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)  # as `graphviz-app` runs: the GUI thread gets the GIL back sooner
    state = AppState(wide_expression(), {})
    view = GraphView(state)
    view.set_animation_ms(0)
    view.resize(1600, 900)
    view.show()
    app.processEvents()
    nodes = len(state.graph.nodes)
    start = time.perf_counter()
    state.set_expression(state.expression)  # a rebuild, for comparison
    rebuild_ms = (time.perf_counter() - start) * 1000
    relabel_ms, cursor_ms, total_ms = [], [], []
    stride = max(1, state.step_count // 40)
    for k in range(0, state.step_count + 1, stride):
        # The view alone, on a real change of texts: jump the cursor without the signal, then relabel.
        state.cursor = (k + state.step_count // 2) % (state.step_count + 1)
        t0 = time.perf_counter()
        view.relabel()
        relabel_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        state.set_cursor(k)  # AppState builds the TraceState, the view relabels
        cursor_ms.append((time.perf_counter() - t0) * 1000)
        # Paint the cursor jump first: otherwise its repaint (half the labels change) is charged to
        # the input edit below, which alone changes far fewer labels (as a slider drag does).
        app.processEvents()
        t0 = time.perf_counter()
        state.set_input("x", 0.1 * k)  # re-evaluate + relabel, as an input slider drag does
        app.processEvents()  # include the repaint
        total_ms.append((time.perf_counter() - t0) * 1000)
    print(
        f"graph: {nodes} nodes, {state.step_count} steps; "
        f"rebuild (layout + items + label placement) {rebuild_ms:.0f} ms"
    )
    print(f"relabel, view only:          median {statistics.median(relabel_ms):.2f} ms, max {max(relabel_ms):.2f} ms")
    print(f"cursor jump + relabel:       median {statistics.median(cursor_ms):.2f} ms, max {max(cursor_ms):.2f} ms")
    print(f"input edit + relabel+paint:  median {statistics.median(total_ms):.2f} ms, max {max(total_ms):.2f} ms")
    print("budget: one frame = 16 ms")
    print("Enter, a constant edited (the same structure: its layout is reused):")
    same = enter_to_paint_ms()
    print("Enter, the structure edited (a new one every run, 133 nodes: laid out again):")
    changed = enter_to_paint_ms(structural=True)
    print(
        f"Enter -> new graph painted (window, thread pool): median {same:.0f} ms (a constant edited), "
        f"{changed:.0f} ms (the structure edited)"
    )


class _Paints(QObject):
    """Notes the first paint of the canvas once `done()` holds (the new graph is on screen): when it
    starts, and when it is over (the next event-loop turn), where it ends `loop`."""

    def __init__(self, loop: QEventLoop, done) -> None:
        super().__init__()
        self.loop, self.done = loop, done
        self.last = 0.0  # the paint event arrives
        self.last_cpu = 0.0  # the GUI thread's CPU time then (time.thread_time)
        self.painted = 0.0  # the paint is over
        self.painted_cpu = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.last and self.done():
            self.last, self.last_cpu = time.perf_counter(), time.thread_time()
            QTimer.singleShot(0, self._over)
        return False

    def _over(self) -> None:
        self.painted, self.painted_cpu = time.perf_counter(), time.thread_time()
        self.loop.quit()


def enter_to_paint_ms(runs: int = 9, structural: bool = False) -> float:
    """Enter in the expression bar to the first paint that shows the new graph, in the window.

    Each run edits the last constant, so the structure stays the same (its layout is reused); with
    `structural`, each run has a new structure of the same size (x and y swapped in one more unit).

    The GUI thread waits in an event loop, as in the app (a loop polling `processEvents` would take the
    GIL from the worker building the graph and lengthen what it measures).
    """
    from graphviz_app.main_window import MainWindow
    from graphviz_app.widgets.background import ThreadRunner

    app = QApplication.instance()
    state = AppState(runner=ThreadRunner(app))
    window = MainWindow(state)
    window.resize(1600, 1000)
    window.show()
    view = window.view
    times, cpu, done_times, done_cpu = [], [], [], []
    for k in range(runs):
        if structural:
            text = f"{wide_expression(swapped=k + 1)} + {k}"
        else:
            text = f"{wide_expression()} + {k}"  # a new graph each time, the same size
        window.expression_bar.line.setText(text)
        settle = QEventLoop()
        QTimer.singleShot(1500, settle.quit)  # the last graph's label search is done
        settle.exec()
        loop = QEventLoop()
        paints = _Paints(loop, lambda t=text: not (state.building or view.drawing_scene or state.expression != t))
        view.viewport().installEventFilter(paints)
        QTimer.singleShot(30000, loop.quit)
        start, start_cpu = time.perf_counter(), time.thread_time()
        QTest.keyClick(window.expression_bar.line, Qt.Key.Key_Return)
        loop.exec()
        view.viewport().removeEventFilter(paints)
        if k:  # the first run pays for first-use caches
            times.append((paints.last - start) * 1000)
            cpu.append((paints.last_cpu - start_cpu) * 1000)
            done_times.append((paints.painted - start) * 1000)
            done_cpu.append((paints.painted_cpu - start_cpu) * 1000)
    window.confirm_discard = lambda doing: True  # a benchmark's edits are not work to keep
    window.close()
    print("  Enter -> paint starts, each run (ms): " + ", ".join(f"{t:.0f}" for t in times))
    print(f"    of which GUI-thread CPU (ms, median): {statistics.median(cpu):.0f}; the rest is the worker and waits")
    print(
        f"  Enter -> paint over: median {statistics.median(done_times):.0f} ms "
        f"(GUI-thread CPU {statistics.median(done_cpu):.0f})"
    )
    return statistics.median(times)


if __name__ == "__main__":
    main()
