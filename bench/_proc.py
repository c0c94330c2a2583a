"""Run one benchmark step in a fresh Python process and measure it from outside.

The child (`python -m bench._child TASK ARGS OUT`) writes its result as JSON; the parent
reaps it with `os.wait4`, whose resource usage is that child's alone: `ru_maxrss` is the
child's RSS high-water mark (DuckDB's threads included), wall time is measured here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StepResult:
    task: str
    ok: bool
    wall_s: float
    peak_rss_mb: float
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    log: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "wall_s": round(self.wall_s, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "error": self.error,
            "log": self.log,
            **self.data,
        }


def run_step(task: str, args: dict[str, Any], *, logs_dir: Path, label: str) -> StepResult:
    """Run `task` with `args` in a child process; stdout and stderr go to logs_dir/label.log."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    out = logs_dir / f"{label}.json"
    log = logs_dir / f"{label}.log"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench._child", task, json.dumps(args), str(out)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    peak_mb = usage.ru_maxrss / 1024  # Linux reports kilobytes
    if proc.returncode != 0 or not out.exists():
        tail = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        error = tail[-1] if tail else f"exit code {proc.returncode}"
        return StepResult(task, False, wall, peak_mb, error=error[:300], log=str(log))
    data = json.loads(out.read_text())
    return StepResult(task, True, wall, peak_mb, data=data, log=str(log))
