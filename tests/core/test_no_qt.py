"""`core` is the model: it never imports Qt, and it never hands user text to `eval`/`exec`."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import core

CORE_DIR = Path(core.__file__).resolve().parent
SUBMODULES = sorted(f"core.{m.name}" for m in pkgutil.iter_modules([str(CORE_DIR)]))
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


def test_core_has_the_expected_submodules() -> None:
    for name in (
        "core.ops",
        "core.parser",
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


def test_core_source_never_calls_eval_or_exec() -> None:
    calls = re.compile(r"(?<![\w.])(eval|exec)\s*\(")
    found = []
    for path in sorted(CORE_DIR.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if calls.search(code) or re.search(r"\b(compile|__import__)\s*\(", code):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


def test_the_grep_would_catch_a_call() -> None:
    calls = re.compile(r"(?<![\w.])(eval|exec)\s*\(")
    assert calls.search("value = eval(text)")
    assert calls.search("exec (code)")
    assert not calls.search("g.evaluate(inputs)")
    assert not calls.search("def _evaluate(x):")
