"""Shared benchmark plumbing: the dagster-fivetran virtualenv, timed subprocesses, medians.

dagster-fivetran 0.29.27 pins its own dagster, so it runs in a virtualenv of its own
(benchmarks/.work/venv-dagster-fivetran, created on first use) and always in a subprocess.
Whole-process wall time and peak RSS come from `os.wait4` on that child, through a small
launcher (see `measure`). `cpu_pin` limits a child to two CPUs with taskset where there is
one; `take_snapshot` runs our snapshot CLI against the simulator; `summary` and `print_table`
report medians.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fivetran_codegen_runtime.testing import FivetranSimulator

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS_DIR = HERE / "results"
CLI = Path(sys.executable).parent / "fivetran-codegen"
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


# Spawns the command and reports its wall time, peak RSS (KiB) and exit code. On Linux a forked
# child starts with its parent's RSS high-water mark and keeps it across exec, so wait4 on a
# child of this (large) process would report at least this process's RSS; a small launcher
# process in between keeps that floor at the launcher's few MB.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def measure(
    args: list[str], env: Mapping[str, str | None] | None = None, cwd: Path | None = None
) -> Measured:
    """Run a command to completion; its wall time and peak RSS (wait4, via a small launcher).

    `env` is added to ours; a None value removes that variable.
    """
    child_env = {**os.environ, **(env or {})}
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "report"
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report)]
        code = subprocess.run(
            [*launcher, *args],
            stdout=out,
            stderr=err,
            env={k: v for k, v in child_env.items() if v is not None},
            cwd=cwd,
            check=False,
        ).returncode
        out.seek(0)
        err.seek(0)
        if not report.exists():  # the launcher itself failed (e.g. no such command)
            return Measured(float("nan"), float("nan"), out.read(), err.read(), code or 1)
        seconds, rss_kib, code_text = report.read_text().split()
        return Measured(float(seconds), int(rss_kib) / 1024, out.read(), err.read(), int(code_text))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summary(runs: Sequence[Measured]) -> dict[str, float]:
    """Median wall time and peak RSS of some runs, with the fastest and slowest time."""
    seconds = [m.seconds for m in runs]
    return {
        "seconds": median(seconds),
        "min_seconds": min(seconds, default=float("nan")),
        "max_seconds": max(seconds, default=float("nan")),
        "peak_rss_mb": median([m.peak_rss_mb for m in runs]),
        "runs": len(runs),
    }


def cpu_pin(cores: int = 2) -> list[str]:
    """A `taskset` prefix limiting a child to the first `cores` CPUs we may use ([] without it)."""
    taskset = shutil.which("taskset")
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if taskset is None or not allowed:
        return []
    return [taskset, "-c", ",".join(str(cpu) for cpu in allowed[:cores])]


def pinning_note(prefix: list[str]) -> str:
    return f"taskset {' '.join(prefix[1:])}" if prefix else "all CPUs (not pinned)"


def checked(measured: Measured, what: str) -> Measured:
    """The run, or exit with its stderr when it failed."""
    if measured.code != 0:
        raise SystemExit(f"{what} failed (exit {measured.code}):\n{measured.stderr[-4000:]}")
    return measured


def take_snapshot(sim: FivetranSimulator, out: Path) -> None:
    """Snapshot the simulated workspace with our CLI."""
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {"FIVETRAN_API_KEY": sim.api_key, "FIVETRAN_API_SECRET": sim.api_secret}
    command = [str(CLI), "snapshot", "--api-url", sim.url, "-o", str(out), "--no-progress"]
    checked(measure(command, env=env), "fivetran-codegen snapshot")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain left-aligned text table on stdout."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _cell(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def write_results(name: str, result: dict[str, Any]) -> Path:
    path = RESULTS_DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return path
