"""The longest event-loop gap of every action the foundation issue names, tab by tab.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_event_loop.py
Runs each `bench_gaps_*.py` beside this file in its own process (a fresh window each), prints their
lines (`action  gap ms  ok|STALL ...`) and, last, how many actions went over the 50 ms budget (every
STALL line counts, also those whose GUI-thread CPU stayed within it: the user waited all the same).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH", "")]))
    stalls = 0
    for script in sorted(HERE.glob("bench_gaps_*.py")):
        print(f"== {script.name}", flush=True)
        run = subprocess.run(
            [sys.executable, str(script)], env=env, cwd=HERE.parent, capture_output=True, text=True, check=False
        )
        print(run.stdout, end="", flush=True)
        if run.returncode != 0:
            print(f"   {script.name} failed (exit {run.returncode}):\n{run.stderr[-2000:]}", flush=True)
            stalls += 1
        stalls += sum("STALL" in line for line in run.stdout.splitlines())
    print(f"== {stalls} action(s) over the 50 ms budget" if stalls else "== every action within 50 ms")
    return 1 if stalls else 0


if __name__ == "__main__":
    sys.exit(main())
