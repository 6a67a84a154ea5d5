"""Entry point of `graphviz-app` (and `python -m graphviz_app`): the window, or a headless export.

    graphviz-app --expr "(x+y)*z" --set x=-2 --set y=5 --set z=-4 --phase backward --export out.png

With `--export` the scene is rendered offscreen (QT_QPA_PLATFORM=offscreen is chosen before Qt
starts, so no display is needed) and the program exits. Without it the same flags open the window.
Mistakes a user can make (a bad expression, a bad --set) give a clear message and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import core
from graphviz_app import TAB_NAMES
from graphviz_app.debugger.drawing import MAX_DRAWN_NODES  # Qt-free

HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc"}
# Work on the thread pool is Python and holds the GIL; pyqtgraph paints through Python callbacks, each
# of which waits for the GIL up to this long. Python's 5 ms made a repaint during training wait 100-150 ms
# (benchmarks/bench_gaps_networks.py); 0.5 ms keeps it near 50 ms for a little switching overhead.
GUI_SWITCH_INTERVAL_S = 0.0005
DEBUGGER_TAB = "debugger"
DEFAULT_EXAMPLE = "circuit"  # (x + y)·z with x = -2, y = 5, z = -4


class UsageError(Exception):
    """A mistake in the command line; its message is printed and the exit code is 2."""


TAB_ALIASES = {"graph": "debugger"}  # the old name of the debugger tab


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphviz-app",
        description="See backpropagation: type an expression, step through its forward and backward pass.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("session", nargs="?", metavar="SESSION", help="a saved session (.json) to open in the window")
    source.add_argument("--expr", metavar="TEXT", help='an expression or program, e.g. "(x+y)*z"')
    source.add_argument("--example", metavar="NAME", help="one of the examples, e.g. circuit, sigmoid_neuron")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="an input value (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--phase",
        choices=("forward", "backward", "both"),
        help="play this phase to its end (backward/both: after the backward pass)",
    )
    where.add_argument("--step", type=int, metavar="N", help="show the state after N steps")
    p.add_argument("--export", metavar="FILE", help="write the scene to FILE (.png or .svg) and exit")
    p.add_argument(
        "--export-pytorch",
        metavar="FILE",
        help="write the expression as a PyTorch script that prints its gradients, and exit (no Qt needed)",
    )
    p.add_argument(
        "--export-animation",
        metavar="FILE",
        help="write the forward and backward stepping as an animated GIF (or MP4 with imageio-ffmpeg) and exit; "
        "with --tab lab the optimizer race, with --tab networks a network's training",
    )
    p.add_argument("--fps", type=float, default=2.0, metavar="N", help="frames per second of --export-animation")
    p.add_argument(
        "--every", type=int, metavar="K", help="--export-animation of the race or a training: a frame every K steps"
    )
    p.add_argument("--size", metavar="WxH", help="export size in pixels, e.g. 1600x900")
    theme_flags = p.add_mutually_exclusive_group()
    theme_flags.add_argument("--dark", action="store_true", help="dark theme (default: the theme of the last run)")
    theme_flags.add_argument("--light", action="store_true", help="light theme")
    p.add_argument(
        "--tab",
        metavar="NAME",
        help=f"open on this tab: {', '.join(TAB_NAMES)} (the graph debugger, the optimizer lab, activations, "
        "tiny networks; default: the tab of the last run)",
    )
    return p


def tab_name(text: str) -> str:
    """The tab `--tab` asks for; a UsageError listing the valid names otherwise."""
    name = TAB_ALIASES.get(text.strip().lower(), text.strip().lower())
    if name not in TAB_NAMES:
        raise UsageError(f"unknown tab {text!r}; valid: {', '.join(TAB_NAMES)}")
    return name


def resolve(args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """The expression and input values the flags ask for; UsageError when they are wrong."""
    if args.example:
        try:
            found = core.example(args.example)
        except KeyError as error:
            raise UsageError(str(error.args[0])) from None
        text, inputs = found.expression, dict(found.inputs)
    elif args.expr is not None:
        text, inputs = args.expr, {}
    else:
        found = core.example(DEFAULT_EXAMPLE)
        text, inputs = found.expression, dict(found.inputs)
    try:
        graph = core.parse(text)
    except core.ParseError as error:
        line = text.splitlines()[error.line - 1] if text.splitlines() else text
        raise UsageError(f"invalid expression: {error}\n  {line}\n  {' ' * (error.column - 1)}^") from None
    if len(graph.nodes) > MAX_DRAWN_NODES:
        raise UsageError(f"the program has {len(graph.nodes):,} nodes; the debugger draws at most {MAX_DRAWN_NODES:,}")
    for item in args.set:
        name, sep, value = item.partition("=")
        name = name.strip()
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not math.isfinite(number):
            raise UsageError(f"bad --set {item!r}: expected NAME=NUMBER, e.g. --set x=-2")
        if name not in graph.inputs:
            raise UsageError(
                f"bad --set {item!r}: the expression has no input {name!r} "
                f"(its inputs: {', '.join(graph.inputs) or 'none'})"
            )
        inputs[name] = number
    return text, inputs


def check_session_path(args: argparse.Namespace) -> None:
    """A session named on the command line must be a file, and it opens in the window only."""
    if not Path(args.session).is_file():
        raise UsageError(f"cannot open session {args.session!r}: no such file")
    if args.export or args.export_pytorch or args.export_animation:
        raise UsageError("a session opens in the window; exports take --expr or --example")


def export_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or not (0 < int(w) <= 20000 and 0 < int(h) <= 20000):
        raise UsageError(f"bad --size {text!r}: expected WIDTHxHEIGHT, e.g. 1600x900")
    return int(w), int(h)


def has_display() -> bool:
    """False on a Linux machine where Qt would abort for lack of a screen."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in HEADLESS_PLATFORMS:
        return True
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def process_age() -> float:
    """Seconds since this process started (Linux; nan elsewhere), for the startup-time report."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, open("/proc/uptime", encoding="ascii") as up:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            return float(up.read().split()[0]) - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


def place_cursor(state, args: argparse.Namespace) -> None:
    if args.step is not None:
        if not 0 <= args.step <= state.step_count:
            raise UsageError(f"--step {args.step} is out of range: this graph has steps 0 to {state.step_count}")
        state.set_cursor(args.step)
    elif args.phase:
        state.set_phase(args.phase)
        state.run_to_end()


def run_export(args: argparse.Namespace, text: str, inputs: dict[str, float]) -> int:
    path = args.export
    if not path.lower().endswith((".png", ".svg")):
        raise UsageError(f"cannot export {path!r}: the file name must end in .png or .svg")
    size = export_size(args.size)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before QApplication: no display needed
    from PySide6.QtWidgets import QApplication

    from graphviz_app.debugger.state import AppState
    from graphviz_app.export.picture import export_scene

    app = QApplication.instance() or QApplication(["graphviz-app"])  # noqa: F841 - must outlive the export
    state = AppState(text, inputs)
    if args.step is None and not args.phase:
        state.run_to_end()  # a picture is most useful with every value and gradient on it
    place_cursor(state, args)
    try:
        export_scene(state, path, dark=args.dark, size=size)
    except (OSError, ValueError) as error:
        print(f"graphviz-app: cannot export {path}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def remembered_choice(args: argparse.Namespace, dark: bool | None, tab: str | None) -> tuple[bool, str | None]:
    """The theme and the tab to open when the flags leave them to the last run (`dark`, `tab`: what it
    left, or None). The tab is None when the flags name one or the last run's is the debugger."""
    theme_dark = args.dark or (not args.light and bool(dark))
    tab = TAB_ALIASES.get(tab, tab) if tab else None
    return theme_dark, None if args.tab or tab == DEBUGGER_TAB else tab


def run_export_pytorch(path: str, text: str, inputs: dict[str, float]) -> int:
    graph = core.parse(text)  # `resolve` parsed it already: it is good
    try:
        script = core.to_pytorch(graph, {name: inputs.get(name, 1.0) for name in graph.inputs})
        Path(path).write_text(script, encoding="utf-8")
    except (OSError, ValueError) as error:
        print(f"graphviz-app: cannot export {path}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def run_export_animation(args: argparse.Namespace, text: str, inputs: dict[str, float]) -> int:
    path = args.export_animation
    size = export_size(args.size)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before QApplication: no display needed
    from PySide6.QtWidgets import QApplication

    from graphviz_app.debugger.state import AppState
    from graphviz_app.export import animation

    app = QApplication.instance() or QApplication(["graphviz-app"])  # noqa: F841 - must outlive the export
    tab = tab_name(args.tab) if args.tab else DEBUGGER_TAB
    try:
        animation.check_path(path)
        if tab in ("lab", "networks"):
            from graphviz_app.export.frame_sources import export_tab_animation

            frames = export_tab_animation(tab, path, args.fps, size or animation.DEFAULT_SIZE, args.every, args.dark)
        elif tab != DEBUGGER_TAB:
            raise UsageError(f"--export-animation draws the debugger, the lab or the networks tab, not {tab}")
        else:
            state = AppState(text, inputs)
            state.set_dark(args.dark)
            frames = animation.export_animation(state, path, fps=args.fps, size=size or animation.DEFAULT_SIZE)
    except (OSError, ValueError) as error:
        print(f"graphviz-app: cannot export {path}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({frames} frames at {args.fps:g} fps)")
    return 0


def run_window(args: argparse.Namespace, text: str, inputs: dict[str, float], started: float) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    # Imported after the QApplication exists: the graph items create fonts when they are imported.
    from graphviz_app import theme
    from graphviz_app.widgets.background import ThreadRunner

    app.setApplicationName("graphviz-app")
    app.setFont(theme.base_font())
    app.setWindowIcon(theme.app_icon())
    runner = ThreadRunner(app)
    window = open_window(args, text, inputs, runner)
    from graphviz_app.lab import preload

    QTimer.singleShot(500, preload)  # the lab's imports in the background, before anyone opens the tab

    def report_startup() -> None:
        window.view.fit()  # the final geometry is known once the window is on screen
        if os.environ.get("GRAPHVIZ_APP_STARTUP"):
            print(
                f"startup {time.perf_counter() - started:.3f} s since main(), {process_age():.2f} s since the "
                "process started",
                file=sys.stderr,
                flush=True,
            )
            if os.environ["GRAPHVIZ_APP_STARTUP"] == "quit":
                app.quit()

    QTimer.singleShot(0, report_startup)
    code = app.exec()
    runner.wait(5000)  # let a running job end before Python tears the objects down
    return code


def open_window(args: argparse.Namespace, text: str, inputs: dict[str, float], runner):
    """The main window as the flags ask for it, shown, with `args.session` (if any) being opened."""
    from PySide6.QtWidgets import QApplication

    from graphviz_app import settings, theme
    from graphviz_app.debugger.state import AppState
    from graphviz_app.main_window import MainWindow, UnknownTab

    app = QApplication.instance()
    last = settings.remembered()
    dark, last_tab = remembered_choice(args, last.dark, last.tab)
    theme.apply_theme(app, dark)
    state = AppState(text, inputs, runner=runner)  # every tab's heavy work runs on its pool
    state.set_dark(dark)
    place_cursor(state, args)
    window = MainWindow(state, extra_tabs=True, preload=True)
    window.view.set_dark(dark)
    if last.geometry is not None:
        window.restoreGeometry(last.geometry)
    try:
        window.open_tab(tab_name(args.tab) if args.tab else DEBUGGER_TAB)
    except UnknownTab as error:  # a tab this installation lacks: say so rather than open another one
        raise UsageError(str(error)) from None
    if last_tab is not None:
        with contextlib.suppress(UnknownTab):  # the last run's tab, if this installation has it
            window.open_tab(last_tab)
    window.show()
    window.raise_()
    window.activateWindow()  # keyboard shortcuts work at once, without a first click
    window.view.fit()
    if args.session:
        window.open_session_file(args.session)  # read on the runner; its tab comes forward once shown
    return window


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    args = parser().parse_args(argv)
    try:
        if args.tab is not None:
            tab_name(args.tab)
        if args.session is not None:
            check_session_path(args)
        text, inputs = resolve(args)
        exports = [
            (args.export_pytorch, lambda: run_export_pytorch(args.export_pytorch, text, inputs)),
            (args.export_animation, lambda: run_export_animation(args, text, inputs)),
            (args.export, lambda: run_export(args, text, inputs)),
        ]
        if any(path for path, _ in exports):
            codes = [export() for path, export in exports if path]
            return max(codes)
        export_size(args.size)
        if not has_display():
            print("graphviz-app needs a display (or use --export FILE)", file=sys.stderr)
            return 2
        return run_window(args, text, inputs, started)
    except UsageError as error:
        print(f"graphviz-app: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
