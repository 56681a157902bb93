"""Progress on stderr while a snapshot runs: rich bars on a terminal, nothing elsewhere."""

from __future__ import annotations

import os
import sys
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Reporter(Protocol):
    def stage(self, description: str, total: int) -> None: ...
    def advance(self) -> None: ...
    def close(self) -> None: ...


class Silent:
    def stage(self, description: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


class Bars:
    """One bar per stage (groups, schema configs, columns)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task: TaskID | None = None

    def stage(self, description: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
        self._task = self._progress.add_task(description, total=total)

    def advance(self) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()


def reporter(enabled: bool) -> Reporter:
    """Bars only when asked for and stderr is an interactive terminal (not CI, not dumb)."""
    interactive = (
        sys.stderr.isatty() and os.environ.get("TERM") != "dumb" and not os.environ.get("CI")
    )
    return Bars() if enabled and interactive else Silent()
