"""Shared benchmark plumbing: the dagster-fivetran virtualenv, timed subprocesses, medians.

dagster-fivetran 0.29.27 pins its own dagster, so it runs in a virtualenv of its own
(benchmarks/.work/venv-dagster-fivetran, created on first use) and always in a subprocess.
Whole-process wall time and peak RSS come from `os.wait4` on that child.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
DAGSTER_FIVETRAN = "dagster-fivetran==0.29.27"
ANCHOR_VENV = WORK / "venv-dagster-fivetran"


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    code: int


def anchor_python() -> Path:
    """The dagster-fivetran virtualenv's python, created on first use."""
    python = ANCHOR_VENV / "bin" / "python"
    marker = ANCHOR_VENV / ".installed"
    if not marker.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(ANCHOR_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", DAGSTER_FIVETRAN], check=True
        )
        marker.write_text(DAGSTER_FIVETRAN + "\n")
    return python


def measure(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Run a command to completion; wall time and the child's own peak RSS (from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            args, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})}, cwd=cwd
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, out.read(), err.read(), process.returncode)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
