"""The debugger's graph as a PyTorch script (core.to_pytorch on the state's graph and inputs)."""

from __future__ import annotations

from pathlib import Path

import core


def pytorch_script(state) -> str:
    """The script for what the debugger shows: its last good graph at the current input values."""
    return core.to_pytorch(state.graph, {name: state.inputs.get(name, 1.0) for name in state.graph.inputs})


def write_pytorch_script(state, path: str | Path) -> None:
    Path(path).write_text(pytorch_script(state), encoding="utf-8")
