"""AppState is Qt-free: psygnal signals, importable without PySide6, views survive being deleted."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from graphviz_app.debugger.inspector import Inspector
from graphviz_app.debugger.state import AppState


def test_state_imports_without_pyside6() -> None:
    # PySide6 made unimportable: importing the state, building and editing a graph must still work.
    script = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
                    raise ImportError("blocked: " + name)
        sys.meta_path.insert(0, Block())
        from psygnal import Signal
        from graphviz_app.debugger.state import AppState
        class PlainTheme:  # graphviz_app.theme draws with Qt: the window hands the state its Theme
            changed = Signal(bool)
            dark = False
        state = AppState("(x + y) * z", {"x": 2.0}, theme=PlainTheme())
        state.set_input("y", 3.0)
        print(state.result.value, sorted(m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph"))))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[0] == "5.0"  # (2 + 3) * 1
    assert run.stdout.strip().endswith("[]")


def test_signals_reach_plain_callables() -> None:
    state = AppState("x * y")
    seen: list[int] = []
    state.sig_cursor_changed.connect(seen.append)
    state.step_forward()
    assert seen == [1]


def test_a_deleted_view_is_disconnected(qtbot) -> None:
    state = AppState("x * y")
    inspector = Inspector(state)
    before = len(state.sig_cursor_changed)
    assert before >= 1
    wrapper = inspector  # the Python wrapper stays alive while Qt deletes the widget
    wrapper.deleteLater()
    qtbot.waitUntil(lambda: len(state.sig_cursor_changed) == before - 1)
    state.step_forward()  # would raise "Internal C++ object already deleted" if still connected
    assert state.cursor == 1
