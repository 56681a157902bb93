"""A child process that stops at named phases, so its parent can act between them.

Standard library only: the dagster-fivetran virtualenv imports it too.

    child:   phase("loaded", seconds=1.2)   # one marked JSON line on stdout, then waits for "go"
    parent:  run_phased(command, on_phase)  # on_phase(Phase) runs while the child waits

The parent reads the simulator's request log in `on_phase`, so the calls of each phase are the
log entries between two phases (the child makes no request while it waits).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PREFIX = "@@phase "
GO = "go"


@dataclass(frozen=True)
class Phase:
    name: str
    data: dict[str, Any]


def phase(name: str, **data: Any) -> None:
    """Child side: announce `name` with `data` and wait until the parent says go."""
    sys.stdout.write(PREFIX + json.dumps({"name": name, "data": data}) + "\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != GO:
        raise SystemExit("the parent went away")


def run_phased(
    command: Sequence[str],
    on_phase: Callable[[Phase], None],
    env: Mapping[str, str] | None = None,
) -> list[Phase]:
    """Parent side: run the child to completion, calling `on_phase` at each of its phases.

    Exits with the child's stderr when it fails.
    """
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, **(env or {})},
        )
        try:
            phases = _follow(process, on_phase)
            code = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if code != 0:
            err.seek(0)
            script = next((part for part in command if part.endswith(".py")), command[0])
            raise SystemExit(f"{script} failed (exit {code}):\n{err.read()[-4000:]}")
    return phases


def _follow(process: subprocess.Popen[str], on_phase: Callable[[Phase], None]) -> list[Phase]:
    assert process.stdout is not None and process.stdin is not None
    phases = []
    for line in process.stdout:
        if not line.startswith(PREFIX):
            continue
        record = json.loads(line[len(PREFIX) :])
        current = Phase(record["name"], record["data"])
        on_phase(current)
        phases.append(current)
        process.stdin.write(GO + "\n")
        process.stdin.flush()
    return phases
