"""Which workspaces `diff` compares when the config defines profiles.

`--profile` names one. Without it, an OLD or NEW that names a file (`path.json`, `REV:path`)
picks the profile whose snapshot that is, for its key settings (the base table's settings when
no profile's snapshot is named); otherwise every profile's snapshot is compared with its own at
OLD, as `generate` writes every profile's package.
"""

from __future__ import annotations

import os
from pathlib import Path

from fivetran_codegen.config import Config, Workspaces


def choose(loaded: Workspaces, old: str, new: str | None, *, cwd: Path) -> list[Config]:
    if len(loaded.chosen) == 1:
        return loaded.chosen
    named = [path for path in map(_named_file, (new, old)) if path is not None]
    if not named:
        return loaded.chosen
    for path in named:
        for workspace in loaded.chosen:
            if _same(cwd / path, workspace.snapshot):
                return [workspace]
    return [loaded.base]


def _named_file(argument: str | None) -> Path | None:
    """The snapshot file an argument names, if it names one (a file, or `REV:path`)."""
    if argument is None:
        return None
    if Path(argument).is_file():
        return Path(argument)
    _, colon, path = argument.partition(":")
    return Path(path) if colon and path else None


def _same(a: Path, b: Path) -> bool:
    return os.path.normpath(os.path.abspath(a)) == os.path.normpath(os.path.abspath(b))
