"""Copy as PyTorch (Edit menu), Export PyTorch script (File menu) and `--export-pytorch`."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

import core
from graphviz_app import app
from graphviz_app.debugger.state import AppState
from graphviz_app.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    state = AppState()
    state.load_example("circuit")
    win = MainWindow(state)
    qtbot.addWidget(win)
    return win


def menu_action(win: MainWindow, menu_title: str, text: str):
    for menu_action in win.menuBar().actions():
        if menu_action.text().replace("&", "") == menu_title:
            for act in menu_action.menu().actions():
                if act.text().replace("&", "") == text:
                    return act
    raise AssertionError(f"no {menu_title} → {text}")


def test_copy_as_pytorch_puts_the_circuit_script_on_the_clipboard(window):
    menu_action(window, "Edit", "Copy as PyTorch").trigger()
    text = QApplication.clipboard().text()
    state = window.state
    assert text == core.to_pytorch(state.graph, state.inputs)
    assert "backward()" in text


def test_export_pytorch_writes_the_script_for_the_current_inputs(window, tmp_path):
    assert menu_action(window, "File", "Export PyTorch script…") is not None
    window.state.set_input(window.state.graph.inputs[0], 7.5)
    path = tmp_path / "circuit.py"
    assert window.export_pytorch_file(path)
    assert "torch.tensor(7.5, dtype=torch.float64, requires_grad=True)" in path.read_text(encoding="utf-8")


def test_export_pytorch_to_a_bad_place_says_so_and_does_not_crash(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(window, "show_message", lambda title, text, error=False, rich=False: shown.append(text))
    assert not window.export_pytorch_file(tmp_path / "missing-dir" / "x.py")
    assert shown and "cannot export" in shown[0]


def test_headless_export_pytorch_needs_no_qt_window(tmp_path, capsys):
    out = tmp_path / "out.py"
    code = app.main(
        ["--expr", "(x+y)*z", "--set", "x=-2", "--set", "y=5", "--set", "z=-4", "--export-pytorch", str(out)]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "x = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)" in text
    assert 'print(f"df/dz = {z.grad.item()!r}")' in text
    assert "wrote" in capsys.readouterr().out
