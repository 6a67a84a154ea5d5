"""`core` is the model: it never imports Qt, and it never hands user text to `eval`/`exec`."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import core

CORE_DIR = Path(core.__file__).resolve().parent
SUBMODULES = sorted(f"core.{m.name}" for m in pkgutil.iter_modules([str(CORE_DIR)]))
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


def test_core_has_the_expected_submodules() -> None:
    for name in (
        "core.ops",
        "core.parser",
        "core.expressions",
        "core.plan",
        "core.evaluate",
        "core.trace",
        "core.gradcheck",
        "core.examples",
        "core.graph",
    ):
        assert name in SUBMODULES


def test_importing_core_loads_no_qt() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {['core', *SUBMODULES]!r}:\n"
        "    importlib.import_module(name)\n"
        "import core\n"
        "core.parse('(x + y) * z').trace({'x': -2, 'y': 5, 'z': -4})\n"
        "core.layout(core.parse('(x + y) * z'))\n"
        "core.examples()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=CORE_DIR.parent
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    qt = [m for m in loaded if m.split(".")[0] in QT_MODULES]
    assert qt == []
    assert set(SUBMODULES) <= set(loaded)


# Calls that could run text as code. One definition, used by the scan and by its own test below: a
# weakened pattern fails `test_the_grep_would_catch_a_call`, not only the scan's own silence.
# eval/exec as calls of their own (not g.evaluate); compile and __import__ under any name (builtins.compile).
DYNAMIC_CODE = re.compile(r"(?<![\w.])(eval|exec)\s*\(|\b(compile|__import__)\s*\(")


def runs_text_as_code(line: str) -> bool:
    """Whether a line of source calls eval/exec/compile/__import__ (outside a comment)."""
    return DYNAMIC_CODE.search(line.split("#", 1)[0]) is not None


def test_core_source_never_calls_eval_or_exec() -> None:
    found = []
    for path in sorted(CORE_DIR.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if runs_text_as_code(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize(
    "line",
    ["value = eval(text)", "exec (code)", "compile(text, '<x>', 'eval')", "builtins.compile(s)", "__import__('os')"],
)
def test_the_grep_would_catch_a_call(line: str) -> None:
    assert runs_text_as_code(line)
    assert runs_text_as_code(f"    {line}  # a comment after the call")


@pytest.mark.parametrize(
    "line",
    ["g.evaluate(inputs)", "def _evaluate(x):", "x = 1  # eval(text) in a comment", "executor(x)", "compile_plan(g)"],
)
def test_the_grep_ignores_what_is_not_such_a_call(line: str) -> None:
    assert not runs_text_as_code(line)
