"""The command line: headless export with no display, clear errors (exit 2), the no-display message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graphviz_app import app


def run(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "graphviz_app", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_export_writes_a_file_without_a_display(tmp_path, suffix):
    out = tmp_path / f"circuit.{suffix}"
    result = run(
        "--expr",
        "(x+y)*z",
        "--set",
        "x=-2",
        "--set",
        "y=5",
        "--set",
        "z=-4",
        "--phase",
        "backward",
        "--export",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    if suffix == "svg":
        assert "<svg" in out.read_text()
    else:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_an_example_at_a_step_in_dark(tmp_path):
    out = tmp_path / "neuron.png"
    result = run("--example", "sigmoid_neuron", "--step", "5", "--dark", "--export", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--expr", "(x + * y"], "invalid expression"),
        (["--expr", "x*y", "--set", "x"], "expected NAME=NUMBER"),
        (["--expr", "x*y", "--set", "x=abc"], "expected NAME=NUMBER"),
        (["--expr", "x*y", "--set", "q=1"], "no input 'q'"),
        (["--example", "no_such_example"], "no example named"),
        (["--expr", "x", "--export", "out.gif"], ".png or .svg"),
    ],
)
def test_mistakes_exit_with_2_and_a_message(args, message, capsys, tmp_path):
    args = [a if a != "out.gif" else str(tmp_path / "out.gif") for a in args]
    if "--export" not in args:
        args += ["--export", str(tmp_path / "x.png")]
    assert app.main(args) == 2
    assert message in capsys.readouterr().err


def test_no_display_gives_a_clear_message(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app.main(["--example", "circuit"]) == 2
    assert "graphviz-app needs a display (or use --export FILE)" in capsys.readouterr().err


def test_no_display_message_from_the_real_command():
    result = run("--expr", "x*y")
    assert result.returncode == 2
    assert "needs a display" in result.stderr


def test_offscreen_platform_counts_as_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.has_display()


def test_a_program_too_big_to_draw_prints_one_line_and_exits_2(capsys):
    from graphviz_app.app import main

    code = main(["--expr", "+".join(f"x{i}" for i in range(2600))])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "5,199 nodes" in err and "5,000" in err


def test_an_unknown_tab_is_one_line_listing_the_valid_names(capsys):
    assert app.main(["--tab", "graphs", "--expr", "x"]) == 2
    err = capsys.readouterr().err
    assert err == "graphviz-app: unknown tab 'graphs'; valid: debugger, lab, activations, networks\n"


def test_tab_names_are_checked_before_anything_else():
    assert app.tab_name("Lab") == "lab" and app.tab_name("graph") == "debugger"  # the old name still works
    with pytest.raises(app.UsageError, match="valid: debugger, lab"):
        app.tab_name("3")


@pytest.mark.parametrize("step", ["999", "-5"])
def test_a_step_out_of_range_is_refused_with_the_valid_range(capsys, tmp_path, step):
    # Regression: --step silently clamped and exported the last (or first) step with exit 0.
    out = tmp_path / "a.png"
    assert app.main(["--expr", "(x+y)*z", "--step", step, "--export", str(out)]) == 2
    assert capsys.readouterr().err == f"graphviz-app: --step {step} is out of range: this graph has steps 0 to 4\n"
    assert not out.exists()


def test_a_session_named_on_the_command_line_must_exist(capsys, tmp_path):
    assert app.main([str(tmp_path / "gone.json")]) == 2
    assert "cannot open session" in capsys.readouterr().err


def test_a_session_does_not_combine_with_an_export(capsys, tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{}", encoding="utf-8")
    assert app.main([str(path), "--export", str(tmp_path / "x.png")]) == 2
    assert "exports take --expr or --example" in capsys.readouterr().err


def test_a_session_named_on_the_command_line_opens_in_the_window(qtbot, tmp_path):
    from graphviz_app import session
    from graphviz_app.debugger.state import AppState
    from graphviz_app.jobs import InlineRunner

    path = tmp_path / "work.json"
    session.save_session(AppState("a*b + 1", {"a": 3.0, "b": -2.0}), path, tab="lab")
    args = app.parser().parse_args([str(path)])
    text, inputs = app.resolve(args)
    window = app.open_window(args, text, inputs, InlineRunner())
    qtbot.addWidget(window)
    assert window.state.expression == "a*b + 1" and window.state.inputs["a"] == 3.0
    assert window.current_tab() == "lab"
